"""Travel times on the roads of the user's own OpenStreetMap extract, by mode of travel.

Offline and in-process, with no routing server: the extract (``.osm.pbf``) is read once per
mode with osmium into a directed graph (one-way streets obeyed by car and bike, not on foot)
and cached beside the extract, keyed by the file's hash and ``PROFILE_VERSION``. A matrix is
one shortest-path search per origin (scipy's Dijkstra) on that graph once its chains of shape
points are contracted away; each leg is the fastest route, its metres that route's metres.

Each place joins the nearest way of the mode's largest connected network when one is within
``snap_warn_m``, else the nearest way the mode may use at all (a place on an island, or far
from every road), at the foot of the perpendicular; the stretch off the network is travelled
at the settings' speed for the mode. A pair with no route is ``UNREACHABLE_MINUTES`` (never 0,
never a crash).

Engine chosen by measurement (docs/travel.md): on a 200,000-node grid, scipy's Dijkstra did a
1500x1500 table in 56 s before contraction, igraph in 110 s, pandana's contraction hierarchy
took 198 s to prepare and 50 s to query.

scipy and osmium are imported only when an extract is used: the default travel needs neither.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from routing.haversine import EARTH_RADIUS_M, great_circle_m, haversine_m
from routing.travel import MODES, UNREACHABLE_MINUTES, Place, TravelMatrix, TravelSettings

__all__ = [
    "PROFILE_VERSION",
    "RoadError",
    "RoadGraph",
    "RoadTravel",
    "Snap",
    "read_road_graph",
]

PROFILE_VERSION = 1
"""Bumped whenever what a mode may use or how fast it goes changes: old caches are not read."""

DRIVEN_SHARE = 0.8
"""A tagged speed limit is not the speed driven between junctions, parked cars and crossings."""

CAR_KMH: dict[str, float] = {
    # Driven speeds when no limit is tagged (about DRIVEN_SHARE of a UK or Nordic town's limit).
    "motorway": 90, "motorway_link": 50, "trunk": 70, "trunk_link": 45,
    "primary": 45, "primary_link": 35, "secondary": 40, "secondary_link": 30,
    "tertiary": 35, "tertiary_link": 30, "unclassified": 30, "residential": 25,
    "road": 25, "living_street": 10, "service": 15,
}  # fmt: skip
WALK_WAYS = frozenset(
    {
        "footway", "path", "pedestrian", "steps", "living_street", "residential", "service",
        "unclassified", "tertiary", "tertiary_link", "secondary", "secondary_link", "primary",
        "primary_link", "track", "cycleway", "corridor", "crossing", "trail", "road",
        "bridleway",
    }
)  # fmt: skip
BIKE_WAYS = frozenset(
    {
        "cycleway", "residential", "living_street", "service", "unclassified", "tertiary",
        "tertiary_link", "secondary", "secondary_link", "primary", "primary_link", "track",
        "path", "road", "trail", "bridleway",
    }
)  # fmt: skip
PUSHED_WAYS = frozenset({"footway", "pedestrian", "crossing"})
"""Ways a cyclist may use only on foot, pushing, unless ``bicycle=yes`` says otherwise."""
STEPS_SHARE = 0.5
"""Steps are climbed at half the walking speed."""
_CLOSED = frozenset({"no", "private"})
_METRE_BITS = 23
"""A route's cost is one exact float: deciseconds << 23 | metres (up to 8,388 km)."""


class RoadError(ValueError):
    """The extract cannot be used; the message names the file and what is wrong."""


@dataclass(frozen=True)
class RoadGraph:
    """One mode's directed road graph: nodes in degrees, edges with their driven time in
    deciseconds (at least 1) and length in whole metres."""

    lat: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    tail: npt.NDArray[np.int64]
    head: npt.NDArray[np.int64]
    deciseconds: npt.NDArray[np.int64]
    metres: npt.NDArray[np.int64]

    @property
    def nodes(self) -> int:
        return len(self.lat)

    def largest_network(self) -> npt.NDArray[np.bool_]:
        """Nodes of the largest strongly connected part: from each, every other is reachable."""
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import connected_components

        if self.nodes == 0:
            return np.zeros(0, dtype=bool)
        graph = csr_matrix(
            (np.ones(len(self.tail)), (self.tail, self.head)), shape=(self.nodes, self.nodes)
        )
        _, label = connected_components(graph, directed=True, connection="strong")
        return label == np.bincount(label).argmax()


