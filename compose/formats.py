"""Formats: a Report -> text for a terminal (rich), Markdown, or one self-contained HTML page."""

from __future__ import annotations

import html
import io
import json
from collections.abc import Sequence

from rich.box import ASCII
from rich.console import Console
from rich.table import Table

from compose.clustering import Cluster
from compose.parse import Bullet
from compose.report import Report, report_data

# Beyond this many agents a matrix stops being readable; the strongest pairs are listed.
MATRIX_MAX_AGENTS = 12
# The HTML page draws the agent x agent grid up to this many agents (every cell exact: no
# agent has more partners than the report keeps), else the most overlapping pairs.
HTML_MATRIX_MAX_AGENTS = 60
HTML_TOP_PAIRS = 200
TOP_PAIRS = 20
TOP_CLUSTERS = 30
UNIQUE_EXAMPLES = 3
_PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
)  # fmt: skip


def to_json(report: Report) -> str:
    """One agent or cluster per line: readable, diffable, and written by json's C encoder
    (indent= falls back to pure Python, five times slower on a collection-sized report)."""
    parts = []
    for key, value in report_data(report).items():
        if isinstance(value, list) and value:
            rows = ",\n  ".join(json.dumps(v, ensure_ascii=False) for v in value)
            parts.append(f'"{key}": [\n  {rows}\n ]')
        else:
            parts.append(f'"{key}": {json.dumps(value, ensure_ascii=False)}')
    return "{" + ",\n ".join(parts) + "}\n"


def _pairs(report: Report) -> list[tuple[float, str, str]]:
    """Agent pairs by how much each shares with the other (the mean of both directions)."""
    pairs = {tuple(sorted((a, b))) for a, row in report.overlap.items() for b in row if a != b}
    scored = [((report.share(a, b) + report.share(b, a)) / 2, a, b) for a, b in pairs]
    return sorted(scored, key=lambda p: (-p[0], p[1], p[2]))


def _top_clusters(report: Report, limit: int | None) -> Sequence[Cluster]:
    ranked = sorted(report.shared, key=lambda c: (-len(c.agents), -len(c.members), -c.score, c.id))
    return ranked if limit is None else ranked[:limit]


def _headline(report: Report) -> str:
    clustering = report.clustering
    return (
        f"{len(report.names)} agents, {clustering.bullet_count} bullets, "
        f"{len(clustering.clusters)} clusters, {len(report.shared)} shared by two or more agents"
    )


# --- text -----------------------------------------------------------------------------------


def to_text(report: Report, *, color: bool = False, width: int = 120) -> str:
    buffer = io.StringIO()
    # Agent text is data: no markup ("[/red]" in a bullet), no emoji codes, no highlighting.
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        width=width,
        markup=False,
        emoji=False,
        highlight=False,
    )

    def table(title: str) -> Table:
        # Piped or redirected, tables are drawn in ASCII: box-drawing characters are noise.
        return Table(title=title) if color else Table(title=title, box=ASCII)

    console.print(_headline(report), style="bold")
    if len(report.names) <= MATRIX_MAX_AGENTS:
        matrix = table(title="Overlap: share of the row agent's bullets shared with the column")
        matrix.add_column("agent")
        for name in report.names:
            matrix.add_column(name, justify="right")
        for name, row in ((n, report.row(n)) for n in report.names):
            matrix.add_row(name, *(f"{v:.0%}" for v in row))
        console.print(matrix)
    else:
        pairs = table(title=f"Most overlapping agent pairs (top {TOP_PAIRS})")
        for column in ("agent", "agent", "shared"):
            pairs.add_column(column)
        for share, a, b in _pairs(report)[:TOP_PAIRS]:
            pairs.add_row(a, b, f"{share:.0%}")
        console.print(pairs)
    if report.near_duplicates:
        dupes = table(title="Near-duplicate agents")
        for column in ("agent", "agent", "verdict"):
            dupes.add_column(column)
        for d in report.near_duplicates:
            dupes.add_row(d.first, d.second, d.verdict)
        console.print(dupes)
    if report.clustering.conflicts:
        stances = table(title="Conflicts: one agent forbids what another recommends")
        for column in ("forbids", "recommends"):
            stances.add_column(column)
        for conflict in report.clustering.conflicts:
            stances.add_row(_said(conflict.forbids), _said(conflict.recommends))
        console.print(stances)
    clusters = table(title=f"Shared statements (top {TOP_CLUSTERS})")
    for column in ("statement", "agents", "score", "shared terms"):
        clusters.add_column(column)
    for c in _top_clusters(report, TOP_CLUSTERS):
        clusters.add_row(
            c.representative.text, ", ".join(c.agents), f"{c.score:.2f}", ", ".join(c.terms[:5])
        )
    console.print(clusters)
    unique = table(title="What only one agent contributes")
    for column in ("agent", "unique bullets", "for example"):
        unique.add_column(column)
    for name, bullets in report.unique:
        examples = "; ".join(b.text for b in bullets[:UNIQUE_EXAMPLES])
        unique.add_row(name, str(len(bullets)), examples)
    console.print(unique)
    return buffer.getvalue()


