"""The clustering's settings and results: frozen records that explain themselves."""

from __future__ import annotations

from dataclasses import dataclass, field

from compose.parse import Agent, Bullet
from compose.tuning import Tuning, default_tuning

DEFAULT_THRESHOLD = default_tuning().threshold
# Below 0.1 nearly every pair of bullets would be one statement; above 1 none could be.
THRESHOLD_RANGE = (0.1, 1.0)


@dataclass(frozen=True)
class Settings:
    threshold: float = DEFAULT_THRESHOLD
    blocking: bool = True
    # Pinned decisions (bullet ids): pairs forced together, pairs kept apart.
    same: tuple[tuple[str, str], ...] = ()
    separate: tuple[tuple[str, str], ...] = ()
    tuning: Tuning = field(default_factory=default_tuning)
    # The embedding signal (off: --lexical, or the config key `lexical = true`).
    semantic: bool = True

    @property
    def floor(self) -> float:
        return self.threshold * self.tuning.floor_ratio


def threshold_problem(value: float) -> str | None:
    """Why value cannot be a clustering threshold, or None when it can."""
    low, high = THRESHOLD_RANGE
    if not low <= value <= high:  # also refuses NaN, which compares false
        return f"must be a number from {low} to {high}"
    return None


@dataclass(frozen=True)
class Cluster:
    id: str
    topic: str
    score: float  # mean similarity of its scored member pairs; 1.0 for a single bullet
    representative: Bullet
    terms: tuple[str, ...]  # content words most members share: why they are together
    members: tuple[Bullet, ...]
    least_similar: tuple[str, str, float] | None = None  # the weakest pair (ids, similarity)

    @property
    def agents(self) -> tuple[str, ...]:
        return tuple(sorted({m.agent for m in self.members}))

    @property
    def negative(self) -> bool:
        return self.representative.negative


@dataclass(frozen=True)
class Conflict:
    """Two agents take opposite stances on one practice ("Always use ORMs" / "Never use ORMs").
    The two bullets are never one cluster; a merge keeps both and says so."""

    forbids: Bullet
    recommends: Bullet
    score: float  # how alike the two are, stance aside

    def summary(self) -> str:
        f, r = self.forbids, self.recommends
        return (
            f"conflict: {f.agent}:{f.line} forbids what {r.agent}:{r.line} recommends "
            f"({f.text!r} / {r.text!r}); both kept"
        )


@dataclass(frozen=True)
class Clustering:
    agents: tuple[Agent, ...]
    clusters: tuple[Cluster, ...]
    settings: Settings = field(default_factory=Settings)
    conflicts: tuple[Conflict, ...] = ()

    def cluster_of(self) -> dict[str, Cluster]:
        return {m.id: c for c in self.clusters for m in c.members}

    @property
    def bullet_count(self) -> int:
        return sum(len(c.members) for c in self.clusters)
