"""Cluster: parsed agents -> groups of bullets that say the same thing.

Similarity of two bullets blends an IDF-weighted cosine over normalised content terms (rare
technical words count more than "proper" or "best practices"; the tool an agent is named
after, "Jest" in jest-expert, is one term it shares with other agents' own tools), weighted
containment and a rapidfuzz token score, then adjusts for context: same canonical topic,
items of one list, advice versus practice, checklist items that must cover each other and
agree on their core, testing or documentation items, lists of several practices. Bullets
from anti-pattern lists never match recommendations. Linkage is average linkage with a
floor: two clusters join only when their mean cross similarity clears the threshold *and*
every cross pair clears the floor, so one bridging bullet cannot chain unrelated bullets
together.
"""

from __future__ import annotations

import bisect
import hashlib
import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import NamedTuple

from rapidfuzz import fuzz

from compose.errors import DuplicateAgentError
from compose.parallel import in_parallel, map_on_cores, workers_for
from compose.parse import Agent, Bullet
from compose.terms import (
    Role,
    checklist_core,
    compound_parts,
    is_advisory,
    is_checklist_item,
    named_terms,
    section_role,
    surface_forms,
    term_counts,
)
from compose.topics import ANTI_PATTERNS, topic_order

DEFAULT_THRESHOLD = 0.38
# Below 0.1 nearly every pair of bullets would be one statement; above 1 none could be.
THRESHOLD_RANGE = (0.1, 1.0)
# Every pair inside a cluster must be at least this similar (stops chaining).
FLOOR_RATIO = 0.6
COSINE_WEIGHT = 0.6
# Share of the shorter bullet's weight that the longer one covers ("Include error handling"
# is contained in "Implement error handling and logging").
CONTAINMENT_WEIGHT = 0.2
TOKEN_WEIGHT = 0.15
TOPIC_BONUS = 0.07
# Two items of one list are rarely the same statement: authors do not repeat a line in place.
SIBLING_PENALTY = 0.25
# A nested item is a detail of the item above it ("Redis" under "Caching:"); one at the top
# of its list is a statement of its own. Measured: 1 of 29 such pairs in the labelled sets'
# 0.3-0.65 band is one statement.
DEPTH_PENALTY = 0.1
# "Recommend monitoring" (advice for answers) and "Implement monitoring" (a practice) differ.
ADVISORY_PENALTY = 0.1
# Checklist items are little more than their words: "Performance monitoring" and "Performance
# benchmarks" share half of them and say different things. Each item must cover this share of
# the other's weight, and their cores (terms.checklist_core) must agree.
CHECKLIST_COVERAGE = 0.55
CHECKLIST_PENALTY = 0.25
CORE_BONUS = 0.05
CORE_PENALTY = 0.2
# An item of a testing or documentation section is that work, not the practice it names.
ROLE_PENALTY = 0.4
# A list of several practices is not the same statement as one of them.
COMPOUND_PENALTY = 0.03
# ... and one that names fewer than this share of its parts (its "Label:" is one) loses more:
# "Handle rate limiting, exponential backoff, and graceful degradation" is not "Rate limiting".
PARTS_NAMED = 0.5
PARTS_PENALTY = 0.18
# An agent's own subject, the tool it is named after ("Jest" in jest-expert), is what every one
# of its bullets is about: its "Configuring Jest for different environments" says what
# vitest-expert's "Configuring Vitest for different environments" says. Such terms are matched
# as this one token. A name word is the agent's own subject when no other agent's name has it,
# the agent holds at least SUBJECT_SHARE of the bullets that say it, and at least half of
# those write it as a name ("Jest", not "test automation" in test-automator).
# A bullet that forbids what another recommends is a conflict when the two are this alike,
# stance aside: the same practice, not two that share a topic ("Don't keep data longer than
# necessary" / "Data storage").
CONFLICT_SIMILARITY = 0.75
OWN_SUBJECT = "@self"
SUBJECT_SHARE = 0.5
# Candidate generation: a term in more bullets than this is too common to propose pairs on
# its own (pairs still count it once proposed). A constant keeps the work linear in the input.
BLOCKING_MAX_DF = 100
NEIGHBOURS = 12
# Every bullet also proposes the next NEIGHBOURS bullets with the same two rarest terms: one
# made of common words only ("Query context manager for existing patterns", in a hundred
# agents) finds its twins that way.
RAREST_TERMS = 2


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


