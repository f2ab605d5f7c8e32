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
import glob
import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from compose import __version__, tomlfile
from compose.api import MergeResult, load_agents, merge_agents
from compose.clustering import DEFAULT_THRESHOLD, Settings, threshold_problem
from compose.consolidate import MergeOptions
from compose.errors import ConfigError, OutputError
from compose.output import check_target, same_file, write_atomic
from compose.parse import Agent, normalise_for_id
from compose.progress import Progress, silent
from compose.render import DESCRIPTION_STYLES
from compose.tuning import merge_tuning

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
    "examples",
    "tools",
    "lexical",
    "description_style",
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
    examples: int | None = merge_tuning().examples  # None: every distinct example
    tools: str = "union"  # see MergeOptions.tools
    lexical: bool = False  # words only: no embedding signal in the clustering
    description_style: str = "single"  # render.DESCRIPTION_STYLES


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
    changed: bool = True  # whether build wrote the output (False: it already held this)


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
        if self.hand_edited:
            lines.append(
                "  to keep the hand edits, move them into a source; to drop them: "
                "compose build --force"
            )
        else:
            lines.append("  to update it: compose build")
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


def starter_config(agents: Sequence[Agent], root: Path) -> str:
    """A compose.toml for agents found under root: one target for each family of agents
    whose names begin with the same word (backend-architect, backend-master -> backend),
    written to agents/<family>.md; agents with no family are listed in a comment."""
    families: dict[str, list[Agent]] = {}
    for agent in sorted(agents, key=lambda a: a.path):
        families.setdefault(agent.source.declared_name.split("-")[0], []).append(agent)
    lines = [
        "# Canonical agents built from their sources: `compose build` writes them and",
        "# compose.lock, `compose check` fails in CI when one drifts. Paths are relative to",
        "# this file; see the README for same/separate/drop decisions.",
    ]
    alone = []
    for family, members in families.items():
        if len(members) < 2:
            alone += members
            continue
        sources = ", ".join(json.dumps(_relative(root, Path(a.path))) for a in members)
        lines += [
            "",
            "[[agent]]",
            f"name = {json.dumps(family)}",
            f"output = {json.dumps(f'agents/{family}.md')}",
            f"sources = [{sources}]",
        ]
    if alone:
        lines += ["", "# No family: " + ", ".join(a.source.declared_name for a in alone)]
    return "\n".join(lines) + "\n"


def read_config(path: Path) -> Config:
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        data = tool.get("compose", {}) if isinstance(tool, dict) else {}
    if not isinstance(data, dict):
        raise ConfigError(path, "[tool.compose] is not a table")
    unknown = sorted(set(data) - {"agent", "allow_outside"})
    if unknown:
        raise ConfigError(path, f"unknown key {', '.join(unknown)}")
    allow_outside = data.get("allow_outside", False)
    if not isinstance(allow_outside, bool):
        raise ConfigError(path, "'allow_outside' must be true or false")
    entries = data.get("agent")
    if not isinstance(entries, list) or not entries:
        raise ConfigError(path, "defines no [[agent]] targets")
    targets = tuple(
        _target(path, entry, i, allow_outside) for i, entry in enumerate(entries, start=1)
    )
    names = [t.name for t in targets]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ConfigError(path, f"two [[agent]] targets are named '{repeated[0]}'")
    outputs = [t.output.resolve() for t in targets]
    if len(set(outputs)) != len(outputs):
        raise ConfigError(path, "two [[agent]] targets write the same output")
    return Config(path, path.parent, targets)


