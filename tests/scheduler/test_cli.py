"""The command line as a coordinator uses it: outputs on success, every input problem listed
with exit status 2 and never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from scheduler.cli import main
from scheduler.io.plans import read_plan
from scheduler.model.plan import PLAN_SCHEMA_VERSION
from tests.conftest import VISITS, write_folder

FAST = ["--time-limit", "10", "--solution-limit", "50"]


def test_solve_writes_every_output(
    tiny_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["solve", str(tiny_folder), "--out", str(out), *FAST]) == 0
    assert {p.name for p in out.iterdir()} == {
        "plan.json",
        "plan.schema.json",
        "figures.json",
        "rota.csv",
        "map.html",
        "runsheets",
    }
    plan = read_plan(out / "plan.json")
    carers = {run.carer_id for run in plan.runs}
    assert {p.name for p in (out / "runsheets").iterdir()} == {
        f"{carer}.{kind}" for carer in carers for kind in ("html", "ics")
    }
    assert plan.schema_version == PLAN_SCHEMA_VERSION and plan.scenario == "tiny"
    schema = json.loads((out / "plan.schema.json").read_text())
    assert schema["title"] == "Plan" and "runs" in schema["properties"]
    rota = pd.read_csv(out / "rota.csv")
    # 4 visits, one double-handed: 5 carer visits
    assert len(rota) == 5 and "client_name" not in rota.columns
    figures = json.loads((out / "figures.json").read_text())
    assert figures["visits_allocated"] == 4
    printed = capsys.readouterr().out
    assert "Visits covered: 4 of 4" in printed
    assert "Mrs Example" not in printed  # no client names on the terminal


def test_names_only_on_request(tiny_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["solve", str(tiny_folder), "--out", str(out), "--names", *FAST]) == 0
    assert "Mrs Example" in set(pd.read_csv(out / "rota.csv")["client_name"])


def test_validate_accepts_a_solved_plan_and_rejects_a_tampered_one(
    tiny_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    main(["solve", str(tiny_folder), "--out", str(out), *FAST])
    assert main(["validate", str(tiny_folder), str(out / "plan.json")]) == 0
    document = json.loads((out / "plan.json").read_text())
    stop = document["runs"][0]["stops"][0]
    stop["start"] = stop["end"] = 23 * 60  # far outside any window
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(document))
    assert main(["validate", str(tiny_folder), str(tampered)]) == 3
    assert "outside_window" in capsys.readouterr().out


def test_bad_input_lists_every_problem_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    visits = VISITS.replace("V1,K1,", "V1,K9,").replace("09:00,10:00,45", "10:00,09:00,45")
    visits = visits.replace("12:00,13:00,15", "12:00,1x:00,15")
    folder = write_folder(tmp_path / "bad", visits=visits)
    out = tmp_path / "out"
    assert main(["solve", str(folder), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "3 problems in the input" in err
    assert "visits.csv row 2 column client_id" in err
    assert "visits.csv row 3 column latest_start" in err
    assert "visits.csv row 4 column latest_start" in err
    assert "Traceback" not in err
    assert not out.exists()  # nothing half-written


def test_broken_plan_file_is_an_input_error(
    tiny_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "plan.json"
    broken.write_text('{"runs": 3}')
    assert main(["validate", str(tiny_folder), str(broken)]) == 2
    assert "plan.json" in capsys.readouterr().err


def test_generate_then_solve_by_shipped_name(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    assert main(["generate", str(out), "--visits", "30", "--seed", "4"]) == 0
    assert len(pd.read_csv(out / "visits.csv")) == 30


def test_demo_solves_the_shipped_small_scenario(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), *FAST]) == 0
    assert read_plan(out / "plan.json").scenario == "small"


def test_settings_file_then_options_given_set_the_plans_settings(
    tiny_folder: Path, tmp_path: Path
) -> None:
    settings = tmp_path / "settings.json"
    settings.write_text('{"travel_weight": 8, "continuity_weight": 50, "solve": {"seed": 3}}')
    out = tmp_path / "out"
    options = ["--settings", str(settings), "--continuity-weight", "200", "--break-after", "0"]
    assert main(["solve", str(tiny_folder), "--out", str(out), *options, *FAST]) == 0
    used = read_plan(out / "plan.json").settings
    assert (used.travel_weight, used.continuity_weight) == (8, 200)  # the option wins
    assert used.break_after_minutes is None and used.solve.seed == 3
    assert used.solve.time_limit_s == 10 and used.max_carers_per_client_week == 4


def test_a_bad_setting_names_its_option_or_field_and_exits_2(
    tiny_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["solve", str(tiny_folder), "--out", str(out), "--min-rest", "-5"]) == 2
    err = capsys.readouterr().err
    assert "command line column --min-rest" in err and "Traceback" not in err
    settings = tmp_path / "settings.json"
    settings.write_text('{"travel_weight": "fast"}')
    assert main(["solve", str(tiny_folder), "--out", str(out), "--settings", str(settings)]) == 2
    assert "settings.json column travel_weight" in capsys.readouterr().err
    assert not out.exists()


def test_solve_lists_the_late_calls_on_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The only carer starts at 08:00; V1 must start by 07:45: with an hour's tolerance it is
    # made late, and the terminal says which call, how late and whose it is.
    folder = write_folder(
        tmp_path / "late",
        carers="id,name,home_lat,home_lon,shifts\nC1,Ann,54.52,-6.06,08:00-12:00\n",
        clients="id,name,lat,lon\nK1,Mrs Example,54.512,-6.052\n",
        visits="id,client_id,date,earliest_start,latest_start,duration_minutes\n"
        "V1,K1,2026-12-01,07:30,07:45,30\n",
        history=None,
    )
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"late_tolerance_minutes": 60}))
    out = tmp_path / "out"
    args = ["solve", str(folder), "--out", str(out), "--settings", str(settings), *FAST]
    assert main(args) == 0
    (stop,) = read_plan(out / "plan.json").runs[0].stops
    printed = capsys.readouterr().out
    assert f"Late calls: 1 ({stop.minutes_late} min)" in printed
    assert "07:30-07:45" in printed and "C1" in printed and "Mrs Example" not in printed


EVENTS = (
    "event,carer_id,visit_id,client_id,from,until,earliest_start,latest_start,duration_minutes\n"
    "carer_off,C2,,,11:00,,,,\n"
    "visit_added,,N1,K3,,,19:00,20:00,30\n"
)


def test_replan_writes_the_new_plan_its_changes_and_the_day_as_it_stands(
    tiny_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, again = tmp_path / "out", tmp_path / "again"
    assert main(["solve", str(tiny_folder), "--out", str(out), *FAST]) == 0
    events = tmp_path / "events.csv"
    events.write_text(EVENTS)
    args = ["replan", str(tiny_folder), str(out / "plan.json"), str(events), "--at", "11:00"]
    assert main([*args, "--out", str(again), *FAST]) == 0
    assert {"plan.json", "changes.csv", "scenario.json", "rota.csv"} <= {
        p.name for p in again.iterdir()
    }
    assert main(["validate", str(again / "scenario.json"), str(again / "plan.json")]) == 0
    changes = pd.read_csv(again / "changes.csv")
    assert ("N1", "added", "placed") in set(
        zip(changes["visit_id"], changes["kind"], changes["change"], strict=True)
    )
    printed = capsys.readouterr().out
    assert "Orphaned calls placed" in printed and "Mrs Example" not in printed


def test_replan_with_a_bad_events_file_lists_every_problem_and_writes_nothing(
    tiny_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, again = tmp_path / "out", tmp_path / "again"
    assert main(["solve", str(tiny_folder), "--out", str(out), *FAST]) == 0
    events = tmp_path / "events.csv"
    events.write_text(
        "event,carer_id,visit_id,from,start,end\n"
        "carer_off,C9,,11:00,,\n"
        "visit_done,,V1,,07:40,08:10\n"
        "visit_done,,V1,,07:40,08:10\n"
        "carer_off,C2,,25:00,,\n"
    )
    args = ["replan", str(tiny_folder), str(out / "plan.json"), str(events), "--at", "11:00"]
    capsys.readouterr()
    assert main([*args, "--out", str(again), *FAST]) == 2
    printed = capsys.readouterr().err
    assert "events.csv row 2 column carer_id" in printed
    assert "events.csv row 4 column visit_id" in printed
    assert "events.csv row 5 column from" in printed
    assert not again.exists()


def test_replan_refuses_a_plan_of_another_day(tiny_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["solve", str(tiny_folder), "--out", str(out), *FAST]) == 0
    other = write_folder(tmp_path / "other", visits=VISITS.replace("V1,", "W1,"))
    events = tmp_path / "events.csv"
    events.write_text("event\n")
    args = ["replan", str(other), str(out / "plan.json"), str(events), "--at", "11:00"]
    assert main([*args, "--out", str(tmp_path / "again"), *FAST]) == 2
