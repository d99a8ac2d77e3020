"""What-if planning: a base scenario and named variations of it, as a planner asks them.

A spec (YAML or JSON) names the base scenario and its variations: carers recruited or lost,
more or less demand, people taken on from the waiting list, wider or narrower call windows,
a patch moved to walking rounds, other settings; and grids of them (carers -5..+5 x windows
15..60); and the travel times all of them are planned on (the same roads for a patch moved to
walking rounds as for the base). ``load_spec`` reads and checks it, ``expand`` lists every
variation (the base first) and ``apply`` makes a variation's scenario. All of it is pure and
quick: the planning itself is ``scheduler.whatif.sweep``'s.

Where a change draws something new (a recruit, a new client) it draws from a generator seeded
with the spec's seed and the variation's name, so a variation is the same in every run, on
any machine, whichever variations sit beside it.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import yaml
from pydantic import (
    Field,
    Strict,
    StrictBool,
    StrictInt,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from scheduler.analysis.waiting import CarePackage
from scheduler.io.shipped import shipped_folder
from scheduler.io.travel import STRAIGHT_LINE
from scheduler.model.base import Frozen
from scheduler.model.care import (
    Carer,
    Client,
    Location,
    Priority,
    Scenario,
    Shift,
    TravelMode,
    Visit,
)
from scheduler.model.errors import DomcareError, InputError, InputIssue
from scheduler.model.settings import MAX_WEIGHT, Settings, SolveSettings
from scheduler.whatif.draw import draw_calls, pattern_shifts, scatter_near

__all__ = [
    "BASE",
    "MAX_VARIATIONS",
    "CarersChange",
    "DemandChange",
    "Grid",
    "Made",
    "Planned",
    "ROAD",
    "Reader",
    "Spec",
    "Sweep",
    "TravelModeChange",
    "Variation",
    "WaitingListChange",
    "WhatIfError",
    "WindowsChange",
    "apply",
    "expand",
    "load_spec",
    "parse_spec",
    "patches",
    "prepare",
]

StrictFloat = Annotated[float, Strict()]
"""A number, whole or not, but never true or false: a spec's numbers are not coerced."""

BASE = "base"
"""The name of the unchanged scenario, always the first variation of a sweep."""
MAX_VARIATIONS = 1000
_DAY = 24 * 60
_RECRUIT_SPREAD_KM = 2.5  # a recruit lives ~3 km from the clients they will visit
_CLIENT_SPREAD_KM = 1.0  # a new client lives near current clients
ROAD = "road"
"""A spec's travel on the service's own map of roads (which extract is the service's to say)."""


class Reader(StrEnum):
    """Who reads a spec, which decides what its ``travel`` may name: the command line has no
    service's map of roads, and the service opens no file a request names."""

    COMMAND_LINE = "command line"
    SERVICE = "service"


class WhatIfError(DomcareError):
    """A variation that cannot be made of this scenario (a patch it does not have, more
    carers to lose than it has): reported in the variation's row."""


class _Spec(Frozen):
    """A part of a spec: its numbers and flags are never coerced (see ``StrictFloat``)."""


class CarersChange(_Spec):
    """``change`` carers more (recruits) or fewer (leavers): of a ``patch`` (postcode district,
    ``BT28``) and working a shift ``pattern`` (``split``, ``long``, ``day``, ``morning``,
    ``evening``, or shifts as in carers.csv: ``07:00-11:00;16:30-22:00``) if given. Leavers
    may be named instead (``leavers``)."""

    change: StrictInt = Field(default=0, ge=-10_000, le=10_000)
    patch: str | None = None
    pattern: str | None = None
    leavers: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _something(self) -> CarersChange:
        if self.change == 0 and not self.leavers:
            return self  # a grid's zero point: the base staff
        if self.leavers and self.change > 0:
            raise ValueError("name leavers or recruit carers, not both")
        return self


class DemandChange(_Spec):
    """``percent`` more calls a day (new clients drawn like the current ones and living among
    them), or fewer (clients leaving care, at random)."""

    percent: StrictFloat = Field(ge=-90, le=300)


