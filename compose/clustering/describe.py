"""Describe: a group of bullets -> a Cluster that explains itself (its most central phrasing,
the terms its members share, its weakest pair)."""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Sequence

from compose.clustering.features import OWN_SUBJECT, Features
from compose.clustering.result import Cluster
from compose.parse import Bullet
from compose.terms import named_terms, surface_forms
from compose.topics import topic_order


def describe(
    group: list[int], features: Sequence[Features], pairs: dict[tuple[int, int], float]
) -> Cluster:
    """pairs: the scored pairs inside the group (all of them, unless it is large or pinned)."""
    bullets = [features[i].bullet for i in group]
    if len(group) == 1:
        only = bullets[0]
        return Cluster(_cluster_id(bullets), only.topic, 1.0, only, (), tuple(bullets))
    if not pairs:  # joined only by pinned decisions
        pairs = {(group[0], group[1]): 0.0}
    centrality = dict.fromkeys(group, 0.0)
    for (i, j), score in pairs.items():
        centrality[i] += score
        centrality[j] += score
    top = max(round(c, 9) for c in centrality.values())
    tied = [i for i in group if round(centrality[i], 9) == top]
    # Equally central phrasings: the one naming more technologies, then the earliest.
    best = tied[0]
    if len({features[i].bullet.text for i in tied}) > 1:
        best = max(tied, key=lambda i: (len(named_terms(features[i].bullet.text)), -i))
    weakest = min(pairs, key=lambda p: (pairs[p], p))
    topics = Counter(b.topic for b in bullets)
    order = topic_order()
    # The most members' topic; of equally many, the representative's, whose words the line
    # is written in ("health checks, logging, metrics" under DevOps, not Architecture).
    rep_topic = features[best].bullet.topic
    topic = min(topics, key=lambda t: (-topics[t], t != rep_topic, order.get(t, len(order))))
    return Cluster(
        id=_cluster_id(bullets),
        topic=topic,
        score=round(sum(pairs.values()) / len(pairs), 4),
        representative=features[best].bullet,
        terms=_shared_terms([features[i] for i in group]),
        members=tuple(sorted(bullets, key=bullet_key)),
        least_similar=(
            features[weakest[0]].bullet.id,
            features[weakest[1]].bullet.id,
            round(pairs[weakest], 4),
        ),
    )


def _shared_terms(group: Sequence[Features]) -> tuple[str, ...]:
    """Terms in at least half the members (and two), heaviest first, as written."""
    counts = Counter(t for f in group for t in f.weights if t != OWN_SUBJECT)
    needed = max(2, math.ceil(len(group) / 2))
    common = [t for t, c in counts.items() if c >= needed]
    weight = {t: sum(f.weights.get(t, 0.0) for f in group) for t in common}
    shared = sorted(common, key=lambda t: (-weight[t], t))
    surface: dict[str, str] = {}
    for f in group:
        if all(t in surface for t in shared):
            break
        for t, form in surface_forms(f.bullet.text).items():
            surface.setdefault(t, form)
    forms = list(dict.fromkeys(surface.get(t, t) for t in shared))
    # "message" adds nothing beside "message queues", nor "event" beside "event-driven", nor
    # "ci" beside "ci/cd".
    words = {w for f in forms for w in re.split(r"[\s/-]+", f) if w != f}
    return tuple(f for f in forms if f not in words)


def _cluster_id(bullets: Sequence[Bullet]) -> str:
    digest = hashlib.blake2b("\n".join(sorted(b.id for b in bullets)).encode(), digest_size=5)
    return "c" + digest.hexdigest()


def bullet_key(bullet: Bullet) -> tuple[str, int, str]:
    return (bullet.agent, bullet.line, bullet.id)
