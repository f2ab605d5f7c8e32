from __future__ import annotations

import contextlib
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compose.errors import ComposeError, FrontmatterError, InputError
from compose.load import load, loads, split_tools
from compose.parse import Agent
from tests.conftest import FIXTURES, corpus_files

EXPECTED = {
    "backend-architect": {"model": "opus", "tools": None, "color": None},
    "backend-developer": {"model": "sonnet", "tools": None, "color": "red"},
    "backend-engineer": {
        "model": "inherit",
        "tools": (
            "Glob",
            "Grep",
            "Read",
            "WebFetch",
            "TodoWrite",
            "WebSearch",
            "Task",
            "Agent",
            "Bash",
        ),
        "color": "green",
    },
    "backend-master": {"model": None, "tools": None, "color": None},
    "backend-specialist": {"model": "opus", "tools": None, "color": None},
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_seed_needs_the_lenient_reader_and_keeps_exact_fields(name: str) -> None:
    source = load(FIXTURES / f"{name}.md")
    assert source.frontmatter_mode == "lenient"
    assert source.name == name
    assert source.field("name") == name
    assert source.field("model") == EXPECTED[name]["model"]
    assert source.tools == EXPECTED[name]["tools"]
    assert source.field("color") == EXPECTED[name]["color"]
    description = source.field("description")
    assert isinstance(description, str)
    assert description.startswith("Use this agent when you need")
    assert "<example>" in description and description.rstrip().endswith("</example>")
    assert "\\n" not in description  # literal escapes became real newlines
    assert source.body.lstrip().startswith("You are")


def test_multiline_description_keeps_column_zero_examples_line() -> None:
    description = load(FIXTURES / "backend-engineer.md").field("description")
    assert isinstance(description, str)
    assert "\n\nExamples:\n- <example>\n  Context: The user wants" in description
    assert description.count("<example>") == 4


def test_escaped_newlines_are_decoded() -> None:
    description = load(FIXTURES / "backend-specialist.md").field("description")
    assert isinstance(description, str)
    assert "Examples:\n\n<example>\nContext: User is building" in description


def test_body_line_points_after_the_closing_fence() -> None:
    source = load(FIXTURES / "backend-engineer.md")
    lines = (FIXTURES / "backend-engineer.md").read_text().split("\n")
    assert lines[source.body_line - 2] == "---"


def test_strict_yaml_path_and_tool_lists() -> None:
    text = "---\nname: a\ntools:\n  - Read\n  - Agent(x, y)\nextra: {k: 1}\n---\n- one\n"
    source = loads(text)
    assert source.frontmatter_mode == "strict"
    assert source.tools == ("Read", "Agent(x, y)")
    assert [k for k, _ in source.frontmatter] == ["name", "tools", "extra"]
    assert source.field("extra") == {"k": 1}


def test_tool_string_splits_outside_parentheses() -> None:
    assert split_tools("Read, Task(a, b), Bash") == ("Read", "Task(a, b)", "Bash")


def test_bom_and_crlf_are_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"\xef\xbb\xbf---\r\nname: crlf\r\n---\r\n- item\r\n")
    source = load(path)
    assert source.name == "crlf" and source.body == "- item\n"


def test_no_frontmatter_names_agent_after_file(tmp_path: Path) -> None:
    path = tmp_path / "plain-agent.md"
    path.write_text("- just a bullet\n")
    source = load(path)
    assert source.frontmatter_mode == "none" and source.name == "plain-agent"
    assert "no frontmatter" in source.warnings[0]


@pytest.mark.parametrize(
    ("content", "error", "fragment"),
    [
        (b"", InputError, "is empty"),
        (b"  \n\n", InputError, "is empty"),
        (b"\x00\x01\x02", InputError, "binary"),
        (b"caf\xe9\n", InputError, "not UTF-8"),
        (b"---\nname: x\n", FrontmatterError, "never closed"),
        (b"---\n- a\n- b\n---\nbody\n", FrontmatterError, "YAML list"),
        (b"---\njust words\n---\nbody\n", FrontmatterError, "YAML single value"),
        (b"---\n  bad: [\n---\nbody\n", FrontmatterError, "not 'key: value'"),
    ],
)
def test_bad_files_raise_one_line_errors_naming_the_file(
    tmp_path: Path, content: bytes, error: type[Exception], fragment: str
) -> None:
    path = tmp_path / "bad.md"
    path.write_bytes(content)
    with pytest.raises(error) as info:
        load(path)
    assert fragment in str(info.value) and str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load(tmp_path / "missing.md")
    with pytest.raises(InputError, match="is a directory"):
        load(tmp_path)


def test_every_corpus_file_loads(corpus_agents: tuple[Agent, ...]) -> None:
    # All but the four slash commands of one collection's catalog tool ($ARGUMENTS).
    commands = [p for p in corpus_files() if "$ARGUMENTS" in p.read_text(encoding="utf-8")]
    assert len(commands) == 4
    assert len(corpus_agents) == len(corpus_files()) - 4 > 300
    modes = {a.source.frontmatter_mode for a in corpus_agents}
    assert modes == {"strict", "lenient"}