class WaitingListChange(_Spec):
    """Take people on from the waiting list, all or nothing: the first ``people`` in waiting
    order (all of them if not given)."""

    people: StrictInt | None = Field(default=None, ge=1)


class WindowsChange(_Spec):
    """Call windows set to ``half_width`` minutes either side of their middle, or widened by
    ``widen`` minutes each side (negative narrows). Time-critical visits keep theirs unless
    ``critical`` is true: medication times are not the rota's to move."""

    half_width: StrictInt | None = Field(default=None, ge=0, le=360)
    widen: StrictInt | None = Field(default=None, ge=-360, le=360)
    critical: StrictBool = False

    @model_validator(mode="after")
    def _one(self) -> WindowsChange:
        if (self.half_width is None) == (self.widen is None):
            raise ValueError("give half_width or widen, one of them")
        return self


class TravelModeChange(_Spec):
    """Carers of a ``patch``, or the ``carers`` named, or all carers, travel by ``mode``."""

    mode: TravelMode
    patch: str | None = None
    carers: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _one(self) -> TravelModeChange:
        if self.patch is not None and self.carers:
            raise ValueError("give a patch or carers, not both")
        return self


class Variation(_Spec):
    """A named what-if: each change given is made, in the order of the fields here."""

    name: str = Field(min_length=1, max_length=120)
    settings: dict[str, Any] | None = None
    """Settings put over the sweep's (``continuity_weight``, ``break_after_minutes``...)."""
    carers: CarersChange | None = None
    travel_mode: TravelModeChange | None = None
    demand: DemandChange | None = None
    windows: WindowsChange | None = None
    waiting_list: WaitingListChange | None = None


class Range(_Spec):
    """``start`` to ``stop`` inclusive in steps of ``step``."""

    start: StrictFloat
    stop: StrictFloat
    step: StrictFloat = Field(default=1, gt=0)

    def values(self) -> list[float | int]:
        count = math.floor((self.stop - self.start) / self.step + 1e-9) + 1
        points = [self.start + k * self.step for k in range(max(0, count))]
        return [int(p) if float(p).is_integer() else round(p, 6) for p in points]


Scalar = int | float | str | bool


class Grid(_Spec):
    """Every combination of the ``axes`` values: an axis is a change's field written with a
    dot (``carers.change``, ``windows.half_width``, ``settings.continuity_weight``), its values
    a list or a range. ``changes`` are made at every point as well."""

    name: str | None = Field(default=None, max_length=80)
    axes: dict[str, list[Scalar] | Range] = Field(min_length=1, max_length=4)
    changes: dict[str, Any] = {}

    @model_validator(mode="after")
    def _axes(self) -> Grid:
        for axis, values in self.axes.items():
            head = axis.split(".")[0]
            if head not in Variation.model_fields or head == "name" or "." not in axis:
                kinds = ", ".join(f for f in Variation.model_fields if f != "name")
                raise ValueError(f"axis {axis!r} is not a change's field ({kinds}) with a dot")
            if isinstance(values, list) and not values:
                raise ValueError(f"axis {axis!r} has no values")
        return self


