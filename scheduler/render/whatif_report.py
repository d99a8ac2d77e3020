"""A sweep's results as a planner reads them: a table (CSV), two plots (SVG) and one
self-contained page holding both, beside the JSON every figure comes from."""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: never a window
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from scheduler.io.files import write_text_atomic  # noqa: E402
from scheduler.model.plan import WeekPlan  # noqa: E402
from scheduler.render.outputs import csv_text  # noqa: E402
from scheduler.render.report import html_page, html_table, svg_of  # noqa: E402
from scheduler.whatif.spec import BASE  # noqa: E402
from scheduler.whatif.sweep import Solved, SweepResult, SweepRow  # noqa: E402

__all__ = [
    "CARERS_AXIS",
    "coverage_plot",
    "sweep_report_html",
    "results_csv",
    "sweep_files",
    "tradeoff_plot",
    "write_sweep",
]

CARERS_AXIS = "carers.change"
_COLUMNS = (
    "index", "name", "status", "carers", "visits", "visits_covered", "coverage",
    "critical_left_out", "travel_hours", "waiting_hours", "paid_hours", "utilisation",
    "familiar_share", "carers_per_client", "travel_km", "cost", "objective", "released_hours",
    "released_note", "packages", "taken_on", "seconds", "error",
)  # fmt: skip


def results_csv(result: SweepResult) -> str:
    """One row per variation; a grid's axes follow as columns of their own. A name or error
    that could be a spreadsheet formula is neutralised (``csv_text``)."""
    axes = sorted({axis for row in result.rows for axis in row.point})
    records = [
        {**{c: getattr(row, c) for c in _COLUMNS}, "grid": row.grid, **row.point}
        for row in result.rows
    ]
    frame = pd.DataFrame.from_records(records, columns=[*_COLUMNS, "grid", *axes])
    whole = [f for f, info in SweepRow.model_fields.items() if "int" in str(info.annotation)]
    for column in (c for c in _COLUMNS if c in whole):
        frame[column] = frame[column].astype("Int64")  # a failed row's blanks keep ints whole
    for axis in axes:
        values = [row.point[axis] for row in result.rows if axis in row.point]
        if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            frame[axis] = frame[axis].astype("Int64")  # another grid's rows leave it blank
    return csv_text(frame)


def _done(rows: Sequence[SweepRow]) -> list[SweepRow]:
    return [r for r in rows if r.status == "done"]


def _labels(axes: plt.Axes, points: Sequence[tuple[SweepRow, float, float]]) -> None:
    """Each point labelled with its row's number (the table's #); rows that land on one
    point share a label, so none hides another."""
    at: dict[tuple[float, float], list[str]] = defaultdict(list)
    for row, x, y in points:
        at[(round(x, 3), round(y, 3))].append(str(row.index))
    for (x, y), numbers in at.items():
        axes.annotate(
            "#" + ", ".join(numbers), (x, y), fontsize=8, xytext=(4, 3), textcoords="offset points"
        )


def _series(rows: Sequence[SweepRow], along: str) -> dict[tuple[str | None, str], list[SweepRow]]:
    """A grid's points that differ only in the axis ``along``, grouped to draw as a line."""
    lines: dict[tuple[str | None, str], list[SweepRow]] = defaultdict(list)
    for row in rows:
        if along in row.point:
            rest = ", ".join(f"{a}={v}" for a, v in row.point.items() if a != along)
            lines[(row.grid, rest)].append(row)
    return lines


def _plot(
    result: SweepResult,
    x: Callable[[SweepRow], float],
    y: Callable[[SweepRow], float],
    lines: dict[str, list[SweepRow]],
    labels: tuple[str, str, str],
) -> str:
    """Every planned variation as a point (the base a star), ``lines`` drawn through theirs,
    each point numbered as its row; ``labels`` are the title and the two axes'."""
    title, x_label, y_label = labels
    figure, axes = plt.subplots(figsize=(7, 4))
    rows = _done(result.rows)
    on_line = set()
    for label, members in lines.items():
        axes.plot([x(r) for r in members], [y(r) for r in members], "o-", label=label)
        on_line |= {r.index for r in members}
    for row in rows:
        if row.index not in on_line:
            axes.plot([x(row)], [y(row)], "*" if row.name == BASE else "o", color="#444")
    _labels(axes, [(r, x(r), y(r)) for r in rows])
    if lines:
        axes.legend(fontsize=7, frameon=False)
    axes.set_xlabel(x_label)
    axes.set_ylabel(y_label)
    axes.set_title(title, loc="left", fontsize=11)
    axes.spines[["top", "right"]].set_visible(False)
    return svg_of(figure)


def coverage_plot(result: SweepResult) -> str:
    """Share of visits covered against the carers the variation has: a grid over carers
    draws a line per value of its other axes; other variations are numbered points."""
    lines = {
        rest or grid or "": sorted(members, key=lambda r: r.carers or 0)
        for (grid, rest), members in sorted(
            _series(_done(result.rows), CARERS_AXIS).items(),
            key=lambda kv: (kv[0][0] or "", kv[0][1]),
        )
    }
    return _plot(
        result,
        lambda r: r.carers or 0,
        lambda r: 100 * (r.coverage or 0),
        lines,
        ("Visits covered against carers", "carers", "visits covered (%)"),
    )


