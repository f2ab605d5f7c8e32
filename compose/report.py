"""Report: a clustering -> what overlaps where, explained.

The data (overlap matrix, shared clusters, each agent's unique bullets, near-duplicate
agents) is computed once here; formats.py turns it into text, Markdown, JSON or HTML.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from compose.cluster import Cluster, Clustering
from compose.parse import Agent, Bullet, normalise_for_id

JSON_VERSION = 1
# Agents sharing at least this share of their bullets (both ways) are near-duplicates.
NEAR_DUPLICATE = 0.7


@dataclass(frozen=True)
class NearDuplicate:
    first: str
    second: str
    similarity: float  # share of both agents' bullets that sit in shared clusters
    verdict: str


@dataclass(frozen=True)
class Report:
    clustering: Clustering
    names: tuple[str, ...]
    # a -> b -> share of a's bullets that sit in a cluster with b's; pairs sharing none omitted
    overlap: dict[str, dict[str, float]]
    shared: tuple[Cluster, ...]  # clusters with members from two or more agents
    unique: tuple[tuple[str, tuple[Bullet, ...]], ...]  # per agent: bullets only it has
    near_duplicates: tuple[NearDuplicate, ...]

    def share(self, a: str, b: str) -> float:
        return self.overlap[a].get(b, 0.0)

    def row(self, a: str) -> tuple[float, ...]:
        return tuple(self.share(a, b) for b in self.names)


def build_report(clustering: Clustering) -> Report:
    agents = clustering.agents
    names = tuple(a.name for a in agents)
    index = {name: i for i, name in enumerate(names)}
    # counts[i][j]: how many of agent i's bullets sit in a cluster agent j has a bullet in.
    counts: list[Counter[int]] = [Counter() for _ in agents]
    alone: set[str] = set()  # bullets whose cluster no other agent shares
    for c in clustering.clusters:
        owners = sorted({index[m.agent] for m in c.members})
        if len(owners) == 1:
            alone.update(m.id for m in c.members)
        for m in c.members:
            counts[index[m.agent]].update(owners)  # counted in C: clusters can span 1000 agents
    overlap: dict[str, dict[str, float]] = {}
    for i, a in enumerate(agents):
        total = len(a.bullets)
        row = {names[j]: round(c / total, 4) for j, c in sorted(counts[i].items())}
        row[a.name] = 1.0
        overlap[a.name] = row
    shared = tuple(c for c in clustering.clusters if len(c.agents) > 1)
    unique = tuple((a.name, tuple(b for b in a.bullets if b.id in alone)) for a in agents)
    near = _near_duplicates(agents, names, index, overlap)
    return Report(clustering, names, overlap, shared, unique, near)


def _near_duplicates(
    agents: tuple[Agent, ...],
    names: tuple[str, ...],
    index: dict[str, int],
    overlap: dict[str, dict[str, float]],
) -> tuple[NearDuplicate, ...]:
    bodies = [normalise_for_id(a.source.body) for a in agents]
    # Only pairs that share a cluster (an overlap entry) or a body can be near-duplicates.
    by_body: dict[str, list[int]] = {}
    for i, body in enumerate(bodies):
        by_body.setdefault(body, []).append(i)
    candidates = {pair for group in by_body.values() for pair in combinations(group, 2)}
    for i, name in enumerate(names):
        candidates.update((i, j) for j in map(index.__getitem__, overlap[name]) if j > i)
    sizes = [len(a.bullets) for a in agents]
    rows = [overlap[name] for name in names]
    found = []
    for i, j in sorted(candidates):
        total = sizes[i] + sizes[j]
        common = rows[i].get(names[j], 0.0) * sizes[i] + rows[j].get(names[i], 0.0) * sizes[j]
        similarity = common / total if total else 1.0
        same_body = bodies[i] == bodies[j]
        if (similarity >= NEAR_DUPLICATE and total) or same_body:
            verdict = _verdict(agents[i], agents[j], similarity, same_body)
            found.append(NearDuplicate(names[i], names[j], round(similarity, 4), verdict))
    return tuple(sorted(found, key=lambda d: (-d.similarity, d.first, d.second)))


def _verdict(a: Agent, b: Agent, similarity: float, same_body: bool) -> str:
    if same_body:
        fields_a = dict(a.source.frontmatter)
        fields_b = dict(b.source.frontmatter)
        keys = set(fields_a) | set(fields_b)
        differing = sorted(k for k in keys if fields_a.get(k) != fields_b.get(k))
        if not differing:
            return "identical"
        return f"identical except {', '.join(differing)}"
    return f"{similarity:.0%} shared"


def report_data(report: Report) -> dict[str, Any]:
    """JSON contract v1 (every list item in exactly one cluster) plus overlap data."""
    clustering = report.clustering
    return {
        "version": JSON_VERSION,
        "agents": [
            {"name": a.name, "path": a.path, "bullets": len(a.bullets)} for a in clustering.agents
        ],
        "clusters": [
            {
                "id": c.id,
                "topic": c.topic,
                "score": c.score,
                "representative": c.representative.text,
                "terms": list(c.terms),
                "members": [_member(m) for m in c.members],
            }
            for c in clustering.clusters
        ],
        "overlap": report.overlap,
        "near_duplicates": [
            {"agents": [d.first, d.second], "similarity": d.similarity, "verdict": d.verdict}
            for d in report.near_duplicates
        ],
        # Opposite stances on one practice: never clustered, listed here.
        "conflicts": [
            {
                "similarity": c.score,
                "forbids": _member(c.forbids),
                "recommends": _member(c.recommends),
            }
            for c in clustering.conflicts
        ],
    }


def _member(bullet: Bullet) -> dict[str, Any]:
    return {
        "agent": bullet.agent,
        "section": bullet.section,
        "text": bullet.text,
        "line": bullet.line,
    }