class Spec(_Spec):
    """A sweep: the base scenario, how long each plan may search, and the variations."""

    base: str = Field(
        description="scenario folder or JSON file, relative to the spec, or "
        "a shipped scenario's name"
    )
    waiting_list: str | None = Field(
        default=None,
        description="waiting.csv for waiting_list changes; by default the base's own",
    )
    time_limit: StrictFloat = Field(default=20.0, gt=0, le=3600, description="seconds per plan")
    solution_limit: StrictInt | None = Field(
        default=None,
        gt=0,
        le=MAX_WEIGHT,
        description="stop each search after this many solutions: the "
        "same results on any machine, however loaded",
    )
    seed: StrictInt = Field(default=0, ge=0, le=2**32 - 1)
    settings: dict[str, Any] | None = None
    variations: tuple[Variation, ...] = ()
    grids: tuple[Grid, ...] = ()
    workers: StrictInt | None = Field(
        default=None, ge=1, le=256, description="processes side by side (default: one per core)"
    )
    dask: str | None = Field(
        default=None,
        description="a Dask scheduler's address (tcp://host:8786), or local for a "
        "LocalCluster here; none: a local process pool",
    )
    travel: str = Field(
        default=STRAIGHT_LINE,
        description="the travel times every variation is planned on: straight-line, road "
        "(the service's map of roads) or osm:EXTRACT.osm.pbf (an OpenStreetMap extract of "
        "your own, relative to the spec: the command line only)",
    )

    @field_validator("travel")
    @classmethod
    def _travel(cls, travel: str, info: ValidationInfo) -> str:
        """Every variation on the same travel times, so that a ``travel_mode`` change is
        timed on the same roads as the base. What may be named depends on the reader (none:
        anything, as a stored spec was checked when it came in)."""
        kind, _, extract = travel.partition(":")
        if travel not in (STRAIGHT_LINE, ROAD) and not (kind == "osm" and extract.strip()):
            raise ValueError(
                f"{travel!r} is not a travel model: give {STRAIGHT_LINE}, {ROAD} (the "
                "service's map of roads) or osm:EXTRACT.osm.pbf"
            )
        reader = (info.context or {}).get("reader")
        if reader is Reader.COMMAND_LINE and travel == ROAD:
            raise ValueError(
                f"{ROAD} is the service's map of roads; here give --travel osm:PATH or "
                "travel: osm:PATH (an OpenStreetMap extract of your own, relative to the spec)"
            )
        if reader is Reader.SERVICE and kind == "osm":
            raise ValueError(
                f"a spec may not name a file on the server: give {ROAD} (this service's map "
                f"of roads) or {STRAIGHT_LINE}"
            )
        return travel


@dataclass(frozen=True)
class Planned:
    """A variation to plan, with its settings checked and, for a grid's point, the grid and
    the axis values (for plots)."""

    index: int
    variation: Variation
    settings: Settings
    grid: str | None = None
    point: tuple[tuple[str, Scalar], ...] = ()
    where: str = BASE
    """Its place in the spec (``variations.2``, ``grids.0``), for messages about it."""

    @property
    def name(self) -> str:
        return self.variation.name


@dataclass(frozen=True)
class Made:
    """A variation's scenario, ready to plan."""

    scenario: Scenario
    settings: Settings
    packages: tuple[CarePackage, ...] | None
    """People to take on from the waiting list, or None when the variation takes on none."""


# ---- reading a spec --------------------------------------------------------------------------


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _set(tree: dict[str, Any], path: str, value: Scalar) -> dict[str, Any]:
    head, _, rest = path.partition(".")
    branch = dict(tree.get(head) or {})
    tree = {**tree, head: _set(branch, rest, value) if "." in rest else {**branch, rest: value}}
    return tree


def _point_name(grid: Grid, point: Sequence[tuple[str, Scalar]]) -> str:
    values = ", ".join(f"{axis}={value}" for axis, value in point)
    return f"{grid.name}: {values}" if grid.name else values


def _loc(parts: Sequence[object]) -> str:
    return ".".join(str(p) for p in parts)


def _sweep_settings(spec: Spec) -> dict[str, Any]:
    """The sweep's settings as a dict: each plan searches ``time_limit`` seconds on one core
    (the sweep's parallelism is across variations, and one worker keeps a plan the same
    whether it ran in a pool or on a cluster)."""
    solve = SolveSettings(
        time_limit_s=spec.time_limit,
        solution_limit=spec.solution_limit,
        seed=spec.seed,
        workers=1,
    )
    base = Settings(solve=solve).model_dump(mode="json")
    merged = _merge(base, spec.settings or {})
    merged["solve"]["workers"] = 1
    return merged


