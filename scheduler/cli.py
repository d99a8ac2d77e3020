"""``domcare``: plan a day's rota, or a week's, from the command line.

Exit status: 0 a plan was written; 2 bad input (every problem is listed); 3 a routing problem
(no plan found, or a plan that breaks a hard rule, which is never written).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections.abc import Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from routing.matrix_file import MatrixFileError, MatrixFileTravel
from routing.problem import Progress
from routing.road import RoadError
from routing.travel import TravelTimes
from scheduler.analysis.metrics import DayFigures, day_figures, week_figures
from scheduler.io.files import write_files, write_text_atomic
from scheduler.io.plans import read_json_model, read_plan, read_week
from scheduler.io.scenario import load_scenario
from scheduler.io.shipped import shipped
from scheduler.io.travel import (
    road_intro,
    road_notes,
    road_summary,
    same_travel,
    travel_from,
)
from scheduler.model.care import Scenario
from scheduler.model.clock import format_clock, parse_clock
from scheduler.model.errors import DomcareError, InputError, InputIssue
from scheduler.model.plan import Plan

if TYPE_CHECKING:
    from scheduler.analysis.changes import ChangeList
from scheduler.model.settings import (
    FirstSolution,
    Metaheuristic,
    Settings,
    SolveSettings,
    describe,
)
from scheduler.planning.rota import BrokenRota, Rota, plan_rota
from scheduler.render.outputs import rota_files
from scheduler.render.runsheets import runsheet_files
from scheduler.rules.day import Violation, validate_plan
from scheduler.rules.week import validate_week, week_rules

__all__ = ["main"]

EXIT_OK, EXIT_INPUT, EXIT_ROUTING = 0, 2, 3
COMMANDS = "domcare.commands"
"""The entry point group of the commands other packages add (``api``: serve, keys;
``scenarios``: generate), loaded as the parser is built: no web framework is imported here."""


class _RoutingProblem(Exception):
    """The run ends with exit status 3 after its message was printed."""


def _scenario_path(text: str) -> Path:
    """A path as given, or a shipped scenario by name (``town``, ``scenarios/town``) when no
    such path exists here, so the README's commands work from any folder."""
    path = Path(text)
    if path.exists():
        return path
    found = shipped(path.name)
    return found if found is not None and found.is_dir() else path


def _read(path: str) -> Scenario:
    """The scenario at ``path`` (or shipped by that name), its notes printed for the user: how
    a spreadsheet was read, ids ignored, places far from the others."""
    loaded = load_scenario(_scenario_path(path))
    if loaded.notes:
        notes = Console(stderr=True, highlight=False)
        count = len(loaded.notes)
        notes.print(f"{count} note{'s' if count != 1 else ''} on the input:")
        for note in loaded.notes:
            notes.print(f"  {note}", markup=False)
    return loaded.scenario


_CORES = max(1, min(2, os.cpu_count() or 1))
"""Processes for a road network's large tables (one search per origin, independent)."""
_TRAVEL_HELP = (
    "travel times: straight-line (default), osm:EXTRACT.osm.pbf (roads of your own "
    "OpenStreetMap extract, cached beside it) or matrix:FILE.csv"
)


def _travel(settings: Settings, args: argparse.Namespace) -> TravelTimes:
    """``--travel`` (straight lines unless given; ``--matrix FILE`` is ``matrix:FILE``)."""
    if args.matrix is not None:
        return MatrixFileTravel(args.matrix)
    return travel_from(args.travel, settings.travel, workers=_CORES)


def _road_notes(travel: TravelTimes, scenario: Scenario) -> None:
    """What the road network said of the places, after planning, as the input's notes are."""
    say = Console(stderr=True, highlight=False)
    summary = road_summary(travel)
    if summary is not None:
        say.print(summary, markup=False)
    notes = road_notes(travel, scenario)
    if notes:
        say.print(f"{len(notes)} note{'s' if len(notes) != 1 else ''} on the road network:")
        for note in notes:
            say.print(f"  {note}", markup=False)


_SETTING_OPTIONS = {
    # command-line option -> (Settings field, the "solve" section or the top level)
    "time_limit": ("time_limit_s", "solve"),
    "solution_limit": ("solution_limit", "solve"),
    "first_solution": ("first_solution", "solve"),
    "metaheuristic": ("metaheuristic", "solve"),
    "workers": ("workers", "solve"),
    "seed": ("seed", "solve"),
    "continuity_weight": ("continuity_weight", None),
    "max_carers_per_client": ("max_carers_per_client_week", None),
    "min_rest": ("min_rest_minutes", None),
    "break_after": ("break_after_minutes", None),
}


