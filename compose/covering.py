"""Covering: a merged agent's plain lines that other lines say already are folded away.

Clustering joins bullets that say one thing; a compound bullet ("Implement proper versioning,
pagination, and rate limiting strategies") says several, each of which is a line of its own
elsewhere in the merged agent. Written as well, it says them twice. A plain line (an item of
a topic's list: no lead-in, no number, no nested items) each of whose statements another
line states whole is dropped, and its sources are credited to the lines that state it. A
line that states another's statement is kept from then on, so nothing is left unsaid.

Lines under a lead-in or in a numbered list are never dropped: their list means something as
written. A single agent (a merge of a merge) is left as it is: what its author wrote twice
stays, and merging a merged agent again changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace

from compose.consolidate import Covered, Line, MergedAgent, walk
from compose.terms import (
    contains_term,
    content_terms,
    head_phrase,
    is_checklist_item,
    named_terms,
    phrase_terms,
    prohibits,
    renamed_terms,
    statements,
    strip_markup,
    written_terms,
)


@dataclass(frozen=True)
class _Said:
    """What one line of the merged agent says, for finding its statements elsewhere."""

    plain: str
    terms: frozenset[str]  # content terms, fillers and words as written
    sequence: tuple[str, ...]  # its words in order (phrase_terms)
    prohibits: bool  # "Never ...", "Avoid ...": says the opposite of the same words


def without_covered(merged: MergedAgent) -> MergedAgent:
    """merged less the plain lines whose every statement another line states whole."""
    sources = {
        s for section in merged.sections for line in walk(section.lines) for s in line.sources
    }
    if len(sources) < 2:
        return merged
    lines: list[Line] = []  # every line, in the order they are written
    section_of: list[int] = []
    droppable: list[int] = []
    for number, section in enumerate(merged.sections):
        for merged_list in section.lists:
            plain_list = merged_list.lead_in is None and not merged_list.ordered
            for top in merged_list.lines:
                # A short item ("Redux Toolkit", "Network scanning") is an entry of a list
                # that names its kind: dropped, the list would name some and not others.
                if (
                    plain_list
                    and not top.children
                    and not is_checklist_item(strip_markup(top.text))
                ):
                    droppable.append(len(lines))
                for line in walk([top]):
                    lines.append(line)
                    section_of.append(number)
    said = [_said(line.text) for line in lines]
    postings: dict[str, set[int]] = defaultdict(set)  # term -> the lines that say it
    for j, line_said in enumerate(said):
        for term in line_said.terms:
            postings[term].add(j)
    kept_for: set[int] = set()  # lines that state a dropped line's statement
    dropped: dict[int, tuple[int, ...]] = {}
    for index in sorted(droppable, key=lambda i: (-len(statements(said[i].plain)), i)):
        if index in kept_for:
            continue

        def stating(needed: set[str], index: int = index) -> list[int]:
            """The lines that say every needed term, those of the same section first (the
            statement is most likely meant as they say it)."""
            found = set.intersection(*(postings.get(term, set()) for term in needed))
            found -= {index, *dropped}
            return sorted(found, key=lambda j: (section_of[j] != section_of[index], j))

        covers = _covers(said[index], stating, said)
        if covers is not None:
            dropped[index] = covers
            kept_for.update(covers)
    if not dropped:
        return merged
    credit: dict[int, set[str]] = {}
    for index, covers in dropped.items():
        for j in covers:
            credit.setdefault(j, set()).update(lines[index].sources)
    position = {id(line): j for j, line in enumerate(lines)}  # Lines equal in value are two

    def rewritten(line: Line) -> Line:
        j = position[id(line)]
        sources = line.sources
        if j in credit:
            sources = tuple(sorted(set(sources) | credit[j]))
        return replace(line, sources=sources, children=tuple(map(rewritten, line.children)))

    sections = []
    for section in merged.sections:
        lists = []
        for merged_list in section.lists:
            kept = [
                rewritten(line) for line in merged_list.lines if position[id(line)] not in dropped
            ]
            if kept:
                lists.append(replace(merged_list, lines=tuple(kept)))
        if lists or section.paragraphs or section.verbatim:  # a heading over nothing is gone
            sections.append(replace(section, lists=tuple(lists)))
    covered = tuple(
        Covered(lines[i].cluster, lines[i].text, tuple(lines[j].cluster for j in covers))
        for i, covers in sorted(dropped.items())
    )
    lines_out = merged.stats.lines_out - len(dropped)
    return replace(
        merged,
        sections=tuple(sections),
        stats=replace(merged.stats, lines_out=lines_out),
        covered=merged.covered + covered,
    )


def _said(text: str) -> _Said:
    plain = strip_markup(text)
    return _Said(
        plain,
        written_terms(plain) | set(phrase_terms(plain)),
        phrase_terms(plain),
        prohibits(plain),
    )


def _covers(
    line: _Said, stating: Callable[[set[str]], list[int]], said: list[_Said]
) -> tuple[int, ...] | None:
    """For each statement of line, the first line that states it whole (stating: the lines
    that say a set of terms, best first); None when a statement is stated by none."""
    covers: list[int] = []
    # Named as the line names them: "Actors" opens no statement as a name of its own.
    line_names = named_terms(line.plain)
    for k, statement in enumerate(statements(line.plain)):
        # The opening states what is done ("Handle load balancing"): its words, in any order;
        # a later item is a noun phrase ("design patterns"), found as written, less a vague
        # last word ("rate limiting strategies").
        needed = set(content_terms(statement)) | set(renamed_terms(statement))
        phrase = head_phrase(statement) if k else ()
        if not needed and not phrase:
            continue
        names = [name for name in line_names if contains_term(statement, name)]
        found = next(
            (
                j
                for j in stating(needed | set(phrase))
                if said[j].prohibits == line.prohibits
                and all(contains_term(said[j].plain, name) for name in names)
                and _within(phrase, said[j].sequence)
            ),
            None,
        )
        if found is None:
            return None
        covers.append(found)
    return tuple(dict.fromkeys(covers)) or None


def _within(phrase: tuple[str, ...], sequence: tuple[str, ...]) -> bool:
    """Whether phrase occurs in sequence as consecutive words."""
    n = len(phrase)
    return n == 0 or any(sequence[k : k + n] == phrase for k in range(len(sequence) - n + 1))