def threshold_problem(value: float) -> str | None:
    """Why value cannot be a clustering threshold, or None when it can."""
    low, high = THRESHOLD_RANGE
    if not low <= value <= high:  # also refuses NaN, which compares false
        return f"must be a number from {low} to {high}"
    return None


@dataclass(frozen=True)
class Cluster:
    id: str
    topic: str
    score: float  # mean similarity of its scored member pairs; 1.0 for a single bullet
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
class Conflict:
    """Two agents take opposite stances on one practice ("Always use ORMs" / "Never use ORMs").
    The two bullets are never one cluster; a merge keeps both and says so."""

    forbids: Bullet
    recommends: Bullet
    score: float  # how alike the two are, stance aside

    def summary(self) -> str:
        f, r = self.forbids, self.recommends
        return (
            f"conflict: {f.agent}:{f.line} forbids what {r.agent}:{r.line} recommends "
            f"({f.text!r} / {r.text!r}); both kept"
        )


@dataclass(frozen=True)
class Clustering:
    agents: tuple[Agent, ...]
    clusters: tuple[Cluster, ...]
    settings: Settings = field(default_factory=Settings)
    conflicts: tuple[Conflict, ...] = ()

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
    norm: float  # L2 norm of raw
    mass: float  # sum of raw weights
    # The bullet's polarity, topic, list and nesting depth, held here for the pair loop.
    negative: bool
    topic: str
    place: tuple[str, str, str]  # agent, section it is written among, lead-in
    depth: int
    advisory: bool  # advice about answers rather than a practice
    text: str  # sorted content terms, for rapidfuzz
    checklist: bool  # a short item, not a sentence
    core: tuple[str, ...] | None  # a checklist item's practice, head last
    role: Role | None  # the kind of work its section's items are
    parts: tuple[frozenset[str], ...] | None  # the practices it lists, if three or more
    # Bullets of one kind (text, topic, section role, polarity, depth) score alike against any
    # bullet outside their list: template lines repeat across a collection, and are scored once.
    kind: int


def cluster(agents: Sequence[Agent], settings: Settings | None = None) -> Clustering:
    """Group every bullet of every agent into exactly one cluster, deterministically."""
    settings = settings or Settings()
    ordered = _sorted_agents(agents)
    bullets = [b for agent in ordered for b in agent.bullets]
    features = _featurise(bullets)
    scorer = _RowScorer(features, settings)
    edges = _similar_pairs(scorer)
    complete = _Completion(scorer, edges) if settings.blocking else None
    groups = _average_linkage(len(bullets), edges, settings.threshold, complete)
    groups = _apply_same(groups, bullets, settings.same)
    group_of = {i: g for g, group in enumerate(groups) for i in group}
    inside: dict[int, dict[tuple[int, int], float]] = defaultdict(dict)
    for (i, j), score in edges.items():
        if group_of[i] == group_of[j]:
            inside[group_of[i]][(i, j)] = score
    clusters = [_describe(group, features, inside[g]) for g, group in enumerate(groups)]
    order = topic_order()
    clusters.sort(
        key=lambda c: (order.get(c.topic, len(order)), -len(c.members), _key(c.members[0]))
    )
    return Clustering(tuple(ordered), tuple(clusters), settings, _conflicts(scorer))


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


