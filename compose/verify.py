"""Verify: the safety net. A merged agent is written only if it loses nothing of its inputs.

Every input bullet's cluster must be rendered, every named term of every input bullet must
appear in the output as written, every content word of every input bullet (stemmed and read
through the lexicon; stop words and generic verbs aside) must be said somewhere in it, every
verbatim block must survive byte for byte (but for a source's name in it, written as the
merged agent's; a JSON template may be one with others of its shape, every field and every
item it asks for kept), and the frontmatter must be strict YAML that reads back as the fields that
were meant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from compose.clustering import Clustering
from compose.consolidate import (
    ASKS_FOR,
    MESSAGE_EXAMPLES,
    JsonValue,
    MergedAgent,
    as_merged,
    json_template,
    labelled_messages,
    walk,
)
from compose.parse import Agent
from compose.terms import (
    TermIndex,
    list_parts,
    named_terms,
    needed_terms,
    strip_markup,
    written_terms,
)


@dataclass(frozen=True)
class Verification:
    unrendered: tuple[str, ...]  # "agent:line text" of bullets whose cluster has no line
    missing_terms: tuple[str, ...]  # "term (agent:line)"
    missing_words: tuple[str, ...]  # "word (agent:line)": content words the output never says
    missing_verbatim: tuple[str, ...]  # "agent: first line of the block"
    frontmatter_problem: str | None
    missing_links: tuple[str, ...] = ()  # "target (agent:line)": link targets never written

    @property
    def ok(self) -> bool:
        return (
            not (
                self.unrendered
                or self.missing_terms
                or self.missing_words
                or self.missing_verbatim
                or self.missing_links
            )
            and self.frontmatter_problem is None
        )

    def summary(self) -> str:
        problems = []
        if self.unrendered:
            problems.append(f"{len(self.unrendered)} bullets unrendered ({self.unrendered[0]} ...)")
        if self.missing_terms:
            problems.append(f"terms missing: {', '.join(self.missing_terms[:8])}")
        if self.missing_words:
            problems.append(f"words missing: {', '.join(self.missing_words[:8])}")
        if self.missing_links:
            problems.append(f"link targets missing: {', '.join(self.missing_links[:5])}")
        if self.missing_verbatim:
            problems.append(f"verbatim blocks missing: {', '.join(self.missing_verbatim[:3])}")
        if self.frontmatter_problem:
            problems.append(self.frontmatter_problem)
        return "; ".join(problems) or "nothing lost"


def verify(clustering: Clustering, merged: MergedAgent, text: str) -> Verification:
    rendered = {line.cluster for s in merged.sections for line in walk(s.lines)}
    # A line whose statements others state stands for its cluster when they are written.
    stated_by: dict[str, set[str]] = {}
    for covered in merged.covered:
        if covered.by == covered.cluster:
            continue  # said by its own cluster's other line: only if that one is written
        # None: a line naming one of the merged agents, which the merged agent now is.
        by = stated_by.setdefault(covered.cluster, set())
        if covered.by is not None:
            by.add(covered.by)
    # Through a chain: a step joined into a line that is one source's way of a step written
    # with another's (consolidate._one_numbered).
    while more := {c for c, by in stated_by.items() if c not in rendered and by <= rendered}:
        rendered |= more
    owner = clustering.cluster_of()
    written = TermIndex(strip_markup(text))
    loss = word_loss(clustering.agents, text)
    missing_words = [f"{w} ({where}: {item})" for where, item, words in loss.missing for w in words]
    unrendered, missing_terms, missing_verbatim, missing_links = [], [], [], []
    # A template naming a source is written naming the merged agent (consolidate.as_merged).
    sources = [agent.source.declared_name for agent in clustering.agents]
    templates = [json_template(block) for block in _JSON_BLOCK.findall(text)]
    objects = [template[0] for template in templates if template is not None]
    for agent in clustering.agents:
        for bullet in agent.bullets:
            where = f"{bullet.agent}:{bullet.line}"
            if owner[bullet.id].id not in rendered:
                unrendered.append(f"{where} {bullet.text}")
            for term in named_terms(bullet.text):
                if term not in written:
                    missing_terms.append(f"{term} ({where})")
            for target in _link_targets(bullet.markdown):
                if target not in text:
                    missing_links.append(f"{target} ({where})")
        for _, definition in agent.references:
            if definition not in text:
                missing_links.append(f"{definition} ({agent.name})")
        for section in agent.sections:
            for block in section.verbatim:
                written_block = as_merged(block, sources, merged.name)
                template = json_template(written_block)
                messages = labelled_messages(written_block)
                if (
                    written_block in text
                    or (template and any(_keeps(o, template[0]) for o in objects))
                    # One message of several under its label.
                    or (
                        messages
                        and any(f"{messages[0]}{said}:" in text for said in ("", MESSAGE_EXAMPLES))
                        and all(map(text.__contains__, messages[1]))
                    )
                ):
                    continue
                missing_verbatim.append(f"{agent.name}: {block.splitlines()[0]}")
    return Verification(
        tuple(unrendered),
        tuple(missing_terms),
        tuple(missing_words),
        tuple(missing_verbatim),
        _frontmatter_problem(merged, text),
        tuple(missing_links),
    )


_JSON_BLOCK = re.compile(r"^```json\n.*?\n```$", re.DOTALL | re.MULTILINE)


def _keeps(written: JsonValue, template: JsonValue) -> bool:
    """Whether a written JSON value has every key of template's, every item a string of it
    asks for ("... context needed: a, b, and c.") and its other values."""
    if isinstance(template, dict):
        return isinstance(written, dict) and all(
            k in written and _keeps(written[k], v) for k, v in template.items()
        )
    wanted = ASKS_FOR.match(template) if isinstance(template, str) else None
    if wanted is None:
        return written == template
    asked = ASKS_FOR.match(written) if isinstance(written, str) else None
    return asked is not None and all(
        item.lower() in asked.group(2).lower() for item in list_parts(wanted.group(2))
    )


# An inline link's target, or a bare or angle-bracketed URL.
_LINK_TARGET = re.compile(r"\]\(([^()\s]+)|(?<![\w(])<?(https?://[^\s<>)\]`]+)")


def _link_targets(markdown: str) -> list[str]:
    return [(inline or url.rstrip(".,;:!?")) for inline, url in _LINK_TARGET.findall(markdown)]


def _frontmatter_problem(merged: MergedAgent, text: str) -> str | None:
    if not text.startswith("---\n") or "\n---\n" not in text[4:]:
        return "frontmatter is not delimited by '---' lines"
    block = text[4 : text.index("\n---\n", 4) + 1]
    try:
        data = yaml.safe_load(block)
    except yaml.YAMLError as exc:
        return f"frontmatter is not valid YAML: {exc}"
    expected = {k: list(v) if isinstance(v, tuple) else v for k, v in merged.frontmatter}
    if data != expected:
        return "frontmatter does not read back as the merged fields"
    return None


@dataclass(frozen=True)
class WordLoss:
    """Content words of input list items that the merged text never says."""

    words_in: int  # content words summed over every input list item (with repeats)
    missing: tuple[tuple[str, str, tuple[str, ...]], ...]  # (agent:line, item, words lost)

    @property
    def words_missing(self) -> int:
        return sum(len(words) for _, _, words in self.missing)

    @property
    def share(self) -> float:
        return self.words_missing / self.words_in if self.words_in else 0.0


def word_loss(agents: tuple[Agent, ...] | list[Agent], text: str) -> WordLoss:
    """Which content words (stemmed, lexicon-normalised, stop words and generic verbs left
    out) of every input list item appear nowhere in text; a word the lexicon reads as a
    synonym of another ("throttling") must appear as written."""
    plain = strip_markup(text)
    written = written_terms(plain)
    words_in = 0
    missing = []
    for agent in agents:
        for bullet in agent.bullets:
            terms = needed_terms(bullet.text)
            words_in += len(terms)
            lost = tuple(dict.fromkeys(t for t in terms if t not in written))
            if lost:
                missing.append((f"{bullet.agent}:{bullet.line}", bullet.text, lost))
    return WordLoss(words_in, tuple(missing))
