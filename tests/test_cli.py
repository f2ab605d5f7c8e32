"""The command line: every user-caused failure is one line, a non-zero exit, no traceback, and
no existing output is overwritten or half-written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from compose.cli import app
from compose.consolidate import Composed
from tests.conftest import CORPUS, FIXTURES, ROOT, SEEDS, needs_corpus

SEEDS_GOLD = ROOT / "tests" / "data" / "seeds.gold.json"

runner = CliRunner()
SEED_ARGS = [str(p) for p in SEEDS]


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def one_line_error(stderr: str, *fragments: str) -> None:
    errors = [line for line in stderr.splitlines() if line.startswith("compose: error:")]
    assert len(errors) == 1, stderr
    assert "Traceback" not in stderr
    for fragment in fragments:
        assert fragment in errors[0], (fragment, errors[0])


@pytest.fixture()
def bad(tmp_path: Path) -> Path:
    cases = {
        "empty.md": b"",
        "binary.md": b"\x00\x01\x02\x03",
        "latin1.md": "---\nname: caf\xe9\n---\n- x\n".encode("latin-1"),
        "unclosed.md": b"---\nname: x\n- y\n",
        "list.md": b"---\n- a\n- b\n---\n- x\n",
        "scalar.md": b"---\njust a string\n---\n- x\n",
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "big.md").write_bytes(b"---\nname: big\n---\n" + b"- x\n" * 1_200_000)
    (tmp_path / "loop-a").symlink_to(tmp_path / "loop-b")
    (tmp_path / "loop-b").symlink_to(tmp_path / "loop-a")
    return tmp_path


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("missing.md", "no such file"),
        ("empty.md", "is empty"),
        ("binary.md", "binary file"),
        ("latin1.md", "not UTF-8"),
        ("unclosed.md", "never closed"),
        ("list.md", "YAML list"),
        ("scalar.md", "YAML single value"),
        ("big.md", "over 4 MiB"),
        ("loop-a", "symbolic links"),
    ],
)
@pytest.mark.parametrize("command", ["parse", "merge", "report", "diff"])
def test_bad_inputs_fail_with_one_line_naming_the_file(
    bad: Path, name: str, fragment: str, command: str
) -> None:
    path = str(bad / name)
    args = [command, path] if command != "diff" else [command, str(SEEDS[0]), path]
    code, _, stderr = invoke(*args)
    assert code == 2
    one_line_error(stderr, path, fragment)


def test_a_directory_where_a_file_is_expected(tmp_path: Path) -> None:
    code, _, stderr = invoke("parse", str(tmp_path))
    assert code == 2
    one_line_error(stderr, "is a directory")


def test_no_inputs() -> None:
    for command in ("merge", "report"):
        code, _, stderr = invoke(command)
        assert code == 2
        one_line_error(stderr, "no input files")


def test_bom_crlf_and_only_frontmatter_work(tmp_path: Path) -> None:
    crlf = tmp_path / "crlf.md"
    crlf.write_bytes(b"\xef\xbb\xbf---\r\nname: crlf\r\n---\r\n- Use Redis\r\n")
    only = tmp_path / "only.md"
    only.write_text("---\nname: only\n---\n")
    code, stdout, stderr = invoke("merge", str(crlf), str(only))
    assert code == 0 and "- Use Redis" in stdout
    assert "has frontmatter but no body" in stderr


def test_merge_writes_atomically_and_reports_a_summary(tmp_path: Path) -> None:
    out = tmp_path / "backend.md"
    code, stdout, stderr = invoke("merge", *SEED_ARGS, "-o", str(out))
    assert code == 0 and stdout == ""
    assert "271 bullets in" in stderr and "clusters merged" in stderr
    # The count covers every warning printed: five lenient frontmatters and four merge ones.
    printed = stderr.count("compose: warning:")
    assert printed == 9 and f", {printed} warnings" in stderr
    assert out.read_text().startswith("---\nname: backend\n")
    assert [p.name for p in tmp_path.iterdir()] == ["backend.md"]  # no temp file left


def test_output_equal_to_an_input_is_refused_unless_forced(tmp_path: Path) -> None:
    target = tmp_path / "a.md"
    target.write_text(SEEDS[0].read_text())
    before = target.read_text()
    code, _, stderr = invoke("merge", str(target), str(SEEDS[1]), "-o", str(target))
    assert code == 2 and target.read_text() == before
    one_line_error(stderr, "is also an input", "--force")
    code, _, _ = invoke("merge", str(target), str(SEEDS[1]), "-o", str(target), "--force")
    assert code == 0 and target.read_text() != before


def test_output_into_a_missing_directory(tmp_path: Path) -> None:
    code, _, stderr = invoke("merge", *SEED_ARGS, "-o", str(tmp_path / "nope" / "x.md"))
    assert code == 2
    one_line_error(stderr, "does not exist")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into read-only directories")
def test_output_into_a_read_only_directory(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    code, _, stderr = invoke("merge", *SEED_ARGS, "-o", str(locked / "x.md"))
    assert code == 2
    one_line_error(stderr, "not writable")


def test_safety_net_failure_keeps_the_existing_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "backend.md"
    out.write_text("previous version\n")
    monkeypatch.setattr("compose.consolidate.missing_details", lambda text, others, unneeded: [])
    monkeypatch.setattr(
        "compose.consolidate.complete", lambda text, others, unneeded: Composed(text)
    )
    code, _, stderr = invoke("merge", *SEED_ARGS, "-o", str(out))
    assert code == 3 and out.read_text() == "previous version\n"
    one_line_error(stderr, "loses content", "terms missing")


def test_interrupt_exits_130_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("compose.report.build_report", interrupted)
    out = tmp_path / "report.json"
    code, _, stderr = invoke("report", str(FIXTURES), "--format", "json", "-o", str(out))
    assert code == 130 and not out.exists()
    assert "interrupted" in stderr and "Traceback" not in stderr


def test_internal_errors_are_one_line_too(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("boom")

    monkeypatch.setattr("compose.report.build_report", broken)
    code, _, stderr = invoke("report", str(FIXTURES))
    assert code == 70 and "internal error: ValueError: boom" in stderr
    assert "Traceback" not in stderr


def test_report_formats_and_diff_exit_codes(tmp_path: Path) -> None:
    code, stdout, _ = invoke("report", str(FIXTURES), "--format", "json")
    assert code == 0 and json.loads(stdout)["version"] == 1
    html = tmp_path / "r.html"
    assert invoke("report", str(FIXTURES), "--format", "html", "-o", str(html))[0] == 0
    assert html.read_text().startswith("<!DOCTYPE html>")
    assert invoke("diff", str(SEEDS[0]), str(SEEDS[0]))[0] == 0
    assert invoke("diff", str(SEEDS[0]), str(SEEDS[1]))[0] == 1


def test_lexical_switches_the_embedding_off_and_says_so(tmp_path: Path) -> None:
    code, stdout, _ = invoke("report", str(FIXTURES), "--format", "json", "--lexical")
    assert code == 0 and json.loads(stdout)["similarity"] == "lexical"
    code, stdout, _ = invoke("evaluate", str(SEEDS_GOLD), "--lexical")
    assert code == 0 and "P=0.894 R=0.765" in stdout
    try_file = tmp_path / "try.toml"
    try_file.write_text("semantic_weight = 0\n", encoding="utf-8")
    code, stdout, _ = invoke("evaluate", str(SEEDS_GOLD), "--tuning", str(try_file))
    assert code == 0 and "P=0.894 R=0.765" in stdout  # no weight: the words decide alone


def test_parse_shows_every_bullet_with_a_topic() -> None:
    code, stdout, _ = invoke("parse", str(SEEDS[4]))
    assert code == 0
    assert "Red Flags to Avoid  [anti-patterns]  line 140" in stdout
    assert stdout.rstrip().endswith("13 sections, 104 bullets")
    code, stdout, _ = invoke("parse", str(SEEDS[4]), "--format", "json")
    data = json.loads(stdout)
    assert sum(len(s["bullets"]) for s in data["sections"]) == 104


def test_the_command_flushes_its_output_and_exits_with_the_commands_code(
    tmp_path: Path,
) -> None:
    # main() ends with os._exit, which skips the interpreter's own flush: stdout must be whole.
    command = [sys.executable, "-m", "compose"]
    report = subprocess.run(
        [*command, "report", *SEED_ARGS, "--format", "json"], capture_output=True, text=True
    )
    assert report.returncode == 0
    assert len(json.loads(report.stdout)["clusters"]) > 100
    failed = subprocess.run(
        [*command, "merge", str(tmp_path / "missing.md"), "-o", str(tmp_path / "out.md")],
        capture_output=True,
        text=True,
    )
    assert failed.returncode == 2
    one_line_error(failed.stderr, "missing.md", "no such file")


def test_examples_option_keeps_all_or_refuses_a_word() -> None:
    code, stdout, _ = invoke("merge", *SEED_ARGS, "--examples", "all")
    assert code == 0 and stdout.count("<example>") == 17
    code, _, stderr = invoke("merge", *SEED_ARGS, "--examples", "some")
    assert code == 2 and "--examples some" in stderr


def test_version_short_help_and_quiet() -> None:
    from compose import __version__

    code, out, _ = invoke("--version")
    assert code == 0 and out.strip() == f"compose {__version__}"
    code, out, _ = invoke("-h")
    assert code == 0 and "--quiet" in out
    code, out, err = invoke("-q", "merge", *SEED_ARGS, "-o", "-")
    assert code == 0 and out.startswith("---\nname: backend\n") and err == ""
    code, _, err = invoke("merge", *SEED_ARGS, "-o", "-")
    assert "compose: warning:" in err and "bullets in" in err
    code, _, err = invoke("-q", "merge", "missing.md")
    assert code == 2 and err.startswith("compose: error:")  # errors still print


def test_report_colour_follows_no_color_and_force_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    _, plain, _ = invoke("report", *SEED_ARGS)
    assert "\x1b[" not in plain and "+---" in plain and "\u2501" not in plain  # ASCII when piped
    monkeypatch.setenv("FORCE_COLOR", "1")
    _, forced, _ = invoke("report", *SEED_ARGS)
    assert "\x1b[" in forced
    monkeypatch.setenv("NO_COLOR", "1")
    _, none, _ = invoke("report", *SEED_ARGS)
    assert "\x1b[" not in none


def test_merge_check_and_diff_write_nothing(tmp_path: Path) -> None:
    out = tmp_path / "backend.md"
    assert invoke("merge", *SEED_ARGS, "-o", str(out))[0] == 0
    code, _, err = invoke("merge", *SEED_ARGS, "-o", str(out), "--check")
    assert code == 0 and "is unchanged" in err
    out.write_text(out.read_text() + "- edited by hand\n")
    before = out.read_text()
    code, _, err = invoke("merge", *SEED_ARGS, "-o", str(out), "--check")
    assert code == 1 and "would change" in err and out.read_text() == before
    code, shown, _ = invoke("merge", *SEED_ARGS, "-o", str(out), "--diff")
    assert code == 1 and "-- edited by hand" in shown and out.read_text() == before
    code, _, err = invoke("merge", *SEED_ARGS, "--check")
    assert code == 2 and "name a file" in err


def test_dash_reads_standard_input() -> None:
    text = (FIXTURES / "backend-master.md").read_text()
    result = runner.invoke(app, ["parse", "-"], input=text)
    assert result.exit_code == 0 and "backend-master  (<stdin>" in result.stdout
    result = runner.invoke(app, ["merge", "-", "-o", "-"], input=text)
    assert result.exit_code == 0 and result.stdout.startswith("---\nname: backend-master\n")
    result = runner.invoke(app, ["diff", "-", str(FIXTURES / "backend-master.md")], input=text)
    assert result.exit_code == 0
    result = runner.invoke(app, ["parse", "-"], input="\x00\x01binary")
    assert result.exit_code == 2 and "<stdin>: is a binary file" in result.stderr


def test_no_paths_reads_the_projects_agents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = invoke("report")
    assert code == 2 and "no input files given, and no .claude/agents/ here" in err
    agents = tmp_path / ".claude" / "agents"
    agents.mkdir(parents=True)
    for seed in SEEDS[:2]:
        (agents / seed.name).write_text(seed.read_text())
    code, out, err = invoke("report")
    assert code == 0 and "compose: reading .claude/agents/" in err and "backend-architect" in out


@needs_corpus
def test_merging_unrelated_agents_is_refused_unless_forced() -> None:
    collection = str(CORPUS / "0xfurai+claude-code-subagents")
    code, out, err = invoke("merge", collection, "-o", "-")
    assert code == 2 and out == "" and "pass --force to merge anyway" in err
    code, out, _ = invoke("merge", collection, "-o", "-", "--force")
    assert code == 0 and out.startswith("---\n")


def test_init_writes_a_starter_config_that_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    agents = tmp_path / ".claude" / "agents"
    agents.mkdir(parents=True)
    for seed in SEEDS:
        (agents / seed.name).write_text(seed.read_text())
    (agents / "solo.md").write_text("---\nname: solo-agent\n---\n- Use Redis\n")
    assert invoke("init")[0] == 0
    config = (tmp_path / "compose.toml").read_text()
    assert 'name = "backend"' in config and 'output = "agents/backend.md"' in config
    assert '".claude/agents/backend-master.md"' in config and "# No family: solo-agent" in config
    assert invoke("build")[0] == 0 and (tmp_path / "agents" / "backend.md").is_file()
    code, _, err = invoke("init")
    assert code == 2 and "compose.toml: exists; pass --force" in err


def _stderr_on_a_terminal(*args: str) -> str:
    """compose's stderr when it is a terminal (a pty), escape sequences removed."""
    import pty
    import re

    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "compose", *args],
        stdout=subprocess.DEVNULL,
        stderr=follower,
        cwd=ROOT,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: compose ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait()
    os.close(leader)
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", b"".join(chunks).decode(errors="replace"))


