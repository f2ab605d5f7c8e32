"""Parse: SourceFile -> Agent (preamble + ordered sections of bullets), on the mistune 3 AST.

Three section styles occur in real agents and all become Sections: ATX headings
(`## Title`, `### 1. Title`), bold or short colon-ended paragraphs followed by a list
(`**Core Responsibilities:**`, `API design requirements:`), and numbered bold items
(`1. **API Design**`) whose nested bullets belong to that item. mistune gives no source
positions, so line numbers and original Markdown come from walking the source in step.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, cast

import mistune
from mistune.block_parser import BlockParser
from mistune.core import BlockState
from mistune.plugins import import_plugin
from mistune.renderers.markdown import MarkdownRenderer

from compose.load import SourceFile
from compose.terms import (
    contains_term,
    content_terms,
    lexicon,
    named_terms,
    prohibits,
    strip_markup,
)
from compose.topics import (
    ANTI_PATTERNS,
    OTHER,
    OUTPUT_FORMAT,
    RESPONSIBILITIES,
    WORKFLOW,
    classify,
    clean_title,
    is_kind,
    is_numbered,
    names_items,
    topic_title,
    written_in,
)

Token = dict[str, Any]

# Deeper than mistune's default of 20 nested blocks, so deep outlines keep their structure.
MAX_NESTING = 64
_MARKDOWN = mistune.Markdown(
    renderer=None,
    block=BlockParser(max_nested_level=MAX_NESTING),
    plugins=[import_plugin("table"), import_plugin("strikethrough")],
)
_STEP_NUMBER = re.compile(r"^\s*(\d{1,9})[.)]\s")
_LIST_LINE = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])(?:\s+|$)(.*)$")
_FENCE_LINE = re.compile(r"^(\s*)(`{3,}|~{3,})(.*)$")
# Lines that start a block of their own, so they never continue a list item's text.
_BLOCK_START = re.compile(r"^\s*(?:#{1,6}(?:\s|$)|>|\||<[A-Za-z/!]|(?:[-*_]\s*){3,}$)")
_WORD = re.compile(r"[a-z0-9]+")
_NOT_KEY = re.compile(r"[^a-z0-9]+")
_MAX_PSEUDO_TITLE = 80
# A message the agent gives, after what it is: 'Delivery notification: "ML system ..."'.
_MESSAGE = re.compile(r'^[^"\n]{1,60}:\s+"')


@dataclass(frozen=True)
class Bullet:
    """One list item: plain text for matching, original Markdown for rendering."""

    id: str
    agent: str
    section: str
    topic: str
    text: str
    markdown: str
    line: int
    parent: str | None = None
    depth: int = 0
    # A warning, never a recommendation: from an anti-pattern list, or it forbids ("Never ...").
    negative: bool = False
    # The paragraph that introduces the item's list ("Before implementing, always:"), as
    # Markdown: the item means what it says under it. Top-level items only.
    lead_in: str | None = None
    ordered: bool = False  # from a numbered list: a step or a rank, whose place is meaning
    # The section (topic, title) whose lists the item is written among: its own, or for a
    # sentence that titles a sub-section ("When reviewing code, focus on:") the enclosing one,
    # where a merged agent writes that sentence as a lead-in.
    home: tuple[str, str] = ("", "")
    # An item of a numbered step ("1. **Requirement Analysis:**" over its items, the lead-in):
    # the step's number as written; 0 for any other item.
    step: int = 0
    # An item of a numbered list or a checklist a sentence introduces before the body's
    # first heading, right after the persona ("When invoked:" then "1. Query context manager
    # ...", "QA excellence checklist:"): what the agent does first and the bar its work
    # meets, which a merged agent writes first too.
    opening: bool = False
    # Its text only names the items nested under it ("Initiate Postmortem:"): their lead-in,
    # compared with no other item (alone it matched "Communication initiation").
    titles_items: bool = False
    # An item of a group a bold item of a list names ("- **Analysis and Documentation:**"
    # over its items), its lead-in that name: the group is written as that item again.
    grouped: bool = False


@dataclass(frozen=True)
class Section:
    title: str
    topic: str
    level: int
    line: int
    paragraphs: tuple[str, ...] = ()
    bullets: tuple[Bullet, ...] = ()
    verbatim: tuple[str, ...] = ()  # fenced code, tables, HTML: kept byte for byte
    home: tuple[str, str] = ("", "")  # see Bullet.home
    # How many of its paragraphs come before its last verbatim block (a template's context).
    paragraphs_before_verbatim: int = 0
    verbatim_lines: tuple[int, ...] = ()  # where each verbatim block ends in the file
    # How many of its paragraphs come after its last list or verbatim block: they lead on
    # to what follows ("Execute ... through systematic phases:" after a list).
    trailing: int = 0


@dataclass(frozen=True)
class Agent:
    source: SourceFile
    preamble: tuple[str, ...]
    sections: tuple[Section, ...]
    preamble_verbatim: tuple[str, ...] = ()
    # Link reference definitions ("[sg]: https://..."), (key, definition), in source order:
    # Markdown keeps them out of the text, and "[style guide][sg]" needs them.
    references: tuple[tuple[str, str], ...] = ()
    # The paragraphs that close the body, after its last list or template ("Your backend
    # implementations enable teams to ..."): the agent's last word, not its last section's.
    closing: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.source.name

    @property
    def path(self) -> str:
        return self.source.path

    @cached_property
    def bullets(self) -> tuple[Bullet, ...]:
        return tuple(b for s in self.sections for b in s.bullets)


def parse(source: SourceFile) -> Agent:
    """Parse a loaded agent file into sections and bullets."""
    return _Parser(source).run()


def normalise_for_id(text: str) -> str:
    """Lower-case words only: ids and source matching ignore Markdown and spacing."""
    return " ".join(_WORD.findall(text.lower()))


def _match_key(text: str) -> str:
    """Source text and plain text compare on alphanumerics only, link targets dropped."""
    return _NOT_KEY.sub("", strip_markup(text).lower())


def reference_definition(ref: dict[str, str]) -> str:
    """A link reference definition written back from mistune's reading of it."""
    url = ref["url"]
    if not url or any(c.isspace() or c in "<>" for c in url):
        url = f"<{url}>"
    title = ref.get("title")
    if title is None:
        return f"[{ref['label']}]: {url}"
    quoted = f'"{title}"' if '"' not in title else f"({title})"
    return f"[{ref['label']}]: {url} {quoted}"