def _settings(args: argparse.Namespace, base: Settings | None = None) -> Settings:
    """The settings file's (or ``base``, or the defaults), with every option given on the
    command line put over them; checked as a whole, so a bad value is reported like bad
    input."""
    if base is None:
        base = Settings(solve=SolveSettings(time_limit_s=args.default_time_limit))
    if args.settings is not None:
        base = read_json_model(args.settings, Settings, "invalid_settings")
    merged = base.model_dump()
    for option, (field, section) in _SETTING_OPTIONS.items():
        value = getattr(args, option)
        if value is None:
            continue
        if option == "break_after" and value == 0:
            value = None  # --break-after 0: no breaks
        (merged[section] if section else merged)[field] = value
    try:
        return Settings.model_validate(merged)
    except ValidationError as exc:
        options = {field: option for option, (field, _) in _SETTING_OPTIONS.items()}
        raise InputError(
            [
                InputIssue(
                    "invalid_settings",
                    "command line",
                    error["msg"],
                    column="--" + options.get(str(error["loc"][-1]), "?").replace("_", "-"),
                )
                for error in exc.errors()
            ]
        ) from None


def _summary(console: Console, scenario: Scenario, plan: Plan, figures: DayFigures) -> None:
    table = Table(title=f"Rota for {scenario.name} on {scenario.date}", show_footer=True)
    hours = lambda minutes: f"{minutes / 60:.1f}"  # noqa: E731
    columns = [
        ("carer", "total"),
        ("runs", str(sum(c.runs for c in figures.carers))),
        ("visits", str(sum(c.visits for c in figures.carers))),
        ("care h", hours(figures.contact_minutes)),
        ("travel h", hours(figures.travel_minutes)),
        ("km", f"{figures.travel_km:.0f}"),
        ("wait h", hours(figures.waiting_minutes)),
        ("paid h", hours(figures.paid_minutes)),
        ("utilisation", f"{figures.utilisation:.0%}"),
    ]
    for name, footer in columns:
        table.add_column(name, footer=footer, justify="left" if name == "carer" else "right")
    for c in figures.carers:
        table.add_row(
            c.carer_id,
            str(c.runs),
            str(c.visits),
            hours(c.contact_minutes),
            hours(c.travel_minutes),
            f"{c.travel_km:.0f}",
            hours(c.waiting_minutes),
            hours(c.paid_minutes),
            f"{c.utilisation:.0%}",
        )
    console.print(table)
    console.print(
        f"Visits covered: {figures.visits_allocated} of {figures.visits} "
        f"({figures.allocated_share:.1%}); carers working: {figures.carers_working} of "
        f"{len(scenario.carers)}; distinct carers per client: "
        f"{figures.distinct_carers_per_client}"
    )
    _late_calls(console, scenario, plan)
    if plan.cost is not None:
        terms = ", ".join(f"{term} {cost:,}" for term, cost in plan.cost.terms.items() if cost)
        console.print(f"Cost (the objective the search minimised): {plan.cost.total:,} = {terms}")
    console.print(
        f"Calls with a wait of {plan.settings.long_wait_minutes} min or more before them: "
        f"{figures.long_waits}; carers paid under {plan.settings.short_day_minutes / 60:g} h: "
        f"{figures.short_days}"
    )
    if plan.unallocated:
        left = Table(title="Not covered")
        for name in ("visit", "client", "window", "reason"):
            left.add_column(name)
        for item in plan.unallocated[:30]:
            visit = scenario.visit_by_id[item.visit_id]
            window = f"{format_clock(visit.earliest_start)}-{format_clock(visit.latest_start)}"
            left.add_row(item.visit_id, item.client_id, window, item.reason)
        console.print(left)
        if len(plan.unallocated) > 30:
            console.print(f"... and {len(plan.unallocated) - 30} more in plan.json")


def _late_calls(console: Console, scenario: Scenario, plan: Plan) -> None:
    """The calls starting after their window, within their tolerance: who to warn."""
    late: dict[str, tuple[int, int, list[str]]] = {}
    for run in plan.runs:
        for stop in run.stops:
            if stop.minutes_late:
                carers = late.get(stop.visit_id, (0, 0, []))[2]
                late[stop.visit_id] = (stop.start, stop.minutes_late, [*carers, run.carer_id])
    if not late:
        return
    table = Table(title=f"Late calls: {len(late)} ({sum(m for _, m, _ in late.values())} min)")
    for name in ("visit", "client", "window", "starts", "min late", "carer"):
        table.add_column(name, justify="right" if name == "min late" else "left")
    for visit_id, (start, minutes, carers) in sorted(late.items(), key=lambda i: -i[1][1])[:30]:
        visit = scenario.visit_by_id[visit_id]
        window = f"{format_clock(visit.earliest_start)}-{format_clock(visit.latest_start)}"
        table.add_row(
            visit_id, visit.client_id, window, format_clock(start), str(minutes), ", ".join(carers)
        )
    console.print(table)
    if len(late) > 30:
        console.print(f"... and {len(late) - 30} more in plan.json")


