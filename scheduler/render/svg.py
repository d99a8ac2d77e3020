"""A day's plan as two inline SVG pictures for the web page: a map and a timeline.

Both are drawn on the server from the plan and its scenario alone, so the page needs no tiles,
fonts or scripts from the internet (the folium map, ``/map``, carries its scripts too, but
its street tiles come from the internet; these pictures need none).

The map projects positions equirectangularly: x is east-west kilometres (longitude scaled by
the cosine of the middle latitude), y north-south kilometres; over a town the distortion is far
below a pixel. Lines are straight legs between homes and clients, as in the folium map.

Privacy as in ``scheduler.render.maps``: ids, times and positions always; client and carer
names only with ``show_names=True``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from routing.haversine import EARTH_RADIUS_M
from scheduler.model.care import Scenario
from scheduler.model.clock import format_clock
from scheduler.model.plan import Plan, Run
from scheduler.render.maps import CARER_PALETTE, UNALLOCATED_EDGE, UNALLOCATED_FILL

__all__ = ["Projection", "fit_projection", "map_svg", "scale_bar_km", "timeline_svg"]

KM_PER_DEGREE = math.pi * EARTH_RADIUS_M / 1000 / 180
"""Kilometres along a meridian per degree of latitude."""

MAP_WIDTH_PX, MAP_HEIGHT_PX, MAP_MARGIN_PX = 800, 560, 30
_EMPTY_SPAN_KM = 1.0  # a single point (or none) is shown in a square this wide
_SCALE_BAR_MAX_PX = 160
_STOP_RADIUS_PX = 6
_HOME_SIDE_PX = 10

ROW_HEIGHT_PX, LABEL_WIDTH_PX, AXIS_HEIGHT_PX, PX_PER_HOUR = 30, 120, 24, 60
_VISIT_FILL_OPACITY = 0.85
_FONT = 'font-family="sans-serif" font-size="11"'


@dataclass(frozen=True)
class Projection:
    """Degrees to picture pixels: ``px_per_km`` on both axes, ``(lat0, lon0)`` at the centre."""

    lat0: float
    lon0: float
    px_per_km: float
    width_px: float
    height_px: float

    def point(self, lat: float, lon: float) -> tuple[float, float]:
        east_km = (lon - self.lon0) * KM_PER_DEGREE * math.cos(math.radians(self.lat0))
        north_km = (lat - self.lat0) * KM_PER_DEGREE
        return (
            self.width_px / 2 + east_km * self.px_per_km,
            self.height_px / 2 - north_km * self.px_per_km,  # north is up
        )


def fit_projection(
    points: Iterable[tuple[float, float]], width_px: float, height_px: float, margin_px: float
) -> Projection:
    """The projection that fits every (lat, lon) point inside the margin, the same scale on
    both axes, centred on the points' bounding box."""
    latlons = list(points)
    if not latlons:
        return Projection(
            0.0, 0.0, (width_px - 2 * margin_px) / _EMPTY_SPAN_KM, width_px, height_px
        )
    lats = [lat for lat, _ in latlons]
    lons = [lon for _, lon in latlons]
    lat0, lon0 = (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2
    east_km = (max(lons) - min(lons)) * KM_PER_DEGREE * math.cos(math.radians(lat0))
    north_km = (max(lats) - min(lats)) * KM_PER_DEGREE
    if east_km == north_km == 0:
        east_km = north_km = _EMPTY_SPAN_KM
    scale = min(
        (size - 2 * margin_px) / span
        for size, span in ((width_px, east_km), (height_px, north_km))
        if span > 0
    )
    return Projection(lat0, lon0, scale, width_px, height_px)


def scale_bar_km(px_per_km: float, max_px: float) -> float:
    """The longest round length (1, 2 or 5 times a power of ten, in km) whose bar is at most
    ``max_px`` long: 0.5 km at 200 px/km and 160 px."""
    longest_km = max_px / px_per_km
    power = 10 ** math.floor(math.log10(longest_km))
    return max(step * power for step in (1, 2, 5) if step * power <= longest_km)


def _colours(scenario: Scenario) -> dict[str, str]:
    """Carer id -> colour, by position in the scenario, as the folium map colours them."""
    return {
        carer.id: CARER_PALETTE[position % len(CARER_PALETTE)]
        for position, carer in enumerate(scenario.carers)
    }


def _runs_in_order(scenario: Scenario, plan: Plan) -> list[tuple[Run, int]]:
    """Each run with its number in the carer's day, carers in scenario order."""
    order = {carer.id: position for position, carer in enumerate(scenario.carers)}
    runs = sorted(plan.runs, key=lambda run: (order.get(run.carer_id, len(order)), run.depart))
    numbered: list[tuple[Run, int]] = []
    for run in runs:
        previous = numbered[-1] if numbered else None
        same_carer = previous is not None and previous[0].carer_id == run.carer_id
        numbered.append((run, previous[1] + 1 if previous and same_carer else 1))
    return numbered


def _title(text: str) -> str:
    return f"<title>{escape(text)}</title>"


def _svg(width: float, height: float, label: str, body: Sequence[str]) -> str:
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'width="{width:.0f}" height="{height:.0f}" role="img" aria-label={quoteattr(label)}>',
            _title(label),
            *body,
            "</svg>",
        ]
    )


