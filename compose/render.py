"""Render: a merged agent -> Markdown with strict YAML frontmatter that round-trips."""

from __future__ import annotations

import re
from typing import Any

import yaml

from compose.consolidate import Line, MergedAgent
from compose.parse import as_plain_if_title


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
        block = [f"## {section.title}\n"]
        block.extend(_paragraph(paragraph) + "\n" for paragraph in section.paragraphs)
        block.extend(verbatim + "\n" for verbatim in section.verbatim)
        if section.lines:
            block.append("".join(_lines(section.lines, 0, provenance)))
        parts.append("\n".join(block))
    if merged.references:
        parts.append("".join(definition + "\n" for definition in merged.references))
    return "\n".join(parts)


def _item_text(line: Line) -> str:
    """A bold-only item with children reads back as a section heading; write it plain."""
    plain = as_plain_if_title(line.text) if line.children else None
    return line.text if plain is None else plain


def _lines(lines: tuple[Line, ...], depth: int, provenance: bool) -> list[str]:
    out = []
    for line in lines:
        note = f" <!-- {', '.join(line.sources)} -->" if provenance else ""
        out.append(f"{'  ' * depth}- {_item_text(line)}{note}\n")
        out.extend(_lines(line.children, depth + 1, provenance))
    return out
