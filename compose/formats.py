"""Formats: a Report -> text for a terminal (rich), Markdown, or one self-contained HTML page."""

from __future__ import annotations

import html
import io
import json
import os
import shlex
from collections.abc import Sequence

from rich.box import ASCII
from rich.console import Console
from rich.table import Table

from compose.clustering import Cluster
from compose.consolidate import merged_name
from compose.parse import Agent, Bullet
from compose.report import Family, Report, report_data

# Beyond this many agents a matrix stops being readable; the strongest pairs are listed.
MATRIX_MAX_AGENTS = 12
# The HTML page draws the agent x agent grid up to this many agents (every cell exact: no
# agent has more partners than the report keeps), else the most overlapping pairs.
HTML_MATRIX_MAX_AGENTS = 60
HTML_TOP_PAIRS = 200
TOP_PAIRS = 20
TOP_CLUSTERS = 30
UNIQUE_EXAMPLES = 3


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
    if report.families:
        families = table(title="What to merge: families of agents that say enough in common")
        for column in ("agents", "shared"):
            families.add_column(column)
        for family in report.families[:TOP_PAIRS]:
            families.add_row(", ".join(family.agents), f"{family.share:.0%}")
        console.print(families)
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
    if report.families:
        out += ["", "## What to merge", "", "| agents | shared |", "| --- | ---: |"]
        out += [f"| {_cell(', '.join(f.agents))} | {f.share:.0%} |" for f in report.families]
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
h1{font-size:22px}h2{font-size:17px;margin-top:28px}h3{font-size:15px;margin:18px 0 6px}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:4px 8px;vertical-align:top}
th{background:#f5f5f5;text-align:left}td.v{text-align:right;min-width:44px}
.chip{display:inline-block;border-radius:10px;padding:1px 8px;margin:1px;color:#fff;
 font-size:12px;cursor:pointer;white-space:nowrap}
.grid{overflow:auto;max-height:75vh;max-width:100%;border:1px solid #ddd}
.grid th{position:sticky;top:0;z-index:1}.grid tbody th{left:0;z-index:2}
.grid thead th:first-child{left:0;z-index:3}
.grid th.up{vertical-align:bottom}
.grid th.up .chip{writing-mode:vertical-rl;transform:rotate(180deg)}
.cluster{border-left:4px solid #ccc;padding:2px 10px;margin:6px 0}
.cluster summary{cursor:pointer}.cluster ul{margin:4px 0 0 0;padding-left:18px}
.muted{color:#777;font-size:12px}code{font-size:12px;background:#f5f5f5;padding:1px 4px}
#q{width:28em;padding:4px}nav button{margin:0 4px}.stats li{display:inline;margin-right:18px}
"""

_JS = """
var D = JSON.parse(document.getElementById('data').textContent), PAGE = 50, page = 0, shown = [];
function el(tag, cls, text) {
  var e = document.createElement(tag); if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text; return e;
}
function chip(i) {
  var c = el('span', 'chip', D.agents[i][0]); c.style.background = D.agents[i][1];
  c.onclick = function (ev) { ev.preventDefault(); ev.stopPropagation();
    search('agent:' + D.agents[i][0]); document.getElementById('statements').scrollIntoView(); };
  return c;
}
function search(q) { document.getElementById('q').value = q; page = 0; render(); }
function matches(c, q) {
  if (!q) return true;
  if (q.indexOf('agent:') === 0) {
    var n = q.slice(6); return c[3].some(function (m) { return D.agents[m[0]][0] === n; });
  }
  q = q.toLowerCase();
  return c[0].toLowerCase().indexOf(q) >= 0 || c[3].some(function (m) {
    return m[2].toLowerCase().indexOf(q) >= 0 || D.agents[m[0]][0].toLowerCase().indexOf(q) >= 0;
  });
}
function render() {
  var q = document.getElementById('q').value.trim(), box = document.getElementById('clusters');
  shown = D.clusters.filter(function (c) { return matches(c, q); });
  var pages = Math.max(1, Math.ceil(shown.length / PAGE)); page = Math.min(page, pages - 1);
  box.textContent = '';
  shown.slice(page * PAGE, (page + 1) * PAGE).forEach(function (c) {
    var d = el('details', 'cluster'), s = el('summary');
    d.style.borderColor = D.agents[c[3][0][0]][1];
    s.appendChild(el('b', '', c[0])); s.appendChild(document.createTextNode(' '));
    var seen = {};
    c[3].forEach(function (m) { if (!seen[m[0]]) { seen[m[0]] = 1; s.appendChild(chip(m[0])); } });
    s.appendChild(el('span', 'muted', ' score ' + c[1] + (c[2] ? '; terms: ' + c[2] : '')));
    d.appendChild(s);
    var ul = el('ul');
    c[3].forEach(function (m) {
      var li = el('li'), mark = el('span', '', '\u25a0 '); mark.style.color = D.agents[m[0]][1];
      li.appendChild(mark); li.appendChild(document.createTextNode(m[2] + ' '));
      li.appendChild(el('span', 'muted', D.agents[m[0]][0] + ':' + m[1])); ul.appendChild(li);
    });
    d.appendChild(ul); box.appendChild(d);
  });
  document.getElementById('count').textContent = shown.length + ' of ' + D.clusters.length +
    ' shared statements; page ' + (page + 1) + ' of ' + pages;
  document.getElementById('prev').disabled = page === 0;
  document.getElementById('next').disabled = page >= pages - 1;
}
function move(step) { page += step; render(); }
function unique() {
  var box = document.getElementById('unique');
  D.unique.forEach(function (u) {
    var d = el('details'), s = el('summary');
    s.appendChild(chip(u[0]));
    s.appendChild(el('span', 'muted', ' ' + u[1].length + ' unique bullets'));
    d.appendChild(s);
    d.addEventListener('toggle', function () {
      if (!d.open || d.children.length > 1) return;
      var ul = el('ul');
      u[1].forEach(function (b) {
        var li = el('li', '', b[1] + ' '); li.appendChild(el('span', 'muted', 'line ' + b[0]));
        ul.appendChild(li);
      });
      d.appendChild(ul);
    });
    box.appendChild(d);
  });
}
document.querySelectorAll('[data-agent]').forEach(function (c) {
  c.onclick = function () { search('agent:' + c.dataset.agent);
    document.getElementById('statements').scrollIntoView(); };
});
document.getElementById('q').addEventListener('input', function () { page = 0; render(); });
// A link may carry a search: report.html#q=agent:backend-architect
if (location.hash.indexOf('#q=') === 0) {
  document.getElementById('q').value = decodeURIComponent(location.hash.slice(3));
}
render(); unique();
"""


def _heat(value: float) -> str:
    # White (0%) to deep blue (100%); text turns white on dark cells.
    shade = int(255 - value * 180)
    text = "#fff" if value > 0.6 else "#222"
    return f"background:rgb({shade},{shade + int(value * 40)},255);color:{text}"


def _colors(names: Sequence[str]) -> dict[str, str]:
    """A colour per agent, hues spread by the golden angle so that neighbours differ."""
    return {name: f"hsl({i * 137.508 % 360:.0f},55%,42%)" for i, name in enumerate(names)}


# The summary lists this many families, pairs and near-duplicates; the rest fold away.
HTML_SUMMARY_ROWS = 10


def _grid_agents(report: Report) -> list[str]:
    """The agents the overlap grid shows: by family, most alike first, then agents that share
    something with another, up to HTML_MATRIX_MAX_AGENTS; agents that share nothing add
    only empty rows."""
    order = dict.fromkeys(name for family in report.families for name in family.agents)
    related = (
        {name for a, row in report.overlap.items() for name in (a, *row) if len(row) > 1}
        if len(report.names) > HTML_MATRIX_MAX_AGENTS
        else set(report.names)
    )
    order.update(dict.fromkeys(name for name in report.names if name in related))
    return list(order)[:HTML_MATRIX_MAX_AGENTS]


def _common_folder(agents: Sequence[Agent]) -> str:
    """The folder every agent file is in."""
    folders = [os.path.dirname(os.path.abspath(a.path)) for a in agents]
    return os.path.commonpath(folders) if folders else "."


def _merge_command(family: Family, by_name: dict[str, Agent], root: str) -> str:
    """The command that merges a family, its paths relative to root."""
    agents = [by_name[name] for name in family.agents]
    paths = (os.path.relpath(os.path.abspath(a.path), root) for a in agents)
    name = merged_name([a.source.declared_name for a in agents], [])
    return f"compose merge {' '.join(map(shlex.quote, paths))} -o {shlex.quote(name + '.md')}"


def _script_json(data: object) -> str:
    """JSON safe inside a <script> element: no '</' can close it."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def to_html(report: Report) -> str:
    """One self-contained page: a summary first (what to merge, the most overlapping pairs,
    near-duplicates), the overlap grid by family with sticky headers, then the shared
    statements, searchable and paged, and each agent's unique bullets, folded."""
    esc = html.escape
    colors = _colors(report.names)
    index = {name: i for i, name in enumerate(report.names)}

    def chip(name: str) -> str:
        return (
            f'<span class="chip" style="background:{colors[name]}" '
            f'data-agent="{esc(name)}">{esc(name)}</span>'
        )

    def folded(rows: list[str], header: str, what: str) -> list[str]:
        """A table of rows, the first HTML_SUMMARY_ROWS shown and the rest folded away."""
        head, rest = rows[:HTML_SUMMARY_ROWS], rows[HTML_SUMMARY_ROWS:]
        out = [f"<table>{header}", *head, "</table>"]
        if rest:
            out += [
                f"<details><summary>{len(rest)} more {what}</summary><table>{header}",
                *rest,
                "</table></details>",
            ]
        return out

    clustering = report.clustering
    pairs = _pairs(report)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>compose overlap report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Agent overlap report</h1>",
        '<section id="summary"><h2>Summary</h2><ul class="stats">',
        f"<li><b>{len(report.names)}</b> agents</li>",
        f"<li><b>{clustering.bullet_count}</b> bullets</li>",
        f"<li><b>{len(report.shared)}</b> statements shared by two or more agents</li>",
        f"<li><b>{len(report.families)}</b> families to merge</li>",
        f"<li><b>{len(report.near_duplicates)}</b> near-duplicate pairs</li>",
        f"<li><b>{len(clustering.conflicts)}</b> conflicts</li></ul>",
    ]
    if report.families:
        root = _common_folder(report.clustering.agents)
        by_name = {a.name: a for a in report.clustering.agents}
        parts.append(
            "<h3>What to merge</h3><p class=muted>Families of agents that say enough in "
            "common to be one agent, with how much each pair shares on average; the commands "
            f"run in {esc(root)}.</p>"
        )
        rows = [
            f"<tr><td>{''.join(chip(a) for a in f.agents)}</td>"
            f'<td class="v">{f.share:.0%}</td><td><details><summary>{len(f.agents)} agents'
            f"</summary><code>{esc(_merge_command(f, by_name, root))}</code></details></td></tr>"
            for f in report.families
        ]
        parts += folded(rows, "<tr><th>agents</th><th>shared</th><th>command</th></tr>", "families")
    if pairs:
        parts.append("<h3>Most overlapping pairs</h3>")
        rows = [
            f'<tr><td>{chip(a)} {chip(b)}</td><td class="v" style="{_heat(v)}">{v:.0%}</td></tr>'
            for v, a, b in pairs[:HTML_TOP_PAIRS]
        ]
        parts += folded(rows, "<tr><th>agents</th><th>shared</th></tr>", "pairs")
    if report.near_duplicates:
        parts.append("<h3>Near-duplicate agents</h3>")
        rows = [
            f"<tr><td>{chip(d.first)} {chip(d.second)}</td><td>{esc(d.verdict)}</td></tr>"
            for d in report.near_duplicates
        ]
        parts += folded(rows, "<tr><th>agents</th><th>verdict</th></tr>", "near-duplicates")
    parts.append("</section>")
    grid = _grid_agents(report)
    if len(grid) > 1:
        left_out = len(report.names) - len(grid)
        note = f" The {left_out} other agents are in the JSON report." if left_out else ""
        parts += [
            '<section id="overlap"><h2>Overlap</h2><p class=muted>Share of the row agent\'s '
            f"bullets that sit in a cluster with the column agent's bullets, by family.{note}"
            '</p><div class="grid"><table><thead><tr><th></th>',
            "".join(f'<th class="up">{chip(n)}</th>' for n in grid) + "</tr></thead><tbody>",
        ]
        for name in grid:
            # An empty cell for nothing shared: a wall of "0%" hides the cells that matter.
            cells = "".join(
                f'<td class="v" style="{_heat(v)}">{v:.0%}</td>' if v else "<td></td>"
                for v in (report.share(name, other) for other in grid)
            )
            parts.append(f"<tr><th>{chip(name)}</th>{cells}</tr>")
        parts.append("</tbody></table></div></section>")
    if clustering.conflicts:
        parts.append(
            '<section id="conflicts"><h2>Conflicts</h2>'
            "<table><tr><th>forbids</th><th>recommends</th></tr>"
        )
        parts += [
            f"<tr><td>{esc(_said(conflict.forbids))}</td>"
            f"<td>{esc(_said(conflict.recommends))}</td></tr>"
            for conflict in clustering.conflicts
        ]
        parts.append("</table></section>")
    data = {
        "agents": [[name, colors[name]] for name in report.names],
        "clusters": [
            [
                c.representative.text,
                f"{c.score:.2f}",
                ", ".join(c.terms[:5]),
                [[index[m.agent], m.line, m.text] for m in c.members],
            ]
            for c in _top_clusters(report, None)
        ],
        "unique": [
            [index[name], [[b.line, b.text] for b in bullets]]
            for name, bullets in report.unique
            if bullets
        ],
    }
    parts += [
        '<section id="statements"><h2>Shared statements</h2>',
        '<p><input id="q" type="search" placeholder="Search statements or agents '
        '(agent:NAME for one agent)"> <span id="count" class="muted"></span></p>',
        '<div id="clusters"></div><nav><button id="prev" onclick="move(-1)">previous</button>'
        '<button id="next" onclick="move(1)">next</button></nav></section>',
        '<section><h2>What only one agent contributes</h2><div id="unique"></div></section>',
        f'<script type="application/json" id="data">{_script_json(data)}</script>',
        f"<script>{_JS}</script>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"
