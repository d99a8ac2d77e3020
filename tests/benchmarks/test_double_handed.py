"""The double-handed benchmark: its days differ from the generated one only in who needs two
carers, and a tiny run gives a valid plan for every version."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from benchmarks.double_handed import (
    DOUBLE,
    HEAVY_SKILLS,
    MADE_SINGLE,
    STAFF_SIZED,
    made_single,
    markdown,
    measure,
    measure_isolated,
    run,
    sized_carers,
    with_double_share,
    write_csv,
)
from scenarios.generator import generate
from scheduler.model.care import Scenario
from scheduler.model.settings import Settings, SolveSettings

# The solution limit stops these searches; the time limit is only a guard.
QUICK = Settings(solve=SolveSettings(time_limit_s=2, solution_limit=20))


@pytest.fixture(scope="module")
def town() -> Scenario:
    """The shipped town day: 400 visits, 35 of them double-handed by the generator."""
    return generate(400, seed=2)


def _pairs(scenario: Scenario) -> set[str]:
    return {visit.id for visit in scenario.visits if visit.double_handed}


@pytest.mark.parametrize("share", [0.0, 0.05, 0.10, 0.25, 1.0])
def test_exactly_the_share_is_double_handed(town: Scenario, share: float) -> None:
    assert len(_pairs(with_double_share(town, share, seed=2))) == round(share * 400)


def test_generator_pairs_kept_first_then_heavy_needs(town: Scenario) -> None:
    generated = _pairs(town)
    assert len(generated) == 35
    more = with_double_share(town, 0.25, seed=2)  # 100 pairs: the 35, then 65 more
    assert generated <= _pairs(more)
    heavy = {v.id for v in town.visits if v.required_skills & HEAVY_SKILLS}
    assert len(heavy) < 100  # so every call with heavy needs is double-handed, and more
    assert heavy < _pairs(more)
    fewer = with_double_share(town, 0.05, seed=2)  # 20 of the generator's 35 kept
    assert _pairs(fewer) < generated


def test_only_carers_required_changes(town: Scenario) -> None:
    for variant in (with_double_share(town, 0.25, seed=2), made_single(town)):
        assert variant.carers == town.carers  # the same staff: that is the comparison
        assert (variant.clients, variant.history) == (town.clients, town.history)
        assert [v.model_copy(update={"carers_required": 1}) for v in variant.visits] == [
            v.model_copy(update={"carers_required": 1}) for v in town.visits
        ]
    assert _pairs(made_single(with_double_share(town, 0.25, seed=2))) == set()


def test_same_seed_same_pairs(town: Scenario) -> None:
    first = with_double_share(town, 0.25, seed=2)
    assert with_double_share(town, 0.25, seed=2) == first
    assert _pairs(with_double_share(town, 0.25, seed=3)) != _pairs(first)
    # another staff for the same calls gets the same pairs
    staffed = generate(400, 120, seed=2)
    assert _pairs(with_double_share(staffed, 0.25, seed=2)) == _pairs(first)


def test_share_outside_zero_to_one_refused(town: Scenario) -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        with_double_share(town, 1.5, seed=2)


def test_staff_grows_with_the_extra_pairs_only(town: Scenario) -> None:
    assert sized_carers(town, with_double_share(town, 0.25, seed=2)) > len(town.carers)
    assert sized_carers(town, with_double_share(town, 0.05, seed=2)) == len(town.carers)


def test_tiny_day_every_plan_validates(tmp_path: Path) -> None:
    # measure raises BenchmarkError on any violation: finishing is the assertion.
    rows = run(30, 1, [0.10, 0.25], QUICK, sized_staff=True, solve=measure)
    assert [row.version for row in rows] == [DOUBLE, MADE_SINGLE, STAFF_SIZED] * 2
    for row in rows:
        assert row.share_visits == round(row.share * 30)  # 3 and 8 (7.5 rounds to even)
        assert row.covered <= row.visits and row.carer_visits_covered <= row.carer_visits
    single = [row for row in rows if row.version == MADE_SINGLE]
    assert all(row.double_handed == 0 and row.carer_visits == 30 for row in single)
    assert "| 25% | double |" in markdown(rows)
    write_csv(rows, tmp_path / "dh.csv")
    with (tmp_path / "dh.csv").open() as stream:
        assert len(list(csv.DictReader(stream))) == 6


def test_solve_in_a_fresh_process_reports_its_memory() -> None:
    solved = measure_isolated(made_single(generate(10, seed=1)), QUICK, MADE_SINGLE)
    assert solved.row.peak_mib is not None and solved.row.peak_mib > 0