def expand(spec: Spec, label: str = "spec") -> list[Planned]:
    """Every variation of ``spec``, the base first, then the listed ones, then each grid's
    points; settings checked. Raises ``InputError`` naming the variation and field."""
    issues: list[InputIssue] = []
    shared = _sweep_settings(spec)
    try:
        base_settings = Settings.model_validate(shared)
    except ValidationError as exc:
        raise InputError(
            [
                InputIssue(
                    "invalid_settings", label, e["msg"], column=_loc(["settings", *e["loc"]])
                )
                for e in exc.errors()
            ]
        ) from None
    planned: list[Planned] = [Planned(0, Variation(name=BASE), base_settings)]
    candidates: list[tuple[str, Variation | dict[str, Any], str | None, tuple]] = [
        (f"variations.{i}", v, None, ()) for i, v in enumerate(spec.variations)
    ]
    for g, grid in enumerate(spec.grids):
        axes = [
            (axis, vals.values() if isinstance(vals, Range) else vals)
            for axis, vals in grid.axes.items()
        ]
        points = list(itertools.product(*(values for _, values in axes)))
        if len(planned) + len(candidates) + len(points) > MAX_VARIATIONS:
            raise InputError(
                [
                    InputIssue(
                        "too_many_variations",
                        label,
                        f"more than {MAX_VARIATIONS} variations",
                        column=f"grids.{g}",
                    )
                ]
            )
        for values in points:
            point = tuple((axis, value) for (axis, _), value in zip(axes, values, strict=True))
            changes: dict[str, Any] = dict(grid.changes)
            for axis, value in point:
                changes = _set(changes, axis, value)
            changes["name"] = _point_name(grid, point)
            candidates.append((f"grids.{g}", changes, grid.name or f"grid {g + 1}", point))
    seen = {BASE}
    for where, raw, grid_name, point in candidates:
        try:
            variation = raw if isinstance(raw, Variation) else Variation.model_validate(raw)
        except ValidationError as exc:
            issues += [
                InputIssue(
                    "invalid_variation",
                    label,
                    f"{raw.get('name')}: {e['msg']}" if isinstance(raw, dict) else e["msg"],
                    column=_loc([where, *e["loc"]]),
                )
                for e in exc.errors()
            ]
            continue
        if variation.name in seen:
            issues.append(
                InputIssue(
                    "duplicate_variation",
                    label,
                    f"two variations are named {variation.name!r}",
                    column=f"{where}.name",
                )
            )
            continue
        seen.add(variation.name)
        try:
            settings = Settings.model_validate(_merge(shared, variation.settings or {}))
        except ValidationError as exc:
            issues += [
                InputIssue(
                    "invalid_settings",
                    label,
                    f"{variation.name}: {e['msg']}",
                    column=_loc([where, "settings", *e["loc"]]),
                )
                for e in exc.errors()
            ]
            continue
        planned.append(Planned(len(planned), variation, settings, grid_name, point, where))
    if issues:
        raise InputError(issues)
    return planned


def _line_of(node: yaml.Node | None, loc: Sequence[object]) -> int | None:
    """The line (1-based) of the spec's text at pydantic's ``loc``, as near as it goes."""
    line = None
    for part in loc:
        if node is None:
            break
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            node = node.value[part] if part < len(node.value) else None
        else:
            node = None
    if node is not None:
        line = node.start_mark.line + 1
    return line


def _yaml(text: str, label: str) -> tuple[Any, yaml.Node | None]:
    try:
        return yaml.safe_load(text), yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            [
                InputIssue(
                    "invalid_spec",
                    label,
                    f"not YAML or JSON: {getattr(exc, 'problem', exc)}",
                    row=mark.line + 1 if mark else None,
                )
            ]
        ) from None


