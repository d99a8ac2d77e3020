"""Running a what-if sweep: every variation planned as a rota is (``planning.rota.plan_rota``, or
``intake.absorb_optimised`` with a waiting list; then the validator), one at a time, in a
local process pool, or on a Dask cluster.

The parallelism is across variations: each plan searches on one core (``whatif`` sets the
solve's workers to 1), so a plan is the same whichever way it ran. With a solution limit it is
the same on every run (OR-Tools' search is deterministic then); with only a time limit, how
far a search gets depends on the machine's load.

A variation that fails (it cannot be made, its plan breaks a rule, its worker dies) is
reported in its row; the others go on.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import multiprocessing
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol, cast

from routing.haversine import HaversineTravel
from routing.travel import TravelTimes
from scheduler.analysis.released import RotaSummary, released_hours, summarise
from scheduler.analysis.waiting import CarePackage
from scheduler.io.travel import describe_travel
from scheduler.model.base import Frozen
from scheduler.model.care import Priority, Scenario
from scheduler.model.errors import DomcareError
from scheduler.model.plan import Plan
from scheduler.model.settings import Settings
from scheduler.whatif.spec import BASE, Made, Planned, WhatIfError, apply

__all__ = [
    "MAX_ATTEMPTS",
    "LOCAL",
    "SweepRow",
    "Solved",
    "SweepResult",
    "VariationJob",
    "heap_kept",
    "plan_variation",
    "run_tasks",
    "sweep",
    "tasks_for",
]

log = logging.getLogger("domcare.sweep")

LOCAL = "local"
"""``--dask local``: a Dask LocalCluster on this machine, one worker process per core."""
MAX_ATTEMPTS = 2
"""Pools a variation is tried in before it is tried alone, after a worker died."""


@dataclass(frozen=True)
class VariationJob:
    """One variation to plan, as sent to a worker: made already, or why it cannot be."""

    index: int
    name: str
    made: Made | None
    error: str | None = None
    travel: TravelTimes | None = None
    """None: straight-line travel from the variation's settings (the usual)."""


class Solved(Frozen):
    """What a worker sends back for one variation."""

    index: int
    error: str | None = None
    summary: RotaSummary | None = None
    plans: tuple[Plan, ...] = ()
    carers: int = 0
    current_visits: int = 0
    current_covered: int = 0
    critical_left_out: int = 0
    objective: int | None = None
    packages: int | None = None
    taken_on: int | None = None
    seconds: float = 0.0


_M_TRIM_THRESHOLD = -1  # glibc's mallopt parameter
KEPT_HEAP = 64 * 1024 * 1024
"""Free heap a plan keeps rather than hand back to the OS (see ``heap_kept``)."""


class _Libc(Protocol):
    def mallopt(self, param: int, value: int) -> int: ...
    def malloc_trim(self, pad: int) -> int: ...


def _glibc() -> _Libc | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt, libc.malloc_trim  # noqa: B018  (musl has neither)
    except (OSError, AttributeError):
        return None
    return cast(_Libc, libc)


@contextmanager
def heap_kept(libc: _Libc | None = None) -> Iterator[None]:
    """While planning, keep freed memory in the heap, then trim it as the process asked.

    Dask's nanny starts its workers with ``MALLOC_TRIM_THRESHOLD_=65536`` so that they hand
    memory back to the OS; glibc then trims the heap on nearly every free, and OR-Tools'
    search, which allocates and frees all the time, ran 8 times slower (town's day: 97 s
    against 12.5 s, the same plan). A process that set no threshold is left alone.
    """
    asked = os.environ.get("MALLOC_TRIM_THRESHOLD_", "")
    if not asked.isdigit() or int(asked) >= KEPT_HEAP or (libc := libc or _glibc()) is None:
        yield
        return
    libc.mallopt(_M_TRIM_THRESHOLD, KEPT_HEAP)
    try:
        yield
    finally:
        libc.mallopt(_M_TRIM_THRESHOLD, int(asked))
        libc.malloc_trim(0)


def plan_variation(task: VariationJob) -> Solved:
    """Plan one variation and check it with the validator. Never raises: a failure is the
    row's ``error`` (a message, never a traceback, and no client's name or address)."""
    with heap_kept():
        return _plan(task)