@dataclass(frozen=True)
class Snap:
    """Where a place joined the road network: ``metres`` off it; ``connected`` when the node
    is on the mode's largest network (a place snapped elsewhere may reach nobody)."""

    key: str
    metres: float
    connected: bool


def _speed(text: str | None) -> float | None:
    """A ``maxspeed`` tag in km/h (``50``, ``30 mph``); None for ``FI:urban``, ``signals``..."""
    if not text:
        return None
    found = re.match(r"\s*(\d+(?:\.\d+)?)\s*(mph)?", text)
    if not found:
        return None
    value = float(found.group(1)) * (1.609344 if found.group(2) else 1.0)
    return value if value > 0 else None


def _direction(tags: dict[str, str], mode: str) -> tuple[bool, bool] | None:
    """(forward, backward) as ``mode`` may travel the way, or None when it may not."""
    highway = tags.get("highway", "")
    access = tags.get("access", "")
    if mode == "walk":
        own = tags.get("foot", "")
        if highway not in WALK_WAYS or own == "no" or (access in _CLOSED and own != "yes"):
            return None
        return True, True
    if mode == "bike":
        own = tags.get("bicycle", "")
        allowed = highway in BIKE_WAYS or highway in PUSHED_WAYS
        if not allowed or own == "no" or (access in _CLOSED and own != "yes"):
            return None
    else:
        own = tags.get("motor_vehicle", tags.get("motorcar", ""))
        if highway not in CAR_KMH or own in _CLOSED or (access in _CLOSED and own != "yes"):
            return None
    oneway = tags.get("oneway", "")
    if mode == "bike" and (
        tags.get("oneway:bicycle") == "no"
        or tags.get("cycleway", "").startswith("opposite")
        or highway in PUSHED_WAYS
    ):
        return True, True
    if oneway in ("-1", "reverse"):
        return False, True
    if oneway in ("yes", "true", "1"):
        return True, False
    implied = tags.get("junction") in ("roundabout", "circular") or highway == "motorway"
    return (True, not implied) if oneway != "no" else (True, True)


def _kmh(tags: dict[str, str], mode: str, settings: TravelSettings) -> float:
    highway = tags.get("highway", "")
    if mode == "car":
        limit = _speed(tags.get("maxspeed"))
        return limit * DRIVEN_SHARE if limit else CAR_KMH[highway]
    if (
        mode == "bike"
        and highway in PUSHED_WAYS
        and tags.get("bicycle")
        not in (
            "yes",
            "designated",
            "permissive",
        )
    ):
        return settings.speed_kmh["walk"]
    speed = settings.speed_kmh[mode]
    return speed * STEPS_SHARE if highway == "steps" else speed