def _featurise(bullets: Sequence[Bullet], own_subjects: bool = True) -> list[_Features]:
    """own_subjects: match each agent's own subject as OWN_SUBJECT (off for two versions of one
    agent, where a renamed agent must not stop matching its own tool)."""
    # What a text alone decides, worked out once per distinct text (checklists repeat).
    texts = list(dict.fromkeys(b.text for b in bullets))
    by_text = dict(zip(texts, map_on_cores(_read, texts, PARALLEL_MIN_ITEMS), strict=True))
    readings = [by_text[b.text] for b in bullets]
    subjects = _own_subjects(bullets, by_text) if own_subjects else {}
    renamed: dict[tuple[str, str], _Reading] = {}
    for k, bullet in enumerate(bullets):
        subject = subjects.get(bullet.agent)
        if subject and not subject.isdisjoint(readings[k].counts):
            if (bullet.text, bullet.agent) not in renamed:
                renamed[(bullet.text, bullet.agent)] = readings[k].with_own(subject)
            readings[k] = renamed[(bullet.text, bullet.agent)]
    df = Counter(t for reading in readings for t in reading.counts)
    n = max(len(bullets), 1)
    idf = {t: math.log(1 + n / count) for t, count in df.items()}
    features = []
    kinds: dict[tuple[int, str, Role | None, bool, int], int] = {}
    for bullet, reading in zip(bullets, readings, strict=True):
        role = section_role(bullet.section)
        # One reading object per distinct text (and own subject): its id stands for both.
        key = (id(reading), bullet.topic, role, bullet.negative, bullet.depth)
        kind = kinds.setdefault(key, len(kinds))
        raw = {t: (1 + math.log(c) if c >= 1 else c) * idf[t] for t, c in reading.counts.items()}
        norm = math.sqrt(sum(w * w for w in raw.values())) or 1.0
        features.append(
            _Features(
                bullet,
                {t: w / norm for t, w in raw.items()},
                raw,
                norm,
                sum(raw.values()),
                bullet.negative,
                bullet.topic,
                (bullet.agent, bullet.home[1], bullet.lead_in or ""),
                bullet.depth,
                reading.advisory,
                reading.text,
                reading.checklist,
                reading.core,
                role,
                reading.parts,
                kind,
            )
        )
    return features


class _Reading(NamedTuple):
    """What a bullet's text alone decides."""

    counts: dict[str, float]  # term -> count (terms.term_counts)
    advisory: bool
    text: str  # sorted terms, for rapidfuzz
    checklist: bool
    core: tuple[str, ...] | None
    parts: tuple[frozenset[str], ...] | None

    def with_own(self, subject: frozenset[str]) -> _Reading:
        """This reading with the agent's own subject terms read as OWN_SUBJECT."""

        def term(t: str) -> str:
            return OWN_SUBJECT if t in subject else t

        counts: dict[str, float] = {}
        for t, count in self.counts.items():
            counts[term(t)] = counts.get(term(t), 0.0) + count
        return self._replace(
            counts=counts,
            text=" ".join(sorted(counts)),
            core=self.core and tuple(map(term, self.core)),
            parts=self.parts and tuple(frozenset(map(term, p)) for p in self.parts),
        )


def _read(text: str) -> _Reading:
    counts = term_counts(text)
    return _Reading(
        counts,
        is_advisory(text),
        " ".join(sorted(counts)),
        is_checklist_item(text),
        checklist_core(text),
        compound_parts(text),
    )


def _own_subjects(
    bullets: Sequence[Bullet], by_text: dict[str, _Reading]
) -> dict[str, frozenset[str]]:
    """agent name -> the terms of its name that are its own subject (see OWN_SUBJECT)."""
    agents = dict.fromkeys(b.agent for b in bullets)
    # The name without the folder that tells two same-named agents apart ("x (a/b)").
    name_terms = {a: term_counts(a.split(" (")[0].replace("-", " ")).keys() for a in agents}
    named_by = Counter(t for terms in name_terms.values() for t in terms)
    candidates = {t for t, names in named_by.items() if names == 1}
    sayers: dict[str, Counter[str]] = defaultdict(Counter)  # term -> agent -> its bullets
    texts: dict[str, list[str]] = defaultdict(list)  # term -> its own agent's texts saying it
    saying = {
        text: candidates.intersection(reading.counts)
        for text, reading in by_text.items()
        if not candidates.isdisjoint(reading.counts)
    }
    for bullet in bullets:
        for term in saying.get(bullet.text, ()):
            sayers[term][bullet.agent] += 1
            if term in name_terms[bullet.agent]:
                texts[term].append(bullet.text)
    subjects: dict[str, frozenset[str]] = {}
    for agent, terms in name_terms.items():
        own = frozenset(
            t
            for t in terms & candidates
            if texts[t]
            and sayers[t][agent] >= SUBJECT_SHARE * sum(sayers[t].values())
            and 2 * sum(t in _named_term_set(text) for text in texts[t]) >= len(texts[t])
        )
        if own:
            subjects[agent] = own
    return subjects


