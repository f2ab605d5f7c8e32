from __future__ import annotations

import os

import pytest

from compose import api
from compose.load import collect, load
from compose.parallel import map_on_cores, workers_for
from compose.parse import parse
from tests.conftest import CORPUS, needs_corpus


@pytest.fixture
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1}, raising=False)


def test_small_inputs_stay_in_this_process(two_cores: None) -> None:
    assert workers_for(9, min_per_core=10) == 1
    assert workers_for(25, min_per_core=10) == 2
    assert workers_for(10_000, min_per_core=10) == len(os.sched_getaffinity(0)) == 2


@pytest.mark.parametrize("with_progress", [False, True])
def test_results_come_back_in_input_order(two_cores: None, with_progress: bool) -> None:
    items = [f"item {i}" for i in range(101)]
    calls: list[tuple[int, int]] = []
    progress = (lambda done, total: calls.append((done, total))) if with_progress else None
    assert map_on_cores(str.upper, items, min_per_core=10, progress=progress) == [
        item.upper() for item in items
    ]
    if with_progress:
        assert len(calls) > 2  # it moved while work ran
        assert [done for done, _ in calls] == sorted(done for done, _ in calls)
        assert calls[-1] == (101, 101)


def test_progress_counts_every_item_in_this_process() -> None:
    calls: list[tuple[int, int]] = []
    map_on_cores(len, ["a", "bb", "ccc"], min_per_core=10, progress=lambda *c: calls.append(c))
    assert calls == [(1, 3), (2, 3), (3, 3)]


@needs_corpus
def test_files_parsed_on_two_cores_equal_files_parsed_in_one(two_cores: None) -> None:
    collection = CORPUS / "0xfurai+claude-code-subagents"  # 136 files: two workers
    assert workers_for(136, api.PARSE_MIN_FILES) == 2
    sources, _ = api.disambiguate([load(path) for path in collect([collection]).files])
    assert api.load_agents([collection]).agents == tuple(parse(s) for s in sources)
