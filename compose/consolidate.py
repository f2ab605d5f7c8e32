"""Consolidate: a clustering -> one merged agent (frontmatter, opening, sections of lines).

Each cluster becomes one line: its clearest phrasing (the representative) plus the concrete
details only other members carry (named technologies, parenthesised items), so nothing a
source said is dropped. Lines go to the section of their cluster's topic, in topic order.
"""

from __future__ import annotations

import difflib
import itertools
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import TypeGuard, TypeVar

from rapidfuzz import fuzz

from compose.clustering import Cluster, Clustering
from compose.load import split_tools
from compose.parse import Agent, Bullet, Section, introduces
from compose.terms import (
    CLAUSE_WORDS,
    QUALIFYING,
    SERIES_BREAK,
    TermIndex,
    checklist_core,
    contains_term,
    content_terms,
    is_checklist_item,
    lexicon,
    list_parts,
    named_terms,
    needed_terms,
    prohibits,
    renamed_terms,
    singular,
    strip_markup,
    written_terms,
)
from compose.topics import OTHER, is_kind, is_summary, keeps_order, topic_order, topic_title
from compose.tuning import merge_tuning

_PARENTHESIS = re.compile(r"\(([^()]*)\)")
_LIST_SPLIT = re.compile(r",\s*|\s+or\s+|\s+and\s+|;\s*")
_EXAMPLE = re.compile(r"<example>.*?</example>", re.DOTALL)
_EXAMPLES_HEADING = re.compile(r"\n\s*Examples?:\s*(?:\n|$)|\s+Examples?:\s+(?=<example>)")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_MODEL_RANK = {"haiku": 1, "sonnet": 2, "opus": 3}

_TUNING = merge_tuning()


@dataclass(frozen=True)
class Line:
    """One bullet of the merged agent and the cluster it stands for."""

    text: str  # Markdown, without the list marker
    cluster: str
    sources: tuple[str, ...]  # agent names
    children: tuple[Line, ...] = ()


@dataclass(frozen=True)
class MergedList:
    """A list of the merged agent, under the lead-in its items were written under, if any."""

    lead_in: str | None
    lines: tuple[Line, ...]
    ordered: bool = False  # steps or ranks: numbered, in their source order
    # Paragraphs written right before the lead-in in a source: a phase's "Understand current
    # quality state and requirements." before "Analysis priorities:".
    intro: tuple[str, ...] = ()
    # A numbered step's items, the lead-in its title: the step's number (Bullet.step), else 0.
    step: int = 0
    # A group's items, the lead-in the bold item over them (Bullet.grouped): written as that
    # item, so that it stays one of its list's items ("**Code:**", "**Tests:**", then
    # "**Analysis and Documentation:**"; three editors read it as a lead-in after them as
    # broken off).
    grouped: bool = False


@dataclass(frozen=True)
class MergedSection:
    topic: str
    title: str
    paragraphs: tuple[str, ...]
    lists: tuple[MergedList, ...]
    verbatim: tuple[str, ...]
    # For each verbatim block, how many of the lists are written before it: a template
    # follows the lists its source wrote before it ("Progress tracking:" after the phase's
    # lists, not above "When invoked:"). Empty: every block before the lists.
    verbatim_after: tuple[int, ...] = ()
    # Sub-sections of words only, written after the rest under their own titles ("### Focus
    # Areas" over test-automator's paragraphs), as (title, paragraphs).
    subsections: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def lines(self) -> tuple[Line, ...]:
        return tuple(line for merged_list in self.lists for line in merged_list.lines)


@dataclass(frozen=True)
class MergeStats:
    bullets_in: int
    lines_out: int
    clusters_merged: int  # clusters with more than one member


@dataclass(frozen=True)
class Covered:
    """A statement of a line not written because another line states it (covering)."""

    cluster: str  # the cluster the line stands for
    text: str  # the statement
    by: str | None  # the cluster of the line that states it; None: the merged agent itself


@dataclass(frozen=True)
class MergedAgent:
    frontmatter: tuple[tuple[str, object], ...]
    preamble: tuple[str, ...]
    sections: tuple[MergedSection, ...]
    stats: MergeStats
    warnings: tuple[str, ...] = ()
    references: tuple[str, ...] = ()  # link reference definitions, written after the body
    covered: tuple[Covered, ...] = ()
    closing: tuple[str, ...] = ()  # the sources' closing paragraphs, written after the sections

    @property
    def name(self) -> str:
        return str(dict(self.frontmatter)["name"])


@dataclass(frozen=True)
class MergeOptions:
    name: str | None = None
    model: str | None = None
    examples: int | None = _TUNING.examples  # None: every distinct example
    # What the merged agent may use when sources disagree: "union" (every tool any source
    # may use; a source without 'tools' allows all), "intersection" (only what every source
    # allows), or a comma-separated list of tool names.
    tools: str = "union"
    # How the description is written in the file: render.DESCRIPTION_STYLES.
    description_style: str = "single"


@dataclass(frozen=True)
class Draft:
    """What a merged agent says, worked out once: each cluster's line and where it is
    written, the paragraphs, the frontmatter. Where lines sit can still move (arrange)."""

    clustering: Clustering  # a member under a lead-in represents its cluster (_led)
    frontmatter: tuple[tuple[str, object], ...]
    preamble: tuple[str, ...]
    references: tuple[str, ...]
    paragraphs: dict[tuple[str, str], list[str]]
    subsections: dict[tuple[str, str], dict[str, list[str]]]  # see MergedSection.subsections
    verbatim: dict[tuple[str, str], list[str]]
    # A verbatim block -> where each of its sources wrote it.
    verbatim_at: dict[str, tuple[tuple[str, int], ...]]
    texts: dict[str, Composed]  # cluster id -> its line
    places: dict[str, _Place]  # cluster id -> where its line is written
    lead_ins: dict[_Place, str]  # a lead-in's list -> the first source's lead-in Markdown
    intros: dict[_Place, tuple[str, ...]]  # a lead-in's list -> the paragraphs before it
    warnings: tuple[str, ...]
    closing: tuple[str, ...]  # each source's closing paragraphs, each distinct one once


def draft(clustering: Clustering, options: MergeOptions | None = None) -> Draft:
    """What the merged agent of a clustering says, before its lines are arranged."""
    options = options or MergeOptions()
    agents = clustering.agents
    # A line is written in the words, and at the place, of a member under a lead-in when one
    # is: the plain copies elsewhere fold into it, and its list keeps its items.
    clustering = replace(clustering, clusters=tuple(map(_led, clustering.clusters)))
    warnings: list[str] = []
    name = options.name or merged_name([a.source.declared_name for a in agents], warnings)
    frontmatter = _frontmatter(agents, name, options, warnings)
    warnings.extend(_figures_disagree(agents))
    warnings.extend(_partners_merged(agents))
    # Every distinct paragraph is kept, lead-ins too ("Before implementing, always:" says when).
    paragraphs, subsections, verbatim, verbatim_at = _section_text(agents, name)
    written = [*_texts(paragraphs), *(p for titled in subsections.values() for p in _texts(titled))]
    closing = _closing(agents, written)
    preamble = _preamble(agents)
    texts = _line_texts(clustering, [*preamble, *closing, *written, *_texts(verbatim)])
    return Draft(
        clustering=clustering,
        frontmatter=frontmatter,
        preamble=preamble,
        references=_references(agents),
        paragraphs=paragraphs,
        subsections=subsections,
        verbatim=verbatim,
        verbatim_at=verbatim_at,
        texts=texts,
        places={c.id: _place(c, texts[c.id]) for c in clustering.clusters},
        lead_ins=_lead_ins(agents),
        intros=_intros(agents),
        warnings=tuple(warnings),
        closing=closing,
    )


def arrange(plan: Draft, together: Sequence[set[str]] = ()) -> MergedAgent:
    """The merged agent: each line where its place says, except that the lines of each group
    of cluster ids in together are written in one list (the first's by line order)."""
    clustering = plan.clustering
    sections, covered = _sections(
        clustering,
        plan.texts,
        plan.paragraphs,
        plan.subsections,
        plan.verbatim,
        plan.verbatim_at,
        plan.places,
        plan.lead_ins,
        plan.intros,
        together,
    )
    lines_out = sum(1 for s in sections for _ in walk(s.lines))
    merged_clusters = sum(1 for c in clustering.clusters if len(c.members) > 1)
    stats = MergeStats(clustering.bullet_count, lines_out, merged_clusters)
    return MergedAgent(
        plan.frontmatter,
        plan.preamble,
        sections,
        stats,
        plan.warnings,
        plan.references,
        covered,
        plan.closing,
    )


def walk(lines: Sequence[Line]) -> Iterator[Line]:
    """Every line, children after their parent, in rendering order."""
    for line in lines:
        yield line
        yield from walk(line.children)


# --- body ---------------------------------------------------------------------------------


# The section written before the first heading, with no heading: the lists its sources open
# with (Bullet.opening).
_OPENING = ("", "")

# Where a line sits: its merged section, and the list in it (its lead-in's key, "#" for the
# numbered list, "" for the plain list).
_Place = tuple[tuple[str, str], str]


def _sections(
    clustering: Clustering,
    texts: dict[str, Composed],
    paragraphs: dict[tuple[str, str], list[str]],
    subsections: dict[tuple[str, str], dict[str, list[str]]],
    verbatim: dict[tuple[str, str], list[str]],
    verbatim_at: dict[str, tuple[tuple[str, int], ...]],
    places: dict[str, _Place],
    lead_ins: dict[_Place, str],
    intros: dict[_Place, tuple[str, ...]],
    together: Sequence[set[str]],
) -> tuple[tuple[MergedSection, ...], tuple[Covered, ...]]:
    """The sections of lines; texts: each cluster's line, by cluster id; places: where each
    cluster's line is written unless together moves it; lead_ins: list -> its lead-in.

    A line sits where its representative was written: under the lead-in that introduced it
    (with the items of every source that wrote that lead-in), in its numbered list, or else in
    its topic's section with the other plain items. Steps of several sources that one line
    says are covered by it.
    """
    by_bullet = clustering.cluster_of()
    # A cluster nests under its representative's parent item when that parent is rendered.
    parent_of: dict[str, str] = {}
    for c in clustering.clusters:
        parent = c.representative.parent
        if parent is not None and by_bullet[parent].id != c.id:
            parent_of[c.id] = by_bullet[parent].id
    place_of = dict(places)
    # Clusters in line order, once: every list below is built in it and needs no sorting.
    in_order = sorted(clustering.clusters, key=_cluster_order)
    line_order = {c.id: rank for rank, c in enumerate(in_order)}

    def home(cluster_id: str) -> _Place:
        while cluster_id in parent_of:  # a nested line sits in its top line's list
            cluster_id = parent_of[cluster_id]
        return place_of[cluster_id]

    for group in together:
        first, *rest = sorted(group, key=line_order.__getitem__)
        target = home(first)
        for cluster_id in rest:  # into the first's list, where they stay apart as siblings
            place_of[cluster_id] = target
    children: dict[str, list[Cluster]] = defaultdict(list)  # by the parent's bullet id
    # Each list's entries: a cluster's line, or a member kept apart from it whose own lead-in
    # or numbered list is not the line's (it is written under its own).
    top: dict[_Place, list[Cluster | Bullet]] = defaultdict(list)
    beside: dict[str, list[Bullet]] = defaultdict(list)  # kept apart, right after the line
    written_as = {b: (text, agents) for t in texts.values() for b, text, agents in t.written_as}
    # Members kept apart under their parent item, by the parent's bullet id: written under it,
    # wherever it is written.
    nested: dict[str, list[Bullet]] = defaultdict(list)
    for c in in_order:
        is_nested = c.id in parent_of
        if is_nested:
            children[str(c.representative.parent)].append(c)
        else:
            top[place_of[c.id]].append(c)
        for member in texts[c.id].apart:
            if member.parent is not None and by_bullet[member.parent].id != c.id:
                nested[member.parent].append(member)
                continue
            own = _own_place(member)
            if own is None and member.id in texts[c.id].listed:
                own = _written_in(member)
            if is_nested:
                # Beside a nested line only an item of its list; others go to their own place.
                if member.parent == c.representative.parent:
                    beside[c.id].append(member)
                else:
                    top[own or _written_in(member)].append(member)
                continue
            rep = c.representative
            if own is None and (
                place_of[c.id][1]
                or _other_kind(member, place_of[c.id])
                or (member.agent == rep.agent and member.section != rep.section)
            ):
                # A plain item is neither a step nor written under the line's lead-in, nor
                # a deliverable among practices, nor in another list of its author's ("Strict
                # type safety and type inference", a focus area, beside "Always enable strict
                # type checking", its approach).
                own = _written_in(member)
            # In a lead-in's bulleted list, whose order its sources chose ("Implementation
            # approach:"), an item kept apart stays where its source wrote it, not after the
            # line; work with one partner is written together ("Help cloud-architect on ...").
            # Numbered steps are merged step by step (_step_order).
            if own is None or (
                own == place_of[c.id]
                and (own[1] in ("", "#") or member.ordered or _PARTNER.match(member.text))
            ):
                beside[c.id].append(member)
            else:
                top[own].append(member)

    def plain_order(entry: Cluster | Bullet) -> tuple[int, str, int, str]:
        """A plain list's order: its clusters' (more sources first); a member kept apart
        at its cluster's place, an entry kept in its own list where its source wrote it (so
        that a merge of the merge writes it there again)."""
        if isinstance(entry, Cluster):
            return _cluster_order(entry)
        if entry.id in texts[by_bullet[entry.id].id].listed:
            return (-1, entry.agent, entry.line, entry.id)
        return (-len(by_bullet[entry.id].agents), entry.agent, entry.line, entry.id)

    def nested_lines(parents: Iterable[str]) -> tuple[Line, ...]:
        """The lines of the items nested under these bullets, in source order."""
        kin: list[Cluster | Bullet] = []
        for parent in parents:
            kin += [*children[parent], *nested[parent]]
        return tuple(line for k in sorted(kin, key=_source_order) for line in lines_of(k))

    def lines_of(entry: Cluster | Bullet) -> list[Line]:
        if isinstance(entry, Bullet):
            text, agents = written_as.get(entry.id, (entry.markdown, (entry.agent,)))
            return [Line(text, by_bullet[entry.id].id, agents, nested_lines([entry.id]))]
        # The items nested under each member this line says (not those written apart).
        written_apart = {m.id for m in texts[entry.id].apart}
        said_here = [m.id for m in entry.members if m.id not in written_apart]
        # Its sources are the agents whose members it says: one kept apart is said by
        # its own line.
        agents = tuple(sorted({m.agent for m in entry.members if m.id not in written_apart}))
        first = Line(texts[entry.id].text, entry.id, agents, nested_lines(said_here))
        return [first, *(line for m in beside[entry.id] for line in lines_of(m))]

    # A plain list among lead-ins' lists is written under its title: with the list of that
    # lead-in when there is one (0xfurai's "## Focus Areas" items and lst97's "Focus
    # Areas:" list are one list), else as its lead-in.
    plain_leads: dict[tuple[str, str], str] = {}
    for key, title in _plain_titles(top).items():
        same_lead = top.get((key, _lead_key(title)))
        if same_lead is None:
            plain_leads[key] = f"{title}:"
        elif not any(_first(entry).ordered for entry in same_lead):
            same_lead += top.pop((key, ""))
        # A ranked list of that title ("Guiding Principles:" 1. to 6.) keeps its numbers;
        # the plain list stays bare beside it.
    lists: dict[tuple[str, str], list[MergedList]] = defaultdict(list)
    starts: dict[tuple[str, str], list[dict[str, int]]] = defaultdict(list)
    covered: list[Covered] = []
    introduced: list[str] = []  # the paragraphs written as introductions, as each source wrote it
    # Where each list starts in its source, and where in its source each source's first
    # lead-in list of a section starts (a share of the source's lines).
    begins = {place: min(map(_source_order, entries)) for place, entries in top.items()}
    lengths = {a.name: a.source.body_line + a.source.body.count("\n") for a in clustering.agents}
    opens: dict[tuple[tuple[str, str], str], float] = {}
    for (key, list_key), (agent, line) in begins.items():
        if list_key not in ("", "#"):
            summary = is_summary(strip_markup(lead_ins.get((key, list_key), "")))
            share = -1.0 if summary else line / lengths[agent]
            opens[key, agent] = min(opens.get((key, agent), 1.0), share)

    written_at = _where_written(top)
    phase_starts = frozenset(
        place for place in top if any(map(_PHASE_NAME.match, intros.get(place, ())))
    )
    # The sources that write a section's procedure in phases ("**1. Architecture Planning.**"):
    # their phases and the message ending them close the section.
    phase_writers = {(place[0], agent) for place in phase_starts for agent in written_at[place]}

    def list_order(place: _Place) -> tuple[int, bool, float, str, int]:
        """The plain list, then the numbered one (right after a list of its own kind it
        would read back as part of it), then the lead-ins' lists, each source's together in
        its order, the sources by where in each its lists start: backend-specialist's
        "Before implementing, always:" opens it, backend-developer's lists close it. A
        source's phases come after the other sources' lists: lst97's "Standard Operating
        Procedure:" after VoltAgent's phase 3 and its delivery message read as a fourth
        phase (three editors)."""
        key, list_key = place
        kind = {"": 0, "#": 1}.get(list_key, 2)
        agent, line = begins[place]
        late = kind == 2 and (key, agent) in phase_writers
        return kind, late, opens[key, agent] if kind == 2 else 0.0, agent, line

    for key, list_key in _in_each_source_order(
        sorted(top, key=list_order), written_at, phase_starts
    ):
        entries = top[key, list_key]
        ordered = all(_first(entry).ordered for entry in entries)
        if ordered:  # steps of several sources, merged step by step
            steps = _step_order(entries, (key, list_key))
            entries = [entry for _, entry in steps]
            runs = [
                _one_step([ln for _, e in run for ln in lines_of(e)], covered)
                for _, run in itertools.groupby(steps, key=lambda step: step[0])
            ]
            lines = [
                line
                for k, run in enumerate(runs)
                for line in _one_numbered(run, covered, last=k == len(runs) - 1)
            ]
        else:
            # A section no topic names is one source's titled list, in its order; so are
            # deliverables ("Executive Summary" first, "DR Runbook" last) and the lists of a
            # topic whose order means something (an approach's steps, principles).
            titled = list_key or key[0] == OTHER or is_kind(key[0]) or keeps_order(key[0])
            entries = sorted(entries, key=_source_order if titled else plain_order)
            lines = _partners_once([line for entry in entries for line in lines_of(entry)], covered)
        lead_in = lead_ins.get((key, list_key)) or (plain_leads.get(key) if not list_key else None)
        intro = intros.get((key, list_key), ()) if lead_in else ()
        introduced.extend(intro)
        step = _first(entries[0]).step if all(_first(e).step for e in entries) else 0
        grouped = lead_in is not None and all(_first(e).grouped for e in entries)
        lists[key].append(
            MergedList(
                lead_in,
                _labels_alike(lines),
                ordered,
                _framed_once(intro),
                step if lead_in else 0,
                grouped,
            )
        )
        # Where each source wrote a lead-in's list; the plain and numbered lists come first
        # anyway, but for a plain list written under its title: another source's template
        # written before its own lists comes before it (VoltAgent's context query before
        # 0xfurai's "Approach:", which four editors read as wedged before the query).
        titled_plain = not list_key and key in plain_leads
        starts[key].append(
            _first_lines(entries, (key, ""))
            if titled_plain
            else written_at.get((key, list_key), {})
        )
    # A lead-in is written above its list; one none of whose items heads a line stays a
    # paragraph, so its words are kept.
    heading = {
        _lead_key(text)
        for ms in lists.values()
        for m in ms
        if m.lead_in
        for text in (m.lead_in, _PHASE_NAME.sub("", m.lead_in))  # see _titled_lead_in
    }
    # Paragraphs written before a list's lead-in are not written again in their section.
    heading |= {_lead_key(text) for p in introduced for text in (p, _PHASE_NAME.sub("", p))}
    keys = set(lists) | set(paragraphs) | set(subsections) | set(verbatim)
    order = topic_order()
    # Sections no topic names ("Server Components", "Server Actions") in the order their
    # sources wrote them, by where in its source each first is.
    first_at: dict[tuple[str, str], tuple[float, str, int]] = {}
    for (key, _), listed in top.items():
        for agent, line in map(_source_order, listed):
            at = (line / lengths[agent], agent, line)
            first_at[key] = min(first_at.get(key, at), at)

    def section_order(key: tuple[str, str]) -> tuple[int, tuple[float, str, int], str]:
        written = first_at.get(key, (1.0, "", 0)) if key[0] == OTHER else (0.0, "", 0)
        return -1 if key == _OPENING else order.get(key[0], len(order)), written, key[1]

    sections = []
    for key in sorted(keys, key=section_order):
        kept = tuple(p for p in paragraphs.get(key, ()) if _lead_key(p) not in heading)
        words = tuple((title, tuple(texts)) for title, texts in subsections.get(key, {}).items())
        if not (kept or lists[key] or verbatim.get(key) or words):
            continue  # held only a lead-in, written above its list elsewhere
        section_lists = _groups_among_their_kin(
            _phases_numbered(_first_phases_once(_last_phases_once(_frames_once(lists[key]))))
        )
        if len(section_lists) == 1 and _lead_key(section_lists[0].lead_in or "") == _lead_key(
            key[1]
        ):
            # "## Audit evidence" then "Audit evidence:": the heading says it already.
            section_lists = (replace(section_lists[0], lead_in=None),)
        blocks = tuple(verbatim.get(key, ()))
        # The message the agent sends when done ("Delivery notification:") ends every
        # source's phases: after a later phase of another source, "4. Performance
        # Verification" read as verifying after declaring the work done. Its own sources'
        # lists are where they wrote them: what one wrote after its message stays after it
        # ("Analytical queries:"), and a merge of the merge is the same.
        phased = {a for k, _, _ in _phase_names(section_lists) for a in starts[key][k]}
        after = tuple(
            _lists_before(block, verbatim_at[block], starts[key], phased) for block in blocks
        )
        sections.append(MergedSection(*key, kept, section_lists, blocks, after, words))
    return tuple(sections), tuple(covered)