def _named_term_set(text: str) -> set[str]:
    """The terms of text's named terms ("Jest" -> "jest", "PostgreSQL" -> "postgresql")."""
    return {t for name in named_terms(text) for t in term_counts(name)}


def similarity(a: _Features, b: _Features) -> float:
    """Blend of weighted cosine, containment and token overlap, adjusted for context, in [0, 1].
    A warning and a recommendation are never one statement."""
    return 0.0 if a.negative != b.negative else _likeness(a, b)


def _likeness(a: _Features, b: _Features) -> float:
    """similarity, the two bullets' stances aside."""
    if a.text == b.text and a.place == b.place and a.bullet.text != b.bullet.text:
        # One list, the same terms, other words: those words ("Before:", "After:") are the point.
        return 0.0
    dot = shared = covered_a = covered_b = 0.0
    other = b.raw
    # One pass in a's term order (a set's order would vary with string hashing, and so would
    # the last bits of the sums, and with them how ties between equal scores fall).
    for term, x in a.raw.items():
        y = other.get(term)
        if y is None:
            continue
        dot += x * y
        shared += x if x < y else y
        covered_a += x
        covered_b += y
    tokens = fuzz.ratio(a.text, b.text) / 100.0  # texts are sorted terms: token_sort_ratio
    containment = shared / (min(a.mass, b.mass) or 1.0)
    score = (
        COSINE_WEIGHT * dot / (a.norm * b.norm)
        + CONTAINMENT_WEIGHT * containment
        + TOKEN_WEIGHT * tokens
    )
    if a.topic == b.topic:
        score += TOPIC_BONUS
    if a.place == b.place:
        score -= SIBLING_PENALTY
    if a.depth != b.depth:
        score -= DEPTH_PENALTY
    if a.advisory != b.advisory:
        score -= ADVISORY_PENALTY
    if a.checklist and b.checklist:
        coverage = min(covered_a / (a.mass or 1.0), covered_b / (b.mass or 1.0))
        score += _checklist_adjustment(a, b, coverage)
    if (a.parts is None) != (b.parts is None):
        compound, single = (a, b) if b.parts is None else (b, a)
        score -= _compound_penalty(compound.parts, single.raw)
    if a.role is not b.role and (_role_clash(a.role, b) or _role_clash(b.role, a)):
        score -= ROLE_PENALTY
    return min(max(score, 0.0), 1.0)


def _checklist_adjustment(a: _Features, b: _Features, coverage: float) -> float:
    """coverage: the smaller share of either item's weight that the other holds."""
    adjustment = 0.0
    if coverage < CHECKLIST_COVERAGE:
        adjustment -= CHECKLIST_PENALTY
    if a.core and b.core:
        same = a.core[-1] == b.core[-1] and (
            set(a.core) <= set(b.core) or set(b.core) <= set(a.core)
        )
        adjustment += CORE_BONUS if same else -CORE_PENALTY
    return adjustment


def _compound_penalty(parts: tuple[frozenset[str], ...] | None, single: dict[str, float]) -> float:
    """A list of practices is not one of them: the single bullet must name most of the parts."""
    named = sum(1 for terms in parts or () if not terms.isdisjoint(single))
    return COMPOUND_PENALTY if named >= PARTS_NAMED * len(parts or ()) else PARTS_PENALTY


def _role_clash(role: Role | None, other: _Features) -> bool:
    """Whether an item of a role section meets one that does not name that work."""
    text = other.bullet.text.lower()
    return role is not None and not any(m in text for m in role.mentions)


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
    features = _featurise([*left, *right], own_subjects=False)
    offset = len(left)
    postings = _postings(features[offset:])
    scores: dict[tuple[int, int], float] = {}
    for i, a in enumerate(features[:offset]):
        for j in sorted({j for term in a.weights for j, _ in postings.get(term, ())}):
            scores[(i, j)] = similarity(a, features[offset + j])
    return scores