def read_road_graph(extract: Path, mode: str, settings: TravelSettings) -> RoadGraph:
    """``mode``'s graph of the extract: every way the mode may use, split at every node."""
    import osmium

    index: dict[int, int] = {}
    lat: list[float] = []
    lon: list[float] = []
    tails: list[int] = []
    heads: list[int] = []
    kmh: list[float] = []
    try:
        ways = (
            osmium.FileProcessor(str(extract))
            .with_locations()
            .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
            .with_filter(osmium.filter.KeyFilter("highway"))
        )
        for way in ways:
            assert isinstance(way, osmium.osm.Way)  # the filter lets only ways through
            tags = {tag.k: tag.v for tag in way.tags}
            direction = _direction(tags, mode)
            if direction is None:
                continue
            speed = _kmh(tags, mode, settings)
            chain = []
            for node in way.nodes:
                if not node.location.valid():
                    continue
                if node.ref not in index:
                    index[node.ref] = len(lat)
                    lat.append(node.location.lat)
                    lon.append(node.location.lon)
                chain.append(index[node.ref])
            for a, b in zip(chain, chain[1:], strict=False):
                if a == b:
                    continue
                for one, other, go in ((a, b, direction[0]), (b, a, direction[1])):
                    if go:
                        tails.append(one)
                        heads.append(other)
                        kmh.append(speed)
    except RuntimeError as exc:  # osmium's own words: not a PBF, truncated, unreadable
        raise RoadError(f"{extract.name}: cannot be read as OpenStreetMap data ({exc})") from None
    lat_a, lon_a = np.array(lat, dtype=float), np.array(lon, dtype=float)
    tail, head = np.array(tails, dtype=np.int64), np.array(heads, dtype=np.int64)
    length = great_circle_m(lat_a[tail], lon_a[tail], lat_a[head], lon_a[head])
    seconds = length / (np.array(kmh, dtype=float) / 3.6)
    return RoadGraph(
        lat=lat_a,
        lon=lon_a,
        tail=tail,
        head=head,
        deciseconds=np.maximum(1, np.rint(seconds * 10)).astype(np.int64),
        metres=np.rint(length).astype(np.int64),
    )


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()[:16]


def _fingerprint(mode: str, settings: TravelSettings) -> str:
    """What of the settings a mode's graph depends on: a cache made for other speeds is stale."""
    if mode == "car":
        return "car"
    return f"{mode}-{settings.speed_kmh[mode]:g}-{settings.speed_kmh['walk']:g}"


class RoadTravel:
    """Road travel times from an OpenStreetMap extract (``.osm.pbf``).

    ``cache``: a folder for the graphs; by default ``<extract>.domcare`` beside the extract, or
    none when that cannot be written (the graph is then read again each run).
    ``workers``: processes for a large table (each origin's search is independent)."""

    def __init__(
        self,
        extract: Path,
        settings: TravelSettings | None = None,
        cache: Path | None = None,
        workers: int = 1,
    ):
        self.extract = Path(extract)
        if not self.extract.is_file():
            raise RoadError(f"{self.extract.name}: no such OpenStreetMap extract")
        self.settings = settings or TravelSettings()
        self.cache = (
            cache if cache is not None else self.extract.with_name(self.extract.name + ".domcare")
        )
        self.workers = max(1, workers)
        self._graphs: dict[str, tuple[RoadGraph, npt.NDArray[np.bool_]]] = {}
        self._digest: str | None = None
        self._ways: dict[str, tuple[_Ways | None, _Ways]] = {}
        self.snaps: dict[str, tuple[Snap, ...]] = {}
        """The places of the last matrix of each mode, as they joined the road network."""

    def graph(self, mode: str) -> tuple[RoadGraph, npt.NDArray[np.bool_]]:
        """``mode``'s graph and its largest network, from the cache when it holds them."""
        if mode not in MODES:
            raise RoadError(f"unknown travel mode {mode!r}")
        if mode in self._graphs:
            return self._graphs[mode]
        cached = self._cache_path(mode)
        loaded = _load(cached)
        if loaded is None:
            graph = read_road_graph(self.extract, mode, self.settings)
            if graph.nodes == 0:
                raise RoadError(f"{self.extract.name}: no way a {mode} journey may use")
            loaded = graph, graph.largest_network()
            _store(cached, *loaded)
        self._graphs[mode] = loaded
        return loaded

    def _cache_path(self, mode: str) -> Path:
        if self._digest is None:
            self._digest = _digest(self.extract)
        name = f"{_fingerprint(mode, self.settings)}-{self._digest}-p{PROFILE_VERSION}.npz"
        return self.cache / name

    def cached(self, mode: str) -> bool:
        """Whether ``mode``'s roads are read already or wait in the cache: otherwise the first
        table reads the map (seconds for a town, longer for a county)."""
        return mode in self._graphs or self._cache_path(mode).is_file()

    def far_places(self, mode: str) -> list[Snap]:
        """Places of the last ``mode`` matrix further than the settings' ``snap_warn_m`` from
        the mode's network."""
        return [s for s in self.snaps.get(mode, ()) if s.metres > self.settings.snap_warn_m]

    def matrix(self, places: list[Place], mode: str) -> TravelMatrix:
        graph, network = self.graph(mode)
        if mode not in self._ways:
            self._ways[mode] = _finders(graph, network)
        graph, nodes, off_m, snaps = _snap(
            graph, network, places, self.settings.snap_warn_m, self._ways[mode]
        )
        self.snaps[mode] = snaps
        routes = _routes(graph, nodes, self.workers)  # deciseconds << bits | metres; -1: none
        size = len(places)
        minutes = np.zeros((size, size), dtype=np.int64)
        metres = np.zeros((size, size), dtype=np.int64)
        if size == 0:
            return TravelMatrix(minutes=minutes, metres=metres)
        lat = np.array([p.lat for p in places])
        lon = np.array([p.lon for p in places])
        moved = haversine_m(lat, lon) >= 1.0  # the same address: no travel, no parking
        reached = routes >= 0
        road_s = np.where(reached, routes >> _METRE_BITS, 0) / 10.0
        road_m = np.where(reached, routes & ((1 << _METRE_BITS) - 1), 0)
        off = off_m[:, None] + off_m[None, :]
        off_s = off / (self.settings.speed_kmh[mode] / 3.6)
        legs = np.ceil((road_s + off_s) / 60.0 - 1e-9).astype(np.int64)
        legs += self.settings.access_minutes[mode]
        minutes = np.where(moved, np.where(reached, legs, UNREACHABLE_MINUTES), 0)
        metres = np.where(moved & reached, np.rint(road_m + off), 0).astype(np.int64)
        return TravelMatrix(minutes=minutes.astype(np.int64), metres=metres)


