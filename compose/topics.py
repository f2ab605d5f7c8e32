"""Canonical section topics, read from data/topics.toml (data, not code)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from compose.tomlfile import package_data

ANTI_PATTERNS = "anti-patterns"
OTHER = "other"
OUTPUT_FORMAT = "output-format"
RESPONSIBILITIES = "responsibilities"
WORKFLOW = "workflow"
_NUMBERING = re.compile(r"^\s*(?:\d+[.)]|[ivx]+\.)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    keywords: tuple[str, ...]
    kind: bool = False  # its items are a kind of thing (deliverables), not a subject
    heads: tuple[str, ...] = ()  # a title ending in one is this topic's ("API testing")
    homes: tuple[str, ...] = ()  # a title ending in one is written in this topic's section
    # Keywords that name the topic only opening a title ("Implementation approach"), not
    # ending one after what it is about ("SEO implementation").
    openers: tuple[str, ...] = ()
    # Its plain lists keep their sources' order (an approach's steps), not consensus first.
    ordered: bool = False
    heading_homes: tuple[str, ...] = ()  # as homes, for a heading's title, not a sentence's


@cache
def topics() -> tuple[Topic, ...]:
    """All topics in render order."""
    data = package_data("topics.toml")
    return tuple(
        Topic(
            t["id"],
            t["title"],
            tuple(t["keywords"]),
            t.get("kind", False),
            tuple(t.get("heads", ())),
            tuple(t.get("homes", ())),
            tuple(t.get("openers", ())),
            t.get("ordered", False),
            tuple(t.get("heading_homes", ())),
        )
        for t in data["topic"]
    )


@cache
def is_kind(topic_id: str) -> bool:
    """Whether a topic's items are a kind of thing ("Output Format": deliverables)."""
    return any(t.kind for t in topics() if t.id == topic_id)


@cache
def keeps_order(topic_id: str) -> bool:
    """Whether a topic's plain lists are written in their sources' order."""
    return any(t.ordered for t in topics() if t.id == topic_id)


@cache
def topic_order() -> dict[str, int]:
    return {topic.id: i for i, topic in enumerate(topics())}


@cache
def topic_title(topic_id: str) -> str:
    return next(t.title for t in topics() if t.id == topic_id)


def is_numbered(title: str) -> bool:
    """Whether a title is numbered: '### 1. Database Analysis'."""
    return _NUMBERING.match(title) is not None


def clean_title(title: str) -> str:
    """'### 1. API Design:' -> 'API Design'."""
    return _NUMBERING.sub("", title).strip().rstrip(":").strip()


@cache
def _patterns() -> tuple[tuple[str, re.Pattern[str], re.Pattern[str] | None], ...]:
    """Per topic, its keywords' pattern and its heads' (keywords must start a word: 'rest'
    is not in 'interest')."""
    return tuple(
        (t.id, _words_pattern(t.keywords), _words_pattern(t.heads) if t.heads else None)
        for t in topics()
        if t.keywords
    )


def _words_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, words)) + ")")


@cache
def classify(title: str) -> str:
    """The topic id of a section title; OTHER when no keyword occurs."""
    text = clean_title(title).lower()
    best: tuple[int, int] | None = None
    best_id = OTHER
    words = text.split()
    last = words[-1] if words else ""
    for rank, (topic_id, pattern, heads) in enumerate(_patterns()):
        match = pattern.search(text)
        if match is None:
            continue
        if (
            len(words) > 1
            and words[0] not in _SITUATION
            and all(
                _opener(topic_id, m.group(0)) and m.start() > 0 and m.end() >= len(text) - len(last)
                for m in pattern.finditer(text)
            )
        ):
            continue  # "Dependency analysis": about dependencies, no step of the workflow
        if topic_id == ANTI_PATTERNS:
            return ANTI_PATTERNS
        if heads is not None and heads.search(last) and (best is None or best[0] >= 0):
            # "API testing", "Architecture Design Workflow": a topic's work on another, not
            # the other topic.
            best, best_id = (-1, rank), topic_id
            continue
        if best is None or (match.start(), rank) < best:
            best, best_id = (match.start(), rank), topic_id
    return best_id


# A title opening with one of these says when the work is done ("When Providing Solutions"),
# not what it is about.
_SITUATION = frozenset({"when", "before", "after", "while", "how", "if", "for"})


@cache
def _opener(topic_id: str, keyword: str) -> bool:
    """Whether keyword (as matched) is one of the topic's openers."""
    return any(keyword == opener for t in topics() if t.id == topic_id for opener in t.openers)


def written_in(title: str, topic: str, *, heading: bool = False) -> str:
    """The topic of the section a title's lists are written in: its own (topic), or the
    one whose home words end it ("Standard Operating Procedure": workflow), or, for a
    heading, its heading home words ("## Quality Checklist": testing)."""
    words = clean_title(title).lower().split()
    return next(
        (
            t.id
            for t in topics()
            for home in (*t.homes, *(t.heading_homes if heading else ()))
            if words and words[-len(home.split()) :] == home.split()
        ),
        topic,
    )


def names_items(title: str) -> bool:
    """Whether a title says what its list's items are ("Quality Checklist": criteria the work
    meets), not what they are about: the items mean what they say under it."""
    return _item_kinds().search(title.lower()) is not None


def is_summary(title: str) -> bool:
    """Whether a list's title says it summarises what the agent does ("Key Capabilities")."""
    return clean_title(title).lower() in _summaries()


@cache
def _summaries() -> frozenset[str]:
    return frozenset(package_data("topics.toml")["summaries"])


@cache
def _item_kinds() -> re.Pattern[str]:
    words = package_data("topics.toml")["item_kinds"]
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, words)) + ")")
