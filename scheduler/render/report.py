"""The comparison report: one self-contained HTML page (plots inline as SVG, no network) and
the JSON of the same figures, so a reader can check every number the page shows."""

from __future__ import annotations

import html
import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # files only: never a window
import matplotlib.pyplot as plt  # noqa: E402

from scheduler.analysis.comparison import Comparison, ContinuityMatch  # noqa: E402
from scheduler.analysis.manual import Breach  # noqa: E402
from scheduler.analysis.released import Released, RotaSummary  # noqa: E402

__all__ = [
    "BREACHES_SHOWN",
    "breach_line",
    "breach_summary",
    "care_phrase",
    "driving_phrase",
    "hours_phrase",
    "html_page",
    "html_table",
    "released_phrase",
    "report_html",
    "svg_of",
]

BREACHES_SHOWN = 10
"""Breaches of a rota listed on the terminal; the report lists them all."""


def hours_phrase(hours: float) -> str:
    """Hours released, or the hours more a rota takes when negative: "12.5 h released",
    "3.0 h more"."""
    return f"{hours:,.1f} h released" if hours >= 0 else f"{-hours:,.1f} h more"


def care_phrase(hours: float) -> str:
    """The care hours a headline states: "12.0 care hours released", or "no care hours
    released (3.0 h more travel and waiting)" when the optimised rota takes more."""
    if hours >= 0:
        return f"{hours:,.1f} care hours released"
    return f"no care hours released ({-hours:,.1f} h more travel and waiting)"


def driving_phrase(km: float, money: float, currency: str) -> str:
    """The driving a headline states: "30 km less driving (saving GBP 8.40)", or "924 km
    more driving (costing GBP 258.72 more)" when the optimised rota drives more."""
    if km >= 0:
        return f"{km:,.0f} km less driving (saving {currency} {money:,.2f})"
    return f"{-km:,.0f} km more driving (costing {currency} {-money:,.2f} more)"


def released_phrase(released: Released, scale: int, per: str) -> str:
    """The headline against one rota, signs in words, over ``per`` (figures x ``scale``)."""
    return (
        f"Against the {released.against}: {care_phrase(released.hours * scale)} {per}, "
        + driving_phrase(
            released.km_saved * scale, released.mileage_saving * scale, released.currency
        )
    )


def breach_line(breach: Breach) -> str:
    """One breach in a line: where, which rule, by how much, and the detail."""
    where = [str(breach.date) if breach.date else "the week"]
    if breach.visit_id:
        where.append(f"visit {breach.visit_id}")
    if breach.carer_id:
        where.append(f"carer {breach.carer_id}")
    by = f", by {breach.minutes} min" if breach.minutes is not None else ""
    return f"{' '.join(where)}: {breach.code} ({breach.rule}){by}: {breach.message}"


def breach_summary(rota: RotaSummary, shown: int = BREACHES_SHOWN) -> list[str]:
    """The rules ``rota`` breaks, for the terminal: a count, then the first ``shown``."""
    if not rota.breach_list:
        return []
    heading = f"The {rota.name} breaks {len(rota.breach_list)} rule(s)"
    if rota.visits_by_wrong_carer:
        heading += (
            f"; {rota.visits_by_wrong_carer} visit(s) done by a carer who may not do them "
            "are not counted as covered"
        )
    more = len(rota.breach_list) > shown
    heading += f". The first {shown} (see the report for all):" if more else ":"
    return [heading, *(f"  {breach_line(b)}" for b in rota.breach_list[:shown])]


_COLOURS = ("#1b7837", "#762a83", "#af8dc3", "#e7d4e8", "#7fbf7b")


