"""The `compose` command: parses arguments, calls the library, prints. Nothing else lives here.

Pipeline modules are imported inside commands so that `compose --help` stays fast.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from compose.errors import ComposeError, UsageError
from compose.tuning import merge_tuning, report_tuning

if TYPE_CHECKING:
    from rich.progress import Progress as Bar
    from rich.progress import TaskID

    from compose.api import MergeResult
    from compose.canonical import Config
    from compose.clustering import Settings
    from compose.progress import Progress

app = typer.Typer(
    name="compose",
    help="Deduplicate, merge, report on and diff Claude Code subagent definitions.",
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Plain help: rich's help formatter costs more import time than the rest of the CLI.
    rich_markup_mode=None,
)


class DescriptionStyle(str, Enum):
    single = "single"
    block = "block"


class ParseFormat(str, Enum):
    text = "text"
    json = "json"


class ReportFormat(str, Enum):
    text = "text"
    md = "md"
    json = "json"
    html = "html"


UserOption = Annotated[
    bool, typer.Option("--user", help="Also read ~/.claude/agents/ (no paths: .claude/agents/).")
]
LexicalOption = Annotated[
    bool,
    typer.Option(
        "--lexical",
        help="Compare bullets by their words only, without the embedding model (faster).",
    ),
]
ExcludeOption = Annotated[
    list[str] | None,
    typer.Option(
        "--exclude", metavar="GLOB", help="Skip files of a searched folder matching GLOB."
    ),
]

THRESHOLD_HELP = "Similarity cut-off for clustering (0.1-1); lower merges more."


@contextmanager
def _user_errors() -> Iterator[None]:
    """Every failure a user can cause: one line on stderr, a non-zero exit, no traceback.

    Anything else is a bug in compose: also one line, exit 70, unless COMPOSE_DEBUG is set.
    """
    try:
        yield
    except ComposeError as exc:
        typer.echo(f"compose: error: {exc.message}", err=True)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        typer.echo("compose: interrupted; nothing was written", err=True)
        raise typer.Exit(130) from None
    except BrokenPipeError:
        # The reader went away (| head); stay quiet like other Unix tools.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(141) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as exc:
        if os.environ.get("COMPOSE_DEBUG"):
            raise
        typer.echo(
            f"compose: internal error: {type(exc).__name__}: {exc} "
            "(a bug; set COMPOSE_DEBUG=1 for the traceback)",
            err=True,
        )
        raise typer.Exit(70) from None


# Where Claude Code keeps a project's agents, and a user's.
PROJECT_AGENTS = Path(".claude/agents")
USER_AGENTS = Path("~/.claude/agents")


def _required(paths: list[str] | None, user: bool = False) -> list[str]:
    """The paths given; none: the project's .claude/agents/ (and, with --user, the user's)."""
    from compose.errors import InputError

    if paths:
        return paths + ([str(USER_AGENTS.expanduser())] if user else [])
    found = [p for p in (PROJECT_AGENTS, USER_AGENTS.expanduser() if user else None) if p]
    found = [p for p in found if p.is_dir()]
    if not found:
        raise InputError(None, f"no input files given, and no {PROJECT_AGENTS}/ here")
    _note(f"reading {', '.join(f'{p}/' for p in found)}")
    return [str(p) for p in found]


def _threshold(given: float | None) -> float:
    from compose.clustering import DEFAULT_THRESHOLD, threshold_problem

    if given is None:
        return DEFAULT_THRESHOLD
    problem = threshold_problem(given)
    if problem:
        raise UsageError(None, f"--threshold {given}: {problem}")
    return given


def _examples(given: str) -> int | None:
    if given == "all":
        return None
    if not given.isdigit():
        raise UsageError(None, f"--examples {given}: give a number of examples, or 'all'")
    return int(given)


def _settings(threshold: float | None, lexical: bool = False) -> Settings:
    from compose.clustering import Settings

    return Settings(threshold=_threshold(threshold), semantic=not lexical)


def _emit(output: Path | None, text: str) -> None:
    """Write to stdout for None ('-'), else replace the checked file atomically."""
    if output is None:
        sys.stdout.write(text)
    else:
        from compose.output import write_atomic

        write_atomic(output, text)


class _Say:
    """What is printed besides results and errors: warnings and summaries (-q: none), and
    with -v each stage's time."""

    quiet = False
    verbose = False


def _warn(messages: Iterator[str] | list[str] | tuple[str, ...]) -> None:
    for message in messages:
        _note(f"warning: {message}")


def _note(message: str) -> None:
    if not _Say.quiet:
        typer.echo(f"compose: {message}", err=True)


