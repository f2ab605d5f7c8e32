"""The clustering's tuning: one frozen record of every number it is tuned by.

The defaults are compose/data/tuning.toml; a file passed to `load_tuning` names only the keys it
changes. Nothing else in the clustering package holds a tuning constant.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from functools import cache
from pathlib import Path
from typing import Any

from compose import tomlfile
from compose.errors import ConfigError


@dataclass(frozen=True)
class Tuning:
    threshold: float
    floor_ratio: float
    cosine_weight: float
    containment_weight: float
    token_weight: float
    topic_bonus: float
    sibling_penalty: float
    depth_penalty: float
    advisory_penalty: float
    checklist_coverage: float
    checklist_penalty: float
    core_bonus: float
    core_penalty: float
    role_penalty: float
    compound_penalty: float
    parts_named: float
    parts_penalty: float
    subject_share: float
    conflict_similarity: float
    blocking_max_df: int
    neighbours: int
    rarest_terms: int
    link_sample: int
    semantic_weight: float
    semantic_floor: float


@cache
def default_tuning() -> Tuning:
    data = tomlfile.package_data("tuning.toml")
    values: dict[str, Any] = {f.name: _value(f.name, f.type, data, None) for f in fields(Tuning)}
    return Tuning(**values)


def load_tuning(path: str | Path) -> Tuning:
    """The defaults with the keys a TOML file sets; a key the record lacks is refused."""
    tuning_path = Path(path)
    try:
        data = tomlfile.loads(tuning_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomlfile.TOMLDecodeError) as exc:
        raise ConfigError(tuning_path, f"cannot read tuning file: {exc}") from None
    known = {f.name: f.type for f in fields(Tuning)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ConfigError(tuning_path, f"unknown tuning key '{unknown[0]}'")
    changes: dict[str, Any] = {name: _value(name, known[name], data, tuning_path) for name in data}
    return replace(default_tuning(), **changes)


def _value(name: str, kind: Any, data: dict[str, Any], path: Path | None) -> float | int:
    value = data.get(name)
    where = path or Path("compose/data/tuning.toml")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise ConfigError(where, f"tuning key '{name}' must be a number")
    if kind in (int, "int"):
        if not isinstance(value, int):
            raise ConfigError(where, f"tuning key '{name}' must be a whole number")
        return value
    return float(value)