def bullet_id(agent: str, text: str) -> str:
    """Content-derived id, stable under whitespace and Markdown-only edits."""
    digest = hashlib.blake2b(f"{agent}\0{normalise_for_id(text)}".encode(), digest_size=5)
    return "b" + digest.hexdigest()


def paragraph_markdown(token: Token) -> str:
    """A paragraph as Markdown (links, code and emphasis kept), lines joined by spaces but
    at a hard line break ("**Unit Test Design**" over its sentence, then "*Tools:* Jest"),
    written as a backslash; "&" as written ("Fix Implementation & Verification:"), escaped
    only where it would open an entity."""
    lines = _HARD_BREAK.split(_MARKDOWN_OUT.render_children(token, BlockState()))
    markdown = "\\\n".join(" ".join(line.split()) for line in lines)
    return _ESCAPED_AMPERSAND.sub("&", markdown)


# How mistune's renderer writes a hard line break.
_HARD_BREAK = re.compile(r" {2,}\n")


# mistune's renderer writes every "&" of text as "\&"; only "&name;" needs it.
_ESCAPED_AMPERSAND = re.compile(r"\\&(?![#A-Za-z0-9]+;)")


_MARKDOWN_OUT = MarkdownRenderer()


def plain_text(children: list[Token]) -> str:
    parts: list[str] = []
    for token in children:
        kind = token["type"]
        if kind in ("softbreak", "linebreak"):
            parts.append(" ")
        elif kind == "image":
            parts.append(plain_text(token.get("children", [])))
        elif "children" in token:
            parts.append(plain_text(token["children"]))
        else:
            parts.append(token.get("raw", ""))
    return " ".join("".join(parts).split())


def _first_line(children: list[Token]) -> list[Token]:
    """The inline tokens before the first line break."""
    breaks = (k for k, t in enumerate(children) if t["type"] in ("softbreak", "linebreak"))
    return children[: next(breaks, len(children))]


def _notes_on(paragraph: str, title: str) -> bool:
    """Whether paragraph, written after a section's list, says what holds for all of the
    section's items: "*In all deliverables, include ...*" under "## Expected Deliverables"
    is the section's note, not the agent's closing."""
    found = _FOR_ALL.match(strip_markup(paragraph))
    return found is not None and bool(
        set(content_terms(found.group(1))) & set(content_terms(title))
    )


# "In all deliverables, ...", "For each recommendation ...": what follows names the items.
_FOR_ALL = re.compile(r"^(?:in|for) (?:all|each|every) ([\w-]+)", re.IGNORECASE)


@dataclass
class _SectionBuilder:
    title: str
    topic: str
    level: int
    line: int
    pseudo: bool
    paragraphs: list[str] = field(default_factory=list)
    bullets: list[Bullet] = field(default_factory=list)
    verbatim: list[str] = field(default_factory=list)
    verbatim_lines: list[int] = field(default_factory=list)
    lead_in: str | None = None  # a sentence title ("When reviewing code, focus on:")
    home: tuple[str, str] = ("", "")
    paragraphs_before_verbatim: int = 0
    step: int = 0  # a numbered step's number (see Bullet.step)
    grouped: bool = False  # a bold item of a list over its items (see Bullet.grouped)
    opening: bool = False  # a sentence title before the first heading (see Bullet.opening)
    loose: int = 0  # paragraphs written since its last list or verbatim block
    phase: bool = False  # a numbered step of a procedure ("### 3. ML Excellence")
    # A phase's message ("Delivery notification:" then "\"ML system completed. ...\""): the
    # lists written after it close no step of the phase, they are what the agent knows.
    delivered: bool = False
    # The section it is under: the latest before it of a lower level.
    parent: _SectionBuilder | None = field(default=None, repr=False)

    def freeze(self) -> Section:
        bullets = self.bullets
        if (
            self.title
            and self.lead_in is None
            and (_title_says_more(self.title, bullets) or self._groups_its_topic(bullets))
        ):
            # The items mean what they say under the title: written under it, as under a
            # lead-in, not loose among the practices of its topic.
            lead_in = f"{self.title.rstrip(':')}:"
            bullets = [
                replace(b, lead_in=lead_in) if b.parent is None and b.lead_in is None else b
                for b in bullets
            ]
        return Section(
            self.title,
            self.topic,
            self.level,
            self.line,
            tuple(self.paragraphs),
            tuple(bullets),
            tuple(self.verbatim),
            self.home,
            self.paragraphs_before_verbatim,
            tuple(self.verbatim_lines),
            min(self.loose, len(self.paragraphs)),
        )

    def _groups_its_topic(self, bullets: list[Bullet]) -> bool:
        """Whether it is a group of its parent section's items, of the same topic ("### 1.
        Process & Quality" under "## Core Development Philosophy"): flattened into one list
        of the topic, three editors read the groups as lost. Not an unclassified title (the
        heading of its merged section), one its topic's heading says ("### Core
        Responsibilities"), nor one an item says whole ("### Context7" over "context7: ...";
        "### Styling and Component Libraries" over "Consistent Styling: ..." and "Component
        Libraries: ..." is a lead-in)."""
        parent = self.parent
        return (
            parent is not None
            and bool(parent.title)
            and not self.phase
            and self.home[0] == parent.home[0] != OTHER
            and clean_title(self.title) != topic_title(self.home[0])
            and not any(
                set(content_terms(self.title)) <= set(content_terms(b.text)) for b in bullets
            )
        )


