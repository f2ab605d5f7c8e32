"""The library entry points behind the CLI: paths in, typed results out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from compose.clustering import DEFAULT_THRESHOLD, Clustering, Settings, cluster
from compose.consolidate import (
    Draft,
    MergedAgent,
    MergeOptions,
    arrange,
    draft,
    in_own_lists,
    merged_name,
    short_entries,
    walk,
)
from compose.covering import without_covered
from compose.errors import InputError, LossError
from compose.load import SourceFile, collect, load, loads
from compose.parallel import map_on_cores
from compose.parse import Agent, parse
from compose.progress import Progress, silent
from compose.render import render
from compose.tuning import merge_tuning
from compose.verify import Verification, verify

# Within a single agent only bullets near-identical in their words are one statement: it is
# normalised, not condensed, and merging a merged agent again changes nothing. The same line
# in two sections scores 0.95; one word more ("Success metrics tracking", "Success tracking")
# about 0.88. The embedding is for paraphrases across agents: lines one author wrote apart
# stay apart.
SINGLE_AGENT = Settings(threshold=0.9, semantic=False)
# Fewer files per core than this are parsed in this process (a file takes about 5 ms).
PARSE_MIN_FILES = 50


@dataclass(frozen=True)
class Loaded:
    agents: tuple[Agent, ...]
    notes: tuple[str, ...]  # skipped files and per-file warnings, for stderr

    @property
    def paths(self) -> tuple[str, ...]:
        """Every file read: an output must be none of them."""
        return tuple(a.path for a in self.agents)


def load_agents(
    paths: Sequence[str | Path], exclude: Sequence[str] = (), progress: Progress = silent
) -> Loaded:
    """Load and parse every agent named by paths (directories are searched)."""
    collected = collect(paths, exclude)
    # Read in order, so that of several bad files the first is the one reported.
    loaded = [load(path) for path in collected.files]
    # A slash command found in a folder is not an agent (it takes $ARGUMENTS); named, it is read.
    commands = [s for s in loaded if Path(s.path) in collected.searched and _is_command(s)]
    skipped = collected.skipped + tuple(
        f"{s.path}: skipped (a slash command: it uses $ARGUMENTS)" for s in commands
    )
    if commands and len(commands) == len(loaded):
        raise InputError(", ".join(map(str, paths)), "no agent files to read (only slash commands)")
    sources, renamed = disambiguate([s for s in loaded if s not in commands])
    progress("reading agents", 0, len(sources))
    agents = tuple(
        map_on_cores(
            parse,
            sources,
            PARSE_MIN_FILES,
            lambda done, total: progress("reading agents", done, total),
        )
    )
    warnings = tuple(f"{a.path}: {w}" for a in agents for w in a.source.warnings)
    return Loaded(agents, skipped + warnings + renamed)


def _is_command(source: SourceFile) -> bool:
    return "$ARGUMENTS" in source.body


def disambiguate(sources: Sequence[SourceFile]) -> tuple[list[SourceFile], tuple[str, ...]]:
    """Agents that share a name get the shortest distinguishing folder suffix: a (x/y); two
    in one folder, the shortest distinguishing suffix of their paths: a (lst97-a.md)."""
    by_name: dict[str, list[int]] = {}
    for i, source in enumerate(sources):
        by_name.setdefault(source.name, []).append(i)
    result = list(sources)
    notes = []
    for name, indexes in by_name.items():
        if len(indexes) < 2:
            continue
        paths = [Path(sources[i].path).resolve() for i in indexes]
        parents = [path.parent.parts[1:] for path in paths]  # "/" would read "//tmp"
        if len(set(parents)) < len(parents):
            parents = [path.parts[1:] for path in paths]
        depth = 1
        while depth < max(len(p) for p in parents) and len({p[-depth:] for p in parents}) < len(
            parents
        ):
            depth += 1
        for i, parts in zip(indexes, parents, strict=True):
            alias = f"{name} ({'/'.join(parts[-depth:])})"
            if any(alias == result[j].name for j in indexes if j != i):
                alias = f"{name} ({sources[i].path})"
            result[i] = replace(sources[i], alias=alias)
        notes.append(
            f"{len(indexes)} agents are named '{name}'; told apart as "
            + ", ".join(f"'{result[i].name}'" for i in indexes)
        )
    return result, tuple(notes)


def overlap(
    paths: Sequence[str | Path], threshold: float = DEFAULT_THRESHOLD, semantic: bool = True
) -> Clustering:
    """Cluster the bullets of the agents named by paths (semantic=False: words only)."""
    return cluster(load_agents(paths).agents, Settings(threshold=threshold, semantic=semantic))


@dataclass(frozen=True)
class MergeResult:
    """A verified merge: the Markdown to write and everything that explains it."""

    text: str
    agent: MergedAgent
    clustering: Clustering
    verification: Verification
    notes: tuple[str, ...]

    def summary(self) -> str:
        stats = self.agent.stats
        return (
            f"{stats.bullets_in} bullets in, {stats.lines_out} lines out, "
            f"{stats.clusters_merged} clusters merged, {len(self.notes)} warnings"
        )


def merge_agents(
    agents: Sequence[Agent],
    *,
    options: MergeOptions | None = None,
    settings: Settings | None = None,
    provenance: bool = False,
    notes: Sequence[str] = (),
    progress: Progress = silent,
) -> MergeResult:
    """Merge parsed agents; raises LossError (and returns nothing) if anything would be lost."""
    settings = settings or Settings()
    options = options or MergeOptions()
    if options.name is None and len(agents) > 1:
        naming: list[str] = []
        # Named from the names the files give themselves: "dup (x)" is for messages only.
        declared = [a.source.declared_name for a in agents]
        options = replace(options, name=merged_name(declared, naming))
        notes = (*notes, *naming)
    agents, copies = without_copies(agents)
    notes = (*notes, *copies)
    if len(agents) == 1:
        settings = replace(
            settings,
            threshold=max(settings.threshold, SINGLE_AGENT.threshold),
            semantic=SINGLE_AGENT.semantic,
        )
    clustering = cluster(agents, settings, progress)
    notes = (*notes, *(c.summary() for c in clustering.conflicts))
    progress("composing the merged agent", 0, None)
    merged = without_covered(settled(draft(clustering, options)))
    text = render(merged, provenance=provenance, description_style=options.description_style)
    progress("checking that nothing is lost", 0, None)
    verification = verify(clustering, merged, text)
    if not verification.ok:
        raise LossError(
            None, f"refusing to write a merge that loses content: {verification.summary()}"
        )
    return MergeResult(text, merged, clustering, verification, tuple(notes) + merged.warnings)


def without_copies(agents: Sequence[Agent]) -> tuple[list[Agent], tuple[str, ...]]:
    """The agents less copies of another's body (collections ship one agent under several
    names): a copy adds nothing, and its lines must not be merged with its twin's."""
    kept: dict[str, Agent] = {}
    notes = []
    for agent in sorted(agents, key=lambda a: (a.name, a.path)):
        body = agent.source.body.strip()
        twin = kept.get(body)
        if twin is None:
            kept[body] = agent
        else:
            notes.append(f"{agent.name} has the same body as {twin.name}; merged once")
    return list(kept.values()), tuple(notes)