def _target(path: Path, entry: object, number: int, allow_outside: bool) -> Target:
    where = f"[[agent]] #{number}"
    if not isinstance(entry, dict):
        raise ConfigError(path, f"{where}: is not a table of keys")
    unknown = sorted(set(entry) - _TARGET_KEYS)
    if unknown:
        raise ConfigError(path, f"{where}: unknown key {', '.join(unknown)}")
    for key in ("name", "output", "sources"):
        if key not in entry:
            raise ConfigError(path, f"{where}: '{key}' is required")

    def bad(key: str, expected: str) -> ConfigError:
        return ConfigError(path, f"{where}: '{key}' must be {expected}, not {entry[key]!r}")

    name, output, sources = entry["name"], entry["output"], entry["sources"]
    if not isinstance(name, str) or not name.strip():
        raise bad("name", "a non-empty string")
    if not isinstance(output, str) or not output.strip():
        raise bad("output", "a file path (a string)")
    if isinstance(sources, str):
        sources = [sources]
    if (
        not isinstance(sources, list)
        or not sources
        or not all(isinstance(s, str) and s.strip() for s in sources)
    ):
        raise bad("sources", "a non-empty list of file patterns")
    if "model" in entry and not isinstance(entry["model"], str):
        raise bad("model", "a string")
    for flag in ("provenance", "lexical"):
        if flag in entry and not isinstance(entry[flag], bool):
            raise bad(flag, "true or false")
    tools = entry.get("tools", "union")
    if not isinstance(tools, str) or not tools.strip():
        raise bad("tools", "'union', 'intersection', 'all' or a comma-separated list of tools")
    style = entry.get("description_style", "single")
    if style not in DESCRIPTION_STYLES:
        raise bad("description_style", " or ".join(f"'{s}'" for s in DESCRIPTION_STYLES))
    threshold = entry.get("threshold", DEFAULT_THRESHOLD)
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
        raise bad("threshold", "a number")
    examples = entry.get("examples", merge_tuning().examples)
    if examples != "all" and (isinstance(examples, bool) or not isinstance(examples, int)):
        raise bad("examples", 'a number or "all"')
    problem = threshold_problem(float(threshold))
    if problem:
        raise ConfigError(path, f"{where}: 'threshold' {problem}")
    target_path = path.parent / output
    if not allow_outside and not _inside(target_path, path.parent):
        raise ConfigError(
            path,
            f"{where}: output '{output}' is outside {path.parent}; "
            "set allow_outside = true at the top of the config to allow it",
        )
    try:
        return Target(
            name=name.strip(),
            output=target_path,
            sources=tuple(sources),
            model=entry.get("model"),
            threshold=float(threshold),
            provenance=entry.get("provenance", False),
            same=tuple(_pair(p) for p in _list(entry, "same")),
            separate=tuple(_pair(p) for p in _list(entry, "separate")),
            drop=tuple(_drop(d) for d in _list(entry, "drop")),
            examples=None if examples == "all" else examples,
            tools=tools,
            lexical=entry.get("lexical", False),
            description_style=style,
        )
    except (TypeError, ValueError, KeyError) as exc:
        raise ConfigError(path, f"{where}: malformed value ({exc})") from None


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def _list(entry: dict[str, Any], key: str) -> list[Any]:
    value = entry.get(key, [])
    if not isinstance(value, list):
        raise ValueError(f"'{key}' must be a list")
    return value


def _pair(value: Any) -> tuple[str, str]:
    if not isinstance(value, list) or len(value) != 2 or not all(isinstance(v, str) for v in value):
        raise ValueError("same/separate entries are pairs of bullets")
    return (value[0], value[1])


def _drop(value: Any) -> Drop:
    if not isinstance(value, dict) or not isinstance(value.get("bullet"), str):
        raise ValueError("drop entries are tables with a 'bullet' string")
    return Drop(value["bullet"], str(value.get("reason", "")))


# --- build ----------------------------------------------------------------------------------


def source_paths(config: Config, target: Target) -> tuple[Path, ...]:
    found: list[Path] = []
    for pattern in target.sources:
        # glob.glob takes absolute patterns too (Path.glob refuses them).
        names = glob.glob(pattern, root_dir=config.root, recursive=True)
        matches = sorted(p for p in (config.root / n for n in names) if p.is_file())
        if not matches:
            raise ConfigError(config.path, f"target '{target.name}': no file matches '{pattern}'")
        found += [m for m in matches if m not in found and not same_file(m, target.output)]
    return tuple(found)