def _title_says_more(title: str, bullets: list[Bullet]) -> bool:
    """Whether a section's title says something its items need: what they are ("Quality
    Checklist": criteria, not practices), or a name that neither they nor its topic say
    ("MCP Integration" over "context7: Research PostgreSQL patterns" in "Integration and
    Messaging"; "Consumer Rights Under CCPA/CPRA"; not "DevOps" in "Deployment and
    Operations", which a keyword of that topic is; an unclassified title is the heading)."""
    if names_items(title):
        return True
    topic = classify(title)
    technologies = lexicon().technologies
    return topic != OTHER and any(
        # An acronym or a technology: Title Case words are capitalised as a title's are.
        (("-" not in name and sum(map(str.isupper, name)) >= 2) or name.lower() in technologies)
        and classify(name) != topic
        and not any(contains_term(b.text, form) for b in bullets for form in (name, f"{name}s"))
        for name in named_terms(title)
    )


def _closes(opening: re.Match[str], line: re.Match[str]) -> bool:
    """Whether a fence-like line closes the block opened by opening (CommonMark: same marker,
    at least as long, nothing after it, indented at most three more spaces: "```sql" or an
    indented "    ```" inside a block is content)."""
    marker, fence = line.group(2), opening.group(2)
    return (
        marker[0] == fence[0]
        and len(marker) >= len(fence)
        and not line.group(3).strip()
        and len(line.group(1)) <= len(opening.group(1)) + 3
    )


class _SourceCursor:
    """Walks the body's lines in document order to recover what mistune drops: positions."""

    def __init__(self, body: str, first_line: int) -> None:
        self.lines = body.split("\n")
        self.first_line = first_line
        self.at = 0
        self.in_fence = [False] * len(self.lines)
        self.openings: list[int] = []  # lines that open a fenced block, in order
        fence: re.Match[str] | None = None  # the opening line of the block we are in
        for i, line in enumerate(self.lines):
            match = _FENCE_LINE.match(line)
            if fence is None:
                if match and not (match.group(2)[0] == "`" and "`" in match.group(3)):
                    fence = match
                    self.openings.append(i)
            else:
                self.in_fence[i] = True
                if match and _closes(fence, match):
                    fence = None
        # Alphanumerics only, so Markdown syntax on either side never prevents a match.
        self.line_keys: list[str | None] = [
            None if fenced else _match_key(line)
            for line, fenced in zip(self.lines, self.in_fence, strict=True)
        ]
        # A list item's text includes its lazy continuation lines ("- caching\nRedis").
        self.items: list[str | None] = [
            self._item_markdown(i) if not fenced and _LIST_LINE.match(line) else None
            for i, (line, fenced) in enumerate(zip(self.lines, self.in_fence, strict=True))
        ]
        self.item_keys = [None if item is None else _match_key(item) for item in self.items]

    def skip_fence(self) -> None:
        """Move past the next fenced block, whose lines no snippet is ever matched in."""
        k = bisect.bisect_left(self.openings, self.at)
        if k < len(self.openings):
            end = self.openings[k] + 1
            while end < len(self.lines) and self.in_fence[end]:
                end += 1
            self.at = end

    def find(
        self, snippet: str, *, list_item: bool = False, outside_items: bool = False
    ) -> int | None:
        """Index of the next line containing snippet (as the content of a list item if asked;
        on no list item's line if asked: a paragraph's words can also start an item)."""
        key = _match_key(snippet)[:30]
        lines = self.item_keys if list_item else self.line_keys
        for i in range(self.at, len(lines)):
            content = lines[i]
            if content is None or (outside_items and self.items[i] is not None):
                continue
            if content.startswith(key) if list_item else key in content:
                self.at = i + 1
                return i
        return None

    def line_number(self, index: int | None) -> int:
        return self.first_line + (index if index is not None else max(self.at - 1, 0))

    def step_number(self, line_number: int) -> int:
        """The number an ordered item on that line is written with ("3." -> 3), else 0."""
        index = line_number - self.first_line
        match = _STEP_NUMBER.match(self.lines[index]) if 0 <= index < len(self.lines) else None
        return int(match.group(1)) if match else 0

    def _item_markdown(self, index: int) -> str:
        """The item's first paragraph as written: marker line plus its lazy continuation lines."""
        match = _LIST_LINE.match(self.lines[index])
        parts = [match.group(1) if match else self.lines[index].strip()]
        for k in range(index + 1, len(self.lines)):  # not a slice: that copies every later line
            line = self.lines[k]
            if not line.strip() or _LIST_LINE.match(line) or _FENCE_LINE.match(line):
                break
            if _BLOCK_START.match(line):
                break
            parts.append(line.strip())
        return " ".join(part for part in parts if part)  # "-" then "text": no leading space

    def block(self, prefix: str) -> str:
        """The next run of lines starting with prefix ('|' tables, '>' quotes), verbatim."""
        start = next(
            (
                i
                for i in range(self.at, len(self.lines))
                if self.lines[i].lstrip().startswith(prefix)
            ),
            None,
        )
        if start is None:
            return ""
        end = start
        while end < len(self.lines) and self.lines[end].lstrip().startswith(prefix):
            end += 1
        self.at = end
        return "\n".join(self.lines[start:end])