def _placed(progress: Progress) -> str:
    """The search's progress as a coordinator reads it."""
    return f"a plan with {progress.performed} carer visits found, still improving"


def _refuse(console: Console, violations: list[Violation]) -> None:
    """A solved plan that fails the validator is never written: say why, and that it is ours."""
    _report_violations(console, violations)
    console.print("[red]No files written: this is a bug in domcare, please report it.[/red]")


def _report_violations(console: Console, violations: list[Violation]) -> None:
    console.print(f"[red]The plan breaks {len(violations)} hard rule(s):[/red]")
    for violation in violations[:50]:
        console.print(f"  {violation}", markup=False)


def _week_summary(console: Console, rota: Rota) -> None:
    figures, settings = week_figures(rota.scenario, rota.week), rota.settings
    for plan in rota.plans:
        for item in plan.unallocated[:10]:
            console.print(
                f"  {plan.date} not covered: {item.visit_id} ({item.client_id}): {item.reason}",
                markup=False,
            )
        if len(plan.unallocated) > 10:
            console.print(f"  ... and {len(plan.unallocated) - 10} more in {plan.date}/plan.json")
    table = Table(title="The week")
    for name in ("date", "visits", "covered", "carers", "travel h", "paid h", "familiar"):
        table.add_column(name, justify="left" if name == "date" else "right")
    for date, day in zip(figures.dates, figures.days, strict=True):
        table.add_row(
            str(date),
            str(day.visits),
            f"{day.allocated_share:.1%}",
            str(day.carers_working),
            f"{day.travel_minutes / 60:.1f}",
            f"{day.paid_minutes / 60:.1f}",
            f"{day.familiar_share:.0%}",
        )
    console.print(table)
    console.print(
        f"Week: {figures.visits_allocated} of {figures.visits} visits covered "
        f"({figures.allocated_share:.1%}); travel {figures.travel_minutes / 60:.1f} h; "
        f"distinct carers per client {figures.distinct_carers_per_client} (most "
        f"{figures.max_distinct_carers_per_client}); familiar {figures.familiar_share:.0%}; "
        f"longest run with one carer {figures.longest_same_carer_days} days (mean)"
    )
    cap = settings.max_carers_per_client_week
    console.print(
        f"Weekly cap of {cap} carers a client: {figures.clients_past_cap} client(s) saw more, "
        f"{figures.visits_past_cap} visit(s) by a carer beyond it (the cap gives way to "
        f"{'every call' if settings.cap_yields_to == 'all' else 'critical calls'} no carer "
        f"within it could take); {figures.visits_lost_to_cap} visit(s) left out because of it"
    )
    for carer in figures.carers:
        if carer.max_weekly_minutes is not None:
            console.print(
                f"  carer {carer.carer_id}: {carer.paid_minutes / 60:.1f} h paid of "
                f"{carer.max_weekly_minutes / 60:.1f} h allowed in the week"
            )