def _plain_titles(top: Mapping[_Place, Sequence[Cluster | Bullet]]) -> dict[tuple[str, str], str]:
    """Per merged section whose plain list sits among lead-ins' lists (and no numbered
    one), the title its sources wrote that list under, when they agree and it is not the
    section's: 0xfurai's "## Approach" list opened "## Workflow" bare, above another
    source's phases, and three editors read its principles as the first steps."""
    lists: dict[tuple[str, str], set[str]] = defaultdict(set)
    for key, list_key in top:
        lists[key].add(list_key)
    titles = {}
    for (key, list_key), entries in top.items():
        others = lists[key] - {""}
        if list_key or not others or "#" in others:
            continue
        written = {
            _lead_key(bullet.section): bullet.section
            for entry in entries
            for bullet in (entry.members if isinstance(entry, Cluster) else (entry,))
            if bullet.lead_in is None
            and not bullet.ordered
            and _merged_section(*bullet.home) == key
        }
        if len(written) == 1:
            lead, title = next(iter(written.items()))
            if lead and lead != _lead_key(key[1]):
                titles[key] = title.rstrip(":")
    return titles


def _groups_among_their_kin(lists: Sequence[MergedList]) -> tuple[MergedList, ...]:
    """lists with a group written as its bold item (MergedList.grouped) only right after a
    plain list of its source, the items it was written among ("**Code:**", "**Tests:**"),
    or after such a group. After another list it would read as one of that list's items
    ("- **Service Boundaries and Responsibilities:**" below "Key Capabilities:"): its name
    stays its lead-in."""
    kept = list(lists)
    for k, merged_list in enumerate(kept):
        if not merged_list.grouped:
            continue
        before = kept[k - 1] if k else None
        among_kin = (
            before is not None
            and (before.lead_in is None or before.grouped)  # or right after its kin group
            and not before.ordered
            and not {s for line in before.lines for s in line.sources}.isdisjoint(
                s for line in merged_list.lines for s in line.sources
            )
        )
        if not among_kin:
            kept[k] = replace(merged_list, grouped=False)
    return tuple(kept)


def _lists_before(
    block: str, at: Sequence[tuple[str, int]], starts: list[dict[str, int]], phased: set[str]
) -> int:
    """How many of a section's lists (starts: see _written_after) a verbatim block follows:
    those its sources (at) wrote before it; a message sent when done, every list of another
    source that writes phases too (phased)."""
    ends = [_written_after(starts, where) for where in at]
    if labelled_messages(block):
        others = phased - {agent for agent, _ in at}
        ends += [k + 1 for k, start in enumerate(starts) if not others.isdisjoint(start)]
    return max(ends)


# An item's label, bold ("**CI/CD Architecture:** ...") or plain ("CI/CD Architecture: ...").
_BOLD_LABEL = re.compile(r"^\*\*[^*\n]{1,50}(?::\*\*|\*\*:) ")
_COLON_OUTSIDE = re.compile(r"^\*\*([^*\n]{1,50})\*\*: ")
_PLAIN_LABEL = re.compile(r"^((?:(?:[A-Z][\w&/()+.-]*,?|&|and|of|for|as)\s*){1,6}): (?=\S)")


def _labels_alike(lines: Sequence[Line]) -> tuple[Line, ...]:
    """lines with every label written alike: beside "**Security & Compliance:** ...", a
    plain "Security Integration: ..." is "**Security Integration:** ..." (three editors
    read a list of both as broken), and "**Test Pyramid**: ..." is "**Test Pyramid:** ..."."""
    if len({_label_style(line.text) for line in lines} - {None}) < 2:
        return tuple(lines)  # written alike already
    return tuple(
        replace(line, text=_PLAIN_LABEL.sub(r"**\1:** ", line.text, count=1))
        if _PLAIN_LABEL.match(line.text)
        else replace(line, text=_COLON_OUTSIDE.sub(r"**\1:** ", line.text, count=1))
        for line in lines
    )


def _label_style(text: str) -> str | None:
    """How an item writes its label: "plain", "**bold**:" ("outside") or "**bold:**"."""
    if _PLAIN_LABEL.match(text):
        return "plain"
    if _COLON_OUTSIDE.match(text):
        return "outside"
    return "inside" if _BOLD_LABEL.match(text) else None


def _where_written(entries: dict[_Place, list[Cluster | Bullet]]) -> dict[_Place, dict[str, int]]:
    """A lead-in's list -> the line where each source that wrote items in it wrote its first."""
    return {
        place: _first_lines(listed, place)
        for place, listed in entries.items()
        if place[1] not in ("", "#")
    }


def _first_lines(entries: Sequence[Cluster | Bullet], place: _Place) -> dict[str, int]:
    """Where each source of the entries of the list at place wrote its first item there (an
    entry none of whose members was written there: where its first is)."""
    first: dict[str, int] = {}
    for entry in entries:
        bullets = [entry] if isinstance(entry, Bullet) else entry.members
        for b in [b for b in bullets if _own_place(b) == place] or [_first(entry)]:
            first[b.agent] = min(first.get(b.agent, b.line), b.line)
    return first


def _in_each_source_order(
    places: Sequence[_Place],
    written_at: dict[_Place, dict[str, int]],
    phase_starts: frozenset[_Place] = frozenset(),
) -> list[_Place]:
    """places (lists, in the order to write them) with a lead-in's list moved after the lists
    any source wrote before it in its section: two VoltAgent agents share phase 2's
    "Implementation approach:", so one's phase 1 "Preparation priorities:" is written before
    it, not after the other's phase 3. A source's lists in the order it wrote them that two
    sources wrote in opposite orders stay in the given order. Before a list that starts a
    phase (phase_starts), the lists that go on a phase already written come: the auditor's
    "Audit patterns:" after the shared "Implementation approach:", not in the engineer's
    phase 3."""
    before: dict[_Place, list[_Place]] = defaultdict(list)
    by_source: dict[tuple[str, tuple[str, str]], list[_Place]] = defaultdict(list)
    for place, at in written_at.items():
        for agent in at:
            by_source[agent, place[0]].append(place)
    for (agent, _), own in by_source.items():
        own.sort(key=lambda p: written_at[p][agent])
        for first, then in itertools.pairwise(own):
            before[then].append(first)
    rank = {place: k for k, place in enumerate(places)}
    after: dict[_Place, set[_Place]] = defaultdict(set)  # a list's next in some source
    for place, firsts in before.items():
        for first in firsts:
            after[first].add(place)
    written: list[_Place] = []
    done: set[_Place] = set()

    def going_on() -> list[_Place]:
        """The lists that go on a list written, none left before them, no phase's start."""
        return sorted(
            (
                p
                for w in written
                for p in after[w]
                if p not in done and p not in phase_starts and set(before[p]) <= done
            ),
            key=rank.__getitem__,
        )

    for place in places:
        if place in phase_starts and place not in done:
            while going := going_on():
                done.add(going[0])
                written.append(going[0])
        # Depth first: a list's earlier lists, each after its own earlier ones.
        stack = [(place, iter(sorted(before[place], key=rank.__getitem__)))]
        opened = {place}
        while stack:
            current, earlier = stack[-1]
            ahead = next((p for p in earlier if p not in done and p not in opened), None)
            if ahead is not None:
                opened.add(ahead)
                stack.append((ahead, iter(sorted(before[ahead], key=rank.__getitem__))))
                continue
            stack.pop()
            if current not in done:
                done.add(current)
                written.append(current)
    return written


def _written_after(starts: list[dict[str, int]], at: tuple[str, int]) -> int:
    """How many of a section's lists (starts: where each source wrote each, empty for the
    plain and numbered lists, in written order) a template written at at follows: the plain
    and numbered ones, and through the last its own source wrote before it ("Progress
    tracking:" after VoltAgent's "React patterns:", not after another source's procedure
    written later in the section)."""
    agent, line = at
    plain = sum(1 for start in starts if not start)
    own = [k + 1 for k, start in enumerate(starts) if start.get(agent, line) < line]
    return max([plain, *own])


def _titled(bullet: Bullet) -> bool:
    """Whether the bullet's lead-in is written as its merged section's heading."""
    return _lead_key(bullet.lead_in or "") == _lead_key(_merged_section(*bullet.home)[1])


def _led(c: Cluster) -> Cluster:
    rep = c.representative
    if rep.lead_in or rep.ordered or rep.parent is not None:
        return c
    led = [m for m in c.members if m.lead_in and not m.ordered and m.parent is None]
    if not led:
        # A plain line is written from the member that says the most: the others' words
        # fold into it, instead of hanging off a short phrasing as details.
        led = [m for m in c.members if not m.ordered and m.parent is None]
        owner = min(led, key=lambda m: (-len(set(content_terms(m.text))), m is not rep))
        return replace(c, representative=owner)
    # The one that says the most, so that the others fold into it rather than beside it.
    owner = min(led, key=lambda m: (-len(set(content_terms(m.text))), _source_order(m)))
    return replace(c, representative=owner)


def _place(c: Cluster, composed: Composed) -> _Place:
    """Where a cluster's line is written: with its representative's lead-in or numbered
    list; else in its topic's section, but for a line saying only items of one section
    whose items are a kind of thing (deliverables, which a step kept apart from the line
    does not take to the steps)."""
    own = _own_place(c.representative)
    if own:
        return own
    topic = _section_key(c)
    said = {_written_in(m)[0] for m in c.members if m not in composed.apart}
    if len(said) == 1:
        # Where what it says was written: 0xfurai's "Create custom hooks for shared logic
        # across components" (its Approach) beside its own "Custom hooks for reusable
        # logic" (Focus Areas, kept apart) is no responsibility (an editor: misplaced).
        return (said.pop(), "")
    return (topic, "")


def _other_kind(bullet: Bullet, place: _Place) -> bool:
    """Whether a plain item written at place would be among items of another kind: a
    deliverable among practices, or a practice among deliverables."""
    own = _written_in(bullet)[0]
    return own != place[0] and (is_kind(own[0]) or is_kind(place[0][0]))


def _written_in(bullet: Bullet) -> _Place:
    """The list a bullet is written in as a line of its own: a plain item in its topic's
    section, or among the deliverables (or warnings) it was written among."""
    written_among = bullet.home if is_kind(bullet.home[0]) else (bullet.topic, bullet.section)
    return _own_place(bullet) or (_merged_section(*written_among), "")


def _own_place(bullet: Bullet) -> _Place | None:
    """Where a bullet under a lead-in or in a numbered list is written: with its lead-in, in
    the section it was written among; None for a plain item, which goes where its topic does."""
    lead_in = _list_lead_in(bullet)
    if lead_in:
        return _OPENING if bullet.opening else _merged_section(*bullet.home), _lead_key(lead_in)
    if bullet.ordered:  # one numbered list per section: two in a row read back as one
        return _merged_section(*bullet.home), "#"
    return None


def _list_lead_in(bullet: Bullet) -> str | None:
    """The bullet's lead-in; for a numbered list under a title the merged section does not
    keep ("**Your Approach:**" in "## Workflow"), that title, so that two procedures in one
    section stay two lists, each with its name."""
    if bullet.lead_in or not bullet.ordered:
        return bullet.lead_in
    title = bullet.section.rstrip(":")
    merged_title = _merged_section(*bullet.home)[1]
    return f"{title}:" if title and _lead_key(title) != _lead_key(merged_title) else None


def _lead_key(lead_in: str) -> str:
    """Lead-ins that read alike are one ("Before implementing, always:"), in either number:
    "Index strategy:" and "Index strategies:" of two sources are one list."""
    return " ".join(map(singular, strip_markup(lead_in).lower().rstrip(":").split()))


def _lead_ins(agents: Sequence[Agent]) -> dict[_Place, str]:
    """A lead-in's list -> the lead-in as the first source writing that list wrote it: two
    lists of one key in two sections each keep their own ("Content strategies:" of one
    source's responsibilities, "Content strategy:" of another's planning phase)."""
    found: dict[_Place, str] = {}
    for agent in agents:
        for section in agent.sections:
            for bullet in section.bullets:
                lead_in = _list_lead_in(bullet)
                place = _own_place(bullet)
                if lead_in and place:
                    found.setdefault(place, _titled_lead_in(section, lead_in))
    return found


def _titled_lead_in(section: Section, lead_in: str) -> str:
    """A lead-in sentence opening a sub-section of its own with its title before it, as a
    phase's sentence is written ("**Decision Making.** When multiple solutions exist,
    prioritize in this order:"): the merged section has no such heading, and two editors
    read the ranked list as part of the lists before it."""
    if (
        section.level < 3
        or section.title.endswith(":")  # a sentence's own section: it titles itself
        or not section.paragraphs
        or section.paragraphs[0] != lead_in
        or lead_in.startswith("**")
        or any(b.lead_in != lead_in for b in section.bullets if b.parent is None)
        or _lead_key(section.title) in map(_lead_key, (lead_in, _merged_section(*section.home)[1]))
        # A sentence saying what its title says ("When designing APIs:" under "### API
        # Design Principles") needs no title.
        or not set(content_terms(section.title)).isdisjoint(content_terms(lead_in))
    ):
        return lead_in
    return f"**{section.title.rstrip('.:')}.** {lead_in}"


def _intros(agents: Sequence[Agent]) -> dict[_Place, tuple[str, ...]]:
    """The list of a lead-in, in its merged section ("Quality checklist:" of one source's
    phase is not another's "## Quality Checklist") -> the paragraphs each source writes
    right before that lead-in, each once: a phase's sentence ("Understand current quality
    state and requirements.") and the sentence that introduced the phases ("Execute quality
    assurance through systematic phases:"), which a heading above the phase does not part
    from it. A list between them, or a heading at the level of the paragraph's own or above,
    or a template does."""
    lead_keys = {_lead_key(b.lead_in) for agent in agents for b in agent.bullets if b.lead_in}
    intros: dict[_Place, list[str]] = defaultdict(list)
    seen: set[str] = set()
    for agent in agents:
        run: list[str] = []
        level = 0  # of the last heading that is not a list's lead-in
        phases = 0  # the level of the headings a sentence ending in ':' introduced
        previous: Section | None = None
        for section in agent.sections:
            title = _lead_key(section.title)
            tops = [b for b in section.bullets if b.parent is None]
            phase = False
            if tops and all(b.step for b in tops) and _titles_steps(previous, section):
                # "### Standard Operating Procedure" over nothing but its steps: the first
                # step's list is written under that name.
                run = [*run, f"{previous.title.rstrip(':')}:"]
            if previous is not None and _keeps_title(
                previous, section, _merged_section(*previous.home)
            ):
                # Its words are written under its title ("### 3. Service Definitions"), not
                # before the next list ("### 4. API Contracts").
                run = []
            previous = section
            if tops and all(b.lead_in and _lead_key(b.lead_in) == title for b in tops):
                # "Analysis priorities:" read as a heading (a lead-in right after a list is):
                # still a lead-in, introduced by the paragraphs before it. So is a titled
                # list written as its title's lead-in ("Secure SDLC Integration:"), and its
                # own sentence before the list ("A key function is to embed security into
                # every phase ...") introduces it there, not its merged section.
                before = len(section.paragraphs) - section.trailing
                if section.verbatim:
                    before = min(before, section.paragraphs_before_verbatim)
                own = [p for p in section.paragraphs[:before] if _lead_key(p) not in lead_keys]
                run = _bound(intros, seen, (_merged_section(*section.home), title), [*run, *own])
            else:
                if section.level <= level:
                    run = []
                    phases = phases if section.level >= phases else 0
                elif run and introduces(run[-1]):  # "... through systematic phases:"
                    phases = section.level
                level = section.level
                phase = section.level == phases
            # A template parts the paragraphs before it from a lead-in after it; so does a
            # plain list the paragraphs before it from those after it.
            cut = section.paragraphs_before_verbatim if section.verbatim else -1
            plain = any(b.lead_in is None for b in tops)
            after_list = len(section.paragraphs) - section.trailing if plain else -1
            for k, paragraph in enumerate(section.paragraphs):
                if k in (cut, after_list):
                    run = []
                key = _lead_key(paragraph)
                if key in lead_keys:
                    run = _bound(intros, seen, (_merged_section(*section.home), key), run)
                    continue
                if phase and k == 0 and section.title and not paragraph.startswith("**"):
                    # The phase's heading is not written (a merged section has none): its
                    # name opens its sentence, "**Database Analysis.** Assess current ...".
                    paragraph = f"**{section.title.rstrip('.:')}.** {paragraph}"
                run = [*run, paragraph]
            if cut == len(section.paragraphs) or (plain and not section.trailing):
                run = []
    return {
        key: tuple(texts)
        for key, texts in intros.items()
        if 0 < len(texts) <= _TUNING.intro_paragraphs
    }


def _titles_steps(owner: Section | None, step: Section) -> TypeGuard[Section]:
    """Whether owner is a heading over nothing but the steps, step one of them."""
    return (
        owner is not None
        and owner.level == step.level - 1
        and not (owner.paragraphs or owner.bullets or owner.verbatim)
    )


def _framed_once(paragraphs: Sequence[str]) -> tuple[str, ...]:
    """paragraphs with those that say the same frame of different things joined into the
    first: "Execute quality assurance through systematic phases:" and "Execute test
    automation through systematic phases:" are "Execute quality assurance and test
    automation through systematic phases:" (two sources' procedures, one introduction)."""
    return _phases_once(_sentences_once(paragraphs, _in_one_frame))


def _frames_once(lists: Sequence[MergedList]) -> tuple[MergedList, ...]:
    """A section's lists with each introduction of phases said once, by the first list it
    introduces: "Execute security audit through systematic phases:" above the auditor's first
    phase joins "Execute security engineering through systematic phases:" above the
    engineer's, as "Execute security engineering and audit through systematic phases:" (an
    editor read the second, between the first's phases, as the first's out of order)."""
    written: list[MergedList] = []
    for merged in lists:
        intro = []
        for paragraph in merged.intro:
            joined = None
            if introduces(paragraph):
                joined = next(
                    (
                        (k, j, both)
                        for k, earlier in enumerate(written)
                        for j, frame in enumerate(earlier.intro)
                        if introduces(frame) and (both := _in_one_frame(frame, paragraph))
                    ),
                    None,
                )
            if joined is None:
                intro.append(paragraph)
                continue
            k, j, both = joined
            frames = written[k].intro
            written[k] = replace(written[k], intro=(*frames[:j], both, *frames[j + 1 :]))
        written.append(replace(merged, intro=tuple(intro)))
    return tuple(written)


def _last_phases_once(lists: Sequence[MergedList]) -> tuple[MergedList, ...]:
    """lists with their last two phases one when both are closing phases, of a merge of
    several sources ("**Operational and Performance Excellence.**" of two, then sql-pro's
    "**Performance Verification.**"): written as a fourth phase after the others' third, it
    verified after the work was declared done (the sql editor, twice). A single agent's
    phases are as its author wrote them."""
    found = _phase_names(lists)
    return _two_phases_once(lists, found[-2:], _CLOSING_PHASES)


def _first_phases_once(lists: Sequence[MergedList]) -> tuple[MergedList, ...]:
    """lists with their first two phases one when both are opening phases of several
    sources ("**Preparedness Analysis.**" of one, "**Response Readiness.**" of another):
    numbered 1 and 2 before the shared implementation phase, an editor read each source's
    first phase as a step after the other's."""
    found = _phase_names(lists)
    return _two_phases_once(lists, found[:2], _OPENING_PHASES) if len(found) > 2 else tuple(lists)