_VERBATIM = ("block_code", "block_html", "table", "block_quote", "template")
_ATX = re.compile(r"^ {0,3}#{1,6}(?:\s|$)")
_TITLE_ONLY = re.compile(r"^[^:.]{1,60}:$")  # "Initiate Postmortem:", a name and a colon
# A slot of a template: "[Brief overall evaluation]", "[File Path]" (not a link's text).
_PLACEHOLDER = re.compile(r"\[[A-Z][^\]\n]{2,}\](?!\()")


class _Parser:
    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.agent = source.name
        self.cursor = _SourceCursor(source.body, source.body_line)
        self.preamble: list[str] = []
        self.preamble_verbatim: list[str] = []
        self.sections: list[_SectionBuilder] = []
        self.heading_level = 1  # level of the latest ATX heading; pseudo-headings sit below it
        self.seen_ids: dict[str, int] = {}

    def run(self) -> Agent:
        ast, state = _MARKDOWN.parse(self.source.body)
        tokens = self.unfenced_templates(
            [t for t in cast(list[Token], ast) if t["type"] != "blank_line"]
        )
        for i, token in enumerate(tokens):
            following = tokens[i + 1]["type"] if i + 1 < len(tokens) else None
            self.block(token, following, tokens[i - 1] if i else None)
        closing = self.closing(tokens)
        self.templates_with_their_parents()
        return Agent(
            self.source,
            tuple(self.preamble),
            tuple(s.freeze() for s in self.sections),
            tuple(self.preamble_verbatim),
            tuple(
                (key, reference_definition(ref))
                for key, ref in state.env.get("ref_links", {}).items()
            ),
            closing,
        )

    def unfenced_templates(self, tokens: list[Token]) -> list[Token]:
        """tokens with each output template written as Markdown, not in a fence, as one
        verbatim block: an output-format heading over headings of its own and placeholders
        ("### **Output Format (Terminal-Optimized)**", then "### **Code Review Summary**",
        "Overall assessment: [Brief overall evaluation]", ... and its example). It runs to
        the next heading of a higher level (of the same level too, for a "##" one). Read as
        sections and items, its slots were scattered over the merged agent."""
        cursor = self.cursor
        at = [
            i for i, line in enumerate(cursor.lines) if _ATX.match(line) and not cursor.in_fence[i]
        ]
        headings = [k for k, token in enumerate(tokens) if token["type"] == "heading"]
        if len(at) != len(headings):
            return tokens  # a setext heading: the lines are not known
        for n in reversed(range(len(headings))):
            k, level = headings[n], tokens[headings[n]]["attrs"]["level"]
            if classify(plain_text(tokens[k]["children"])) != OUTPUT_FORMAT:
                continue
            end = next(
                (
                    m
                    for m in range(n + 1, len(headings))
                    if (other := tokens[headings[m]]["attrs"]["level"]) < level
                    or (level <= 2 and other == level)
                ),
                len(headings),
            )
            last_token = headings[end] if end < len(headings) else len(tokens)
            last_line = at[end] if end < len(headings) else len(cursor.lines)
            lines = range(at[n] + 1, last_line)
            if not (
                any(token["type"] == "heading" for token in tokens[k + 1 : last_token])
                and any(
                    _PLACEHOLDER.search(cursor.lines[i]) for i in lines if not cursor.in_fence[i]
                )
            ):
                continue
            text = "\n".join(cursor.lines[i] for i in lines).strip("\n")
            template: Token = {"type": "template", "raw": text, "end": last_line}
            tokens = [*tokens[: k + 1], template, *tokens[last_token:]]
        return tokens

    def templates_with_their_parents(self) -> None:
        """A sub-section of a template and its words only is part of the section it is
        under: VoltAgent's "## Communication Protocol" / "### Python Environment Assessment"
        holds the context query, which its title would have put under Deployment. A
        deliverable ("### Output template") stays one."""
        for section in self.sections:
            parent = section.parent
            if parent and section.verbatim and not section.bullets and not is_kind(section.topic):
                section.topic = parent.topic
                section.home = (parent.home[0], section.home[1])

    def closing(self, tokens: list[Token]) -> tuple[str, ...]:
        """The paragraphs after the last list or template of the last section, taken out of
        it; a sentence introducing nothing ("Example Roadmap:") between them stays."""
        last = self.current
        if last is None:
            return ()
        count = 0  # trailing paragraphs
        while count < len(tokens) and tokens[-1 - count]["type"] == "paragraph":
            count += 1
        if not count or count == len(tokens) or len(last.paragraphs) < count:
            return ()
        if tokens[-1 - count]["type"] not in ("list", *_VERBATIM):
            return ()
        closing = 0  # the closing ones: after the last that introduces
        while closing < count and not introduces(last.paragraphs[-1 - closing]):
            closing += 1
        if closing and _notes_on(last.paragraphs[-closing], last.title):
            closing -= 1  # the section's own note, right after its list
        if not closing:
            return ()
        paragraphs = tuple(last.paragraphs[-closing:])
        del last.paragraphs[-closing:]
        return paragraphs

    @property
    def current(self) -> _SectionBuilder | None:
        return self.sections[-1] if self.sections else None

    def block(self, token: Token, following: str | None, previous: Token | None) -> None:
        kind = token["type"]
        if kind == "heading":
            self.heading_level = token["attrs"]["level"]
            if self.heading_level == 1 and previous is None:
                # The document's title ("# Security Auditor"): the paragraphs under it ("**Role**:
                # ...") are the agent's opening, as they would be without it.
                return
            self.open_section(plain_text(token["children"]), self.heading_level, pseudo=False)
        elif kind == "paragraph":
            pseudo = self.pseudo_title(token, following)
            if pseudo is not None:
                # Before any heading: only lists under sentences so far ("When invoked:").
                first = all(s.lead_in is not None for s in self.sections)
                section = self.open_section(pseudo, self.heading_level + 1, pseudo=True)
                if _bold_title(token["children"]) is None:
                    section.opening = first
                    # "When reviewing existing code, focus on:" titles a section and, as a
                    # sentence, introduces its list too. Its title keeps the colon, so that
                    # it is never taken for a heading of the same words.
                    section.lead_in = paragraph_markdown(token)
                    section.title += ":"
                    section.home = (section.parent or section).home
                    home = written_in(section.title, OTHER)
                    if home != OTHER:
                        # "Integration with other agents:" is written with Communication,
                        # wherever its source put it.
                        section.home = (home, section.home[1])
                    elif section.parent is None or section.parent.delivered:
                        # What the agent knows, listed before any heading ("Feature
                        # engineering:") or after a phase's delivery message ("Scaling
                        # techniques:"), is written with its topic; of none, with what the
                        # agent does, not as a section of its own.
                        title = pseudo.rstrip(":")
                        topic = written_in(title, classify(title))
                        section.home = (RESPONSIBILITIES if topic == OTHER else topic, title)
            else:
                self.paragraph(token, previous)
        elif kind == "list":
            if self.current is not None:
                self.current.loose = 0
            # Its lead-in is the latest paragraph, in the section or before the first one.
            latest = (self.current.paragraphs if self.current else self.preamble)[-1:]
            section = self.current or self.open_section("", self.heading_level + 1, pseudo=True)
            # A sentence title introduces the list right after it.
            lead_in = _lead_in_of(previous, latest) or (
                section.lead_in if not section.bullets else None
            )
            self.walk_list(token, section, None, 0, lead_in)
        elif kind in _VERBATIM:
            self.verbatim(token, self.current, previous)

    def pseudo_title(self, token: Token, following: str | None) -> str | None:
        bold = _bold_title(token["children"])
        if bold is not None and following not in _VERBATIM:
            # "**Example of a concise and effective recommendation:**" right above its
            # quote introduces it, as "Progress tracking:" does its JSON: no section.
            return bold
        text = plain_text(token["children"])
        current = self.current
        # "**Decision Making.** When multiple solutions exist, prioritize in this order:" (a
        # merged agent's lead-in under its sub-section's title) is as long as its sentence.
        children = token["children"]
        titled = children[0]["type"] == "strong" and text.startswith(
            plain_text(children[0]["children"]).rstrip(".") + "."
        )
        said = plain_text(children[1:]).strip() if titled else text
        opens_list = following == "list" and text.endswith(":") and len(said) <= _MAX_PSEUDO_TITLE
        # Inside a heading's section, the first "Before implementing, always:" is a lead-in;
        # a later one titles a sub-section too (its bullets keep it as their lead-in).
        if opens_list and (current is None or current.bullets or current.pseudo):
            return text
        return None

    def open_section(
        self, title: str, level: int, *, pseudo: bool, on_item: bool = False
    ) -> _SectionBuilder:
        parent = next((s for s in reversed(self.sections) if s.level < level), None)
        # A numbered heading under a sentence that introduces it ("Execute PostgreSQL
        # optimization through systematic phases:" / "### 1. Database Analysis") is a phase
        # of that procedure: its lists are written with it, whatever the phase is named.
        # Numbered chapters with no such sentence ("### 2. API Design Principles") are topics.
        numbered = not pseudo and is_numbered(title)
        before = parent.paragraphs[-1:] if parent and numbered else []
        phase = any(map(introduces, before))
        # Numbered headings a sentence points to ("This agent adheres to the following core
        # development principles ...", then "### 1. Process & Quality") are parts of what
        # it names: their lists are of the sentence's topic.
        part = any(map(points_forward, before))
        # A numbered heading right under a checklist's heading over nothing else ("###
        # Comprehensive Review Checklist" / "#### 1. Critical & Security") is a ranked tier
        # of it: its items are written under its name, in order, not with the topic its
        # name has. (Numbered chapters of an approach, "### 2. API Design Principles", are
        # topics.)
        number = _STEP_NUMBER.match(title) if numbered else None
        step = (
            number is not None
            and not (phase or part or on_item)
            and parent is not None
            and parent.level == level - 1
            and "checklist" in parent.title.lower()
            and not (parent.paragraphs or parent.bullets or parent.verbatim)
        )
        title = clean_title(title)
        topic = classify(title) if title else OTHER
        if topic == OTHER or (part and not phase):
            topic = parent.topic if parent else OTHER
        index = self.cursor.find(title, outside_items=not on_item) if title else None
        section = _SectionBuilder(title, topic, level, self.cursor.line_number(index), pseudo)
        section.parent = parent
        # Its lists are written with the procedure, and a part of a list of deliverables
        # ("## Output Format" / "**Analysis and Documentation:**") with the deliverables;
        # compared, they are still what they say.
        kind = parent.home[0] if parent and is_kind(parent.home[0]) else None
        own = written_in(title, topic, heading=True)
        section.home = (parent.topic if phase and parent else kind or own, title)
        section.phase = phase
        if step and parent is not None and number is not None:
            home = parent.home[0]
            section.home = (home if home != OTHER else WORKFLOW, title)
            section.lead_in = f"{title}:"
            section.step = int(number.group(1))
        self.sections.append(section)
        return section

    def paragraph(self, token: Token, previous: Token | None) -> None:
        markdown = paragraph_markdown(token)
        # Its first line only: a key that runs on into the next line is found on no line.
        index = self.cursor.find(plain_text(_first_line(token["children"])), outside_items=True)
        if self.current is None:
            self.preamble.append(markdown)
        else:
            section = self.current
            # A paragraph right before it that is none of the section's paragraphs (none
            # since its last list or block) ended the last block: a message, if that is one.
            if (
                markdown.startswith('"')
                and previous is not None
                and previous["type"] == "paragraph"
                and section.loose == 0
                and section.verbatim
                and _MESSAGE.match(section.verbatim[-1])
            ):
                # One more message right after a labelled one: another example of it.
                section.verbatim[-1] += "\n\n" + markdown
                section.verbatim_lines[-1] = self.cursor.line_number(index)
                return
            labelled = section.paragraphs[-1:] if markdown.startswith('"') else []
            if _MESSAGE.match(markdown) or (labelled and labelled[0].endswith(":")):
                # A message the agent gives is a template, kept as written after the lists
                # its source wrote before it, and no introduction of the next list.
                if labelled:
                    section.paragraphs.pop()
                section.verbatim.append("\n\n".join([*labelled, markdown]))
                section.verbatim_lines.append(self.cursor.line_number(index))
                section.paragraphs_before_verbatim = len(section.paragraphs)
                section.loose = 0
                owner = section
                while owner.pseudo and owner.parent is not None:
                    owner = owner.parent
                owner.delivered = owner.phase
                return
            self.current.paragraphs.append(markdown)
            self.current.loose += 1

    def verbatim(
        self, token: Token, section: _SectionBuilder | None, previous: Token | None = None
    ) -> None:
        kind = token["type"]
        if kind == "block_code":
            if token.get("style") == "fenced":
                marker = token.get("marker", "```")
                info = token.get("attrs", {}).get("info", "")
                text = f"{marker}{info}\n{token['raw']}{marker}"
                self.cursor.skip_fence()
            else:
                text = "\n".join("    " + line for line in token["raw"].rstrip("\n").split("\n"))
        elif kind == "block_html":
            text = token["raw"].rstrip("\n")
        elif kind in ("table", "block_quote"):
            text = self.cursor.block("|" if kind == "table" else ">")
        elif kind == "template":
            text = token["raw"]
            self.cursor.at = token["end"]
        else:
            return  # blank lines and thematic breaks inside items carry nothing
        if not text.strip():
            return
        target = section.verbatim if section is not None else self.preamble_verbatim
        paragraphs = section.paragraphs if section is not None else self.preamble
        lead_in = _lead_in_of(previous, paragraphs[-1:])
        if lead_in is not None and kind in ("block_code", "block_quote"):
            # "Progress tracking:" and its JSON are one block: a template is kept with the
            # sentence that says what it is, and with the sentences written right before
            # that in its section ("Initialize QA process by understanding quality
            # requirements." before "QA context query:").
            bound = max(section.loose, 1) if section is not None else 1
            context = paragraphs[-bound:]
            del paragraphs[-bound:]
            text = "\n\n".join([*context, text])
        target.append(text)
        if section is not None:
            section.loose = 0
            section.paragraphs_before_verbatim = len(section.paragraphs)
            section.verbatim_lines.append(self.cursor.line_number(None))

    def walk_list(
        self,
        token: Token,
        section: _SectionBuilder,
        parent: Bullet | None,
        depth: int,
        lead_in: str | None = None,
    ) -> None:
        ordered = bool(token.get("attrs", {}).get("ordered"))
        items = [_ListItem.of(item, parent is None) for item in token["children"]]
        # A step followed by numbered items ("2. **Initiate Postmortem**:" over its items,
        # before "3. **Postmortem Content**: The document should include:") is one of them:
        # written as a sub-section after the list, it left its place in the procedure.
        titled = [item.title is not None for item in items]
        steps_apart = not (ordered and True in titled and False in titled[titled.index(True) :])
        for item in items:
            head, rest, title = item.head, item.rest, item.title
            step = ordered and item.introduced
            if title is not None and (steps_apart or not step or title[1]):
                # "1. **Requirement Analysis:**" introduces its items: a step. "1. **API
                # Design**" names a chapter of the agent's work.
                self.item_section(title, rest, section, step)
                continue
            nested = any(child["type"] == "list" and child["children"] for child in rest)
            bullet = (
                self.bullet(head, section, parent, depth, lead_in, ordered, nested)
                if head is not None
                else parent
            )
            for child in rest:
                if child["type"] == "list":
                    self.walk_list(child, section, bullet, depth + 1)
                elif child["type"] in ("paragraph", "block_text"):
                    section.paragraphs.append(paragraph_markdown(child))
                else:
                    self.verbatim(child, section)

    def item_section(
        self, title: tuple[str, str], rest: list[Token], owner: _SectionBuilder, step: bool
    ) -> None:
        """`1. **API Design**` with nested content: a sub-section of the list's section.

        A numbered one whose title ends in ':' is a step of the procedure its list is ("1.
        **Requirement Analysis and Data Modeling:**" over two items): written with that
        list's section, its items under its name as their lead-in, in the order of the
        steps."""
        section = self.open_section(title[0], owner.level + 1, pseudo=False, on_item=True)
        if section.topic == OTHER:
            section.topic = owner.topic
        if step and not title[1]:
            # The steps are written together, in order: under their heading's topic, or in
            # the workflow when it names none ("## Immediate Actions (First 5 Minutes)").
            section.home = (owner.home[0] if owner.home[0] != OTHER else WORKFLOW, section.title)
            section.lead_in = f"{section.title}:"
            section.step = self.cursor.step_number(section.line)
        elif not title[1] and (_asks(rest) or is_kind(owner.home[0])):
            # "- **Service Boundaries and Responsibilities:**" over its questions: its name
            # introduces them wherever its topic writes them ("Does each service have a
            # single, well-defined responsibility?" alone read as an orphan question); so
            # does a group of deliverables ("**User-Focused Documentation:**" under "##
            # Expected Output": an editor read the four groups, flattened, as lost). Over
            # practices, it names a topic they join ("**API Design & Development:**").
            section.lead_in = f"{section.title}:"
            section.grouped = True
        if title[1]:
            section.paragraphs.append(title[1])
        previous = title[1] if title[1] and introduces(title[1]) else section.lead_in
        for child in rest:
            if child["type"] == "list":
                self.walk_list(child, section, None, 0, previous)
            elif child["type"] in ("paragraph", "block_text"):
                section.paragraphs.append(paragraph_markdown(child))
            else:
                self.verbatim(child, section)

    def bullet(
        self,
        head: Token,
        section: _SectionBuilder,
        parent: Bullet | None,
        depth: int,
        lead_in: str | None,
        ordered: bool,
        nested: bool,
    ) -> Bullet:
        text = plain_text(head["children"])
        index = self.cursor.find(text, list_item=True)
        markdown = (self.cursor.items[index] if index is not None else None) or text
        base = bullet_id(self.agent, text)
        count = self.seen_ids.get(base, 0) + 1
        self.seen_ids[base] = count
        bullet = Bullet(
            id=base if count == 1 else f"{base}-{count}",
            agent=self.agent,
            section=section.title,
            topic=section.topic,
            text=text,
            markdown=markdown,
            line=self.cursor.line_number(index),
            parent=parent.id if parent else None,
            depth=depth,
            negative=ANTI_PATTERNS in (section.topic, section.home[0]) or prohibits(text),
            lead_in=lead_in if parent is None else None,
            ordered=ordered,
            home=section.home,
            step=section.step if parent is None else 0,
            opening=section.opening and (ordered or names_items(section.title)) and not parent,
            titles_items=nested and _TITLE_ONLY.match(text) is not None,
            # not one a sentence after the group introduces ("... includes the following:")
            grouped=section.grouped and parent is None and lead_in == section.lead_in,
        )
        section.bullets.append(bullet)
        return bullet


