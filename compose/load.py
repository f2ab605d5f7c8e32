"""Load: bytes on disk -> a SourceFile (frontmatter fields + Markdown body).

Strict YAML first; real agent files are often not valid YAML (unquoted ': ' and <example>
blocks in descriptions, literal '\\n' escapes), so a lenient line-based reader follows.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatch
from functools import cached_property
from pathlib import Path
from typing import Literal

import yaml
from frontmatter.default_handlers import YAMLHandler

from compose.errors import FrontmatterError, InputError

MAX_FILE_BYTES = 4 * 1024 * 1024
# Real agents use no YAML aliases and nest two or three levels; a few hundred aliases can
# stand for billions of nodes once expanded.
MAX_YAML_ALIASES = 50
MAX_YAML_DEPTH = 40
# C0 and C1 control characters but tab and newline: terminal escapes and the like.
_CONTROL = re.compile(r"[\x01-\x08\x0b-\x1f\x7f-\x9f]")
FrontmatterMode = Literal["strict", "lenient", "none"]

_FENCE = re.compile(r"^-{3,}[ \t]*$")
_FIELD = re.compile(r"^([A-Za-z_][\w-]*):(?:[ \t]+(.*)|[ \t]*)$")
_KNOWN_KEYS = frozenset({"name", "description", "tools", "model", "color"})
# Column-0 words that look like keys inside a multi-line description's examples.
_DIALOGUE_WORDS = frozenset({"user", "assistant", "context", "commentary", "example", "examples"})


@dataclass(frozen=True)
class SourceFile:
    """One agent file as read: ordered frontmatter fields, body text, and how it was read."""

    path: str
    frontmatter: tuple[tuple[str, object], ...]
    frontmatter_mode: FrontmatterMode
    body: str
    body_line: int  # 1-based line of the file on which the body starts
    warnings: tuple[str, ...] = ()
    alias: str | None = None  # set when two inputs share a name and must be told apart

    def field(self, key: str) -> object:
        return next((value for k, value in self.frontmatter if k == key), None)

    @cached_property  # asked for every bullet of a report
    def name(self) -> str:
        return self.alias or self.declared_name

    @property
    def declared_name(self) -> str:
        """The name the file gives itself (else its file name), without a folder alias."""
        value = self.field("name")
        return value.strip() if isinstance(value, str) and value.strip() else Path(self.path).stem

    @property
    def tools(self) -> tuple[str, ...] | None:
        value = self.field("tools")
        return value if isinstance(value, tuple) else None


# The path that names standard input.
STDIN = "-"


def read_text(path: str | Path) -> str:
    """Read a file ('-': standard input) as UTF-8 text, turning every way it can fail into a
    one-line InputError."""
    p = Path(path)
    if str(path) == STDIN:
        # One byte past the limit is enough to know it is too big.
        data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise InputError("<stdin>", "is over 4 MiB; agent files over 4 MiB are refused")
        return _decoded(data, Path("<stdin>"))
    if _REVISION.match(str(path)) and not p.exists():
        return _decoded(_from_git(str(path)), p)
    try:
        if p.is_dir():
            raise InputError(p, "is a directory, not an agent file")
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(p, f"is {size / 2**20:.1f} MiB; agent files over 4 MiB are refused")
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError(p, "no such file") from None
    except PermissionError:
        raise InputError(p, "permission denied") from None
    except OSError as exc:
        raise InputError(p, (exc.strerror or "cannot be read").lower()) from None
    return _decoded(data, p)


# A file as git holds it in a revision: HEAD:agents/backend.md, main~2:./backend.md.
_REVISION = re.compile(r"^[^-:/\\][^:]*:[^:]+$")


def _from_git(spec: str) -> bytes:
    """The bytes of REVISION:PATH, read by `git show` (at most one byte past the limit)."""
    import subprocess

    try:
        with subprocess.Popen(
            ["git", "show", spec], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        ) as git:
            assert git.stdout is not None and git.stderr is not None
            data = git.stdout.read(MAX_FILE_BYTES + 1)
            if len(data) > MAX_FILE_BYTES:
                git.kill()
                raise InputError(spec, "is over 4 MiB; agent files over 4 MiB are refused")
            problem = git.stderr.read().decode(errors="replace").strip().splitlines()
            if git.wait() != 0:
                reason = problem[-1] if problem else "git could not read it"
                raise InputError(spec, f"no such file, nor a revision git can show ({reason})")
    except FileNotFoundError:
        raise InputError(
            spec, "no such file (and git is not installed to read a revision)"
        ) from None
    return data


def _decoded(data: bytes, p: Path) -> str:
    nul = data.find(b"\x00")
    if 0 <= nul < 8192:
        raise InputError(p, "is a binary file, not Markdown")
    if nul >= 0:
        raise InputError(p, f"has a NUL byte at offset {nul}; Markdown text has none")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            p, f"is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


_SKIPPED_NAMES = frozenset(
    {"readme.md", "skill.md", "changelog.md", "license.md", "contributing.md"}
)


@dataclass(frozen=True)
class Collected:
    files: tuple[Path, ...]
    skipped: tuple[str, ...]  # notes on directory entries that are not agent files
    searched: frozenset[Path] = frozenset()  # the files found in a directory, not named


def collect(paths: Sequence[str | Path], exclude: Sequence[str] = ()) -> Collected:
    """Agent files named by paths: files as given; directories searched for *.md agents,
    less those whose path inside the directory matches an exclude glob ("drafts/*").

    Inside a directory, README/SKILL-style files and files without frontmatter are skipped
    with a note; a file named explicitly is always taken.
    """
    files: list[Path] = []
    skipped: list[str] = []
    searched: set[Path] = set()
    seen: dict[object, Path] = {}
    for raw in paths:
        path = Path(raw)
        if str(raw) == STDIN:
            files.append(path)
            continue
        if not path.is_dir():
            if (first := seen.setdefault(_identity(path), path)) is not path:
                skipped.append(f"{path}: the same file as {first}; read once")
                continue
            files.append(path)
            continue
        for candidate in sorted(path.rglob("*.md")):
            inside = candidate.relative_to(path).as_posix()
            if any(fnmatch(inside, g) or fnmatch(candidate.name, g) for g in exclude):
                continue
            if (first := seen.setdefault(_identity(candidate), candidate)) is not candidate:
                if first != candidate:
                    skipped.append(f"{candidate}: the same file as {first}; read once")
                continue
            if not candidate.is_file():  # a folder named x.md, a dangling link, a FIFO
                skipped.append(f"{candidate}: skipped (not a regular file)")
            elif candidate.name.lower() in _SKIPPED_NAMES:
                skipped.append(f"{candidate}: skipped ({candidate.name} is not an agent)")
            elif not _has_frontmatter(candidate):
                skipped.append(f"{candidate}: skipped (no frontmatter)")
            else:
                files.append(candidate)
                searched.add(candidate)
    if not files:
        raise InputError(", ".join(map(str, paths)) or None, "no agent files to read")
    return Collected(tuple(files), tuple(skipped), frozenset(searched))


def _identity(path: Path) -> object:
    """The file path names: hard and symbolic links to one file are one file."""
    try:
        status = path.stat()
        return (status.st_dev, status.st_ino)
    except (OSError, RuntimeError):  # missing, dangling or a loop: load() reports it
        return path.absolute()


def _has_frontmatter(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(7).removeprefix(b"\xef\xbb\xbf").startswith(b"---")
    except OSError:
        return True  # let load() report the problem with the file


def load(path: str | Path) -> SourceFile:
    return loads(read_text(path), "<stdin>" if str(path) == STDIN else str(path))


def loads(text: str, path: str = "<string>") -> SourceFile:
    """Split and read frontmatter; pure, so tests and the library can load from strings."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise InputError(path, "has a NUL character; Markdown text has none")
    text, controls = _CONTROL.subn("", text)
    if not text.strip():
        raise InputError(path, "is empty")
    lines = text.split("\n")
    removed = (
        (f"removed {controls} control characters (terminal escapes are not text)",)
        if controls
        else ()
    )
    if not _FENCE.match(lines[0]):
        warning = "has no frontmatter; the agent is named after the file"
        return SourceFile(path, (), "none", text, 1, (warning, *removed))
    close = next((i for i in range(1, len(lines)) if _FENCE.match(lines[i])), None)
    if close is None:
        raise FrontmatterError(path, "frontmatter opened on line 1 is never closed with '---'")
    fm_text = "\n".join(lines[1:close])
    body = "\n".join(lines[close + 1 :])
    try:
        fields, mode, notes = _read_fields(fm_text, path)
    except RecursionError:  # '&x [*x]': a value that contains itself
        raise FrontmatterError(
            path, "frontmatter holds a YAML value that contains itself"
        ) from None
    warnings = ["frontmatter is not valid YAML; read leniently"] if mode == "lenient" else []
    warnings += (*notes, *removed)
    if not body.strip():
        warnings.append("has frontmatter but no body")
    return SourceFile(path, fields, mode, body, close + 2, tuple(warnings))


