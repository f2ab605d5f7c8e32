"""Progress: what long work says about itself while it runs.

A Progress is called with a stage ("reading agents", "scoring pairs"), the work done in it and
the work in all (None when it cannot be counted). The library calls it between steps; the CLI
draws it on a terminal or logs each stage's time (-v). Nothing is read back from it, so the
pipeline runs the same with or without one.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str, int, "int | None"], None]


def silent(stage: str, done: int, total: int | None) -> None:
    """The Progress of work nobody watches."""