def introduces(paragraph: str) -> bool:
    """Whether a paragraph introduces what follows it ("Before implementing, always:").

    Judged on its plain text: "**Example Roadmap:**" is written plain (render._paragraph)
    and must read the same when the merged agent is merged again.
    """
    return strip_markup(paragraph).endswith(":")


def points_forward(paragraph: str) -> bool:
    """Whether a paragraph speaks of what comes after it ("... the following core
    principles")."""
    return _FORWARD.search(paragraph) is not None


_FORWARD = re.compile(r"\b(?:the following|as follows|below)\b", re.IGNORECASE)


def _lead_in_of(previous: Token | None, latest: list[str]) -> str | None:
    """The paragraph right before a list that introduces it ("Your implementations must:"),
    if it was kept as the latest paragraph (a section title is not)."""
    if previous is None or previous["type"] != "paragraph":
        return None
    markdown = paragraph_markdown(previous)
    if markdown not in latest or not introduces(markdown):
        return None
    return markdown


def _bold_title(children: list[Token]) -> str | None:
    """'**Title:**' or '**Title**:' alone in a paragraph -> 'Title'. A bold sentence ("**If
    the request is ambiguous, ask clarifying questions.**") is emphasis, not a title."""
    if not children or children[0]["type"] != "strong":
        return None
    tail = plain_text(children[1:])
    if tail not in ("", ":"):
        return None
    title = plain_text(children[0]["children"]).rstrip(":").strip()
    return None if not title or title.endswith((".", "!", "?")) else title