def _plan(task: VariationJob) -> Solved:
    from scheduler.analysis.intake import absorb_optimised
    from scheduler.planning.rota import plan_rota

    began = time.monotonic()
    if task.made is None:
        return Solved(index=task.index, error=task.error or "not made")
    made = task.made
    try:
        travel = task.travel or HaversineTravel(made.settings.travel)
        scenario = made.scenario
        packages: int | None = None
        taken: int | None = None
        if made.packages is not None:
            absorbed = absorb_optimised(scenario, made.packages, made.settings, travel)
            scenario, plans = absorbed.scenario, absorbed.plans
            packages, taken = len(made.packages), len(absorbed.taken_on)
        else:
            plans = plan_rota(scenario, made.settings, travel).plans
        summary = summarise(task.name, scenario, plans, made.settings)
        covered = {stop.visit_id for plan in plans for run in plan.runs for stop in run.stops}
        own = [v for v in scenario.visits if v.priority is not Priority.WAITING]
        objectives = [p.solver.objective if p.solver else None for p in plans]
        return Solved(
            index=task.index,
            summary=summary,
            plans=tuple(plans),
            carers=len(made.scenario.carers),
            current_visits=len(own),
            current_covered=sum(v.id in covered for v in own),
            critical_left_out=sum(
                v.id not in covered for v in own if v.priority is Priority.CRITICAL
            ),
            objective=None if None in objectives else sum(o or 0 for o in objectives),
            packages=packages,
            taken_on=taken,
            seconds=round(time.monotonic() - began, 2),
        )
    except DomcareError as exc:
        return Solved(index=task.index, error=str(exc), seconds=round(time.monotonic() - began, 2))
    except Exception as exc:  # a bug or the solver's own failure: the sweep goes on
        # The type and the code's lines only: a message may quote the care data.
        log.error(
            "variation %d failed: %s\n%s",
            task.index,
            type(exc).__name__,
            "".join(traceback.format_tb(exc.__traceback__)),
        )
        return Solved(
            index=task.index,
            error=f"internal error: {type(exc).__name__}: {exc}",
            seconds=round(time.monotonic() - began, 2),
        )


def tasks_for(
    scenario: Scenario,
    planned: Sequence[Planned],
    seed: int,
    packages: Sequence[CarePackage] | None = None,
    travel: TravelTimes | None = None,
) -> list[VariationJob]:
    """Each variation made (quick, here), or the reason it cannot be."""
    tasks = []
    for item in planned:
        try:
            made = apply(scenario, item, seed, packages)
        except WhatIfError as exc:
            tasks.append(VariationJob(item.index, item.name, None, f"cannot be made: {exc}"))
            continue
        tasks.append(VariationJob(item.index, item.name, made, travel=travel))
    return tasks


# ---- where the variations run ----------------------------------------------------------------

Done = Callable[[Solved], None]


def _serial(tasks: Sequence[VariationJob]) -> Iterator[Solved]:
    for task in tasks:
        yield plan_variation(task)


def _alone(task: VariationJob, work: Callable[[VariationJob], Solved]) -> Solved:
    """``task`` in a pool of its own, so that if its worker dies, it is the one to blame."""
    with ProcessPoolExecutor(
        max_workers=1, mp_context=multiprocessing.get_context("spawn")
    ) as pool:
        try:
            return pool.submit(work, task).result()
        except BrokenProcessPool:
            return Solved(
                index=task.index,
                error="its worker process died (out of memory, or a crash in the solver)",
            )


def _pool(
    tasks: Sequence[VariationJob],
    workers: int,
    work: Callable[[VariationJob], Solved] = plan_variation,
) -> Iterator[Solved]:
    """A pool of spawned processes (nothing of this process's threads is inherited). A worker
    that dies breaks the pool and every variation in it: they are tried again in a new pool
    and, if that breaks too, each alone, so that only the one that kills its worker fails."""
    waiting = list(tasks)
    context = multiprocessing.get_context("spawn")
    for _ in range(MAX_ATTEMPTS):
        if not waiting:
            return
        broken: list[VariationJob] = []
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            running = {pool.submit(work, task): task for task in waiting}
            for future in as_completed(running):
                try:
                    yield future.result()
                except BrokenProcessPool:
                    broken.append(running[future])
        waiting = sorted(broken, key=lambda t: t.index)
    for task in waiting:
        yield _alone(task, work)


