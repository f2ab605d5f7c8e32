"""Covering: what a merged agent's plain lines say that other lines say already is folded
away.

Clustering joins bullets that say one thing; a compound bullet ("Implement proper versioning,
pagination, and rate limiting strategies") says several, each of which is a line of its own
elsewhere in the merged agent. Written as well, it says them twice. A plain line (an item of
a topic's list: no lead-in, no number, no nested items) each of whose statements another
line states whole is dropped; a plain series loses the items another line states. The lines
that state them are credited with its sources and kept from then on, so nothing is left
unsaid. A line naming one of the merged agents as a partner is the merged agent's own work.

Lines under a lead-in, in a numbered list or in a section of a kind (deliverables, rules)
are never dropped: their list means something as written; but for a short entry
("Blue-green deployment") that an earlier list of short entries writes word for word, which
that list says for both. A single agent (a merge of a
merge) is left as it is: what its author wrote twice stays, and merging a merged agent again
changes nothing.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache

from compose.consolidate import Covered, Line, MergedAgent, agent_names, walk
from compose.terms import (
    CLAUSE_WORDS,
    SERIES_BREAK,
    contains_term,
    content_terms,
    head_phrase,
    is_checklist_item,
    lexicon,
    list_parts,
    named_terms,
    needed_terms,
    phrase_terms,
    prohibits,
    singular,
    statements,
    strip_markup,
    written_terms,
)
from compose.topics import is_kind


@dataclass(frozen=True)
class _Said:
    """What one line of the merged agent says, for finding its statements elsewhere."""

    plain: str
    terms: frozenset[str]  # content terms, fillers and words as written
    sequence: tuple[str, ...]  # its words in order (phrase_terms)
    prohibits: bool  # "Never ...", "Avoid ...": says the opposite of the same words
    statements: tuple[str, ...]  # terms.statements
    lead: str = ""  # the lead-in the line is written under, which says what it is about
    spans: tuple[str, ...] = ()  # its code spans ("`cargo test`"): names, said as written


def without_covered(merged: MergedAgent) -> MergedAgent:
    """merged less what its plain lines say that other lines state whole: a line whose every
    statement is stated elsewhere is dropped; a plain-text line loses the later items that
    are ("Configure HTTPS, CORS, and other security headers" beside "Implement CORS
    policies" and "Add security headers (CSP, HSTS)" is "Configure HTTPS")."""
    sources = {
        s for section in merged.sections for line in walk(section.lines) for s in line.sources
    }
    if len(sources) < 2:
        return merged
    lines: list[Line] = []  # every line, in the order they are written
    section_of: list[int] = []
    candidates: list[int] = []
    tops: list[int] = []  # the lines of lists that are not numbered, nested ones aside
    entries_in: list[tuple[int, tuple[int, int]]] = []  # short entries, with their list
    leads: list[str] = []  # the lead-in each line is written under, or ""
    for number, section in enumerate(merged.sections):
        for list_number, merged_list in enumerate(section.lists):
            # An item of a kind's section is that kind of thing: a deliverable ("Detailed
            # explanations of transaction management practices." under "## Output") is
            # what the agent hands over, and a practice saying its words ("Data integrity
            # is ensured with proper transaction management.") is none; so for rules.
            plain_list = (
                merged_list.lead_in is None
                and not merged_list.ordered
                and not is_kind(section.topic)
            )
            # A list of short entries ("Redux Toolkit", "Network scanning") names its kind:
            # none is dropped, the list would name some and not others. A short item among
            # longer ones is a statement like them ("Side effects with `useEffect` hook").
            short = [is_checklist_item(strip_markup(top.text)) for top in merged_list.lines]
            entries = 3 * sum(short) >= 2 * len(short)
            for top, is_short in zip(merged_list.lines, short, strict=True):
                if not merged_list.ordered and not top.children:
                    tops.append(len(lines))
                    if is_short and entries:
                        entries_in.append((len(lines), (number, list_number)))
                if (
                    plain_list
                    and not top.children
                    and not (is_short and entries)
                    and not _LINK.search(top.text)  # where it links is said by no other
                ):
                    candidates.append(len(lines))
                lead = strip_markup(merged_list.lead_in or "") if not merged_list.ordered else ""
                for line in walk([top]):
                    lines.append(line)
                    section_of.append(number)
                    leads.append(lead)
    said = [_said(line.text, lead) for line, lead in zip(lines, leads, strict=True)]
    # A deliverable or a rule says what the agent hands over or keeps to, not a practice:
    # "Terraform IaC Modules: ... state management strategy" is no "Implement state
    # management best practices" (an editor read that practice as lost).
    of_a_kind = {j for j, number in enumerate(section_of) if is_kind(merged.sections[number].topic)}
    postings: dict[str, set[int]] = defaultdict(set)  # term -> the lines that say it
    for j, line_said in enumerate(said):
        for term in line_said.terms:
            postings[term].add(j)
    open_to_dropping = set(candidates)
    kept_for: set[int] = set()  # lines that state a statement not written elsewhere
    dropped: set[int] = set()
    texts: dict[int, str] = {}  # lines written with fewer items
    credit: dict[int, set[str]] = defaultdict(set)
    covered: list[Covered] = []
    # What the agent says in prose: its description, opening, paragraphs and closing.
    prose = strip_markup(
        "\n".join(
            [
                str(dict(merged.frontmatter).get("description", "")),
                *merged.preamble,
                *(p for section in merged.sections for p in section.paragraphs),
                *(p for s in merged.sections for _, texts in s.subsections for p in texts),
                *merged.closing,
            ]
        )
    )
    for index in _partners(tops, said, agent_names(sources), postings, prose):
        dropped.add(index)
        covered.append(Covered(lines[index].cluster, said[index].plain, None))
    for index, earlier in _entries_said_before(lines, entries_in, leads, merged.name):
        dropped.add(index)
        kept_for.add(earlier)
        credit[earlier].update(lines[index].sources)
        covered.append(Covered(lines[index].cluster, said[index].plain, lines[earlier].cluster))
    for index in sorted(candidates, key=lambda i: (-len(said[i].statements), i)):
        if index in kept_for or index in dropped:
            continue

        def stating(needed: set[str], alone: bool, index: int = index) -> list[int]:
            """The lines that say every needed term, best first: of the same section (the
            statement is most likely meant as they say it), only those when the statement
            is one plain word ("logging" beside "metrics" is not "Log security events");
            then those kept anyway, then the ones saying least (a line that states another's
            statement is kept, so the compound line goes and the specific one stays)."""
            found = set.intersection(*(postings.get(term, set()) for term in needed)) - of_a_kind
            found -= {index, *dropped}
            if alone:
                found = {j for j in found if section_of[j] == section_of[index]}
            return sorted(
                found,
                key=lambda j: (
                    section_of[j] != section_of[index],
                    j in open_to_dropping and j not in kept_for,
                    len(said[j].statements),
                    j,
                ),
            )

        covers = _covers(said[index], stating, said)
        text = None  # the line with fewer items, or None: not written at all
        if all(c is not None for c in covers):
            unwritten = list(range(len(covers)))
        elif _series(lines[index].text, said[index].statements):
            # An item left out of a line that stays is said by a line of its section: in
            # another, "exponential backoff" is said of retries, not of third-party APIs.
            covers = [
                c if c is None or section_of[c] == section_of[index] else None for c in covers
            ]
            unwritten = _unwritten(said[index].statements, covers)
            kept = [st for k, st in enumerate(said[index].statements) if k not in unwritten]
            text = _joined(kept, lines[index].text)
        else:
            continue
        # A term the lexicon reads across items ("unit and integration tests" says unit
        # tests) must be said too, by the line as written or by the lines that state it.
        stated = [said[c].terms for k, c in enumerate(covers) if k in unwritten and c is not None]
        left = _said(text).terms if text is not None else frozenset()
        if not unwritten or not set(needed_terms(said[index].plain)) <= left.union(*stated):
            continue
        if text is None:
            dropped.add(index)
        else:
            texts[index] = text
            for term in said[index].terms - left:
                postings[term].discard(index)
        for k in unwritten:
            cover = covers[k]
            assert cover is not None
            kept_for.add(cover)
            credit[cover].update(lines[index].sources)
            statement = said[index].statements[k]
            covered.append(Covered(lines[index].cluster, statement, lines[cover].cluster))
    if not covered:
        return merged
    return _written(merged, lines, dropped, texts, credit, tuple(covered))


def _written(
    merged: MergedAgent,
    lines: list[Line],
    dropped: set[int],
    texts: dict[int, str],
    credit: dict[int, set[str]],
    covered: tuple[Covered, ...],
) -> MergedAgent:
    """merged with the lines dropped left out, the lines pruned in their new words, and the
    lines that state what was left out credited with its sources (lines: in written order)."""
    position = {id(line): j for j, line in enumerate(lines)}  # Lines equal in value are two

    def rewritten(line: Line) -> Line:
        j = position[id(line)]
        return replace(
            line,
            text=texts.get(j, line.text),
            sources=tuple(sorted({*line.sources, *credit.get(j, ())})),
            children=tuple(map(rewritten, line.children)),
        )

    sections = []
    for section in merged.sections:
        lists = []
        written_before = [0]  # of the section's first k lists, how many are still written
        for merged_list in section.lists:
            kept_lines = [
                rewritten(line) for line in merged_list.lines if position[id(line)] not in dropped
            ]
            if kept_lines:
                lists.append(replace(merged_list, lines=tuple(kept_lines)))
            written_before.append(len(lists))
        after = tuple(written_before[k] for k in section.verbatim_after)
        # A heading over nothing is gone.
        if lists or section.paragraphs or section.verbatim or section.subsections:
            sections.append(replace(section, lists=tuple(lists), verbatim_after=after))
    return replace(
        merged,
        sections=tuple(sections),
        stats=replace(merged.stats, lines_out=merged.stats.lines_out - len(dropped)),
        covered=merged.covered + covered,
    )


def _partners(
    tops: list[int],
    said: list[_Said],
    agent_names: re.Pattern[str],
    postings: dict[str, set[int]],
    prose: str,
) -> list[int]:
    """The lines naming one of the merged agents as an agent to work with ("Collaborate
    with test-automator on automation", written by qa-expert, in the merge of the two): the
    merged agent's own work, said by the agent itself. What such a line works on must still
    be said by another line ("on automation"), as must a name it works on ("on UI patterns"),
    and it names no other agent ("powershell-7-expert")."""
    prose_terms = written_terms(prose)
    found: list[int] = []
    names_written: Counter[str] | None = None  # named terms as written, over every line
    for index in tops:
        subject, named = agent_names.subn(" ", said[index].plain)
        if not named:
            continue
        line_names = named_terms(said[index].plain)
        if line_names:
            # A name it works on ("UI", "CI/CD") or its partner's checked as written
            # ("powershell-7-expert") must be written elsewhere as well.
            if names_written is None:
                kept = (line for j, line in enumerate(said) if j not in found)
                names_written = Counter(n for line in kept for n in named_terms(line.plain))
                names_written.update(named_terms(prose))
            # Its own line counts once.
            if any(names_written[n] < 2 for n in line_names):
                continue
        terms = needed_terms(subject)
        # The partner's name is said too, by a line or the agent's own prose ("QA expert"):
        # "quant" of "quant-analyst" was said nowhere else, and the merge of the 162
        # VoltAgent agents was refused for it.
        names = set(needed_terms(said[index].plain)) - set(terms)
        if all(postings.get(term, set()) - {index, *found} for term in terms) and all(
            postings.get(term, set()) - {index, *found} or term in prose_terms for term in names
        ):
            found.append(index)
            if names_written is not None:
                names_written.subtract(line_names)
    return found


def _said(text: str, lead: str = "") -> _Said:
    """What text says; written under lead, it says the lead-in's words too ("Implement proper
    versioning strategy" under "When designing APIs:" states "Design API versioning")."""
    plain = strip_markup(text)
    lead_terms, lead_prohibits = _lead_reading(lead)
    return _Said(
        plain,
        written_terms(plain) | set(phrase_terms(plain)) | lead_terms,
        phrase_terms(plain),
        prohibits(plain) or lead_prohibits,  # "Never:" over "Log request bodies"
        tuple(statements(plain)),
        lead,
        tuple(_CODE_SPAN.findall(text)),
    )


_CODE_SPAN = re.compile(r"`([^`\n]+)`")


@cache
def _lead_reading(lead: str) -> tuple[frozenset[str], bool]:
    """A lead-in's terms and whether it prohibits: read once for all its items."""
    return written_terms(lead), prohibits(lead)


def _entries_said_before(
    lines: list[Line], entries_in: list[tuple[int, tuple[int, int]]], leads: list[str], name: str
) -> list[tuple[int, int]]:
    """The short entries written word for word in an earlier list under a lead-in of the
    same subject ("Blue-green deployment" under "Production patterns:" after "Platform
    patterns:") by other sources, each with that earlier line: said there, the list need not
    say it again. A list keeps one entry at least."""
    first: dict[str, int] = {}
    left = Counter(key for _, key in entries_in)
    # The agent's own subject names no list's: "Security review:" and "Review categories:"
    # of a reviewer are about two things.
    own = set(content_terms(name.replace("-", " ")))
    found = []
    for index, key in entries_in:
        # Word for word, either number: "Blue-green deployments" is "Blue-green deployment".
        words = " ".join(
            re.sub(r"(?<=\w{3})s$", "", word)
            for word in strip_markup(lines[index].text).lower().rstrip(".").split()
        )
        earlier = first.setdefault(words, index)
        # Under lead-ins of one subject ("Security review:", "Security audit:"), or both
        # heading patterns ("Platform patterns:", "Production patterns:"; a pattern is one
        # wherever it is listed): under another, an entry says something of that ("Error
        # handling" of "SDK documentation:" is no "Error handling" of "Code examples:";
        # "Usability testing" of "Mobile testing:" is no "Usability testing" of "Manual
        # testing:"; editors read each as lost there).
        if (
            earlier != index
            and left[key] > 1
            # What one author wrote in two lists ("Type safety" of "Server Actions:" and of
            # "Server excellence:") stays in both: a merge of that agent alone keeps both.
            and set(lines[index].sources).isdisjoint(lines[earlier].sources)
            and (
                _subject(leads[earlier]) & _subject(leads[index]) - own
                or _patterns(leads[earlier]) & _patterns(leads[index])
            )
        ):
            found.append((index, earlier))
            left[key] -= 1
    return found


def _subject(lead: str) -> set[str]:
    """What a lead-in is about: its terms but its last, the kind of list it heads ("Mobile
    testing:" is about mobile, as "Manual testing:" is not; "Usability testing" under
    each says two things, and an editor read the second as lost)."""
    terms = content_terms(lead)
    return set(terms[:-1]) if len(terms) > 1 else set(terms)


def _patterns(lead: str) -> set[str]:
    """The kind of named things a lead-in heads ("Platform patterns:": patterns), if it is
    one: such an entry ("Blue-green deployment") is the same thing wherever it is written."""
    words = strip_markup(lead).lower().rstrip(" :").split()
    return {singular(words[-1])} & _KINDS_OF_NAMED_THINGS if words else set()


_KINDS_OF_NAMED_THINGS = frozenset({"pattern"})


def _covers(
    line: _Said, stating: Callable[[set[str], bool], list[int]], said: list[_Said]
) -> list[int | None]:
    """For each statement of line, the first line that states it whole, or None (stating:
    the lines that say a set of terms, best first)."""
    covers: list[int | None] = []
    # Named as the line names them: "Actors" opens no statement as a name of its own; a
    # command in code ("`cargo test`") is said only as written, not by "cargo-fuzz".
    line_names = [*named_terms(line.plain), *line.spans]
    wanted = []  # per statement: the terms it needs, its phrase, the names it says
    for k, statement in enumerate(line.statements):
        # The opening states what is done ("Handle load balancing"): its words, in any order;
        # a later item is a noun phrase ("design patterns"), found as written, less a vague
        # last word ("rate limiting strategies").
        needed = set(needed_terms(statement))
        phrase = head_phrase(statement) if k else ()
        names = [name for name in line_names if contains_term(statement, name)]
        wanted.append((needed, phrase, names))

    def states(j: int, phrase: tuple[str, ...], names: list[str]) -> bool:
        return (
            said[j].prohibits == line.prohibits
            and all(_names(said[j], name) for name in names)
            and _within(phrase, said[j].sequence)
        )

    for needed, phrase, names in wanted:
        if not needed and not phrase:
            covers.append(None)
            continue
        alone = len(phrase) == 1 and not names
        covers.append(
            next(
                (j for j in stating(needed | set(phrase), alone) if states(j, phrase, names)), None
            )
        )
    if None in covers and all(needed or phrase for needed, phrase, _ in wanted):
        # One line of any section that states the whole line says a plain word of it as the
        # line does: "Implement proper monitoring and observability" is "Include
        # comprehensive monitoring, health checks, and observability from day one".
        every = set().union(*(needed | set(phrase) for needed, phrase, _ in wanted))
        whole = next(
            (
                j
                for j in stating(every, False)
                if all(states(j, phrase, names) for _, phrase, names in wanted)
            ),
            None,
        )
        if whole is not None:
            return [whole] * len(covers)
    return covers


def _names(line: _Said, name: str) -> bool:
    """Whether line names name: in its text, or its lead-in in either number ("API" is
    named under "When designing APIs:")."""
    return contains_term(line.plain, name) or any(
        contains_term(line.lead, form) for form in (name, f"{name}s")
    )


_LINK = re.compile(r"\]\(|https?://", re.IGNORECASE)


def _unwritten(items: tuple[str, ...], covers: list[int | None]) -> list[int]:
    """The later items of a line that can be left out and the rest still read as written:
    stated elsewhere; two words or more, not a name ("JWT, OAuth2, SAML" names the choices);
    after a phrase of two words or more ending in a noun (one word before it may modify
    what follows, "unit and integration tests", or be an adjective of a series, "simple,
    reusable components"); leaving no one-word piece behind; and not a verb's phrase that
    the next item kept still hangs on ("follow established patterns and conventions")."""
    stop = lexicon().stopwords
    candidates = {
        k
        for k, cover in enumerate(covers)
        if k and cover is not None and len(phrase_terms(items[k])) > 1
    }
    left_out = []
    for k in sorted(candidates):
        # The phrase before it, less the clause word opening it: "by unit" in "covered by
        # unit and integration tests" is one word, a modifier of what follows.
        before = list_parts(items[k - 1])[-1].rstrip(" ).").split()
        if before[0].lower() in CLAUSE_WORDS:
            before = before[1:]
        hangs = k + 1 < len(items) and k + 1 not in candidates
        if (
            len(before) < 2
            or _ADJECTIVE.search(before[-1].lower())
            or (hangs and items[k].split()[0].lower() in stop)
        ):
            continue
        left_out.append(k)
    kept = [item for k, item in enumerate(items) if k not in left_out]
    if any(len(item.split()) < 2 for item in kept):
        return []
    return left_out


# Endings of adjectives: a comma after one ends an item of a series, not of a list.
_ADJECTIVE = re.compile(r"(?:ble|ple|ive|ous|ful|less|ic|al|ent|ant|ary)$")


def _series(text: str, items: tuple[str, ...]) -> bool:
    """Whether text is a plain series: an opening and items, each item opening with a word
    of its own ("such as querying, data persistence" is an example clause), one "and",
    before the last item ("in a clear and organized manner" is no list)."""
    if SERIES_BREAK.search(text) or len(items) < 2:
        return False
    stop = lexicon().stopwords
    if any(item.split()[0].lower() in stop for item in items[1:]):
        return False
    ands = [m.start() for m in re.finditer(r"\band\b", text)]
    return len(ands) == 1 and ands[0] < text.rfind(items[-1])


def _joined(items: list[str], original: str) -> str:
    """items written as one list item as original wrote its series: "A", "A and B", "A, B,
    and C" (or "A, B and C" without the serial comma)."""
    end = "." if original.rstrip().endswith(".") else ""
    items = [item.rstrip(".") for item in items]
    if len(items) < 3:
        return " and ".join(items) + end
    serial = "," if ", and " in original else ""
    return f"{', '.join(items[:-1])}{serial} and {items[-1]}{end}"


def _within(phrase: tuple[str, ...], sequence: tuple[str, ...]) -> bool:
    """Whether phrase occurs in sequence as consecutive words."""
    n = len(phrase)
    return n == 0 or any(sequence[k : k + n] == phrase for k in range(len(sequence) - n + 1))
