"""Canonical maintenance in a temporary project with the five seeds as sources."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from compose.canonical import build, check, find_config, read_config
from compose.errors import ConfigError, OutputError
from compose.load import load
from compose.parse import parse
from tests.conftest import SEEDS

CONFIG = """
[[agent]]
name = "backend"
output = "agents/backend.md"
sources = ["agents/src/backend-*.md"]
{extra}
"""


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "agents" / "src").mkdir(parents=True)
    for seed in SEEDS:
        shutil.copy(seed, tmp_path / "agents" / "src" / seed.name)
    (tmp_path / "compose.toml").write_text(CONFIG.format(extra=""))
    return tmp_path


def output(project: Path) -> str:
    return (project / "agents" / "backend.md").read_text()


def test_build_then_check_passes_and_a_second_build_changes_nothing(project: Path) -> None:
    config = read_config(find_config(project / "agents"))
    build(config)
    first, lock = output(project), (project / "compose.lock").read_text()
    assert [r.stale for r in check(config)] == [False]
    build(config)
    assert output(project) == first and (project / "compose.lock").read_text() == lock
    assert '"output_hash": "sha256:' in lock and '"agents/src/backend-master.md"' in lock


def test_touching_a_source_bullet_fails_check_naming_it(project: Path) -> None:
    config = read_config(project / "compose.toml")
    build(config)
    before = output(project).splitlines()
    source = project / "agents" / "src" / "backend-specialist.md"
    source.write_text(
        source.read_text().replace("Use materialized views", "Use materialised views")
    )
    (result,) = check(config)
    assert result.stale and result.changed_sources == ("agents/src/backend-specialist.md",)
    assert any("materialised views" in line for line in result.lines_added)
    assert any("materialized views" in line for line in result.lines_removed)
    build(config)
    assert not check(config)[0].stale
    after = output(project).splitlines()
    assert len([line for line in after if line not in before]) == 1  # one line of output


def test_same_and_separate_decisions_change_the_output_and_survive_rebuilds(project: Path) -> None:
    specialist = parse(load(project / "agents" / "src" / "backend-specialist.md"))
    by_text = {b.text: b.id for b in specialist.bullets}
    cors = by_text["Implement CORS policies appropriately"]
    headers = "backend-specialist: Add security headers (CSP, HSTS, X-Frame-Options)"
    (project / "compose.toml").write_text(CONFIG.format(extra=f'same = [["{cors}", "{headers}"]]'))
    config = read_config(project / "compose.toml")
    build(config)
    text = output(project)
    assert "- Implement CORS policies appropriately\n" not in text
    build(config)
    assert output(project) == text and not check(config)[0].stale


def test_drop_decision_leaves_a_bullet_out(project: Path) -> None:
    bullet = "backend-specialist: Use materialized views for complex aggregations"
    extra = f'drop = [{{bullet = "{bullet}", reason = "not ours"}}]'
    (project / "compose.toml").write_text(CONFIG.format(extra=extra))
    config = read_config(project / "compose.toml")
    build(config)
    assert "materialized views" not in output(project)
    assert '"reason": "not ours"' in (project / "compose.lock").read_text()


def test_hand_edit_is_detected_and_not_overwritten(project: Path) -> None:
    config = read_config(project / "compose.toml")
    build(config)
    path = project / "agents" / "backend.md"
    path.write_text(path.read_text() + "- A rule someone added by hand\n")
    (result,) = check(config)
    assert result.stale and result.hand_edited
    assert result.lines_removed == ("- A rule someone added by hand",)
    with pytest.raises(OutputError, match="edited by hand"):
        build(config)
    assert "A rule someone added by hand" in path.read_text()
    build(config, force=True)
    assert "A rule someone added by hand" not in path.read_text()


def test_a_refusal_names_the_hand_edits_not_the_source_changes(project: Path) -> None:
    config = read_config(project / "compose.toml")
    build(config)
    path = project / "agents" / "backend.md"
    text = path.read_text()
    path.write_text(text.replace("- Use materialized views", "- Use MATERIALIZED views", 1))
    source = project / "agents" / "src" / "backend-master.md"
    source.write_text(source.read_text() + "\n- Keep a runbook for every alert\n")
    with pytest.raises(OutputError) as refused:
        build(config)
    message = str(refused.value)
    assert "2 changed lines: + - Use MATERIALIZED views" in message
    assert "1 line removed" in message and "runbook" not in message


def test_lock_is_byte_stable_across_source_order(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    config = read_config(project / "compose.toml")
    build(config)
    lock = (project / "compose.lock").read_text()
    reordered = tmp_path_factory.mktemp("reordered")
    shutil.copytree(project / "agents" / "src", reordered / "agents" / "src")
    (reordered / "compose.toml").write_text(
        CONFIG.format(extra="").replace(
            '["agents/src/backend-*.md"]', '["agents/src/backend-s*.md", "agents/src/backend-*.md"]'
        )
    )
    build(read_config(reordered / "compose.toml"))
    assert (reordered / "compose.lock").read_text() == lock


def test_config_errors_are_one_line(project: Path) -> None:
    (project / "compose.toml").write_text("[[agent]]\nname = 'x'\noutput = 'y.md'\nsourcez = []\n")
    with pytest.raises(ConfigError, match="unknown key sourcez"):
        read_config(project / "compose.toml")
    (project / "compose.toml").write_text(CONFIG.format(extra='same = [["nope", "b0"]]'))
    with pytest.raises(ConfigError, match="decision names no bullet: 'nope'"):
        build(read_config(project / "compose.toml"))


def test_pyproject_tool_section_is_found(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.compose]\nagent = [{name = "a", output = "a.md", sources = ["src/*.md"]}]\n'
    )
    assert find_config(tmp_path).name == "pyproject.toml"
    assert read_config(tmp_path / "pyproject.toml").targets[0].name == "a"


@pytest.mark.parametrize("output", ["../../victim.txt", "/tmp/compose-victim.txt"])
def test_outputs_outside_the_project_are_refused(project: Path, output: str) -> None:
    (project / "compose.toml").write_text(
        CONFIG.format(extra="").replace("agents/backend.md", output)
    )
    with pytest.raises(ConfigError, match="outside"):
        read_config(project / "compose.toml")
    allowed = "allow_outside = true\n" + CONFIG.format(extra="").replace(
        "agents/backend.md", "../out.md"
    )
    (project / "compose.toml").write_text(allowed)
    assert read_config(project / "compose.toml").targets[0].output.name == "out.md"


def test_an_existing_output_compose_did_not_write_is_kept(project: Path) -> None:
    path = project / "agents" / "backend.md"
    path.write_text("my own notes\n")
    config = read_config(project / "compose.toml")
    with pytest.raises(OutputError, match="no entry saying compose wrote it"):
        build(config)
    assert path.read_text() == "my own notes\n"
    build(config, force=True)
    build(config)  # now it is compose's own: rebuilding is fine
    (project / "compose.lock").unlink()  # a lost lock: the output is still what build writes
    build(config)
    path.write_text(path.read_text() + "- a hand edit\n")
    (project / "compose.lock").unlink()
    with pytest.raises(OutputError, match="no entry"):
        build(config)
    assert path.read_text().endswith("- a hand edit\n")


def test_an_output_that_is_another_targets_source_is_refused(project: Path) -> None:
    (project / "compose.toml").write_text(
        CONFIG.format(extra="")
        + '\n[[agent]]\nname = "other"\noutput = "agents/src/backend-master.md"\n'
        + 'sources = ["agents/src/backend-architect.md"]\n'
    )
    before = (project / "agents" / "src" / "backend-master.md").read_text()
    with pytest.raises(ConfigError, match="which is a source of target 'backend'"):
        build(read_config(project / "compose.toml"))
    assert (project / "agents" / "src" / "backend-master.md").read_text() == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[agent]]\nname="a"\noutput="a.md"\nsources=["s/*.md"]\nprovenance="false"', "true or"),
        ('[[agent]]\nname="a"\noutput="a.md"\nsources=["s/*.md"]\nlexical="yes"', "'lexical'"),
        (
            '[[agent]]\nname="a"\noutput="a.md"\nsources=["s/*.md"]\ndescription_style="folded"',
            "'description_style' must be 'single' or 'block'",
        ),
        ('[[agent]]\nname="a"\noutput=5\nsources=["s/*.md"]', "'output' must be"),
        ('[[agent]]\nname="a"\noutput="a.md"\nsources=[]', "'sources' must be"),
        ('[[agent]]\nname="a"\noutput="a.md"\nsources=[""]', "'sources' must be"),
        ('[[agent]]\nname="a"\noutput="a.md"\nsources=["s/*.md"]\nthreshold=0', "threshold"),
        ('[[agent]]\nname="a"\noutput="a.md"\nsources=["s/*.md"]\nthreshold=nan', "threshold"),
        ("agent=[1,2]", "not a table"),
        (
            '[[agent]]\nname="a"\noutput="a.md"\nsources=["s/*.md"]\n'
            '[[agent]]\nname="a"\noutput="b.md"\nsources=["s/*.md"]',
            "two [[agent]] targets are named 'a'",
        ),
    ],
)
def test_malformed_config_values_are_one_line_errors(
    tmp_path: Path, text: str, message: str
) -> None:
    (tmp_path / "compose.toml").write_text(text)
    with pytest.raises(ConfigError, match=re.escape(message)):
        read_config(tmp_path / "compose.toml")


def test_absolute_source_patterns_work(project: Path) -> None:
    pattern = str(project / "agents" / "src" / "backend-*.md")
    (project / "compose.toml").write_text(
        CONFIG.format(extra="").replace("agents/src/backend-*.md", pattern)
    )
    (built,) = build(read_config(project / "compose.toml"))
    assert len(built.sources) == 5


@pytest.mark.parametrize("lock", ['{"agents": []}', "[1]", '{"agents": {"backend": 3}}'])
def test_a_malformed_lock_is_a_one_line_error(project: Path, lock: str) -> None:
    (project / "compose.lock").write_text(lock)
    with pytest.raises(ConfigError, match="is not a compose lock"):
        build(read_config(project / "compose.toml"))


def test_build_reads_sources_as_merge_does(project: Path) -> None:
    # Two sources that share a name: merge tells them apart by folder, so does build, and the
    # lenient-frontmatter warnings merge prints come with build's result too.
    twin = project / "agents" / "src" / "copy"
    twin.mkdir()
    source = (project / "agents" / "src" / "backend-master.md").read_text()
    (twin / "backend-master.md").write_text(source.replace("scalable", "scalable and fast", 1))
    (project / "compose.toml").write_text(
        CONFIG.format(extra="").replace("backend-*.md", "**/backend-*.md")
    )
    (built,) = build(read_config(project / "compose.toml"))
    notes = "\n".join(built.result.notes)
    assert "are named 'backend-master'; told apart as" in notes
    assert "frontmatter is not valid YAML; read leniently" in notes
    assert "name: backend\n" in output(project)


def test_build_says_unchanged_and_a_stale_check_says_how_to_fix_it(project: Path) -> None:
    config = read_config(project / "compose.toml")
    assert [b.changed for b in build(config)] == [True]
    assert [b.changed for b in build(config)] == [False]
    source = project / "agents" / "src" / "backend-master.md"
    source.write_text(source.read_text() + "\n- Use feature flags for risky releases\n")
    (stale,) = check(config)
    assert stale.stale and stale.explain()[-1] == "  to update it: compose build"
