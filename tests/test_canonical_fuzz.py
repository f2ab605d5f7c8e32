"""build and check driven with generated configs and locks: every outcome is a result or a
one-line error (never exit 70), and nothing outside the project changes, nor a source."""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from compose.cli import app

runner = CliRunner()

AGENT = "---\nname: {name}\ndescription: {name} agent.\n---\n\n## Practices\n\n- {line}\n"
OUTPUTS = st.sampled_from(
    [
        "agents/out.md",
        "out.md",
        "agents/src/a.md",  # a source
        "../victim.md",  # outside
        "{outside}/victim.md",  # absolute, outside
        "agents",  # a directory
        "agents/out.md/",
        "missing/dir/out.md",
        "compose.lock",
        "compose.toml",
        "",
        " ",
    ]
)
SOURCES = st.sampled_from(
    ["agents/src/*.md", "agents/src/a.md", "../*.md", "{outside}/*.md", "*.nothing", "", "**"]
)
SCALARS = st.one_of(
    st.integers(-3, 50),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(max_size=8),
)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        # JSON's escapes are TOML's, but for characters outside the BMP (surrogate pairs).
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(map(toml_value, value)) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


@st.composite
def targets(draw: st.DrawFn, outside: str) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    # Mostly well-formed, so that builds run and write; now and then anything at all.
    odd = draw(st.integers(0, 3)) == 0
    if draw(st.integers(0, 19)):
        entry["name"] = draw(SCALARS if odd else st.sampled_from(["backend", "api", "x"]))
    if draw(st.integers(0, 19)):
        output = draw(OUTPUTS).format(outside=outside) if odd else "agents/out.md"
        entry["output"] = draw(SCALARS) if odd and draw(st.booleans()) else output
    if draw(st.integers(0, 19)):
        patterns = st.lists(SOURCES.map(lambda s: s.format(outside=outside)), max_size=3)
        entry["sources"] = draw(st.one_of(patterns, SCALARS)) if odd else ["agents/src/*.md"]
    for key in ("model", "threshold", "provenance", "examples", "same", "separate", "drop"):
        if draw(st.integers(0, 12)) == 0:
            entry[key] = draw(
                st.one_of(
                    SCALARS,
                    st.lists(st.lists(st.text(max_size=6), max_size=3), max_size=2),
                    st.lists(st.dictionaries(st.sampled_from(["bullet", "reason"]), SCALARS)),
                    st.sampled_from(["all", "opus", 0.5]),
                )
            )
    return entry


@st.composite
def configs(draw: st.DrawFn, outside: str) -> str:
    if draw(st.integers(0, 19)) == 0:
        return draw(st.text(max_size=40))  # not TOML at all
    lines = []
    if draw(st.integers(0, 3)) == 0:
        allow = draw(st.one_of(st.booleans(), st.booleans(), SCALARS))
        lines.append(f"allow_outside = {toml_value(allow)}")
    for entry in draw(st.lists(targets(outside), min_size=1, max_size=3)):
        lines.append("[[agent]]")
        lines += [f"{json.dumps(k)} = {toml_value(v)}" for k, v in entry.items()]
    return "\n".join(lines) + "\n"


LOCKS = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.just('{"agents": []}'),
    st.just('{"agents": {"backend": {"output": "agents/out.md", "hash": "0"}}}'),
    st.dictionaries(st.text(max_size=5), SCALARS, max_size=3).map(json.dumps),
)


def snapshot(root: Path, skip: Path) -> dict[str, bytes]:
    return {
        str(p): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and skip not in p.parents
    }


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), LOCKS, st.booleans(), st.booleans())
def test_build_and_check_never_crash_nor_touch_what_is_not_theirs(
    data: st.DataObject, lock: str | None, force: bool, foreign: bool
) -> None:
    with tempfile.TemporaryDirectory() as sandbox:
        root = Path(sandbox)
        outside, project = root / "outside", root / "project"
        (project / "agents" / "src").mkdir(parents=True)
        outside.mkdir()
        (root / "victim.md").write_text("not compose's\n")
        (outside / "victim.md").write_text("not compose's either\n")
        (project / "agents" / "src" / "a.md").write_text(
            AGENT.format(name="backend-a", line="Use Redis for caching hot reads")
        )
        (project / "agents" / "src" / "b.md").write_text(
            AGENT.format(name="backend-b", line="Cache hot reads in Redis")
        )
        hand_written = project / "agents" / "out.md"
        if foreign:  # an output compose did not write: no lock entry says it did
            hand_written.write_text("written by hand\n")
        config = data.draw(configs(str(outside)))
        (project / "compose.toml").write_text(config)
        if lock is not None:
            (project / "compose.lock").write_text(lock)
        allowed_outside = "allow_outside = true" in config
        before = snapshot(root, project)
        sources = snapshot(project / "agents" / "src", project / "none")
        config_path = str(project / "compose.toml")
        for args in (["build", "-c", config_path], ["check", "-c", config_path]):
            if force and args[0] == "build":
                args.append("--force")
            result = runner.invoke(app, args)
            assert result.exit_code in (0, 1, 2, 3), (args, config, result.stderr)
            assert "Traceback" not in result.stderr and "internal error" not in result.stderr
            event(f"{args[0]} exit {result.exit_code}")
        after = snapshot(root, project)
        if not allowed_outside:
            assert after == before, config
        else:  # outside files compose did not write are kept unless forced
            assert force or all(after.get(path) == data for path, data in before.items()), config
        assert snapshot(project / "agents" / "src", project / "none") == sources or force
        if foreign and not force:
            assert hand_written.read_text() == "written by hand\n"