def parse_spec(text: str, label: str = "spec", reader: Reader | None = None) -> Spec:
    """A spec from YAML or JSON text; errors name the line and field. JSON is read as JSON
    first: PyYAML refuses some JSON (a tab indent), whose lines are then not known.
    ``reader``: who will plan it, for what its travel may name (none: anything)."""
    try:
        data, root, is_json = json.loads(text), None, True
        with contextlib.suppress(yaml.YAMLError):
            root = yaml.compose(text)
    except json.JSONDecodeError:
        (data, root), is_json = _yaml(text, label), False
    if not isinstance(data, dict):
        raise InputError([InputIssue("invalid_spec", label, "a spec is a mapping with a base")])
    context = {"reader": reader}
    try:  # JSON as its schema says (true is not a number); YAML as people write it
        if is_json:
            return Spec.model_validate_json(text, strict=True, context=context)
        return Spec.model_validate(data, context=context)
    except ValidationError as exc:
        raise InputError(
            [
                InputIssue(
                    "invalid_spec",
                    label,
                    e["msg"],
                    row=_line_of(root, e["loc"]),
                    column=_loc(e["loc"]),
                )
                for e in exc.errors()
            ]
        ) from None


def load_spec(path: Path | str, travel_given: bool = False) -> Spec:
    """The command line's spec. ``travel_given``: its ``--travel``, which wins over the
    spec's travel, was given (a spec's ``road``, written for the service, is then taken)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([InputIssue("unreadable_file", str(path), str(exc))]) from None
    return parse_spec(text, str(path), None if travel_given else Reader.COMMAND_LINE)


@dataclass(frozen=True)
class Sweep:
    """A spec with what it needs to run: the base scenario, its variations, the waiting list."""

    spec: Spec
    scenario: Scenario
    planned: tuple[Planned, ...]
    packages: tuple[CarePackage, ...] | None
    travel: str
    """The spec's travel with an extract's path made the spec folder's, for ``travel_from``;
    road as written (which extract is the service's to say)."""


def _base_path(spec: Spec, folder: Path | None, shipped: Path, label: str) -> Path:
    """The base scenario: a path beside the spec, else a shipped scenario of that name. With
    no folder (the service) only shipped scenarios, by name from their listing: a request
    never names a server's file."""
    if folder is not None and (folder / spec.base).exists():
        return folder / spec.base
    name = Path(spec.base).name
    names = {p.name for p in shipped.iterdir() if (p / "visits.csv").is_file()}
    if name in names and (folder is not None or spec.base == name):
        return shipped / name
    where = f"beside the spec ({folder}) or " if folder is not None else ""
    raise InputError(
        [
            InputIssue(
                "unknown_base",
                label,
                f"no scenario {spec.base!r} {where}shipped (shipped: {', '.join(sorted(names))})",
                column="base",
            )
        ]
    )


def prepare(
    spec: Spec, folder: Path | None, label: str = "spec", shipped: Path | None = None
) -> Sweep:
    """Read the base scenario and waiting list the spec names and list its variations.
    ``folder`` is the spec's (None: shipped scenarios only); ``shipped`` where those are."""
    from scheduler.analysis.waiting import read_waiting_list
    from scheduler.io.scenario import read_scenario

    planned = expand(spec, label)
    base = _base_path(spec, folder, shipped or shipped_folder() or Path(), label)
    scenario = read_scenario(base)
    packages = None
    wanted = [p.name for p in planned if p.variation.waiting_list is not None]
    if spec.waiting_list is not None:
        if folder is None:
            raise InputError(
                [
                    InputIssue(
                        "invalid_spec",
                        label,
                        "the service takes the shipped scenario's own waiting list only",
                        column="waiting_list",
                    )
                ]
            )
        packages = read_waiting_list(folder / spec.waiting_list, scenario.skills)
    elif wanted and base.is_dir() and (base / "waiting.csv").exists():
        packages = read_waiting_list(base / "waiting.csv", scenario.skills)
    elif wanted:
        raise InputError(
            [
                InputIssue(
                    "no_waiting_list",
                    label,
                    f"{wanted[0]!r} takes people on from the "
                    "waiting list, but the spec names none and the base has no waiting.csv",
                    column="waiting_list",
                )
            ]
        )
    kind, _, extract = spec.travel.partition(":")
    travel = f"osm:{folder / extract}" if kind == "osm" and folder is not None else spec.travel
    return Sweep(spec, scenario, tuple(planned), packages, travel)


# ---- making a variation ----------------------------------------------------------------------


def _rng(seed: int, name: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(name.encode("utf-8"))])


