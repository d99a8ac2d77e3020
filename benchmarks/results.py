"""One results row per instance and solver, and how rows are written and shown.

Every suite returns these rows; the runner adds the peak memory of the process that solved
the case, writes the rows as CSV and JSON, and prints them as a markdown table.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path

__all__ = ["Case", "Row", "Suite", "gap_pct", "markdown", "write_rows"]


@dataclass(frozen=True)
class Case:
    """One instance of a suite, cheap to pickle: the suite reads its data in ``run``."""

    suite: str
    instance: str
    path: str = ""
    size: int = 0
    params: tuple[tuple[str, str], ...] = ()


@dataclass
class Row:
    suite: str
    instance: str
    solver: str
    objective: float | None = None
    """In the units the literature uses for this suite (see the suite's module)."""
    best_known: float | None = None
    gap_pct: float | None = None
    vehicles: int | None = None
    allocated: float | None = None
    """Share of tasks (customers, visits) served, 0..1."""
    wall_s: float | None = None
    first_feasible_s: float | None = None
    peak_mib: float | None = None
    time_limit_s: float | None = None
    valid: bool | None = None
    """The answer passed an independent check of its hard constraints."""
    note: str = ""


# A suite: the cases it has (all, or the quick ones for CI), and how one case is solved.
@dataclass(frozen=True)
class Suite:
    name: str
    cases: Callable[[bool], list[Case]]
    run: Callable[[Case, float], list[Row]]
    default_time_limit_s: float
    quick_time_limit_s: float
    quick_gap_ceiling_pct: float | None = None
    """In a quick run, a gap above this is a broken result (the run fails)."""


def gap_pct(objective: float | None, best_known: float | None) -> float | None:
    if objective is None or not best_known:
        return None
    return round(100.0 * (objective - best_known) / best_known, 2)


def write_rows(rows: Sequence[Row], path: Path) -> None:
    """CSV at ``path`` and the same rows as JSON beside it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    names = [f.name for f in fields(Row)]
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=names)
        writer.writeheader()
        for row in rows:
            writer.writerow(asdict(row))
    path.with_suffix(".json").write_text(json.dumps([asdict(r) for r in rows], indent=1))


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}" if abs(value) < 1e6 else f"{value:.0f}"
    return str(value)


def markdown(rows: Sequence[Row]) -> str:
    columns = [
        "suite",
        "instance",
        "solver",
        "objective",
        "best_known",
        "gap_pct",
        "vehicles",
        "allocated",
        "wall_s",
        "first_feasible_s",
        "peak_mib",
        "valid",
        "note",
    ]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(_cell(getattr(row, c)) for c in columns) + " |")
    return "\n".join(lines)
