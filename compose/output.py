"""Write results safely: never over a file compose read, never over anything but a regular
file, never half-written (a temp file, then a rename)."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from compose.errors import OutputError

# Temp files carry the writing process's id, so a later run can tell one left by a killed
# process (its id no longer runs) from one another compose is writing right now.
_TEMP_SUFFIX = ".compose.tmp"

_KINDS = {
    stat.S_ISCHR: "a character device",
    stat.S_ISBLK: "a block device",
    stat.S_ISFIFO: "a named pipe",
    stat.S_ISSOCK: "a socket",
}


def same_file(a: str | Path, b: str | Path) -> bool:
    """One file under two names: the same path resolved, or the same inode (a hard link)."""
    with contextlib.suppress(OSError, RuntimeError):  # RuntimeError: a symlink loop
        if Path(a).resolve() == Path(b).resolve():
            return True
        return os.path.samefile(a, b)
    return False


def check_target(
    path: str | Path, inputs: Iterable[str | Path] = (), *, force: bool = False
) -> Path:
    """The regular file (or new path) to write for path; refuses an input (unless forced),
    a directory, a special file and an unwritable directory. A symlink to a regular file is
    written through, so the link stays a link."""
    if str(path).endswith(("/", os.sep)):
        raise OutputError(path, "names a directory; give a file name")
    target = Path(path)
    if not force:
        for source in inputs:
            if same_file(source, target):
                raise OutputError(target, "is also an input; pass --force to overwrite it")
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        mode = None
    except (OSError, RuntimeError) as exc:
        raise OutputError(target, f"cannot be written: {exc}") from None
    if mode is not None:
        if stat.S_ISDIR(mode):
            raise OutputError(target, "is a directory")
        if not stat.S_ISREG(mode):
            kind = next((name for test, name in _KINDS.items() if test(mode)), "a special file")
            raise OutputError(
                target, f"is {kind}, not a regular file; use -o - for standard output"
            )
        target = target.resolve()
    elif target.is_symlink():
        raise OutputError(target, "is a symbolic link to nothing; remove it or name a file")
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(target, f"directory {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise OutputError(target, f"directory {parent} is not writable")
    return target


def write_atomic(path: str | Path, text: str) -> None:
    """Replace path with text in one step: a reader sees the old file or the new, never half.

    path must be a regular file or a new name (check_target says which to pass)."""
    target = Path(path)
    parent = target.parent if str(target.parent) else Path(".")
    _remove_abandoned_temps(parent, target.name)
    try:
        existing = target.lstat()
        if not stat.S_ISREG(existing.st_mode):
            raise OutputError(target, "is not a regular file; nothing was written")
        mode = existing.st_mode & 0o777
    except FileNotFoundError:
        mode = _default_mode()
    except OSError as exc:
        raise OutputError(target, f"cannot write: {exc.strerror or exc}") from None
    try:
        fd, temp = tempfile.mkstemp(
            dir=parent, prefix=f".{target.name}.{os.getpid()}.", suffix=_TEMP_SUFFIX
        )
    except OSError as exc:
        raise OutputError(target, f"cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(exc, OSError):
            raise OutputError(target, f"cannot write: {exc.strerror or exc}") from None
        raise


def _remove_abandoned_temps(parent: Path, name: str) -> None:
    """Delete temp files for name left by a process that was killed before its rename."""
    prefix = f".{name}."
    with contextlib.suppress(OSError):
        for entry in os.scandir(parent):
            if not (entry.name.startswith(prefix) and entry.name.endswith(_TEMP_SUFFIX)):
                continue
            pid = entry.name[len(prefix) :].split(".", 1)[0]
            if pid.isdigit() and not _running(int(pid)):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
