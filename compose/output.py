"""Write results safely: never over an input, never half-written (temp file, then rename)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from compose.errors import OutputError


def check_target(path: str | Path, inputs: Iterable[str | Path], *, force: bool = False) -> Path:
    """Refuse an output path that is an input (unless forced) or cannot be written."""
    target = Path(path)
    if not force:
        for source in inputs:
            with contextlib.suppress(OSError, RuntimeError):  # RuntimeError: a symlink loop
                if Path(source).resolve() == target.resolve():
                    raise OutputError(target, "is also an input; pass --force to overwrite it")
    parent = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise OutputError(target, "is a directory")
    if not parent.is_dir():
        raise OutputError(target, f"directory {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise OutputError(target, f"directory {parent} is not writable")
    return target


def write_atomic(path: str | Path, text: str) -> None:
    """Replace path with text in one step: a reader sees the old file or the new, never half."""
    target = Path(path)
    parent = target.parent if str(target.parent) else Path(".")
    try:
        mode = target.stat().st_mode & 0o777 if target.exists() else _default_mode()
        fd, temp = tempfile.mkstemp(dir=parent, prefix=f".{target.name}.", suffix=".tmp")
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


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
