"""Collection-sized work on every core: forked workers, results in input order.

Workers are forked, so they inherit the work and everything it refers to: nothing large is
pickled on the way in, only results on the way out. Small inputs stay in this process, where
forking would cost more than it saves.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

_T = TypeVar("_T")
_X = TypeVar("_X")


def workers_for(items: int, min_per_core: int) -> int:
    """How many workers items are worth: the usable cores (Linux), at least min_per_core
    items each; 1 means stay in this process."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    return max(1, min(cores, items // min_per_core))


def map_on_cores(
    function: Callable[[_X], _T],
    items: Sequence[_X],
    min_per_core: int,
    progress: Callable[[int, int], None] | None = None,
) -> list[_T]:
    """[function(item) for item in items], on every core when there are enough items.

    progress, if given, is called with (items done, items in all) as work completes.
    """
    total = len(items)
    workers = workers_for(total, min_per_core)
    if workers < 2:
        results = []
        for item in items:
            results.append(function(item))
            if progress is not None:
                progress(len(results), total)
        return results
    # More shares than workers when progress is shown, so that it moves while work runs.
    shares = workers * 8 if progress is not None else workers
    out: list[Any] = [None] * total
    done = 0
    tasks = in_parallel(lambda k, n: [function(item) for item in items[k::n]], shares, workers)
    for k, share in enumerate(tasks):
        out[k::shares] = share
        done += len(share)
        if progress is not None:
            progress(done, total)
    return out


def in_parallel(task: Callable[[int, int], _T], shares: int, workers: int) -> Iterator[_T]:
    """task(k, shares) for k in range(shares), in order, each on one of workers forked workers.

    Shares deal items in turn (k, k + n, ...), which evens the load when later items are
    cheaper, as rows with fewer later partners are.
    """
    import multiprocessing  # here: small inputs do not pay for the import

    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_adopt, initargs=(task,)) as pool:
        yield from pool.imap(_run_share, [(k, shares) for k in range(shares)])


_worker_task: Callable[[int, int], Any] | None = None


def _adopt(task: Callable[[int, int], Any]) -> None:
    global _worker_task
    _worker_task = task


def _run_share(share: tuple[int, int]) -> Any:
    assert _worker_task is not None
    return _worker_task(*share)