def _outward(postcode: str | None) -> str | None:
    return postcode.split()[0].upper() if postcode and postcode.split() else None


def patches(scenario: Scenario) -> dict[str, Location]:
    """A patch is a postcode district (``BT28``) of the clients' postcodes; its centre is the
    middle of its clients' homes. A carer belongs to the patch whose centre is nearest home."""
    homes: dict[str, list[Location]] = {}
    for client in scenario.clients:
        code = _outward(client.postcode)
        if code:
            homes.setdefault(code, []).append(client.location)
    return {
        code: Location(
            lat=sum(p.lat for p in places) / len(places),
            lon=sum(p.lon for p in places) / len(places),
        )
        for code, places in sorted(homes.items())
    }


def _patch_centres(scenario: Scenario, patch: str) -> dict[str, Location]:
    centres = patches(scenario)
    if patch.upper() not in centres:
        known = ", ".join(centres) or "none: the clients have no postcodes"
        raise WhatIfError(f"no client lives in patch {patch!r} (patches: {known})")
    return centres


def _carers_of(scenario: Scenario, patch: str) -> list[Carer]:
    centres = _patch_centres(scenario, patch)
    codes = list(centres)
    lats = np.array([centres[c].lat for c in codes])
    scale = math.cos(math.radians(float(lats.mean())))  # degrees of longitude are shorter
    lons = np.array([centres[c].lon for c in codes]) * scale

    def nearest(home: Location) -> str:
        return codes[int(np.argmin(np.hypot(lats - home.lat, lons - home.lon * scale)))]

    return [carer for carer in scenario.carers if nearest(carer.home) == patch.upper()]


def _clients_of(scenario: Scenario, patch: str | None) -> list[Client]:
    if patch is None:
        return list(scenario.clients)
    _patch_centres(scenario, patch)
    return [c for c in scenario.clients if _outward(c.postcode) == patch.upper()]


def _pattern(text: str) -> tuple[Shift, ...]:
    from scheduler.io.scenario import parse_shifts

    named = pattern_shifts(text)
    if named is not None:
        return named
    try:
        return parse_shifts(text)
    except ValueError as exc:
        raise WhatIfError(
            f"shift pattern {text!r}: {exc} (a name: split, long, day, morning, evening; "
            "or shifts such as 07:00-11:00;16:30-22:00)"
        ) from None


def _without_carers(scenario: Scenario, gone: set[str]) -> Scenario:
    """``scenario`` without the carers ``gone``: their clients' preferences for them dropped,
    visits pinned to them unpinned (a coordinator re-books them), their history kept out."""
    clients = tuple(
        client.model_copy(
            update={
                "preferred_carers": client.preferred_carers - gone,
                "excluded_carers": client.excluded_carers - gone,
                "week_carers": None if client.week_carers is None else client.week_carers - gone,
            }
        )
        for client in scenario.clients
    )
    visits = tuple(
        v.model_copy(update={"pinned_carer": None}) if v.pinned_carer in gone else v
        for v in scenario.visits
    )
    return scenario.model_copy(
        update={
            "carers": tuple(c for c in scenario.carers if c.id not in gone),
            "clients": clients,
            "visits": visits,
            "history": tuple(h for h in scenario.history if h.carer_id not in gone),
        }
    )


def _fresh_id(prefix: str, taken: set[str]) -> str:
    number = 1
    while f"{prefix}{number:03d}" in taken:
        number += 1
    taken.add(f"{prefix}{number:03d}")
    return f"{prefix}{number:03d}"