def _similar_pairs(scorer: _RowScorer) -> dict[tuple[int, int], float]:
    """Similarity of every candidate pair that clears the floor, keyed (i, j) with i < j.

    Without blocking every pair sharing a term is scored. With blocking, candidates come only
    through terms rarer than BLOCKING_MAX_DF, each bullet keeping its NEIGHBOURS best, plus the
    next NEIGHBOURS bullets with its two rarest terms: near-duplicates share rare words (or
    share their rarest common ones), and the work stays near-linear in the input size.
    Collection-sized inputs are scored on every core, rows dealt out in turn.
    """
    rows = len(scorer.features)
    workers = workers_for(rows, PARALLEL_MIN_ITEMS)
    if workers < 2:
        return scorer.score(range(rows))
    parts = in_parallel(lambda k, n: scorer.score(range(k, rows, n)), workers, workers)
    return dict(sorted(pair for part in parts for pair in part.items()))


# Fewer bullets or texts per core than this are scored in this process: forking would cost
# more than it saves.
PARALLEL_MIN_ITEMS = 4000


class _RowScorer:
    """Scores one bullet (row) against every later candidate bullet."""

    def __init__(self, features: Sequence[_Features], settings: Settings) -> None:
        self.features = features
        self.settings = settings
        self.floor = settings.floor
        self.scored: dict[tuple[int, int], float] = {}  # by the two bullets' kinds
        self.postings = _postings(features)
        self.separate = {frozenset(p) for p in settings.separate}
        # Each bullet's RAREST_TERMS rarest terms, and the bullets sharing them, in index order.
        self.rarest = [
            tuple(sorted(f.weights, key=lambda t: (len(self.postings[t]), t))[:RAREST_TERMS])
            for f in features
        ]
        self.twins: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for index, rarest in enumerate(self.rarest):
            self.twins[rarest].append(index)

    def score(self, rows: Iterable[int]) -> dict[tuple[int, int], float]:
        edges: dict[tuple[int, int], float] = {}
        for i in rows:
            self._score_row(i, edges)
        return edges

    def _score_row(self, i: int, edges: dict[tuple[int, int], float]) -> None:
        a, blocking = self.features[i], self.settings.blocking
        dots: dict[int, float] = defaultdict(float)
        for term, weight in a.weights.items():
            posting = self.postings[term]
            if blocking and len(posting) > BLOCKING_MAX_DF:
                continue  # proposes no pairs; pair() still counts it
            # Only partners after i: each pair is scored once.
            for j, other in posting[bisect.bisect_right(posting, (i, math.inf)) :]:
                dots[j] += weight * other
        candidates: Iterable[int] = dots
        if blocking:
            # Ties keep the earlier partner (dots is in posting order): deterministic.
            best = heapq.nlargest(NEIGHBOURS, dots.items(), key=itemgetter(1))
            twins = self.twins[self.rarest[i]]
            after = bisect.bisect_right(twins, i)
            candidates = sorted({j for j, _ in best} | set(twins[after : after + NEIGHBOURS]))
        for j in candidates:
            score = self.pair(i, j)
            if score is not None:
                edges[(i, j)] = score

    def pair(self, i: int, j: int) -> float | None:
        """Similarity of bullets i and j if it clears the floor and no decision separates them."""
        a, b = self.features[i], self.features[j]
        if self.separate and frozenset((a.bullet.id, b.bullet.id)) in self.separate:
            return None
        if a.place == b.place:
            score = similarity(a, b)
        elif (known := self.scored.get(kinds := (a.kind, b.kind))) is not None:
            score = known
        else:
            score = self.scored[kinds] = similarity(a, b)
        return score if score >= self.floor else None