def _color(tty: bool) -> bool:
    """Colour on a terminal, unless NO_COLOR is set; FORCE_COLOR asks for it anyway
    (no-color.org, force-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    return tty or bool(os.environ.get("FORCE_COLOR"))


def _version(value: bool) -> None:
    if value:
        from compose import __version__

        typer.echo(f"compose {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print errors only: no warnings or summaries.")
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Also print how long each stage took.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Deduplicate, merge, report on and diff Claude Code subagent definitions."""
    if quiet and verbose:
        with _user_errors():
            raise UsageError(None, "-q and -v ask for opposite things: give one")
    _Say.quiet, _Say.verbose = quiet, verbose


@app.command("parse")
def parse_command(
    file: Annotated[
        str, typer.Argument(help="An agent Markdown file ('-': stdin).", metavar="FILE")
    ],
    format: Annotated[ParseFormat, typer.Option("--format", "-f")] = ParseFormat.text,
) -> None:
    """Show what compose understood of an agent: sections, topics, bullets with line numbers.

    Example: compose parse .claude/agents/backend.md --format json
    """
    with _user_errors():
        import json

        from compose.load import load
        from compose.parse import agent_dict, outline, parse

        agent = parse(load(file))
        if format is ParseFormat.json:
            typer.echo(json.dumps(agent_dict(agent), indent=2, ensure_ascii=False))
        else:
            typer.echo(outline(agent))


@app.command("merge")
def merge_command(
    files: Annotated[
        list[str] | None,
        typer.Argument(help="Agent files (or directories) to merge.", metavar="FILE..."),
    ] = None,
    output: Annotated[
        str, typer.Option("--output", "-o", help="Where to write; '-' for stdout.")
    ] = "-",
    name: Annotated[str | None, typer.Option(help="Name of the merged agent.")] = None,
    model: Annotated[str | None, typer.Option(help="Model of the merged agent.")] = None,
    threshold: Annotated[float | None, typer.Option(help=THRESHOLD_HELP)] = None,
    lexical: LexicalOption = False,
    provenance: Annotated[
        bool,
        typer.Option("--provenance", help="Name each line's source agents in an HTML comment."),
    ] = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="Merge unrelated agents; allow overwriting an input file."),
    ] = False,
    examples: Annotated[
        str, typer.Option(help="Examples kept in the description: a number, or 'all'.")
    ] = str(merge_tuning().examples),
    tools: Annotated[
        str,
        typer.Option(
            help=(
                "Tools when sources disagree: 'union', 'intersection', 'all', or a list "
                "'Read, Grep'."
            )
        ),
    ] = "union",
    description_style: Annotated[
        DescriptionStyle,
        typer.Option(
            "--description-style",
            help="The description as one quoted line (every loader reads it whole) or a block.",
        ),
    ] = DescriptionStyle.single,
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 if -o OUT would change.")
    ] = False,
    diff: Annotated[
        bool, typer.Option("--diff", help="Write nothing; show how -o OUT would change.")
    ] = False,
    user: UserOption = False,
    exclude: ExcludeOption = None,
) -> None:
    """Merge agents into one deduplicated agent that loses nothing its sources said.

    Example: compose merge agents/backend-*.md -o agents/backend.md
    """
    with _user_errors():
        from compose.api import load_agents, merge_agents
        from compose.consolidate import MergeOptions
        from compose.output import check_target

        settings = _settings(threshold, lexical)
        if not tools.strip():
            raise UsageError(None, "--tools: give 'union', 'intersection', 'all' or tool names")
        with _watching() as progress:
            loaded = load_agents(_required(files, user), exclude or (), progress)
            # Checked against the files found, not the arguments: a directory names its files.
            target = None if output == "-" else check_target(output, loaded.paths, force=force)
            result = merge_agents(
                loaded.agents,
                options=MergeOptions(
                    name=name,
                    model=model,
                    examples=_examples(examples),
                    tools=tools,
                    description_style=description_style.value,
                ),
                settings=settings,
                provenance=provenance,
                notes=loaded.notes,
                progress=progress,
            )
        _warn(result.notes)
        if not force:
            _refuse_unrelated(result)
        if check or diff:
            if target is None:
                raise UsageError(None, "--check and --diff compare with -o OUT: name a file")
            if _differs(target, result.text, show=diff):
                _note(f"{output} would change")
                raise typer.Exit(1)
            _note(f"{output} is unchanged")
            return
        _emit(target, result.text)
        _note(result.summary())


def _refuse_unrelated(result: MergeResult) -> None:
    from compose.report import relatedness

    related = relatedness(result.clustering)
    if related < report_tuning().related:
        raise UsageError(
            None,
            f"these {len(result.clustering.agents)} agents share {related:.0%} of their "
            f"bullets on average (similar agents share 19-34%); merging them would glue "
            "unrelated agents together; pass --force to merge anyway",
        )


