"""Cluster: parsed agents -> groups of bullets that say the same thing.

Similarity of two bullets blends an IDF-weighted cosine over normalised content terms (rare
technical words count more than "proper" or "best practices") with a rapidfuzz token score,
and a bonus when both sit in sections of the same canonical topic. Bullets from anti-pattern
lists never match recommendations. Linkage is average linkage with a floor: two clusters join
only when their mean cross similarity clears the threshold *and* every cross pair clears the
floor, so one bridging bullet cannot chain unrelated bullets together.
"""

from __future__ import annotations

import bisect
import hashlib
import heapq
import math
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from compose.errors import DuplicateAgentError
from compose.parse import Agent, Bullet
from compose.terms import is_advisory, named_terms, surface_forms, term_counts
from compose.topics import topic_order

DEFAULT_THRESHOLD = 0.42
# Every pair inside a cluster must be at least this similar (stops chaining).
FLOOR_RATIO = 0.7
COSINE_WEIGHT = 0.65
# Share of the shorter bullet's weight that the longer one covers ("Include error handling"
# is contained in "Implement error handling and logging").
CONTAINMENT_WEIGHT = 0.15
TOPIC_BONUS = 0.05
# Two items of one list are rarely the same statement: authors do not repeat a line in place.
SIBLING_PENALTY = 0.15
# "Recommend monitoring" (advice for answers) and "Implement monitoring" (a practice) differ.
ADVISORY_PENALTY = 0.1
# Candidate generation: a term in more bullets than this is too common to propose pairs on
# its own (pairs still count it once proposed). A constant keeps the work linear in the input.
BLOCKING_MAX_DF = 100
NEIGHBOURS = 12
# Pairs with less weighted word overlap than this are never the same statement; skipping them
# saves the token comparison.
MIN_COSINE = 0.15


@dataclass(frozen=True)
class Settings:
    threshold: float = DEFAULT_THRESHOLD
    blocking: bool = True
    # Pinned decisions (bullet ids): pairs forced together, pairs kept apart.
    same: tuple[tuple[str, str], ...] = ()
    separate: tuple[tuple[str, str], ...] = ()

    @property
    def floor(self) -> float:
        return self.threshold * FLOOR_RATIO


@dataclass(frozen=True)
class Cluster:
    id: str
    topic: str
    score: float  # mean pairwise similarity of the members; 1.0 for a single bullet
    representative: Bullet
    terms: tuple[str, ...]  # content words most members share: why they are together
    members: tuple[Bullet, ...]
    least_similar: tuple[str, str, float] | None = None  # the weakest pair (ids, similarity)

    @property
    def agents(self) -> tuple[str, ...]:
        return tuple(sorted({m.agent for m in self.members}))

    @property
    def negative(self) -> bool:
        return self.representative.negative


@dataclass(frozen=True)
class Clustering:
    agents: tuple[Agent, ...]
    clusters: tuple[Cluster, ...]
    settings: Settings = field(default_factory=Settings)

    def cluster_of(self) -> dict[str, Cluster]:
        return {m.id: c for c in self.clusters for m in c.members}

    @property
    def bullet_count(self) -> int:
        return sum(len(c.members) for c in self.clusters)


@dataclass(frozen=True)
class _Features:
    bullet: Bullet
    weights: dict[str, float]  # term -> tf-idf weight, L2-normalised
    raw: dict[str, float]  # term -> tf-idf weight
    mass: float  # sum of raw weights
    advisory: bool  # advice about answers rather than a practice
    text: str  # sorted content terms, for rapidfuzz


def cluster(agents: Sequence[Agent], settings: Settings | None = None) -> Clustering:
    """Group every bullet of every agent into exactly one cluster, deterministically."""
    settings = settings or Settings()
    ordered = _sorted_agents(agents)
    bullets = [b for agent in ordered for b in agent.bullets]
    features = _featurise(bullets)
    edges = _similar_pairs(features, settings)
    groups = _average_linkage(len(bullets), edges, settings.threshold)
    groups = _apply_same(groups, bullets, settings.same)
    clusters = [_describe(group, features, edges) for group in groups]
    order = topic_order()
    clusters.sort(
        key=lambda c: (order.get(c.topic, len(order)), -len(c.members), _key(c.members[0]))
    )
    return Clustering(tuple(ordered), tuple(clusters), settings)


