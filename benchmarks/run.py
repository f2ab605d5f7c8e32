"""Benchmarks: wall time and peak memory of the CLI, with ratios against floors measured in
the same run. Prints figures; asserts nothing (speed is not a test).

    python benchmarks/run.py [--corpus ../shared/corpus] [--scales 1,3,10] [--repeat 3]

Runs, each as a fresh process (so start-up and imports count, as they do for users):
- `python -c pass` (the interpreter floor) and `compose --help`;
- `compose merge` on the five seeds, with and without the embedding model (--lexical);
- two floors, each reading every file in one process: mistune's parse of each body alone,
  and compose's load and parse (sections and bullets, no clustering), and that parse plus the
  embedding of every bullet; and `compose report
  --format json` on the corpus and on synthetic scale-ups of it (copies with renamed agents
  and lightly perturbed bullets), with peak RSS of each;
- both floors on one agent file just under the loader's 4 MiB limit (the corpus's bodies end
  to end): compose's parse against mistune's shows it stays linear in a file's size.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = [sys.executable, "-m", "compose"]
# The floors read every file in one process, with the collector set as the CLI sets it.
_FLOOR_SETUP = (
    "import gc, sys\n"
    "from compose.cli import GC_THRESHOLDS\n"
    "from compose.load import collect, load\n"
    "gc.set_threshold(*GC_THRESHOLDS)\n"
    "paths = collect(sys.argv[1:]).files\n"
)
PARSE_FLOOR = _FLOOR_SETUP + (
    "from compose.parse import parse\n"
    "agents = [parse(load(path)) for path in paths]\n"
    "print(sum(len(a.bullets) for a in agents))\n"
)
# The parse floor plus the embedding of every bullet: the least a semantic report can cost.
EMBED_FLOOR = PARSE_FLOOR + (
    "from compose.clustering.embedding import embed\n"
    "embed([b.text for a in agents for b in a.bullets])\n"
)
MISTUNE_FLOOR = _FLOOR_SETUP + (
    "import mistune\n"
    "markdown = mistune.create_markdown(renderer=None)\n"
    "for path in paths:\n"
    "    markdown(load(path).body)\n"
)
_NAME = re.compile(r"^name:\s*(.+)$", re.MULTILINE)
_ITEM = re.compile(r"^(\s*(?:[-*+]|\d+\.)\s+)(.+)$", re.MULTILINE)
_REWORDINGS = (
    ("Implement", "Build"),
    ("Design", "Plan"),
    ("Ensure", "Make sure of"),
    ("comprehensive", "thorough"),
    ("proper", "correct"),
    ("strategies", "approaches"),
)


def run(command: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MiB, and stdout of one child process."""
    with tempfile.TemporaryFile("w+") as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL, cwd=ROOT)
        # Reap the child ourselves: wait4 gives this child's own peak RSS.
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise SystemExit(f"benchmark command failed: {' '.join(command)}")
        out.seek(0)
        return elapsed, usage.ru_maxrss / 1024, out.read()


def best_of(*commands: list[str], repeat: int) -> list[tuple[float, float, str]]:
    """Each command's fastest run of repeat, the commands taking turns: a slow spell of the
    machine then slows a command and its floor alike, and the ratio between them holds."""
    runs: list[list[tuple[float, float, str]]] = [[] for _ in commands]
    for _ in range(repeat):
        for k, command in enumerate(commands):
            runs[k].append(run(command))
    return [min(r, key=lambda x: x[0]) for r in runs]


def _agent_files(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.rglob("*.md") if p.name.lower() != "readme.md")


def scaled_corpus(corpus: Path, factor: int, into: Path) -> list[Path]:
    """factor copies of every agent: renamed, and with some bullets lightly reworded."""
    rng = random.Random(factor)
    files = _agent_files(corpus)
    out = []
    for copy in range(factor):
        for path in files:
            text = path.read_text(encoding="utf-8", errors="replace")
            if copy:
                name = _NAME.search(text)
                if name:
                    renamed = f"name: {name.group(1).strip()}-copy{copy}"
                    text = text[: name.start()] + renamed + text[name.end() :]
                text = _ITEM.sub(lambda m: m.group(1) + _perturb(m.group(2), rng), text)
            target = into / f"c{copy}" / path.relative_to(corpus)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            out.append(target)
    return out


def largest_agent(corpus: Path, into: Path) -> Path:
    """One agent file just under the loader's size limit: the corpus's bodies end to end."""
    from compose.load import MAX_FILE_BYTES, load

    files = _agent_files(corpus)
    parts = ["---\nname: largest\ndescription: Every corpus body, end to end.\n---"]
    size = len(parts[0]) + 1
    for body in itertools.cycle(load(path).body for path in files):
        size += len(body.encode()) + 1  # and the newline that joins it
        if size > MAX_FILE_BYTES:
            break
        parts.append(body)
    target = into / "largest.md"
    target.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return target


