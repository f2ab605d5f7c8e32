"""Features: what the clustering knows of each bullet, worked out once.

A bullet's terms come from terms.term_counts, weighted by IDF over the bullets clustered
together (rare technical words count more than "proper" or "best practices"), with its
polarity, topic, place (agent, section, lead-in), depth, checklist core, section role and the
practices it lists beside them, and its text's embedding (embedding.py) for the semantic
signal. The tool an agent is named after, "Jest" in jest-expert, is read as one term
(OWN_SUBJECT) it shares with other agents' own tools.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from compose.clustering.embedding import Vectors, embed
from compose.parallel import map_on_cores
from compose.parse import Bullet
from compose.terms import (
    Role,
    checklist_core,
    compound_parts,
    is_advisory,
    is_checklist_item,
    named_terms,
    section_role,
    term_counts,
)
from compose.tuning import Tuning

OWN_SUBJECT = "@self"
# Fewer bullets or texts per core than this are worked on in this process: forking would cost
# more than it saves.
PARALLEL_MIN_ITEMS = 4000


@dataclass(frozen=True)
class Features:
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
    # Its text's embedding (a unit row; None when the semantic signal is off), and the number
    # of its distinct text among the bullets clustered together.
    vector: Vectors | None
    phrase: int


def featurise(
    bullets: Sequence[Bullet], tuning: Tuning, own_subjects: bool = True, semantic: bool = True
) -> list[Features]:
    """own_subjects: match each agent's own subject as OWN_SUBJECT (off for two versions of one
    agent, where a renamed agent must not stop matching its own tool). semantic: embed each
    distinct text (embedding.embed)."""
    # What a text alone decides, worked out once per distinct text (checklists repeat).
    texts = list(dict.fromkeys(b.text for b in bullets))
    phrase = {text: k for k, text in enumerate(texts)}
    # With no weight on the signal its vectors would change no score: the model is not loaded.
    vectors = embed(texts) if semantic and tuning.semantic_weight else None
    by_text = dict(zip(texts, map_on_cores(_read, texts, PARALLEL_MIN_ITEMS), strict=True))
    readings = [by_text[b.text] for b in bullets]
    subjects = _own_subjects(bullets, by_text, tuning.subject_share) if own_subjects else {}
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
    features: list[Features] = []
    kinds: dict[tuple[int, str, Role | None, bool, int], int] = {}
    for bullet, reading in zip(bullets, readings, strict=True):
        role = section_role(bullet.section)
        # One reading object per distinct text (and own subject): its id stands for both.
        key = (id(reading), bullet.topic, role, bullet.negative, bullet.depth)
        kind = kinds.setdefault(key, len(kinds))
        raw = {t: (1 + math.log(c) if c >= 1 else c) * idf[t] for t, c in reading.counts.items()}
        norm = math.sqrt(sum(w * w for w in raw.values())) or 1.0
        features.append(
            Features(
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
                None if vectors is None else vectors[phrase[bullet.text]],
                phrase[bullet.text],
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
    bullets: Sequence[Bullet], by_text: dict[str, _Reading], share: float
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
            and sayers[t][agent] >= share * sum(sayers[t].values())
            and 2 * sum(t in _named_term_set(text) for text in texts[t]) >= len(texts[t])
        )
        if own:
            subjects[agent] = own
    return subjects


def _named_term_set(text: str) -> set[str]:
    """The terms of text's named terms ("Jest" -> "jest", "PostgreSQL" -> "postgresql")."""
    return {t for name in named_terms(text) for t in term_counts(name)}