def _two_phases_once(
    lists: Sequence[MergedList],
    pair: list[tuple[int, int, re.Match[str]]],
    kinds: frozenset[str],
) -> tuple[MergedList, ...]:
    """lists with the two phases of pair (where each is named) one phase, when both are of
    kinds and the lists are of several sources."""
    sources = {s for merged in lists for line in walk(merged.lines) for s in line.sources}
    if len(pair) < 2 or len(sources) < 2:
        return tuple(lists)
    (k1, j1, first), (k2, j2, second) = pair
    names = [_PHASE_NUMBER.sub("", m.group(0)[2:-4]) for m in (first, second)]
    if not all(_phase_kind(name) in kinds for name in names):
        return tuple(lists)
    said = _sentences_once(
        [lists[k1].intro[j1][first.end() :], lists[k2].intro[j2][second.end() :]],
        _series_joined,
    )
    united = f"**{names[0]} and {names[1]}.** {' '.join(said)}"
    written = list(lists)
    intro = written[k1].intro
    written[k1] = replace(written[k1], intro=(*intro[:j1], united, *intro[j1 + 1 :]))
    intro = written[k2].intro
    written[k2] = replace(written[k2], intro=(*intro[:j2], *intro[j2 + 1 :]))
    return tuple(written)


def _phase_names(lists: Sequence[MergedList]) -> list[tuple[int, int, re.Match[str]]]:
    """Where lists' intros name a phase ("**Implementation Phase.** ..."): the list's index,
    the paragraph's, and the name found, in written order."""
    return [
        (k, j, match)
        for k, merged in enumerate(lists)
        for j, paragraph in enumerate(merged.intro)
        if (match := _PHASE_NAME.match(paragraph)) is not None
    ]


# What a source's closing phase is named ("Audit Excellence", "Security Verification").
_CLOSING_PHASES = frozenset({"excellence", "verification", "assurance", "delivery"})
# ... and its opening phase ("Security Analysis", "Audit Planning", "Response Readiness").
_OPENING_PHASES = frozenset(
    {"analysis", "planning", "preparation", "readiness", "assessment", "discovery"}
)


def _phases_numbered(lists: Sequence[MergedList]) -> tuple[MergedList, ...]:
    """A section's lists with the phases their sentences name numbered in the order they
    are written, when there are two or more ("**1. Quality and Automation Analysis.**",
    "**2. Implementation Phase.**"): their sources' headings were "### 1. ...", and three
    editors read the unnumbered names as the procedure's order lost."""
    found = _phase_names(lists)
    if len(found) < 2:
        return tuple(lists)
    numbered = [list(merged.intro) for merged in lists]
    for number, (k, j, _) in enumerate(found, start=1):
        numbered[k][j] = f"**{number}. {_PHASE_NUMBER.sub('', numbered[k][j][2:])}"
    return tuple(replace(merged, intro=tuple(numbered[k])) for k, merged in enumerate(lists))


_PHASE_NUMBER = re.compile(r"^\d+\. ")


def _phases_once(paragraphs: Sequence[str]) -> tuple[str, ...]:
    """paragraphs with the sentences of phases of one kind, written one after the other, as
    one phase: "**Implementation Phase.** Deploy ML models." and "**Implementation Phase.**
    Build robust ML platform." are one phase of two sentences; "**Quality Analysis.**" and
    "**Automation Analysis.**" are "**Quality and Automation Analysis.**" (an editor read
    phase names stacked over one list as labels without content)."""
    groups: list[tuple[list[str], list[str]]] = []  # (names, sentences); no names: a paragraph
    for paragraph in paragraphs:
        match = _PHASE_NAME.match(paragraph)
        name = _PHASE_NUMBER.sub("", match.group(0)[2:-4]) if match else ""
        names = groups[-1][0] if groups else []
        if match and names and _phase_kind(name) == _phase_kind(names[-1]):
            if name.lower() not in {n.lower() for n in names}:
                names.append(name)
            groups[-1][1].append(paragraph[match.end() :])
        else:
            groups.append(
                ([name] if match else [], [paragraph[match.end() :] if match else paragraph])
            )
    united: list[str] = []
    for names, sentences in groups:
        if not names:
            united.extend(sentences)
            continue
        kind = names[0].split()[-1]
        title = _series_text([n.rsplit(" ", 1)[0] for n in names]) if len(names) > 1 else ""
        said = " ".join(_sentences_once(sentences, _series_joined))
        united.append(f"**{f'{title} {kind}' if title else names[0]}.** {said}")
    return tuple(united)


def _sentences_once(sentences: Sequence[str], join: Callable[[str, str], str | None]) -> list[str]:
    """sentences, each written into the first earlier one join can make one sentence with
    it: a phase's "Understand API structure and documentation needs." and "Understand current
    state and requirements." are "Understand API structure, documentation needs, current
    state and requirements." (_series_joined; an editor read the two side by side as one
    said twice)."""
    said: list[str] = []
    for sentence in sentences:
        for k, earlier in enumerate(said):
            both = join(earlier, sentence)
            if both is not None:
                said[k] = both
                break
        else:
            said.append(sentence)
    return said


def _series_joined(first: str, second: str) -> str | None:
    """Two sentences as one by their series (_series_union), or None."""
    if not (first.endswith(".") and second.endswith(".")):
        return None
    both = _series_union(first[:-1], second[:-1])
    return None if both is None else both + "."


def _phase_kind(name: str) -> str | None:
    """The word a phase name ends in ("Analysis"), when a word names what it is about."""
    words = name.split()
    return words[-1].lower() if len(words) > 1 else None


def _in_one_frame(first: str, second: str) -> str | None:
    """first and second as one sentence when they differ in one short span only, inside a
    shared ending ("... through systematic phases:") or after a bold phase name."""
    a, b = first.split(), second.split()
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    mine, theirs = a[head : len(a) - tail], b[head : len(b) - tail]
    framed = tail > 0 or any(word.endswith("**") for word in a[:head])
    if (
        not (head and framed and mine and theirs)
        or max(len(mine), len(theirs)) > _TUNING.framed_span
    ):
        return None
    if any(" ".join(span).count("**") % 2 for span in (mine, theirs)):
        return None  # a span inside a bold name ("**Quality Analysis.**") is no span
    end = ""
    if not tail and mine[-1][-1:] in ".:;" and theirs[-1][-1:] == mine[-1][-1:]:
        end, mine, theirs = (
            mine[-1][-1],
            [*mine[:-1], mine[-1][:-1]],
            [*theirs[:-1], theirs[-1][:-1]],
        )
    if theirs[0][:1].isupper() and theirs[0] not in named_terms(" ".join(theirs)):
        theirs = [theirs[0].lower(), *theirs[1:]]
    spans = (" ".join(mine), " ".join(theirs))
    # Two spans of one phrase but a word or two are that phrase once: "world-class and
    # exceptional incident management capabilities", not "world-class incident management
    # and exceptional incident management capabilities" (an editor read it as garbled).
    both = _one_more_item(*spans) if tail else _aligned(*spans) or " and ".join(spans)
    return " ".join([*a[:head], both, *a[len(a) - tail :]]) + end


def _one_more_item(joined: str, item: str) -> str:
    """item joined to what earlier sources' spans were joined into: a third source's is one
    more item of the series ("ML deployment, engineering and MLOps implementation", not "ML
    deployment and engineering and MLOps implementation")."""
    head, conjunction, last = joined.rpartition(" and ")
    if conjunction and " and " not in f" {item} ":
        return f"{head}, {last} and {item}"
    return f"{joined} and {item}"


# The name a phase's sentence opens with once its heading is gone (see _intros).
_PHASE_NAME = re.compile(r"^\*\*[^*]+\.\*\* ")


def _bound(
    intros: dict[_Place, list[str]], seen: set[str], place: _Place, run: list[str]
) -> list[str]:
    """run written before the lead-in's list at place (what no other has), and a new run."""
    intros[place].extend(p for p in run if _lead_key(p) not in seen)
    seen.update(map(_lead_key, run))
    return []


def _step_order(
    entries: list[Cluster | Bullet], place: _Place
) -> list[tuple[int, Cluster | Bullet]]:
    """Entries of one list written by several sources, merged step by step: in the order of
    the source that starts it, each other source's step after the first source's step of
    the same number, and after the step its own previous one was merged with ("query, review
    coverage, review gaps, analyze, analyze, implement, implement", not one source's steps
    and then the other's)."""
    primary = min(map(_source_order, entries))[0]

    def steps(entry: Cluster | Bullet) -> list[tuple[str, int]]:
        members = (entry,) if isinstance(entry, Bullet) else entry.members
        return [(m.agent, m.line) for m in members if _own_place(m) == place]

    # A step's number in its own source's list (from 0).
    number: dict[tuple[str, int], int] = {}
    for agent, line in sorted({step for entry in entries for step in steps(entry)}):
        number[(agent, line)] = sum(1 for a, _ in number if a == agent)
    # source -> its step's number -> the first source's step that step joined
    joined_at: dict[str, dict[int, int]] = defaultdict(dict)
    keys: dict[int, tuple[int, int, tuple[str, int]]] = {}
    for entry in entries:
        joined = [number[step] for step in steps(entry) if step[0] == primary]
        if joined:
            for step in steps(entry):
                joined_at[step[0]][number[step]] = min(joined)
            keys[id(entry)] = (min(joined), 0, _source_order(entry))
    for entry in entries:
        if id(entry) not in keys:
            # After the step its own previous steps joined ("Review existing incident
            # history", step 2, after the first source's step 2, not after its step 3
            # that the source's step 3 joined).
            own = _source_order(entry)
            k = number.get(own, 0)
            earlier = [at for n, at in joined_at[own[0]].items() if n < k]
            keys[id(entry)] = (max([*earlier, k]), 1, own)
    return [(keys[id(e)][0], e) for e in sorted(entries, key=lambda e: keys[id(e)])]


def _one_step(lines: list[Line], covered: list[Covered]) -> list[Line]:
    """Several sources' lines of one step: each whose items add to the first's series is
    said by it ("Review existing test coverage, defect patterns, quality metrics, manual
    tests, and automation gaps"), and recorded in covered; the others follow as written."""
    # Each line joins the first written line of the step it adds to, or is one of its own:
    # "Implement robust ML engineering solutions" and "Implement robust MLOps solutions and
    # platforms" are one line after "Implement solutions ensuring optimal performance".
    written: list[tuple[Line, str, list[Line]]] = []  # a line, its text now, what it says
    for line in lines:
        for k, (owner, text, said) in enumerate(written):
            fused = None if line.children or owner.children else _series_union(text, line.text)
            if fused is not None:
                written[k] = (owner, fused, [*said, line])
                covered.append(Covered(line.cluster, strip_markup(line.text), owner.cluster))
                break
        else:
            written.append((line, line.text, [line]))
    return [
        line
        if len(said) == 1
        else Line(text, line.cluster, tuple(sorted({s for one in said for s in one.sources})))
        for line, text, said in written
    ]


def _one_numbered(lines: list[Line], covered: list[Covered], last: bool) -> list[Line]:
    """Several sources' lines of one step that no series unites, as one numbered step: each
    source's way of doing it, after a semicolon; in the last step, the sources' different
    ends after "or" ("Provide comprehensive audit findings ...; or implement solutions
    following security best practices ..."), their aims in one work after "and" ("Implement
    solutions ...; and implement solutions ..."). Written as steps of their own, three
    editors read them as done one after another (an audit ending by changing the system)."""
    # Two lines of one source alone are two of its steps, in its order.
    own = [line.sources[0] for line in lines if len(line.sources) == 1]
    if (
        not 2 <= len(lines) <= _TUNING.step_ways_max
        or any(line.children for line in lines)
        or len(set(own)) < len(own)
    ):
        return lines
    sources = [source for line in lines for source in line.sources]
    first, *rest = lines
    ways = [first.text.rstrip("."), *(_uncapitalized(ln.text) for ln in rest)]
    # The last way after "or" when the sources end in other work (findings or changes),
    # after "and" when all do one work ("Implement solutions ..."): two editors read "or"
    # there as a choice between aims the agent has together.
    verbs = {way.split()[0].lower() for way in ways}
    # Two ways are two clauses of one sentence (three editors read "; and implement" as
    # ungrammatical); three, whose own series hold commas, are parted by semicolons.
    joint = ", " if len(ways) == 2 else "; "
    end = f"{joint}{'and' if len(verbs) == 1 else 'or'} " if last else "; "
    # An opening both ways share is written once before "and"/"or": "Implement solutions
    # maximizing deployment velocity ..., and improving efficiency ..." (two editors read
    # "implement solutions" said again as clumsy). After a semicolon the rest would read as
    # more of the first way's series ("... developer workflows; documentation, ...").
    opening = _shared_opening(ways) if last and len(ways) == 2 else ""
    if len(opening.split()) >= 2:
        ways = [ways[0], *(way[len(opening) :].lstrip() for way in ways[1:])]
    text = "; ".join(ways[:-1]) + end + ways[-1]
    covered.extend(Covered(ln.cluster, strip_markup(ln.text), first.cluster) for ln in rest)
    return [Line(text, first.cluster, tuple(sorted(set(sources))))]


def _shared_opening(ways: Sequence[str]) -> str:
    """The words every way opens with (as the first writes them), short of any way whole."""
    split = [way.split() for way in ways]
    shared = 0
    while all(shared < len(words) - 1 for words in split) and all(
        words[shared].lower() == split[0][shared].lower() for words in split
    ):
        shared += 1
    return " ".join(split[0][:shared])


def _series_union(first: str, second: str) -> str | None:
    """first and second as one step, when both are an opening they share and a plain series
    after it: "Implement comprehensive quality assurance strategies" and "Implement robust
    test automation solutions" are "Implement comprehensive quality assurance strategies and
    robust test automation solutions"; "Analyze testing gaps, risks, and improvement
    opportunities" and "Analyze testing needs, technology stack, and CI/CD pipeline" are
    "Analyze testing gaps, needs, risks, improvement opportunities, technology stack, and
    CI/CD pipeline". None when either says more than a series (a clause, a choice, markup)."""
    words, others = first.split(), second.split()
    opening = _shared_opening((first, second))
    shared = len(opening.split())
    between = words[shared - 1].endswith(",")  # the opening ends an item of the series
    if not shared or between != others[shared - 1].endswith(","):
        return None
    ours, theirs = " ".join(words[shared:]), " ".join(others[shared:])
    parts = []
    for rest in (ours, theirs):
        lowered = set(rest.lower().split())
        if (
            rest.split()[0].lower() in ("and", "or")
            or re.search(r"[().!?]", rest)
            or SERIES_BREAK.search(rest)
            or _FINITE.search(rest)
            or _PARTICIPLE.search(rest)
            or not lexicon().subordinators.isdisjoint(lowered)
            or prohibits(rest)
            or not QUALIFYING.isdisjoint(lowered)
        ):
            return None
        parts.append(list_parts(rest))
    ours_items, their_items = parts
    if not between and shared > 1 and words[shared - 1].lower() not in QUALIFYING:
        # An opening that ends inside the first item ("Analyze testing" gaps / needs)
        # qualifies both first items: they stay side by side.
        ours_items = [ours_items[0], their_items.pop(0), *ours_items[1:]]
    # "existing security controls" says "security controls".
    items = _words_once([*ours_items, *their_items])
    if len(items) > _TUNING.step_items_max:
        return None
    serial = "," if ", and " in first or ", and " in second else ""
    series = _series_text(items, serial)
    return f"{opening.rstrip(',')}{', ' if opening.endswith(',') else ' '}{series}"


def _words_once(candidates: Sequence[str]) -> list[str]:
    """candidates, each once: one whose words another says with more words is said by it."""
    words = [set(item.lower().split()) for item in candidates]
    return _each_once(candidates, words, words)


def _each_once(
    candidates: Sequence[str], says: Sequence[set[str]], said: Sequence[set[str]]
) -> list[str]:
    """candidates, each once: an item another says with more words is said by it, where the
    first of them stood (says: what each item needs said; said: what each says)."""
    items: list[str] = []
    for needed in says:
        sayer = max(
            (j for j, other in enumerate(said) if needed <= other),
            key=lambda j: (len(said[j]), -j),
        )
        if candidates[sayer] not in items:
            items.append(candidates[sayer])
    return items


def _first(entry: Cluster | Bullet) -> Bullet:
    return entry if isinstance(entry, Bullet) else entry.representative


def _source_order(entry: Cluster | Bullet) -> tuple[str, int]:
    bullet = _first(entry)
    return bullet.agent, bullet.line


@dataclass(frozen=True)
class Composed:
    """What one cluster becomes: its line, and members that no fusion could state, each kept
    as a line of its own: right after it, or under its own lead-in or numbered list."""

    text: str
    apart: tuple[Bullet, ...] = ()
    # Members kept apart that are written in other words: those of the others kept apart
    # to the same list, folded into them (bullet id, its line, the agents that say it).
    written_as: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    # Members kept apart as entries of their own list of short entries, written there.
    listed: frozenset[str] = frozenset()


_Key = TypeVar("_Key")


def _texts(blocks: Mapping[_Key, list[str]]) -> list[str]:
    return [text for texts in blocks.values() for text in texts]


def _line_texts(clustering: Clustering, written: Sequence[str]) -> dict[str, Composed]:
    """cluster id -> its line: the representative plus the details only other members carry,
    so that the line states every content word of every member; a member whose words would
    not fit as details stays a line of its own (written: the opening, paragraphs and
    templates)."""
    # What the merged agent says anyway: every representative, paragraph and template.
    said = TermIndex(
        strip_markup(
            "\n".join([*(c.representative.markdown for c in clustering.clusters), *written])
        )
    )
    # Generic names ("APIs") written anyway, by text no settling or covering rewrites.
    fixed = TermIndex(
        "\n".join(
            [*written, *(b.lead_in for a in clustering.agents for b in a.bullets if b.lead_in)]
        )
    )
    unneeded = frozenset(word for word in lexicon().generic if word in fixed.tokens)
    # What every source is about ("Python", named in each one's description): a line says
    # it of itself, and needs it as no detail ("... to solve complex problems (Python)"),
    # in any form the agent writes anyway ("Pythonic").
    subject = frozenset.intersection(
        *(
            frozenset(content_terms(" ".join(named_terms(str(a.source.field("description"))))))
            for a in clustering.agents
        )
    )
    unneeded |= {
        token for token in fixed.tokens if (terms := set(content_terms(token))) and terms <= subject
    }
    cluster_of = clustering.cluster_of()
    entries = short_entries(clustering.agents)
    pinned = {bullet_id for pair in clustering.settings.same for bullet_id in pair}
    texts = {}
    for c in clustering.clusters:
        others = _others(c)
        # A step or a rank keeps its place in its list: "2. Performance - ..." is no detail of
        # a line elsewhere (its list would lose its second item). Two sources' copies of one
        # ranked list under one lead-in are one list. So does a nested item: "Database
        # migrations when needed" is one of the things "Implementation: Provide complete,
        # production-ready code with:" asks for.
        rep = c.representative
        kept = tuple(
            m
            for m in others
            if (m.ordered and _own_place(m) != _own_place(rep))
            or (m.parent is not None and cluster_of[m.parent].id != c.id)
            # Nor is a skill ("Performance optimization and scalability planning") a detail
            # of what an item asks code to have ("Performance optimizations where relevant").
            or (rep.parent is not None and m.parent is None)
            # Nor a deliverable ("Documentation including docstrings and usage examples")
            # of a practice or a criterion, nor they of a deliverable.
            or _other_kind(m, _written_in(rep))
            # Nor a statement written elsewhere ("Implementing REST APIs with net/http") of
            # an entry of a list of short entries ("Microservices patterns:" "REST API with
            # middleware"): the entry would read as no entry, the statement as lost.
            or (rep.id in entries and m.id not in entries and _written_in(m) != _written_in(rep))
            # Nor is another entry of the same source list: its author wrote two ("Shared
            # type packages", "Type-only packages"), unless the user said they are one.
            or (_place_in_source(m) == _place_in_source(rep) and m.id not in pinned)
            # Nor does a plain item go under a lead-in its own author wrote another item
            # under: "Utilizing stored procedures for encapsulating logic" (a focus area) is
            # no detail of the same agent's "Quality Checklist:" criterion "Stored procedures
            # are used appropriately."; the capability read as lost. Nor under a plain item
            # of another of its lists: "Use pattern matching for clear and concise logic"
            # (its Approach) is no detail of "Pattern matching and control flow" (its Focus
            # Areas); an editor read the rule as lost.
            or (
                m.agent == rep.agent
                and m.lead_in is None
                and (rep.lead_in is not None or m.section != rep.section)
                and m.id not in pinned
            )
        )
        # An entry of another list of short entries stays in it: "Design indexes" is a step
        # of "Implementation approach:", not only a word of the indexing line elsewhere.
        listed = [
            m
            for m in others
            if m not in kept
            and m.id in entries
            and (
                _written_in(m) != _written_in(rep)
                # Two entries of one list are two, unless one says all the other says:
                # "Mean time to resolve" is no detail of "Mean time to detect".
                or (rep.id in entries and not _said_by(m.text, rep.text))
            )
        ]
        # An item under another lead-in than the line's means what it says there: "Include
        # proper logging at appropriate levels" is what "Your implementations must:" asks,
        # no detail of "Build resilient systems:"'s "Use structured logging".
        led_elsewhere = [
            m
            for m in others
            if m not in kept
            and m not in listed
            and _own_place(m) is not None
            and _own_place(m) != _own_place(rep)
            # A lead-in that titles its own section ("Rails 7 equivalents (...):") is written
            # as that section's heading, which a merge of the merge reads as no lead-in.
            and not any(_titled(b) for b in (m, rep))
        ]
        folded = [m for m in others if m not in kept and m not in listed and m not in led_elsewhere]
        composed = _line(rep.markdown, folded, said, unneeded)
        led = rep.lead_in is not None and not rep.ordered
        for base in [
            m for m in composed.apart if led and m in folded and _own_place(m) == _own_place(rep)
        ]:
            # Folding goes one way: "Automated browser testing, E2E test execution, visual
            # validation" takes "Browser automation, ..., cross-browser validation" as
            # "visual and cross-browser validation", not the other way round. A member of
            # the line's own list kept apart may be the better base.
            rest = [rep, *(m for m in folded if m is not base)]
            tried = _line(base.markdown, rest, said, unneeded)
            if len(tried.apart) < len(composed.apart):
                composed = tried
                break
        composed = _labels_united(composed, unneeded)
        # Entries of several sources' lists under one lead-in are one entry there.
        apart, written_as = _apart_together(
            [*listed, *led_elsewhere, *composed.apart], said, unneeded
        )
        in_lists = frozenset(m.id for m in listed)
        texts[c.id] = Composed(composed.text, kept + apart, written_as, in_lists)
    return texts