def svg_of(figure: plt.Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _bars(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    unit: str,
    value_labels: Sequence[str] | None = None,
) -> str:
    figure, axes = plt.subplots(figsize=(6, 2.6))
    bars = axes.barh(list(labels), list(values), color=_COLOURS[: len(labels)])
    shown = value_labels or [f"{v:,.1f}{unit}" for v in values]
    axes.bar_label(bars, labels=list(shown), padding=3)
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


def _continuity(match: ContinuityMatch) -> list[str]:
    """The weights tried to plan the optimised rota as familiar as the reference rota."""
    return [
        "<h2>Continuity of care</h2>",
        f"<p>The optimised rota is planned to a familiar share at least the "
        f"{html.escape(match.reference)}'s ({match.reference_share:.0%}): at the settings' "
        "continuity weight, then at higher ones while it falls short, each a solve searching "
        f"{html.escape(match.search)}; the first plan that matches is kept.</p>",
        html_table(
            [
                "continuity weight",
                "familiar",
                "visits covered",
                "travel and waiting h",
                "matched",
                "seconds",
            ],
            [
                [
                    t.continuity_weight,
                    f"{t.familiar_share:.0%}",
                    t.visits_covered,
                    f"{t.non_contact_minutes / 60:,.1f}",
                    "yes" if t.matched else "no",
                    f"{t.seconds:,.0f}",
                ]
                for t in match.tried
            ],
        ),
    ]


def _breaches(rotas: Sequence[RotaSummary]) -> list[str]:
    """Every rule each rota breaks, one row per breach."""
    parts = []
    for rota in rotas:
        if not rota.breach_list:
            continue
        parts.append(f"<h2>Rules the {html.escape(rota.name)} breaks: {len(rota.breach_list)}</h2>")
        if rota.visits_by_wrong_carer:
            parts.append(
                f"<p>{rota.visits_by_wrong_carer} visit(s) done by a carer who may not do them "
                "(a skill missing, excluded, a hard gender preference, pinned to another) "
                "count as not covered.</p>"
            )
        parts.append(
            html_table(
                ["date", "visit", "carer", "rule", "what the rule is", "by (min)", "detail"],
                [
                    [
                        b.date or "the week",
                        b.visit_id or "",
                        b.carer_id or "",
                        b.code,
                        b.rule,
                        "" if b.minutes is None else b.minutes,
                        b.message,
                    ]
                    for b in rota.breach_list
                ],
            )
        )
    return parts


def report_html(comparison: Comparison) -> str:
    """The page: headline, figures per rota, released hours, intake, plots, notes."""
    rotas = comparison.rotas
    per = "a week (one day x 7)" if comparison.week_estimate else "over the scenario"
    scale = 7 if comparison.week_estimate else 1
    parts = [f"<h1>Rota comparison: {html.escape(comparison.scenario)}</h1>"]
    parts.append(f"<p>Dates: {html.escape(', '.join(comparison.dates))}.</p>")
    for released in comparison.released:
        driving = driving_phrase(
            released.km_saved * scale, released.mileage_saving * scale, released.currency
        )
        parts.append(
            f"<p class=headline>Against the {html.escape(released.against)}: "
            f"<b>{care_phrase(released.hours * scale)}</b> {per}, {driving}.</p>"
        )
    if comparison.continuity is not None:
        parts.append(f"<p>Continuity of care: {html.escape(comparison.continuity.method)}.</p>")
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
                "missed calls",
                "late calls",
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
                    f"{r.visits_covered} of {r.visits}"
                    + (
                        f" (and {r.visits_by_wrong_carer} by a carer who may not do them)"
                        if r.visits_by_wrong_carer
                        else ""
                    ),
                    r.missed_calls,
                    f"{r.late_calls} ({r.late_minutes} min)" if r.late_calls else "0",
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
                    [d.date, hours_phrase(d.hours), "yes" if d.counted else "no", d.why_not or ""]
                    for d in released.days
                ],
            )
        )
    if comparison.continuity is not None:
        parts += _continuity(comparison.continuity)
    parts += _breaches(rotas)
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
                [hours_phrase(r.hours * scale) for r in comparison.released],
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