def _solve(args: argparse.Namespace, console: Console) -> int:
    """Plan a day, or each day of a week, through the one pipeline; print it and write its
    files (``scheduler.render.outputs.rota_files``) into ``--out``."""
    settings = _settings(args)
    scenario = _read(args.path)
    travel = _travel(settings, args)
    dates = scenario.dates
    week = len(dates) > 1
    console.print(
        f"Planning {scenario.name} "
        + (f"for {len(dates)} days from {dates[0]}" if week else f"on {dates[0]}")
        + f": {len(scenario.visits)} visits, {len(scenario.carers)} carers, time limit "
        + f"{settings.solve.time_limit_s:g} s"
        + (" a day" if week else "")
    )
    intro = road_intro(travel, scenario)
    if intro is not None:
        console.print(intro)
    began = time.monotonic()
    with console.status("building the first plan...") as status:

        def progress(date: dt.date, p: Progress) -> None:
            status.update(f"{date}  {p.elapsed_s:5.1f} s  {_placed(p)}")

        def day_done(plan: Plan) -> None:
            if week:
                placed = sum(len(run.stops) for run in plan.runs)
                console.print(
                    f"  {plan.date} planned: {placed} carer visits, {len(plan.unallocated)} "
                    f"visit(s) not covered ({time.monotonic() - began:.0f} s so far)"
                )

        try:
            rota = plan_rota(scenario, settings, travel, on_progress=progress, on_day=day_done)
        except BrokenRota as broken:
            _refuse(console, broken.violations)
            return EXIT_ROUTING
    _road_notes(travel, scenario)
    solver = rota.plans[0].solver
    how = f" ({solver.status})" if solver is not None and not week else ""
    console.print(f"Solved in {time.monotonic() - began:.1f} s{how}")
    if week:
        _week_summary(console, rota)
    else:
        ((day, plan),) = rota.days()
        _summary(console, day, plan, day_figures(day, plan))
    files = [(f.name, f.text) for f in rota_files(rota, show_names=args.names)]
    for day, plan in rota.days():
        prefix = f"{plan.date.isoformat()}/" if week else ""
        files += runsheet_files(day, plan, show_names=args.names, prefix=prefix)
    written = write_files(args.out, files)
    if week:
        console.print(
            f"Wrote {args.out}: week.json, week_figures.json, rota.csv and a folder per day"
        )
    else:
        shown = [str(path) for path in written if "runsheets" not in path.parts]
        console.print(f"Wrote {', '.join(shown)} and run sheets in {args.out / 'runsheets'}")
    if rota.unplanned:
        console.print(
            "[red]No plan was found in the time allowed on "
            + ", ".join(map(str, rota.unplanned))
            + "; its visits are listed as not covered. Try a longer --time-limit.[/red]"
        )
        return EXIT_ROUTING
    return EXIT_OK


def _validate(args: argparse.Namespace, console: Console) -> int:
    scenario = _read(args.path)
    if len(scenario.dates) > 1:
        week = read_week(args.plan)
        travel = _travel(week.settings, args)
        for day in week.days:
            same_travel(day.travel, travel)
        violations = validate_week(scenario, week, travel)
    else:
        plan = read_plan(args.plan)
        travel = _travel(plan.settings, args)
        same_travel(plan.travel, travel)
        violations = validate_plan(scenario, plan, travel)
    if violations:
        _report_violations(console, violations)
        return EXIT_ROUTING
    console.print(f"{args.plan}: valid, no hard rule broken")
    return EXIT_OK


def _compare(args: argparse.Namespace, console: Console) -> int:
    from scheduler.analysis.compare import compare
    from scheduler.analysis.manual import read_manual_rota
    from scheduler.analysis.waiting import read_waiting_list
    from scheduler.render.report import (
        breach_summary,
        hours_phrase,
        released_phrase,
        report_html,
    )

    settings = _settings(args)
    scenario = _read(args.path)
    travel = _travel(settings, args)
    manual = read_manual_rota(args.manual, scenario) if args.manual else None
    packages = read_waiting_list(args.waiting_list, scenario.skills) if args.waiting_list else None
    console.print(
        f"Comparing rotas for {scenario.name}: {len(scenario.visits)} visits on "
        f"{len(scenario.dates)} date(s), {len(scenario.carers)} carers"
        + (f", {len(packages)} people waiting" if packages else "")
    )
    began = time.monotonic()
    with console.status("planning...") as status:
        run = compare(
            scenario,
            settings,
            travel,
            manual,
            packages,
            say=lambda step: status.update(f"{time.monotonic() - began:5.0f} s  {step}"),
        )
    result = run.comparison
    table = Table(title=f"Rotas for {scenario.name}")
    columns = ("rota", "covered", "missed", "late", "travel h", "waiting h", "utilisation")
    for column in (*columns, "familiar", "broken"):
        table.add_column(column, justify="left" if column == "rota" else "right")
    for rota in result.rotas:
        table.add_row(
            rota.name,
            f"{rota.visits_covered} of {rota.visits}",
            str(rota.missed_calls),
            str(rota.late_calls),
            f"{rota.travel_minutes / 60:.1f}",
            f"{rota.waiting_minutes / 60:.1f}",
            f"{rota.utilisation:.0%}",
            f"{rota.familiar_share:.0%}",
            str(rota.breaches),
        )
    console.print(table)
    if result.continuity is not None:
        console.print(f"Continuity of care: {result.continuity.method}")
    scale, per = (7, "a week (one day x 7)") if result.week_estimate else (1, "this week")
    for released in result.released:
        skipped = sum(1 for d in released.days if not d.counted)
        console.print(
            released_phrase(released, scale, per)
            + (f"; {skipped} day(s) not counted" if skipped else "")
        )
        for day in released.days:
            if not day.counted:
                console.print(
                    f"  {day.date}: {hours_phrase(day.hours)}, not counted: {day.why_not}"
                )
    for rota in result.rotas:
        for line in breach_summary(rota):
            console.print(line, markup=False, highlight=False)
    for intake in result.intake:
        console.print(
            f"{intake.rota}: {len(intake.taken_on)} of {intake.packages} people on the waiting "
            f"list could start care (current visits covered: {intake.current_visits_covered})"
        )
    write_text_atomic(args.out / "report.html", report_html(result))
    write_text_atomic(args.out / "compare.json", result.model_dump_json(indent=1))
    console.print(f"Wrote {args.out}/report.html and {args.out}/compare.json")
    return EXIT_OK


