"""Render: a merged agent -> Markdown with strict YAML frontmatter that round-trips."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import yaml

from compose.consolidate import Line, MergedAgent
from compose.parse import as_plain_if_title, introduces, points_forward

# How a multi-line value (a description with examples) is written: "single", one double-quoted
# line with \n escapes, which every loader reads whole (some read only the first line of a
# block: anthropics/claude-code#9068, fixed in 2.1.1; other loaders still differ); or "block",
# a literal block, easier to read and edit.
DESCRIPTION_STYLES = ("single", "block")


class _SingleLineDumper(yaml.SafeDumper):
    """Multi-line strings as one double-quoted line."""


class _BlockDumper(yaml.SafeDumper):
    """Multi-line strings as literal blocks."""


def _single_line(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _block(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_SingleLineDumper.add_representer(str, _single_line)
_BlockDumper.add_representer(str, _block)


def frontmatter_yaml(fields: tuple[tuple[str, object], ...], style: str = "single") -> str:
    data: dict[str, Any] = {k: list(v) if isinstance(v, tuple) else v for k, v in fields}
    dumper = _BlockDumper if style == "block" else _SingleLineDumper
    # A single line is never folded; other values are short.
    width = 100 if style == "block" else 1 << 30
    return yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, width=width)


_BLOCK_MARKER = re.compile(r"^(?:[-*+](?:\s|$)|[>#|]|\d{1,9}[.)](?:\s|$)|```|~~~)")


def _paragraph(text: str) -> str:
    """Paragraph Markdown written so it reads back as a paragraph, not a list item or heading.

    A bold-only paragraph ("**Example Roadmap:**") would read back as a section title: it is
    written plain.
    """
    plain = as_plain_if_title(text)
    if plain is not None:
        return plain
    return "\\" + text if _BLOCK_MARKER.match(text) else text


def render(
    merged: MergedAgent, *, provenance: bool = False, description_style: str = "single"
) -> str:
    """The merged agent as a Markdown file; with provenance, each line names its sources;
    description_style: see DESCRIPTION_STYLES."""
    parts = ["---\n" + frontmatter_yaml(merged.frontmatter, description_style) + "---\n"]
    parts.extend(_paragraph(paragraph) + "\n" for paragraph in merged.preamble)
    for section in merged.sections:
        # A paragraph ending in ':' that introduces none of the lists is written after them:
        # above one, it would read back as that list's lead-in.
        opening = [p for p in section.paragraphs if not (section.lists and introduces(p))]
        if section.lists and section.lists[0].lead_in is None:
            # Right above a list with no lead-in, a paragraph reads as its lead-in ("Your task
            # is to take a user's request ..." over items of four agents): it closes instead,
            # unless it points at what follows ("... based on the following core principles").
            opening = [p for p in opening if points_forward(p)]
        closing = [p for p in section.paragraphs if p not in opening]
        # The lists the sources open with are written before the first heading, as there.
        block = [f"## {section.title}\n"] if section.title else []
        block.extend(_paragraph(paragraph) + "\n" for paragraph in opening)
        # Each template after the lists its source wrote before it (none: above them all).
        templates: dict[int, list[str]] = defaultdict(list)
        after = section.verbatim_after or (0,) * len(section.verbatim)
        for verbatim, at in zip(section.verbatim, after, strict=True):
            templates[at].append(verbatim + "\n")
        block.extend(templates[0])
        for number, merged_list in enumerate(section.lists, start=1):
            block.extend(_paragraph(paragraph) + "\n" for paragraph in merged_list.intro)
            if merged_list.step and merged_list.lead_in:
                # A numbered step, as its source wrote it: "2. **Query Development:**" over
                # its items.
                lines = _lines(merged_list.lines, 1, provenance, ordered=True)
                block.append(f"{merged_list.step}. **{merged_list.lead_in}**\n" + "".join(lines))
            elif merged_list.grouped and merged_list.lead_in:
                # A group, as its source wrote it: "- **Analysis and Documentation:**" over
                # its items, an item of the list right before it (with no blank line, which
                # would make a loose list of it).
                lines = _lines(merged_list.lines, 1, provenance)
                group = f"- **{merged_list.lead_in}**\n" + "".join(lines)
                if templates[number - 1]:
                    block.append(group)
                else:
                    block[-1] += group
            else:
                if merged_list.lead_in:
                    block.append(_paragraph(merged_list.lead_in) + "\n")
                lines = _lines(merged_list.lines, 0, provenance, merged_list.ordered)
                block.append("".join(lines))
            block.extend(templates[number])
        block.extend(_paragraph(paragraph) + "\n" for paragraph in closing)
        for title, paragraphs in section.subsections:
            block.append(f"### {title}\n")
            block.extend(_paragraph(paragraph) + "\n" for paragraph in paragraphs)
        parts.append("\n".join(block))
    parts.extend(_paragraph(paragraph) + "\n" for paragraph in merged.closing)
    if merged.references:
        parts.append("".join(definition + "\n" for definition in merged.references))
    return "\n".join(parts)


def _item_text(line: Line, among_steps: bool) -> str:
    """A bold-only item with children reads back as a section heading; write it plain, but
    for a numbered one among numbered items that are not ("2. **Initiate Postmortem**:"
    after "1. **Declare Incident Resolved**: Communicate ..."), which reads back as one."""
    plain = as_plain_if_title(line.text) if line.children and not among_steps else None
    return line.text if plain is None else plain


def _lines(
    lines: tuple[Line, ...], depth: int, provenance: bool, ordered: bool = False
) -> list[str]:
    out = []
    indent = "   " * depth if ordered else "  " * depth
    among_steps = (
        ordered
        and depth == 0
        and any(not line.children or as_plain_if_title(line.text) is None for line in lines)
    )
    for number, line in enumerate(lines, start=1):
        note = f" <!-- {', '.join(line.sources)} -->" if provenance else ""
        marker = f"{number}." if ordered and depth == 0 else "-"
        out.append(f"{indent}{marker} {_item_text(line, among_steps)}{note}\n")
        out.extend(_lines(line.children, depth + 1, provenance, ordered))
    return out