def _dask(tasks: Sequence[VariationJob], address: str, workers: int) -> Iterator[Solved]:
    """On a Dask distributed cluster (``address``), or a LocalCluster here for ``local``. A
    worker that dies is Dask's to retry; a variation that keeps killing workers is failed."""
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if address == LOCAL:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
    try:
        with Client(cluster if cluster is not None else address) as client:
            futures = client.map(plan_variation, list(tasks), pure=False)
            index_of = {future.key: task.index for future, task in zip(futures, tasks, strict=True)}
            for future in as_completed(futures):
                try:
                    yield future.result()
                except Exception as exc:  # KilledWorker, a lost connection
                    yield Solved(
                        index=index_of[future.key],
                        error=f"failed on the cluster: {type(exc).__name__}: {exc}",
                    )
    finally:
        if cluster is not None:
            cluster.close()


def run_tasks(
    tasks: Sequence[VariationJob],
    workers: int | None = None,
    dask: str | None = None,
    on_done: Done | None = None,
) -> tuple[list[Solved], str]:
    """Plan every task; ``on_done`` hears each as it finishes. Returns the results in task
    order and where they ran, for the record."""
    workers = max(1, workers or os.cpu_count() or 1)
    ready = [t for t in tasks if t.made is not None]
    results = {t.index: plan_variation(t) for t in tasks if t.made is None}
    for solved in results.values():
        if on_done:
            on_done(solved)
    if dask == LOCAL:
        where, stream = f"Dask LocalCluster, {workers} workers", _dask(ready, dask, workers)
    elif dask:
        where, stream = f"Dask cluster at {dask}", _dask(ready, dask, workers)
    elif workers > 1 and len(ready) > 1:
        workers = min(workers, len(ready))
        where, stream = f"process pool, {workers} workers", _pool(ready, workers)
    else:
        where, stream = "one process", _serial(ready)
    for solved in stream:
        results[solved.index] = solved
        if on_done:
            on_done(solved)
    return [results[t.index] for t in tasks], where


# ---- the table -------------------------------------------------------------------------------


class SweepRow(Frozen):
    """One row of the results table: a variation's figures, or why it failed."""

    index: int
    name: str
    grid: str | None = None
    point: dict[str, int | float | str | bool] = {}
    status: str
    """``done`` or ``failed``."""
    error: str | None = None
    carers: int | None = None
    visits: int | None = None
    """The scenario's own visits (waiting-list calls apart)."""
    visits_covered: int | None = None
    coverage: float | None = None
    critical_left_out: int | None = None
    travel_hours: float | None = None
    waiting_hours: float | None = None
    paid_hours: float | None = None
    utilisation: float | None = None
    familiar_share: float | None = None
    carers_per_client: float | None = None
    travel_km: float | None = None
    cost: float | None = None
    """Paid hours at ``compare.hourly_pay`` plus mileage at ``compare.mileage_rate_per_km``."""
    objective: int | None = None
    released_hours: float | None = None
    """Non-contact hours (travel, waiting) of the base's plan less this one's, when counted."""
    released_note: str | None = None
    packages: int | None = None
    taken_on: int | None = None
    seconds: float = 0.0


class SweepResult(Frozen):
    scenario: str
    dates: tuple[str, ...]
    ran_on: str
    wall_seconds: float
    time_limit_s: float
    solution_limit: int | None
    currency: str
    rows: tuple[SweepRow, ...]
    notes: tuple[str, ...] = ()


def _released(base: Solved, solved: Solved, settings: Settings) -> tuple[float | None, str | None]:
    """Hours released against the base over the days that count, and why any does not."""
    if base.summary is None or solved.summary is None:
        return None, "the base could not be planned"
    released = released_hours(base.summary, solved.summary, settings)
    skipped = [d for d in released.days if not d.counted]
    if not skipped:
        return released.hours, None
    why = (skipped[0].why_not or "").replace("the optimised rota", "the variation")
    note = (
        f"{len(skipped)} of {len(released.days)} day(s) not counted "
        f"({sum(d.hours for d in skipped):.1f} h): {why}"
    )
    return (released.hours if len(skipped) < len(released.days) else None), note