def _whatif(args: argparse.Namespace, console: Console) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from scheduler.io.travel import STRAIGHT_LINE, describe_travel
    from scheduler.render.whatif_report import write_sweep
    from scheduler.whatif.spec import Spec, load_spec, prepare
    from scheduler.whatif.sweep import Solved, sweep

    shipped_spec = shipped(f"whatif/{args.spec.name}")
    if not args.spec.exists() and shipped_spec is not None:
        args.spec = shipped_spec  # a shipped spec, from any folder
    spec = load_spec(args.spec, travel_given=args.travel is not None)
    given = {
        "time_limit": args.time_limit,
        "solution_limit": args.solution_limit,
        "workers": args.workers,
        "dask": args.dask or spec.dask or os.environ.get("DOMCARE_DASK_ADDRESS"),
    }
    try:
        spec = Spec.model_validate(
            spec.model_dump() | {k: v for k, v in given.items() if v is not None}
        )
    except ValidationError as exc:
        raise InputError(
            [
                InputIssue("invalid_option", "command line", e["msg"], column=f"--{e['loc'][0]}")
                for e in exc.errors()
            ]
        ) from None
    ready = prepare(spec, args.spec.resolve().parent, str(args.spec))
    scenario = ready.scenario
    # every variation on the same roads (a travel_mode change asks the extract for its mode);
    # --travel wins over the spec's; straight lines by default from each variation's settings
    if args.travel is not None:
        travel = travel_from(args.travel, ready.planned[0].settings.travel)
    elif ready.travel != STRAIGHT_LINE:
        travel = travel_from(
            ready.travel, ready.planned[0].settings.travel, option=f"{args.spec} travel"
        )
    else:
        travel = None
    console.print(
        f"What if, for {scenario.name}: {len(ready.planned)} variations (the base first) of "
        f"{len(scenario.visits)} visits on {len(scenario.dates)} date(s), "
        f"{len(scenario.carers)} carers; each plan searches {spec.time_limit:g} s"
        + (f" or {spec.solution_limit} solutions" if spec.solution_limit else "")
        + ("" if travel is None else f", timed on {describe_travel(travel)}")
    )
    failed = 0
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        task = bar.add_task("variations", total=len(ready.planned))

        def done(solved: Solved) -> None:
            nonlocal failed
            failed += solved.error is not None
            bar.update(
                task,
                advance=1,
                description=f"variations ({failed} failed)" if failed else "variations",
            )

        result, solved = sweep(
            scenario,
            ready.planned,
            spec.seed,
            ready.packages,
            travel=travel,
            workers=spec.workers,
            dask=spec.dask,
            on_done=done,
        )
    table = Table(title=f"What if, {scenario.name} ({result.ran_on}, {result.wall_seconds:.0f} s)")
    columns = ("variation", "carers", "covered", "travel h", "utilisation", "familiar",
               f"cost {result.currency}", "released h", "taken on")  # fmt: skip
    for column in columns:
        table.add_column(column, justify="left" if column == "variation" else "right")
    for row in result.rows:
        if row.status != "done":
            table.add_row(row.name, "[red]failed[/red]")
            continue
        table.add_row(
            row.name,
            str(row.carers),
            f"{row.visits_covered} of {row.visits}",
            f"{row.travel_hours:.1f}",
            f"{row.utilisation:.0%}",
            f"{row.familiar_share:.0%}",
            f"{row.cost:,.0f}",
            "" if row.released_hours is None else f"{row.released_hours:.1f}",
            "" if row.packages is None else f"{row.taken_on} of {row.packages}",
        )
    console.print(table)
    for row in result.rows:
        if row.error:
            console.print(f"{row.name} failed: {row.error}", markup=False)
    write_sweep(args.out, result, solved)
    console.print(
        f"Wrote {args.out}/report.html, whatif.csv, whatif.json, coverage.svg, tradeoff.svg "
        "and plans/"
    )
    return EXIT_OK