def _sorted_agents(agents: Sequence[Agent]) -> list[Agent]:
    by_name: dict[str, Agent] = {}
    for agent in agents:
        if agent.name in by_name:
            other = by_name[agent.name].path
            raise DuplicateAgentError(
                agent.path, f"agent name '{agent.name}' is also used by {other}; rename one"
            )
        by_name[agent.name] = agent
    return [by_name[name] for name in sorted(by_name)]


def _key(bullet: Bullet) -> tuple[str, int, str]:
    return (bullet.agent, bullet.line, bullet.id)


def _featurise(bullets: Sequence[Bullet]) -> list[_Features]:
    term_lists = [term_counts(b.text) for b in bullets]
    df = Counter(t for terms in term_lists for t in terms)
    n = max(len(bullets), 1)
    features = []
    for bullet, counts in zip(bullets, term_lists, strict=True):
        raw = {t: _tf(c) * math.log(1 + n / df[t]) for t, c in counts.items()}
        norm = math.sqrt(sum(w * w for w in raw.values())) or 1.0
        weights = {t: w / norm for t, w in raw.items()}
        features.append(
            _Features(
                bullet,
                weights,
                raw,
                sum(raw.values()),
                is_advisory(bullet.text),
                " ".join(sorted(counts)),
            )
        )
    return features


def _tf(count: float) -> float:
    return 1 + math.log(count) if count >= 1 else count


def similarity(a: _Features, b: _Features, cosine: float | None = None) -> float:
    """Blend of weighted cosine, token overlap and topic agreement, in [0, 1]."""
    if a.bullet.negative != b.bullet.negative:
        return 0.0
    if cosine is None:
        cosine = _cosine(a, b)
    tokens = fuzz.ratio(a.text, b.text) / 100.0  # texts are sorted terms: token_sort_ratio
    shared = sum(min(w, b.raw[t]) for t, w in a.raw.items() if t in b.raw)
    containment = shared / (min(a.mass, b.mass) or 1.0)
    score = (
        COSINE_WEIGHT * cosine
        + CONTAINMENT_WEIGHT * containment
        + (1 - COSINE_WEIGHT - CONTAINMENT_WEIGHT) * tokens
    )
    if a.bullet.topic == b.bullet.topic:
        score += TOPIC_BONUS
    if a.bullet.agent == b.bullet.agent and a.bullet.section == b.bullet.section:
        score -= SIBLING_PENALTY
    if a.advisory != b.advisory:
        score -= ADVISORY_PENALTY
    return min(max(score, 0.0), 1.0)


def _cosine(a: _Features, b: _Features) -> float:
    return sum(w * b.weights.get(t, 0.0) for t, w in a.weights.items())


def _postings(features: Sequence[_Features]) -> dict[str, list[tuple[int, float]]]:
    """term -> [(index, weight)] in index order: the inverted index candidates come from."""
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for index, feature in enumerate(features):
        for term, weight in feature.weights.items():
            postings[term].append((index, weight))
    return postings


def cross_similarity(
    left: Sequence[Bullet], right: Sequence[Bullet]
) -> dict[tuple[int, int], float]:
    """Similarity of every (left[i], right[j]) pair that shares a term, IDF over both lists."""
    features = _featurise([*left, *right])
    offset = len(left)
    postings = _postings(features[offset:])
    scores: dict[tuple[int, int], float] = {}
    for i, a in enumerate(features[:offset]):
        for j in sorted({j for term in a.weights for j, _ in postings.get(term, ())}):
            scores[(i, j)] = similarity(a, features[offset + j])
    return scores


def _similar_pairs(
    features: Sequence[_Features], settings: Settings
) -> dict[tuple[int, int], float]:
    """Similarity of every candidate pair that clears the floor, keyed (i, j) with i < j.

    Without blocking every pair sharing a term is scored. With blocking, candidates come only
    through terms rarer than BLOCKING_MAX_DF, and each bullet keeps its NEIGHBOURS best candidates:
    near-duplicates share rare words, and the work stays near-linear in the input size.
    Collection-sized inputs are scored on every core, rows dealt out in turn.
    """
    scorer = _RowScorer(features, settings)
    workers = min(_cores(), len(features) // PARALLEL_MIN_BULLETS)
    if workers < 2:
        return scorer.score(range(len(features)))
    import multiprocessing  # here: small inputs do not pay for the import

    # Forked workers inherit the scorer: nothing large is pickled on the way in.
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_adopt, initargs=(scorer,)) as pool:
        parts = pool.map(_score_share, [(k, workers) for k in range(workers)])
    return dict(sorted(pair for part in parts for pair in part.items()))


