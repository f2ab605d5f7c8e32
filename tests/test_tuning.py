from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path

import pytest

from compose import tomlfile
from compose.errors import ConfigError
from compose.tuning import (
    MergeTuning,
    Tuning,
    _record,
    default_tuning,
    diff_tuning,
    load_tuning,
    merge_tuning,
    report_tuning,
    term_tuning,
)


def test_every_number_in_the_data_file_is_a_field_of_one_record() -> None:
    """The file and the records name the same keys: a table per stage, the clustering's at
    the top level, and nothing left over on either side."""
    data = tomlfile.package_data("tuning.toml")
    tables = {"terms": term_tuning(), "merge": merge_tuning(), "report": report_tuning()}
    tables["diff"] = diff_tuning()
    assert {k for k, v in data.items() if isinstance(v, dict)} == set(tables)
    for name, record in tables.items():
        assert {f.name for f in fields(record)} == set(data[name])
    top = {k for k, v in data.items() if not isinstance(v, dict)}
    assert top == {f.name for f in fields(Tuning)}
    assert merge_tuning().examples == 4  # the description keeps four examples by default


def test_tuning_file_changes_only_the_keys_it_names(tmp_path: Path) -> None:
    path = tmp_path / "try.toml"
    path.write_text("threshold = 0.42\nneighbours = 20\n", encoding="utf-8")
    tuning = load_tuning(path)
    assert (tuning.threshold, tuning.neighbours) == (0.42, 20)
    assert replace(tuning, threshold=0.38, neighbours=12) == default_tuning()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("treshold = 0.4\n", "unknown tuning key 'treshold'"),
        ("threshold = 'high'\n", "tuning key 'threshold' must be a number"),
        ("neighbours = 1.5\n", "tuning key 'neighbours' must be a whole number"),
        ("threshold = \n", "cannot read tuning file"),
        ("[merge]\nexamples = 2\n", "unknown tuning key 'merge'"),
    ],
)
def test_a_bad_tuning_file_is_refused_with_the_key_named(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = tmp_path / "try.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=problem):
        load_tuning(path)


def test_a_table_missing_a_key_is_refused_with_the_key_named() -> None:
    table = {f.name: 1 for f in fields(MergeTuning)}
    del table["fold_max_parts"]
    with pytest.raises(ConfigError, match="tuning key 'fold_max_parts' must be a number"):
        _record(MergeTuning, table, Path("tuning.toml"))