def _partners_once(lines: list[Line], covered: list[Covered]) -> list[Line]:
    """lines with the work other sources do with one partner written in the first line
    naming it: "Partner with cloud-architect on cloud deployments and support it with
    automation", "Help security-engineer with DevSecOps and security integration" (four
    editors read the partner listed twice as said twice), up to partner_ways_max lines (a
    whole collection's work with one partner is no one line). Lines one source wrote stay
    its own; a line with nested items stays whole."""
    written: list[Line] = []
    # partner -> where the line taking its work is written, and how that line opened
    first_of: dict[str, tuple[int, re.Match[str]]] = {}
    ways: Counter[int] = Counter()  # a written line -> the sources' lines it says
    for line in lines:
        plain = strip_markup(line.text)
        work = _PARTNER.match(plain) if not line.children else None
        taking = first_of.get(work.group(1)) if work else None
        if (
            work is None
            or taking is None
            or not set(written[taking[0]].sources).isdisjoint(line.sources)
        ):
            if work is not None and taking is None:
                first_of[work.group(1)] = (len(written), work)
            ways[len(written)] = 1
            written.append(line)
            continue
        at, ours = taking
        first = written[at]
        written[at] = Line(
            _with_more_work(first.text, ours, plain, work, ways[at]),
            first.cluster,
            tuple(sorted({*first.sources, *line.sources})),
        )
        covered.append(Covered(line.cluster, plain, first.cluster))
        ways[at] += 1
        if ways[at] >= _TUNING.partner_ways_max:
            del first_of[work.group(1)]  # the next one opens a line of its own
    return written


def _with_more_work(
    line: str, ours: re.Match[str], other: str, theirs: re.Match[str], ways: int
) -> str:
    """line ("Help security-engineer with DevSecOps", its _PARTNER match ours, saying ways
    sources' lines) with other's work with that partner: its object when it opens alike
    ("... and security integration"), its preposition and object after the same verb ("Help
    devops-engineer on deployment and with runbooks"), else its own opening with "it" for
    the partner ("... and support it with automation"), after a comma when the line joins
    two already ("Help devops-engineer on monitoring and with automation, and guide it on
    infrastructure": an editor read three "and"s in a row as garbled)."""
    joint = ", and" if ways > 1 else " and"
    if ours.group(0) == theirs.group(0):
        return f"{line.rstrip('.')}{joint} {other[theirs.end() :].strip()}"
    opening = other[: theirs.start(1)]
    if opening == ours.string[: ours.start(1)]:  # "Help X on A" and "Help X with B"
        return f"{line.rstrip('.')}{joint} {other[theirs.end(1) :].strip()}"
    return f"{line.rstrip('.')}{joint} {_uncapitalized(opening)}it {other[theirs.end(1) :].strip()}"


# A line of work with another agent: "Collaborate with backend-developer on query patterns".
_PARTNER = re.compile(r"^\w+(?: with)? ([a-z][a-z0-9]*(?:-[a-z0-9]+)+) (?:on|with|for|in)\b")


def _within_work(member: str, line: str) -> bool:
    """Whether member, if it is work with a partner, is work line does with that partner:
    "Help devops-engineer on deployment" is "Guide devops-engineer on deployment"; "Support
    backend-developer with examples" is not "... on API design", nor is "Partner with
    cloud-architect on cloud databases" "Assist cloud-architect on database architecture"
    (its "cloud" is the partner's name there)."""
    work, line_work = _PARTNER.match(member), _PARTNER.match(line)
    if work is None:
        return True
    # Its words as written: "quality standards" has no content term, and is still not
    # "test quality".
    return (
        line_work is not None
        and work.group(1) == line_work.group(1)
        and written_terms(member[work.end() :]) <= written_terms(line[line_work.end() :])
    )


def short_entries(agents: Sequence[Agent]) -> set[str]:
    """Ids of the short entries of lists of short entries ("Defect discovery", "Severity
    classification", ...; two thirds of the list at least): what such a list names is its
    own."""
    lists: dict[tuple[str, str, str | None], list[Bullet]] = defaultdict(list)
    for agent in agents:
        for bullet in agent.bullets:
            if bullet.parent is None:
                lists[(agent.name, bullet.section, bullet.lead_in)].append(bullet)
    found = set()
    for items in lists.values():
        short = [b.id for b in items if is_checklist_item(b.text)]
        # Mostly short: a merged list keeps its entries beside a longer item or two.
        if short and 3 * len(short) >= 2 * len(items):
            found.update(short)
    return found


def _said_by(text: str, line: str) -> bool:
    """Whether line says every content word of text (a renamed word as written)."""
    return set(needed_terms(text)) <= written_terms(strip_markup(line))


def in_own_lists(bullets: Sequence[Bullet], entries: set[str]) -> bool:
    """Whether a merge writes each of these bullets of one cluster in its own list: short
    entries, each of another list."""
    places = [_written_in(b) for b in bullets]
    return all(b.id in entries for b in bullets) and len(set(places)) == len(places)


def _apart_together(
    apart: Sequence[Bullet], said: TermIndex, unneeded: frozenset[str]
) -> tuple[tuple[Bullet, ...], tuple[tuple[str, str, tuple[str, ...]], ...]]:
    """Members kept apart from a line that are written in one list ("Implement database
    migrations and version control" three times, away from the lead-in list holding their
    cluster's line) are one line there, as a cluster's members are: the one that says the
    most, completed by the others."""
    by_list: dict[_Place, list[Bullet]] = defaultdict(list)
    for member in apart:
        by_list[_written_in(member)].append(member)
    kept: list[Bullet] = []
    lines: dict[str, tuple[str, list[Bullet]]] = {}  # base id -> its line, who says it
    for members in by_list.values():
        base = min(members, key=lambda m: (-len(set(content_terms(m.text))), _source_order(m)))
        # Items of the base's own list are its siblings, each an entry of its own: "Build
        # caching" is no detail of "Artifact caching".
        siblings = [
            m for m in members if m is not base and _place_in_source(m) == _place_in_source(base)
        ]
        rest = [m for m in members if m is not base and m not in siblings]
        composed = _line(base.markdown, rest, said, unneeded) if rest else Composed(base.markdown)
        kept.append(base)
        kept.extend(siblings)
        kept.extend(composed.apart)
        lines[base.id] = (composed.text, [base, *(m for m in rest if m not in composed.apart)])
    # A plain item kept apart folds into a lead-in's item of its cluster as it would into
    # the line (_led): "Implement rate limiting, throttling, and API security measures"
    # is said by "When designing APIs:"'s "Plan for rate limiting and throttling".
    led = [m for m in kept if m.id in lines and _own_place(m) is not None and not m.ordered]
    took_others = {base_id for base_id, _, _ in _lines_written_as(lines)}
    plain = [m for m in kept if _own_place(m) is None and m.id not in took_others]
    for member in plain:
        for base in led:
            text, sayers = lines[base.id]
            composed = _line(text, [member], said, unneeded)
            if not composed.apart:
                lines[base.id] = (composed.text, [*sayers, member])
                kept.remove(member)
                lines.pop(member.id, None)
                break
    order = {m.id: k for k, m in enumerate(apart)}
    return tuple(sorted(kept, key=lambda m: order[m.id])), _lines_written_as(lines)


def _lines_written_as(
    lines: dict[str, tuple[str, list[Bullet]]],
) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """The lines that say more than their base bullet: (its id, the line, who says it)."""
    return tuple(
        (base_id, text, tuple(sorted({m.agent for m in sayers})))
        for base_id, (text, sayers) in lines.items()
        if len(sayers) > 1 or text != sayers[0].markdown
    )


def _place_in_source(bullet: Bullet) -> tuple[str, str, str | None, str | None]:
    """The list a bullet was written in, in its source."""
    return bullet.agent, bullet.section, bullet.lead_in, bullet.parent


def _line(
    text: str, others: Sequence[Bullet], said: TermIndex, unneeded: frozenset[str]
) -> Composed:
    """text completed by others: their details, their unsaid phrases, or they stay apart
    (unneeded: generic names the agent writes anyway, see complete)."""
    generic = lexicon().generic
    words = {w.lower() for w in re.findall(r"[A-Za-z0-9]+", text)}

    def details_of(members: Sequence[Bullet]) -> list[str]:
        if _SENTENCES.search(strip_markup(text)):
            return []  # see _fold
        within = [m for m in members if _within_work(m.text, strip_markup(text))]
        return [
            d
            for d in missing_details(text, within, unneeded)
            # "(API)" or "(REST)" after "RESTful" adds nothing the agent does not say anyway.
            if not ((d.lower() in generic or _variant(d, words)) and d in said)
        ]

    # A member giving examples of something the line does not speak of ("caching layers
    # (Redis, Memcached)" beside "Add appropriate indexes") says something else.
    foreign = [m for m in others if _examples_elsewhere(text, m)]
    others = [m for m in others if m not in foreign]
    apart = (
        *foreign,
        *complete(_with_examples(text, details_of(others), others), others, unneeded).apart,
    )
    # A member that stays a line of its own lends the line no details: it says them. So
    # does another source's copy of it ("E2E" is no detail of "Integration testing").
    kept_apart = {_lead_key(m.markdown) for m in apart}
    apart = (*apart, *(m for m in others if m not in apart and _lead_key(m.markdown) in kept_apart))
    others = [m for m in others if m not in apart]
    composed = complete(_with_examples(text, details_of(others), others), others, unneeded)
    return Composed(composed.text, _distinct((*apart, *composed.apart)))


def complete(
    line: str, others: Sequence[Bullet], unneeded: frozenset[str] = frozenset()
) -> Composed:
    """line extended until it states every content word of others (see _fold), but for
    the generic names (unneeded, lower case) the agent says anyway, and links to every
    target they link to."""
    apart: list[Bullet] = []
    folds = 0  # members whose words the line took as details
    for other in others:
        folded, kept_apart = _fold(line, other, unneeded)
        # Work with a partner on something else is no detail ("Guide devops-engineer on
        # infrastructure (with automation)"); one series of both may still say it.
        kept_apart = kept_apart or not _within_work(other.text, strip_markup(line))
        if not kept_apart and folded.count("(") > line.count("("):
            # Its items under one label, no detail of the line's: "context7: Research QA
            # methodologies, ..., quality standards, automation patterns".
            united = _label_union(line, other.markdown)
            if united is not None and _fold(united, other, unneeded) == (united, False):
                folded = united
        if kept_apart or folded.count("(") > line.count("("):
            # Two wordings of one statement, word for word but for a slot or two: "Optimize
            # application / server performance through profiling and ..." say it once, as
            # one series rather than one and a detail ("Work with kubernetes-specialist on
            # K8s deployments and container platforms", not "... (with kubernetes-specialist
            # on container platforms)").
            # Or, in place of a detail, as one series after the opening both share:
            # "Analyze performance, scalability, reliability needs, and automation
            # opportunities", not "... (automation opportunities)". Not for a member kept
            # apart (other lines may say it) nor a label (_label_union unites those).
            labelled = ":" in line or ":" in other.markdown
            series = None if labelled or kept_apart else _series_union(line, other.markdown)
            for one in (_aligned(line, other.markdown), series):
                if one is not None and _fold(one, other, unneeded) == (one, False):
                    folded, kept_apart = one, False
                    break
        if not kept_apart and folded != line:
            folds += 1
            # A line that has taken folds_per_line members' phrases as details reads as a
            # list of other statements: the next ones are lines of their own.
            kept_apart = folds > _TUNING.folds_per_line
        if kept_apart:
            apart.append(other)
        else:
            line = _with_links(folded, other.markdown)
    # A member kept apart before a later one lent the line the words it needed ("message
    # queues" said by "message queuing systems") is said by the line as it now is.
    apart = [
        m
        for m in apart
        if _fold(line, m, unneeded) != (line, False) or not _within_work(m.text, strip_markup(line))
    ]
    return Composed(line, _distinct(apart))


# A line's words for aligning it with another: a parenthesis is one token, as are commas.
_ALIGN_TOKEN = re.compile(r"\([^()]*\)|[^\s,;:()]+|,")


def _labels_united(composed: Composed, unneeded: frozenset[str]) -> Composed:
    """composed with each member kept apart that writes a series under the line's label
    taken into its series: "context7: Research incident response procedures, ..., monitoring
    best practices, tool documentation", where neither could take the other's as details."""
    text, apart = composed.text, list(composed.apart)
    for member in composed.apart:
        united = _label_union(text, member.markdown)
        if united is not None and _fold(united, member, unneeded) == (united, False):
            text = united
            apart.remove(member)
    return replace(composed, text=text, apart=tuple(apart))


def _label_union(line: str, other: str) -> str | None:
    """line and other, two series under one label ("sequential-thinking: ..."), as one: the
    verb both open with, then every item of either once. None when the labels differ,
    either says more than a series, or the series would read as a list of its own."""
    ours, theirs = _ITEM_LABEL.match(line), _ITEM_LABEL.match(other)
    if ours is None or theirs is None or ours.group(0).lower() != theirs.group(0).lower():
        return None
    bodies = [line[ours.end() :].strip().rstrip("."), other[theirs.end() :].strip().rstrip(".")]
    if any(_SENTENCES.search(body) or SERIES_BREAK.search(body) or "(" in body for body in bodies):
        return None
    words = [body.split() for body in bodies]
    # The verb both open with ("Research"); the words after it open both first items
    # ("incident response procedures", "incident response patterns"), each an item of its own.
    shared = 1 if words[0][0].lower() == words[1][0].lower() else 0
    if shared and words[0][0].endswith(","):
        return None
    parts = [list_parts(" ".join(w[shared:])) for w in words]
    if any(len(found) < 2 for found in parts):
        return None  # a phrase, not a series
    candidates = [
        *parts[0],
        *(i if named_terms(i.split()[0]) else _uncapitalized(i) for i in parts[1]),
    ]
    # "best practices" (no content term: its words) by "industry best practices";
    # "Browser automation" by "automated browser testing".
    said = [set(content_terms(item)) | set(item.lower().split()) for item in candidates]
    needed = [
        set(content_terms(item)) or words for item, words in zip(candidates, said, strict=True)
    ]
    items = _each_once(candidates, needed, said)
    if len(items) > _TUNING.step_items_max:
        return None
    if not shared and bodies[0][:1].isupper():
        items[0] = items[0][:1].upper() + items[0][1:]
    opening = f"{words[0][0]} " if shared else ""
    end = "." if line.rstrip().endswith(".") else ""
    return f"{ours.group(0)}{opening}{', '.join(items)}{end}"


def _aligned(line: str, other: str) -> str | None:
    """line and other as one line when they say one statement in the same words but for a
    few slots, each a word or a plain series: "Optimize application performance through
    profiling and resource utilization analysis" and "Optimize server performance through
    profiling and monitoring" are "Optimize application and server performance through
    profiling, resource utilization analysis and monitoring". What only one of them says
    (a qualifier, "from the start") is kept where it stands. None when they differ in more
    than a few slots, in a clause, or in stance."""
    if re.search(r"[*_`\[\]<>:]", line + other):
        return None  # markup, or a label ("magic: Generate ...") the tokens would lose
    end = "." if line.endswith(".") else ""
    ours, theirs = (_ALIGN_TOKEN.findall(text.rstrip(".")) for text in (line, other))
    stop = lexicon().stopwords

    def content(tokens: Sequence[str]) -> list[str]:
        return [t for t in tokens if t != "," and t.lower() not in stop]

    # Words as written: "queries" is no "query" (its phrase would read "queries execution").
    matcher = difflib.SequenceMatcher(
        None, [t.lower() for t in ours], [t.lower() for t in theirs], False
    )
    blocks = matcher.get_opcodes()
    shared = [t for tag, i, j, _, _ in blocks if tag == "equal" for t in content(ours[i:j])]
    if (
        len(shared) < 2
        or 2 * len(shared) < min(len(content(ours)), len(content(theirs)))
        or sum(tag != "equal" for tag, *_ in blocks) > 3
    ):
        return None
    out: list[str] = []
    for n, (tag, i, j, k, m) in enumerate(blocks):
        mine, yours = ours[i:j], theirs[k:m]
        if tag == "equal":
            if not content(mine):  # a lone "and" or "for" aligns nothing
                return None
            out.extend(mine)
            continue
        for side in (mine, yours):
            if side and (
                len(side) > _TUNING.slot_max_words
                or side[0].lower() in ("and", "or", ",")
                or side[-1].lower() in ("and", "or", ",")
                or not lexicon().turning.isdisjoint(t.lower() for t in side)
            ):
                return None
        if tag != "replace":  # said by one of them only: kept where it stands
            if n == 0 or any(t.lower() in QUALIFYING for t in mine or yours):
                return None  # an opening or a clause only one has is another statement
            out.extend(mine or yours)
            continue
        for side in (mine, yours):
            # No slot holds a clause or a determiner ("the data" is no item of a series).
            breaks = QUALIFYING | lexicon().determiners
            if any(t.startswith("(") or t.lower() in breaks for t in side):
                return None
        items = _slot_items(mine) + [
            item for item in _slot_items(yours) if item.lower() not in map(str.lower, out)
        ]
        if n == 0:  # an opening verb of other's, no longer the line's first word ("GCP" stays)
            # A verb that says only "with" beside another is no second verb: "Work with
            # ...", not "Work and coordinate with ..." (an editor read it as awkward).
            vague = lexicon().fillers & lexicon().collaboration
            said = [i for i in items if i.lower() not in vague] or items[:1]
            items = [said[0], *(_uncapitalized(i) for i in said[1:])]
        if out and out[-1].lower() in ("and", "or"):
            out[-1] = ","  # "profiling and X" + "Y": "profiling, X and Y"
        follows = n + 1 < len(blocks) and ours[blocks[n + 1][1]].lower() in ("and", "or", ",")
        out.append(", ".join(items) if follows else _series_text(items))
    text = ""
    for token in out:
        text += token if token == "," else f" {token}" if text else token
    return text + end


def _a_role(sentence: str) -> str:
    """A bare role ("Test Automation Specialist responsible for ...") as a noun phrase with
    its article, a Title Case role as written: "a Test Automation Specialist ...", "a senior
    React engineer ..." ("Also test Automation Specialist" read as a typo)."""
    words = sentence.split()
    titled = len(words) > 1 and words[1][:1].isupper()
    role = sentence if titled else _uncapitalized(sentence)
    return f"{'an' if role[:1].lower() in 'aeiou' else 'a'} {role}"


def _uncapitalized(phrase: str) -> str:
    """phrase as written inside a sentence: "Choose" -> "choose"; "GCP", "iOS" as they are."""
    word = phrase.split()[0]
    return phrase[:1].lower() + phrase[1:] if word[1:].islower() else phrase


def _slot_items(tokens: Sequence[str]) -> list[str]:
    """The items of a slot's words: "data patterns and scale requirements" -> two."""
    items: list[list[str]] = [[]]
    for token in tokens:
        if token.lower() in ("and", "or") or token == ",":
            items.append([])
        else:
            items[-1].append(token)
    return [" ".join(words) for words in items if words]


