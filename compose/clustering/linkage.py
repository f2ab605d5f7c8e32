"""Linkage: average linkage with a floor.

Two clusters join only when their mean cross similarity clears the threshold *and* every
cross pair clears the floor, so one bridging bullet cannot chain unrelated bullets together.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Sequence

from compose.clustering.candidates import Completion
from compose.parse import Bullet


def average_linkage(
    n: int,
    edges: dict[tuple[int, int], float],
    threshold: float,
    complete: Completion | None = None,
) -> list[list[int]]:
    """Agglomerate while the best mean cross similarity >= threshold and no pair is missing.

    A pair below the floor is absent from edges, so a cluster pair with any absent cross pair
    can never merge. A link carries the sum of the pairs it knows and how many: one that knows
    fewer than all its pairs is incomplete, and when its mean reaches the top of the queue,
    complete scores the rest and decides (without blocking nothing is left to score: it is
    dropped). A merge folds the smaller link table into the larger, so a cluster that keeps
    growing is not rebuilt each time; queue entries name clusters by any member that was once
    their key, resolved through `parent`. A merge queues nothing: an entry that comes off the
    queue above its link's present mean queues the link again at that mean.
    """
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    parent = list(range(n))
    links: dict[int, dict[int, tuple[float, int]]] = defaultdict(dict)  # sum, known pairs
    for (i, j), score in edges.items():
        links[i][j] = (score, 1)
        links[j][i] = (score, 1)
    # Links at their first mean, sorted once with the best at the end (a pop from a list is
    # cheaper than from a heap of them all); links queued again go on a heap beside it.
    ranked = sorted(
        ((-score, i, j) for (i, j), score in edges.items() if score >= threshold), reverse=True
    )
    heap: list[tuple[float, int, int]] = []

    while ranked or heap:
        if heap and (not ranked or heap[0] < ranked[-1]):
            negative_mean, a, b = heapq.heappop(heap)
        else:
            negative_mean, a, b = ranked.pop()
        if parent[a] != a:  # inline check: most entries name a current key
            a = _root(parent, a)
        if parent[b] != b:
            b = _root(parent, b)
        if a > b:  # the order complete scores a pair's members in
            a, b = b, a
        link = links[a].get(b) if a != b else None
        if link is None:
            continue  # merged or dropped
        mean = link[0] / link[1]
        if abs(mean + negative_mean) > 1e-12:
            if mean < -negative_mean and mean >= threshold:  # fell since: queue it again
                heapq.heappush(heap, (-mean, a, b))
            continue  # a rise was queued when it happened
        size = len(members[a]) * len(members[b])
        if link[1] < size:
            exact = complete(members[a], members[b]) if complete is not None else None
            if exact is None:
                del links[a][b], links[b][a]
            else:
                links[a][b] = links[b][a] = exact
                if exact[0] / size >= threshold:
                    heapq.heappush(heap, (-exact[0] / size, a, b))
            continue
        keep, fold = (a, b) if (len(links[a]), b) >= (len(links[b]), a) else (b, a)
        parent[fold] = keep
        members[keep] = sorted(members[keep] + members.pop(fold))
        kept = links[keep]
        del kept[fold]
        # Links only the kept side has keep their sum and count; their heap entries stay.
        for other, (total, count) in links.pop(fold).items():
            if other == keep:
                continue
            del links[other][fold]
            known = kept.get(other, (0.0, 0))
            merged = (known[0] + total, known[1] + count)
            # No push: a merged mean lies between its parts' means, so the higher part's
            # entry still names this link and comes off the heap first, then queues it again.
            kept[other] = links[other][keep] = merged
    return sorted(members.values())


def apply_same(
    groups: list[list[int]], bullets: Sequence[Bullet], same: Sequence[tuple[str, str]]
) -> list[list[int]]:
    """Pinned `same` decisions join the two bullets' clusters whatever their similarity."""
    if not same:
        return groups
    index = {b.id: i for i, b in enumerate(bullets)}
    group_of = {i: g for g, members in enumerate(groups) for i in members}
    parent = list(range(len(groups)))
    for first, second in same:
        if first in index and second in index:
            a = _root(parent, group_of[index[first]])
            b = _root(parent, group_of[index[second]])
            parent[max(a, b)] = min(a, b)
    joined: dict[int, list[int]] = defaultdict(list)
    for g, members in enumerate(groups):
        joined[_root(parent, g)].extend(members)
    return [sorted(m) for _, m in sorted(joined.items())]


def _root(parent: list[int], i: int) -> int:
    """Union-find root of i, halving the path on the way up."""
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i
