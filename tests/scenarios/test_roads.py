"""The road scenarios are what their READMEs say: Helsinki is the small day moved onto its
extract by ``scenarios.roads.relocate`` (reproduced byte for byte), and a grid town has the
streets, one-way ways, river and bridges its docstring promises."""

from __future__ import annotations

from pathlib import Path

import osmium

from scenarios.roads import relocate, write_grid_town
from tests.conftest import ROOT

HELSINKI = ROOT / "scenarios" / "helsinki"


def test_helsinki_is_the_small_day_relocated_as_its_readme_says(tmp_path: Path) -> None:
    carers = [f"CR{k:03d}" for k in range(1, 16)]
    cycling = {"CR004", "CR010"}
    modes = {
        carer: "walk" if k % 2 == 1 else ("bike" if carer in cycling else "car")
        for k, carer in enumerate(carers, start=1)
    }
    relocate(
        ROOT / "scenarios" / "small", HELSINKI / "Helsinki.osm.pbf", tmp_path, modes, seed=7,
        address=("Helsinki city centre", "00100"),
    )  # fmt: skip
    for table in ("carers.csv", "clients.csv", "visits.csv", "history.csv", "skills.csv"):
        assert (tmp_path / table).read_bytes() == (HELSINKI / table).read_bytes(), table
    readme = (HELSINKI / "README.md").read_text(encoding="utf-8")
    assert "OpenStreetMap contributors" in readme and "ODbL" in readme


def test_a_grid_town_has_its_one_way_streets_river_and_bridges(tmp_path: Path) -> None:
    town = write_grid_town(tmp_path / "grid.osm.pbf", streets=8, shape=1, island=True)
    ways = [
        dict(way.tags)
        for way in osmium.FileProcessor(str(town.path)).with_filter(
            osmium.filter.EntityFilter(osmium.osm.WAY)
        )
    ]
    assert len(ways) == town.ways
    # 8 rows; 8 columns of which the 6 that are not bridges are cut by the river; island 6
    assert town.ways == 8 + 2 + 6 * 2 + 6
    assert sum(tags.get("oneway") in ("yes", "-1") for tags in ways) > 0
    assert sum(tags.get("highway") == "primary" for tags in ways) > 0
    assert town.nodes == 8 * 8 + 1 * (2 * 8 * 7 - (8 - 2)) + 9