def as_plain_if_title(markdown: str) -> str | None:
    """markdown's plain text when, alone in a paragraph or as an item with nested items, it
    would read back as a bold title (`**Title:**`, `****bold** text**`); None otherwise."""
    if markdown[:1] not in ("*", "_"):  # a title opens with strong emphasis
        return None
    tokens = cast(list[Token], _MARKDOWN(markdown))
    if len(tokens) != 1 or tokens[0]["type"] != "paragraph":
        return None
    children = tokens[0]["children"]
    return plain_text(children) if _bold_title(children) is not None else None


@dataclass(frozen=True)
class _ListItem:
    """A list item's first paragraph (head), what follows it, and its title when it is a
    sub-section: "**Title**" with nested content or a lead-in line (top-level items only)."""

    head: Token | None
    rest: list[Token]
    title: tuple[str, str] | None
    introduced: bool  # its first line ends in ':' ("**Requirement Analysis:**")

    @classmethod
    def of(cls, item: Token, top: bool) -> _ListItem:
        children = item.get("children", [])
        head = (
            children[0] if children and children[0]["type"] in ("paragraph", "block_text") else None
        )
        rest = children[1:] if head is not None else children
        title = _item_title(head) if head is not None and top else None
        if title is not None and not (rest or title[1]):
            title = None
        introduced = head is not None and plain_text(
            _first_line(head["children"])
        ).rstrip().endswith(":")
        return cls(head, rest, title, introduced)