def _recruits(
    scenario: Scenario, change: CarersChange, rng: np.random.Generator
) -> tuple[Carer, ...]:
    """Recruits like the current staff: each copies a carer of the patch (or any) for travel
    mode, hours limits and days off, draws skills and gender by the staff's shares, and lives
    near a client of the patch."""

    staff = _carers_of(scenario, change.patch) if change.patch else list(scenario.carers)
    staff = staff or list(scenario.carers)
    homes = _clients_of(scenario, change.patch)
    if not staff or not homes:
        raise WhatIfError("recruits are drawn like the current carers and clients: it has none")
    shifts = _pattern(change.pattern) if change.pattern else None
    skills = sorted(scenario.skills | {s for c in scenario.carers for s in c.skills})
    shares = {s: sum(s in c.skills for c in scenario.carers) / len(scenario.carers) for s in skills}
    genders = [c.gender for c in scenario.carers]
    taken = set(scenario.carer_by_id)
    recruits = []
    for _ in range(change.change):
        model = staff[int(rng.integers(len(staff)))]
        near = homes[int(rng.integers(len(homes)))].location
        recruits.append(
            model.model_copy(
                update={
                    "id": _fresh_id("NEW", taken),
                    "name": "recruit",
                    "home": scatter_near(rng, near, _RECRUIT_SPREAD_KM),
                    "shifts": shifts or model.shifts,
                    "skills": frozenset(s for s in skills if rng.random() < shares[s]),
                    "gender": genders[int(rng.integers(len(genders)))],
                    "no_go_clients": frozenset(),
                }
            )
        )
    return tuple(recruits)


def _change_carers(scenario: Scenario, change: CarersChange, rng: np.random.Generator) -> Scenario:
    if change.change > 0:
        return scenario.model_copy(
            update={"carers": scenario.carers + _recruits(scenario, change, rng)}
        )
    if change.leavers:
        unknown = [c for c in change.leavers if c not in scenario.carer_by_id]
        if unknown:
            raise WhatIfError(f"no carer {', '.join(unknown)} to lose")
        return _without_carers(scenario, set(change.leavers))
    if change.change == 0:
        return scenario
    pool = _carers_of(scenario, change.patch) if change.patch else list(scenario.carers)
    if change.pattern:
        shifts = _pattern(change.pattern)
        pool = [c for c in pool if c.shifts == shifts]
    wanted = -change.change
    if wanted > len(pool):
        where = f" in {change.patch}" if change.patch else ""
        works = f" working {change.pattern}" if change.pattern else ""
        raise WhatIfError(f"cannot lose {wanted} carers: {len(pool)} live{where}{works}")
    picked = rng.choice(len(pool), size=wanted, replace=False)
    return _without_carers(scenario, {pool[int(i)].id for i in picked})


def _change_travel(scenario: Scenario, change: TravelModeChange) -> Scenario:
    if change.carers:
        unknown = [c for c in change.carers if c not in scenario.carer_by_id]
        if unknown:
            raise WhatIfError(f"no carer {', '.join(unknown)}")
        chosen = set(change.carers)
    elif change.patch:
        chosen = {c.id for c in _carers_of(scenario, change.patch)}
    else:
        chosen = set(scenario.carer_by_id)
    return scenario.model_copy(
        update={
            "carers": tuple(
                c.model_copy(update={"travel_mode": change.mode}) if c.id in chosen else c
                for c in scenario.carers
            )
        }
    )


def _calls_a_day(scenario: Scenario) -> float:
    return len(scenario.visits) / len(scenario.dates)


def _more_clients(scenario: Scenario, calls: int, rng: np.random.Generator) -> Scenario:
    """New clients with ``calls`` calls a day between them, each living near a current client
    (in their postcode district) and needing care on every date of the scenario."""

    if not scenario.clients:
        raise WhatIfError("new clients are drawn among the current ones: there are none")
    taken = set(scenario.client_by_id)
    first = scenario.dates[0]
    clients, visits = [], []
    booked = 0
    while booked < calls:
        neighbour = scenario.clients[int(rng.integers(len(scenario.clients)))]
        client_id = _fresh_id("NEWCL", taken)
        day = draw_calls(rng, client_id, first, most=calls - booked)
        booked += len(day)
        clients.append(
            Client(
                id=client_id,
                name="new client",
                location=scatter_near(rng, neighbour.location, _CLIENT_SPREAD_KM),
                postcode=neighbour.postcode,
            )
        )
        visits += [
            visit.model_copy(update={"id": f"{visit.id}-{date.isoformat()}", "date": date})
            for date in scenario.dates
            for visit in day
        ]
    return scenario.model_copy(
        update={
            "clients": scenario.clients + tuple(clients),
            "visits": scenario.visits + tuple(visits),
        }
    )