def _clock_option(text: str, option: str) -> int:
    try:
        return parse_clock(text)
    except ValueError as exc:
        issue = InputIssue("invalid_option", "command line", str(exc), column=option)
        raise InputError([issue]) from None


def _replan(args: argparse.Namespace, console: Console) -> int:
    """Re-plan a day under way after the events of ``args.events`` (``scheduler.planning.
    replan``): write the new plan's files, changes.csv and the day as it now stands
    (scenario.json), and print who to call."""
    from scheduler.analysis.changes import change_list
    from scheduler.io.events import read_events
    from scheduler.io.scenario import scenario_to_json
    from scheduler.planning.replan import replan_day
    from scheduler.render.outputs import changes_csv

    whole = scenario = _read(args.path)
    week = None
    if len(scenario.dates) > 1:  # a day of a planned week (its weekly rules kept)
        from scheduler.planning.history import week_day

        if args.date is None:
            dates = ", ".join(map(str, scenario.dates))
            raise DomcareError(f"{scenario.name} spans {dates}: say which day with --date")
        week = read_week(args.plan)
        scenario, plan = week_day(scenario, week, args.date)
    else:
        plan = read_plan(args.plan)
    at = _clock_option(args.at, "--at")
    settings = _settings(args, plan.settings.model_copy(
        update={"solve": plan.settings.solve.model_copy(
            update={"time_limit_s": args.default_time_limit})}
    ))  # fmt: skip
    travel = _travel(settings, args)
    same_travel(plan.travel, travel)
    wrong = validate_plan(scenario, plan, travel)
    if wrong:
        raise DomcareError(
            f"{args.plan.name} is not a valid plan of {scenario.name}:\n"
            + "\n".join(f"  {v}" for v in wrong[:20])
        )
    events = read_events(args.events, scenario, plan, at)
    console.print(
        f"Re-planning {scenario.name} on {scenario.date} at {format_clock(at)}: "
        f"{len(events)} event(s), time limit {settings.solve.time_limit_s:g} s"
    )
    began = time.monotonic()
    with console.status("re-planning...") as status:
        replanned = replan_day(
            scenario,
            plan,
            events,
            at,
            settings,
            travel,
            on_progress=lambda p: status.update(f"{p.elapsed_s:5.1f} s  {_placed(p)}"),
        )
    _road_notes(travel, replanned.scenario)
    broken = validate_plan(replanned.scenario, replanned.plan, travel)
    files: list[tuple[str, str]] = []
    if week is not None:
        days = tuple(replanned.plan if d.date == plan.date else d for d in week.days)
        week = week.model_copy(update={"days": days})
        broken += week_rules(whole, week)
        files.append(("week.json", week.model_dump_json(indent=1)))
    if broken:
        _refuse(console, broken)
        return EXIT_ROUTING
    console.print(f"Re-planned in {time.monotonic() - began:.1f} s")
    changes = change_list(replanned)
    _changes_summary(console, changes)
    rota = Rota(replanned.scenario, settings, (replanned.plan,))
    files += [(f.name, f.text) for f in rota_files(rota, show_names=args.names)]
    files += [
        ("changes.csv", changes_csv(changes)),
        ("scenario.json", scenario_to_json(replanned.scenario)),
    ]
    files += runsheet_files(replanned.scenario, replanned.plan, show_names=args.names, before=plan)
    written = write_files(args.out, files)
    shown = [str(path) for path in written if "runsheets" not in path.parts]
    console.print(f"Wrote {', '.join(shown)} and run sheets in {args.out / 'runsheets'}")
    return EXIT_OK


def _runsheets(args: argparse.Namespace, console: Console) -> int:
    """Each carer's run sheet (HTML to print) and calendar (.ics) of a day's plan."""
    scenario = _read(args.path)
    plan = read_plan(args.plan)
    if len(scenario.dates) > 1:
        raise DomcareError(
            f"{scenario.name} spans {len(scenario.dates)} dates: domcare solve wrote each "
            "day's run sheets in the day's folder"
        )
    travel = _travel(plan.settings, args)
    same_travel(plan.travel, travel)
    wrong = validate_plan(scenario, plan, travel)
    if wrong:
        _report_violations(console, wrong)
        return EXIT_ROUTING
    files = runsheet_files(scenario, plan, show_names=args.names)
    write_files(args.out, files)
    console.print(f"Wrote {len(files)} files in {args.out / 'runsheets'}")
    return EXIT_OK


