"""Similarity: how alike two bullets are, in [0, 1].

A blend of IDF-weighted cosine over content terms, weighted containment and a rapidfuzz token
score, adjusted for context: same canonical topic, items of one list, advice versus practice,
checklist items that must cover each other and agree on their core, testing or documentation
items, lists of several practices. A warning and a recommendation are never one statement.
"""

from __future__ import annotations

from rapidfuzz import fuzz

from compose.clustering.embedding import cosine
from compose.clustering.features import Features
from compose.terms import Role
from compose.tuning import Tuning


def similarity(a: Features, b: Features, tuning: Tuning) -> float:
    """Blend of weighted cosine, containment and token overlap, adjusted for context, in [0, 1].
    A warning and a recommendation are never one statement."""
    return 0.0 if a.negative != b.negative else likeness(a, b, tuning)


def likeness(a: Features, b: Features, tuning: Tuning) -> float:
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
        tuning.cosine_weight * dot / (a.norm * b.norm)
        + tuning.containment_weight * containment
        + tuning.token_weight * tokens
    )
    if a.vector is not None and b.vector is not None:
        # Cosines of static embeddings sit high for any two bullets of one field: only the
        # part above semantic_floor says "the same practice".
        above = (cosine(a.vector, b.vector) - tuning.semantic_floor) / (1 - tuning.semantic_floor)
        score += tuning.semantic_weight * max(above, 0.0)
    if a.topic == b.topic:
        score += tuning.topic_bonus
    if a.place == b.place:
        score -= tuning.sibling_penalty
    if a.depth != b.depth:
        score -= tuning.depth_penalty
    if a.advisory != b.advisory:
        score -= tuning.advisory_penalty
    if a.checklist and b.checklist:
        coverage = min(covered_a / (a.mass or 1.0), covered_b / (b.mass or 1.0))
        score += _checklist_adjustment(a, b, coverage, tuning)
    if (a.parts is None) != (b.parts is None):
        compound, single = (a, b) if b.parts is None else (b, a)
        score -= _compound_penalty(compound.parts, single.raw, tuning)
    if a.role is not b.role and (_role_clash(a.role, b) or _role_clash(b.role, a)):
        score -= tuning.role_penalty
    return min(max(score, 0.0), 1.0)


def _checklist_adjustment(a: Features, b: Features, coverage: float, tuning: Tuning) -> float:
    """coverage: the smaller share of either item's weight that the other holds."""
    adjustment = 0.0
    if coverage < tuning.checklist_coverage:
        adjustment -= tuning.checklist_penalty
    if a.core and b.core:
        same = a.core[-1] == b.core[-1] and (
            set(a.core) <= set(b.core) or set(b.core) <= set(a.core)
        )
        adjustment += tuning.core_bonus if same else -tuning.core_penalty
    return adjustment


def _compound_penalty(
    parts: tuple[frozenset[str], ...] | None, single: dict[str, float], tuning: Tuning
) -> float:
    """A list of practices is not one of them: the single bullet must name most of the parts."""
    named = sum(1 for terms in parts or () if not terms.isdisjoint(single))
    enough = named >= tuning.parts_named * len(parts or ())
    return tuning.compound_penalty if enough else tuning.parts_penalty


def _role_clash(role: Role | None, other: Features) -> bool:
    """Whether an item of a role section meets one that does not name that work."""
    text = other.bullet.text.lower()
    return role is not None and not any(m in text for m in role.mentions)