def _series_text(items: Sequence[str], serial: str = "") -> str:
    """items as a series: "a, b and c" ("a, b, and c" with the serial comma)."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])}{serial} and {items[-1]}"


def _distinct(members: Sequence[Bullet]) -> tuple[Bullet, ...]:
    """Members kept apart in the same words (one item under two lead-ins) are one line:
    written twice, a merge of the merge would make them one."""
    distinct: dict[str, Bullet] = {}
    for member in members:
        distinct.setdefault(_lead_key(member.markdown), member)
    return tuple(distinct.values())


_INLINE_LINK = re.compile(r"(?<!!)\[([^\[\]]+)\]\(([^()\s]+(?:\s+\"[^\"]*\")?)\)")


def _with_links(line: str, markdown: str) -> str:
    """line linking to every target markdown links to: the words it links become the link
    where line says them as plain text ("JSON Schema" -> "[JSON Schema](https://...)");
    otherwise the link is a detail."""
    for match in _INLINE_LINK.finditer(markdown):
        words, target = match.groups()
        if f"({target})" in line:
            continue
        # Plain words only: not inside another link's text or target, nor in code.
        plain = re.search(
            rf"(?<![\w\[/`])({re.escape(words)})(?![\w\]`])", _INLINE_LINK.sub(_blank, line), re.I
        )
        if plain:
            start, end = plain.span(1)
            line = f"{line[:start]}[{line[start:end]}]({target}){line[end:]}"
        else:
            line = with_details(line, [match.group(0)])
    return line


def _blank(match: re.Match[str]) -> str:
    """A link blanked out to the same length, so offsets still point into the line."""
    return "\0" * len(match.group(0))


def _fold(line: str, other: Bullet, unneeded: frozenset[str]) -> tuple[str, bool]:
    """line with other's unsaid parts as details; (line, True) when other must stay apart.

    The parts are other's own phrases (its list items and clauses): "Design data backup,
    recovery, and replication strategies" adds "replication strategies". When the unsaid
    parts are most of what other says ("Sharding for large datasets" beside "Pagination
    for large datasets"), or too long to read as details, other is a statement of its own.
    """
    plain = strip_markup(line)
    said = set(content_terms(plain))
    # A synonym counts as said only as written: "throttling" beside "rate limiting" is lost.
    written = written_terms(plain)
    renamed = [w for w in renamed_terms(other.text) if w not in written]
    terms = [*content_terms(other.text), *renamed]
    # A generic name ("APIs", "HTTP") the agent says anyway; "Code" opening a line is a word.
    names = {t for n in named_terms(other.text) if n.lower() in unneeded for t in content_terms(n)}
    lost = [t for t in dict.fromkeys(terms) if t not in said and t not in names]
    if not lost:
        return line, False
    if _SENTENCES.search(plain):
        # A line of sentences takes no details: "... does one thing well (SOLID), and
        # composable components following SOLID principles." reads as neither.
        return line, True
    if _PLACEHOLDER.search(other.text) or _PLACEHOLDER.search(plain):
        # A template's slot ("**Benefit**: [How this improves the code]") says what to
        # write there: it is no detail of a statement, nor a statement taking one.
        return line, True
    core = checklist_core(other.text) or ()
    if 2 * len(lost) > len(set(terms)) or not set(lost).isdisjoint(core):
        # A short item naming a practice of its own is an item of its own: "Deployment
        # triggers" beside "Rollback triggers", never "(Deployment triggers)" after it; its
        # qualifier ("per endpoint") is a detail.
        return line, True
    parts = []
    phrases = _phrases(other.text)
    for index, part in enumerate(phrases):
        part_terms = set(content_terms(part)) | set(renamed_terms(part))
        if index == 0 and _modifier_in(plain, part):
            # "Design CI/CD pipelines" is not said by "CI/CD pipeline integration": there the
            # pipeline only qualifies what the line is about.
            return line, True
        if part_terms & set(lost):
            if index == 0:
                # The item's opening is its statement: its verb and object ("Identify
                # potential bottlenecks", "Configure HTTPS") or its subject ("Sharding for
                # ..."); none reads as a detail of another.
                return line, True
            detail = _trim(part, part_terms & set(lost))
            if " " not in detail and not named_terms(detail):
                # One plain word ("pattern", "tools") says nothing as a detail of another.
                return line, True
            following = phrases[index + 1] if index + 1 < len(phrases) else ""
            if _series_goes_on(detail, following, lost):
                # A clause whose object a series goes on with is no phrase of its own: "by a
                # suite of unit" of "covered by a suite of unit, integration, and E2E tests".
                return line, True
            parts.append(detail)
            said |= part_terms
    too_long = any(len(p.split()) > _TUNING.detail_max_words for p in parts)
    if not parts or too_long or len(parts) > _TUNING.fold_max_parts or _ACRONYM_END.search(plain):
        # After "attribute-based (ABAC)" no phrase reads as part of the line: ", and
        # permission systems" did not.
        return line, True
    for part in list(parts):
        placed = _after_its_phrase(line, part, other.text)
        if placed is not None:
            line, parts = placed, [p for p in parts if p != part]
    folded = with_items(line, parts) if parts else line
    # A phrase the lexicon reads across parts ("unit and integration tests") is in none.
    if not set(lost) <= written_terms(strip_markup(folded)):
        return line, True
    if _mixed_parenthesis(folded) and not _mixed_parenthesis(line):
        # A clause among names reads as one more name: "`Context` API (Redux, for complex
        # applications)".
        return line, True
    return folded, False


def _mixed_parenthesis(text: str) -> bool:
    """Whether text ends in a parenthesis listing a clause ("for complex applications")
    beside other items."""
    trailing = _TRAILING_LIST.search(strip_markup(text))
    items = [item.split() for item in trailing.group(1).split(", ")] if trailing else []
    return len(items) > 1 and any(words and words[0].lower() in CLAUSE_WORDS for words in items)


_TRAILING_LIST = re.compile(r"\(([^()]*)\)\s*[.;:]?\s*$")


def _series_goes_on(clause: str, following: str, lost: Sequence[str]) -> bool:
    """Whether clause (a list part taken as a detail) ends in the first item of a series
    that following (the next part) goes on with: the clause opens with a clause word, ends
    in a word the line says already ("unit"), and following is a short item the line says
    too ("integration")."""
    words = clause.split()
    last = set(content_terms(words[-1])) | set(renamed_terms(words[-1]))
    after = set(content_terms(following)) | set(renamed_terms(following))
    return (
        words[0].lower() in CLAUSE_WORDS
        and last.isdisjoint(lost)
        and bool(following)
        and len(following.split()) <= 2
        and after.isdisjoint(lost)
    )


def _modifier_in(line: str, opening: str) -> bool:
    """Whether the head of opening (its last word) is in line only as a word qualifying the
    next one ("pipelines" in "CI/CD pipeline integration")."""
    words = opening.split()
    if len(words) < 2 or not content_terms(words[-1]):
        return False
    head = content_terms(words[-1])[0]
    found = [
        m for m in re.finditer(r"[\w/+#.-]+", line) if content_terms(m.group(0))[:1] == (head,)
    ]
    if not found:
        return False
    for match in found:
        following = re.match(r"\s+([\w/+#.-]+)", line[match.end() :])
        word = following.group(1).lower() if following else ""
        if not following or word in ("and", "or") or word in QUALIFYING or not content_terms(word):
            return False  # a head somewhere: the line says it
    return True


# Where one sentence of a line ends and another starts.
_SENTENCES = re.compile(r"[.!?]\s+[A-Z]")
# A template's slot: words in brackets ("[File Path]", "[Brief overall evaluation]"), not a
# checkbox ("[ ]") or code ("#[cfg(test)]").
_PLACEHOLDER = re.compile(r"\[[A-Za-z][^\[\]]*\s[^\[\]]*\]")


def _phrases(text: str) -> list[str]:
    """text's list parts, a verb with no object of its own joined to the clause it opens:
    "Plan for data migration" is one statement, never the detail "for data migration"."""
    parts = list_parts(text)
    if (
        len(parts) > 1
        and not content_terms(parts[0])
        and parts[1].split()[0].lower() in CLAUSE_WORDS
    ):
        return [f"{parts[0]} {parts[1]}", *parts[2:]]
    return parts


def _trim(part: str, needed: set[str]) -> str:
    """part less leading words it can do without and still say needed ("Implement load
    balancing" -> "load balancing"; "token refresh" stays whole, the lexicon reads it as one
    term); a clause keeps its opening word ("to prevent abuse")."""
    words = part.strip(" .;:").split()
    if words and words[0].lower() in CLAUSE_WORDS:
        return " ".join(words)
    while len(words) > 1 and needed <= set(content_terms(" ".join(words[1:]))):
        words.pop(0)
    return " ".join(words)


def _section_key(c: Cluster) -> tuple[str, str]:
    # An unclassified cluster keeps the title of a section that is itself unclassified, so
    # the merged agent reads back with the same topics.
    # The representative's own first: the line is written where it was.
    members = (c.representative, *c.members)
    title = next((m.section for m in members if m.topic == OTHER and m.section), "")
    return _merged_section(c.topic, title)


def _merged_section(topic: str, title: str) -> tuple[str, str]:
    """The merged section for a topic: its canonical title; 'other' keeps the source title
    (a sentence's without its colon, as a heading reads back)."""
    if topic != OTHER:
        return (topic, topic_title(topic))
    return (topic, title.rstrip(":") or topic_title(OTHER))


def _cluster_order(c: Cluster) -> tuple[int, str, int, str]:
    first = c.members[0]
    return (-len(c.agents), first.agent, first.line, first.id)


def _section_text(
    agents: Sequence[Agent], name: str
) -> tuple[
    dict[tuple[str, str], list[str]],
    dict[tuple[str, str], dict[str, list[str]]],
    dict[tuple[str, str], list[str]],
    dict[str, tuple[tuple[str, int], ...]],
]:
    """Section paragraphs, sub-sections of words only (MergedSection.subsections) and verbatim
    blocks per merged section (the one the section's lists are written in), each distinct one
    once, naming the merged agent (name) where it named a source; and where each of its
    sources wrote each block, by agent and line."""
    sources = [a.source.declared_name for a in agents]
    paragraphs: dict[tuple[str, str], list[str]] = defaultdict(list)
    subsections: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(dict)
    verbatim: dict[tuple[str, str], list[str]] = defaultdict(list)
    verbatim_at: dict[str, tuple[tuple[str, int], ...]] = {}
    seen: set[str] = set()
    for agent in agents:
        for section, following in itertools.zip_longest(agent.sections, agent.sections[1:]):
            key = _merged_section(*section.home)
            if (
                following is not None
                and following.level > section.level
                and not (section.bullets or section.verbatim)
            ):
                # A section of words only introduces its sub-sections ("This agent adheres to
                # the following core development principles."): it goes where the first does.
                key = _merged_section(*following.home)
            for written, line in zip(section.verbatim, section.verbatim_lines, strict=True):
                block = as_merged(written, sources, name)
                if block.strip() in seen:
                    continue
                seen.add(block.strip())
                blocks = verbatim[key]
                for k, earlier in enumerate(blocks):
                    united = _template_union(earlier, block) or _message_union(earlier, block)
                    if united is not None:
                        blocks[k] = united
                        # Written after what either source wrote before it ("Automation
                        # patterns:" before test-automator's progress report, not after).
                        verbatim_at[united] = (*verbatim_at.pop(earlier), (agent.name, line))
                        break
                else:
                    blocks.append(block)
                    verbatim_at[block] = ((agent.name, line),)
            fresh = [text for text in section.paragraphs if _folded(text) not in seen]
            seen.update(map(_folded, fresh))
            if fresh and _keeps_title(section, following, key):
                # Its title says what its words are about ("Focus Areas" over "**Unit Test
                # Design**" ...); among the section's own words it was lost.
                subsections[key].setdefault(section.title.rstrip(":"), []).extend(fresh)
            elif fresh:
                paragraphs[key].extend(fresh)
    # Lead-ins ("Your implementations must:") last, just above the merged list.
    for texts in paragraphs.values():
        texts.sort(key=introduces)
    return paragraphs, subsections, verbatim, verbatim_at


def _keeps_title(section: Section, following: Section | None, key: tuple[str, str]) -> bool:
    """Whether a section is a sub-section of words only that keeps its title in the merged
    agent: one of a level under the merged section's headings, with neither lists nor
    templates nor sub-sections of its own, titled other than its merged section."""
    return (
        section.level >= 3
        and bool(section.paragraphs)
        and not (section.bullets or section.verbatim)
        and not (following is not None and following.level > section.level)
        and key != _OPENING
        and _lead_key(section.title) != _lead_key(key[1])
    )


def _in_one_sentence(first: str, second: str) -> str | None:
    """first and second as one sentence when both say to do something by doing something
    else: "Initialize MLOps by understanding platform needs." and "Initialize ML engineering
    by understanding models and requirements." are "Initialize MLOps and ML engineering by
    understanding platform needs, models and requirements." (two sources' openings of one
    step, read as one said twice): what is done is joined, what it is done by is the union
    of both series. None for any other pair."""
    if not (first.endswith(".") and second.endswith(".")):
        return None
    if any(_SENTENCE.search(t) or re.search(r"[*`:;()\[\]]", t) for t in (first, second)):
        return None
    mine, their_means = _MEANS.search(first), _MEANS.search(second)
    if mine is None or their_means is None or mine.group(1) != their_means.group(1):
        return None
    means = (mine, their_means)
    ours, theirs = (t[: m.start()].split() for t, m in zip((first, second), means, strict=True))
    if ours[:1] != theirs[:1]:
        return None
    # What is done: its opening word, then each one's rest, joined ("engineering and MLOps").
    done = [" ".join(words[1:]) for words in (ours, theirs)]
    if done[0].lower() == done[1].lower() or not done[1]:
        what = done[0]
    else:
        what = _one_more_item(*done) if done[0] else done[1]
    items = _words_once(
        [
            part
            for t, m in zip((first, second), means, strict=True)
            for part in list_parts(t[m.end() : -1])
        ]
    )
    frame = " ".join(filter(None, (ours[0], what, mine.group(1))))
    return f"{frame} {_series_text(items)}."


# "... by understanding ...": a step and what it is done by.
_MEANS = re.compile(r" (by \w+ing) ")


_JSON_BLOCK = re.compile(r"^```json\n(.*)\n```$", re.DOTALL)
# A string field that asks for a series: "ML context needed: use case, data characteristics,
# and business constraints."
ASKS_FOR = re.compile(r"^([^:]{1,60}): ([^:.;()]+)\.?$")
JsonValue = dict[str, "JsonValue"] | list["JsonValue"] | str | int | float | bool | None


def _template_union(first: str, second: str) -> str | None:
    """first and second (a template block: its sentences, a lead-in, a JSON object) as one
    block, when both objects have the same keys at the top and both lead-ins end in the same
    word: the merged agent sends one context query and reports one progress, with every
    field either has and every item either asks for ("MLOps context needed: model types,
    ..., team size, and growth projections."). A value both give differently is an example
    of its kind; the first is kept. None when either block is something else."""
    read = [json_template(block) for block in (first, second)]
    if read[0] is None or read[1] is None:
        return None
    (ours, our_prose), (theirs, their_prose) = read[0], read[1]
    if ours.keys() != theirs.keys() or not (our_prose and their_prose):
        return None
    lead, their_lead = our_prose[-1], their_prose[-1]
    if not (lead.endswith(":") and their_lead.endswith(":")):
        return None
    if lead.split()[-1].lower() != their_lead.split()[-1].lower():
        return None
    sentences: list[str] = []
    for sentence in [*our_prose[:-1], *their_prose[:-1]]:
        words = set(sentence.lower().split())
        if not any(words <= set(other.lower().split()) for other in sentences):
            sentences = [o for o in sentences if not set(o.lower().split()) <= words]
            sentences.append(sentence)
    sentences = _sentences_once(sentences, _in_one_sentence)
    try:
        united = json.dumps(_json_union(ours, theirs), indent=2, ensure_ascii=False)
    except _NotOne:
        return None
    return "\n\n".join([*sentences, lead, f"```json\n{united}\n```"])


def _message_union(first: str, second: str) -> str | None:
    """first and second, messages the agent gives under one label ("Delivery notification:
    \"ML system completed. ...\""), as one block: the label once, then each source's
    message, an example of it, and the label says so ("Delivery notification (examples):";
    two editors read two sources' messages under one label as one message contradicting
    itself, 94% beside 83% coverage). None when either is something else or the labels
    differ."""
    ours, theirs = labelled_messages(first), labelled_messages(second)
    if ours is None or theirs is None or ours[0].lower() != theirs[0].lower():
        return None
    messages = [*ours[1], *(m for m in theirs[1] if m not in ours[1])]
    return "\n\n".join([f"{ours[0]}{MESSAGE_EXAMPLES}:", *messages])


# What a label over several sources' messages says they are.
MESSAGE_EXAMPLES = " (examples)"


def labelled_messages(block: str) -> tuple[str, list[str]] | None:
    """A message block's label (without MESSAGE_EXAMPLES) and its messages (a quoted
    paragraph each), or None."""
    match = _LABELLED.match(block)
    if match is None:
        return None
    messages = match.group(2).split("\n\n")
    label = match.group(1).removesuffix(MESSAGE_EXAMPLES)
    return (label, messages) if all(m.startswith('"') for m in messages) else None


_LABELLED = re.compile(r'^([^"\n]{1,60}):\s+(".*)$', re.DOTALL)


def json_template(block: str) -> tuple[dict[str, JsonValue], list[str]] | None:
    """A template block's JSON object and the paragraphs before it, or None."""
    prose, _, code = block.rpartition("\n\n")
    match = _JSON_BLOCK.match(code.strip())
    if match is None:
        return None
    try:
        data = json.loads(match.group(1))
    except ValueError:
        return None
    return (data, prose.split("\n\n") if prose else []) if isinstance(data, dict) else None


class _NotOne(Exception):
    """Two templates that are not one: a value of one says what the other's does not."""


def _json_union(ours: JsonValue, theirs: JsonValue) -> JsonValue:
    """ours with what theirs adds: the other items of a series asked for. Other keys or
    two different values are not one (_NotOne): "get_audit_context" beside
    "get_security_context", "auditing" beside "implementing" (kept as the first's example,
    four editors read the other as lost, and one report of two projects' figures as wrong)."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        if ours.keys() != theirs.keys():
            # Two reports of other figures ("components_reviewed" beside "files_reviewed"):
            # united, the review editor read one report of two projects.
            raise _NotOne
        return {k: _json_union(v, theirs[k]) for k, v in ours.items()}
    if ours == theirs:
        return ours
    asked = [ASKS_FOR.match(v) if isinstance(v, str) else None for v in (ours, theirs)]
    if asked[0] is not None and asked[1] is not None:
        once: dict[str, str] = {}
        for item in list_parts(asked[0].group(2)) + list_parts(asked[1].group(2)):
            once.setdefault(item.lower(), item)
        return f"{asked[0].group(1)}: {_series_text(list(once.values()), ',')}."
    raise _NotOne


def as_merged(block: str, sources: Sequence[str], name: str) -> str:
    """A template that names a source agent as a string ("agent": "qa-expert") names the
    merged agent: the progress it reports is the merged agent's."""
    quoted = _quoted_names(frozenset(sources))
    return quoted.sub(f'"{name}"', block) if quoted else block


@cache
def _quoted_names(sources: frozenset[str]) -> re.Pattern[str] | None:
    """One pattern for the sources' names as JSON strings, built once for every block."""
    named = "|".join(re.escape(source) for source in sorted(sources, key=len, reverse=True))
    return re.compile(rf'"(?:{named})"') if named else None


def _folded(paragraph: str) -> str:
    """A paragraph as compared with others: lower case, white space folded."""
    return " ".join(paragraph.lower().split())


def _closing(agents: Sequence[Agent], written: Sequence[str]) -> tuple[str, ...]:
    """The sources' closing paragraphs, each distinct one once, less those a section writes
    (written)."""
    seen = {_folded(text) for text in written}
    closing = []
    for text in (text for agent in agents for text in agent.closing):
        folded = _folded(text)
        if folded not in seen:
            seen.add(folded)
            closing.append(text)
    priorities = [text for text in closing if _PRIORITIZE.match(text)]
    if len(priorities) < 2:
        return tuple(closing)
    # VoltAgent's agents each end "Always prioritize X, Y, and Z while ...": merged, one
    # sentence, where the first was, holds every priority and every "while" once.
    first = closing.index(priorities[0])
    rest = [text for text in closing if text not in priorities]
    return (*rest[:first], _priorities_once(priorities), *rest[first:])


# "Always prioritize [security, performance, and maintainability] while [building ...]."
_PRIORITIZE = re.compile(r"^(Always prioritize) ([^.;:!?]+?) while ([^.;:!?]+)\.$")


def _priorities_once(closings: Sequence[str]) -> str:
    """One "Always prioritize ... while ..." of several: each priority once (one another says
    with more words is said by it: "reliability" by "system reliability"), and each purpose
    once, in their order."""
    matches = [m for m in map(_PRIORITIZE.match, closings) if m is not None]
    priorities = _words_once([part for m in matches for part in list_parts(m.group(2))])
    purposes = _words_once([m.group(3) for m in matches])
    serial = "," if any(", and " in m.group(2) for m in matches) else ""
    prioritize = f"{matches[0].group(1)} {_series_text(priorities, serial)} while"
    imperatives = lexicon().imperatives
    if all(p.split()[0].lower() in imperatives for p in purposes[1:]):
        # Each purpose after the first a sentence of its own ("Build ML platforms that
        # ..."): joined after one "while", three editors read the sentence as a run-on.
        rest = [_as_imperative(purpose, imperatives) for purpose in purposes[1:]]
        return " ".join([f"{prioritize} {purposes[0]}.", *rest])
    if len(purposes) == 2:
        # "while maintaining ..., and building ...": one "while", each purpose with its verb
        # ("as well as focus on", once written for two of one verb, read as a dangling noun).
        why = f"{purposes[0]}, and {purposes[1]}"
    else:  # their own series hold commas: semicolons part them
        why = f"{'; '.join(purposes[:-1])}; and {purposes[-1]}"
    return f"{prioritize} {why}."


def _as_imperative(purpose: str, imperatives: dict[str, str]) -> str:
    """A purpose ("maintaining data integrity and supporting business growth") as an order:
    "Maintain data integrity and support business growth."."""
    verb, rest = purpose.split(" ", 1)
    rest = re.sub(
        r"\b(and|or) (\w+ing)\b",
        lambda m: f"{m.group(1)} {imperatives.get(m.group(2), m.group(2)).lower()}",
        rest,
    )
    return f"{imperatives[verb.lower()]} {rest}."


def _variant(term: str, words: set[str]) -> bool:
    """Every word of term is one of words, or one with or without a short suffix: REST
    beside RESTful, "GraphQL APIs" beside "GraphQL API"."""

    def known(word: str) -> bool:
        return any(
            w == word
            or ((w.startswith(word) or word.startswith(w)) and abs(len(w) - len(word)) <= 3)
            for w in words
        )

    return all(known(w) for w in re.findall(r"[a-z0-9]+", term.lower()))


def _others(c: Cluster) -> list[Bullet]:
    return [m for m in c.members if m is not c.representative]


def with_details(text: str, missing: Sequence[str]) -> str:
    """text with details appended in parentheses (inside its own trailing list, if any);
    clauses opening with one word are one ("(for performance and scalability)")."""
    if not missing:
        return text
    # A link's "(target)" is no list: "[guide](url)" gets a parenthesis of its own.
    match = re.search(r"(?<!\])\(([^()]*)\)\s*([.;:]?)\s*$", text)
    if match and _ACRONYM.fullmatch(match.group(1)):
        # "attribute-based (ABAC)" names a thing: "(ABAC, permission systems)" would call
        # permission systems ABAC.
        return f"{text[: match.end(1) + 1]}, and {', '.join(missing)}{match.group(2)}"
    if match:  # extend the representative's own trailing list
        items = _clauses_joined([*match.group(1).rstrip().split(", "), *missing])
        return f"{text[: match.start()]}({', '.join(items)}){match.group(2)}"
    stripped = text.rstrip()
    end = stripped[-1] if stripped and stripped[-1] in ".;:" else ""
    body = stripped[:-1] if end else stripped
    return f"{body} ({', '.join(_clauses_joined(missing))}){end}"


def _with_examples(text: str, details: Sequence[str], others: Sequence[Bullet]) -> str:
    """text with details; an example a member gives in parentheses after a phrase text says
    too, right after that phrase: "Implement secure authentication systems (session-based)
    using JWT, OAuth2, SAML protocols", not "... SAML protocols (session-based)"."""
    rest = []
    said = written_terms(strip_markup(text))
    for detail in details:
        # "functional components and React Hooks"; "Employ async/await syntax and Promise
        # APIs for cleaner asynchronous code", not "... code (Promise APIs)".
        qualified = _qualified(text, detail) or _in_opening(text, detail)
        if _still_says(qualified, said):
            text = qualified
            continue
        placed = next(
            (
                p
                for m in others
                if (
                    p := _beside_sibling(text, detail, m) or _placed_after(text, detail, m.markdown)
                )
                is not None
            ),
            None,
        )
        if placed is None:
            rest.append(detail)
        else:
            text = placed
    return with_details(text, rest)


_COMPOUND_ADJECTIVE = re.compile(r"\w+-\w+ed")


def _beside_sibling(text: str, detail: str, member: Bullet) -> str | None:
    """text with detail as an item of its series, beside an item the member wrote next to
    it that text lists too: "dependency injection, Repository, module federation" from
    "Applying patterns like Dependency Injection, Repository, and Module Federation", not
    "... module federation (Repository)"."""
    if len(detail.split()) > _TUNING.sibling_max_words:
        return None
    # Its series' items, the first without what introduces it ("solutions like Provider").
    items = [
        _CONJUNCTION.sub("", _EXAMPLES_OPEN.split(item)[-1].strip(" .;:")).lower()
        for item in re.split(r"[,()]", strip_markup(member.text))
    ]
    if detail.lower() not in items:
        return None
    at = items.index(detail.lower())
    # The next sibling first ("union, intersection" before "conditional types"), else the
    # one before it.
    for sibling, before in [
        *((s, True) for s in items[at + 1 :]),
        *((s, False) for s in items[:at][::-1]),
    ]:
        if not sibling or sibling == detail.lower():
            continue
        found = re.search(
            rf"(?:(?<=[,:(] )|,? (or) )({re.escape(sibling)})(?=,| and | or |\)|\.?$)",
            text,
            re.IGNORECASE,
        )
        if found is None:
            continue
        conjunction = found.group(1)
        start, end = found.start(2), found.end(2)
        if conjunction is None:
            if before:
                return f"{text[:start]}{detail}, {text[start:]}"
            return f"{text[:end]}, {detail}{text[end:]}"
        # The last choice: the "or" stays before the new last ("Redux, MobX, Provider, or
        # Riverpod", not "... or Provider (Riverpod)"); a pair "and" joins ("SSR and SSG")
        # is left as written.
        head, sibling_text = text[: found.start()], text[start:end]
        if before:
            return f"{head}, {detail}, {conjunction} {sibling_text}{text[end:]}"
        return f"{head}, {sibling_text}, {conjunction} {detail}{text[end:]}"
    return None


# The "and" or "or" opening a series' last item.
_CONJUNCTION = re.compile(r"^(?:and|or)\s+")
_EXAMPLES_OPEN = re.compile(r"\b(?:like|such as|including|e\.g\.)\s+", re.IGNORECASE)


def _placed_after(text: str, detail: str, markdown: str) -> str | None:
    """text with detail in parentheses after the phrase markdown gives it as an example of,
    where text says that phrase, whole, before its end; None otherwise."""
    for match in _PARENTHESIS.finditer(markdown):
        items = [i.strip() for i in _LIST_SPLIT.split(match.group(1))]
        if detail not in items:
            continue
        named_with = [i for i in items if i != detail]
        series = _series_of(text, named_with)
        # An adjective ("session-based") is no choice of a series of names: ", or
        # session-based" after "SAML protocols" dangles; it goes after what it qualifies.
        if series is not None and not _COMPOUND_ADJECTIVE.fullmatch(detail):
            # The others are a series text writes ("using JWT, OAuth2, SAML protocols"): one
            # more choice of it, "..., or session-based".
            return f"{text[:series]}, or {detail}{text[series:]}"
        for written in _phrases_before(markdown[: match.start()]):
            phrase = re.escape(written)
            # Whole: "authentication and authorization" in "... authorization patterns" is
            # no phrase of its own.
            found = re.search(
                rf"(?<![\w-]){phrase}(?: \(([^()]*)\))?(?=[,;:]|\s+(?:and|or|{_CLAUSES})\s)",
                text,
                re.IGNORECASE,
            )
            if found is None:
                continue
            if found.group(1) is None:
                return f"{text[: found.end()]} ({detail}){text[found.end() :]}"
            return f"{text[: found.end(1)]}, {detail}{text[found.end(1) :]}"
        # Beside the examples it was given with ("in-memory" with "Redis").
        for held in _PARENTHESIS.finditer(text):
            if held.end() < len(text.rstrip(" .;:")) and set(named_with) & {
                i.strip() for i in _LIST_SPLIT.split(held.group(1))
            }:
                return f"{text[: held.end(1)]}, {detail}{text[held.end(1) :]}"
    return None


def _phrases_before(text: str) -> Iterator[str]:
    """The phrases text ends in, of two words or more, the longest first (up to the longest
    a detail may be)."""
    words = text.split()[-_TUNING.detail_max_words :]
    for start in range(len(words) - 1):
        yield " ".join(words[start:])


def _after_its_phrase(text: str, detail: str, member: str) -> str | None:
    """text with a detail that qualifies a phrase ("for stakeholders" after "data-driven
    insights" in the member) right after that phrase, where text says it whole (two words
    or more) past its opening: "provide data-driven insights for stakeholders and for
    decision-making", not "... for decision-making (for stakeholders)" (nor "for
    stakeholders for decision-making", read as a doubled preposition); None otherwise."""
    if detail.split()[0].lower() not in CLAUSE_WORDS:
        return None
    at = member.find(f" {detail}")
    for phrase in _phrases_before(member[:at]) if at > 0 else ():
        found = re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text, re.IGNORECASE)
        # Not in the line's opening or its bold label ("Query context manager for ..."):
        # what the line is about takes its own words, a detail goes after it.
        if (
            found is not None
            and len(text[: found.start()].split()) >= 3
            and "**" not in text[found.start() :]
        ):
            rest = text[found.end() :]
            again = rest.split(maxsplit=1)[:1] == detail.split(maxsplit=1)[:1]
            return f"{text[: found.end()]} {detail}{' and' if again else ''}{rest}"
    return None


def _series_of(text: str, items: Sequence[str]) -> int | None:
    """Where the comma series of text that names every one of items (two at least) ends,
    when it has no conjunction yet; None otherwise."""
    found = [re.search(rf"(?<![\w-]){re.escape(item)}(?![\w-])", text) for item in items if item]
    if len(found) < 2 or any(f is None for f in found):
        return None
    spans = sorted((f.start(), f.end()) for f in found if f is not None)
    between = [text[a[1] : b[0]] for a, b in itertools.pairwise(spans)]
    if any(gap != ", " for gap in between):
        return None
    rest = re.match(
        r"(?:, [^,;:()]+?)*(?=$|[;:(.]|\s+(?:" + _CLAUSES + r")\s)", text[spans[-1][1] :]
    )
    if rest is None or re.search(r"\b(?:and|or)\b", rest.group(0)):
        return None
    return spans[-1][1] + rest.end()


def with_items(text: str, parts: Sequence[str]) -> str:
    """text with another member's phrases: its items (noun phrases) as more items of text's
    own series ("Implement load balancing and auto-scaling mechanisms" and "resource
    allocation strategies": "Implement load balancing, auto-scaling mechanisms and resource
    allocation strategies"; "disaster recovery strategies" and "replication strategies":
    "disaster recovery and replication strategies"; "vertical scaling" beside "horizontal
    scaling": "horizontal and vertical scaling"), its clauses as details. Items are details
    too where text is no plain series, or reads other terms as a series."""
    said = written_terms(strip_markup(text))
    for clause in _clause_runs(parts):
        joined = _in_last_clause(text, clause)
        if _still_says(joined, said):
            text = joined
            parts = [p for p in parts if p not in clause]
    for part in list(parts):
        qualified = _qualified(text, part)
        if _still_says(qualified, said):
            text = qualified
            parts = [p for p in parts if p != part]
    if not parts:
        return text
    items = [p for p in parts if p.split()[0].lower() not in CLAUSE_WORDS]
    clauses = [p for p in parts if p not in items]
    spliced = _series_with(text, items) if items else None
    if _still_says(spliced, said):
        return with_details(spliced, clauses)
    for item in items:
        coordinated = _coordinated(text, item) or _in_opening(text, item)
        if _still_says(coordinated, said):
            text = coordinated
            parts = [p for p in parts if p != item]
    return with_details(text, parts)


def _still_says(rewritten: str | None, said: frozenset[str]) -> TypeGuard[str]:
    """Whether a line rewritten (None: no rewriting fits) still says every word it said."""
    return rewritten is not None and said <= written_terms(strip_markup(rewritten))


def _qualified(text: str, item: str) -> str | None:
    """text with item's qualifier where text says the rest of item: "Start with threat
    modeling" and "initial threat modeling" are "Start with initial threat modeling", not
    "(initial threat modeling)" after it; "health checks, logging, metrics" and "centralized
    logging" are "health checks, centralized logging, metrics"."""
    words = item.split()
    stop = lexicon().stopwords
    parts = {part.lower().strip(" .;:") for part in list_parts(text)}
    # The opening's object is an item too: "microservices" of "Designing microservices".
    first = strip_markup(list_parts(text)[0])
    _, *objects = first[_label_end(first) :].split(maxsplit=1)
    parts.update(obj.lower().strip(" .;:") for obj in objects)
    for cut in (1, 2):
        qualifier, phrase = " ".join(words[:cut]), " ".join(words[cut:])
        if not phrase or any(w.lower() in stop for w in words[:cut]):
            continue
        if " " not in phrase and phrase.lower() not in parts:
            continue  # one word qualifies only an item of its own: "logging", not "API logging"
        found = list(re.finditer(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text, re.IGNORECASE))
        if len(found) == 1 and "(" not in text[: found[0].start()]:
            at = found[0].start()
            before = re.findall(r"[\w-]+|[^\w\s]", strip_markup(text[:at]))
            if before and before[-1].lower() not in stop and qualifier[0].isupper():
                # An item's opening word does not go after another word: "Systematic incident
                # analysis" and "Complex incident analysis" are not "Systematic Complex
                # incident analysis" ("Designing microservices" and "scalable microservices"
                # are "Designing scalable microservices").
                return None
            return f"{text[:at]}{qualifier} {text[at:]}"
    return None


def _label_end(text: str) -> int:
    """Where the text after a label ("System Architecture: ") starts; 0 without one."""
    label = _ITEM_LABEL.match(text)
    return label.end() if label else 0


def _in_opening(text: str, item: str) -> str | None:
    """text with item joined to its opening's object, before the clause that follows it:
    "Implement connection pooling for database and external services" and "resource
    management" are "Implement connection pooling and resource management for database and
    external services". None unless the opening is a verb and a plain object of its own."""
    words = text.split()
    cut = next((k for k, w in enumerate(words) if w.lower() in CLAUSE_WORDS), None)
    if cut is None or cut < 3 or len(item.split()) < 2:
        return None
    opening = " ".join(words[:cut])
    if re.search(r"[,;:()*`\[\]]|\s(?:and|or)\s", opening) or _FINITE.search(opening):
        return None
    return f"{opening} and {item} {' '.join(words[cut:])}"


def _clause_runs(parts: Sequence[str]) -> list[list[str]]:
    """parts' clauses, each with the items that follow it: "for application architecture",
    "testing requirements" are one clause of "... for application architecture and testing
    requirements"."""
    runs: list[list[str]] = []
    for part in parts:
        if part.split()[0].lower() in CLAUSE_WORDS:
            runs.append([part])
        elif runs:
            runs[-1].append(part)
    return runs


def _in_last_clause(text: str, clause: Sequence[str]) -> str | None:
    """text whose last phrase is a clause opening with clause's word, with clause's items as
    its last items: "... status codes" with "with proper HTTP semantics" is "with proper HTTP
    methods, status codes and semantics"; "optimize concurrency for throughput" with "for
    concurrent request handling" is "for throughput and concurrent request handling". None
    when text ends otherwise (a parenthesis, a choice, another clause, a sentence)."""
    word, _, first = clause[0].partition(" ")
    stripped = text.rstrip()
    end = stripped[-1] if stripped[-1:] == "." else ""
    body = stripped.removesuffix(end)
    opening = list(re.finditer(rf"\s{re.escape(word)}\s", body, re.IGNORECASE))
    if not first or not opening:
        return None
    head, rest = body[: opening[-1].end()], body[opening[-1].end() :]
    own = list_parts(rest)
    if (
        re.search(r"[()]", rest)
        or SERIES_BREAK.search(rest)
        or _FINITE.search(rest)
        or any(w.lower() in QUALIFYING for w in rest.split())
        or len(re.findall(r",? and ", rest)) > 1
    ):
        return None
    added = [first, *clause[1:]]
    # One clause is one kind of thing: a series already, or words in common with it or the
    # line ("optimize concurrency for throughput" takes "for concurrent request handling").
    # "for seamless CI/CD pipeline integration" (a purpose) takes no "for backend services"
    # (what for).
    if len(own) < 2 and set(content_terms(body)).isdisjoint(content_terms(" ".join(added))):
        return None
    # "proper HTTP methods" and "proper HTTP semantics" share all but a last word: the
    # series says "proper HTTP" once.
    lead, last = own[0].rsplit(" ", 1)[0], own[0].split()[-1]
    if " " in own[0] and added[0].startswith(f"{lead} ") and " " not in added[0][len(lead) + 1 :]:
        added[0] = added[0][len(lead) + 1 :]
    if last.lower() == added[0].lower():
        return None
    noun = own[-1].split()[-1]
    if len(own) == len(added) == 1 and " " in own[0] and added[0].split()[-1] == noun:
        # "OpenAPI/Swagger specifications" and "clear endpoint specifications" share their
        # head noun: "OpenAPI/Swagger and clear endpoint specifications" says it once.
        own = [own[0].rsplit(" ", 1)[0]]
    serial = "," if ", and " in rest else ""
    items = [*own, *added]
    return f"{head}{_series_text(items, serial)}{end}"


def _coordinated(text: str, item: str) -> str | None:
    """text with item ("vertical scaling") joined to the one phrase of text with its head
    noun and one word before it ("horizontal scaling"): "horizontal and vertical scaling"."""
    words = item.split()
    if len(words) != 2:
        return None
    modifier, head = words
    # The phrase ends at its head: "entire testing process" is no "X testing".
    found = list(
        re.finditer(
            rf"(?<![\w-])([A-Za-z][\w-]*) {re.escape(head)}"
            rf"(?=$|[,;:.)]|\s+(?:and|or|{_CLAUSES})\s)",
            text,
        )
    )
    if len(found) != 1:
        return None
    before, word = text[: found[0].start(1)], found[0].group(1)
    if word.lower() in lexicon().stopwords or word.lower() == modifier.lower():
        return None
    opening = strip_markup(before).strip()
    if word.endswith("ing") and (not opening or _ITEM_LABEL.fullmatch(f"{opening} ")):
        return None  # the line's opening verb: "Designing microservices" is no "X microservices"
    if before.rstrip().endswith(",") or before.split()[-1:] in (["and"], ["or"]):
        return None  # "unit and integration tests" coordinates already
    return f"{text[: found[0].end(1)]} and {modifier}{text[found[0].end(1) :]}"


_CLAUSES = "|".join(sorted(CLAUSE_WORDS))
# A verb of a sentence: "Data redundancy is minimized and integrity is enforced" is no series.
_FINITE = re.compile(r"\b(?:is|are|was|were|be|been|being|has|have|had)\b", re.IGNORECASE)
# A noun and the participle clause after it: "solutions ensuring optimal performance" (its
# series is what the solutions ensure, no items of what is implemented).
_PARTICIPLE = re.compile(r"\b[a-z]+s [a-z]{3,}ing\b")


_ITEM_LABEL = re.compile(r"[\w][\w&/ -]{0,30}:\s+")


def _series_with(text: str, items: Sequence[str]) -> str | None:
    """text's series with items as its last ones; None when text is no plain series (a
    clause, a choice, markup, a phrase of one word, or it ends in a word such as "where
    relevant"). Examples in parentheses at its end stay with what they are examples of; a
    clause there still qualifies the whole series. A label ("playwright: ") heads the series
    it is written before; one item joins it ("visual and cross-browser validation"), more
    would read as another list."""
    label = _ITEM_LABEL.match(text)
    if label:
        series = _series_with(text[label.end() :], items) if len(items) == 1 else None
        return None if series is None else f"{label.group(0)}{series}"
    stripped = text.rstrip()
    end = stripped[-1] if stripped[-1:] == "." else ""
    body = stripped.removesuffix(end)
    tail = ""
    trailing = re.search(r"\s*\(([^()]*)\)$", body)
    if trailing and all(
        p.split()[:1] and p.split()[0].lower() in CLAUSE_WORDS
        for p in trailing.group(1).split(", ")
    ):
        body, tail = body[: trailing.start()], body[trailing.start() :]
    # Words inside parentheses are no items of the series.
    blanked = _PARENTHESIS.sub(lambda m: "\0" * len(m.group(0)), body)
    plain = blanked.replace("\0", "").strip()
    phrases = _phrases(plain)  # "Plan for rate limiting": a verb and its clause, one item
    ands = list(re.finditer(r",? and ", blanked))
    stop = lexicon().stopwords
    if (
        not phrases
        or SERIES_BREAK.search(plain)
        or _FINITE.search(plain)
        or len(ands) > 1
        or len(phrases[0].split()) < 2  # "Design and implement APIs": verbs, not items
        or any(p.split()[0].lower() in stop for p in phrases[1:])
        # "where relevant" ends no noun phrase; "error handling" does.
        or (plain.split()[-1].lower() in stop and not plain.endswith("ing"))
    ):
        return None
    serial = "," if ", and " in blanked else ""
    series = f"{body[: ands[0].start()]}, {body[ands[0].end() :]}" if ands else body
    head = body.split()[-1]
    if (
        len(items) == 1
        and len(phrases[-1].split()) > 1
        and len(items[0].split()) > 1
        and items[0].split()[-1].lower() == head.lower()
    ):
        # One head noun for the series: "backup, disaster recovery, and replication
        # strategies".
        modifier = items[0].rsplit(" ", 1)[0]
        return f"{series[: -len(head)].rstrip()}{serial} and {modifier} {head}{tail}{end}"
    joined = ", ".join([series, *items[:-1]])
    return f"{joined}{serial} and {items[-1]}{tail}{end}"


_ACRONYM = re.compile(r"[A-Z][A-Z0-9]{1,5}s?")
_ACRONYM_END = re.compile(rf"\(({_ACRONYM.pattern})\)\s*[.;:]?$")  # "... (ABAC)"


def _clauses_joined(details: Sequence[str]) -> list[str]:
    """Details opening with one clause word are one clause: "for performance and
    scalability", not "for performance, for scalability"."""
    joined: list[str] = []
    for detail in details:
        word, _, rest = detail.strip().partition(" ")
        same = next(
            (k for k, d in enumerate(joined) if d.lower().startswith(f"{word.lower()} ")),
            None,
        )
        if word.lower() in CLAUSE_WORDS and rest and same is not None:
            joined[same] += f" and {rest}"
        else:
            joined.append(detail)
    return joined


def missing_details(
    text: str, others: Sequence[Bullet], unneeded: frozenset[str] = frozenset()
) -> list[str]:
    """Named terms and parenthesised items of others that text does not already say.

    A plain item such as "in-memory" is already said when text has all its words; a named
    term must appear as written, since that is what the safety net checks. Items whose clause
    text does not speak of come with that clause: "caching layers: Redis, Memcached".
    """
    found: list[str] = []
    covered = strip_markup(text)
    said = set(content_terms(covered))

    def add(detail: str, *, exact: bool) -> None:
        nonlocal covered
        detail = detail.strip().strip(".,;:").strip()
        if detail and not (
            contains_term(covered, detail) or (not exact and _says(covered, detail))
        ):
            found.append(detail)
            covered += f" {detail}"

    for other in others:
        for inner, items, subject in _parentheses(other.text, said):
            if items is None:
                add(inner, exact=False)
            elif subject is None:
                for item in items:
                    add(item, exact=False)
            # Examples of something text does not speak of ("caching layers (Redis)" beside
            # "indexing strategies") say what they are examples of.
            elif new := [i for i in items if not _says(covered, i)]:
                add(f"{subject}: {', '.join(new)}", exact=True)
        # Every named term, found as the safety net finds it (in the member's whole text), in
        # the phrases it is written in: "(React Testing Library)", not "(React, Testing,
        # Library)"; "GraphQL APIs" beside "GraphQL" adds a generic word only.
        for phrase in _named_phrases(other.text):
            if not _generic_beside(phrase, covered, unneeded):
                add(phrase, exact=True)
    return found


def _generic_beside(phrase: str, text: str, unneeded: frozenset[str]) -> bool:
    """Whether phrase is names text says, with generic names the agent writes anyway
    ("GraphQL APIs", "RESTful APIs" beside "RESTful conventions")."""
    words = phrase.split()
    plain = [w for w in words if w.lower() not in unneeded]
    return len(plain) < len(words) and all(contains_term(text, w) for w in plain)


def _parentheses(text: str, said: set[str]) -> Iterator[tuple[str, list[str] | None, str | None]]:
    """Each parenthesis of text: what it holds; its items, when each is short enough to read
    as a detail (None: a longer parenthetical, kept whole); and the subject they are examples
    of when said (the terms of the line they would join) does not speak of it."""
    for match in _PARENTHESIS.finditer(text):
        inner = match.group(1)
        items = [i for i in _LIST_SPLIT.split(inner) if i.strip()]
        if not all(len(i.split()) <= _TUNING.detail_max_words for i in items):
            yield inner, None, None
            continue
        items = [re.sub(r"^(?:e\.g\.|i\.e\.|such as)\s*", "", i.strip()) for i in items]
        items = [i for i in items if i]
        subject = _subject(text[: match.start()], said)
        if subject is not None and any(_abbreviates(i, subject) for i in items):
            subject = None
        yield inner, items, subject


def _examples_elsewhere(text: str, other: Bullet) -> bool:
    """Whether other gives examples in parentheses of a subject text does not speak of."""
    said = set(content_terms(strip_markup(text)))
    found = _parentheses(other.text, said)
    return any(items and subject is not None for _, items, subject in found)


def _named_phrases(text: str) -> list[str]:
    """text's named terms, those written next to each other as one phrase."""
    names = named_terms(text)
    if not names:
        return []
    name = "|".join(sorted(map(re.escape, names), key=len, reverse=True))
    runs = [
        m.group(0) for m in re.finditer(rf"(?<![\w-])(?:{name})(?:\s+(?:{name}))*(?![\w-])", text)
    ]
    phrases = list(dict.fromkeys(runs))
    return phrases + [n for n in names if not any(contains_term(p, n) for p in phrases)]


def _subject(before: str, said: set[str]) -> str | None:
    """The phrase a parenthesis qualifies (the end of its clause, less leading words that are
    stop words or already said), when text does not say most of it; None when it does.

    "Understand data consistency requirements (eventual vs strong)" beside "Understand the
    business requirements" shares only "understand": its details come as "data consistency
    requirements: eventual vs strong".
    """
    words = re.split(r"[,;:]|\.\s|\band\b|\bor\b", before)[-1].split()[-_TUNING.detail_max_words :]
    terms = set(content_terms(" ".join(words)))
    if not terms or 2 * len(terms - said) <= len(terms):
        return None
    stopwords = lexicon().stopwords
    while words and (words[0].lower() in stopwords or set(content_terms(words[0])) <= said):
        words.pop(0)
    return " ".join(words) or None


def _abbreviates(item: str, phrase: str) -> bool:
    """Whether item is phrase's initials ("SLOs" for "service level objectives")."""
    initials = "".join(w[0] for w in re.findall(r"[A-Za-z]+", phrase)).lower()
    letters = item.rstrip("s").lower()
    return len(letters) > 1 and initials.endswith(letters)


def _says(text: str, detail: str) -> bool:
    wanted = set(content_terms(detail))
    return bool(wanted) and wanted <= set(content_terms(text))


# --- opening ------------------------------------------------------------------------------


def _preamble(agents: Sequence[Agent]) -> tuple[str, ...]:
    """The opening: the personas merged like descriptions (the one that covers most, plus the
    others' sentences that add new words or names, but not a second "You are ..."), then every
    other distinct paragraph before the first section. A lead-in ("Your core responsibilities
    include:") is left out: the list it introduced now sits in its merged section."""
    # A labelled field ("**Role**: Senior ...", "**Expertise**: ...") is no persona sentence:
    # it stays a paragraph of its own, with its source's other fields.
    openings = [a.preamble[0] for a in agents if a.preamble and not _FIELD.match(a.preamble[0])]
    rest = dict.fromkeys(
        p for a in agents for p in a.preamble if p not in openings and not introduces(p)
    )
    # The body is read for what the agent is: a sentence adding two words ("backend systems
    # that can handle enterprise-scale demands") says something the others do not. The
    # description is read at every routing, and needs three.
    lead = (_merged_lead(openings, adding=2),) if openings else ()
    return (*lead, *_fields_once(list(rest)))


_FIELD = re.compile(r"\*\*[^*\n]{1,40}(?::\*\*|\*\*:)\s")


def _fields_once(paragraphs: Sequence[str]) -> list[str]:
    """paragraphs with a labelled field several sources write ("**Expertise**: ...") written
    once, where it first is: a series of names as the union of their items, sentences as
    the fullest source's plus the others' that add new words (_merged_lead)."""
    same: dict[str, list[str]] = defaultdict(list)
    for paragraph in paragraphs:
        if field := _FIELD.match(paragraph):
            same[_lead_key(field.group(0))].append(paragraph)
    written: list[str] = []
    for paragraph in paragraphs:
        field = _FIELD.match(paragraph)
        fields = same[_lead_key(field.group(0))] if field else [paragraph]
        if field is None or len(fields) == 1:
            written.append(paragraph)
        elif paragraph == fields[0]:
            bodies = [f[len(field.group(0)) :].strip() for f in fields]
            series = [_series_items(body) for body in bodies]
            if all(series):
                # Each source's first item is capitalised as the start of its sentence only.
                items = [
                    item if k or not n else _uncapitalized(item)
                    for n, found in enumerate(series)
                    for k, item in enumerate(found or [])
                ]
                body = ", ".join(_items_once(items)) + "."
            else:
                body = _merged_lead(bodies)
            written.append(field.group(0) + body)
    return written


def _names_once(names: Sequence[str]) -> list[str]:
    """names each once (in any case), and one that another writes with a generic word more
    ("Context" beside "Context API") once as the longer, where the first is."""
    generic = lexicon().generic
    written: list[str] = []
    for name in names:
        words = name.lower().split()
        name = next(
            (
                other
                for other in names
                if other.lower().split()[:-1] == words and other.lower().split()[-1] in generic
            ),
            name,
        )
        if name.lower() not in map(str.lower, written):
            written.append(name)
    return written


def _series_items(text: str) -> list[str] | None:
    """The items of a one-sentence series of names ("Architectural patterns (microservices,
    layered), SOLID principles, ..."), or None for anything else."""
    plain = text.rstrip(".").strip()
    if not plain or _SENTENCE.search(plain) or re.search(r"[.!?:;]\s", plain):
        return None
    items = [
        _CONJUNCTION.sub("", item.replace("\0", ",").strip())
        for item in _PARENTHESIS.sub(lambda m: m.group(0).replace(",", "\0"), plain).split(",")
    ]
    if len(items) < 2 or any(
        not item or len(item.split()) > _TUNING.series_item_max_words for item in items
    ):
        return None
    return items


def _items_once(items: Sequence[str]) -> list[str]:
    """items with those of one head ("state management (Context/Zustand/Redux)", "state
    management (Redux Toolkit, Zustand)") written once, where the first is, with every
    example either gives in its parenthesis."""
    of_head: dict[str, list[str]] = defaultdict(list)  # head, lower case -> its items
    for item in items:
        of_head[_PARENTHESIS.sub("", item).strip().lower()].append(item)
    once = []
    for written in of_head.values():
        if len(written) == 1:  # as its source wrote it
            once.append(written[0])
            continue
        examples = _names_once([example for item in written for example in _examples(item)])
        head = _PARENTHESIS.sub("", written[0]).strip()
        once.append(f"{head} ({', '.join(examples)})" if examples else head)
    # A name one source lists alone and another as an example ("CSS-in-JS" beside "styling
    # methodologies (CSS-in-JS, CSS Modules)") is said by the example.
    examples_of = {example.lower() for item in once for example in _examples(item)}
    return [item for item in once if "(" in item or item.lower() not in examples_of]


def _examples(item: str) -> list[str]:
    """The examples an item gives in its parentheses: "(Context/Zustand/Redux)"."""
    return [
        example
        for inner in _PARENTHESIS.findall(item)
        for example in re.split(r"\s*[,/]\s*", inner)
        if example
    ]


# --- frontmatter --------------------------------------------------------------------------


def _references(agents: Sequence[Agent]) -> tuple[str, ...]:
    """Every distinct link reference definition once. A label two sources define apart keeps
    the first source's target (a Markdown file defines a label once), and the safety net
    refuses the merge for the other's."""
    kept: dict[str, str] = {}
    for agent in agents:
        for key, definition in agent.references:
            kept.setdefault(key, definition)
    return tuple(kept.values())


def merged_name(names: Sequence[str], warnings: list[str]) -> str:
    """backend-architect + backend-developer -> backend: the common leading words, else the
    common trailing words after the others' leading words (deployment-devops-engineer), else
    the words every name has wherever they sit (studio-backend-architect + backend-master ->
    backend), else the words most names have."""
    if len(names) == 1:
        return names[0]
    names = sorted(names)  # any input order gives one name
    parts = [n.split("-") for n in names]
    prefix = _common(parts)
    if prefix:
        return "-".join(prefix)
    suffix = list(reversed(_common([list(reversed(p)) for p in parts])))
    if suffix:
        # A shared role alone ("engineer") names no agent: the subjects come with it
        # (deployment-engineer + devops-engineer -> deployment-devops-engineer), if few.
        # The shared words that are a source's whole name name them all (incident-responder
        # + devops-incident-responder -> incident-responder).
        subjects = list(dict.fromkeys(w for p in parts for w in p[: len(p) - len(suffix)]))
        if suffix in parts or len(subjects) <= 2:
            return "-".join(subjects + suffix if suffix not in parts else suffix)
        # Many subjects: the name most sources have, when several do (ml-engineer, twice,
        # beside machine-learning-engineer and mlops-engineer), else the role.
        repeated = Counter(names).most_common(1)[0]
        return repeated[0] if repeated[1] > 1 else "-".join(suffix)
    shared = [_shared_form(w, parts[1:]) for w in parts[0] if w]
    if any(shared):
        return "-".join(dict.fromkeys(w for w in shared if w))
    # terraform-expert + cloud-architect + cloud-architect -> cloud-architect: the words most
    # names have.
    counts = Counter(w for p in parts for w in dict.fromkeys(p) if w)
    most = [w for w in dict.fromkeys(w for p in parts for w in p) if 2 * counts[w] > len(parts)]
    if most:
        name = "-".join(most)
        warnings.append(f"the sources share no name part; named the result '{name}' as most are")
        return name
    first = min(names, key=lambda n: (-names.count(n), n))  # the name most sources have
    warnings.append(f"the sources share no name part; named the result '{first}-merged'")
    return f"{first}-merged"


def _shared_form(word: str, others: Sequence[list[str]]) -> str | None:
    """word's shortest form when every other name has it, as written or as the start of one
    of its words ("postgres" of postgres-expert and postgresql-pglite-pro)."""
    forms = [word]
    for words in others:
        found = next((w for w in words if w == word), None) or next(
            (
                w
                for w in words
                if min(len(w), len(word)) >= 4 and (w.startswith(word) or word.startswith(w))
            ),
            None,
        )
        if found is None:
            return None
        forms.append(found)
    return min(forms, key=len)


def _common(parts: Sequence[list[str]]) -> list[str]:
    common: list[str] = []
    for words in zip(*parts, strict=False):
        if len(set(words)) != 1:
            break
        common.append(words[0])
    return common


def _frontmatter(
    agents: Sequence[Agent], name: str, options: MergeOptions, warnings: list[str]
) -> tuple[tuple[str, object], ...]:
    fields: dict[str, object] = {"name": name}
    fields["description"] = merged_description(agents, name, options.examples, warnings)
    tools = _tools(agents, options.tools, warnings)
    if tools is not None:
        fields["tools"] = ", ".join(tools)
    model = options.model or _model(agents, warnings)
    if model is not None:
        fields["model"] = model
    for key in _other_keys(agents):
        value = _agreed(agents, key, warnings)
        if value is not None:
            fields[key] = value
    return tuple(fields.items())


def _other_keys(agents: Sequence[Agent]) -> list[str]:
    keys: list[str] = []
    for agent in agents:
        for key, _ in agent.source.frontmatter:
            if key not in ("name", "description", "tools", "model") and key not in keys:
                keys.append(key)
    return keys


def _figures_disagree(agents: Sequence[Agent]) -> list[str]:
    """Items two sources write in the same words but for a figure ("Test coverage > 90%
    achieved" / "> 80%"): both are kept, and the merged agent now asks for both; the user
    decides which stands."""
    by_words: dict[str, dict[str, Bullet]] = defaultdict(dict)
    for agent in agents:
        for bullet in agent.bullets:
            masked = _FIGURE.sub("#", bullet.text.lower())
            if masked != bullet.text.lower():
                by_words[masked].setdefault(bullet.text, bullet)
    found = []
    for variants in by_words.values():
        bullets = list(variants.values())
        if len({b.agent for b in bullets}) > 1:
            listed = " / ".join(f"{b.agent}:{b.line} {b.text!r}" for b in bullets)
            found.append(f"sources disagree on a figure ({listed}); both kept")
    return found


_FIGURE = re.compile(r"\d+(?:[.,]\d+)?")


def _partners_merged(agents: Sequence[Agent]) -> list[str]:
    """Items naming another agent that this merge includes ("Collaborate with
    frontend-developer on UI patterns" in a merge of frontend-developer): the agent's own
    work now, written unless covering finds every word of it said elsewhere (by the same
    reading of names, agent_names), and named, since the partner may no longer exist on its
    own."""
    found = []
    for agent in agents:
        others = {a.source.declared_name for a in agents} - {agent.source.declared_name}
        named = agent_names(others)
        for bullet in agent.bullets:
            partner = named.search(bullet.text)
            if partner:
                found.append(
                    f"{agent.name}:{bullet.line} names {partner.group(0)}, which this merge"
                    f" includes ({bullet.text!r})"
                )
    return found


def agent_names(sources: set[str]) -> re.Pattern[str]:
    """How text names one of sources as an agent: "test-automator" as written (by the name
    the agent gives itself: "qa-expert (lst97/qa-expert.md)" tells two apart); a name that
    is an ordinary word ("api") only as "@api" or "the api agent" ("Design the api layer"
    names no one)."""
    names = sorted({_ALIAS.sub("", name) for name in sources}, key=lambda n: (-len(n), n))
    written = "|".join(re.escape(n) for n in names if "-" in n) or "(?!)"
    words = "|".join(re.escape(n) for n in names if "-" not in n) or "(?!)"
    return re.compile(
        rf"(?<![\w-])(?:{written})(?![\w-])"
        rf"|(?i:@(?:{words})\b|\b(?:{words})\s+(?:sub)?agent\b)"
    )


_ALIAS = re.compile(r" \(.*\)$")


def _agreed(agents: Sequence[Agent], key: str, warnings: list[str]) -> object:
    values = [(a.name, a.source.field(key)) for a in agents if a.source.field(key) is not None]
    if not values:
        return None
    distinct = {repr(v) for _, v in values}
    if len(distinct) > 1:
        listed = ", ".join(f"{n}: {v}" for n, v in values)
        warnings.append(f"sources disagree on '{key}' ({listed}); kept {values[0][1]!r}")
    return values[0][1]


TOOL_POLICIES = ("union", "intersection", "all")
# What an agent that does the work needs: the sources' listed tools that include them all
# are the merged agent's, even beside a source that lists none (all tools).
_WORKING_TOOLS = frozenset({"Read", "Write", "Edit", "Bash", "Grep", "Glob"})


def _tools(agents: Sequence[Agent], policy: str, warnings: list[str]) -> tuple[str, ...] | None:
    """The merged agent's tools (None: every tool, as when 'tools' is omitted)."""
    if policy not in TOOL_POLICIES:
        return split_tools(policy)
    if policy == "all":
        return None
    restricted = [a for a in agents if a.source.tools is not None]
    unrestricted = [a.name for a in agents if a.source.tools is None]
    # Every tool a source lists, in the order first listed.
    declared = tuple(dict.fromkeys(t for a in restricted for t in a.source.tools or ()))
    if policy == "intersection":
        if not restricted:
            return None
        allowed = set.intersection(*(set(a.source.tools or ()) for a in restricted))
        return tuple(t for t in declared if t in allowed)
    if unrestricted and restricted and set(declared) >= _WORKING_TOOLS:
        # Every editor read the allowlist dropped for a source that lists none as lost;
        # listed tools that do the work keep it (lst97's mobile-developer lists every tool
        # VoltAgent's does, and more, beside 0xfurai's flutter-expert, which lists none).
        warnings.append(
            f"tools: {', '.join(unrestricted)} omit 'tools' (all tools); kept the "
            f"{len(declared)} tools the other sources list, every working tool among them "
            "(--tools all keeps every tool)"
        )
        return declared
    if unrestricted:
        if restricted:
            listed = "; ".join(
                f"{a.name} allows only {', '.join(a.source.tools or ())}" for a in restricted
            )
            warnings.append(
                f"tools widened: {', '.join(unrestricted)} omit 'tools' (all tools), so the "
                f"merged agent may use every tool, while {listed} "
                "(--tools intersection or --tools LIST decides otherwise)"
            )
        return None
    # A read-only auditor (Read, Grep, Glob) merged with an engineer may now write and run
    # commands: said, never done silently.
    lacked = [(a.name, [t for t in declared if t not in (a.source.tools or ())]) for a in agents]
    widened = "; ".join(f"{name} lacked {_few(tools)}" for name, tools in lacked if tools)
    if widened:
        warnings.append(
            f"tools widened to every source's: {widened} "
            "(--tools intersection or --tools LIST decides otherwise)"
        )
    return declared


def _few(names: Sequence[str], shown: int = 6) -> str:
    """names for a one-line message: the first few, and how many more."""
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" and {more} more" if more > 0 else "")