def _changes_summary(console: Console, changes: ChangeList) -> None:
    """Churn figures and who to call, ids only."""
    share = lambda n: f"{100 * n / changes.unaffected:.1f} %" if changes.unaffected else "-"  # noqa: E731
    placed, orphans = changes.placed("orphan")
    new, added = changes.placed("added")
    console.print(
        f"Calls nobody asked to change: {changes.unaffected}; with another carer "
        f"{changes.other_carer} ({share(changes.other_carer)}), moved more than "
        f"{changes.band_minutes} min {changes.moved} ({share(changes.moved)}), left out "
        f"{changes.dropped}"
    )
    console.print(f"Orphaned calls placed: {placed} of {orphans}; new calls: {new} of {added}")

    def who(carers: tuple[str, ...], start: int | None) -> str:
        """A call's carers and start, as the tables show them (blank: no call)."""
        return (", ".join(carers) + ("" if start is None else f" {format_clock(start)}")).strip()

    table = Table(title="Who to call: carers")
    for name in ("carer", "visit", "client", "change", "before", "after"):
        table.add_column(name)
    for carer, calls in changes.carers_to_call().items():
        for c in calls:
            before, after = who(c.carers_before, c.start_before), who(c.carers_after, c.start_after)
            table.add_row(carer, c.visit_id, c.client_id, c.outcome, before, after or c.reason)
    if table.rows:
        console.print(table)
    clients = Table(title="Who to call: clients")
    for name in ("client", "visit", "change", "before", "after"):
        clients.add_column(name)
    for c in changes.clients_to_call():
        before, after = who(c.carers_before, c.start_before), who(c.carers_after, c.start_after)
        clients.add_row(c.client_id, c.visit_id, c.outcome, before, after or c.reason)
    if clients.rows:
        console.print(clients)


