"""``domcare compare``: continuity planned to match the reference rota, breaches listed.

One client, K1 at 54.500,-6.000, knows FAR (home 4 km north, 14 min each way by car) and not
NEAR (home 0.5 km north, 5 min each way); both work 07:00-13:00. V1 at K1, 08:00-08:30, 30 min.

- The coordinator baseline gives V1 to the client's regular carer, FAR: familiar share 100 %.
- At the default continuity weight (100) the optimiser sends NEAR: 2 x 5 = 10 min of travel
  (cost 100 + 100 for a stranger = 200) against FAR's 2 x 14 = 28 (cost 280): 0 % familiar.
- At 300 a stranger costs 100 + 300 = 400 > 280: FAR, 100 %, the coordinator's share.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from routing.haversine import HaversineTravel
from scheduler.analysis.compare import COORDINATOR, GREEDY, MANUAL, OPTIMISED, compare
from scheduler.analysis.comparison import Comparison
from scheduler.analysis.manual import Assignment
from scheduler.cli import main
from scheduler.io.scenario import write_scenario
from scheduler.model.care import Carer, Client, Location, Scenario, Shift, Visit
from scheduler.model.settings import DEFAULT_SKILLS, CompareSettings, Settings, SolveSettings
from scheduler.render.report import breach_summary, report_html

DATE = dt.date(2026, 12, 1)
K1 = Location(lat=54.500, lon=-6.000)
DAY = Shift(start=7 * 60, end=13 * 60)
SETTINGS = Settings(solve=SolveSettings(time_limit_s=10, solution_limit=50))
TRAVEL = HaversineTravel()


def _clock(hours: int, minutes: int) -> int:
    return hours * 60 + minutes


SCENARIO = Scenario(
    name="continuity",
    date=DATE,
    skills=DEFAULT_SKILLS,
    carers=(
        Carer(
            id="FAR",
            name="Fay",
            home=Location(lat=54.536, lon=-6.000),
            shifts=(DAY,),
            skills=frozenset({"medication"}),
        ),
        Carer(id="NEAR", name="Ned", home=Location(lat=54.5045, lon=-6.000), shifts=(DAY,)),
    ),
    clients=(Client(id="K1", name="Mrs One", location=K1, preferred_carers=frozenset({"FAR"})),),
    visits=(
        Visit(
            id="V1",
            client_id="K1",
            date=DATE,
            earliest_start=_clock(8, 0),
            latest_start=_clock(8, 30),
            duration=30,
        ),
    ),
)


def test_the_optimised_rota_is_planned_again_until_it_is_as_familiar_as_the_baseline() -> None:
    run = compare(SCENARIO, SETTINGS, TRAVEL)
    result = run.comparison
    match = result.continuity
    assert match is not None
    assert (match.reference, match.reference_share) == (COORDINATOR, 1.0)
    assert [(t.continuity_weight, t.familiar_share, t.matched) for t in match.tried] == [
        (100, 0.0, False),
        (300, 1.0, True),
    ]
    assert [t.non_contact_minutes for t in match.tried] == [10, 28]
    assert (match.continuity_weight, match.matched) == (300, True)
    assert match.method.startswith(
        "planned at continuity weight 300 to match the coordinator baseline's 100% familiar "
        "share: 100%; weights tried: 100 gave 0%, 300 gave 100%; each solve searched at most "
        "10 s or 50 solutions"
    )
    optimised = result.rotas[0]
    assert (optimised.name, optimised.familiar_share) == (OPTIMISED, 1.0)
    (plan,) = run.plans[OPTIMISED]
    assert [run.carer_id for run in plan.runs] == ["FAR"]
    assert plan.settings.continuity_weight == 300
    by_rota = {r.against: r for r in result.released}
    assert by_rota[COORDINATOR].days[0].counted and by_rota[COORDINATOR].hours == 0
    # The greedy sends NEAR: the optimised rota drives 18 min more to keep the client's carer.
    assert by_rota[GREEDY].hours == -0.3 and by_rota[GREEDY].km_saved < 0
    page = report_html(result)
    assert "Continuity of care: planned at continuity weight 300" in page
    assert "more driving" in page and "less driving" in page


def test_the_settings_own_weight_comes_first_and_only_higher_ones_follow() -> None:
    settings = SETTINGS.model_copy(update={"continuity_weight": 500})
    match = compare(SCENARIO, settings, TRAVEL).comparison.continuity
    assert match is not None
    assert [t.continuity_weight for t in match.tried] == [500]
    assert match.method.startswith(
        "planned at continuity weight 500, the settings' own: familiar share 100%, no less "
        "than the coordinator baseline's 100% familiar share"
    )


def test_when_no_weight_matches_the_released_hours_are_not_counted() -> None:
    # A stranger at 150 still costs 100 + 150 = 250 < 280: NEAR at every weight tried.
    settings = SETTINGS.model_copy(update={"compare": CompareSettings(continuity_weights=(150,))})
    result = compare(SCENARIO, settings, TRAVEL).comparison
    match = result.continuity
    assert match is not None
    assert [(t.continuity_weight, t.matched) for t in match.tried] == [(100, False), (150, False)]
    assert (match.continuity_weight, match.matched) == (100, False)
    assert match.method.startswith(
        "no continuity weight tried matched the coordinator baseline's 100% familiar share: "
        "the most familiar plan, 0% at weight 100, is kept, and the hours it releases against "
        "the coordinator baseline are not counted"
    )
    coordinator = next(r for r in result.released if r.against == COORDINATOR)
    (day,) = coordinator.days
    assert not day.counted and day.why_not == (
        "continuity not matched: familiar share 0% at best, against 100%"
    )
    assert coordinator.hours == 0
    greedy = next(r for r in result.released if r.against == GREEDY)
    assert greedy.days[0].counted


@pytest.mark.parametrize("weights", [(0, 10), (300, 300), (1000, 300)])
def test_the_weights_tried_must_be_positive_and_rising(weights: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match="positive and rising"):
        CompareSettings(continuity_weights=weights)


# ---- a manual rota with breaches, on the command line ---------------------------------------

# V2 at K1 08:30-09:00 needs medication, which NEAR lacks. NEAR's rota: V1 at 08:10-08:40,
# then V2 planned 08:20, overlapping V1: it starts 08:40, 20 min late, by a carer without
# the skill, so V2 is not covered. The manual rota is the reference: NEAR is a stranger,
# 0 % familiar, which the optimised rota matches at once.
V2 = SCENARIO.visits[0].model_copy(
    update={
        "id": "V2",
        "earliest_start": _clock(8, 30),
        "latest_start": _clock(9, 0),
        "required_skills": frozenset({"medication"}),
    }
)
WITH_V2 = SCENARIO.model_copy(update={"visits": (*SCENARIO.visits, V2)})
MANUAL_ROTA = (
    "carer_id,date,visit_id,planned_start\nNEAR,2026-12-01,V1,08:10\nNEAR,2026-12-01,V2,08:20\n"
)


def test_compare_lists_the_manual_rotas_breaches(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, out = tmp_path / "day", tmp_path / "out"
    write_scenario(WITH_V2, folder)
    (tmp_path / "manual_rota.csv").write_text(MANUAL_ROTA, encoding="utf-8")
    options = ["--time-limit", "10", "--solution-limit", "50", "--out", str(out)]
    manual = ["--manual", str(tmp_path / "manual_rota.csv")]
    assert main(["compare", str(folder), *manual, *options]) == 0
    printed = " ".join(capsys.readouterr().out.split())
    assert "Continuity of care: planned at continuity weight 100, the settings' own" in printed
    assert (
        "The manual rota breaks 2 rule(s); 1 visit(s) done by a carer who may not do them "
        "are not counted as covered:"
    ) in printed
    assert (
        "2026-12-01 visit V2 carer NEAR: late_start (the call starts later than the rota plans "
        "it), by 20 min: carer NEAR at visit V2: planned 08:20, actually 08:40, by 20 min"
    ) in printed
    assert "2026-12-01 visit V2 carer NEAR: missing_skill" in printed
    result = Comparison.model_validate_json((out / "compare.json").read_text())
    rota = next(r for r in result.rotas if r.name == MANUAL)
    assert (rota.visits_covered, rota.visits_by_wrong_carer) == (1, 1)
    assert [(b.code, b.visit_id, b.carer_id, b.minutes) for b in rota.breach_list] == [
        ("late_start", "V2", "NEAR", 20),
        ("missing_skill", "V2", "NEAR", None),
    ]
    document = json.loads((out / "compare.json").read_text())
    assert document["continuity"]["method"].startswith("planned at continuity weight 100")
    page = (out / "report.html").read_text()
    assert "Rules the manual rota breaks: 2" in page
    assert (
        "<td>late_start</td><td>the call starts later than the rota plans it</td><td>20</td>"
        in (page)
    )


def test_the_terminal_shows_the_first_breaches_and_points_to_the_report() -> None:
    rota = compare(
        WITH_V2,
        SETTINGS,
        TRAVEL,
        manual=(
            Assignment(carer_id="NEAR", date=DATE, visit_id="V1", start=_clock(8, 10)),
            Assignment(carer_id="NEAR", date=DATE, visit_id="V2", start=_clock(8, 20)),
        ),
    ).comparison.rotas[1]
    lines = breach_summary(rota, shown=1)
    assert lines[0].endswith(". The first 1 (see the report for all):")
    assert len(lines) == 2 and "late_start" in lines[1]