def _row(item: Planned, solved: Solved, base: Solved) -> SweepRow:
    point = dict(item.point)
    if solved.summary is None:
        return SweepRow(
            index=item.index, name=item.name, grid=item.grid, point=point, status="failed",
            error=solved.error, seconds=solved.seconds,
        )  # fmt: skip
    summary, rules = solved.summary, item.settings.compare
    paid_h = summary.paid_minutes / 60
    released, note = _released(base, solved, item.settings)
    return SweepRow(
        index=item.index,
        name=item.name,
        grid=item.grid,
        point=point,
        status="done",
        carers=solved.carers,
        visits=solved.current_visits,
        visits_covered=solved.current_covered,
        coverage=round(solved.current_covered / solved.current_visits, 4)
        if solved.current_visits
        else 1.0,
        critical_left_out=solved.critical_left_out,
        travel_hours=round(summary.travel_minutes / 60, 1),
        waiting_hours=round(summary.waiting_minutes / 60, 1),
        paid_hours=round(paid_h, 1),
        utilisation=summary.utilisation,
        familiar_share=summary.familiar_share,
        carers_per_client=summary.distinct_carers_per_client,
        travel_km=summary.travel_km,
        cost=round(paid_h * rules.hourly_pay + summary.travel_km * rules.mileage_rate_per_km, 2),
        objective=solved.objective,
        released_hours=None if item.name == BASE else released,
        released_note=None if item.name == BASE else note,
        packages=solved.packages,
        taken_on=solved.taken_on,
        seconds=solved.seconds,
    )


def table(planned: Sequence[Planned], solved: Sequence[Solved]) -> tuple[SweepRow, ...]:
    """The rows, in the spec's order; released hours are against the base (row 0)."""
    return tuple(
        _row(item, result, solved[0]) for item, result in zip(planned, solved, strict=True)
    )


def sweep(
    scenario: Scenario,
    planned: Sequence[Planned],
    seed: int,
    packages: Sequence[CarePackage] | None = None,
    travel: TravelTimes | None = None,
    workers: int | None = None,
    dask: str | None = None,
    on_done: Done | None = None,
) -> tuple[SweepResult, list[Solved]]:
    """Make, plan and tabulate every variation."""
    began = time.monotonic()
    tasks = tasks_for(scenario, planned, seed, packages, travel)
    solved, where = run_tasks(tasks, workers, dask, on_done)
    base_settings = planned[0].settings
    notes = [
        "Released hours: the base plan's travel and waiting hours less the variation's, counted "
        "only if the variation covers at least as many visits, every critical one the base "
        "covers, and its familiar share is at most "
        f"{base_settings.compare.continuity_tolerance:.0%} lower.",
        f"Cost: paid hours at {base_settings.compare.currency} "
        f"{base_settings.compare.hourly_pay:.2f} plus "
        f"{base_settings.compare.mileage_rate_per_km:.2f} a km.",
    ]
    if len(scenario.dates) == 1:
        notes.append("Figures are for the one day of the scenario.")
    notes.append(f"Travel timed on: {describe_travel(travel)}, for every variation.")
    notes.append(
        "Each plan is as good as a search of this length finds: variations a visit or two "
        "apart may differ by the search rather than by the change (docs/whatif.md)."
    )
    if base_settings.solve.solution_limit is None:
        notes.append(
            "Each plan searched for a time limit: a run on a busier machine may differ by a "
            "visit or two. Give a solution limit for the same results on every run."
        )
    result = SweepResult(
        scenario=scenario.name,
        dates=tuple(d.isoformat() for d in scenario.dates),
        ran_on=where,
        wall_seconds=round(time.monotonic() - began, 1),
        time_limit_s=base_settings.solve.time_limit_s,
        solution_limit=base_settings.solve.solution_limit,
        currency=base_settings.compare.currency,
        rows=table(planned, solved),
        notes=tuple(notes),
    )
    return result, solved
