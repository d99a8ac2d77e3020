"""Road travel from an OpenStreetMap extract: one-way streets obeyed, a river crossed only at
its bridges, an island nobody reaches said to be unreachable, contraction of shape points
exact, the cache used, a bad file refused in words."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from routing import road
from routing.haversine import HaversineTravel
from routing.road import RoadError, RoadTravel, _speed
from routing.travel import UNREACHABLE_MINUTES, Place
from scenarios.roads import GridTown, write_grid_town
from tests.conftest import ROOT

HELSINKI = ROOT / "scenarios" / "helsinki" / "Helsinki.osm.pbf"


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory) -> GridTown:
    return write_grid_town(
        tmp_path_factory.mktemp("roads") / "town.osm.pbf", streets=12, island=True
    )


def _travel(town: GridTown, tmp_path: Path) -> RoadTravel:
    return RoadTravel(town.path, cache=tmp_path / "cache")


def test_a_one_way_street_is_driven_one_way_and_walked_both(town: GridTown, tmp_path: Path) -> None:
    # row 1 is one-way (every fourth street from the first); its two ends, a block apart
    a, b = Place("a", *town.junction(1, 4)), Place("b", *town.junction(1, 5))
    travel = _travel(town, tmp_path)
    car = travel.matrix([a, b], "car")
    walk = travel.matrix([a, b], "walk")
    assert car.metres[0, 1] != car.metres[1, 0]
    assert min(car.metres[0, 1], car.metres[1, 0]) == pytest.approx(town.block_m, rel=0.05)
    assert max(car.metres[0, 1], car.metres[1, 0]) > 2 * town.block_m  # round the block
    assert (
        walk.metres[0, 1]
        == walk.metres[1, 0]
        == car.metres.min(where=car.metres > 0, initial=10**9)
    )


def test_the_river_is_crossed_at_a_bridge(town: GridTown, tmp_path: Path) -> None:
    south = Place("s", *town.junction(town.river_row - 1, 0))
    north = Place("n", *town.junction(town.river_row, 0))  # a block apart, across the water
    walk = _travel(town, tmp_path).matrix([south, north], "walk")
    bridge = min(town.bridges)  # the nearest bridge: over and back along the bank
    assert walk.metres[0, 1] == pytest.approx((1 + 2 * bridge) * town.block_m, rel=0.02)
    straight = HaversineTravel().matrix([south, north], "walk")
    assert walk.minutes[0, 1] > 3 * straight.minutes[0, 1]


def test_a_client_on_an_island_is_unreachable_and_reported(town: GridTown, tmp_path: Path) -> None:
    assert town.island is not None
    places = [Place("home", *town.junction(0, 0)), Place("island", *town.island)]
    travel = _travel(town, tmp_path)
    for mode in ("car", "walk", "bike"):
        legs = travel.matrix(places, mode)
        assert legs.minutes[0, 1] == legs.minutes[1, 0] == UNREACHABLE_MINUTES
        assert legs.minutes[0, 0] == legs.minutes[1, 1] == 0
        (far,) = [snap for snap in travel.snaps[mode] if not snap.connected]
        assert far.key == "island" and far.metres < 60
    assert travel.far_places("car") == []  # on a road, though not one that joins the others


def test_a_place_far_from_every_road_is_reported(town: GridTown, tmp_path: Path) -> None:
    lat, lon = town.junction(0, 0)
    afar = Place("afar", lat - 0.01, lon)  # 1.1 km south of the town
    travel = _travel(town, tmp_path)
    legs = travel.matrix([Place("home", lat, lon), afar], "walk")
    (far,) = travel.far_places("walk")
    assert far.key == "afar" and 1000 < far.metres < 1200 and far.connected
    assert legs.minutes[0, 1] < UNREACHABLE_MINUTES  # off the road at the walking speed
    # off the road to its nearest node (a shape point of the south street), then along it
    assert far.metres <= legs.metres[0, 1] <= far.metres + town.block_m


def test_contracting_shape_points_changes_no_route(town: GridTown, tmp_path: Path) -> None:
    travel = _travel(town, tmp_path)
    rng = np.random.default_rng(5)
    for mode in ("car", "bike"):
        graph, _ = travel.graph(mode)
        nodes = rng.choice(graph.nodes, 25, replace=False)
        cost = (graph.deciseconds << road._METRE_BITS) | graph.metres
        whole = csr_matrix((cost.astype(float), (graph.tail, graph.head)), shape=(graph.nodes,) * 2)
        expected = dijkstra(whole, indices=nodes)[:, nodes]
        found = road._routes(graph, nodes, workers=1)
        assert np.array_equal(found, np.where(np.isfinite(expected), expected, -1).astype(np.int64))


def test_a_large_table_in_two_processes_is_the_same_table(town: GridTown, tmp_path: Path) -> None:
    graph, _ = _travel(town, tmp_path).graph("car")
    nodes = np.arange(0, graph.nodes, 3)[:200]
    assert np.array_equal(road._routes(graph, nodes, 1), road._routes(graph, nodes, 2))


def test_the_graph_is_read_once_then_cached(
    town: GridTown, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _travel(town, tmp_path).graph("walk")[0]
    assert len(list((tmp_path / "cache").glob("walk-*.npz"))) == 1

    def unread(*_: object) -> None:
        raise AssertionError("the extract was read again")

    monkeypatch.setattr(road, "read_road_graph", unread)
    again = _travel(town, tmp_path).graph("walk")[0]
    assert np.array_equal(first.deciseconds, again.deciseconds)


def test_an_unwritable_cache_only_means_no_cache(town: GridTown, tmp_path: Path) -> None:
    blocked = tmp_path / "a file"
    blocked.write_text("not a folder")
    legs = RoadTravel(town.path, cache=blocked / "cache").matrix(
        [Place("a", *town.junction(0, 0)), Place("b", *town.junction(3, 3))], "car"
    )
    assert 0 < legs.minutes[0, 1] < UNREACHABLE_MINUTES


def test_a_file_that_is_not_an_extract_is_refused_by_name(tmp_path: Path) -> None:
    fake = tmp_path / "roads.osm.pbf"
    fake.write_bytes(b"not a protocol buffer at all")
    with pytest.raises(RoadError, match="roads.osm.pbf"):
        RoadTravel(fake, cache=tmp_path / "c").matrix([Place("a", 54.0, -5.0)], "car")
    with pytest.raises(RoadError, match="no such"):
        RoadTravel(tmp_path / "missing.osm.pbf")


@pytest.mark.parametrize(
    ("tag", "kmh"), [("50", 50.0), ("30 mph", 48.28), ("FI:urban", None), ("", None), ("0", None)]
)
def test_a_speed_limit_is_read_in_kmh_or_mph(tag: str, kmh: float | None) -> None:
    assert _speed(tag) == (None if kmh is None else pytest.approx(kmh, abs=0.01))


def test_helsinki_roads_are_longer_than_straight_lines_and_one_way(tmp_path: Path) -> None:
    travel = RoadTravel(HELSINKI, cache=tmp_path / "cache")
    graph, network = travel.graph("walk")
    rng = np.random.default_rng(2)
    picked = rng.choice(np.flatnonzero(network), 40, replace=False)
    places = [Place(f"p{k}", graph.lat[n], graph.lon[n]) for k, n in enumerate(picked)]
    straight = HaversineTravel().matrix(places, "car").metres / 1.3  # crow-flies metres
    for mode in ("car", "walk"):
        legs = travel.matrix(places, mode)
        far = straight > 300
        ratio = legs.metres[far] / straight[far]
        assert (ratio >= 0.99).all()  # never shorter than a straight line
        assert 1.05 < np.median(ratio) < 2.5
    car = travel.matrix(places, "car").minutes
    assert (car != car.T).any()  # one-way streets: there and back differ


@pytest.fixture(scope="module")
def long_blocks(tmp_path_factory: pytest.TempPathFactory) -> GridTown:
    """Straight 500 m blocks with no shape point: a node is far from most doors."""
    path = tmp_path_factory.mktemp("long") / "long.osm.pbf"
    return write_grid_town(path, streets=4, shape=0, block_m=500.0)


def test_a_place_joins_its_way_at_the_foot_of_the_perpendicular(
    long_blocks: GridTown, tmp_path: Path
) -> None:
    town = long_blocks
    door = Place("door", *town.junction(20 / town.block_m, 1.5))  # 20 m off mid-block
    corner = Place("corner", *town.junction(0, 1))
    travel = RoadTravel(town.path, cache=tmp_path / "cache")
    legs = travel.matrix([door, corner], "walk")
    (snap, _) = travel.snaps["walk"]
    assert snap.metres == pytest.approx(20, abs=1)  # not the 250 m to the nearest node
    assert legs.metres[0, 1] == legs.metres[1, 0] == pytest.approx(250 + 20, abs=2)


def test_two_places_on_one_one_way_block_are_driven_one_way(
    long_blocks: GridTown, tmp_path: Path
) -> None:
    town = long_blocks  # row 1 is one-way, west to east (the way's own direction)
    west = Place("west", *town.junction(1 + 10 / town.block_m, 1.25))
    east = Place("east", *town.junction(1 + 10 / town.block_m, 1.75))
    travel = RoadTravel(town.path, cache=tmp_path / "cache")
    car, walk = travel.matrix([west, east], "car"), travel.matrix([west, east], "walk")
    assert car.metres[0, 1] == pytest.approx(250 + 20, abs=2)  # along the block
    assert car.metres[1, 0] > 1000 + 20  # round the block
    assert walk.metres[0, 1] == walk.metres[1, 0] == pytest.approx(250 + 20, abs=2)