def _conflicts(scorer: _RowScorer) -> tuple[Conflict, ...]:
    """Bullets that forbid what a bullet of another agent recommends, as alike as one cluster's
    members would be. Only a bullet that forbids in its own words counts: an anti-pattern list
    names what to avoid, and "N+1 queries" there agrees with "Prevent N+1 queries"."""
    features, postings = scorer.features, scorer.postings
    found = []
    for a in features:
        if not a.negative or a.topic == ANTI_PATTERNS:
            continue
        candidates = {
            j
            for term in a.weights
            if not scorer.settings.blocking or len(postings[term]) <= BLOCKING_MAX_DF
            for j, _ in postings[term]
        }
        for j in sorted(candidates):
            b = features[j]
            if b.negative or b.topic == ANTI_PATTERNS or b.place[0] == a.place[0]:
                continue
            score = _likeness(a, b)
            if score >= max(CONFLICT_SIMILARITY, scorer.settings.threshold):
                found.append(Conflict(a.bullet, b.bullet, round(score, 3)))
    return tuple(found)


class _Completion:
    """Scores on demand the cross pairs that blocking never proposed.

    Average linkage needs every cross pair of two clusters above the floor; without this, a
    cluster could never grow past NEIGHBOURS + 1 members. Two large clusters are judged on an
    evenly spread sample of LINK_SAMPLE members a side, which keeps the work linear in the
    input where a hundred agents share a line. Pairs it scores join edges.
    """

    def __init__(self, scorer: _RowScorer, edges: dict[tuple[int, int], float]) -> None:
        self.scorer = scorer
        self.edges = edges
        self.below: set[tuple[int, int]] = set()

    def __call__(self, left: list[int], right: list[int]) -> tuple[float, int] | None:
        """(sum, count) of the left x right similarities, None if a pair is below the floor."""
        total = 0.0
        sampled_left, sampled_right = _spread(left), _spread(right)
        for x in sampled_left:
            for y in sampled_right:
                key = (x, y) if x < y else (y, x)
                score = self.edges.get(key)
                if score is None:
                    if key in self.below or (score := self.scorer.pair(*key)) is None:
                        self.below.add(key)
                        return None
                    self.edges[key] = score
                total += score
        size = len(left) * len(right)
        return total * size / (len(sampled_left) * len(sampled_right)), size


# Members a side that judge a link between two clusters once both are larger.
LINK_SAMPLE = 8


def _spread(members: list[int]) -> list[int]:
    if len(members) <= LINK_SAMPLE:
        return members
    step = (len(members) - 1) / (LINK_SAMPLE - 1)
    return [members[round(k * step)] for k in range(LINK_SAMPLE)]


def _average_linkage(
    n: int,
    edges: dict[tuple[int, int], float],
    threshold: float,
    complete: _Completion | None = None,
) -> list[list[int]]:
    """Agglomerate while the best mean cross similarity >= threshold and no pair is missing.

    A pair below the floor is absent from edges, so a cluster pair with any absent cross pair
    can never merge. A link carries the sum of the pairs it knows and how many: one that knows
    fewer than all its pairs is incomplete, and when its mean reaches the top of the queue,
    complete scores the rest and decides (without blocking nothing is left to score: it is
    dropped). A merge folds the smaller link table into the larger, so a cluster that keeps
    growing is not rebuilt each time; queue entries name clusters by any member that was once
    their key, resolved through `parent`. A merge queues nothing: an entry that comes off the
    queue above its link's present mean queues the link again at that mean.
    """
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    parent = list(range(n))
    links: dict[int, dict[int, tuple[float, int]]] = defaultdict(dict)  # sum, known pairs
    for (i, j), score in edges.items():
        links[i][j] = (score, 1)
        links[j][i] = (score, 1)
    # Links at their first mean, sorted once with the best at the end (a pop from a list is
    # cheaper than from a heap of them all); links queued again go on a heap beside it.
    ranked = sorted(
        ((-score, i, j) for (i, j), score in edges.items() if score >= threshold), reverse=True
    )
    heap: list[tuple[float, int, int]] = []

    while ranked or heap:
        if heap and (not ranked or heap[0] < ranked[-1]):
            negative_mean, a, b = heapq.heappop(heap)
        else:
            negative_mean, a, b = ranked.pop()
        if parent[a] != a:  # inline check: most entries name a current key
            a = _root(parent, a)
        if parent[b] != b:
            b = _root(parent, b)
        if a > b:  # the order complete scores a pair's members in
            a, b = b, a
        link = links[a].get(b) if a != b else None
        if link is None:
            continue  # merged or dropped
        mean = link[0] / link[1]
        if abs(mean + negative_mean) > 1e-12:
            if mean < -negative_mean and mean >= threshold:  # fell since: queue it again
                heapq.heappush(heap, (-mean, a, b))
            continue  # a rise was queued when it happened
        size = len(members[a]) * len(members[b])
        if link[1] < size:
            exact = complete(members[a], members[b]) if complete is not None else None
            if exact is None:
                del links[a][b], links[b][a]
            else:
                links[a][b] = links[b][a] = exact
                if exact[0] / size >= threshold:
                    heapq.heappush(heap, (-exact[0] / size, a, b))
            continue
        keep, fold = (a, b) if (len(links[a]), b) >= (len(links[b]), a) else (b, a)
        parent[fold] = keep
        members[keep] = sorted(members[keep] + members.pop(fold))
        kept = links[keep]
        del kept[fold]
        # Links only the kept side has keep their sum and count; their heap entries stay.
        for other, (total, count) in links.pop(fold).items():
            if other == keep:
                continue
            del links[other][fold]
            known = kept.get(other, (0.0, 0))
            merged = (known[0] + total, known[1] + count)
            # No push: a merged mean lies between its parts' means, so the higher part's
            # entry still names this link and comes off the heap first, then queues it again.
            kept[other] = links[other][keep] = merged
    return sorted(members.values())


