"""Writing: compose never replaces a file it read, a special file or a directory, and a write
killed half-way leaves a temp file that the next write clears."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from compose.cli import app
from compose.errors import OutputError
from compose.output import check_target, write_atomic
from tests.conftest import SEEDS

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stderr


@pytest.fixture()
def agents(tmp_path: Path) -> Path:
    folder = tmp_path / "f"
    folder.mkdir()
    for seed in SEEDS:
        shutil.copy(seed, folder / seed.name)
    return folder


@pytest.mark.parametrize("command", ["merge", "report"])
def test_an_input_found_in_a_directory_is_never_the_output(agents: Path, command: str) -> None:
    victim = agents / "backend-master.md"
    before = victim.read_bytes()
    extra = ["--format", "json"] if command == "report" else []
    code, stderr = invoke(command, str(agents), *extra, "-o", str(victim))
    assert code == 2 and "is also an input" in stderr
    assert victim.read_bytes() == before


def test_an_input_under_another_name_is_never_the_output(agents: Path, tmp_path: Path) -> None:
    victim = agents / "backend-engineer.md"
    before = victim.read_bytes()
    (tmp_path / "hard.md").hardlink_to(victim)
    (tmp_path / "soft.md").symlink_to(victim)
    for alias in ("hard.md", "soft.md"):
        code, stderr = invoke("merge", str(victim), str(SEEDS[0]), "-o", str(tmp_path / alias))
        assert code == 2 and "is also an input" in stderr, alias
    assert victim.read_bytes() == before


def test_special_files_are_never_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "null.md"
    link.symlink_to("/dev/null")
    for path, kind in ((fifo, "named pipe"), (link, "character device")):
        code, stderr = invoke("merge", str(SEEDS[0]), "-o", str(path))
        assert code == 2 and kind in stderr and "-o -" in stderr, stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert link.is_symlink() and os.readlink(link) == "/dev/null"
    assert stat.S_ISCHR(Path("/dev/null").stat().st_mode)


def test_a_symlink_to_a_regular_file_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_text("old\n")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    code, _ = invoke("merge", str(SEEDS[0]), "-o", str(link))
    assert code == 0 and link.is_symlink() and real.read_text().startswith("---\n")


def test_a_directory_name_with_a_slash_is_not_a_file_name(tmp_path: Path) -> None:
    code, stderr = invoke("merge", str(SEEDS[0]), "-o", f"{tmp_path}/newdir/")
    assert code == 2 and "names a directory" in stderr
    assert list(tmp_path.iterdir()) == []


def test_dash_writes_standard_output() -> None:
    result = runner.invoke(app, ["merge", str(SEEDS[0]), "-o", "-"])
    assert result.exit_code == 0 and result.stdout.startswith("---\nname: backend-architect")


def test_check_target_returns_the_file_to_write(tmp_path: Path) -> None:
    assert check_target(tmp_path / "new.md") == tmp_path / "new.md"
    with pytest.raises(OutputError, match="is a directory"):
        check_target(tmp_path)


def test_a_temp_file_left_by_a_killed_write_is_cleared_by_the_next(tmp_path: Path) -> None:
    target = tmp_path / "out.md"
    # A process that has exited: its id is free, as after kill -9.
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    leftover = tmp_path / f".out.md.{dead}.abc123.compose.tmp"
    leftover.write_text("half")
    alive = tmp_path / f".out.md.{os.getpid()}.xyz.compose.tmp"
    alive.write_text("being written")
    other = tmp_path / f".other.md.{dead}.abc.compose.tmp"
    other.write_text("another target's")
    write_atomic(target, "done\n")
    assert target.read_text() == "done\n"
    assert not leftover.exists() and alive.exists() and other.exists()


def test_write_atomic_refuses_a_special_file(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match="not a regular file"):
        write_atomic(fifo, "x")


@pytest.mark.parametrize("value", ["0", "nan", "-1", "1.5", "0.05"])
def test_out_of_range_thresholds_are_refused(value: str) -> None:
    code, stderr = invoke("merge", str(SEEDS[0]), str(SEEDS[1]), "--threshold", value)
    assert code == 2 and "--threshold" in stderr and "from 0.1 to 1.0" in stderr
