"""Evaluate: score a clustering against a hand-labelled gold file.

Pairwise precision/recall/F1 over bullet pairs (ambiguous pairs excluded), B-cubed F1, and
the wrong merges and missed merges by name, so a regression can be read, not just counted.

A gold file is JSON: {"agents": {code: path relative to the file}, "clusters": [[member, ...]],
"ambiguous": [[member, member]]}, where a member is an agent code and a source line ("S145").
Bullets in no cluster are singletons.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from compose.api import disambiguate
from compose.clustering import Clustering, Settings, cluster
from compose.errors import ConfigError
from compose.load import load
from compose.parse import Agent, Bullet, parse

_MEMBER = re.compile(r"^([A-Za-z]+)(\d+)$")


@dataclass(frozen=True)
class GoldSet:
    path: str
    agents: tuple[Agent, ...]
    labels: dict[str, int]  # bullet id -> gold cluster number (singletons get their own)
    ambiguous: frozenset[frozenset[str]]
    texts: dict[str, str]


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float
    bcubed_f1: float
    true_pairs: int
    predicted_pairs: int
    wrong_merges: tuple[tuple[str, str], ...]  # texts of pairs merged but not in gold
    missed_merges: tuple[tuple[str, str], ...]

    def summary(self) -> str:
        return (
            f"pairwise P={self.precision:.3f} R={self.recall:.3f} F1={self.f1:.3f}  "
            f"B-cubed F1={self.bcubed_f1:.3f}  "
            f"(gold pairs {self.true_pairs}, predicted pairs {self.predicted_pairs})"
        )


def load_gold(path: str | Path) -> GoldSet:
    gold_path = Path(path)
    try:
        data = json.loads(gold_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(gold_path, f"cannot read gold file: {exc}") from None
    if not (
        isinstance(data, dict)
        and isinstance(data.get("agents"), dict)
        and all(isinstance(p, str) for p in data["agents"].values())
        and isinstance(data.get("clusters"), list)
        and all(isinstance(c, list) for c in data["clusters"])
        and isinstance(data.get("ambiguous", []), list)
        and all(isinstance(p, list) and len(p) == 2 for p in data.get("ambiguous", []))
    ):
        raise ConfigError(
            gold_path,
            "is not a gold file (expected 'agents': {code: path}, 'clusters': [[member, ...]])",
        )
    codes = sorted(data["agents"])
    # Agents that share a name are told apart as the CLI tells them apart.
    sources, _ = disambiguate([load(gold_path.parent / data["agents"][code]) for code in codes])
    agents = dict(zip(codes, map(parse, sources), strict=True))
    by_line: dict[tuple[str, int], Bullet] = {
        (code, b.line): b for code, agent in agents.items() for b in agent.bullets
    }

    def resolve(member: str) -> str:
        match = _MEMBER.match(member)
        bullet = by_line.get((match.group(1), int(match.group(2)))) if match else None
        if bullet is None:
            raise ConfigError(gold_path, f"'{member}' names no bullet")
        return bullet.id

    labels: dict[str, int] = {}
    for number, members in enumerate(data["clusters"]):
        for member in members:
            labels[resolve(member)] = number
    for bullet in by_line.values():
        labels.setdefault(bullet.id, len(labels) + len(data["clusters"]))
    ambiguous = _ambiguous_pairs(
        [(resolve(a), resolve(b)) for a, b in data.get("ambiguous", [])], labels
    )
    texts = {b.id: f"{b.agent}:{b.line} {b.text}" for b in by_line.values()}
    return GoldSet(str(gold_path), tuple(agents.values()), labels, ambiguous, texts)


def _ambiguous_pairs(
    pairs: list[tuple[str, str]], labels: dict[str, int]
) -> frozenset[frozenset[str]]:
    """'x may belong with y' means x may belong with y's whole gold cluster, either way."""
    members: dict[int, list[str]] = {}
    for bullet, label in labels.items():
        members.setdefault(label, []).append(bullet)
    expanded = set()
    for a, b in pairs:
        for x in members[labels[a]]:
            for y in members[labels[b]]:
                if x != y:
                    expanded.add(frozenset((x, y)))
    return frozenset(expanded)


def score(gold: GoldSet, clustering: Clustering) -> Score:
    predicted = {m.id: c.id for c in clustering.clusters for m in c.members}
    ids = sorted(gold.labels)
    gold_pairs, predicted_pairs = set(), set()
    for a, b in combinations(ids, 2):
        pair = frozenset((a, b))
        if pair in gold.ambiguous:
            continue
        if gold.labels[a] == gold.labels[b]:
            gold_pairs.add(pair)
        if predicted[a] == predicted[b]:
            predicted_pairs.add(pair)
    hits = len(gold_pairs & predicted_pairs)
    precision = hits / len(predicted_pairs) if predicted_pairs else 1.0
    recall = hits / len(gold_pairs) if gold_pairs else 1.0

    def named(pairs: set[frozenset[str]]) -> tuple[tuple[str, str], ...]:
        rows = (tuple(sorted(gold.texts[i] for i in pair)) for pair in pairs)
        return tuple(sorted((r[0], r[1]) for r in rows))

    return Score(
        precision=precision,
        recall=recall,
        f1=_harmonic(precision, recall),
        bcubed_f1=_bcubed(gold.labels, predicted),
        true_pairs=len(gold_pairs),
        predicted_pairs=len(predicted_pairs),
        wrong_merges=named(predicted_pairs - gold_pairs),
        missed_merges=named(gold_pairs - predicted_pairs),
    )


def evaluate(path: str | Path, settings: Settings | None = None) -> Score:
    gold = load_gold(path)
    return score(gold, cluster(gold.agents, settings))


def _harmonic(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _bcubed(gold: dict[str, int], predicted: dict[str, str]) -> float:
    """Per-bullet precision/recall of its cluster against its gold cluster, averaged."""
    gold_groups: dict[int, set[str]] = {}
    predicted_groups: dict[str, set[str]] = {}
    for bullet, label in gold.items():
        gold_groups.setdefault(label, set()).add(bullet)
        predicted_groups.setdefault(predicted[bullet], set()).add(bullet)
    precision = recall = 0.0
    for bullet, label in gold.items():
        same = len(gold_groups[label] & predicted_groups[predicted[bullet]])
        precision += same / len(predicted_groups[predicted[bullet]])
        recall += same / len(gold_groups[label])
    return _harmonic(precision / len(gold), recall / len(gold))
