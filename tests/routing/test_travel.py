"""Travel times: the haversine provider against the ellipsoid, and the matrix-file provider."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from geopy.distance import geodesic

from routing.haversine import HaversineTravel, haversine_m
from routing.matrix_file import MatrixFileError, MatrixFileTravel
from routing.travel import Place, TravelSettings

LISBURN = Place("lisburn", 54.5162, -6.0580)
BANGOR = Place("bangor", 54.6536, -5.6683)
DOWNPATRICK = Place("downpatrick", 54.3283, -5.7157)


def test_haversine_agrees_with_geodesic_within_half_a_percent() -> None:
    places = [LISBURN, BANGOR, DOWNPATRICK]
    ours = haversine_m(np.array([p.lat for p in places]), np.array([p.lon for p in places]))
    for i, a in enumerate(places):
        for j, b in enumerate(places):
            if i != j:
                exact = geodesic((a.lat, a.lon), (b.lat, b.lon)).meters
                assert ours[i, j] == pytest.approx(exact, rel=0.005)


def test_minutes_are_road_distance_at_mode_speed_plus_access() -> None:
    settings = TravelSettings(
        circuity=1.3,
        speed_kmh={"car": 30, "walk": 5, "bike": 15},
        access_minutes={"car": 3, "walk": 1, "bike": 2},
    )
    matrix = HaversineTravel(settings).matrix([LISBURN, BANGOR], "car")
    straight = geodesic((LISBURN.lat, LISBURN.lon), (BANGOR.lat, BANGOR.lon)).meters
    # road metres = straight * 1.3; at 30 km/h = 500 m a minute, rounded up, plus 3 parking
    expected = int(np.ceil(straight * 1.3 / 500)) + 3
    assert abs(int(matrix.minutes[0, 1]) - expected) <= 1
    assert matrix.metres[0, 1] == pytest.approx(straight * 1.3, rel=0.005)
    assert matrix.minutes[0, 0] == 0 and matrix.metres[1, 1] == 0


def test_walking_is_slower_than_driving() -> None:
    travel = HaversineTravel()
    car = travel.matrix([LISBURN, DOWNPATRICK], "car").minutes[0, 1]
    walk = travel.matrix([LISBURN, DOWNPATRICK], "walk").minutes[0, 1]
    assert walk > 5 * car


def test_same_address_costs_nothing() -> None:
    twin = Place("twin", LISBURN.lat, LISBURN.lon)
    matrix = HaversineTravel().matrix([LISBURN, twin], "car")
    assert matrix.minutes[0, 1] == 0 and matrix.metres[0, 1] == 0


def test_settings_refuse_a_missing_mode() -> None:
    with pytest.raises(ValueError, match="bike"):
        TravelSettings(speed_kmh={"car": 30, "walk": 5})


def test_matrix_file_reads_legs_by_key_and_mode(tmp_path: Path) -> None:
    path = tmp_path / "travel.csv"
    path.write_text(
        "from,to,minutes,metres,mode\n"
        "lisburn,bangor,35,28000,\n"
        "bangor,lisburn,33,28100,\n"
        "lisburn,bangor,300,28000,walk\n"
    )
    travel = MatrixFileTravel(path)
    car = travel.matrix([LISBURN, BANGOR], "car")
    assert car.minutes.tolist() == [[0, 35], [33, 0]]
    assert car.metres.tolist() == [[0, 28000], [28100, 0]]
    assert travel.matrix([LISBURN, BANGOR], "walk").minutes[0, 1] == 300


def test_matrix_file_names_the_missing_legs(tmp_path: Path) -> None:
    path = tmp_path / "travel.csv"
    path.write_text("from,to,minutes,metres\nlisburn,bangor,35,28000\n")
    with pytest.raises(MatrixFileError, match="bangor->lisburn"):
        MatrixFileTravel(path).matrix([LISBURN, BANGOR], "car")


def test_matrix_file_names_the_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "travel.csv"
    path.write_text("from,to,minutes,metres\nlisburn,bangor,35,28000\nbangor,lisburn,soon,1\n")
    with pytest.raises(MatrixFileError, match="travel.csv row 3"):
        MatrixFileTravel(path)