def _asks(rest: list[Token]) -> bool:
    """Whether the items of the lists in rest are all questions."""
    items = [
        plain_text(item["children"][0].get("children", [])).rstrip()
        for token in rest
        if token["type"] == "list"
        for item in token["children"]
        if item.get("children")
    ]
    return bool(items) and all(item.endswith("?") for item in items)


def _item_title(head: Token) -> tuple[str, str] | None:
    """`**Title**` (optionally `:` and a soft-broken lead-in line) -> (title, lead-in)."""
    children = head["children"]
    if not children or children[0]["type"] != "strong":
        return None
    first_line = _first_line(children)
    title = _bold_title(first_line)
    if title is None:
        return None
    # The lead-in starts after the break (none: nothing is left to read).
    return title, plain_text(children[len(first_line) + 1 :])


def agent_dict(agent: Agent) -> dict[str, Any]:
    """What compose understood of an agent, as JSON-ready data (`compose parse --format json`)."""
    return {
        "name": agent.name,
        "path": agent.path,
        "frontmatter_mode": agent.source.frontmatter_mode,
        "frontmatter": {
            k: list(v) if isinstance(v, tuple) else v for k, v in agent.source.frontmatter
        },
        "warnings": list(agent.source.warnings),
        "preamble": list(agent.preamble),
        "sections": [
            {
                "title": s.title,
                "topic": s.topic,
                "level": s.level,
                "line": s.line,
                "paragraphs": list(s.paragraphs),
                "verbatim": list(s.verbatim),
                "bullets": [
                    {
                        "id": b.id,
                        "text": b.text,
                        "line": b.line,
                        "parent": b.parent,
                        "depth": b.depth,
                        "negative": b.negative,
                        "lead_in": b.lead_in,
                        "ordered": b.ordered,
                    }
                    for b in s.bullets
                ],
            }
            for s in agent.sections
        ],
    }


def outline(agent: Agent) -> str:
    """A plain-text outline: sections with topics, bullets with line numbers and ids."""
    lines = [f"{agent.name}  ({agent.path}, frontmatter: {agent.source.frontmatter_mode})"]
    lines += [f"  warning: {w}" for w in agent.source.warnings]
    for section in agent.sections:
        indent = "  " * max(section.level - 1, 0)
        title = section.title or "(untitled)"
        lines.append(f"{indent}{title}  [{section.topic}]  line {section.line}")
        for bullet in section.bullets:
            mark = "!" if bullet.negative else "-"
            pad = "  " * bullet.depth
            lines.append(f"{indent}  {bullet.line:>4} {pad}{mark} {bullet.text}  ({bullet.id})")
        lines += [
            f"{indent}  [verbatim block, {len(v.splitlines())} lines]" for v in section.verbatim
        ]
    bullets = len(agent.bullets)
    lines.append(f"{len(agent.sections)} sections, {bullets} bullets")
    return "\n".join(lines)