def compose_target(config: Config, target: Target, progress: Progress = silent) -> Built:
    """What build would write for target, from the sources as they are now. Pure of writes."""
    paths = source_paths(config, target)
    # The loading path of every command: same warnings, same names for same-named sources.
    loaded = load_agents(paths, progress=progress)
    agents = list(loaded.agents)
    resolve = _resolver(config, target, agents)
    same = tuple((resolve(a), resolve(b)) for a, b in target.same)
    separate = tuple((resolve(a), resolve(b)) for a, b in target.separate)
    dropped = {resolve(d.bullet): d.reason for d in target.drop}
    agents = [_without(a, set(dropped)) for a in agents]
    result = merge_agents(
        agents,
        options=MergeOptions(
            name=target.name,
            model=target.model,
            examples=target.examples,
            tools=target.tools,
            description_style=target.description_style,
        ),
        settings=Settings(
            threshold=target.threshold,
            same=same,
            separate=separate,
            semantic=not target.lexical,
        ),
        provenance=target.provenance,
        notes=loaded.notes,
        progress=progress,
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


def _relative(root: Path, path: Path) -> str:
    """path as a lock or config writes it: relative to root, if inside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _source_hashes(config: Config, built: Built) -> dict[str, str]:
    return {_relative(config.root, p): _hash(p.read_bytes()) for p in built.sources}


def lock_entry(config: Config, built: Built) -> dict[str, Any]:
    clustering = built.result.clustering
    return {
        "output": _relative(config.root, built.target.output),
        "output_hash": _hash(built.result.text),
        # A short hash of each line written: a later refusal can name the lines edited by
        # hand, not the lines the sources changed since.
        "output_lines": [_line_hash(line) for line in built.result.text.splitlines()],
        "sources": _source_hashes(config, built),
        "clusters": {c.id: sorted(m.id for m in c.members) for c in clustering.clusters},
        "decisions": built.decisions,
    }


def read_lock(config: Config) -> dict[str, Any]:
    """The lock's entries by target name ({} when there is no lock yet)."""
    if not config.lock_path.is_file():
        return {}
    try:
        data: object = json.loads(config.lock_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(config.lock_path, f"cannot be read: {exc}") from None
    agents = data.get("agents", {}) if isinstance(data, dict) else None
    if not isinstance(agents, dict) or not all(
        isinstance(e, dict) and isinstance(e.get("sources", {}), dict) for e in agents.values()
    ):
        raise ConfigError(
            config.lock_path,
            "is not a compose lock (expected a JSON object of agents); delete it and build again",
        )
    return agents


def render_lock(config: Config, entries: dict[str, Any]) -> str:
    lock = {"version": 1, "compose": __version__, "agents": entries}
    return json.dumps(lock, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _changed_lines(expected: str, actual: str) -> list[str]:
    diff = difflib.ndiff(expected.splitlines(), actual.splitlines())
    return [line for line in diff if line.startswith(("+ ", "- "))]


def _line_hash(line: str) -> str:
    return hashlib.sha256(line.encode()).hexdigest()[:10]


def _hand_edits(current: str, entry: dict[str, Any]) -> list[str] | None:
    """The lines of current that the last build did not write ("+ ...") and how many it wrote
    that current lacks; None for a lock written before lines were recorded."""
    written = entry.get("output_lines")
    if not isinstance(written, list):
        return None
    lines = current.splitlines()
    hashes = [_line_hash(line) for line in lines]
    missing = Counter(written) - Counter(hashes)
    known = set(written)
    edits = [
        f"+ {line}"
        for line, digest in zip(lines, hashes, strict=True)
        if line.strip() and digest not in known
    ]
    removed = sum(missing.values())
    if removed:
        edits.append(f"- ({removed} line{'s' if removed > 1 else ''} removed)")
    return edits


def _existing_text(output: Path) -> str | None:
    """The output as it is on disk now; None when there is none yet."""
    return output.read_text(encoding="utf-8", errors="replace") if output.is_file() else None


def _refuse_overwrite(
    config: Config, item: Built, current: str | None, entry: dict[str, Any] | None
) -> None:
    """Raise unless the output is new, already right, or exactly what compose last wrote."""
    output = item.target.output
    if current is None or current == item.result.text:
        return
    if entry is None or entry.get("output") != _relative(config.root, output):
        raise OutputError(
            output,
            f"exists and {LOCK_NAME} has no entry saying compose wrote it; "
            "move it away, or run compose build --force to replace it",
        )
    if _hash(current) != entry.get("output_hash"):
        edits = _hand_edits(current, entry)
        if edits is None:  # an older lock: every difference from what build would write
            edits = _changed_lines(item.result.text, current)
        shown = "; ".join(line.strip() for line in edits[:3])
        raise OutputError(
            output,
            f"edited by hand since the last build ({len(edits)} changed lines: {shown}); "
            "turn the edit into a source change or a decision in the config, "
            "or run compose build --force to overwrite it",
        )


def _refuse_outputs_that_are_sources(config: Config, built: Sequence[Built]) -> None:
    for item in built:
        for other in built:
            if any(same_file(item.target.output, source) for source in other.sources):
                output = _relative(config.root, item.target.output)
                raise ConfigError(
                    config.path,
                    f"target '{item.target.name}' writes {output}, "
                    f"which is a source of target '{other.target.name}'",
                )


def build(config: Config, *, force: bool = False, progress: Progress = silent) -> list[Built]:
    """Write every target and the lock. Refuses (unless forced) to replace an output that
    compose did not write or that was edited by hand since, and an output that is a source."""
    lock = read_lock(config)
    built = [compose_target(config, target, progress) for target in config.targets]
    _refuse_outputs_that_are_sources(config, built)
    # Every output is checked and read once, before any is written: a refusal writes nothing.
    outputs = [check_target(item.target.output) for item in built]
    currents = [_existing_text(output) for output in outputs]
    if not force:
        for item, current in zip(built, currents, strict=True):
            _refuse_overwrite(config, item, current, lock.get(item.target.name))
    entries = dict(lock)
    for index, (item, output, current) in enumerate(zip(built, outputs, currents, strict=True)):
        if current != item.result.text:
            write_atomic(output, item.result.text)
        else:
            built[index] = replace(item, changed=False)
        entries[item.target.name] = lock_entry(config, item)
    entries = {k: v for k, v in entries.items() if k in {t.name for t in config.targets}}
    text = render_lock(config, entries)
    if not config.lock_path.is_file() or config.lock_path.read_text(encoding="utf-8") != text:
        write_atomic(check_target(config.lock_path), text)
    return built


# --- check ----------------------------------------------------------------------------------


def check(config: Config, progress: Progress = silent) -> list[Staleness]:
    """Compare every output with what build would write now. Never writes."""
    lock = read_lock(config)
    results = []
    for target in config.targets:
        built = compose_target(config, target, progress)
        entry = lock.get(target.name, {})
        locked = entry.get("sources", {})
        now = _source_hashes(config, built)
        output = _relative(config.root, target.output)
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
