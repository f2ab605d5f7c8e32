"""Tuning: every number compose is tuned by, as frozen records loaded from one data file.

compose/data/tuning.toml holds them: the clustering's at its top level (a file passed to
`load_tuning` names only the keys it changes), and one table each for term weights
(`[terms]`), the merge (`[merge]`), the report (`[report]`) and the diff (`[diff]`). No module
holds a tuning constant of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from compose import tomlfile
from compose.errors import ConfigError

_DEFAULTS = Path("compose/data/tuning.toml")


@dataclass(frozen=True)
class Tuning:
    """How the clustering decides that two bullets say the same thing."""

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


@dataclass(frozen=True)
class TermTuning:
    """How much a term counts by where it is written (terms.term_counts)."""

    detail_weight: float
    filler_weight: float


@dataclass(frozen=True)
class MergeTuning:
    """How a cluster becomes a line, and how much of the sources' framing is kept."""

    examples: int
    example_duplicate: int
    detail_max_words: int
    fold_max_parts: int
    folds_per_line: int
    slot_max_words: int
    sibling_max_words: int
    series_item_max_words: int
    step_items_max: int
    step_ways_max: int
    partner_ways_max: int
    intro_paragraphs: int
    framed_span: int
    settle_rounds: int


@dataclass(frozen=True)
class ReportTuning:
    """When agents are near-duplicates, related, or one family to merge."""

    near_duplicate: float
    overlap_partners: int
    related: float
    family_share: float


@dataclass(frozen=True)
class DiffTuning:
    """When a removed and an added bullet (or section) are one, changed."""

    reworded: float
    renamed: float


_Record = TypeVar("_Record", Tuning, TermTuning, MergeTuning, ReportTuning, DiffTuning)


@cache
def _data() -> dict[str, Any]:
    return tomlfile.package_data("tuning.toml")


@cache
def default_tuning() -> Tuning:
    data = _data()
    return _record(Tuning, {k: v for k, v in data.items() if not isinstance(v, dict)}, _DEFAULTS)


@cache
def term_tuning() -> TermTuning:
    return _record(TermTuning, _data()["terms"], _DEFAULTS)


@cache
def merge_tuning() -> MergeTuning:
    return _record(MergeTuning, _data()["merge"], _DEFAULTS)


@cache
def report_tuning() -> ReportTuning:
    return _record(ReportTuning, _data()["report"], _DEFAULTS)


@cache
def diff_tuning() -> DiffTuning:
    return _record(DiffTuning, _data()["diff"], _DEFAULTS)


def load_tuning(path: str | Path) -> Tuning:
    """The clustering defaults with the keys a TOML file sets; a key the record lacks is
    refused."""
    tuning_path = Path(path)
    try:
        data = tomlfile.loads(tuning_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomlfile.TOMLDecodeError) as exc:
        raise ConfigError(tuning_path, f"cannot read tuning file: {exc}") from None
    _refuse_unknown(Tuning, data, tuning_path)
    known = {f.name: f.type for f in fields(Tuning)}
    changes: dict[str, Any] = {name: _value(name, known[name], data, tuning_path) for name in data}
    return replace(default_tuning(), **changes)


def _record(kind: type[_Record], data: Mapping[str, Any], where: Path) -> _Record:
    _refuse_unknown(kind, data, where)
    values: dict[str, Any] = {f.name: _value(f.name, f.type, data, where) for f in fields(kind)}
    return kind(**values)


def _refuse_unknown(kind: type[_Record], data: Mapping[str, Any], where: Path) -> None:
    unknown = sorted(set(data) - {f.name for f in fields(kind)})
    if unknown:
        raise ConfigError(where, f"unknown tuning key '{unknown[0]}'")


def _value(name: str, kind: Any, data: Mapping[str, Any], where: Path) -> float | int:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise ConfigError(where, f"tuning key '{name}' must be a number")
    if kind in (int, "int"):
        if not isinstance(value, int):
            raise ConfigError(where, f"tuning key '{name}' must be a whole number")
        return value
    return float(value)