def _perturb(text: str, rng: random.Random) -> str:
    if rng.random() < 0.5:
        return text
    old, new = rng.choice(_REWORDINGS)
    return text.replace(old, new, 1) if old in text else text + " where needed"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--scales", default="1,3,10")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows: list[tuple[str, float, float, str]] = []
    # Byte-compiled first, as an installed wheel is (an editable install compiles on import).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "compose")], check=True)

    (floor, floor_rss, _), (helped, help_rss, _) = best_of(
        [sys.executable, "-c", "pass"], [*COMPOSE, "--help"], repeat=args.repeat
    )
    rows.append(("python -c pass (floor)", floor, floor_rss, ""))
    rows.append(("compose --help", helped, help_rss, f"{helped / floor:.1f}x python floor"))
    seeds = [str(p) for p in sorted((ROOT / "fixtures").glob("*.md"))]
    (merged, merge_rss, _), (lexical, lexical_rss, _) = best_of(
        [*COMPOSE, "merge", *seeds, "-o", "-"],
        [*COMPOSE, "merge", *seeds, "--lexical", "-o", "-"],
        repeat=args.repeat,
    )
    rows.append(("compose merge (5 seeds)", merged, merge_rss, ""))
    rows.append(("compose merge --lexical (5 seeds)", lexical, lexical_rss, ""))

    if args.corpus.is_dir():
        base_time = base_bullets = None
        with tempfile.TemporaryDirectory() as tmp:
            for factor in (int(s) for s in args.scales.split(",")):
                directory = Path(tmp) / f"x{factor}"
                files = scaled_corpus(args.corpus, factor, directory)
                runs = best_of(
                    [sys.executable, "-c", MISTUNE_FLOOR, str(directory)],
                    [sys.executable, "-c", PARSE_FLOOR, str(directory)],
                    [sys.executable, "-c", EMBED_FLOOR, str(directory)],
                    [*COMPOSE, "report", str(directory), "--format", "json", "-o", "-"],
                    repeat=args.repeat,
                )
                (mistune_time, mistune_rss, _), (parse_time, parse_rss, counted) = runs[:2]
                (embed_time, embed_rss, _), (report_time, report_rss, _) = runs[2:]
                bullets = int(counted.strip() or 0)
                label = f"x{factor}: {len(files)} files, {bullets} bullets"
                rows.append((f"mistune floor {label}", mistune_time, mistune_rss, ""))
                rows.append((f"parse floor {label}", parse_time, parse_rss, ""))
                rows.append((f"parse+embed floor {label}", embed_time, embed_rss, ""))
                growth = ""
                if base_time is None:
                    base_time, base_bullets = report_time, bullets
                elif base_bullets:
                    ratio = bullets / base_bullets
                    growth = f", {report_time / base_time:.1f}x time for {ratio:.1f}x bullets"
                rows.append(
                    (
                        f"compose report {label}",
                        report_time,
                        report_rss,
                        f"{report_time / embed_time:.2f}x parse+embed floor,"
                        f" {report_time / parse_time:.2f}x parse floor"
                        f" ({report_time / mistune_time:.2f}x mistune floor){growth}",
                    )
                )
                shutil.rmtree(directory)
            # Parsing must stay linear in a file's size up to the largest file accepted.
            largest = largest_agent(args.corpus, Path(tmp))
            (mistune_time, mistune_rss, _), (parse_time, parse_rss, counted) = best_of(
                [sys.executable, "-c", MISTUNE_FLOOR, str(largest)],
                [sys.executable, "-c", PARSE_FLOOR, str(largest)],
                repeat=args.repeat,
            )
            label = f"one {largest.stat().st_size / 2**20:.1f} MiB agent, {counted.strip()} bullets"
            rows.append((f"mistune floor {label}", mistune_time, mistune_rss, ""))
            rows.append(
                (
                    f"parse floor {label}",
                    parse_time,
                    parse_rss,
                    f"{parse_time / mistune_time:.2f}x mistune floor",
                )
            )
    else:
        print(f"(no corpus at {args.corpus}: report benchmarks skipped)")

    width = max(len(r[0]) for r in rows)
    print(f"{'run':<{width}}  {'seconds':>8}  {'peak MiB':>8}  ratio")
    for name, seconds, rss, note in rows:
        print(f"{name:<{width}}  {seconds:8.3f}  {rss:8.1f}  {note}")


if __name__ == "__main__":
    main()