@given(st.text())
def test_arbitrary_text_raises_only_compose_errors(text: str) -> None:
    with contextlib.suppress(ComposeError):
        loads(text)


@given(st.text(alphabet=st.sampled_from(list("-:\n ab#'\"[]{}<>\\")), max_size=80))
def test_frontmatter_shaped_noise_raises_only_compose_errors(noise: str) -> None:
    with contextlib.suppress(ComposeError):
        loads("---\n" + noise + "\n---\nbody\n")


BOMB = (
    "---\nname: x\na: &a [1,1,1,1,1,1,1,1,1]\n"
    + "".join(
        f"{k}: &{k} [{', '.join([f'*{p}'] * 9)}]\n"
        for p, k in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + "---\n- x\n"
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (BOMB, "more than 50 YAML aliases"),
        ("---\nname: x\ny: " + "[" * 600 + "]" * 600 + "\n---\n- x\n", "nested more than"),
        ("---\nname: x\nx: &x [*x]\n---\n- a\n", "contains itself"),
        ("---\nname: x\n---\n" + "- padding line\n" * 1000 + "- a\x00b\n", "NUL"),
    ],
)
def test_hostile_frontmatter_is_refused_quickly(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        loads(text, "hostile.md")


def test_a_nul_byte_anywhere_in_a_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "late-nul.md"
    path.write_bytes(b"---\nname: x\n---\n" + b"- padding line\n" * 1000 + b"- a\x00b\n")
    with pytest.raises(InputError, match="NUL byte at offset"):
        load(path)


def test_terminal_escapes_are_removed_with_a_warning() -> None:
    source = loads("---\nname: \x1b]0;title\x07evil\x1b[2J\n---\n- a \x1b[31mred\x9b\n", "e.md")
    assert "\x1b" not in source.name and "\x07" not in source.name
    assert source.body == "- a [31mred\n"
    assert any("control characters" in w for w in source.warnings)


@pytest.mark.parametrize("tools", ["{Read: true}", "42", "true"])
def test_a_malformed_tools_field_is_an_error_not_all_tools(tools: str) -> None:
    with pytest.raises(FrontmatterError, match="'tools' must be a comma-separated list"):
        loads(f"---\nname: x\ntools: {tools}\n---\n- a\n", "tools.md")


@pytest.mark.parametrize("tools", ["42", "true", "1.5"])
def test_a_malformed_tools_field_in_lenient_frontmatter_is_an_error_too(tools: str) -> None:
    # The description's unquoted colon makes this frontmatter invalid YAML: read leniently.
    text = f"---\nname: x\ndescription: Use it: always\ntools: {tools}\n---\n- a\n"
    with pytest.raises(FrontmatterError, match="'tools' must be a comma-separated list"):
        loads(text, "tools.md")


def test_keys_are_read_as_written_and_a_repeated_key_is_noted() -> None:
    source = loads("---\nname: x\n1: one\ntrue: yes\nname: y\n---\n- a\n", "keys.md")
    assert dict(source.frontmatter)["1"] == "one"
    assert dict(source.frontmatter)["true"] is True
    assert source.name == "y"
    assert source.warnings == (
        "frontmatter field 'name' is given more than once; the last value is used",
    )


def test_a_slash_command_in_a_folder_is_skipped_but_read_when_named(tmp_path: Path) -> None:
    from compose.api import load_agents

    (tmp_path / "agent.md").write_text("---\nname: agent\n---\n- Use Redis\n")
    command = tmp_path / "search.md"
    command.write_text("---\nname: search\n---\nSearch the catalog for $ARGUMENTS.\n")
    loaded = load_agents([tmp_path])
    assert [a.name for a in loaded.agents] == ["agent"]
    assert any("search.md: skipped (a slash command" in n for n in loaded.notes)
    assert [a.name for a in load_agents([command]).agents] == ["search"]


def test_exclude_skips_matching_files_of_a_searched_folder(tmp_path: Path) -> None:
    from compose.load import collect

    (tmp_path / "drafts").mkdir()
    for name in ("a.md", "drafts/b.md", "c-old.md"):
        (tmp_path / name).write_text("---\nname: x\n---\n- y\n")
    found = collect([tmp_path], ["drafts/*", "*-old.md"]).files
    assert [p.name for p in found] == ["a.md"]


def _git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git to read a revision")
def test_a_file_as_a_git_revision_holds_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    agent = tmp_path / "a.md"
    agent.write_text("---\nname: a\n---\n- Old practice\n")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "add", "a.md")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "a")
    agent.write_text("---\nname: a\n---\n- New practice\n")
    monkeypatch.chdir(tmp_path)
    assert "Old practice" in load("HEAD:a.md").body
    assert "New practice" in load("a.md").body
    with pytest.raises(InputError, match=r"HEAD:b\.md: no such file, nor a revision git can show"):
        load("HEAD:b.md")
