"""How much faster a what-if sweep runs side by side (issue 9): one spec swept one variation
at a time, in the local process pool, and on a Dask LocalCluster, in one run.

    python -m benchmarks.whatif_sweep scenarios/whatif/town.yaml --workers 2

Each mode runs the same spec through ``scheduler.whatif.sweep.sweep``; the wall time covers making
the variations, planning every one, checking each plan with the validator and tabulating.
Ratios are against the one-at-a-time run of the same invocation (the machines are shared
and noisy: compare within a run, never across runs). With a solution limit in the spec
every plan does the same work whichever way it runs, so the rows must be the same in every
mode (a row's ``seconds`` apart); the benchmark fails if they are not. With only a time
limit each plan takes its limit anyway, and the ratio says little but how many cores work.

Writes one CSV row per mode (``--csv``) and, for the first mode, the sweep's own outputs
(``--out``: whatif.csv, the plots, report.html).
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from scheduler.render.whatif_report import write_sweep
from scheduler.whatif.spec import load_spec, prepare
from scheduler.whatif.sweep import LOCAL, SweepRow, sweep

MODES = ("serial", "pool", "dask")


def _figures(rows: Sequence[SweepRow]) -> list[dict[str, object]]:
    return [row.model_dump(exclude={"seconds"}) for row in rows]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("spec", type=Path, nargs="?", default=Path("scenarios/whatif/town.yaml"))
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--csv", type=Path, help="where to write the rows")
    parser.add_argument("--out", type=Path, default=Path("out/whatif-bench"))
    args = parser.parse_args(argv)

    spec = load_spec(args.spec)
    ready = prepare(spec, args.spec.resolve().parent, str(args.spec))
    print(
        f"{args.spec}: {len(ready.planned)} variations of {ready.scenario.name} "
        f"({len(ready.scenario.visits)} visits), time limit {spec.time_limit:g} s, solution "
        f"limit {spec.solution_limit}; {args.workers} workers; {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        flush=True,
    )
    rows: list[dict[str, object]] = []
    first: list[dict[str, object]] | None = None
    serial_s: float | None = None
    same_everywhere = True
    for mode in args.modes:
        workers = 1 if mode == "serial" else args.workers
        began = time.monotonic()
        result, solved = sweep(
            ready.scenario,
            ready.planned,
            spec.seed,
            ready.packages,
            workers=workers,
            dask=LOCAL if mode == "dask" else None,
        )
        wall = time.monotonic() - began
        figures = _figures(result.rows)
        if first is None:
            first = figures
            write_sweep(args.out, result, solved)
        same = figures == first
        same_everywhere &= same
        serial_s = wall if mode == "serial" else serial_s
        done = [r for r in result.rows if r.status == "done"]
        row = {
            "mode": mode,
            "ran_on": result.ran_on,
            "variations": len(result.rows),
            "failed": len(result.rows) - len(done),
            "wall_s": round(wall, 1),
            "plan_s_sum": round(sum(r.seconds for r in result.rows), 1),
            "speedup_vs_serial": round(serial_s / wall, 2) if serial_s else "",
            "rows_same_as_first": same,
            "visits_covered_sum": sum(r.visits_covered or 0 for r in done),
        }
        rows.append(row)
        print(", ".join(f"{k} {v}" for k, v in row.items()), flush=True)
    if args.csv:
        args.csv.parent.mkdir(parents=True, exist_ok=True)
        with args.csv.open("w", newline="", encoding="utf-8") as stream:
            writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    print(f"Wrote the first mode's sweep to {args.out}/")
    if spec.solution_limit is not None and not same_everywhere:
        print("FAILED: with a solution limit every mode must give the same rows", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