# --- Markdown -------------------------------------------------------------------------------


def _said(bullet: Bullet) -> str:
    return f"{bullet.text} ({bullet.agent}:{bullet.line})"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(report: Report) -> str:
    out = ["# Agent overlap report", "", _headline(report) + ".", ""]
    if len(report.names) <= MATRIX_MAX_AGENTS:
        out += [
            "## Overlap",
            "",
            "Share of the row agent's bullets shared with the column agent.",
            "",
        ]
        out.append("| agent | " + " | ".join(map(_cell, report.names)) + " |")
        out.append("| --- |" + " ---: |" * len(report.names))
        for name, row in ((n, report.row(n)) for n in report.names):
            out.append(f"| {_cell(name)} | " + " | ".join(f"{v:.0%}" for v in row) + " |")
    else:
        out += [
            "## Most overlapping agent pairs",
            "",
            "| agent | agent | shared |",
            "| --- | --- | ---: |",
        ]
        out += [f"| {_cell(a)} | {_cell(b)} | {s:.0%} |" for s, a, b in _pairs(report)[:TOP_PAIRS]]
    if report.near_duplicates:
        out += [
            "",
            "## Near-duplicate agents",
            "",
            "| agent | agent | verdict |",
            "| --- | --- | --- |",
        ]
        out += [
            f"| {_cell(d.first)} | {_cell(d.second)} | {_cell(d.verdict)} |"
            for d in report.near_duplicates
        ]
    if report.clustering.conflicts:
        out += ["", "## Conflicts", "", "| forbids | recommends |", "| --- | --- |"]
        out += [
            f"| {_cell(_said(conflict.forbids))} | {_cell(_said(conflict.recommends))} |"
            for conflict in report.clustering.conflicts
        ]
    out += ["", "## Shared statements", ""]
    for c in _top_clusters(report, None):
        out.append(
            f"- **{_cell(c.representative.text)}** — {_cell(', '.join(c.agents))} "
            f"(score {c.score:.2f}; terms: {', '.join(c.terms[:5]) or '—'})"
        )
        out += [f"  - {_cell(m.agent)}:{m.line} {_cell(m.text)}" for m in c.members]
    out += ["", "## What only one agent contributes", ""]
    for name, bullets in report.unique:
        out.append(
            f"<details><summary>{html.escape(name)}: {len(bullets)} unique bullets</summary>"
        )
        out.append("")
        out += [f"- {_cell(b.text)} (line {b.line})" for b in bullets]
        out += ["", "</details>", ""]
    return "\n".join(out).rstrip() + "\n"


