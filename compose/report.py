"""Report: a clustering -> what overlaps where, explained.

The data (overlap matrix, shared clusters, each agent's unique bullets, near-duplicate
agents) is computed once here; formats.py turns it into text, Markdown, JSON or HTML.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from compose.clustering import Cluster, Clustering
from compose.clustering.linkage import average_linkage
from compose.parse import Agent, Bullet, normalise_for_id
from compose.tuning import report_tuning

JSON_VERSION = 1
_TUNING = report_tuning()


@dataclass(frozen=True)
class Family:
    """Agents that say enough in common to be merged into one."""

    agents: tuple[str, ...]  # by name, in report order
    share: float  # the mean, over its pairs, of what each shares with the other


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
    # a -> b -> share of a's bullets that sit in a cluster with b's, for a's overlap_partners
    # partners sharing the most; pairs sharing none omitted
    overlap: dict[str, dict[str, float]]
    shared: tuple[Cluster, ...]  # clusters with members from two or more agents
    unique: tuple[tuple[str, tuple[Bullet, ...]], ...]  # per agent: bullets only it has
    near_duplicates: tuple[NearDuplicate, ...]
    families: tuple[Family, ...]  # most alike first

    def share(self, a: str, b: str) -> float:
        return self.overlap[a].get(b, 0.0)

    def row(self, a: str) -> tuple[float, ...]:
        return tuple(self.share(a, b) for b in self.names)


def build_report(clustering: Clustering) -> Report:
    agents = clustering.agents
    names = tuple(a.name for a in agents)
    owners_of, cluster_of = _owners(clustering, agents)
    alone = {m.id for c in clustering.clusters if len(owners_of[c.id]) == 1 for m in c.members}
    overlap: dict[str, dict[str, float]] = {}
    strong: set[tuple[int, int]] = set()  # pairs where one shares near_duplicate of its bullets
    for i, a in enumerate(agents):
        # How many of a's bullets sit in a cluster each agent has a bullet in; one row at a
        # time, so a collection where everything overlaps never holds the whole matrix.
        counts = _shared_counts(a, owners_of, cluster_of)
        total = len(a.bullets)
        for j, count in counts.items():
            if j != i and count >= _TUNING.near_duplicate * total:
                strong.add((min(i, j), max(i, j)))
        partners = sorted(counts.items(), key=lambda jc: (-jc[1], jc[0]))[
            : _TUNING.overlap_partners + 1
        ]
        row = {names[j]: round(c / total, 4) for j, c in sorted(partners)}
        row[a.name] = 1.0
        overlap[a.name] = row
    shared = tuple(c for c in clustering.clusters if len(owners_of[c.id]) > 1)
    unique = tuple((a.name, tuple(b for b in a.bullets if b.id in alone)) for a in agents)
    near = _near_duplicates(agents, strong, owners_of, cluster_of)
    return Report(clustering, names, overlap, shared, unique, near, _families(names, overlap))


def _families(names: tuple[str, ...], overlap: dict[str, dict[str, float]]) -> tuple[Family, ...]:
    index = {name: i for i, name in enumerate(names)}
    pair_share: dict[tuple[int, int], float] = {}
    for a, row in overlap.items():
        for b in row:
            i, j = sorted((index[a], index[b]))
            if i != j and (i, j) not in pair_share:
                both = (row[b] + overlap[b].get(a, 0.0)) / 2
                if both >= _TUNING.related:
                    pair_share[(i, j)] = both
    families = []
    for group in average_linkage(len(names), pair_share, _TUNING.family_share):
        if len(group) > 1:
            pairs = [pair_share[p] for p in combinations(group, 2)]
            families.append(
                Family(tuple(names[i] for i in group), round(sum(pairs) / len(pairs), 4))
            )
    return tuple(sorted(families, key=lambda f: (-f.share, -len(f.agents), f.agents)))


def relatedness(clustering: Clustering) -> float:
    """The mean share two agents with bullets have in common (1.0 for fewer than two): what
    build_report's overlap would say, without the rest of the report."""
    agents = [a for a in clustering.agents if a.bullets]
    if len(agents) < 2:
        return 1.0
    owners_of, cluster_of = _owners(clustering, agents)
    shared = 0.0
    for i, agent in enumerate(agents):
        counts = _shared_counts(agent, owners_of, cluster_of)
        shared += sum(count for j, count in counts.items() if j != i) / len(agent.bullets)
    return shared / (len(agents) * (len(agents) - 1))


def _owners(
    clustering: Clustering, agents: Sequence[Agent]
) -> tuple[dict[str, list[int]], dict[str, str]]:
    """cluster id -> the indexes (in agents) of the agents it has members of; bullet id ->
    its cluster id. Every member's agent is among agents (an agent with no bullet need not)."""
    index = {a.name: i for i, a in enumerate(agents)}
    owners_of = {c.id: sorted({index[m.agent] for m in c.members}) for c in clustering.clusters}
    cluster_of = {m.id: c.id for c in clustering.clusters for m in c.members}
    return owners_of, cluster_of


def _shared_counts(
    agent: Agent, owners_of: dict[str, list[int]], cluster_of: dict[str, str]
) -> Counter[int]:
    counts: Counter[int] = Counter()
    for bullet in agent.bullets:
        counts.update(owners_of[cluster_of[bullet.id]])
    return counts


def _near_duplicates(
    agents: tuple[Agent, ...],
    strong: set[tuple[int, int]],
    owners_of: dict[str, list[int]],
    cluster_of: dict[str, str],
) -> tuple[NearDuplicate, ...]:
    """Pairs sharing near_duplicate (tuning) of both agents' bullets (so one of the two shares that
    much of its own: a strong pair), or with one body."""
    bodies = [normalise_for_id(a.source.body) for a in agents]
    by_body: dict[str, list[int]] = {}
    for i, body in enumerate(bodies):
        by_body.setdefault(body, []).append(i)
    candidates = strong | {pair for group in by_body.values() for pair in combinations(group, 2)}
    counts = {
        i: _shared_counts(agents[i], owners_of, cluster_of)
        for i in sorted(set().union(*candidates))
    }
    found = []
    for i, j in sorted(candidates):
        a, b = agents[i], agents[j]
        total = len(a.bullets) + len(b.bullets)
        similarity = (counts[i][j] + counts[j][i]) / total if total else 1.0
        same_body = bodies[i] == bodies[j]
        if (similarity >= _TUNING.near_duplicate and total) or same_body:
            verdict = _verdict(a, b, similarity, same_body)
            found.append(NearDuplicate(a.name, b.name, round(similarity, 4), verdict))
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
        # Which signals decided the clusters: "semantic" (words and the embedding model) or
        # "lexical" (words only, --lexical).
        "similarity": "semantic" if clustering.settings.semantic else "lexical",
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
        # Groups of agents to merge (Family).
        "families": [{"agents": list(f.agents), "share": f.share} for f in report.families],
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
