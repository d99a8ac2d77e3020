"""A synthetic road network written as an OpenStreetMap extract (``.osm.pbf``), for tests and
benchmarks of road travel at any size without shipping a county's map.

A grid town: streets every ``block_m`` metres, each block's street bent through ``shape``
shape points as real ways are; every tenth street a main road with a tagged limit; every
fourth of the others one-way, alternating direction; a river across the town, crossed by two
bridges only; optionally an island with its own streets that no road reaches.
"""

from __future__ import annotations

import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["GridTown", "relocate", "write_grid_town"]

_M_PER_DEG = 111_195.0


@dataclass(frozen=True)
class GridTown:
    """What was written: ``streets`` x ``streets`` junctions around (``lat``, ``lon``)."""

    path: Path
    streets: int
    block_m: float
    lat: float
    lon: float
    nodes: int
    ways: int
    river_row: int
    bridges: tuple[int, int]
    island: tuple[float, float] | None

    def junction(self, row: int, column: int) -> tuple[float, float]:
        """(lat, lon) of a junction: row 0 is the south edge, column 0 the west."""
        return _at(self.lat, self.lon, self.streets, self.block_m, row, column)


def _at(lat: float, lon: float, streets: int, block_m: float, row: float, column: float):
    half = (streets - 1) / 2
    north = (row - half) * block_m
    east = (column - half) * block_m
    return (
        lat + north / _M_PER_DEG,
        lon + east / (_M_PER_DEG * math.cos(math.radians(lat))),
    )


def write_grid_town(
    path: Path,
    streets: int = 40,
    shape: int = 2,
    block_m: float = 120.0,
    lat: float = 54.60,
    lon: float = -5.93,
    island: bool = False,
    seed: int = 0,
) -> GridTown:
    """Write the town to ``path`` (whole or not at all) and say what is where."""
    import osmium

    rng = np.random.default_rng(seed)
    river = streets // 2  # the river runs between rows river-1 and river
    bridges = (streets // 4, (3 * streets) // 4)
    ids = iter(range(1, 1 << 40))
    nodes: list[tuple[int, float, float]] = []
    ways: list[tuple[list[int], dict[str, str]]] = []
    junction: dict[tuple[int, int], int] = {}
    for row in range(streets):
        for column in range(streets):
            node = next(ids)
            junction[row, column] = node
            nodes.append((node, *_at(lat, lon, streets, block_m, row, column)))

    def bend(a: tuple[int, int], b: tuple[int, int]) -> list[int]:
        """Shape points between two junctions, a little off the straight line."""
        points = []
        for k in range(1, shape + 1):
            t = k / (shape + 1)
            row = a[0] + (b[0] - a[0]) * t + rng.uniform(-0.04, 0.04) * (a[1] != b[1])
            column = a[1] + (b[1] - a[1]) * t + rng.uniform(-0.04, 0.04) * (a[0] != b[0])
            node = next(ids)
            nodes.append((node, *_at(lat, lon, streets, block_m, row, column)))
            points.append(node)
        return points

    def street(cells: list[tuple[int, int]], number: int) -> None:
        if len(cells) < 2:
            return
        chain = [junction[cells[0]]]
        for a, b in zip(cells, cells[1:], strict=False):
            chain += bend(a, b) + [junction[b]]
        if number % 10 == 0:
            tags = {"highway": "primary", "maxspeed": "30 mph"}
        else:
            tags = {"highway": "residential"}
            if number % 4 == 1:
                tags["oneway"] = "yes" if (number // 4) % 2 == 0 else "-1"
        ways.append((chain, tags))

    for row in range(streets):
        street([(row, column) for column in range(streets)], row)
    for column in range(streets):
        cells = [(row, column) for row in range(streets)]
        if column in bridges:
            street(cells, column)
        else:  # the river cuts this street in two
            street(cells[:river], column)
            street(cells[river:], column)
    placed = None
    if island:  # a 3x3 grid a kilometre east of the town, with no road to it
        far = streets - 1 + 1000 / block_m
        small = {}
        for row in range(3):
            for column in range(3):
                node = next(ids)
                small[row, column] = node
                nodes.append((node, *_at(lat, lon, streets, block_m, row, far + column)))
        for k in range(3):
            ways.append(([small[k, c] for c in range(3)], {"highway": "residential"}))
            ways.append(([small[r, k] for r in range(3)], {"highway": "residential"}))
        placed = _at(lat, lon, streets, block_m, 1, far + 1)

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".osm.pbf")
    os.close(handle)
    os.unlink(temporary)  # osmium will not write over a file
    try:
        writer = osmium.SimpleWriter(temporary)
        for node, node_lat, node_lon in nodes:
            writer.add_node(
                osmium.osm.mutable.Node(id=node, location=osmium.osm.Location(node_lon, node_lat))
            )
        for number, (chain, tags) in enumerate(ways, start=1):
            writer.add_way(osmium.osm.mutable.Way(id=number, nodes=chain, tags=tags))
        writer.close()
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return GridTown(
        path=path,
        streets=streets,
        block_m=block_m,
        lat=lat,
        lon=lon,
        nodes=len(nodes),
        ways=len(ways),
        river_row=river,
        bridges=bridges,
        island=placed,
    )


def relocate(
    source: Path,
    extract: Path,
    out: Path,
    modes: dict[str, str],
    seed: int = 0,
    address: tuple[str, str] | None = None,
) -> None:
    """Copy the scenario folder ``source`` to ``out`` with every home and client moved to a
    random place within 60 m of a footway or street of ``extract`` (how ``scenarios/helsinki``
    was made from ``scenarios/small``); ``modes`` gives carers a travel mode by id, ``address``
    every client an (address, postcode) in place of the old town's."""
    import shutil

    import pandas as pd

    from routing.road import RoadTravel

    graph, network = RoadTravel(extract, cache=out / ".cache").graph("walk")
    shutil.rmtree(out / ".cache", ignore_errors=True)
    lat, lon = graph.lat[network], graph.lon[network]
    rng = np.random.default_rng(seed)

    def somewhere() -> tuple[float, float]:
        node = rng.integers(len(lat))
        north, east = rng.uniform(-60, 60, size=2)
        across = _M_PER_DEG * math.cos(math.radians(lat[node]))
        return (
            round(float(lat[node] + north / _M_PER_DEG), 6),
            round(float(lon[node] + east / across), 6),
        )

    out.mkdir(parents=True, exist_ok=True)
    for table in source.glob("*.csv"):
        shutil.copy(table, out / table.name)
    carers = pd.read_csv(source / "carers.csv", dtype=str, keep_default_na=False)
    homes = [somewhere() for _ in range(len(carers))]
    carers["home_lat"] = [h[0] for h in homes]
    carers["home_lon"] = [h[1] for h in homes]
    carers["travel_mode"] = [modes.get(i, "car") for i in carers["id"]]
    carers.to_csv(out / "carers.csv", index=False)
    clients = pd.read_csv(source / "clients.csv", dtype=str, keep_default_na=False)
    places = [somewhere() for _ in range(len(clients))]
    clients["lat"] = [p[0] for p in places]
    clients["lon"] = [p[1] for p in places]
    if address is not None:
        clients["address"], clients["postcode"] = address
    clients.to_csv(out / "clients.csv", index=False)
