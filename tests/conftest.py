"""Shared fixtures: small scenario folders written on the fly, so each broken fixture is named
after its defect and lives beside the test that needs it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]
"""The project's folder (README, scenarios/, pyproject.toml)."""

# CI (CI=true) draws the same examples every run, so a build never fails on a new draw; runs
# elsewhere draw afresh and keep finding cases (one became the lone half of
# tests/scheduler/planning/test_day.py).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

CARERS = """id,name,home_lat,home_lon,shifts,skills,gender,travel_mode,max_working_minutes
C1,Ann Carer,54.510,-6.050,07:00-13:00;16:00-22:00,medication;hoist,female,car,600
C2,Bob Carer,54.520,-6.060,07:00-15:00,medication,male,walk,
C3,Cat Carer,54.515,-6.040,07:00-14:00,medication;hoist;dementia,female,bike,
"""
CLIENTS = """id,name,lat,lon,address,postcode,preferred_carers,excluded_carers,gender_preference
K1,Mrs Example,54.512,-6.052,1 Main Street,BT28 1AA,C1,,female
K2,Mr Example,54.518,-6.045,,,,C2,
K3,Ms Example,54.522,-6.058,,,,,
"""
VISITS = (
    "id,client_id,date,earliest_start,latest_start,duration_minutes,carers_required,"
    "required_skills,priority,pinned_carer\n"
    """V1,K1,2026-12-01,07:30,08:30,30,1,medication,critical,
V2,K2,2026-12-01,09:00,10:00,45,2,hoist,normal,
V3,K3,2026-12-01,12:00,13:00,15,1,,normal,
V4,K3,2026-12-01,17:00,18:00,30,1,,normal,
"""
)
HISTORY = """client_id,carer_id,date
K1,C1,2026-11-30
K2,C3,2026-11-30
"""


def write_folder(folder: Path, **tables: str) -> Path:
    """A scenario folder from the good tables above, with any table replaced by keyword."""
    folder.mkdir(parents=True, exist_ok=True)
    contents = {"carers": CARERS, "clients": CLIENTS, "visits": VISITS, "history": HISTORY}
    contents.update(tables)
    for name, text in contents.items():
        if text is not None:
            (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def tiny_folder(tmp_path: Path) -> Path:
    return write_folder(tmp_path / "tiny")
