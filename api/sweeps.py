"""A what-if request, checked in the web process before it is queued: the spec read with
``domcare whatif``'s own reader (so its issues name the same fields), its base a shipped
scenario, and every variation within the service's limits on variations, visits and time.

The service plans shipped scenarios only (a request never names a server's file) and decides
itself where the variations run, so a spec's ``waiting_list``, ``workers`` and ``dask`` are
refused rather than ignored. Its travel is straight-line or road: the service's own extract,
if it has one (an extract a spec names, ``osm:PATH``, is the command line's).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from api.config import ServiceSettings
from api.inputs import no_roads
from api.schemas import ScenarioFacts
from scheduler.analysis.intake import MAX_ROUNDS
from scheduler.analysis.waiting import with_packages
from scheduler.model.errors import InputError, InputIssue
from scheduler.whatif.spec import (
    ROAD,
    Reader,
    Spec,
    Sweep,
    WhatIfError,
    apply,
    parse_spec,
    prepare,
)

__all__ = ["WhatIfInput", "read_spec", "whatif_input"]

REQUEST_FILE = "request"
_DECIDED_HERE = ("workers", "dask")


@dataclass(frozen=True)
class WhatIfInput:
    """A checked what-if request; ``document`` is what is stored, and prepared again by the
    worker (preparing is quick, and a variation is the same wherever it is made)."""

    sweep: Sweep

    @property
    def variations(self) -> int:
        return len(self.sweep.planned)

    def document(self) -> dict[str, Any]:
        return {"spec": self.sweep.spec.model_dump(mode="json")}

    def facts(self) -> ScenarioFacts:
        scenario = self.sweep.scenario
        return ScenarioFacts(
            name=scenario.name,
            dates=list(scenario.dates),
            visits=len(scenario.visits),
            carers=len(scenario.carers),
            clients=len(scenario.clients),
        )


def read_spec(body: bytes) -> Spec:
    """The body as a spec: JSON in UTF-8 (``parse_spec`` reads it, locating any problem)."""
    try:
        text = body.decode("utf-8-sig")
        json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        row = exc.lineno if isinstance(exc, json.JSONDecodeError) else None
        raise InputError(
            [InputIssue("invalid_request", REQUEST_FILE, "is not JSON in UTF-8", row=row)]
        ) from None
    return parse_spec(text, REQUEST_FILE, Reader.SERVICE)


def _visit_issues(sweep: Sweep, service: ServiceSettings) -> list[InputIssue]:
    """Variations with more visits than the service plans in one request (waiting-list people
    taken on count too). Only the base and variations that add calls (more demand, the waiting
    list) are made here: making one can take a second on a large scenario, and no other
    change adds a visit. One that cannot be made is left to its row, as on the command line."""
    issues = []
    for planned in sweep.planned:
        change = planned.variation
        adds = (change.demand is not None and change.demand.percent > 0) or (
            change.waiting_list is not None
        )
        if planned.index > 0 and not adds:
            continue
        try:
            made = apply(sweep.scenario, planned, sweep.spec.seed, sweep.packages)
        except WhatIfError:
            continue
        scenario = made.scenario
        if made.packages:
            scenario = with_packages(scenario, made.packages)
        if len(scenario.visits) > service.max_visits:
            issues.append(
                InputIssue(
                    "too_many_visits",
                    REQUEST_FILE,
                    f"{planned.name!r} has {len(scenario.visits)} visits; this service plans "
                    f"at most {service.max_visits} in one request",
                    column=planned.where,
                )
            )
    return issues


def whatif_input(body: bytes, service: ServiceSettings) -> WhatIfInput:
    """Check everything a sweep needs, now: it is only queued when every variation can be
    planned here. Raises ``InputError`` with every problem found."""
    spec = read_spec(body)
    issues = [
        InputIssue(
            "invalid_request",
            REQUEST_FILE,
            "is not taken here: the service decides where sweeps run",
            column=name,
        )
        for name in _DECIDED_HERE
        if getattr(spec, name) is not None
    ]
    if spec.travel == ROAD and service.osm_extract is None:
        issues.append(no_roads("invalid_request", REQUEST_FILE))
    if spec.time_limit > service.max_time_limit_s:
        issues.append(
            InputIssue(
                "time_limit_too_long",
                REQUEST_FILE,
                f"{spec.time_limit:g} s is over this service's most, "
                f"{service.max_time_limit_s:g} s a day",
                column="time_limit",
            )
        )
    try:
        sweep = prepare(spec, None, REQUEST_FILE, service.scenarios_dir)
    except InputError as exc:
        raise InputError(issues + exc.issues) from None
    if len(sweep.planned) > service.max_whatif_variations:
        issues.append(
            InputIssue(
                "too_many_variations",
                REQUEST_FILE,
                f"the spec makes {len(sweep.planned)} variations, the base included; this "
                f"service plans at most {service.max_whatif_variations} in one sweep",
                column="grids" if spec.grids else "variations",
            )
        )
        raise InputError(issues)  # not every one of them made, to say so
    issues += _visit_issues(sweep, service)
    search = _search_seconds(sweep)
    if search > service.max_whatif_search_s:
        issues.append(
            InputIssue(
                "too_much_search",
                REQUEST_FILE,
                f"the sweep may search for {search:,.0f} s in all (each variation's time "
                f"limit x its {len(sweep.scenario.dates)} date(s), x {MAX_ROUNDS} with the "
                f"waiting list); this service allows {service.max_whatif_search_s:,.0f} s",
                column="time_limit",
            )
        )
    if issues:
        raise InputError(issues)
    return WhatIfInput(sweep)


def _search_seconds(sweep: Sweep) -> float:
    """The longest the sweep's plans may search, one after another: a job holds a worker
    that long (a solution limit may end them sooner; nothing says how much)."""
    dates = len(sweep.scenario.dates)
    return sum(
        p.settings.solve.time_limit_s * dates * (MAX_ROUNDS if p.variation.waiting_list else 1)
        for p in sweep.planned
    )
