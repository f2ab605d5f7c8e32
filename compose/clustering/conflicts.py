"""Conflicts: one agent forbids what another recommends ("Always use ORMs" / "Never use ORMs")."""

from __future__ import annotations

from compose.clustering.candidates import RowScorer
from compose.clustering.result import Conflict
from compose.clustering.similarity import likeness
from compose.topics import ANTI_PATTERNS


def find_conflicts(scorer: RowScorer) -> tuple[Conflict, ...]:
    """Bullets that forbid what a bullet of another agent recommends, as alike as one cluster's
    members would be. Only a bullet that forbids in its own words counts: an anti-pattern list
    names what to avoid, and "N+1 queries" there agrees with "Prevent N+1 queries"."""
    features, postings, tuning = scorer.features, scorer.postings, scorer.tuning
    found = []
    for a in features:
        if not a.negative or a.topic == ANTI_PATTERNS:
            continue
        candidates = {
            j
            for term in a.weights
            if not scorer.settings.blocking or len(postings[term]) <= tuning.blocking_max_df
            for j, _ in postings[term]
        }
        for j in sorted(candidates):
            b = features[j]
            if b.negative or b.topic == ANTI_PATTERNS or b.place[0] == a.place[0]:
                continue
            score = likeness(a, b, tuning)
            if score >= max(tuning.conflict_similarity, scorer.settings.threshold):
                found.append(Conflict(a.bullet, b.bullet, round(score, 3)))
    return tuple(found)