# Inputs with fewer bullets per core than this are scored in this process (forking costs more).
PARALLEL_MIN_BULLETS = 4000


def _cores() -> int:
    """Cores this process may use where workers can be forked (Linux); else 1."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1


class _RowScorer:
    """Scores one bullet (row) against every later candidate bullet."""

    def __init__(self, features: Sequence[_Features], settings: Settings) -> None:
        self.features = features
        self.settings = settings
        self.postings = _postings(features)
        self.separate = {frozenset(p) for p in settings.separate}

    def score(self, rows: Iterable[int]) -> dict[tuple[int, int], float]:
        edges: dict[tuple[int, int], float] = {}
        for i in rows:
            self._score_row(i, edges)
        return edges

    def _score_row(self, i: int, edges: dict[tuple[int, int], float]) -> None:
        a, blocking = self.features[i], self.settings.blocking
        dots: dict[int, float] = defaultdict(float)
        partial = False  # whether a common term was left out of the dot products
        for term, weight in a.weights.items():
            posting = self.postings[term]
            if blocking and len(posting) > BLOCKING_MAX_DF:
                partial = True
                continue
            # Only partners after i: each pair is scored once.
            for j, other in posting[bisect.bisect_right(posting, (i, math.inf)) :]:
                dots[j] += weight * other
        candidates = list(dots)
        if blocking and len(candidates) > NEIGHBOURS:
            candidates = heapq.nsmallest(NEIGHBOURS, candidates, key=lambda j: (-dots[j], j))
        for j in candidates:
            b = self.features[j]
            if self.separate and frozenset((a.bullet.id, b.bullet.id)) in self.separate:
                continue
            cosine = dots[j]
            if partial:
                # Found through rare terms; the score still counts the common terms too.
                cosine = _cosine(a, b)
            if cosine < MIN_COSINE:
                continue
            score = similarity(a, b, cosine)
            if score >= self.settings.floor:
                edges[(i, j)] = score


_worker_scorer: _RowScorer | None = None


def _adopt(scorer: _RowScorer) -> None:
    global _worker_scorer
    _worker_scorer = scorer


def _score_share(share: tuple[int, int]) -> dict[tuple[int, int], float]:
    """Rows k, k + n, k + 2n, ...: later rows have fewer partners, so dealing evens the load."""
    assert _worker_scorer is not None
    k, n = share
    return _worker_scorer.score(range(k, len(_worker_scorer.features), n))


def _average_linkage(
    n: int, edges: dict[tuple[int, int], float], threshold: float
) -> list[list[int]]:
    """Agglomerate while the best mean cross similarity >= threshold and no pair is missing.

    A pair below the floor is absent from edges, so a cluster pair with any absent cross pair
    can never merge; its link is dropped instead of being tracked.
    """
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    links: dict[int, dict[int, tuple[float, int]]] = defaultdict(dict)  # sum, pair count
    for (i, j), score in edges.items():
        links[i][j] = (score, 1)
        links[j][i] = (score, 1)
    heap = [(-score, i, j) for (i, j), score in edges.items() if score >= threshold]
    heapq.heapify(heap)
    while heap:
        negative_mean, a, b = heapq.heappop(heap)
        if a not in members or b not in members or b not in links[a]:
            continue
        total, count = links[a][b]
        size = len(members[a]) * len(members[b])
        if count != size or abs(total / size + negative_mean) > 1e-12:
            continue  # stale entry
        keep, drop = min(a, b), max(a, b)
        members[keep] = sorted(members[keep] + members.pop(drop))
        merged: dict[int, tuple[float, int]] = {}
        for other in set(links[keep]) | set(links[drop]):
            if other in (keep, drop):
                continue
            left, right = links[keep].get(other), links[drop].get(other)
            links[other].pop(keep, None)
            links[other].pop(drop, None)
            if left is None or right is None:
                continue  # some cross pair is below the floor: never mergeable
            merged[other] = (left[0] + right[0], left[1] + right[1])
        del links[drop]
        links[keep] = merged
        for other, (total, count) in merged.items():
            links[other][keep] = (total, count)
            mean = total / (len(members[keep]) * len(members[other]))
            if count == len(members[keep]) * len(members[other]) and mean >= threshold:
                heapq.heappush(heap, (-mean, min(keep, other), max(keep, other)))
    return [members[k] for k in sorted(members)]


def _apply_same(
    groups: list[list[int]], bullets: Sequence[Bullet], same: Iterable[tuple[str, str]]
) -> list[list[int]]:
    """Pinned `same` decisions join the two bullets' clusters whatever their similarity."""
    index = {b.id: i for i, b in enumerate(bullets)}
    group_of = {i: g for g, members in enumerate(groups) for i in members}
    parent = list(range(len(groups)))

    def find(g: int) -> int:
        while parent[g] != g:
            parent[g] = parent[parent[g]]
            g = parent[g]
        return g

    for first, second in same:
        if first in index and second in index:
            a, b = find(group_of[index[first]]), find(group_of[index[second]])
            parent[max(a, b)] = min(a, b)
    joined: dict[int, list[int]] = defaultdict(list)
    for g, members in enumerate(groups):
        joined[find(g)].extend(members)
    return [sorted(m) for _, m in sorted(joined.items())]


