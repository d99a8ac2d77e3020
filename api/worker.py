"""What a worker process does with a job: claim it, plan (or compare, or sweep what-ifs),
validate, store the outputs, and say done or failed. Runs outside the web process, with its
own engine.

A failed job carries a sentence for a person, never a traceback; the log gets the traceback
(without the exception's text, which could quote the input) and the job id.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.exc import SQLAlchemyError

from api.config import SweepPlace
from api.db import make_engine
from api.inputs import EXTRACT_SETTING, JobInput, read_stored, travel_model
from api.schemas import STRAIGHT_LINE
from api.store import DISK_FULL, Document, JobKind, JobStore, disk_full
from scheduler.io.travel import TravelTimes, describe_travel, road_notes, travel_from
from scheduler.model.care import Scenario
from scheduler.model.errors import DomcareError
from scheduler.model.plan import Plan, PlanStatus, WeekPlan
from scheduler.planning.rota import BrokenRota, Progress, Rota, plan_rota
from scheduler.render.outputs import rota_files

__all__ = ["ProgressReporter", "SweepPlace", "run_job", "start_worker"]

log = logging.getLogger("domcare.api.worker")

JSON = "application/json"
CSV = "text/csv; charset=utf-8"
HTML = "text/html; charset=utf-8"
SVG = "image/svg+xml"
CALENDAR = "text/calendar; charset=utf-8"
_MEDIA = {"json": JSON, "csv": CSV, "html": HTML, "svg": SVG}
_PARENT_CHECK_S = 1.0
NO_PLAN_NOTE = (
    "No plan was found in the time allowed on {where}: its visits are listed as not covered. "
    "Try a longer time limit."
)


def start_worker(parent_pid: int, log_level: int) -> None:
    """Each worker process's start: log like the service, and end with the service. A worker
    left behind by a killed service would otherwise plan on for nobody; its job is queued
    again when the service starts."""
    logging.basicConfig(level=log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(_PARENT_CHECK_S)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


class ProgressStore(Protocol):
    def report_progress(self, job_id: str, token: str, progress: dict[str, Any]) -> bool: ...


class ProgressReporter:
    """Writes a running job's progress, at most once every ``interval_s`` seconds."""

    def __init__(
        self,
        store: ProgressStore,
        job_id: str,
        token: str,
        interval_s: float,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._store, self._job_id, self._token = store, job_id, token
        self._interval_s, self._clock = interval_s, clock
        self._began = clock()
        self._last: float | None = None

    def _write(self, progress: dict[str, Any]) -> None:
        now = self._clock()
        if self._last is not None and now - self._last < self._interval_s:
            return
        self._last = now
        try:
            self._store.report_progress(
                self._job_id, self._token, {"elapsed_s": round(now - self._began, 1), **progress}
            )
        except SQLAlchemyError as exc:
            # Progress is for show: the job goes on, and says at its end whether it was stored.
            log.warning("job %s: progress not written (%s)", self._job_id, type(exc).__name__)

    def solving(self, progress: Progress, date: str | None = None) -> None:
        self._write(
            {"visits_placed": progress.performed, "best_cost": progress.objective, "date": date}
        )

    def step(self, step: str) -> None:
        self._write({"step": step})

    def variations(self, done: int, failed: int, total: int) -> None:
        self._write(
            {
                "step": f"{done} of {total} variations",
                "variations_done": done,
                "variations_failed": failed,
                "variations_total": total,
            }
        )


@dataclass(frozen=True)
class JobOutcome:
    result: dict[str, Any]
    documents: list[Document]


def _job_travel(job: JobInput, extract: Path | None) -> TravelTimes:
    """The travel the job asked for (``travel_model``), on the job's own speeds."""
    return travel_from(
        travel_model(job.travel, extract), job.settings.travel, option=EXTRACT_SETTING
    )


def _plan_rota(job: JobInput, reporter: ProgressReporter, extract: Path | None) -> JobOutcome:
    """The pipeline every front end uses (``plan_rota``), and the files the command line
    writes (``rota_files``), stored under the same names."""
    travel = _job_travel(job, extract)
    try:
        rota = plan_rota(
            job.scenario,
            job.settings,
            travel,
            on_progress=lambda date, p: reporter.solving(p, date.isoformat()),
        )
    except BrokenRota as broken:
        raise DomcareError(
            f"{broken}. Nothing was stored: please report it with the job id."
        ) from None
    unplanned = [date.isoformat() for date in rota.unplanned]
    where = "this day" if not rota.is_week else ", ".join(unplanned)
    files = [
        Document(f.name, f.media_type, f.text) for f in rota_files(rota, show_names=job.show_names)
    ]
    for day, plan in rota.days():  # as the command line writes them
        prefix = f"{plan.date.isoformat()}/" if rota.is_week else ""
        files += _sheets(day, plan, job.show_names, prefix=prefix)
    return JobOutcome(
        result={
            "dates": [plan.date.isoformat() for plan in rota.plans],
            "plan_status": PlanStatus.NO_PLAN.value if unplanned else PlanStatus.SOLVED.value,
            "note": NO_PLAN_NOTE.format(where=where) if unplanned else None,
            "carers": sorted({run.carer_id for plan in rota.plans for run in plan.runs}),
            "travel": describe_travel(travel),
            "travel_notes": road_notes(travel, job.scenario),
        },
        documents=files,
    )


def _compare(job: JobInput, reporter: ProgressReporter, extract: Path | None) -> JobOutcome:
    from scheduler.analysis.compare import compare
    from scheduler.render.report import report_html

    travel = _job_travel(job, extract)
    run = compare(
        job.scenario,
        job.settings,
        travel,
        job.assignments(),
        job.packages(),
        say=reporter.step,
    )
    comparison = run.comparison
    return JobOutcome(
        result={
            "dates": list(comparison.dates),
            "rotas": [r.name for r in comparison.rotas],
            "travel": describe_travel(travel),
            "travel_notes": road_notes(travel, job.scenario),
        },
        documents=[
            Document("compare.json", JSON, comparison.model_dump_json(indent=1)),
            Document("report.html", HTML, report_html(comparison)),
        ],
    )


def _whatif(
    document: dict[str, Any], reporter: ProgressReporter, place: SweepPlace, extract: Path | None
) -> JobOutcome:
    """A sweep as ``domcare whatif`` runs it. A spec's road is the service's extract as it is
    when the job runs, for every variation (a ``travel_mode`` change too); the answer and
    the report's notes say what the legs were timed on."""
    from scheduler.render.whatif_report import sweep_files
    from scheduler.whatif.spec import ROAD, Spec, prepare
    from scheduler.whatif.sweep import Solved, sweep

    spec = Spec.model_validate(document["spec"])
    ready = prepare(spec, None, "request", place.scenarios)
    speeds = ready.planned[0].settings.travel
    roads = None  # straight lines: each variation's own settings, as on the command line
    if spec.travel == ROAD:
        again = f"send its spec again with travel: {STRAIGHT_LINE}"
        model = travel_model(ROAD, extract, "sweep", again)
        roads = travel_from(model, speeds, option=EXTRACT_SETTING)
    timed_on = describe_travel(roads)
    total, done, failed = len(ready.planned), 0, 0
    reporter.variations(done, failed, total)

    def finished(solved: Solved) -> None:
        nonlocal done, failed
        done += 1
        failed += solved.error is not None
        reporter.variations(done, failed, total)

    result, _ = sweep(
        ready.scenario,
        ready.planned,
        spec.seed,
        ready.packages,
        travel=roads,  # none: straight lines from each variation's settings, as on the command line
        workers=place.workers,
        dask=place.dask,
        on_done=finished,
    )
    return JobOutcome(
        result={
            "variations": total,
            "failed": failed,
            "ran_on": result.ran_on,
            "travel": timed_on,
        },
        documents=[
            Document(name, _MEDIA[name.rsplit(".", 1)[1]], text)
            for name, text in sweep_files(result).items()
        ],
    )


def _replan(
    document: dict[str, Any], reporter: ProgressReporter, extract: Path | None
) -> JobOutcome:
    """A re-plan (``api.inputs.ReplanInput``): the events read again, the day re-planned and
    checked on the day as it now stands, its files stored with the changes and run sheets."""
    from scheduler.analysis.changes import change_list, change_rows
    from scheduler.io.events import read_events
    from scheduler.io.scenario import scenario_from_document
    from scheduler.model.plan import Plan
    from scheduler.planning.replan import replan_day
    from scheduler.render.outputs import changes_csv
    from scheduler.rules.day import validate_plan
    from scheduler.rules.week import week_rules

    job = read_stored(document)
    asked = document["replan"]
    base = scenario_from_document(asked["scenario"], "scenario.json", "scenario").scenario
    plan = Plan.model_validate(asked["plan"])
    at = int(asked["at"])
    events = read_events(asked["events"].encode("utf-8"), base, plan, at, asked["label"])
    travel = _job_travel(job, extract)
    replanned = replan_day(
        base, plan, events, at, job.settings, travel, on_progress=reporter.solving
    )
    broken = validate_plan(replanned.scenario, replanned.plan, travel)
    if asked.get("week"):  # a week's day: the week's rules with the new day in place
        whole = scenario_from_document(asked["week"]["scenario"], "scenario.json", "week")
        week = WeekPlan.model_validate(asked["week"]["plans"])
        days = tuple(replanned.plan if d.date == plan.date else d for d in week.days)
        broken += week_rules(whole.scenario, week.model_copy(update={"days": days}))
    if broken:
        raise DomcareError("the re-plan broke a hard rule. Nothing was stored: please report it")
    rota = Rota(replanned.scenario, job.settings, (replanned.plan,))
    changes = change_list(replanned)
    placed, orphans = changes.placed("orphan")
    files = [
        Document(f.name, f.media_type, f.text) for f in rota_files(rota, show_names=job.show_names)
    ]
    files.append(Document("changes.csv", CSV, changes_csv(changes)))
    figures = {
        "replan_of": asked["parent"],
        "unaffected": changes.unaffected,
        "other_carer": changes.other_carer,
        "moved": changes.moved,
        "orphans": orphans,
        "orphans_placed": placed,
    }
    rows = list(change_rows(changes))
    files.append(Document("changes.json", JSON, json.dumps(figures | {"rows": rows}, indent=1)))
    files += _sheets(replanned.scenario, replanned.plan, job.show_names, plan)
    return JobOutcome(
        result={
            "dates": [replanned.plan.date.isoformat()],
            "plan_status": replanned.plan.status.value,
            "note": None,
            "replan_of": asked["parent"],
            "carers": sorted({run.carer_id for run in replanned.plan.runs}),
            "changes": figures,
            "travel": describe_travel(travel),
            "travel_notes": road_notes(travel, replanned.scenario),
        },
        documents=files,
    )


def _sheets(
    scenario: Scenario,
    plan: Plan,
    show_names: bool,
    before: Plan | None = None,
    prefix: str = "",
) -> list[Document]:
    from scheduler.render.runsheets import runsheet_files

    sheets = runsheet_files(scenario, plan, show_names=show_names, before=before, prefix=prefix)
    return [
        Document(name, CALENDAR if name.endswith(".ics") else HTML, text) for name, text in sheets
    ]


def _work(
    kind: JobKind,
    document: dict[str, Any],
    reporter: ProgressReporter,
    place: SweepPlace,
    extract: Path | None,
) -> JobOutcome:
    if kind is JobKind.WHATIF:
        return _whatif(document, reporter, place, extract)
    if kind is JobKind.ROTA and "replan" in document:
        return _replan(document, reporter, extract)

    work = _plan_rota if kind is JobKind.ROTA else _compare
    return work(read_stored(document), reporter, extract)


def run_job(
    database_url: str,
    job_id: str,
    owner: str,
    progress_interval_s: float,
    place: SweepPlace | None = None,
    osm_extract: Path | None = None,
) -> None:
    """Run job ``job_id`` if it is still queued and held by server ``owner`` (a worker may
    find it finished, or taken over by another server). ``osm_extract``: the service's, which
    a job asking for road travel is timed on."""
    engine = make_engine(database_url, create_schema=False)
    try:
        store = JobStore(engine)
        token = uuid.uuid4().hex
        if not store.claim(job_id, token, owner):
            return
        job, document = store.get(job_id), store.input(job_id)
        assert job is not None and document is not None  # claimed just now
        began = time.monotonic()
        log.info("job %s (%s) started, attempt %d", job_id, job.kind.value, job.attempts)
        reporter = ProgressReporter(store, job_id, token, progress_interval_s)
        reporter.step("started")
        try:
            outcome = _work(job.kind, document, reporter, place or SweepPlace(), osm_extract)
            for note in outcome.result.get("travel_notes", []):  # by id: never a name
                log.info("job %s: %s", job_id, note)
            stored = store.finish(job_id, token, outcome.result, outcome.documents)
        except DomcareError as exc:
            store.fail(job_id, token, str(exc))
            log.warning("job %s failed after %.1f s", job_id, time.monotonic() - began)
        except Exception as exc:
            if disk_full(exc):
                # If even this small write fails, the runner tries; failing that, the job
                # is queued again when its lease lapses: it never stays running.
                store.fail(job_id, token, DISK_FULL)
                log.error("job %s failed: the disk is full (%s)", job_id, type(exc).__name__)
                return
            store.fail(
                job_id,
                token,
                f"domcare failed unexpectedly ({type(exc).__name__}); the service's log has "
                f"the details under job {job_id}",
            )
            log.error(
                "job %s failed: %s\n%s",
                job_id,
                type(exc).__name__,
                "".join(traceback.format_tb(exc.__traceback__)),
            )
        else:
            if stored:
                log.info("job %s done in %.1f s", job_id, time.monotonic() - began)
    finally:
        engine.dispose()