def _apply_same(
    groups: list[list[int]], bullets: Sequence[Bullet], same: Sequence[tuple[str, str]]
) -> list[list[int]]:
    """Pinned `same` decisions join the two bullets' clusters whatever their similarity."""
    if not same:
        return groups
    index = {b.id: i for i, b in enumerate(bullets)}
    group_of = {i: g for g, members in enumerate(groups) for i in members}
    parent = list(range(len(groups)))
    for first, second in same:
        if first in index and second in index:
            a = _root(parent, group_of[index[first]])
            b = _root(parent, group_of[index[second]])
            parent[max(a, b)] = min(a, b)
    joined: dict[int, list[int]] = defaultdict(list)
    for g, members in enumerate(groups):
        joined[_root(parent, g)].extend(members)
    return [sorted(m) for _, m in sorted(joined.items())]


def _root(parent: list[int], i: int) -> int:
    """Union-find root of i, halving the path on the way up."""
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _describe(
    group: list[int], features: Sequence[_Features], pairs: dict[tuple[int, int], float]
) -> Cluster:
    """pairs: the scored pairs inside the group (all of them, unless it is large or pinned)."""
    bullets = [features[i].bullet for i in group]
    if len(group) == 1:
        only = bullets[0]
        return Cluster(_cluster_id(bullets), only.topic, 1.0, only, (), tuple(bullets))
    if not pairs:  # joined only by pinned decisions
        pairs = {(group[0], group[1]): 0.0}
    centrality = dict.fromkeys(group, 0.0)
    for (i, j), score in pairs.items():
        centrality[i] += score
        centrality[j] += score
    top = max(round(c, 9) for c in centrality.values())
    tied = [i for i in group if round(centrality[i], 9) == top]
    # Equally central phrasings: the one naming more technologies, then the earliest.
    best = tied[0]
    if len({features[i].bullet.text for i in tied}) > 1:
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
    counts = Counter(t for f in group for t in f.weights if t != OWN_SUBJECT)
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
    # "message" adds nothing beside "message queues", nor "event" beside "event-driven", nor
    # "ci" beside "ci/cd".
    words = {w for f in forms for w in re.split(r"[\s/-]+", f) if w != f}
    return tuple(f for f in forms if f not in words)


def _cluster_id(bullets: Sequence[Bullet]) -> str:
    digest = hashlib.blake2b("\n".join(sorted(b.id for b in bullets)).encode(), digest_size=5)
    return "c" + digest.hexdigest()