class _FieldMap(dict[str, object]):
    """Top-level fields, and the keys given more than once (the last value is kept)."""

    repeated: tuple[str, ...] = ()


class _Fields(yaml.constructor.SafeConstructor):
    """Top-level keys read as written: `1:` and `true:` are two fields (as values 1 == True),
    and a key given twice is noted, not silently overwritten."""

    def construct_document(self, node: yaml.Node) -> object:
        if not isinstance(node, yaml.MappingNode):
            return super().construct_document(node)
        self.flatten_mapping(node)
        repeated = []
        fields = _FieldMap()
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else None
            if key is None:
                raise yaml.constructor.ConstructorError(
                    None, None, "a field name must be plain text", key_node.start_mark
                )
            if key in fields and key not in repeated:
                repeated.append(key)
            fields[key] = self.construct_object(value_node, deep=True)
        fields.repeated = tuple(repeated)
        return fields


# libyaml's parser where PyYAML was built with it (its wheels are), else the Python one.
_FastLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FieldsLoader(_Fields, _FastLoader):  # type: ignore[valid-type,misc]
    """The everyday frontmatter reader."""


class _BoundedLoader(_Fields, yaml.SafeLoader):
    """The Python parser, which lets it refuse alias bombs and absurd nesting before building
    anything."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.aliases = 0
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_YAML_ALIASES:
                raise _Refused(f"frontmatter uses more than {MAX_YAML_ALIASES} YAML aliases")
        self.depth += 1
        if self.depth > MAX_YAML_DEPTH:
            raise _Refused(f"frontmatter is nested more than {MAX_YAML_DEPTH} levels deep")
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _Refused(Exception):
    """Frontmatter that would cost far more to read than any agent's does."""


