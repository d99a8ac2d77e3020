"""A rota on a map: each carer's runs as coloured lines and numbered stops, for a coordinator
to eyeball before publishing.

One layer per carer (toggled in the layer control), one for the unallocated visits, and a small
box naming the scenario. Lines are straight legs between homes, not roads. Times in popups are
``HH:MM``; travel and waiting are whole minutes.

Privacy: a map is easily forwarded, so client names, addresses and carer names appear only with
``show_names=True``. Ids and positions are always shown (a map without positions is no map).

Offline: the page carries Leaflet itself (``scheduler/render/vendor/leaflet``, BSD-2) instead of
folium's links to CDNs, and markers, numbers, lines and popups are inline HTML and vectors, so
the runs draw with no internet, on a blank background; only the street tiles (OpenStreetMap)
need it, and appear when online.
"""

from __future__ import annotations

import base64
import html
import re
from collections import defaultdict
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import folium
from folium.elements import MacroElement
from folium.template import Template

from scheduler.io.files import write_text_atomic
from scheduler.model.care import Carer, Location, Scenario, TravelMode
from scheduler.model.clock import format_clock
from scheduler.model.errors import DomcareError
from scheduler.model.plan import Plan, Run, Stop, Unallocated

__all__ = ["render_map", "write_map"]

# Colour-blind-aware categorical colours (Tableau 10 less its grey and red, which mark
# unallocated visits), then darker companions; cycled in scenario carer order.
CARER_PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#393b79",
    "#637939",
    "#8c6d31",
    "#7b4173",
)
UNALLOCATED_FILL = "#7f7f7f"
UNALLOCATED_EDGE = "#d62728"

# Walking and cycling legs are dashed so they read apart from driving in any colour.
_DASHED_MODES = frozenset({TravelMode.WALK, TravelMode.BIKE})
_DASH_PATTERN = "6 8"

# Where to look when there is nothing to show: Great Britain, where the clock is set.
_EMPTY_CENTRE = (54.0, -2.5)
_EMPTY_ZOOM = 6
_START_ZOOM = 12

_POPUP_WIDTH_PX = 300
_STOP_ICON_PX = 22
_HOME_ICON_PX = 24

_LEAFLET = ("vendor", "leaflet")
_CSS_IMAGE = re.compile(r"url\(images/([\w.-]+\.png)\)")
_SOURCE_MAP = re.compile(r"^//# sourceMappingURL=.*$", re.MULTILINE)

_LEGEND_STYLE = (
    "position: fixed; bottom: 24px; right: 12px; z-index: 1000; background: white; "
    "padding: 8px 10px; border: 1px solid #999; border-radius: 4px; "
    "font: 12px/1.4 sans-serif; box-shadow: 0 1px 4px rgba(0,0,0,0.3);"
)


def render_map(scenario: Scenario, plan: Plan, *, show_names: bool = False) -> folium.Map:
    """Build the map of ``plan`` over ``scenario`` without writing anything.

    Every carer of the scenario gets a layer (an idle carer shows only their home), coloured
    from ``CARER_PALETTE`` by their position in ``scenario.carers``. Stops are numbered through
    the carer's day in time order, so a split shift's second run carries on from the first.

    Raises ``DomcareError`` when the plan names a carer or client the scenario lacks.
    """
    _check_plan_fits(scenario, plan)

    points = _all_points(scenario, plan)
    fmap = folium.Map(
        location=_centre(points),
        zoom_start=_START_ZOOM if points else _EMPTY_ZOOM,
        tiles="OpenStreetMap",
        control_scale=True,
    )
    # folium links Leaflet, jQuery, Bootstrap and icon fonts from CDNs: the map needs only
    # Leaflet, which the page carries (see _LeafletInline).
    fmap.default_js = []
    fmap.default_css = []

    runs_by_carer: dict[str, list[Run]] = defaultdict(list)
    for run in plan.runs:
        runs_by_carer[run.carer_id].append(run)

    for position, carer in enumerate(scenario.carers):
        colour = CARER_PALETTE[position % len(CARER_PALETTE)]
        runs = sorted(runs_by_carer.get(carer.id, []), key=lambda run: run.depart)
        _carer_layer(scenario, carer, runs, colour, show_names).add_to(fmap)

    if plan.unallocated:
        _unallocated_layer(scenario, plan.unallocated, show_names).add_to(fmap)

    folium.LayerControl(collapsed=True).add_to(fmap)
    page = fmap.get_root()
    assert isinstance(page, folium.Figure)  # folium.Map always places itself in a Figure
    page.header.add_child(_LeafletInline(), name="leaflet")
    page.html.add_child(folium.Element(_legend(scenario, plan)))

    if points:
        lats = [lat for lat, _ in points]
        lons = [lon for _, lon in points]
        fmap.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]], padding=(20, 20))
    return fmap


