"""The closed lists of codes domcare reports, each a place a program can match on.

- ``InputCode``: a problem (or a note) in the input, located by file, row and column.
- ``ViolationCode``: a hard rule a plan breaks (``scheduler.rules``), and so a manual rota's
  breach; ``BreachCode`` adds the breaches found from a rota's planned starts alone.
- ``ReasonCode``: why a visit is not in the rota, the rule that keeps it out.

They are ``Literal`` types: mypy refuses a code not on its list, so codes cannot drift apart
(two spellings of one problem were found and merged when the lists were made), and the plan's
JSON Schema lists the reasons.
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "INPUT_CODES",
    "REASON_CODES",
    "VIOLATION_CODES",
    "BreachCode",
    "InputCode",
    "ReasonCode",
    "ViolationCode",
]

InputCode = Literal[
    # files and tables
    "missing_file",
    "unreadable_file",
    "empty_file",
    "missing_table",
    "missing_column",
    "missing_column_name",
    "unknown_column",
    "duplicate_column",
    "extra_cells",
    "unknown_file",
    # cells
    "missing_value",
    "invalid_value",
    "out_of_range",
    "malformed_date",
    "malformed_time",
    "malformed_shift",
    "window_inverted",
    "past_midnight",
    "duplicate_id",
    "duplicate_row",
    "duplicate_field",
    "unknown_client",
    "unknown_carer",
    "unknown_visit",
    "unknown_skill",
    "conflict",
    "coordinates_swapped",
    "wrong_date",
    "inconsistent_package",
    "extra_carer",
    # notes: read, but worth a look
    "encoding",
    "delimiter",
    "date_form",
    "time_form",
    "far_away",
    "far_from_road",
    # settings, options, requests and specs
    "invalid_settings",
    "invalid_option",
    "invalid_request",
    "invalid_form",
    "invalid_name",
    "invalid_plan",
    "invalid_spec",
    "invalid_variation",
    "duplicate_variation",
    "unknown_base",
    "unknown_scenario",
    "no_waiting_list",
    "time_limit_too_long",
    "too_many_visits",
    "too_many_variations",
    "too_much_search",
]

ViolationCode = Literal[
    # bookkeeping: every visit once, in the rota or left out
    "unknown_visit",
    "unknown_carer",
    "unknown_shift",
    "listed_twice",
    "allocated_and_unallocated",
    "visit_missing",
    "double_handed_alone",
    "visited_twice",
    "same_carer_twice",
    "duplicate_run",
    "wrong_date",
    "wrong_dates",
    # times and journeys
    "wrong_travel",
    "wrong_arrival",
    "wrong_lateness",
    "wrong_client",
    "wrong_duration",
    "unreachable",
    "outside_window",
    "before_shift",
    "after_shift",
    "not_synchronised",
    "gap_not_kept",
    "same_carer_for_gap",
    # who may visit
    "missing_skill",
    "excluded_carer",
    "no_go_client",
    "gender_preference",
    "pinned_elsewhere",
    "weekly_carer_cap",
    # working time
    "max_working_time",
    "max_weekly_time",
    "no_break",
    "short_break",
    "break_misplaced",
    "no_break_in_window",
    "short_rest",
    "too_many_carers",
]

BreachCode = Literal[ViolationCode, "late_start", "not_on_shift"]
"""A manual rota's breach: a violation of its plans, or found from its planned starts."""

ReasonCode = Literal[
    # found before planning, by checking the visit against every carer
    "no_skilled_carer",
    "client_excludes_carers",
    "gender_preference",
    "pinned_carer_unavailable",
    "unreachable",
    "no_carer_on_shift",
    "no_pair",
    "weekly_carer_cap",
    # found after planning, by trying the visit in every able carer's runs
    "working_time_cap",
    "weekly_time_cap",
    "no_room_for_break",
    "gap_not_kept",
    "no_capacity",
    "no_free_pair",
    "not_searched",
    # a re-plan during the day
    "window_passed",
    # no plan at all; a manual rota that leaves the visit out
    "no_plan",
    "not_in_rota",
]

INPUT_CODES: tuple[str, ...] = get_args(InputCode)
VIOLATION_CODES: tuple[str, ...] = get_args(ViolationCode)
REASON_CODES: tuple[str, ...] = get_args(ReasonCode)