def _differs(target: Path, text: str, *, show: bool) -> bool:
    """Whether target does not hold text; with show, the unified diff on stdout."""
    import difflib

    try:
        current = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        current = ""
    if current == text:
        return False
    if show:
        sys.stdout.writelines(
            difflib.unified_diff(
                current.splitlines(keepends=True),
                text.splitlines(keepends=True),
                f"{target} (now)",
                f"{target} (merged)",
            )
        )
    return True


@app.command("report")
def report_command(
    paths: Annotated[
        list[str] | None, typer.Argument(help="Agent files or directories.", metavar="PATH...")
    ] = None,
    format: Annotated[ReportFormat, typer.Option("--format", "-f")] = ReportFormat.text,
    output: Annotated[
        str, typer.Option("--output", "-o", help="Where to write; '-' for stdout.")
    ] = "-",
    threshold: Annotated[float | None, typer.Option(help=THRESHOLD_HELP)] = None,
    lexical: LexicalOption = False,
    user: UserOption = False,
    exclude: ExcludeOption = None,
) -> None:
    """Show which bullets overlap across agents, how much each pair shares, what is unique.

    Example: compose report .claude/agents --format html -o overlap.html
    """
    with _user_errors():
        from compose import formats
        from compose.api import load_agents
        from compose.clustering import cluster
        from compose.output import check_target
        from compose.report import build_report

        settings = _settings(threshold, lexical)
        with _watching() as progress:
            loaded = load_agents(_required(paths, user), exclude or (), progress)
            target = None if output == "-" else check_target(output, loaded.paths)
            clustering = cluster(loaded.agents, settings, progress)
            progress("building the report", 0, None)
            report = build_report(clustering)
        _warn(loaded.notes)
        if format is ReportFormat.json:
            text = formats.to_json(report)
        elif format is ReportFormat.md:
            text = formats.to_markdown(report)
        elif format is ReportFormat.html:
            text = formats.to_html(report)
        else:
            tty = target is None and sys.stdout.isatty()
            text = formats.to_text(report, color=_color(tty), width=_width() if tty else 120)
        _emit(target, text)


def _width() -> int:
    import shutil

    return shutil.get_terminal_size((120, 40)).columns


class _Stages:
    """The Progress the CLI gives long work: on a terminal, a rich bar per stage on stderr,
    gone when the work ends (none when stderr is piped, or with -q); with -v, each stage's
    time as a line."""

    def __init__(self, draw: bool, log: bool) -> None:
        self.log = log
        self.stage: str | None = None
        self.started = 0.0
        self.bar: Bar | None = None
        self.task: TaskID | None = None
        if draw:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )
            from rich.progress import Progress as Bar

            self.bar = Bar(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        if stage != self.stage:
            self._finish()
            self.stage, self.started = stage, time.perf_counter()
            if self.bar is not None:
                self.bar.start()  # on the first stage; again is a no-op
                self.task = self.bar.add_task(stage, total=total)
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, completed=done, total=total)

    def _finish(self) -> None:
        if self.stage is not None and self.log:
            _note(f"{self.stage}: {time.perf_counter() - self.started:.2f} s")
        if self.bar is not None and self.task is not None:
            self.bar.remove_task(self.task)
            self.task = None

    def close(self) -> None:
        self._finish()
        self.stage = None
        if self.bar is not None:
            self.bar.stop()


@contextmanager
def _watching() -> Iterator[Progress]:
    """A Progress for the work of one command, closed when it ends (or fails)."""
    stages = _Stages(draw=not _Say.quiet and sys.stderr.isatty(), log=_Say.verbose)
    try:
        yield stages
    finally:
        stages.close()


class DiffFormat(str, Enum):
    text = "text"
    md = "md"
    json = "json"


@app.command("diff")
def diff_command(
    old: Annotated[str, typer.Argument(help="The old version of the agent.", metavar="OLD")],
    new: Annotated[str, typer.Argument(help="The new version of the agent.", metavar="NEW")],
    format: Annotated[DiffFormat, typer.Option("--format", "-f")] = DiffFormat.text,
) -> None:
    """Semantic diff: bullets reworded, moved, added, removed; sections; fields.

    Exits 0 when the versions are equivalent, 1 when they differ, 2 on errors (like diff).

    Example: compose diff agents/backend.md.orig agents/backend.md
    """
    with _user_errors():
        import json

        from compose.load import load
        from compose.parse import parse
        from compose.semdiff import diff, diff_data, diff_text

        result = diff(parse(load(old)), parse(load(new)))
        if format is DiffFormat.json:
            sys.stdout.write(json.dumps(diff_data(result), indent=2, ensure_ascii=False) + "\n")
        else:
            markdown = format is DiffFormat.md
            color = not markdown and _color(sys.stdout.isatty())
            sys.stdout.write(diff_text(result, markdown=markdown, color=color))
    raise typer.Exit(0 if result.equivalent else 1)