def _load(path: Path) -> tuple[RoadGraph, npt.NDArray[np.bool_]] | None:
    try:
        with np.load(path) as saved:
            graph = RoadGraph(*(saved[f] for f in RoadGraph.__dataclass_fields__))
            return graph, saved["network"]
    except (OSError, KeyError, ValueError):
        return None


def _store(path: Path, graph: RoadGraph, network: npt.NDArray[np.bool_]) -> None:
    """Written whole or not at all (a file renamed into place); an unwritable folder means no
    cache, not a failed run."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".npz", delete=False) as out:
            np.savez(out, network=network, **graph.__dict__)
        os.replace(out.name, path)
    except OSError:
        return


def _local_m(lat: np.ndarray, lon: np.ndarray, lat0: float) -> np.ndarray:
    """Metres east and north on a plane tangent at ``lat0``: enough for the nearest node."""
    east = np.radians(lon) * EARTH_RADIUS_M * math.cos(math.radians(lat0))
    return np.column_stack((east, np.radians(lat) * EARTH_RADIUS_M))


SAMPLE_M = 25.0
"""Ways are sampled this far apart to find the ways nearest a place (then projected exactly)."""
_NEAREST = 12
"""Samples asked per place: their ways are the candidates it is projected onto."""
_AT_NODE_M = 1.0
"""A projection this close to a node is that node (no new node a metre from another)."""


@dataclass(frozen=True)
class _OnWay:
    """Where each place meets its way: the way's edge (tail, head), how far along it (0-1),
    and the metres off it."""

    tail: npt.NDArray[np.int64]
    head: npt.NDArray[np.int64]
    along: npt.NDArray[np.float64]
    off: npt.NDArray[np.float64]


class _Ways:
    """Some of a graph's edges sampled every ``SAMPLE_M`` in local metres, with a k-d tree of
    the samples: built once per graph and mode (a week or a what-if sweep asks many tables)."""

    def __init__(self, graph: RoadGraph, edges: npt.NDArray[np.int64], lat0: float):
        from scipy.spatial import cKDTree

        self.graph, self.edges, self.lat0 = graph, edges, lat0
        self.a = _local_m(graph.lat[graph.tail[edges]], graph.lon[graph.tail[edges]], lat0)
        self.b = _local_m(graph.lat[graph.head[edges]], graph.lon[graph.head[edges]], lat0)
        pieces = np.maximum(1, np.ceil(np.hypot(*(self.b - self.a).T) / SAMPLE_M))
        pieces = pieces.astype(np.int64)
        self.owner = np.repeat(np.arange(len(edges)), pieces + 1)
        first = np.repeat(np.cumsum(pieces + 1) - (pieces + 1), pieces + 1)
        step = (np.arange(len(self.owner)) - first) / pieces[self.owner]
        samples = self.a[self.owner] + (self.b - self.a)[self.owner] * step[:, None]
        self.tree = cKDTree(samples)
        self.samples = len(samples)

    def nearest(self, wanted: np.ndarray) -> _OnWay:
        """Each wanted point (local metres) projected onto the nearest of the edges: the ways
        of the nearest samples are the candidates, each projected onto exactly."""
        _, near = self.tree.query(wanted, k=min(_NEAREST, self.samples))
        candidates = self.owner[near.reshape(len(wanted), -1)]  # positions in ``edges``
        da, db = self.a[candidates], self.b[candidates]
        span = db - da
        length2 = np.maximum((span**2).sum(axis=2), 1e-9)
        along = np.clip(((wanted[:, None, :] - da) * span).sum(axis=2) / length2, 0.0, 1.0)
        gap = np.hypot(*(da + span * along[..., None] - wanted[:, None, :]).transpose(2, 0, 1))
        best = gap.argmin(axis=1)
        rows = np.arange(len(wanted))
        chosen = self.edges[candidates[rows, best]]
        graph = self.graph
        return _OnWay(graph.tail[chosen], graph.head[chosen], along[rows, best], gap[rows, best])


def _finders(graph: RoadGraph, network: npt.NDArray[np.bool_]) -> tuple[_Ways | None, _Ways]:
    """The ways of the largest network (None when it has no edge), and every way."""
    lat0 = float(np.mean(graph.lat))
    joined = np.flatnonzero(network[graph.tail] & network[graph.head])
    main = _Ways(graph, joined, lat0) if len(joined) else None
    return main, _Ways(graph, np.arange(len(graph.tail)), lat0)


def _snap(
    graph: RoadGraph,
    network: npt.NDArray[np.bool_],
    places: list[Place],
    warn_m: float,
    ways: tuple[_Ways | None, _Ways],
) -> tuple[RoadGraph, npt.NDArray[np.int64], npt.NDArray[np.float64], tuple[Snap, ...]]:
    """Each place joined to the nearest way of the largest network within ``warn_m``, else to
    the nearest way of any (an island's client reaches nobody; a far one is reported): at the
    foot of the perpendicular, a new node splitting that way's edges both ways, or at the node
    there. Returns the graph with the new nodes, each place's node, and the metres off."""
    if not places:
        return graph, np.zeros(0, dtype=np.int64), np.zeros(0), ()
    main_ways, all_ways = ways
    lat = np.array([p.lat for p in places])
    lon = np.array([p.lon for p in places])
    wanted = _local_m(lat, lon, all_ways.lat0)
    anywhere = all_ways.nearest(wanted)
    main = main_ways.nearest(wanted) if main_ways is not None else anywhere
    near = main.off <= warn_m
    tail = np.where(near, main.tail, anywhere.tail)
    head = np.where(near, main.head, anywhere.head)
    along = np.where(near, main.along, anywhere.along)
    split, nodes = _split(graph, tail, head, along)
    foot_lat, foot_lon = split.lat[nodes], split.lon[nodes]
    off = great_circle_m(lat, lon, foot_lat, foot_lon)  # the real distance: the plane found it
    snaps = tuple(
        Snap(place.key, float(metres), bool(network[t] and network[h]))
        for place, metres, t, h in zip(places, off, tail, head, strict=True)
    )
    return split, nodes, off, snaps


def _split(
    graph: RoadGraph,
    tail: npt.NDArray[np.int64],
    head: npt.NDArray[np.int64],
    along: npt.NDArray[np.float64],
) -> tuple[RoadGraph, npt.NDArray[np.int64]]:
    """``graph`` with a node where each place meets its edge (``along`` it from ``tail`` to
    ``head``), the edge cut there in both directions it is driven, time and metres shared by
    length; a place within ``_AT_NODE_M`` of an end takes that node. Returns the graph and
    each place's node."""
    n = graph.nodes
    length = great_circle_m(graph.lat[tail], graph.lon[tail], graph.lat[head], graph.lon[head])
    from_tail = along * length
    nodes = np.where(
        from_tail < _AT_NODE_M, tail, np.where(length - from_tail < _AT_NODE_M, head, -1)
    ).astype(np.int64)
    inside = np.flatnonzero(nodes < 0)
    if len(inside) == 0:
        return graph, nodes
    low, high = np.minimum(tail, head), np.maximum(tail, head)
    from_low = np.where(tail == low, along, 1.0 - along)
    cuts: dict[tuple[int, int], dict[float, list[int]]] = {}
    for k in inside:
        where = cuts.setdefault((int(low[k]), int(high[k])), {})
        where.setdefault(float(from_low[k]), []).append(int(k))
    key = np.minimum(graph.tail, graph.head) * n + np.maximum(graph.tail, graph.head)
    order = np.argsort(key, kind="stable")
    lats, lons = list(graph.lat), list(graph.lon)
    tails, heads, tenths, metres = [], [], [], []
    dropped = np.zeros(len(graph.tail), dtype=bool)
    for (a, b), at in cuts.items():
        shares = sorted(at)
        inner = []
        for share in shares:
            node = len(lats)
            lats.append(graph.lat[a] + (graph.lat[b] - graph.lat[a]) * share)
            lons.append(graph.lon[a] + (graph.lon[b] - graph.lon[a]) * share)
            nodes[at[share]] = node
            inner.append(node)
        chain, marks = [a, *inner, b], [0.0, *shares, 1.0]
        first = np.searchsorted(key[order], a * n + b)
        last = np.searchsorted(key[order], a * n + b, side="right")
        for edge in order[first:last]:
            dropped[edge] = True
            ways = chain if graph.tail[edge] == a else chain[::-1]
            steps = marks if graph.tail[edge] == a else [1.0 - m for m in marks[::-1]]
            for j in range(len(ways) - 1):
                share = steps[j + 1] - steps[j]
                tails.append(ways[j])
                heads.append(ways[j + 1])
                tenths.append(max(1, round(int(graph.deciseconds[edge]) * share)))
                metres.append(round(int(graph.metres[edge]) * share))
    kept = ~dropped
    as_ints = lambda values: np.array(values, dtype=np.int64)  # noqa: E731
    split = RoadGraph(
        lat=np.array(lats, dtype=float),
        lon=np.array(lons, dtype=float),
        tail=np.concatenate((graph.tail[kept], as_ints(tails))),
        head=np.concatenate((graph.head[kept], as_ints(heads))),
        deciseconds=np.concatenate((graph.deciseconds[kept], as_ints(tenths))),
        metres=np.concatenate((graph.metres[kept], as_ints(metres))),
    )
    return split, nodes


_Ints = npt.NDArray[np.int64]


def _contract(graph: RoadGraph, keep: _Ints) -> tuple[_Ints, _Ints, _Ints, _Ints]:
    """The graph with chains of shape points folded into single edges: (kept nodes, tail,
    head, cost) with tail and head numbered among the kept nodes and cost the exact sum of
    ``deciseconds << bits | metres`` along the chain. A node stays when it is a junction, an
    end, a place's node, or where a one-way chain could not be folded whole."""
    n = graph.nodes
    cost = (graph.deciseconds << _METRE_BITS) | graph.metres
    low, high = np.minimum(graph.tail, graph.head), np.maximum(graph.tail, graph.head)
    pairs = np.unique(low * n + high)
    ends = np.concatenate((pairs // n, pairs % n))
    degree = np.bincount(ends, minlength=n)
    # each node's two neighbours when it has exactly two
    order = np.argsort(ends, kind="stable")
    other = np.concatenate((pairs % n, pairs // n))[order]
    start = np.concatenate(([0], np.cumsum(degree)))[:-1]
    two = degree == 2
    first = np.where(two, other[np.minimum(start, len(other) - 1)], -1)
    second = np.where(two, other[np.minimum(start + 1, len(other) - 1)], -1)
    # every edge by key, to find a node's edge onward
    key = graph.tail * n + graph.head
    by_key = np.argsort(key)
    sorted_key = key[by_key]

    def edge(tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        wanted = tail * n + head
        at = np.minimum(np.searchsorted(sorted_key, wanted), len(sorted_key) - 1)
        return np.where(sorted_key[at] == wanted, by_key[at], -1)

    a_in, b_out = edge(first, np.arange(n)), edge(np.arange(n), second)
    b_in, a_out = edge(second, np.arange(n)), edge(np.arange(n), first)
    through = two & ((a_in >= 0) == (b_out >= 0)) & ((b_in >= 0) == (a_out >= 0))
    through[keep] = False
    head = graph.head
    onward = np.where(graph.tail == first[head], b_out[head], a_out[head])
    pointer = np.where(through[head], onward, -1)
    total, end = cost.copy(), head.copy()
    for _ in range(max(1, math.ceil(math.log2(max(n, 2)))) + 1):
        going = pointer >= 0
        if not going.any():
            break
        total = np.where(going, total + total[pointer], total)
        end = np.where(going, end[pointer], end)
        pointer = np.where(going, pointer[pointer], -1)
    kept = ~through
    fold = kept[graph.tail] & (pointer < 0) & kept[end]
    number = np.cumsum(kept) - 1
    tail_k, head_k, cost_k = number[graph.tail[fold]], number[end[fold]], total[fold]
    return np.flatnonzero(kept), tail_k, head_k, cost_k


_CHUNK_BYTES = 128 * 2**20
"""At most this much of a chunk's answers at once (a county's million junctions: 16 rows)."""
_SHARED: dict[str, object] = {}
"""The graph a pool's processes search, inherited when they fork rather than sent to each."""


def _search(sources: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    from scipy.sparse.csgraph import dijkstra

    graph, targets = _SHARED["graph"], _SHARED["targets"]
    return dijkstra(graph, indices=sources)[:, targets]  # type: ignore[index, arg-type]


def _routes(graph: RoadGraph, nodes: npt.NDArray[np.int64], workers: int) -> npt.NDArray[np.int64]:
    """Each pair's fastest route as ``deciseconds << bits | metres`` (exact in a float's 53
    bits), -1 where there is none."""
    from scipy.sparse import csr_matrix

    size = len(nodes)
    if size == 0:
        return np.zeros((0, 0), dtype=np.int64)
    kept, tail, head, cost = _contract(graph, np.unique(nodes))
    # parallel edges: the cheapest (a csr matrix would add them up)
    order = np.lexsort((cost, head, tail))
    tail, head, cost = tail[order], head[order], cost[order]
    first = np.ones(len(tail), dtype=bool)
    first[1:] = (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])
    count = len(kept)
    searched = csr_matrix(
        (cost[first].astype(np.float64), (tail[first], head[first])), shape=(count, count)
    )
    position = np.searchsorted(kept, nodes)
    origins, back = np.unique(position, return_inverse=True)
    _SHARED.update(graph=searched, targets=origins)
    try:
        # each search answers for every node: rows of a chunk x nodes x 8 bytes, kept small
        rows = int(min(64, max(1, _CHUNK_BYTES // (8 * count))))
        chunks = [origins[k : k + rows] for k in range(0, len(origins), rows)]
        if workers > 1 and len(chunks) > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            forked = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(workers, mp_context=forked) as pool:
                found = np.vstack(list(pool.map(_search, chunks)))
        else:
            found = np.vstack([_search(chunk) for chunk in chunks])
    finally:
        _SHARED.clear()
    table = found[np.ix_(back, back)]
    return np.where(np.isfinite(table), table, -1).astype(np.int64)