def write_map(scenario: Scenario, plan: Plan, path: Path, *, show_names: bool = False) -> None:
    """Render the map (see ``render_map``) and save it as a standalone HTML page at ``path``."""
    page = render_map(scenario, plan, show_names=show_names).get_root().render()
    write_text_atomic(Path(path), page)


@cache
def _leaflet() -> str:
    """Leaflet's style sheet (its images as data: URLs) and script, as HTML for the head."""
    folder = files("scheduler.render").joinpath(*_LEAFLET)

    def data_url(match: re.Match[str]) -> str:
        png = folder.joinpath("images", match.group(1)).read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(png).decode('ascii')})"

    style = _CSS_IMAGE.sub(data_url, folder.joinpath("leaflet.css").read_text(encoding="utf-8"))
    # The source map is not shipped: without this line a browser's developer tools ask for it.
    script = _SOURCE_MAP.sub("", folder.joinpath("leaflet.js").read_text(encoding="utf-8"))
    return f"<style>{style}</style>\n<script>{script}</script>\n"


class _LeafletInline(folium.Element):
    """Leaflet inside the page. Put in as it is: a ``folium.Element``'s text is a Jinja
    template, which a script may well not survive."""

    def render(self, **kwargs: Any) -> str:
        return _leaflet()


class _Popup(MacroElement):
    """A popup bound with Leaflet's own ``bindPopup``: ``folium.Popup`` builds its content
    with jQuery, which would be one more script to carry."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.bindPopup(
                {{ this.content|tojavascript }}, {"maxWidth": {{ this.max_width }}});
        {% endmacro %}
        """
    )

    def __init__(self, content: str, max_width: int = _POPUP_WIDTH_PX):
        super().__init__()
        self._name = "Popup"
        self.content, self.max_width = content, max_width


def _check_plan_fits(scenario: Scenario, plan: Plan) -> None:
    unknown_carers = sorted({run.carer_id for run in plan.runs} - scenario.carer_by_id.keys())
    client_ids = {stop.client_id for run in plan.runs for stop in run.stops}
    client_ids |= {item.client_id for item in plan.unallocated}
    unknown_clients = sorted(client_ids - scenario.client_by_id.keys())
    problems = []
    if unknown_carers:
        problems.append(f"carers {', '.join(unknown_carers)}")
    if unknown_clients:
        problems.append(f"clients {', '.join(unknown_clients)}")
    if problems:
        raise DomcareError(
            f"cannot map plan '{plan.scenario}' on scenario '{scenario.name}': the plan names "
            f"{' and '.join(problems)} that the scenario does not have"
        )


def _all_points(scenario: Scenario, plan: Plan) -> list[tuple[float, float]]:
    locations = [carer.home for carer in scenario.carers]
    locations += [
        scenario.client_by_id[stop.client_id].location for run in plan.runs for stop in run.stops
    ]
    locations += [scenario.client_by_id[item.client_id].location for item in plan.unallocated]
    return [_latlon(location) for location in locations]