def map_svg(scenario: Scenario, plan: Plan, *, show_names: bool = False) -> str:
    """The plan on a plain map: homes as squares, each run a coloured line home, stops, home,
    stops as circles (tooltips give visit and times), unallocated visits as red-ringed grey
    circles, and a scale bar."""
    clients, carers = scenario.client_by_id, scenario.carer_by_id
    colours = _colours(scenario)
    points = [(carer.home.lat, carer.home.lon) for carer in scenario.carers]
    points += [(client.location.lat, client.location.lon) for client in scenario.clients]
    where = fit_projection(points, MAP_WIDTH_PX, MAP_HEIGHT_PX, MAP_MARGIN_PX)

    def xy(lat: float, lon: float) -> str:
        x, y = where.point(lat, lon)
        return f"{x:.1f},{y:.1f}"

    body = [f'<rect width="{MAP_WIDTH_PX}" height="{MAP_HEIGHT_PX}" fill="#f7f7f2"/>']
    numbered = _runs_in_order(scenario, plan)
    for run, number in numbered:
        carer = carers[run.carer_id]
        home = xy(carer.home.lat, carer.home.lon)
        stops = [
            xy(clients[s.client_id].location.lat, clients[s.client_id].location.lon)
            for s in run.stops
        ]
        label = f"{carer.id}{' ' + carer.name if show_names else ''} run {number}: "
        label += f"leaves {format_clock(run.depart)}, back {format_clock(run.return_home)}"
        body.append(
            f'<polyline class="run" data-carer={quoteattr(carer.id)} '
            f'points="{" ".join([home, *stops, home])}" fill="none" '
            f'stroke="{colours[carer.id]}" stroke-width="3" stroke-opacity="0.8" '
            f'stroke-linejoin="round">{_title(label)}</polyline>'
        )
    for run, _number in numbered:
        for stop in run.stops:
            client = clients[stop.client_id]
            x, y = where.point(client.location.lat, client.location.lon)
            who = f" for {client.id}{' ' + client.name if show_names else ''}"
            text = f"{stop.visit_id}{who} by {run.carer_id}: arrives {format_clock(stop.arrival)}"
            text += f", care {format_clock(stop.start)}-{format_clock(stop.end)}"
            body.append(
                f'<circle class="stop" cx="{x:.1f}" cy="{y:.1f}" r="{_STOP_RADIUS_PX}" '
                f'fill="{colours[run.carer_id]}" stroke="white" stroke-width="1.5">'
                f"{_title(text)}</circle>"
            )
    for carer in scenario.carers:
        x, y = where.point(carer.home.lat, carer.home.lon)
        side = _HOME_SIDE_PX
        body.append(
            f'<rect class="home" x="{x - side / 2:.1f}" y="{y - side / 2:.1f}" width="{side}" '
            f'height="{side}" fill="{colours[carer.id]}" stroke="#333">'
            f"{_title(f'Home of {carer.id}' + (f' {carer.name}' if show_names else ''))}</rect>"
        )
    for item in plan.unallocated:
        client = clients[item.client_id]
        x, y = where.point(client.location.lat, client.location.lon)
        who = f"{client.id}{' ' + client.name if show_names else ''}"
        body.append(
            f'<circle class="unallocated" cx="{x:.1f}" cy="{y:.1f}" r="{_STOP_RADIUS_PX + 2}" '
            f'fill="{UNALLOCATED_FILL}" stroke="{UNALLOCATED_EDGE}" stroke-width="3">'
            f"{_title(f'Not covered: {item.visit_id} for {who}: {item.reason}')}</circle>"
        )
    body.append(_scale_bar(where))
    label = f"Map of {plan.scenario} on {plan.date.isoformat()}: {len(plan.runs)} runs, "
    label += f"{len(plan.unallocated)} visits not covered"
    return _svg(MAP_WIDTH_PX, MAP_HEIGHT_PX, label, body)


def _scale_bar(where: Projection) -> str:
    km = scale_bar_km(where.px_per_km, _SCALE_BAR_MAX_PX)
    length = km * where.px_per_km
    x, y = 12.0, MAP_HEIGHT_PX - 14.0
    text = f"{km:g} km" if km >= 1 else f"{km * 1000:g} m"
    return (
        f'<g class="scale-bar"><path d="M{x},{y - 5} V{y} H{x + length:.1f} V{y - 5}" '
        f'fill="none" stroke="#333" stroke-width="2"/>'
        f'<text x="{x + length + 6:.1f}" y="{y}" {_FONT}>{text}</text></g>'
    )


