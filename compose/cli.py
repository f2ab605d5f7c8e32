"""The `compose` command: parses arguments, calls the library, prints. Nothing else lives here.

Pipeline modules are imported inside commands so that `compose --help` stays fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from typing import Annotated

import typer

from compose.errors import ComposeError

app = typer.Typer(
    name="compose",
    help="Deduplicate, merge, report on and diff Claude Code subagent definitions.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


class ParseFormat(str, Enum):
    text = "text"
    json = "json"


@contextmanager
def _user_errors() -> Iterator[None]:
    """Every failure a user can cause: one line on stderr, a non-zero exit, no traceback."""
    try:
        yield
    except ComposeError as exc:
        typer.echo(f"compose: error: {exc.message}", err=True)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        typer.echo("compose: interrupted", err=True)
        raise typer.Exit(130) from None


def _warn(messages: Iterator[str] | list[str] | tuple[str, ...]) -> None:
    for message in messages:
        typer.echo(f"compose: warning: {message}", err=True)


@app.callback()
def root() -> None:
    """Deduplicate, merge, report on and diff Claude Code subagent definitions."""


@app.command("parse")
def parse_command(
    file: Annotated[str, typer.Argument(help="An agent Markdown file.")],
    format: Annotated[ParseFormat, typer.Option("--format", "-f")] = ParseFormat.text,
) -> None:
    """Show what compose understood of an agent: sections, topics, bullets with line numbers."""
    with _user_errors():
        import json

        from compose.load import load
        from compose.parse import agent_dict, outline, parse

        agent = parse(load(file))
        if format is ParseFormat.json:
            typer.echo(json.dumps(agent_dict(agent), indent=2, ensure_ascii=False))
        else:
            typer.echo(outline(agent))


def main() -> None:
    app(prog_name="compose")