def _fewer_clients(scenario: Scenario, calls: int, rng: np.random.Generator) -> Scenario:
    """Clients leaving care, at random, until ``calls`` calls a day are gone."""
    daily: dict[str, float] = {}
    for visit in scenario.visits:
        daily[visit.client_id] = daily.get(visit.client_id, 0) + 1 / len(scenario.dates)
    gone: set[str] = set()
    removed = 0.0
    for index in rng.permutation(len(scenario.clients)):
        if removed >= calls - 1e-9:
            break
        client = scenario.clients[int(index)]
        gone.add(client.id)
        removed += daily.get(client.id, 0)
    return scenario.model_copy(
        update={
            "clients": tuple(c for c in scenario.clients if c.id not in gone),
            "visits": tuple(v for v in scenario.visits if v.client_id not in gone),
            "history": tuple(h for h in scenario.history if h.client_id not in gone),
        }
    )


def _change_demand(scenario: Scenario, change: DemandChange, rng: np.random.Generator) -> Scenario:
    calls = round(_calls_a_day(scenario) * abs(change.percent) / 100)
    if calls == 0:
        return scenario
    if change.percent > 0:
        return _more_clients(scenario, calls, rng)
    return _fewer_clients(scenario, calls, rng)


def _window(visit: Visit, change: WindowsChange) -> Visit:
    if visit.priority is Priority.CRITICAL and not change.critical:
        return visit
    last = _DAY - visit.duration
    if change.half_width is not None:
        middle = (visit.earliest_start + visit.latest_start) // 2
        earliest, latest = middle - change.half_width, middle + change.half_width
    else:
        assert change.widen is not None
        earliest, latest = visit.earliest_start - change.widen, visit.latest_start + change.widen
        if earliest > latest:  # narrowed past nothing: the middle
            earliest = latest = (visit.earliest_start + visit.latest_start) // 2
    earliest, latest = max(0, min(earliest, last)), max(0, min(latest, last))
    # The change is one window about the middle: a call's several windows become that one.
    return Visit(
        **{**dict(visit), "earliest_start": earliest, "latest_start": latest, "windows": ()}
    )


def apply(
    scenario: Scenario,
    planned: Planned,
    seed: int,
    packages: Sequence[CarePackage] | None = None,
) -> Made:
    """``planned``'s scenario: its changes made to ``scenario`` in the order ``Variation``
    lists them. Raises ``WhatIfError`` for a change this scenario cannot take."""
    variation = planned.variation
    rng = _rng(seed, variation.name)
    made = scenario.model_copy(update={"name": f"{scenario.name} / {variation.name}"})
    if variation.carers is not None:
        made = _change_carers(made, variation.carers, rng)
    if variation.travel_mode is not None:
        made = _change_travel(made, variation.travel_mode)
    if variation.demand is not None:
        made = _change_demand(made, variation.demand, rng)
    if variation.windows is not None:
        windows = variation.windows
        made = made.model_copy(update={"visits": tuple(_window(v, windows) for v in made.visits)})
    taking: tuple[CarePackage, ...] | None = None
    if variation.waiting_list is not None:
        if not packages:
            raise WhatIfError("it takes people on from the waiting list, but the sweep has none")
        taking = tuple(packages[: variation.waiting_list.people])
    if variation.name == BASE:
        made = made.model_copy(update={"name": scenario.name})
    return Made(made, planned.settings, taking)