def _describe(
    group: list[int], features: Sequence[_Features], edges: dict[tuple[int, int], float]
) -> Cluster:
    bullets = [features[i].bullet for i in group]
    if len(group) == 1:
        only = bullets[0]
        return Cluster(_cluster_id(bullets), only.topic, 1.0, only, (), tuple(bullets))
    pairs = {(i, j): edges.get((i, j), 0.0) for x, i in enumerate(group) for j in group[x + 1 :]}
    centrality = dict.fromkeys(group, 0.0)
    for (i, j), score in pairs.items():
        centrality[i] += score
        centrality[j] += score
    top = max(round(c, 9) for c in centrality.values())
    tied = [i for i in group if round(centrality[i], 9) == top]
    # Equally central phrasings: the one naming more technologies, then the earliest.
    best = tied[0]
    if len(tied) > 1:
        best = max(tied, key=lambda i: (len(named_terms(features[i].bullet.text)), -i))
    weakest = min(pairs, key=lambda p: (pairs[p], p))
    topics = Counter(b.topic for b in bullets)
    order = topic_order()
    topic = min(topics, key=lambda t: (-topics[t], order.get(t, len(order))))
    return Cluster(
        id=_cluster_id(bullets),
        topic=topic,
        score=round(sum(pairs.values()) / len(pairs), 4),
        representative=features[best].bullet,
        terms=_shared_terms([features[i] for i in group]),
        members=tuple(sorted(bullets, key=_key)),
        least_similar=(
            features[weakest[0]].bullet.id,
            features[weakest[1]].bullet.id,
            round(pairs[weakest], 4),
        ),
    )


def _shared_terms(group: Sequence[_Features]) -> tuple[str, ...]:
    """Terms in at least half the members (and two), heaviest first, as written."""
    counts = Counter(t for f in group for t in f.weights)
    needed = max(2, math.ceil(len(group) / 2))
    common = [t for t, c in counts.items() if c >= needed]
    weight = {t: sum(f.weights.get(t, 0.0) for f in group) for t in common}
    shared = sorted(common, key=lambda t: (-weight[t], t))
    surface: dict[str, str] = {}
    for f in group:
        if all(t in surface for t in shared):
            break
        for t, form in surface_forms(f.bullet.text).items():
            surface.setdefault(t, form)
    forms = list(dict.fromkeys(surface.get(t, t) for t in shared))
    # "message" adds nothing beside "message queues", nor "event" beside "event-driven".
    words = {w for f in forms if " " in f or "-" in f for w in f.replace("-", " ").split()}
    return tuple(f for f in forms if f not in words)


def _cluster_id(bullets: Sequence[Bullet]) -> str:
    digest = hashlib.blake2b("\n".join(sorted(b.id for b in bullets)).encode(), digest_size=5)
    return "c" + digest.hexdigest()