STAGES = ("reading agents", "analysing bullets", "scoring pairs", "linking clusters")


def test_long_work_shows_each_stage_on_a_terminal() -> None:
    shown = _stderr_on_a_terminal("report", *SEED_ARGS, "--format", "json")
    assert all(stage in shown for stage in (*STAGES, "building the report")), shown
    shown = _stderr_on_a_terminal("merge", *SEED_ARGS, "-o", "-")
    assert all(stage in shown for stage in (*STAGES, "composing the merged agent")), shown


def test_piped_or_quiet_shows_no_progress() -> None:
    piped = subprocess.run(
        [sys.executable, "-m", "compose", "report", *SEED_ARGS, "--format", "json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert all(line.startswith("compose: warning: ") for line in piped.stderr.splitlines())
    assert not any(stage in _stderr_on_a_terminal("-q", "report", *SEED_ARGS) for stage in STAGES)


def test_verbose_says_how_long_each_stage_took() -> None:
    code, _, stderr = invoke("-v", "report", *SEED_ARGS, "--format", "json")
    assert code == 0
    timed = [line for line in stderr.splitlines() if line.endswith(" s")]
    assert [line.split(":")[1].strip() for line in timed] == [*STAGES, "building the report"]
    code, _, stderr = invoke("-q", "-v", "report", *SEED_ARGS)
    assert code == 2 and "-q and -v" in stderr


def test_shell_completion_completes_commands_and_choices() -> None:
    def complete(words: str, index: int) -> list[str]:
        environment = {
            **os.environ,
            "_COMPOSE_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(index),
        }
        done = subprocess.run(
            [sys.executable, "-m", "compose"],
            env=environment,
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=True,
        )
        return done.stdout.split()

    assert complete("compose mer", 1) == ["merge"]
    assert complete("compose report --format ", 3) == ["text", "md", "json", "html"]
    assert "--install-completion" in invoke("--help")[1]


def test_diff_is_coloured_on_request_and_plain_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    old, new = str(SEEDS[0]), str(SEEDS[1])
    monkeypatch.setenv("FORCE_COLOR", "1")
    _, coloured, _ = invoke("diff", old, new)
    assert "\x1b[32m+ added" in coloured and "\x1b[31m[-" in coloured
    monkeypatch.setenv("NO_COLOR", "1")
    _, plain, _ = invoke("diff", old, new)
    assert "\x1b[" not in plain and "+ added" in plain


def test_flags_have_no_negative_twins_in_help() -> None:
    for command in ("merge", "report", "diff", "init", "build", "check", "parse", "evaluate"):
        _, help_text, _ = invoke(command, "-h")
        assert "--no-" not in help_text, command
