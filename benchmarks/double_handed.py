"""How the planner copes with double-handed visits (issue 6): one generated day with a given
share of its visits needing two carers, against the same day with every visit made single.

    python -m benchmarks.double_handed --visits 400 --seed 2 --shares 0.10 0.25 --time-limit 30

The day is ``scenarios.generator.generate(visits, seed=seed)`` (400 visits, seed 2 is the
shipped town day). For each share, ``with_double_share`` makes exactly round(share x visits)
of its calls double-handed: the generator's own (hoist transfers, end-of-life care) first,
then calls for clients with heavy needs, then long calls, then any, in an order drawn from
``seed``; below the generator's share its lightest double-handed calls are made single.
Nothing else changes: same clients, same calls, same staff. The staff is the one the
generator sized for its own day, so a 25 % day asks the same carers for more carer-minutes
(each extra pair adds a second carer's whole call) and is harder to cover; that is the
comparison the issue asks for. ``--sized-staff`` adds, per share, the double-handed day with
a staff grown for the extra minutes (see ``sized_carers``), to tell the pairs' difficulty
from the shortage of hands: the same calls and pairs, but a roster the generator draws for
that many carers, so the clients' preferred and refused carers are drawn afresh too.

Every visit made single gives one day whatever the share, so it is solved once and its row
shown under each share, counting that share's double-handed visits as single calls covered.

Each solve runs in a fresh process, one at a time (the machines have two cores), and its plan
must pass ``validate_plan``: an invalid plan stops the benchmark. Per row: visits covered;
the share's double-handed visits covered (by two carers; in the made-single day, by one);
carer-visits covered (a double-handed visit counts two); travel and paid hours (see
``scheduler.analysis.metrics``); ``plan_cost`` (the settings' objective recomputed from the plan, in
its units: travel and waiting weights per minute plus drop penalties); wall seconds of the
solve; the peak memory of the solving process; and the visits left out by reason.
"""

from __future__ import annotations

import argparse
import csv
import math
import multiprocessing
import os
import platform
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, fields, replace
from multiprocessing.connection import Connection
from pathlib import Path

import numpy as np

from benchmarks.runner import _peak_mib
from routing.haversine import HaversineTravel
from scenarios.generator import band_minutes, generate
from scheduler.analysis.metrics import day_figures
from scheduler.model.care import Scenario, Visit
from scheduler.model.errors import DomcareError
from scheduler.model.plan import Plan
from scheduler.model.settings import Settings, SolveSettings
from scheduler.planning.day import solve_day
from scheduler.rules.day import validate_plan
from scheduler.rules.objective import plan_cost

__all__ = [
    "DOUBLE",
    "HEAVY_SKILLS",
    "LONG_CALL_MINUTES",
    "MADE_SINGLE",
    "STAFF_SIZED",
    "BenchmarkError",
    "DoubleHandedRow",
    "Solved",
    "made_single",
    "markdown",
    "measure",
    "measure_isolated",
    "run",
    "sized_carers",
    "with_double_share",
    "write_csv",
]

DOUBLE = "double"
MADE_SINGLE = "made single"
STAFF_SIZED = "double, staff sized"

# Needs that make a call a likely pair in practice: transfers, tube feeding, end of life.
HEAVY_SKILLS = frozenset({"hoist", "peg_feeding", "palliative"})
LONG_CALL_MINUTES = 45


class BenchmarkError(DomcareError):
    """A solve crashed or its plan failed the validator: the figures would mean nothing."""


@dataclass(frozen=True)
class DoubleHandedRow:
    """One solve, as shown under one share. Hours are decimal hours; ``cost`` is in the
    objective's units (``scheduler.model.settings``)."""

    share: float
    version: str
    carers: int
    visits: int
    double_handed: int
    """Visits needing two carers in the solved day (none when made single)."""
    covered: int
    share_visits: int
    """The share's double-handed visits (the same ids whichever version was solved)."""
    share_visits_covered: int
    carer_visits: int
    carer_visits_covered: int
    travel_h: float
    paid_h: float
    cost: int
    wall_s: float
    peak_mib: float | None
    left_out: str
    """Visits left out by reason; ``(n double-handed)`` counts the pairs among them."""


# ---- the days -------------------------------------------------------------------------------


def _need_rank(visit: Visit) -> int:
    """Which calls an agency would staff with two first: heavy needs, then long calls."""
    if visit.required_skills & HEAVY_SKILLS:
        return 0
    return 1 if visit.duration >= LONG_CALL_MINUTES else 2