ConfigOption = Annotated[
    str | None, typer.Option("--config", "-c", help="compose.toml (default: found upwards).")
]


def _config(path: str | None) -> Config:
    from pathlib import Path

    from compose.canonical import find_config, read_config

    return read_config(Path(path) if path else find_config())


@app.command("init")
def init_command(
    paths: Annotated[
        list[str] | None, typer.Argument(help="Agent files or directories.", metavar="PATH...")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing compose.toml.")
    ] = False,
) -> None:
    """Write a starter compose.toml: one canonical agent per family of agents found.

    Example: compose init (reads .claude/agents/)
    """
    with _user_errors():
        from compose.api import load_agents
        from compose.canonical import CONFIG_NAME, starter_config
        from compose.output import check_target

        config = Path(CONFIG_NAME)
        if config.exists() and not force:
            raise UsageError(config, "exists; pass --force to replace it")
        loaded = load_agents(_required(paths))
        _warn(loaded.notes)
        _emit(check_target(str(config), loaded.paths), starter_config(loaded.agents, Path.cwd()))
        Path("agents").mkdir(exist_ok=True)  # where the starter's outputs go
        _note(f"wrote {config}; run compose build")


@app.command("build")
def build_command(
    config: ConfigOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite outputs edited by hand.")
    ] = False,
) -> None:
    """Write every canonical agent of the config and compose.lock.

    Example: compose build (reads compose.toml here or above)
    """
    with _user_errors():
        from compose.canonical import build

        with _watching() as progress:
            built = build(_config(config), force=force, progress=progress)
        for item in built:
            _warn(item.result.notes)
            if item.changed:
                _note(f"built {item.target.output}: {item.result.summary()}")
            else:
                _note(f"{item.target.output} unchanged")


@app.command("check")
def check_command(config: ConfigOption = None) -> None:
    """Exit 1 when an output is not what build would write now (for CI and pre-commit).

    Example: compose check -c compose.toml
    """
    with _user_errors():
        from compose.canonical import check

        with _watching() as progress:
            results = check(_config(config), progress)
        for result in results:
            typer.echo("\n".join(result.explain()))
    raise typer.Exit(1 if any(r.stale for r in results) else 0)


@app.command("evaluate")
def evaluate_command(
    gold_files: Annotated[list[str], typer.Argument(help="Hand-labelled gold JSON files.")],
    threshold: Annotated[float | None, typer.Option(help=THRESHOLD_HELP)] = None,
    lexical: LexicalOption = False,
    errors: Annotated[bool, typer.Option("--errors", help="List wrong and missed merges.")] = False,
    tuning_file: Annotated[
        Path | None,
        typer.Option(
            "--tuning",
            metavar="FILE",
            help="A TOML file setting some of the clustering's tuning keys "
            "(compose/data/tuning.toml names them all).",
        ),
    ] = None,
) -> None:
    """Score clustering against hand-labelled gold clusters (pairwise and B-cubed F1).

    Example: compose evaluate tests/data/*.gold.json --errors --tuning try.toml
    """
    with _user_errors():
        from dataclasses import replace

        from compose.clustering import load_tuning
        from compose.evaluate import evaluate

        settings = _settings(threshold, lexical)
        if tuning_file is not None:
            tuning = load_tuning(tuning_file)
            given = threshold if threshold is not None else tuning.threshold
            settings = replace(settings, threshold=_threshold(given), tuning=tuning)
        for gold in gold_files:
            result = evaluate(gold, settings)
            typer.echo(f"{gold}: {result.summary()}")
            if errors:
                for a, b in result.wrong_merges:
                    typer.echo(f"  wrong merge: {a}  <>  {b}")
                for a, b in result.missed_merges:
                    typer.echo(f"  missed:      {a}  <>  {b}")


# The collector's default thresholds rescan the parsed agents thousands of times while a
# collection is clustered (~6% of a corpus report); compose builds no reference cycles worth
# collecting early, so it collects rarely.
GC_THRESHOLDS = (100_000, 50, 100)


def main() -> None:
    """The `compose` command: the app, then an exit that skips freeing the parsed agents one
    object at a time (0.1 s after a collection's report; mypy exits the same way)."""
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        app(prog_name="compose")
        code = 0
    except SystemExit as done:
        if done.code is not None and not isinstance(done.code, int):
            raise  # a message to print: the normal exit prints it
        code = done.code or 0
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away (| head) before the last of the output
        code = 141
    sys.stderr.flush()
    os._exit(code)