def settled(plan: Draft) -> MergedAgent:
    """The merged agent arranged so that merging it again changes nothing.

    Clusters kept apart in context (items of one source list, a member unlike the other
    cluster) can give lines that are near-identical in two sections of the merged agent; in
    one section they are items of one list and stay apart. The merged agent is read back, and
    the lines a merge of it would join are moved into one section, until none are left or a
    round finds no fewer (what is left, moving lines cannot part: a member kept apart, its
    line).
    """
    together: list[set[str]] = []
    left = None  # groups the last read-back found
    for _ in range(merge_tuning().settle_rounds):
        merged = arrange(plan, together)
        groups = _joined_again(merged)
        if left is not None and len(groups) >= left:
            break
        left = len(groups)
        grown = _joined(together, groups)
        if sorted(map(sorted, grown)) == sorted(map(sorted, together)):
            break
        together = grown
    return merged


def _joined(together: list[set[str]], groups: list[set[str]]) -> list[set[str]]:
    """together with each of groups added, groups that share a cluster id made one."""
    joined = [set(g) for g in together]
    for group in groups:
        overlapping = [g for g in joined if not g.isdisjoint(group)]
        joined = [g for g in joined if g.isdisjoint(group)]
        joined.append(set(group).union(*overlapping))
    return joined


def _joined_again(merged: MergedAgent) -> list[set[str]]:
    """Groups of cluster ids whose lines a merge of the merged agent would join."""
    again = parse(loads(render(merged), f"{merged.name}.md"))
    lines = [line for section in merged.sections for line in walk(section.lines)]
    if len(again.bullets) != len(lines):
        return []  # a line that does not read back as one item: nothing to match it by
    cluster_of = {b.id: line.cluster for b, line in zip(again.bullets, lines, strict=True)}
    clustering = cluster([again], SINGLE_AGENT)
    # Short entries of several lists ("Authentication mechanisms" under "Application
    # security:" and under "Implementation approach:") each stay in their list: not joined.
    entries = short_entries([again])
    return [
        {cluster_of[m.id] for m in c.members}
        for c in clustering.clusters
        if len(c.members) > 1 and not in_own_lists(c.members, entries)
    ]


def merge(
    paths: Sequence[str | Path],
    *,
    name: str | None = None,
    model: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    provenance: bool = False,
    semantic: bool = True,
) -> MergeResult:
    """Merge the agents named by paths into one lossless, deduplicated agent (semantic=False:
    bullets are compared by their words only)."""
    if not paths:
        raise InputError(None, "no input files")
    loaded = load_agents(paths)
    return merge_agents(
        loaded.agents,
        options=MergeOptions(name=name, model=model),
        settings=Settings(threshold=threshold, semantic=semantic),
        provenance=provenance,
        notes=loaded.notes,
    )