def _double_handed_ids(visits: Sequence[Visit], share: float, seed: int) -> frozenset[str]:
    """The round(share x visits) calls to make double-handed: already double-handed first,
    then by need, ties broken by a draw from ``seed``. Depends on the calls alone, so a day
    with another staff gets the same pairs."""
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"a share of double-handed visits is between 0 and 1, not {share}")
    draw = np.random.default_rng(seed).random(len(visits))
    order = sorted(
        range(len(visits)),
        key=lambda i: (not visits[i].double_handed, _need_rank(visits[i]), draw[i]),
    )
    return frozenset(visits[i].id for i in order[: round(share * len(visits))])


def _with_pairs(scenario: Scenario, pairs: frozenset[str]) -> Scenario:
    visits = tuple(
        visit.model_copy(update={"carers_required": 2 if visit.id in pairs else 1})
        for visit in scenario.visits
    )
    return scenario.model_copy(update={"visits": visits})


def with_double_share(scenario: Scenario, share: float, seed: int) -> Scenario:
    """``scenario`` with exactly round(share x visits) double-handed visits and nothing else
    changed (see the module note for which)."""
    return _with_pairs(scenario, _double_handed_ids(scenario.visits, share, seed))


def made_single(scenario: Scenario) -> Scenario:
    """``scenario`` with every visit needing one carer."""
    return _with_pairs(scenario, frozenset())


def sized_carers(day: Scenario, variant: Scenario) -> int:
    """Carers for ``variant`` (``day`` with more pairs) staffed as the generator staffed
    ``day``: its staff grown by the largest rise in carer-minutes of care in any part of the
    day, since the generator sizes for the busiest hour and pairs bunch in the morning."""
    growth = max(
        (
            after.care_minutes / before.care_minutes
            for before, after in zip(band_minutes(day), band_minutes(variant), strict=True)
            if before.care_minutes
        ),
        default=1.0,
    )
    return math.ceil(len(day.carers) * max(1.0, growth))


# ---- one solve ------------------------------------------------------------------------------


def _left_out(scenario: Scenario, plan: Plan) -> str:
    reasons = Counter(item.reason_code for item in plan.unallocated)
    pairs = Counter(
        item.reason_code
        for item in plan.unallocated
        if scenario.visit_by_id[item.visit_id].double_handed
    )
    return (
        ", ".join(
            f"{code} {count}" + (f" ({pairs[code]} double-handed)" if pairs[code] else "")
            for code, count in sorted(reasons.items())
        )
        or "none"
    )


@dataclass(frozen=True)
class Solved:
    """One solve, before it is shown under a share: its row with the share's columns still
    empty, and the visits it covered."""

    row: DoubleHandedRow
    covered: frozenset[str]

    def under(self, share: float, pairs: frozenset[str]) -> DoubleHandedRow:
        """The row under ``share``, whose double-handed visits are ``pairs``: counted whether
        or not this version needed two carers for them."""
        return replace(
            self.row,
            share=share,
            share_visits=len(pairs),
            share_visits_covered=len(pairs & self.covered),
        )


def measure(scenario: Scenario, settings: Settings, version: str) -> Solved:
    """Plan ``scenario``, check the plan and read its figures. Raises ``BenchmarkError`` when
    the validator rejects the plan."""
    began = time.monotonic()
    plan = solve_day(scenario, settings)
    wall = time.monotonic() - began
    violations = validate_plan(scenario, plan, HaversineTravel(settings.travel))
    if violations:
        shown = "; ".join(str(v) for v in violations[:5])
        raise BenchmarkError(
            f"{scenario.name} {version}: {len(violations)} violations, e.g. {shown}"
        )
    left = {item.visit_id for item in plan.unallocated}
    covered = [visit for visit in scenario.visits if visit.id not in left]
    figures = day_figures(scenario, plan)
    row = DoubleHandedRow(
        share=0.0,
        version=version,
        carers=len(scenario.carers),
        visits=len(scenario.visits),
        double_handed=sum(visit.double_handed for visit in scenario.visits),
        covered=len(covered),
        share_visits=0,
        share_visits_covered=0,
        carer_visits=sum(visit.carers_required for visit in scenario.visits),
        carer_visits_covered=sum(visit.carers_required for visit in covered),
        travel_h=round(figures.travel_minutes / 60, 1),
        paid_h=round(figures.paid_minutes / 60, 1),
        cost=plan_cost(scenario, plan, settings).total,
        wall_s=round(wall, 1),
        peak_mib=None,
        left_out=_left_out(scenario, plan),
    )
    return Solved(row, frozenset(visit.id for visit in covered))