def _demo(args: argparse.Namespace, console: Console) -> int:
    args.path = "small"
    return _solve(args, console)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="domcare", description="Optimised home-care rotas.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    commands = parser.add_subparsers(dest="command", required=True)

    def solve_options(command: argparse.ArgumentParser, out: str, limit: float) -> None:
        command.set_defaults(default_time_limit=limit)
        command.add_argument(
            "--time-limit",
            type=float,
            metavar="S",
            help=f"seconds of search, a day (default {limit:g})",
        )
        command.add_argument(
            "--settings",
            type=Path,
            metavar="FILE",
            help="JSON of settings (any of scheduler/model/settings.py's, e.g. "
            '{"travel_weight": 8, "solve": {"time_limit_s": 60}}); options given here win',
        )
        command.add_argument(
            "--continuity-weight",
            type=int,
            metavar="COST",
            help=describe("continuity_weight"),
        )
        command.add_argument(
            "--max-carers-per-client",
            type=int,
            metavar="N",
            help=describe("max_carers_per_client_week"),
        )
        command.add_argument(
            "--min-rest",
            type=int,
            metavar="MIN",
            help=describe("min_rest_minutes"),
        )
        command.add_argument(
            "--break-after",
            type=int,
            metavar="MIN",
            help=describe("break_after_minutes").replace("None:", "0:"),
        )
        command.add_argument(
            "--out",
            type=Path,
            default=Path(out),
            metavar="DIR",
            help=f"folder for the outputs (default {out})",
        )
        command.add_argument(
            "--matrix",
            type=Path,
            help="travel matrix CSV (from,to,minutes,"
            "metres[,mode]) instead of straight-line estimates",
        )
        command.add_argument("--travel", metavar="MODEL", help=_TRAVEL_HELP)
        command.add_argument(
            "--solution-limit",
            type=int,
            metavar="N",
            help=describe("solution_limit"),
        )
        command.add_argument("--seed", type=int, help=describe("seed"))
        command.add_argument("--workers", type=int, help=describe("workers"))
        command.add_argument(
            "--first-solution",
            type=FirstSolution,
            choices=list(FirstSolution),
            metavar="STRATEGY",
            help=describe("first_solution"),
        )
        command.add_argument(
            "--metaheuristic",
            type=Metaheuristic,
            choices=list(Metaheuristic),
            metavar="NAME",
            help=describe("metaheuristic"),
        )
        command.add_argument(
            "--names",
            action="store_true",
            help="put client and carer names in the rota CSV and the map",
        )

    solve = commands.add_parser(
        "solve", help="plan a scenario's day (or each day of a week) and write the rota"
    )
    solve.add_argument("path", help="scenario folder or JSON file (or a shipped one: town)")
    solve_options(solve, "out", 30.0)
    solve.set_defaults(run=_solve)

    replan = commands.add_parser(
        "replan",
        help="re-plan a day under way after events (a carer off, calls cancelled, added, "
        "changed or done), changing as little of the plan as it can",
    )
    replan.add_argument("path", help="the day's scenario folder or JSON file")
    replan.add_argument("plan", type=Path, help="the day's plan.json, as domcare solve wrote it")
    replan.add_argument("events", type=Path, help="events.csv (or .json): what happened")
    replan.add_argument(
        "--at", required=True, metavar="HH:MM", help="now: calls begun before it are history"
    )
    replan.add_argument(
        "--date",
        type=dt.date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="for a week's scenario and week.json: the day to re-plan",
    )
    solve_options(replan, "out/replan", 10.0)
    replan.set_defaults(run=_replan)

    sheets = commands.add_parser(
        "runsheets", help="each carer's run sheet (HTML to print) and calendar (.ics) of a plan"
    )
    sheets.add_argument("path", help="the day's scenario folder or JSON file")
    sheets.add_argument("plan", type=Path, help="the day's plan.json")
    sheets.add_argument("--out", type=Path, default=Path("out"), metavar="DIR")
    sheets.add_argument("--matrix", type=Path)
    sheets.add_argument("--travel", metavar="MODEL", help=_TRAVEL_HELP)
    sheets.add_argument("--names", action="store_true", help="client names and addresses")
    sheets.set_defaults(run=_runsheets)

    demo = commands.add_parser("demo", help="plan the shipped small scenario")
    solve_options(demo, "out/demo", 10.0)
    demo.set_defaults(run=_demo)

    comparing = commands.add_parser(
        "compare",
        help="the optimised rota against the manual one and two baselines: released hours, "
        "and people the waiting list could start",
    )
    comparing.add_argument("path", help="scenario folder or JSON file (or a shipped one: town)")
    comparing.add_argument(
        "--manual", type=Path, metavar="FILE", help="the coordinator's manual_rota.csv"
    )
    comparing.add_argument(
        "--waiting-list", type=Path, metavar="FILE", help="waiting.csv of care packages"
    )
    solve_options(comparing, "out/compare", 30.0)
    comparing.set_defaults(run=_compare)

    whatif = commands.add_parser(
        "whatif",
        help="plan many variations of a scenario (carers, demand, windows, waiting list, "
        "travel, settings) side by side and tabulate them",
    )
    whatif.add_argument("spec", type=Path, help="what-if spec, YAML or JSON (docs/whatif.md)")
    whatif.add_argument(
        "--workers", type=int, metavar="N", help="variations side by side (default: one per core)"
    )
    whatif.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="run on a Dask cluster (tcp://host:8786), or 'local' for a LocalCluster here "
        "(default: $DOMCARE_DASK_ADDRESS, else a local process pool)",
    )
    whatif.add_argument("--time-limit", type=float, metavar="S", help="seconds per plan")
    whatif.add_argument("--travel", metavar="MODEL", help=_TRAVEL_HELP)
    whatif.add_argument(
        "--solution-limit", type=int, metavar="N", help="solutions per plan (reproducible)"
    )
    whatif.add_argument(
        "--out", type=Path, default=Path("out/whatif"), metavar="DIR",
        help="folder for the outputs (default out/whatif)",
    )  # fmt: skip
    whatif.set_defaults(run=_whatif)

    check = commands.add_parser(
        "validate", help="check a plan (or a week.json, for a week) against a scenario"
    )
    check.add_argument("path")
    check.add_argument("plan", type=Path)
    check.add_argument("--matrix", type=Path)
    check.add_argument("--travel", metavar="MODEL", help=_TRAVEL_HELP)
    check.set_defaults(run=_validate)

    for point in entry_points(group=COMMANDS):  # domcare serve, keys (api); generate
        point.load()(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    console = Console(highlight=False)
    errors = Console(stderr=True, highlight=False)
    try:
        return int(args.run(args, console))
    except (DomcareError, MatrixFileError, RoadError) as exc:
        errors.print(str(exc), markup=False)
        return EXIT_INPUT
    except KeyboardInterrupt:
        errors.print("Stopped: nothing was written.")
        return 130
    except Exception as exc:
        if args.debug:
            raise
        errors.print(
            f"domcare failed unexpectedly ({type(exc).__name__}: {exc}). "
            "Run again with --debug for details.",
            markup=False,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
