"""The benchmark runner's judgement of a quick run, and its outputs."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from benchmarks.results import Case, Row, Suite, gap_pct, markdown, write_rows
from benchmarks.runner import _broken, _peer_ratios, _shard_arg, shard
from benchmarks.scale import SCALE

SUITE = Suite("toy", lambda quick: [], lambda case, limit: [], 1.0, 1.0, quick_gap_ceiling_pct=5.0)


def test_gap_is_percent_above_best_known() -> None:
    assert gap_pct(105.0, 100.0) == 5.0  # (105 - 100) / 100
    assert gap_pct(None, 100.0) is None and gap_pct(100.0, None) is None


def test_quick_run_fails_only_on_broken_results() -> None:
    assert _broken(SUITE, Row("toy", "a", "ortools", gap_pct=4.9, valid=True)) is None
    assert _broken(SUITE, Row("toy", "a", "ortools", gap_pct=5.1, valid=True)) is not None
    assert _broken(SUITE, Row("toy", "a", "ortools", valid=False)) == "invalid answer"
    assert _broken(SUITE, Row("toy", "a", "-", note="crash: boom")) == "crash: boom"
    # the peer's gap is information, not our failure
    assert _broken(SUITE, Row("toy", "a", "pyvrp", gap_pct=50.0, valid=True)) is None


def test_shards_share_every_case_once_and_alternate() -> None:
    cases = list(range(7))
    parts = [shard(cases, (k, 3)) for k in (1, 2, 3)]
    assert parts == [[0, 3, 6], [1, 4], [2, 5]]
    assert sorted(sum(parts, [])) == cases
    assert shard(cases, (1, 1)) == cases
    assert _shard_arg("2/2") == (2, 2)
    for bad in ("0/2", "3/2", "2", "a/b"):
        with pytest.raises(argparse.ArgumentTypeError):
            _shard_arg(bad)


def test_rows_written_as_csv_and_json(tmp_path: Path) -> None:
    rows = [Row("toy", "a", "ortools", objective=10.0, best_known=9.0, gap_pct=11.11)]
    write_rows(rows, tmp_path / "r.csv")
    assert (tmp_path / "r.csv").read_text().splitlines()[1].startswith("toy,a,ortools,10.0,9.0")
    assert json.loads((tmp_path / "r.json").read_text())[0]["gap_pct"] == 11.11
    assert "| toy | a | ortools | 10.00 | 9.00 | 11.11 |" in markdown(rows)


def test_scale_suite_sizes_and_limits() -> None:
    full = SCALE.cases(False)
    assert [c.size for c in full] == [100] * 3 + [300] * 3 + [1000] * 3 + [3000] * 3
    assert SCALE.cases(True) == [Case("scale", "gen-300", size=300, params=(("limit", "0"),))]


def test_each_of_our_searches_is_compared_with_pyvrp_on_the_same_instances() -> None:
    rows = [
        Row("toy", "a", "ortools", objective=110.0, valid=True),
        Row("toy", "a", "domcare", objective=99.0, valid=True),
        Row("toy", "a", "pyvrp", objective=100.0, valid=True),
        Row("toy", "b", "domcare", objective=50.0, valid=True),  # no peer: not compared
    ]
    assert _peer_ratios(rows) == {("toy", "ortools"): [1.1], ("toy", "domcare"): [0.99]}