def _measure_in_child(
    connection: Connection, scenario: Scenario, settings: Settings, version: str
) -> None:
    """In the child: measure, then send back (solved, peak MiB, None) or the failure as text."""
    try:
        solved = measure(scenario, settings, version)
        connection.send((solved, _peak_mib(), None))
    except Exception as exc:  # sent to the parent, which stops the benchmark
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        connection.send((None, _peak_mib(), detail))
    finally:
        connection.close()


def measure_isolated(scenario: Scenario, settings: Settings, version: str) -> Solved:
    """``measure`` in a fresh process, so that its peak memory is this solve's own and one
    solve cannot warm or fragment the next."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_measure_in_child, args=(sender, scenario, settings, version))
    child.start()
    sender.close()
    try:
        solved, peak, failure = receiver.recv()
    except EOFError:  # the child died without a word (killed, out of memory)
        solved, peak, failure = None, 0.0, f"the solving process ended with code {child.exitcode}"
    child.join()
    if solved is None:
        raise BenchmarkError(f"{scenario.name} {version}: {failure}")
    return Solved(replace(solved.row, peak_mib=round(peak, 1)), solved.covered)


# ---- the benchmark --------------------------------------------------------------------------

Measure = Callable[[Scenario, Settings, str], Solved]


def _progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run(
    visits: int,
    seed: int,
    shares: Sequence[float],
    settings: Settings,
    sized_staff: bool = False,
    solve: Measure = measure_isolated,
) -> list[DoubleHandedRow]:
    """Rows per share: the double-handed day, the day made single (solved once, see the module
    note) and, with ``sized_staff``, the double-handed day with more carers. Tests pass
    ``solve=measure`` to solve in their own process."""
    day = generate(visits, seed=seed)
    _progress(f"{day.name}, {len(day.carers)} carers: every visit single")
    single = solve(made_single(day), settings, MADE_SINGLE)
    rows = []
    for share in shares:
        pairs = _double_handed_ids(day.visits, share, seed)
        double = _with_pairs(day, pairs)
        _progress(f"{day.name}: {len(pairs)} double-handed ({share:.0%})")
        rows += [solve(double, settings, DOUBLE).under(share, pairs), single.under(share, pairs)]
        if sized_staff:
            carers = sized_carers(day, double)
            staffed = _with_pairs(generate(visits, carers, seed=seed), pairs)
            _progress(f"{day.name}: {len(pairs)} double-handed, {carers} carers")
            rows.append(solve(staffed, settings, STAFF_SIZED).under(share, pairs))
    return rows


def markdown(rows: Sequence[DoubleHandedRow]) -> str:
    lines = [
        "| share | version | carers | visits | double-handed | visits covered "
        "| the share's double-handed covered | carer-visits covered | travel h | paid h "
        "| cost | wall s | peak MiB | left out by reason |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        as_single = " as single" if row.version == MADE_SINGLE else ""
        lines.append(
            f"| {row.share:.0%} | {row.version} | {row.carers} | {row.visits} "
            f"| {row.double_handed} | {row.covered / row.visits:.1%} "
            f"| {row.share_visits_covered} of {row.share_visits}{as_single} "
            f"| {row.carer_visits_covered} of {row.carer_visits} | {row.travel_h:.1f} "
            f"| {row.paid_h:.1f} | {row.cost} | {row.wall_s:.1f} "
            f"| {'-' if row.peak_mib is None else f'{row.peak_mib:.0f}'} | {row.left_out} |"
        )
    return "\n".join(lines)


def write_csv(rows: Sequence[DoubleHandedRow], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=[f.name for f in fields(DoubleHandedRow)])
        writer.writeheader()
        for row in rows:
            writer.writerow(asdict(row))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.double_handed", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--visits", type=int, default=400)
    parser.add_argument("--seed", type=int, default=2, help="the day's and the pairs' seed")
    parser.add_argument("--shares", type=float, nargs="+", default=[0.10, 0.25])
    parser.add_argument("--time-limit", type=float, default=30.0, help="seconds per solve")
    parser.add_argument("--sized-staff", action="store_true", help="also a staff sized per share")
    parser.add_argument("--out", type=Path, help="also write the rows to this CSV")
    args = parser.parse_args(argv)
    settings = Settings(solve=SolveSettings(time_limit_s=args.time_limit))
    rows = run(args.visits, args.seed, args.shares, settings, args.sized_staff)
    print(f"{platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}")
    print(markdown(rows))
    if args.out is not None:
        write_csv(rows, args.out)
        print(f"\nrows written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
