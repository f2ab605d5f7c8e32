"""One error hierarchy: every failure a user can cause is a ComposeError with a one-line message."""

from __future__ import annotations

from pathlib import Path


class ComposeError(Exception):
    """Base of every error compose raises on purpose; the CLI prints it as one line."""

    exit_code = 2

    def __init__(self, path: str | Path | None, problem: str) -> None:
        self.path = str(path) if path is not None else None
        self.problem = problem
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return f"{self.path}: {self.problem}" if self.path else self.problem


class InputError(ComposeError):
    """An input file cannot be read as an agent (missing, directory, empty, binary, ...)."""


class FrontmatterError(InputError):
    """Frontmatter that even the lenient reader cannot make sense of."""


class DuplicateAgentError(InputError):
    """Two inputs carry the same agent name, so their bullets could not be told apart."""


class UsageError(ComposeError):
    """A command-line option with a value compose cannot use."""


class OutputError(ComposeError):
    """The output cannot be written where the user asked (input path, missing or read-only dir)."""


class LossError(ComposeError):
    """The safety net found that a composed agent would lose input content; nothing was written."""

    exit_code = 3


class ConfigError(ComposeError):
    """compose.toml or compose.lock is missing, unreadable or inconsistent."""