def _model(agents: Sequence[Agent], warnings: list[str]) -> str | None:
    """The most capable named model family wins; `inherit` (or no model) names none.

    When no source names opus, sonnet or haiku and the sources disagree, or a source names a
    model compose cannot rank, the result is `inherit`.
    """
    values = [str(a.source.field("model") or "inherit") for a in agents]
    ranked = [(_rank(v), v) for v in values if _rank(v)]
    unknown = sorted({v for v in values if not _rank(v) and v != "inherit"})
    if unknown and ranked:
        warnings.append(f"cannot rank model {', '.join(unknown)} against others; using inherit")
        return "inherit"
    if ranked:
        best = max(ranked)[1]
        if len(set(values)) > 1:
            warnings.append(f"sources use models {', '.join(sorted(set(values)))}; kept {best}")
        return best
    if all(a.source.field("model") is None for a in agents):
        return None  # nobody set one: leave Claude Code's default
    return values[0] if len(set(values)) == 1 else "inherit"


def _rank(model: str) -> int:
    lowered = model.lower()
    return max((r for family, r in _MODEL_RANK.items() if family in lowered), default=0)


# A sentence run into the next ("web applications.Leverages the full potential"): a word
# of small letters, its full stop, a capitalised word. Not a name ("React.Component").
_UNSPACED = re.compile(r"\b([a-z]{3,})\.([A-Z][a-z]{2,})\b")


