"""Cluster: parsed agents -> groups of bullets that say the same thing.

The steps, each a module: features (what each bullet is, once), candidates (which pairs are
scored, by blocking on rare terms), similarity (how alike a pair is), linkage (average linkage
with a floor), describe (a group -> a Cluster that explains itself) and conflicts (one agent
forbids what another recommends). Every number they are tuned by is one frozen record, Tuning
(compose/tuning.py, from compose/data/tuning.toml), passed in Settings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from compose.clustering.candidates import Completion, RowScorer, cross_similarity, similar_pairs
from compose.clustering.conflicts import find_conflicts
from compose.clustering.describe import bullet_key, describe
from compose.clustering.features import featurise
from compose.clustering.linkage import apply_same, average_linkage
from compose.clustering.result import (
    DEFAULT_THRESHOLD,
    THRESHOLD_RANGE,
    Cluster,
    Clustering,
    Conflict,
    Settings,
    threshold_problem,
)
from compose.errors import DuplicateAgentError
from compose.parse import Agent
from compose.progress import Progress, silent
from compose.topics import topic_order
from compose.tuning import Tuning, default_tuning, load_tuning

__all__ = [
    "DEFAULT_THRESHOLD",
    "THRESHOLD_RANGE",
    "Cluster",
    "Clustering",
    "Conflict",
    "Settings",
    "Tuning",
    "cluster",
    "cross_similarity",
    "default_tuning",
    "load_tuning",
    "threshold_problem",
]


def cluster(
    agents: Sequence[Agent], settings: Settings | None = None, progress: Progress = silent
) -> Clustering:
    """Group every bullet of every agent into exactly one cluster, deterministically."""
    settings = settings or Settings()
    ordered = _sorted_agents(agents)
    bullets = [b for agent in ordered for b in agent.bullets]
    progress("analysing bullets", 0, len(bullets))
    features = featurise(bullets, settings.tuning, semantic=settings.semantic)
    scorer = RowScorer(features, settings)
    # A step's bare title over its items ("Initiate Postmortem:") is their lead-in, compared
    # with nothing (parse.Bullet.titles_items).
    titles = {i for i, b in enumerate(bullets) if b.titles_items}
    edges = {
        pair: score
        for pair, score in similar_pairs(scorer, progress).items()
        if not titles.intersection(pair)
    }
    progress("linking clusters", 0, None)
    complete = Completion(scorer, edges) if settings.blocking else None
    groups = average_linkage(len(bullets), edges, settings.threshold, complete)
    groups = apply_same(groups, bullets, settings.same)
    group_of = {i: g for g, group in enumerate(groups) for i in group}
    inside: dict[int, dict[tuple[int, int], float]] = defaultdict(dict)
    for (i, j), score in edges.items():
        if group_of[i] == group_of[j]:
            inside[group_of[i]][(i, j)] = score
    clusters = [describe(group, features, inside[g]) for g, group in enumerate(groups)]
    order = topic_order()
    clusters.sort(
        key=lambda c: (order.get(c.topic, len(order)), -len(c.members), bullet_key(c.members[0]))
    )
    return Clustering(tuple(ordered), tuple(clusters), settings, find_conflicts(scorer))


def _sorted_agents(agents: Sequence[Agent]) -> list[Agent]:
    by_name: dict[str, Agent] = {}
    for agent in agents:
        if agent.name in by_name:
            other = by_name[agent.name].path
            raise DuplicateAgentError(
                agent.path, f"agent name '{agent.name}' is also used by {other}; rename one"
            )
        by_name[agent.name] = agent
    return [by_name[name] for name in sorted(by_name)]