def tradeoff_plot(result: SweepResult) -> str:
    """Travel against the share of visits by a familiar carer: the price of continuity. A
    grid of one axis (the continuity weight, say; carers have their own plot) is drawn as a
    curve in the axis's order."""
    curves: dict[str, list[SweepRow]] = defaultdict(list)
    for row in _done(result.rows):
        if row.grid is not None and len(row.point) == 1 and CARERS_AXIS not in row.point:
            curves[f"{row.grid}: {next(iter(row.point))}"].append(row)
    for members in curves.values():
        members.sort(key=lambda r: float(next(iter(r.point.values()))))
    return _plot(
        result,
        lambda r: r.travel_hours or 0,
        lambda r: 100 * (r.familiar_share or 0),
        curves,
        ("Travel against continuity of care", "travel (hours)", "visits by a familiar carer (%)"),
    )


def _cell(value: float | int | None, fmt: str) -> str:
    return "" if value is None else format(value, fmt)


def sweep_report_html(result: SweepResult, plots: Sequence[str] | None = None) -> str:
    """The page: the table of every variation, the two plots (drawn here unless given, as
    ``sweep_files`` gives them), the notes."""
    done = len(_done(result.rows))
    parts = [
        f"<h1>What if: {html.escape(result.scenario)}</h1>",
        f"<p>{len(result.rows)} variations ({done} planned, {len(result.rows) - done} failed) "
        f"on {html.escape(', '.join(result.dates))}; each plan searched "
        f"{result.time_limit_s:g} s"
        + (f" or {result.solution_limit} solutions" if result.solution_limit else "")
        + f"; ran on {html.escape(result.ran_on)} in {result.wall_seconds:,.0f} s.</p>",
    ]
    parts.append(
        "<div style='overflow-x:auto'>"
        + html_table(
            [
                "variation",
                "carers",
                "visits covered",
                "critical out",
                "travel h",
                "waiting h",
                "utilisation",
                "familiar",
                f"cost ({result.currency})",
                "released h vs base",
                "taken on",
            ],
            [
                [
                    f"#{r.index} {r.name}",
                    _cell(r.carers, "d"),
                    f"{r.visits_covered} of {r.visits}" if r.status == "done" else "",
                    _cell(r.critical_left_out, "d"),
                    _cell(r.travel_hours, ".1f"),
                    _cell(r.waiting_hours, ".1f"),
                    _cell(r.utilisation, ".0%"),
                    _cell(r.familiar_share, ".0%"),
                    _cell(r.cost, ",.0f"),
                    _cell(r.released_hours, ".1f"),
                    f"{r.taken_on} of {r.packages}" if r.packages is not None else "",
                ]
                for r in result.rows
            ],
        )
        + "</div>"
    )
    remarks = [
        f"<li>#{r.index} {html.escape(r.name)}: "
        + (f"failed: {html.escape(r.error)}" if r.error else html.escape(r.released_note or ""))
        + "</li>"
        for r in result.rows
        if r.error or r.released_note
    ]
    if remarks:
        parts.append("<h3>Failed variations, and released hours not counted</h3><ul>")
        parts += [*remarks, "</ul>"]
    parts += ["<h2>Plots</h2>", *(plots or (coverage_plot(result), tradeoff_plot(result)))]
    if result.notes:
        parts.append("<h2>Notes</h2><ul>")
        parts += [f"<li>{html.escape(note)}</li>" for note in result.notes]
        parts.append("</ul>")
    return html_page(f"what if {result.scenario}", parts)


def sweep_files(result: SweepResult) -> dict[str, str]:
    """A sweep's documents by file name: the table (whatif.json, whatif.csv), the plots, drawn
    once, and the page holding them."""
    plots = {"coverage.svg": coverage_plot(result), "tradeoff.svg": tradeoff_plot(result)}
    return {
        "whatif.json": result.model_dump_json(indent=1),
        "whatif.csv": results_csv(result),
        **plots,
        "report.html": sweep_report_html(result, list(plots.values())),
    }


def write_sweep(out: Path, result: SweepResult, solved: Sequence[Solved]) -> list[Path]:
    """Every file of a sweep, each written whole: ``sweep_files`` and each variation's plan
    (plans/NNN.json, NNN its row's index; a week's as a week.json)."""
    files = sweep_files(result)
    for item in solved:
        if len(item.plans) == 1:
            files[f"plans/{item.index:03d}.json"] = item.plans[0].model_dump_json(indent=1)
        elif item.plans:
            week = WeekPlan(
                scenario=result.scenario, settings=item.plans[0].settings, days=item.plans
            )
            files[f"plans/{item.index:03d}.json"] = week.model_dump_json(indent=1)
    written = []
    for name, text in files.items():
        write_text_atomic(out / name, text)
        written.append(out / name)
    return written