def merged_description(
    agents: Sequence[Agent],
    name: str,
    limit: int | None = _TUNING.examples,
    warnings: list[str] | None = None,
) -> str:
    """One 'when to use' text from the sources' leads, then their distinct examples: at most
    limit of them (None: all), chosen to cover the most scenarios."""
    leads: list[str] = []
    examples: list[str] = []
    sources = _source_names([a.name for a in agents])
    for agent in agents:
        text = sources.sub(name, str(agent.source.field("description") or ""))
        found = _EXAMPLE.findall(text)
        lead = _EXAMPLE.sub(" ", text)
        lead = _EXAMPLES_HEADING.split(lead)[0]
        # White space as one space, but before a listed case (a merged agent's).
        parts = re.split(r"\s*\n- ", _UNSPACED.sub(r"\1. \2", lead))
        leads.append(_CASE_LIST.join(" ".join(part.split()) for part in parts))
        for example in found:
            example = _laid_out(example)
            folded = " ".join(example.split())
            if all(
                fuzz.ratio(folded, " ".join(e.split())) < _TUNING.example_duplicate
                for e in examples
            ):
                examples.append(example)
    text = _merged_lead([lead for lead in leads if lead])
    proactive = "proactively" in text.lower()
    kept = examples if limit is None else covering_examples(examples, limit, proactive)
    if len(kept) < len(examples) and warnings is not None:
        warnings.append(
            f"description keeps {len(kept)} of {len(examples)} distinct examples, chosen to "
            "cover the most scenarios (--examples all keeps every one)"
        )
    if kept:
        text += "\n\nExamples:\n" + "\n".join(kept)
    # Block scalars cannot carry trailing spaces; keep the text as YAML will read it back.
    return "\n".join(line.rstrip() for line in text.strip().split("\n"))