def _centre(points: list[tuple[float, float]]) -> tuple[float, float]:
    if not points:
        return _EMPTY_CENTRE
    lats = [lat for lat, _ in points]
    lons = [lon for _, lon in points]
    return ((min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2)


def _latlon(location: Location) -> tuple[float, float]:
    return (location.lat, location.lon)


def _carer_label(carer: Carer, show_names: bool) -> str:
    name = f" {carer.name}" if show_names else ""
    return f"{carer.id}{name} ({carer.travel_mode.value})"


def _carer_layer(
    scenario: Scenario, carer: Carer, runs: list[Run], colour: str, show_names: bool
) -> folium.FeatureGroup:
    layer = folium.FeatureGroup(name=_esc(_carer_label(carer, show_names)))
    home = _latlon(carer.home)

    _home_marker(carer, runs, colour, show_names).add_to(layer)

    number = 0
    for run_number, run in enumerate(runs, start=1):
        stop_points = [_latlon(scenario.client_by_id[s.client_id].location) for s in run.stops]
        line = folium.PolyLine(
            [home, *stop_points, home],
            color=colour,
            weight=3,
            opacity=0.8,
            dash_array=_DASH_PATTERN if carer.travel_mode in _DASHED_MODES else None,
            tooltip=_esc(f"{carer.id} run {run_number}"),
        )
        line.add_child(_Popup(_run_popup(carer, run, run_number, show_names)))
        line.add_to(layer)
        for stop, point in zip(run.stops, stop_points, strict=True):
            number += 1
            marker = folium.Marker(
                point,
                icon=_stop_icon(number, colour),
                tooltip=_esc(
                    f"{number}. {stop.visit_id} {format_clock(stop.start)}-{format_clock(stop.end)}"
                ),
            )
            marker.add_child(_Popup(_stop_popup(scenario, carer, stop, number, show_names)))
            marker.add_to(layer)
    return layer


def _home_marker(carer: Carer, runs: list[Run], colour: str, show_names: bool) -> folium.Marker:
    lines = [f"<b>Home of carer {_esc(carer.id)}</b>"]
    if show_names:
        lines.append(_esc(carer.name))
    lines.append(f"Travels by {carer.travel_mode.value}")
    shifts = ", ".join(f"{format_clock(s.start)}-{format_clock(s.end)}" for s in carer.shifts)
    lines.append(f"Shifts {shifts}")
    visits = sum(len(run.stops) for run in runs)
    lines.append(
        f"{_count(len(runs), 'run')}, {_count(visits, 'visit')}" if runs else "No runs in this plan"
    )
    # An inline SVG house rather than folium.Icon(icon="home"): it needs no icon font from a CDN.
    icon = folium.DivIcon(
        html=(
            f'<svg width="{_HOME_ICON_PX}" height="{_HOME_ICON_PX}" viewBox="0 0 24 24">'
            f'<path d="M12 2 L23 12 H19.5 V22 H4.5 V12 H1 Z" fill="{colour}" '
            'stroke="white" stroke-width="1.5"/>'
            '<rect x="10" y="15" width="4" height="7" fill="white"/></svg>'
        ),
        icon_size=(_HOME_ICON_PX, _HOME_ICON_PX),
        icon_anchor=(_HOME_ICON_PX // 2, _HOME_ICON_PX // 2),
        class_name="domcare-home",
    )
    marker = folium.Marker(_latlon(carer.home), icon=icon, tooltip=_esc(f"Home of {carer.id}"))
    return marker.add_child(_Popup("<br>".join(lines)))


def _stop_icon(number: int, colour: str) -> folium.DivIcon:
    size = _STOP_ICON_PX
    return folium.DivIcon(
        html=(
            f'<div style="width: {size}px; height: {size}px; box-sizing: border-box; '
            f"border-radius: 50%; background: {colour}; border: 2px solid white; "
            f"box-shadow: 0 0 2px #333; color: white; text-align: center; "
            f'font: bold 11px/{size - 4}px sans-serif;">{number}</div>'
        ),
        icon_size=(size, size),
        icon_anchor=(size // 2, size // 2),
        class_name="domcare-stop",
    )


def _client_line(scenario: Scenario, client_id: str, show_names: bool) -> str:
    line = f"Client {_esc(client_id)}"
    if show_names:
        client = scenario.client_by_id[client_id]
        line += f" {_esc(client.name)}"
        address = ", ".join(part for part in (client.address, client.postcode) if part)
        if address:
            line += f"<br>{_esc(address)}"
    return line


def _stop_popup(scenario: Scenario, carer: Carer, stop: Stop, number: int, show_names: bool) -> str:
    carer_line = f"Carer {_esc(carer.id)}"
    if show_names:
        carer_line += f" {_esc(carer.name)}"
    return "<br>".join(
        [
            f"<b>Stop {number}: visit {_esc(stop.visit_id)}</b>",
            _client_line(scenario, stop.client_id, show_names),
            carer_line,
            f"Arrives {format_clock(stop.arrival)} after {stop.travel_minutes} min travel",
            f"Waits {stop.wait_minutes} min",
            f"Care {format_clock(stop.start)}-{format_clock(stop.end)}",
        ]
    )


def _run_popup(carer: Carer, run: Run, run_number: int, show_names: bool) -> str:
    title = f"<b>Carer {_esc(carer.id)}"
    if show_names:
        title += f" {_esc(carer.name)}"
    travel = sum(stop.travel_minutes for stop in run.stops) + run.home_travel_minutes
    waiting = sum(stop.wait_minutes for stop in run.stops) - run.break_minutes
    lines = [
        f"{title}, run {run_number}</b>",
        f"Shift {format_clock(run.shift_start)}-{format_clock(run.shift_end)}",
        f"Leaves home {format_clock(run.depart)}, back {format_clock(run.return_home)}",
        f"{_count(len(run.stops), 'visit')}, {travel} min travel, {waiting} min waiting",
    ]
    if run.break_start is not None and run.break_end is not None:
        lines.append(f"Unpaid break {format_clock(run.break_start)}-{format_clock(run.break_end)}")
    return "<br>".join(lines)


def _unallocated_layer(
    scenario: Scenario, unallocated: tuple[Unallocated, ...], show_names: bool
) -> folium.FeatureGroup:
    layer = folium.FeatureGroup(name="Unallocated")
    for item in unallocated:
        lines = [
            f"<b>Unallocated visit {_esc(item.visit_id)}</b>",
            _client_line(scenario, item.client_id, show_names),
        ]
        visit = scenario.visit_by_id.get(item.visit_id)
        if visit is not None:
            lines.append(
                f"Start between {format_clock(visit.earliest_start)} and "
                f"{format_clock(visit.latest_start)}, {visit.duration} min"
                + (
                    f" (the second carer {visit.second_carer_minutes})"
                    if visit.second_carer_minutes
                    else ""
                )
                + f", {visit.priority.value}"
            )
        lines.append(f"Why: {_esc(item.reason)} ({_esc(item.reason_code)})")
        folium.CircleMarker(
            _latlon(scenario.client_by_id[item.client_id].location),
            radius=8,
            color=UNALLOCATED_EDGE,
            weight=3,
            fill=True,
            fill_color=UNALLOCATED_FILL,
            fill_opacity=0.9,
            tooltip=_esc(f"Unallocated {item.visit_id}"),
        ).add_child(_Popup("<br>".join(lines))).add_to(layer)
    return layer


def _legend(scenario: Scenario, plan: Plan) -> str:
    return (
        f'<div class="domcare-legend" style="{_LEGEND_STYLE}">'
        f"<b>{_esc(scenario.name)}</b><br>"
        f"{scenario.date.isoformat()} &middot; plan {plan.status.value}<br>"
        f"{_count(len(plan.runs), 'run')} &middot; {len(plan.unallocated)} unallocated<br>"
        '<span style="color: #555;">solid line: car; dashed: walk or bike; '
        f'<span style="color: {UNALLOCATED_EDGE};">&#9679;</span> unallocated<br>'
        "the streets behind need internet; the runs do not</span>"
        "</div>"
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _esc(text: str) -> str:
    """Escape text for HTML; also ``$``, because folium puts tooltips in JavaScript template
    literals where ``${`` would be evaluated, and braces, because folium reads what an element
    writes as a Jinja template once more, where ``{{`` would be evaluated."""
    return html.escape(text).replace("$", "&#36;").replace("{", "&#123;").replace("}", "&#125;")
