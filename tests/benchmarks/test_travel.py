"""``python -m benchmarks.travel`` at a small size: every part runs and writes its rows, the
road plan is valid on roads and the straight-line plan is judged on them."""

from __future__ import annotations

import csv
from pathlib import Path

from benchmarks.travel import main


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as stream:
        return list(csv.DictReader(stream))


def test_the_travel_benchmark_writes_every_table(tmp_path: Path) -> None:
    argv = ["--streets", "15", "--table", "80", "--time-limits", "2", "--grid-day", ""]
    assert main([*argv, "--csv-dir", str(tmp_path)]) == 0
    network = _rows(tmp_path / "travel-network.csv")
    assert [row["mode"] for row in network] == ["car", "walk", "bike", "car", "car"]
    assert all(float(row["seconds"]) > 0 for row in network)
    ratios = _rows(tmp_path / "travel-ratios.csv")
    assert {row["mode"] for row in ratios} == {"car", "walk", "bike"}
    assert all(float(row["metres_median"]) >= 1.0 for row in ratios)  # never shorter
    straight, road = _rows(tmp_path / "travel-driven.csv")
    assert (straight["planned_on"], road["planned_on"]) == ("straight lines", "roads")
    assert road["violations_on_roads"] == "0" and road["later_than_planned"] == "0"
    assert int(straight["covered"]) > 0
