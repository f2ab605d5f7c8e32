"""The library entry points behind the CLI: paths in, typed results out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from compose.cluster import DEFAULT_THRESHOLD, Clustering, Settings, cluster
from compose.load import collect, load
from compose.parse import Agent, parse


@dataclass(frozen=True)
class Loaded:
    agents: tuple[Agent, ...]
    notes: tuple[str, ...]  # skipped files and per-file warnings, for stderr


def load_agents(paths: Sequence[str | Path]) -> Loaded:
    """Load and parse every agent named by paths (directories are searched)."""
    collected = collect(paths)
    agents = tuple(parse(load(path)) for path in collected.files)
    warnings = tuple(f"{a.path}: {w}" for a in agents for w in a.source.warnings)
    return Loaded(agents, collected.skipped + warnings)


def overlap(paths: Sequence[str | Path], threshold: float = DEFAULT_THRESHOLD) -> Clustering:
    """Cluster the bullets of the agents named by paths."""
    return cluster(load_agents(paths).agents, Settings(threshold=threshold))
