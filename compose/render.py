"""Render: a merged agent -> Markdown with strict YAML frontmatter that round-trips."""

from __future__ import annotations

import re
from typing import Any

import yaml

from compose.consolidate import Line, MergedAgent
from compose.parse import as_plain_if_title, introduces


class _StrictDumper(yaml.SafeDumper):
    """Block style for multi-line strings, so descriptions with examples stay readable."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_StrictDumper.add_representer(str, _represent_str)


def frontmatter_yaml(fields: tuple[tuple[str, object], ...]) -> str:
    data: dict[str, Any] = {k: list(v) if isinstance(v, tuple) else v for k, v in fields}
    return yaml.dump(data, Dumper=_StrictDumper, sort_keys=False, allow_unicode=True, width=100)


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


def render(merged: MergedAgent, *, provenance: bool = False) -> str:
    """The merged agent as a Markdown file; with provenance, each line names its sources."""
    parts = ["---\n" + frontmatter_yaml(merged.frontmatter) + "---\n"]
    parts.extend(_paragraph(paragraph) + "\n" for paragraph in merged.preamble)
    for section in merged.sections:
        # A paragraph ending in ':' that introduces none of the lists is written after them:
        # above one, it would read back as that list's lead-in.
        opening = [p for p in section.paragraphs if not (section.lists and introduces(p))]
        closing = [p for p in section.paragraphs if p not in opening]
        block = [f"## {section.title}\n"]
        block.extend(_paragraph(paragraph) + "\n" for paragraph in opening)
        block.extend(verbatim + "\n" for verbatim in section.verbatim)
        for merged_list in section.lists:
            if merged_list.lead_in:
                block.append(_paragraph(merged_list.lead_in) + "\n")
            block.append("".join(_lines(merged_list.lines, 0, provenance, merged_list.ordered)))
        block.extend(_paragraph(paragraph) + "\n" for paragraph in closing)
        parts.append("\n".join(block))
    if merged.references:
        parts.append("".join(definition + "\n" for definition in merged.references))
    return "\n".join(parts)


def _item_text(line: Line) -> str:
    """A bold-only item with children reads back as a section heading; write it plain."""
    plain = as_plain_if_title(line.text) if line.children else None
    return line.text if plain is None else plain


def _lines(
    lines: tuple[Line, ...], depth: int, provenance: bool, ordered: bool = False
) -> list[str]:
    out = []
    indent = "   " * depth if ordered else "  " * depth
    for number, line in enumerate(lines, start=1):
        note = f" <!-- {', '.join(line.sources)} -->" if provenance else ""
        marker = f"{number}." if ordered and depth == 0 else "-"
        out.append(f"{indent}{marker} {_item_text(line)}{note}\n")
        out.extend(_lines(line.children, depth + 1, provenance, ordered))
    return out
