"""The closed lists of codes are the ones the README explains and the plan's schema states."""

from __future__ import annotations

from scheduler.io.plans import plan_schema
from scheduler.model.codes import REASON_CODES, VIOLATION_CODES
from scheduler.rules.objective import CostTerm
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def test_every_reason_a_visit_is_left_out_is_explained_in_the_readme() -> None:
    assert [code for code in REASON_CODES if f"`{code}`" not in README] == []


def test_the_plan_schema_lists_the_reasons() -> None:
    assert all(f'"{code}"' in plan_schema() for code in REASON_CODES)


def test_every_rule_of_the_validator_has_a_test_that_breaks_it() -> None:
    rule_tests = [*(ROOT / "tests/scheduler/rules").rglob("test_*.py")]
    rule_tests.append(ROOT / "tests/scheduler/planning/test_week.py")  # the week's rules
    text = "".join(path.read_text() for path in rule_tests)
    assert [code for code in VIOLATION_CODES if f'"{code}"' not in text] == []


def test_every_cost_term_is_named_in_the_readme() -> None:
    assert [term.value for term in CostTerm if f"`{term.value}`" not in README] == []