def _read_fields(
    fm_text: str, path: str
) -> tuple[tuple[tuple[str, object], ...], FrontmatterMode, tuple[str, ...]]:
    """The fields, how they were read, and notes on fields given more than once."""
    mode: FrontmatterMode = "strict"
    # Aliases or deep flow nesting can be hostile: they are read with a budget.
    hostile = "&" in fm_text or "*" in fm_text or fm_text.count("[") + fm_text.count("{") > 20
    loader = _BoundedLoader if hostile else _FieldsLoader
    try:
        data: object = YAMLHandler().load(fm_text, Loader=loader) if fm_text.strip() else {}
    except _Refused as exc:
        raise FrontmatterError(path, str(exc)) from None
    except yaml.YAMLError as exc:
        lenient = _lenient_fields(fm_text, path, exc)
        mode, keys = "lenient", [key for key, _ in lenient]
        fields = dict(lenient)  # a key given twice: the last value, as in YAML
        repeated = tuple(key for key in fields if keys.count(key) > 1)
    else:
        if not isinstance(data, dict):
            kind = "list" if isinstance(data, list) else "single value"
            raise FrontmatterError(path, f"frontmatter is a YAML {kind}, not a mapping of fields")
        fields = {str(k): v for k, v in data.items()}
        repeated = data.repeated if isinstance(data, _FieldMap) else ()
    _check_tools(fields.get("tools"), path)
    notes = tuple(
        f"frontmatter field '{key}' is given more than once; the last value is used"
        for key in repeated
    )
    return tuple((k, _normalise(k, v)) for k, v in fields.items()), mode, notes


def _check_tools(tools: object, path: str) -> None:
    if tools is not None and not isinstance(tools, (str, list)):
        # Read as "all tools", a malformed list would widen what the agent may do.
        raise FrontmatterError(
            path, f"'tools' must be a comma-separated list of tool names, not {tools!r}"
        )


def _lenient_fields(fm_text: str, path: str, exc: yaml.YAMLError) -> tuple[tuple[str, object], ...]:
    fields: list[tuple[str, list[str]]] = []
    for number, line in enumerate(fm_text.split("\n"), start=2):
        match = _FIELD.match(line)
        if match and _starts_field(match.group(1), bool(fields)):
            fields.append((match.group(1), [match.group(2) or ""]))
        elif fields:
            fields[-1][1].append(line)
        elif line.strip() and not line.lstrip().startswith("#"):
            mark = getattr(exc, "problem_mark", None)
            where = f" (YAML error at line {mark.line + 2})" if mark else ""
            raise FrontmatterError(
                path, f"frontmatter line {number} is not 'key: value'{where}"
            ) from None
    return tuple((key, _lenient_value(key, parts)) for key, parts in fields)


def _starts_field(key: str, after_first: bool) -> bool:
    if key in _KNOWN_KEYS:
        return True
    # Unknown keys must look like Claude Code keys (lower-case initial), not prose or dialogue.
    return key[0].islower() and not (after_first and key.lower() in _DIALOGUE_WORDS)


def _lenient_value(key: str, parts: list[str]) -> object:
    raw = "\n".join(parts).strip()
    if "\n" not in raw and key != "description":
        try:
            parsed = yaml.safe_load(raw) if raw else None
        except yaml.YAMLError:
            parsed = raw
        if parsed is None or isinstance(parsed, (str, int, float, bool, list)):
            return parsed
        return raw
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        try:
            unquoted = yaml.safe_load(raw)
        except yaml.YAMLError:
            unquoted = raw[1:-1]
        raw = unquoted if isinstance(unquoted, str) else raw
    return raw.replace("\\n", "\n")


def _normalise(key: str, value: object) -> object:
    """Freeze lists as tuples; `tools` always becomes a tuple of tool specs, verbatim."""
    if key == "tools":
        if isinstance(value, str):
            return split_tools(value)
        if isinstance(value, list):
            return tuple(str(v).strip() for v in value if str(v).strip())
    if isinstance(value, list):
        return tuple(_normalise("", v) for v in value)
    return value


def split_tools(spec: str) -> tuple[str, ...]:
    """Split 'Read, Grep, Agent(a, b)' on commas outside parentheses."""
    tools: list[str] = []
    current: list[str] = []
    depth = 0
    for char in spec:
        depth += (char == "(") - (char == ")")
        if char == "," and depth <= 0:
            tools.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    tools.append("".join(current).strip())
    return tuple(t for t in tools if t)
