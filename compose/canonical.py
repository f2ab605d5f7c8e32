"""Canonical agents: a config names sources and outputs, `build` writes them with a lock that
records provenance, `check` says (without writing) whether every output is still what build
would write, and why not.

compose.toml (or [tool.compose] in pyproject.toml), paths relative to the config file:

    [[agent]]
    name = "backend"
    output = "agents/backend.md"
    sources = ["agents/src/backend-*.md"]
    model = "opus"                        # optional merge overrides
    same = [["b1a2...", "b3c4..."]]       # pinned: one cluster
    separate = [["b5...", "b6..."]]       # pinned: never one cluster
    drop = [{bullet = "b7...", reason = "covered by the security agent"}]

A bullet is named by its id (shown by `compose parse` and `compose report`) or as
"agent-name: text of the bullet".
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from compose import __version__, tomlfile
from compose.api import MergeResult, merge_agents
from compose.cluster import DEFAULT_THRESHOLD, Settings
from compose.consolidate import MergeOptions
from compose.errors import ConfigError, OutputError
from compose.load import load
from compose.output import write_atomic
from compose.parse import Agent, normalise_for_id, parse

CONFIG_NAME = "compose.toml"
LOCK_NAME = "compose.lock"
_TARGET_KEYS = {
    "name",
    "output",
    "sources",
    "model",
    "threshold",
    "provenance",
    "same",
    "separate",
    "drop",
}


@dataclass(frozen=True)
class Drop:
    bullet: str
    reason: str


@dataclass(frozen=True)
class Target:
    name: str
    output: Path
    sources: tuple[str, ...]  # glob patterns, relative to the config's directory
    model: str | None = None
    threshold: float = DEFAULT_THRESHOLD
    provenance: bool = False
    same: tuple[tuple[str, str], ...] = ()
    separate: tuple[tuple[str, str], ...] = ()
    drop: tuple[Drop, ...] = ()


@dataclass(frozen=True)
class Config:
    path: Path
    root: Path
    targets: tuple[Target, ...]

    @property
    def lock_path(self) -> Path:
        return self.root / LOCK_NAME


@dataclass(frozen=True)
class Built:
    target: Target
    sources: tuple[Path, ...]
    result: MergeResult
    decisions: dict[str, Any]


@dataclass(frozen=True)
class Staleness:
    """Why an output is not what build would write now (empty when it is)."""

    target: str
    output: str
    changed_sources: tuple[str, ...]
    added_sources: tuple[str, ...]
    removed_sources: tuple[str, ...]
    lines_added: tuple[str, ...]  # lines build would write that the output lacks
    lines_removed: tuple[str, ...]  # lines in the output that build would not write
    hand_edited: bool
    missing_output: bool

    @property
    def stale(self) -> bool:
        return bool(self.missing_output or self.lines_added or self.lines_removed)

    def explain(self) -> list[str]:
        if not self.stale:
            return [f"{self.output}: up to date"]
        lines = [f"{self.output}: stale"]
        if self.missing_output:
            lines.append("  the output does not exist; run compose build")
        for path in self.changed_sources:
            lines.append(f"  source changed since the last build: {path}")
        lines += [f"  new source: {p}" for p in self.added_sources]
        lines += [f"  source gone: {p}" for p in self.removed_sources]
        if self.hand_edited:
            lines.append("  the output was edited by hand since the last build")
        lines += [f"  + {line}" for line in self.lines_added[:20]]
        lines += [f"  - {line}" for line in self.lines_removed[:20]]
        return lines


# --- config ---------------------------------------------------------------------------------


def find_config(start: Path | None = None) -> Path:
    """compose.toml, or a pyproject.toml with [tool.compose], here or in a parent directory."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / CONFIG_NAME
        if candidate.is_file():
            return candidate
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and "compose" in _read_toml(pyproject).get("tool", {}):
            return pyproject
    raise ConfigError(here, f"no {CONFIG_NAME} (or [tool.compose] in pyproject.toml) here or above")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomlfile.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(path, f"cannot be read: {exc.strerror or exc}") from None
    except (tomlfile.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(path, f"is not valid TOML: {exc}") from None


def read_config(path: Path) -> Config:
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("compose", {})
    entries = data.get("agent")
    if not isinstance(entries, list) or not entries:
        raise ConfigError(path, "defines no [[agent]] targets")
    targets = tuple(_target(path, entry, i) for i, entry in enumerate(entries, start=1))
    outputs = [t.output for t in targets]
    if len(set(outputs)) != len(outputs):
        raise ConfigError(path, "two [[agent]] targets write the same output")
    return Config(path, path.parent, targets)


def _target(path: Path, entry: dict[str, Any], number: int) -> Target:
    where = f"[[agent]] #{number}"
    unknown = sorted(set(entry) - _TARGET_KEYS)
    if unknown:
        raise ConfigError(path, f"{where}: unknown key {', '.join(unknown)}")
    for key in ("name", "output", "sources"):
        if key not in entry:
            raise ConfigError(path, f"{where}: '{key}' is required")
    sources = entry["sources"]
    if isinstance(sources, str):
        sources = [sources]
    try:
        return Target(
            name=str(entry["name"]),
            output=path.parent / str(entry["output"]),
            sources=tuple(str(s) for s in sources),
            model=entry.get("model"),
            threshold=float(entry.get("threshold", DEFAULT_THRESHOLD)),
            provenance=bool(entry.get("provenance", False)),
            same=tuple(_pair(p) for p in entry.get("same", [])),
            separate=tuple(_pair(p) for p in entry.get("separate", [])),
            drop=tuple(
                Drop(str(d["bullet"]), str(d.get("reason", ""))) for d in entry.get("drop", [])
            ),
        )
    except (TypeError, ValueError, KeyError) as exc:
        raise ConfigError(path, f"{where}: malformed value ({exc})") from None


def _pair(value: Any) -> tuple[str, str]:
    if not isinstance(value, list) or len(value) != 2:
        raise ValueError("same/separate entries are pairs of bullets")
    return (str(value[0]), str(value[1]))


# --- build ----------------------------------------------------------------------------------


def source_paths(config: Config, target: Target) -> tuple[Path, ...]:
    found: list[Path] = []
    for pattern in target.sources:
        matches = sorted(p for p in config.root.glob(pattern) if p.is_file())
        if not matches:
            raise ConfigError(config.path, f"target '{target.name}': no file matches '{pattern}'")
        found += [m for m in matches if m not in found and m.resolve() != target.output.resolve()]
    return tuple(found)


def compose_target(config: Config, target: Target) -> Built:
    """What build would write for target, from the sources as they are now. Pure of writes."""
    paths = source_paths(config, target)
    agents = [parse(load(p)) for p in paths]
    resolve = _resolver(config, target, agents)
    same = tuple((resolve(a), resolve(b)) for a, b in target.same)
    separate = tuple((resolve(a), resolve(b)) for a, b in target.separate)
    dropped = {resolve(d.bullet): d.reason for d in target.drop}
    agents = [_without(a, set(dropped)) for a in agents]
    result = merge_agents(
        agents,
        options=MergeOptions(name=target.name, model=target.model),
        settings=Settings(threshold=target.threshold, same=same, separate=separate),
        provenance=target.provenance,
    )
    decisions = {
        "same": [list(p) for p in same],
        "separate": [list(p) for p in separate],
        "drop": [{"bullet": b, "reason": r} for b, r in sorted(dropped.items())],
    }
    return Built(target, paths, result, decisions)


def _resolver(config: Config, target: Target, agents: Sequence[Agent]) -> Any:
    ids = {b.id for a in agents for b in a.bullets}
    by_text = {(a.name, normalise_for_id(b.text)): b.id for a in agents for b in a.bullets}

    def resolve(reference: str) -> str:
        if reference in ids:
            return reference
        agent, _, text = reference.partition(":")
        found = by_text.get((agent.strip(), normalise_for_id(text)))
        if found is None:
            raise ConfigError(
                config.path, f"target '{target.name}': decision names no bullet: '{reference}'"
            )
        return found

    return resolve


def _without(agent: Agent, dropped: set[str]) -> Agent:
    if not dropped:
        return agent
    sections = tuple(
        replace(s, bullets=tuple(b for b in s.bullets if b.id not in dropped))
        for s in agent.sections
    )
    return replace(agent, sections=sections)


def _hash(data: bytes | str) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _relative(config: Config, path: Path) -> str:
    try:
        return path.resolve().relative_to(config.root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _source_hashes(config: Config, built: Built) -> dict[str, str]:
    return {_relative(config, p): _hash(p.read_bytes()) for p in built.sources}


def lock_entry(config: Config, built: Built) -> dict[str, Any]:
    clustering = built.result.clustering
    return {
        "output": _relative(config, built.target.output),
        "output_hash": _hash(built.result.text),
        "sources": _source_hashes(config, built),
        "clusters": {c.id: sorted(m.id for m in c.members) for c in clustering.clusters},
        "decisions": built.decisions,
    }


def read_lock(config: Config) -> dict[str, Any]:
    if not config.lock_path.is_file():
        return {}
    try:
        data: object = json.loads(config.lock_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(config.lock_path, f"cannot be read: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(config.lock_path, "is not a compose lock (expected a JSON object)")
    return data


def render_lock(config: Config, entries: dict[str, Any]) -> str:
    lock = {"version": 1, "compose": __version__, "agents": entries}
    return json.dumps(lock, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def hand_edits(config: Config, target: Target, lock: dict[str, Any]) -> list[str] | None:
    """Lines of the output changed since the last build, or None when it is as built."""
    entry = lock.get("agents", {}).get(target.name)
    if entry is None or not target.output.is_file():
        return None
    current = target.output.read_text(encoding="utf-8")
    if _hash(current) == entry.get("output_hash"):
        return None
    expected = compose_target(config, target).result.text
    return _changed_lines(expected, current)


def _changed_lines(expected: str, actual: str) -> list[str]:
    diff = difflib.ndiff(expected.splitlines(), actual.splitlines())
    return [line for line in diff if line.startswith(("+ ", "- "))]


def build(config: Config, *, force: bool = False) -> list[Built]:
    """Write every target and the lock; refuse to overwrite hand edits unless forced."""
    lock = read_lock(config)
    built = []
    for target in config.targets:
        edits = None if force else hand_edits(config, target, lock)
        if edits:
            shown = "; ".join(line.strip() for line in edits[:3])
            raise OutputError(
                target.output,
                f"edited by hand since the last build ({len(edits)} changed lines: {shown}); "
                "turn the edit into a source change or a decision in the config, "
                "or run compose build --force to overwrite it",
            )
        built.append(compose_target(config, target))
    entries = dict(lock.get("agents", {}))
    for item in built:
        if not item.target.output.parent.is_dir():
            raise OutputError(
                item.target.output, f"directory {item.target.output.parent} does not exist"
            )
    for item in built:
        current = (
            item.target.output.read_text(encoding="utf-8") if item.target.output.is_file() else None
        )
        if current != item.result.text:
            write_atomic(item.target.output, item.result.text)
        entries[item.target.name] = lock_entry(config, item)
    entries = {k: v for k, v in entries.items() if k in {t.name for t in config.targets}}
    text = render_lock(config, entries)
    if not config.lock_path.is_file() or config.lock_path.read_text(encoding="utf-8") != text:
        write_atomic(config.lock_path, text)
    return built


# --- check ----------------------------------------------------------------------------------


def check(config: Config) -> list[Staleness]:
    """Compare every output with what build would write now. Never writes."""
    lock = read_lock(config).get("agents", {})
    results = []
    for target in config.targets:
        built = compose_target(config, target)
        entry = lock.get(target.name, {})
        locked = entry.get("sources", {})
        now = _source_hashes(config, built)
        output = _relative(config, target.output)
        if not target.output.is_file():
            results.append(Staleness(target.name, output, (), (), (), (), (), False, True))
            continue
        actual = target.output.read_text(encoding="utf-8")
        diff = _changed_lines(built.result.text, actual)
        results.append(
            Staleness(
                target=target.name,
                output=output,
                changed_sources=tuple(p for p in now if p in locked and locked[p] != now[p]),
                added_sources=tuple(p for p in now if p not in locked) if locked else (),
                removed_sources=tuple(p for p in locked if p not in now),
                lines_added=tuple(line[2:] for line in diff if line.startswith("- ")),
                lines_removed=tuple(line[2:] for line in diff if line.startswith("+ ")),
                hand_edited=bool(entry) and _hash(actual) != entry.get("output_hash"),
                missing_output=False,
            )
        )
    return results
