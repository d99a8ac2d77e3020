"""The comparison report: one self-contained HTML page (plots inline as SVG, no network) and
the JSON of the same figures, so a reader can check every number the page shows."""

from __future__ import annotations

import html
import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # files only: never a window
import matplotlib.pyplot as plt  # noqa: E402
from pydantic import BaseModel, ConfigDict  # noqa: E402

from scheduler.released import Released, RotaSummary  # noqa: E402

__all__ = ["Comparison", "Intake", "html_page", "html_table", "report_html", "svg_of"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Intake(_Frozen):
    """How many people from the waiting list a rota takes on, all or nothing."""

    rota: str
    packages: int
    taken_on: tuple[str, ...]
    current_visits_covered: int
    """The scenario's own visits still covered with the packages taken on."""


class Comparison(_Frozen):
    scenario: str
    dates: tuple[str, ...]
    rotas: tuple[RotaSummary, ...]
    """The optimised rota first, then the manual rota if given, then the baselines."""
    released: tuple[Released, ...]
    """What the optimised rota releases against each of the others."""
    intake: tuple[Intake, ...] = ()
    week_estimate: bool = False
    """True when the scenario is one day and weekly figures are that day times seven."""
    notes: tuple[str, ...] = ()


_COLOURS = ("#1b7837", "#762a83", "#af8dc3", "#e7d4e8", "#7fbf7b")


def svg_of(figure: plt.Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _bars(title: str, labels: Sequence[str], values: Sequence[float], unit: str) -> str:
    figure, axes = plt.subplots(figsize=(6, 2.6))
    bars = axes.barh(list(labels), list(values), color=_COLOURS[: len(labels)])
    axes.bar_label(bars, labels=[f"{v:,.1f}{unit}" for v in values], padding=3)
    axes.invert_yaxis()
    axes.set_title(title, loc="left", fontsize=11)
    axes.spines[["top", "right"]].set_visible(False)
    axes.margins(x=0.25)
    return svg_of(figure)


def _travel_and_waiting(rotas: Sequence[RotaSummary]) -> str:
    figure, axes = plt.subplots(figsize=(6, 2.6))
    names = [r.name for r in rotas]
    travel = [r.travel_minutes / 60 for r in rotas]
    waiting = [r.waiting_minutes / 60 for r in rotas]
    axes.barh(names, travel, color="#2166ac", label="travel")
    axes.barh(names, waiting, left=travel, color="#92c5de", label="waiting")
    for row, (t, w) in enumerate(zip(travel, waiting, strict=True)):
        axes.text(t + w, row, f" {t + w:,.1f} h", va="center")
    axes.invert_yaxis()
    axes.legend(loc="lower right", frameon=False)
    axes.set_title("Paid hours not spent with clients", loc="left", fontsize=11)
    axes.spines[["top", "right"]].set_visible(False)
    axes.margins(x=0.2)
    return svg_of(figure)


def _per_day(rotas: Sequence[RotaSummary]) -> str:
    figure, axes = plt.subplots(figsize=(6, 2.6))
    for colour, rota in zip(_COLOURS, rotas, strict=False):
        dates = [d.date.strftime("%a %d") for d in rota.days]
        axes.plot(dates, [d.travel_minutes / 60 for d in rota.days], "o-", color=colour)
        axes.annotate(rota.name, (len(dates) - 1, rota.days[-1].travel_minutes / 60))
    axes.set_title("Travel hours per day", loc="left", fontsize=11)
    axes.spines[["top", "right"]].set_visible(False)
    return svg_of(figure)


def html_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def report_html(comparison: Comparison) -> str:
    """The page: headline, figures per rota, released hours, intake, plots, notes."""
    rotas = comparison.rotas
    per = "a week (one day x 7)" if comparison.week_estimate else "over the scenario"
    scale = 7 if comparison.week_estimate else 1
    parts = [f"<h1>Rota comparison: {html.escape(comparison.scenario)}</h1>"]
    parts.append(f"<p>Dates: {html.escape(', '.join(comparison.dates))}.</p>")
    for released in comparison.released:
        parts.append(
            f"<p class=headline>Against the {html.escape(released.against)}: "
            f"<b>{released.hours * scale:,.1f} care hours released</b> {per}, "
            f"{released.km_saved * scale:,.0f} km less driving "
            f"({released.currency} {released.mileage_saving * scale:,.2f}).</p>"
        )
    for intake in comparison.intake:
        parts.append(
            f"<p class=headline>{html.escape(intake.rota)}: <b>{len(intake.taken_on)} of "
            f"{intake.packages} people</b> on the waiting list could start care.</p>"
        )
    parts.append("<h2>Figures</h2>")
    parts.append(
        html_table(
            [
                "rota",
                "visits covered",
                "care h",
                "travel h",
                "waiting h",
                "paid h",
                "km",
                "utilisation",
                "familiar",
                "carers per client",
                "rules broken",
            ],
            [
                [
                    r.name,
                    f"{r.visits_covered} of {r.visits}",
                    f"{r.contact_minutes / 60:,.1f}",
                    f"{r.travel_minutes / 60:,.1f}",
                    f"{r.waiting_minutes / 60:,.1f}",
                    f"{r.paid_minutes / 60:,.1f}",
                    f"{r.travel_km:,.0f}",
                    f"{r.utilisation:.0%}",
                    f"{r.familiar_share:.0%}",
                    f"{r.distinct_carers_per_client:.2f}",
                    r.breaches,
                ]
                for r in rotas
            ],
        )
    )
    parts.append("<h2>Released hours by day</h2>")
    for released in comparison.released:
        parts.append(f"<h3>Against the {html.escape(released.against)}</h3>")
        parts.append(
            html_table(
                ["date", "hours released", "counted", "why not"],
                [
                    [d.date, f"{d.hours:,.2f}", "yes" if d.counted else "no", d.why_not or ""]
                    for d in released.days
                ],
            )
        )
    if comparison.intake:
        parts.append("<h2>Waiting list</h2>")
        parts.append(
            html_table(
                ["rota", "people taken on", "current visits still covered"],
                [
                    [i.rota, f"{len(i.taken_on)} of {i.packages}", i.current_visits_covered]
                    for i in comparison.intake
                ],
            )
        )
    parts.append("<h2>Plots</h2>")
    parts.append(_travel_and_waiting(rotas))
    names = [r.name for r in rotas]
    parts.append(
        _bars("Utilisation (care / paid)", names, [100 * r.utilisation for r in rotas], " %")
    )
    parts.append(
        _bars("Visits by a familiar carer", names, [100 * r.familiar_share for r in rotas], " %")
    )
    if comparison.released:
        parts.append(
            _bars(
                f"Care hours released ({per})",
                [f"vs {r.against}" for r in comparison.released],
                [r.hours * scale for r in comparison.released],
                " h",
            )
        )
    if comparison.intake:
        parts.append(
            _bars(
                "People taken on from the waiting list",
                [i.rota for i in comparison.intake],
                [len(i.taken_on) for i in comparison.intake],
                "",
            )
        )
    if len(comparison.dates) > 1:
        parts.append(_per_day(rotas))
    if comparison.notes:
        parts.append("<h2>Notes</h2><ul>")
        parts += [f"<li>{html.escape(note)}</li>" for note in comparison.notes]
        parts.append("</ul>")
    return html_page(comparison.scenario, parts)


_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;color:#222}"
    "table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;"
    "padding:.3rem .6rem;text-align:right}td:first-child,th:first-child{text-align:left}"
    ".headline{font-size:1.1rem}svg{display:block;margin:1rem 0}"
)


def html_page(title: str, parts: Sequence[str]) -> str:
    """A self-contained page: no script, no font or style from the network."""
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>domcare: {html.escape(title)}</title><style>{_STYLE}</style>"
        f"</head><body>{''.join(parts)}</body></html>"
    )
