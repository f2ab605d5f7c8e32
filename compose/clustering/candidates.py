"""Candidates: which pairs of bullets are scored at all, and their scores.

Scoring every pair is quadratic; candidates come through an inverted index of rare terms
(blocking), and linkage asks `Completion` for the cross pairs blocking never proposed.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from operator import itemgetter

from compose.clustering.features import PARALLEL_MIN_ITEMS, Features, featurise
from compose.clustering.result import Settings
from compose.clustering.similarity import similarity
from compose.parallel import in_parallel, workers_for
from compose.parse import Bullet
from compose.progress import Progress, silent
from compose.tuning import Tuning, default_tuning


def postings(features: Sequence[Features]) -> dict[str, list[tuple[int, float]]]:
    """term -> [(index, weight)] in index order: the inverted index candidates come from."""
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for index, feature in enumerate(features):
        for term, weight in feature.weights.items():
            postings[term].append((index, weight))
    return postings


def cross_similarity(
    left: Sequence[Bullet], right: Sequence[Bullet], tuning: Tuning | None = None
) -> dict[tuple[int, int], float]:
    """Similarity of every (left[i], right[j]) pair that shares a term, IDF over both lists."""
    tuning = tuning or default_tuning()
    features = featurise([*left, *right], tuning, own_subjects=False)
    offset = len(left)
    postings_right = postings(features[offset:])
    scores: dict[tuple[int, int], float] = {}
    for i, a in enumerate(features[:offset]):
        for j in sorted({j for term in a.weights for j, _ in postings_right.get(term, ())}):
            scores[(i, j)] = similarity(a, features[offset + j], tuning)
    return scores


def similar_pairs(scorer: RowScorer, progress: Progress = silent) -> dict[tuple[int, int], float]:
    """Similarity of every candidate pair that clears the floor, keyed (i, j) with i < j.

    Without blocking every pair sharing a term is scored. With blocking, candidates come only
    through terms in at most `blocking_max_df` bullets, each bullet keeping its `neighbours`
    best, plus the next `neighbours` bullets with its rarest terms: near-duplicates share rare
    words (or their rarest common ones), and the work stays near-linear in the input size.
    Collection-sized inputs are scored on every core, rows dealt out in turn.
    """
    rows = len(scorer.features)
    workers = workers_for(rows, PARALLEL_MIN_ITEMS)
    progress("scoring pairs", 0, rows)
    if workers < 2:
        return scorer.score(range(rows))
    # More shares than workers, so that progress moves while the work runs.
    shares = workers * PROGRESS_SHARES
    parts = in_parallel(lambda k, n: scorer.score(range(k, rows, n)), shares, workers)
    edges: list[tuple[tuple[int, int], float]] = []
    for k, part in enumerate(parts, start=1):
        edges.extend(part.items())
        progress("scoring pairs", rows * k // shares, rows)
    return dict(sorted(edges))


PROGRESS_SHARES = 8


class RowScorer:
    """Scores one bullet (row) against every later candidate bullet."""

    def __init__(self, features: Sequence[Features], settings: Settings) -> None:
        self.features = features
        self.settings = settings
        self.floor = settings.floor
        self.scored: dict[tuple[int, int], float] = {}  # by the two bullets' kinds
        self.tuning = settings.tuning
        self.postings = postings(features)
        self.separate = {frozenset(p) for p in settings.separate}
        # Each bullet's rarest terms, and the bullets sharing them, in index order.
        kept = self.tuning.rarest_terms
        self.rarest = [
            tuple(sorted(f.weights, key=lambda t: (len(self.postings[t]), t))[:kept])
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
            if blocking and len(posting) > self.tuning.blocking_max_df:
                continue  # proposes no pairs; pair() still counts it
            # Only partners after i: each pair is scored once.
            for j, other in posting[bisect.bisect_right(posting, (i, math.inf)) :]:
                dots[j] += weight * other
        candidates: Iterable[int] = dots
        if blocking:
            # Ties keep the earlier partner (dots is in posting order): deterministic.
            best = heapq.nlargest(self.tuning.neighbours, dots.items(), key=itemgetter(1))
            twins = self.twins[self.rarest[i]]
            after = bisect.bisect_right(twins, i)
            following = twins[after : after + self.tuning.neighbours]
            candidates = sorted({j for j, _ in best} | set(following))
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
            score = similarity(a, b, self.tuning)
        elif (known := self.scored.get(kinds := (a.kind, b.kind))) is not None:
            score = known
        else:
            score = self.scored[kinds] = similarity(a, b, self.tuning)
        return score if score >= self.floor else None


class Completion:
    """Scores on demand the cross pairs that blocking never proposed.

    Average linkage needs every cross pair of two clusters above the floor; without this, a
    cluster could never grow past `neighbours` + 1 members. Two large clusters are judged on an
    evenly spread sample of `link_sample` members a side, which keeps the work linear in the
    input where a hundred agents share a line. Pairs it scores join edges.
    """

    def __init__(self, scorer: RowScorer, edges: dict[tuple[int, int], float]) -> None:
        self.scorer = scorer
        self.edges = edges
        self.below: set[tuple[int, int]] = set()

    def __call__(self, left: list[int], right: list[int]) -> tuple[float, int] | None:
        """(sum, count) of the left x right similarities, None if a pair is below the floor."""
        total = 0.0
        sample = self.scorer.tuning.link_sample
        sampled_left, sampled_right = _spread(left, sample), _spread(right, sample)
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


def _spread(members: list[int], sample: int) -> list[int]:
    if len(members) <= sample:
        return members
    step = (len(members) - 1) / (sample - 1)
    return [members[round(k * step)] for k in range(sample)]