# --- HTML -----------------------------------------------------------------------------------

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:24px;color:#222}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:4px 8px}
th{background:#f5f5f5;text-align:left}td.v{text-align:right;min-width:48px}
.chip{display:inline-block;border-radius:10px;padding:1px 8px;margin:1px;color:#fff;
 font-size:12px;cursor:pointer}
.cluster{border-left:4px solid #ccc;padding:4px 10px;margin:8px 0}
.cluster ul{margin:4px 0 0 0;padding-left:18px}.muted{color:#777;font-size:12px}
.hidden{display:none}#filter{margin:8px 0}
"""

_JS = """
function only(agent){document.querySelectorAll('.cluster').forEach(function(el){
 el.classList.toggle('hidden', agent && JSON.parse(el.dataset.agents).indexOf(agent)<0);});
 document.getElementById('showing').textContent =
  agent ? 'showing clusters with ' + agent : 'showing all';}
"""


def _heat(value: float) -> str:
    # White (0%) to deep blue (100%); text turns white on dark cells.
    shade = int(255 - value * 180)
    text = "#fff" if value > 0.6 else "#222"
    return f"background:rgb({shade},{shade + int(value * 40)},255);color:{text}"


def to_html(report: Report) -> str:
    esc = html.escape
    colors = {name: _PALETTE[i % len(_PALETTE)] for i, name in enumerate(report.names)}

    def chip(name: str) -> str:
        return (
            f'<span class="chip" style="background:{colors[name]}" '
            f'onclick="only({esc(json.dumps(name))})">{esc(name)}</span>'
        )

    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>compose overlap report</title>",
        f"<style>{_CSS}</style><script>{_JS}</script></head><body>",
        "<h1>Agent overlap report</h1>",
        f"<p>{esc(_headline(report))}.</p>",
    ]
    if len(report.names) <= HTML_MATRIX_MAX_AGENTS:
        parts += [
            "<h2>Overlap</h2><p class=muted>Share of the row agent's bullets that sit in a "
            "cluster with the column agent's bullets.</p><table><tr><th></th>",
            "".join(f"<th>{chip(n)}</th>" for n in report.names) + "</tr>",
        ]
        for name, row in ((n, report.row(n)) for n in report.names):
            cells = "".join(f'<td class="v" style="{_heat(v)}">{v:.0%}</td>' for v in row)
            parts.append(f"<tr><th>{chip(name)}</th>{cells}</tr>")
    else:
        # A grid of every pair grows with the square of the agents (a 6.8 GB page for 10,000).
        parts.append(
            f"<h2>Most overlapping agent pairs (top {HTML_TOP_PAIRS})</h2>"
            "<table><tr><th>agents</th><th>shared</th></tr>"
        )
        parts += [
            f'<tr><td>{chip(a)} {chip(b)}</td><td class="v" style="{_heat(v)}">{v:.0%}</td></tr>'
            for v, a, b in _pairs(report)[:HTML_TOP_PAIRS]
        ]
    parts.append("</table>")
    if report.near_duplicates:
        parts.append(
            "<h2>Near-duplicate agents</h2><table><tr><th>agents</th><th>verdict</th></tr>"
        )
        parts += [
            f"<tr><td>{chip(d.first)} {chip(d.second)}</td><td>{esc(d.verdict)}</td></tr>"
            for d in report.near_duplicates
        ]
        parts.append("</table>")
    if report.clustering.conflicts:
        parts.append("<h2>Conflicts</h2><table><tr><th>forbids</th><th>recommends</th></tr>")
        parts += [
            f"<tr><td>{esc(_said(conflict.forbids))}</td>"
            f"<td>{esc(_said(conflict.recommends))}</td></tr>"
            for conflict in report.clustering.conflicts
        ]
        parts.append("</table>")
    parts.append(
        '<h2>Shared statements</h2><div id="filter">Click an agent to filter; '
        '<a href="#" onclick="only(null);return false">show all</a>. '
        '<span id="showing" class="muted">showing all</span></div>'
    )
    for c in _top_clusters(report, None):
        members = "".join(
            f'<li><span style="color:{colors[m.agent]}">&#9632;</span> {esc(m.text)} '
            f'<span class="muted">{esc(m.agent)}:{m.line}</span></li>'
            for m in c.members
        )
        parts.append(
            f'<div class="cluster" data-agents="{esc(json.dumps(list(c.agents)))}" '
            f'style="border-color:{colors[c.agents[0]]}"><b>{esc(c.representative.text)}</b> '
            f'{"".join(chip(a) for a in c.agents)} <span class="muted">score {c.score:.2f}; '
            f"terms: {esc(', '.join(c.terms[:5]))}</span><ul>{members}</ul></div>"
        )
    parts.append("<h2>What only one agent contributes</h2>")
    for name, bullets in report.unique:
        items = "".join(
            f"<li>{esc(b.text)} <span class=muted>line {b.line}</span></li>" for b in bullets
        )
        parts.append(
            f"<details><summary>{chip(name)} {len(bullets)} unique bullets</summary>"
            f"<ul>{items}</ul></details>"
        )
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