_PROACTIVE = re.compile(r"\bproactive(?:ly)?\b", re.IGNORECASE)
_USER_TURN = re.compile(r"user:\s*(.*?)(?:\bassistant:|<commentary>|$)", re.DOTALL | re.IGNORECASE)


def covering_examples(examples: Sequence[str], limit: int, proactive: bool = False) -> list[str]:
    """At most limit examples, in their order: one for each of the tasks the examples ask
    of the agent most often ("to review", "to design", "to analyze"; four sources' review
    examples were all left out for building ones), then the ones adding the most scenario
    words (what the user asks, then the context) to those picked: five "slow queries"
    examples count as one scenario. A description asking to be used proactively keeps an
    example of it, if one shows it, in place of its task's example."""
    if len(examples) <= limit:
        return list(examples)
    scenarios = []
    for example in examples:
        asked = _USER_TURN.search(example)
        scenarios.append(set(content_terms(asked.group(1) if asked else example)))
    tasks = [_task(example) for example in examples]
    counts = Counter(task for task in tasks if task)
    by_count = sorted(counts, key=lambda task: (-counts[task], tasks.index(task)))
    picked: list[int] = []
    covered: set[str] = set()

    def pick(candidates: list[int]) -> None:
        nonlocal covered
        best = max(candidates, key=lambda i: (len(scenarios[i] - covered), -i))
        picked.append(best)
        covered |= scenarios[best]

    for task in by_count[:limit]:
        if counts[task] > 1:  # a task only one example asks is no more common than a scenario
            pick([i for i, t in enumerate(tasks) if t == task])
    while len(picked) < limit:
        pick([i for i in range(len(examples)) if i not in picked])
    showing = [i for i, example in enumerate(examples) if _PROACTIVE.search(example)]
    if proactive and showing and not set(showing) & set(picked):
        # How Claude Code learns when to call the agent unasked ("Here's my authentication
        # middleware implementation"; the seeds' editor missed it): it stands for its task's
        # example, else for the one picked last.
        shown = max(showing, key=lambda i: (len(scenarios[i]), -i))
        same = [k for k, i in enumerate(picked) if tasks[i] == tasks[shown]]
        picked[same[0] if same else -1] = shown
    return [examples[i] for i in sorted(picked)]


def _task(example: str) -> str | None:
    """What an example asks of the agent: the verb after "agent to" in the assistant's turn
    ("Let me use the backend agent to review your API design": review)."""
    said = _ASSISTANT_TURN.search(example)
    found = _AGENT_TO.search(said.group(1)) if said else None
    return found.group(1).lower() if found else None


_ASSISTANT_TURN = re.compile(r"assistant:\s*(.*?)(?:<commentary>|$)", re.DOTALL | re.IGNORECASE)
# The agent's task: "agent to review", "agent to help design" (design).
_AGENT_TO = re.compile(r"\bagent to (?:help |quickly )?([A-Za-z]+)", re.IGNORECASE)


def _source_names(names: Sequence[str]) -> re.Pattern[str]:
    """Where a source's name names the agent, for renaming to the merged name. A name that is
    an ordinary word ("api", "cache") names it only as "the api agent", quoted or "@api";
    elsewhere it is the word ("Designs the public api"). One pattern for every name: a merge
    of a thousand agents renames in a thousand descriptions."""
    ordered = sorted(set(names), key=lambda n: (-len(n), n))
    words = "|".join(re.escape(n) for n in ordered if re.fullmatch(r"[A-Za-z]+", n))
    others = "|".join(re.escape(n) for n in ordered if not re.fullmatch(r"[A-Za-z]+", n))
    choices = [rf"(?<![\w-])(?:{others})(?![\w-])"] if others else []
    if words:
        choices += [
            rf"(?<![\w-])(?:{words})(?=\s+(?:sub-?)?agent\b)",
            rf"(?<=[`'\"])(?:{words})(?=[`'\"])",
            rf"(?<=@)(?:{words})(?![\w-])",
        ]
    return re.compile("|".join(choices) or r"(?!)")


def _laid_out(example: str) -> str:
    """An example laid out as every other: each of its parts (context, user, assistant,
    commentary) on a line of its own, flush left. Sources write them on one line, indented
    or not, and an editor read the mix in one description as broken. One with code keeps
    its lines, less their common indent."""
    lines = example.split("\n")
    indents = [len(x) - len(x.lstrip()) for x in lines[1:] if x.strip()]
    cut = min(indents, default=0)
    body = "\n".join([lines[0].strip()] + [x[cut:].rstrip() for x in lines[1:]]).strip()
    if "```" in body:
        return body
    text = _EXAMPLE_TAG.sub(r"\n\1\n", " ".join(body.split()))
    return re.sub(r"\n+", "\n", _EXAMPLE_TURN.sub("\n", text)).strip()


# An example's tags and the turns it writes, each the start of a line.
_EXAMPLE_TAG = re.compile(r"\s*(</?(?:example|commentary)>)\s*")
_EXAMPLE_TURN = re.compile(r"\s+(?=(?:Context|user|assistant):\s)", re.IGNORECASE)


def _merged_lead(leads: Sequence[str], adding: int = 3) -> str:
    """The lead that covers most of the others' words, plus sentences that add new ones
    (adding of them; two for a trigger): a second persona ("Acts as a senior frontend
    engineer") only as one more case or as another role ("You are also ..."), a second "Use
    ... when" joined to the first as one more case, so that the description has one
    trigger."""
    if not leads:
        return ""
    terms = [set(content_terms(lead)) for lead in leads]
    best = max(range(len(leads)), key=lambda i: (len(terms[i]), -i))
    kept = [_sentence_end(s) for s in _SENTENCE.split(leads[best])]
    covered = set(terms[best])
    named = {t.lower() for t in named_terms(leads[best])}
    cases: list[str] = []  # further "when ..." cases of the trigger
    roles = 1 if _YOU_ARE.match(kept[0]) else 0  # "You are ..." sentences at the start
    for lead in [*leads[:best], *leads[best + 1 :]]:
        for sentence in _SENTENCE.split(lead):
            new = set(content_terms(sentence)) - covered
            names = {t.lower() for t in named_terms(sentence)} - named
            # A trigger routes: two new words ("troubleshoot", "scalability concerns") make
            # it one more case. A role is kept for what it is expert in, not for its words or
            # name ("BackendMaster, an elite backend systems architect"): another role for
            # one new word of that, the same role for two. Any other sentence needs three.
            you_are = _YOU_ARE.match(sentence) is not None
            # Another role than every one said so far ("You are also a senior ML engineer"
            # after "... a senior machine learning engineer" is the same).
            other_role = you_are and all(_other_role(sentence, k) for k in kept if _ROLE.match(k))
            role = _ROLE.match(sentence) if you_are else None
            if role is not None:
                expert_in = sentence[role.end() :]
                adds = set(content_terms(expert_in)) & new
                names = {t.lower() for t in named_terms(expert_in)} - named
                if len(adds) < (1 if other_role else 2) and not names:
                    continue
            elif not (
                len(new) >= (2 if _TRIGGER.match(sentence) else adding)
                or names
                # "Proactively reviews code for ..." tells Claude Code to call the agent
                # unasked: said by no other sentence, it stays.
                or _proactive(sentence, [*kept, *cases])
            ):
                continue
            written = len(kept) + len(cases)
            trigger = _TRIGGER.match(sentence)
            persona = _PERSONA.match(sentence)
            has_trigger = any(_TRIGGER.match(k) for k in kept)
            if trigger and has_trigger:
                case = sentence[trigger.end() :].strip().rstrip(".!?")
                # "PROACTIVELY" tells Claude Code to call the agent unasked, for this case:
                # it stays with it (two editors read a second source's proactive case
                # without it as lost).
                proactively = "proactively" in trigger.group(0).lower()
                cases.append(f"use it PROACTIVELY {case}" if proactively else case)
            elif persona and has_trigger:
                # A second persona's scope is one more case: "A sophisticated AI QA Expert
                # for managing QA processes" -> "also for managing QA processes".
                rest = sentence[persona.end() :].strip()
                scope = _SCOPE.match(rest)
                if scope and rest[scope.end() :]:
                    # The persona's speciality is the case's: "for Next.js development,
                    # especially serverless architecture", not "..., specializing in"
                    # with no one specializing (an editor read it as dangling).
                    case = _SPECIALIZING.sub(", especially ", rest[scope.end() :])
                    cases.append(f"for {case.rstrip('.!?')}")
            elif persona and you_are:
                # A second role in the body is the agent's too: "You are also a senior QA
                # expert with expertise in ... quality metrics", after the first. The same
                # role's other expertise is the agent's: "You also have expertise in the
                # complete machine learning lifecycle."
                roles += 1
                expertise = None if other_role else _EXPERTISE.match(sentence)
                if expertise:
                    also = f"You also have {expertise.group(1)}"
                else:
                    also = _YOU_ARE.sub("You are also ", sentence, count=1)
                kept.insert(roles, _sentence_end(also))
            elif _DOING.match(sentence) and has_trigger:
                # What to do, said to the agent ("Master complex SQL queries, optimize
                # execution plans, ..."), is one more case of using it, not an order in a
                # text about it: "also to master complex SQL queries, ...".
                cases.append(f"to {_uncapitalized(sentence).rstrip('.!?')}")
            elif _BARE_ROLE.match(sentence) and not trigger:
                # A second source's role is one more of the agent's, after what the first
                # says of it ("Also a Senior-level React Engineer specializing in ..."; after
                # "Expert guardian of software architecture ...", "Senior Staff Software
                # Engineer specializing in ..." alone read as a fragment), before when to
                # use it: between the first's two sentences, the second read as the other
                # role's.
                kept.insert(_first_trigger(kept), _sentence_end(f"Also {_a_role(sentence)}"))
            elif not persona:
                # What the agent does comes before when to use it, unless the lead opens with
                # when to use it ("Use this agent when ...").
                # "Your focus spans ..." twice: the second's focus "also spans"; so "You
                # also specialize in ..." after "You specialize in ...".
                for said_before, also in ((_FOCUS, r"\1 also \2"), (_SPECIALIZE, r"You also \1")):
                    if any(said_before.match(k) for k in kept):
                        sentence = said_before.sub(also, sentence, count=1)
                at = _first_trigger(kept)
                if not at and _AGENT_DOES.match(sentence):
                    # After a lead opening with when to use the agent, "Masters ownership,
                    # ..." (said of a persona that became a case of it) has no one doing
                    # it: the agent does (an editor read it after the cases as a fragment).
                    sentence = f"It {_uncapitalized(sentence)}"
                kept.insert(at or len(kept), _sentence_end(sentence))
            if len(kept) + len(cases) > written:
                # Words a sentence left out are not said: "Acts as a senior frontend
                # engineer" adds nothing beside a trigger, and a trigger "... complex
                # frontend challenges" still routes by "frontend".
                covered |= new
                named |= names
    if cases:
        index = _first_trigger(kept)
        kept[index] = _listed_cases(kept[index], cases)
    # After a list of cases, the next sentence starts a paragraph of its own.
    return "".join(
        piece if k == 0 else ("\n\n" if _CASE_LIST in kept[k - 1] else " ") + piece
        for k, piece in enumerate(kept)
    )


_CASE_LIST = "\n- "


def _first_trigger(kept: Sequence[str]) -> int:
    """Where the first trigger sentence of kept is ("Use this agent when ..."), or its end."""
    return next((k for k, piece in enumerate(kept) if _TRIGGER.match(piece)), len(kept))


def _listed_cases(trigger: str, cases: Sequence[str]) -> str:
    """A trigger with more cases as one list of when to use the agent ("Use this agent:",
    then "- when you need ...", "- PROACTIVELY for ..."): joined by "; also", five editors
    read the cases as one run-on sentence. A trigger already listing its cases (a merged
    agent's) takes the new ones as more items."""
    found = _TRIGGER.match(trigger)
    assert found is not None
    rest = trigger[found.end() :].strip().rstrip(".!?")
    if rest.startswith(":"):
        items = [item.strip() for item in rest[1:].split(_CASE_LIST) if item.strip()]
    else:
        proactively = "proactively" in found.group(0).lower()
        items = [f"PROACTIVELY {rest}" if proactively else rest]
    items += [re.sub(r"^use it PROACTIVELY\b", "PROACTIVELY", case) for case in cases]
    return "Use this agent:" + "".join(f"{_CASE_LIST}{item}" for item in items) + "."


# "Use PROACTIVELY for", "Use this agent when", "Invoke when": what a trigger opens with.
_TRIGGER = re.compile(
    r"^(?:use|invoke|call|employ)\b(?:\s+(?:this|the)\s+agent)?(?:\s+proactively)?,?\s*", re.I
)
# "Acts as a senior frontend engineer", "A senior application security auditor", "React
# development expert with ...", "A sophisticated AI Quality Assurance (QA) Expert", "Expert
# in PostgreSQL ...": who the agent is, which the first lead says already.
# Nouns a role ends in ("a senior application security auditor").
_ROLE_NOUNS = "expert|specialist|engineer|developer|architect|auditor|consultant|professional"
_PERSONA = re.compile(
    rf"^(?:acts? as|you are|an? (?:[\w()-]+ ){{0,6}}?(?:{_ROLE_NOUNS})\b"
    r"|(?:[\w-]+ ){0,3}?(?:expert|specialist)(?= (?:in|on|at|for)\b)"
    r"|[\w-]+ (?:[\w-]+ ){0,3}?expert\b)",
    re.I,
)


_YOU_ARE = re.compile(r"^You are (?!also\b)")
# "Master complex SQL queries, ...", "Write idiomatic Go code ...": what the agent is told
# to do, as 0xfurai's descriptions open.
_DOING = re.compile(
    r"^(?:master|write|create|build|design|develop|implement|optimi[sz]e|architect)\s", re.I
)
# "Senior Deployment Engineer and DevOps Architect specializing in ...": a role and no verb.
# Nouns a bare role ends in too ("Battle-tested Incident Commander specializing in ...").
_MORE_ROLE_NOUNS = "programmer|writer|analyst|commander|manager|responder|designer|scientist"
_BARE_ROLE = re.compile(
    rf"^(?:[\w-]+ ){{0,6}}?(?:{_ROLE_NOUNS}|{_MORE_ROLE_NOUNS})s? "
    r"(?:specializing|with|focused|who|responsible)\b",
    re.I,
)
# "You are a senior ML engineer with [expertise in the complete machine learning lifecycle]."
_EXPERTISE = re.compile(
    r"^You are [^.;]*? with ((?:deep |extensive |broad )?(?:expertise|experience) in [^;]+?)\.?$",
    re.I,
)
# "You are [a senior QA expert] with ...": the role, up to what it is qualified by.
_ROLE = re.compile(r"^You are (?:an? )?(.*?)(?:\.| with | specializ| who | focused )", re.I)
# Words any role has: no role is another by them.
_RANK = frozenset(
    "senior junior lead principal staff master elite expert specialist engineer architect "
    "developer professional".split()
)


def _proactive(sentence: str, said: Sequence[str]) -> bool:
    """Whether sentence asks to be called unasked and nothing said does."""
    return "proactively" in sentence.lower() and not any("proactively" in s.lower() for s in said)


def _other_role(sentence: str, first: str) -> bool:
    """Whether sentence's role shares no word but a rank with first's: a senior QA expert
    beside a senior test automation engineer, not an elite backend specialist beside a
    master backend architect."""

    def words(text: str) -> set[str]:
        role = _ROLE.match(text)
        found = re.findall(r"[a-z0-9]+", role.group(1).lower()) if role else []
        kept = [w for w in found if w not in _RANK and w not in lexicon().stopwords]
        # Two words' initials are the role's name too: "machine learning" is "ML".
        return {*kept, *(a[0] + b[0] for a, b in itertools.pairwise(kept))}

    mine, theirs = words(sentence), words(first)
    return bool(mine and theirs) and not mine & theirs


_FOCUS = re.compile(r"^(Your \w+) (spans|covers|includes|extends)\b")
# What the agent does, said with no subject after its persona: "Masters ownership, ...",
# "Leverages advanced Python features, ...".
_AGENT_DOES = re.compile(
    r"^(?:Masters|Leverages|Focuses|Provides|Specializes|Excels|Ensures|Delivers|Builds"
    r"|Writes|Designs|Creates|Develops|Implements|Optimizes|Translates|Identifies"
    r"|Offers|Helps|Handles|Manages|Uses|Applies|Combines|Bridges)\b"
)
_SPECIALIZE = re.compile(r"^You (specialize)\b")


# What opens a persona's scope after its noun ("Expert in PostgreSQL ...").
_SCOPE = re.compile(r"^(?:for|in|specializing in)\s+", re.I)
_SPECIALIZING = re.compile(r",?\s+speciali[sz](?:ing|ed) in\s+", re.I)


def _sentence_end(sentence: str) -> str:
    """Each kept piece ends a sentence, so two leads never run on into one."""
    return sentence if sentence.rstrip()[-1:] in ".!?" else sentence.rstrip() + "."