def timeline_svg(scenario: Scenario, plan: Plan, *, show_names: bool = False) -> str:
    """One row per run against an hour axis: the shift as a pale band, travel as a thin bar,
    visits as blocks (a double-handed one with a thick black edge and "x2"), waiting left
    empty, and the unpaid break as a hatched grey block."""
    colours = _colours(scenario)
    visits, carers = scenario.visit_by_id, scenario.carer_by_id
    numbered = _runs_in_order(scenario, plan)
    times = [
        t
        for run, _ in numbered
        for t in (run.shift_start, run.depart, run.return_home, run.shift_end)
    ]
    first_hour = min(times, default=8 * 60) // 60
    last_hour = -(-max(times, default=18 * 60) // 60)
    width = LABEL_WIDTH_PX + (last_hour - first_hour) * PX_PER_HOUR + 10
    height = AXIS_HEIGHT_PX + max(len(numbered), 1) * ROW_HEIGHT_PX + 4

    def x(minutes: int) -> float:
        return LABEL_WIDTH_PX + (minutes - first_hour * 60) * PX_PER_HOUR / 60

    body = [
        '<defs><pattern id="domcare-break-hatch" width="6" height="6" '
        'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<rect width="6" height="6" fill="#ddd"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#888" stroke-width="2"/></pattern></defs>'
    ]
    for hour in range(first_hour, last_hour + 1):
        at = x(hour * 60)
        body.append(
            f'<g class="hour"><line x1="{at:.1f}" y1="{AXIS_HEIGHT_PX - 4}" x2="{at:.1f}" '
            f'y2="{height}" stroke="#ddd"/><text x="{at:.1f}" y="{AXIS_HEIGHT_PX - 8}" '
            f'text-anchor="middle" {_FONT}>{hour:02d}:00</text></g>'
        )
    if not numbered:
        body.append(f'<text x="10" y="{AXIS_HEIGHT_PX + 18}" {_FONT}>No runs in this plan</text>')
    for row, (run, number) in enumerate(numbered):
        top = AXIS_HEIGHT_PX + row * ROW_HEIGHT_PX
        middle = top + ROW_HEIGHT_PX / 2
        colour = colours.get(run.carer_id, "#333")
        name = f" {carers[run.carer_id].name}" if show_names and run.carer_id in carers else ""
        parts = [
            f'<g class="row" data-carer={quoteattr(run.carer_id)} data-run="{number}">',
            _title(
                f"{run.carer_id}{name} run {number}: shift {format_clock(run.shift_start)}-"
                f"{format_clock(run.shift_end)}, leaves {format_clock(run.depart)}, back "
                f"{format_clock(run.return_home)}"
            ),
            f'<text x="6" y="{middle + 4}" {_FONT}>{escape(run.carer_id)} run {number}</text>',
            _block(
                "shift",
                x(run.shift_start),
                x(run.shift_end),
                top + 3,
                ROW_HEIGHT_PX - 6,
                'fill="#eef2f7"',
            ),
        ]
        legs = [(stop.arrival - stop.travel_minutes, stop.arrival) for stop in run.stops]
        legs.append((run.return_home - run.home_travel_minutes, run.return_home))
        for start, end in legs:
            if end > start:
                parts.append(_block("travel", x(start), x(end), middle - 2, 4, f'fill="{colour}"'))
        if run.break_start is not None and run.break_end is not None:
            parts.append(
                _block(
                    "break",
                    x(run.break_start),
                    x(run.break_end),
                    top + 6,
                    ROW_HEIGHT_PX - 12,
                    'fill="url(#domcare-break-hatch)" stroke="#666"',
                    f"Unpaid break {format_clock(run.break_start)}-{format_clock(run.break_end)}",
                )
            )
        for stop in run.stops:
            visit = visits.get(stop.visit_id)
            double = visit is not None and visit.carers_required > 1
            text = f"{stop.visit_id} {format_clock(stop.start)}-{format_clock(stop.end)}"
            text += f" ({stop.travel_minutes} min travel, {stop.wait_minutes} min waiting)"
            style = f'fill="{colour}" fill-opacity="{_VISIT_FILL_OPACITY}"'
            style += ' stroke="#000" stroke-width="2.5"' if double else ' stroke="white"'
            parts.append(
                _block(
                    "visit double" if double else "visit",
                    x(stop.start),
                    x(stop.end),
                    top + 4,
                    ROW_HEIGHT_PX - 8,
                    style,
                    text + (", double-handed" if double else ""),
                )
            )
            if double:
                parts.append(
                    f'<text class="double-mark" x="{x(stop.start) + 2:.1f}" y="{middle + 4}" '
                    f'{_FONT} fill="white" font-weight="bold">x2</text>'
                )
        parts.append("</g>")
        body.append("".join(parts))
    label = f"Timeline of {plan.scenario} on {plan.date.isoformat()}: {len(numbered)} runs"
    return _svg(width, height, label, body)


def _block(
    kind: str, left: float, right: float, top: float, height: float, style: str, title: str = ""
) -> str:
    tooltip = _title(title) if title else ""
    return (
        f'<rect class="{kind}" x="{left:.1f}" y="{top:.1f}" width="{max(right - left, 1):.1f}" '
        f'height="{height:.1f}" {style}>{tooltip}</rect>'
    )
