"""The benchmark runner behind ``python -m benchmarks run [--suite NAME] [--quick]``.

Runs each case of the chosen suites in a fresh process, one at a time (the machines have two
cores and a solver may use both), records the peak memory of that process, writes every row
to CSV and JSON and prints a markdown table. With ``--quick`` (for CI) a run fails only on a
broken result: a crash, an invalid answer, or a gap far above the suite's recorded range;
never on a timing.
"""

from __future__ import annotations

import argparse
import importlib
import json
import multiprocessing
import resource
import sys
import traceback
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TypeVar

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from benchmarks.results import Case, Row, Suite, markdown, write_rows

# suite name -> (module, attribute); imported only when chosen
SUITES = {
    "solomon": ("benchmarks.vrptw", "SOLOMON"),
    "homberger": ("benchmarks.vrptw", "HOMBERGER"),
    "homecare": ("benchmarks.homecare", "HOMECARE"),
    "uhhc": ("benchmarks.homecare", "UHHC"),
    "scale": ("benchmarks.scale", "SCALE"),
    "relaxed": ("benchmarks.relaxed", "RELAXED"),
}
QUICK_SUITES = ("solomon", "homecare", "scale", "relaxed")
T = TypeVar("T")


def _suite(name: str) -> Suite:
    module, attribute = SUITES[name]
    return getattr(importlib.import_module(module), attribute)  # type: ignore[no-any-return]


def _peak_mib() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024  # Linux: KiB


def _solve_case(connection: Connection, name: str, case: Case, time_limit_s: float) -> None:
    """In the child: solve, then send back (rows, peak MiB) or the crash as text."""
    try:
        rows = _suite(name).run(case, time_limit_s)
        connection.send((rows, _peak_mib(), None))
    except Exception as exc:  # a crash is a result: recorded, and fatal in --quick
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        connection.send(([], _peak_mib(), detail))
    finally:
        connection.close()


def _run_isolated(name: str, case: Case, time_limit_s: float) -> list[Row]:
    """Solve in a fresh process so that its peak memory is the case's own. A plain (not
    daemonic) process, because a large day solves its zones in worker processes of its own."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_solve_case, args=(sender, name, case, time_limit_s))
    child.start()
    sender.close()
    try:
        rows, peak, crash = receiver.recv()
    except EOFError:  # the child died without a word (killed, out of memory)
        rows, peak, crash = [], 0.0, f"the solving process ended with code {child.exitcode}"
    child.join()
    if crash is not None:
        return [Row(case.suite, case.instance, "-", valid=False, note=f"crash: {crash}")]
    for row in rows:
        row.peak_mib = round(peak, 1)
        row.time_limit_s = row.time_limit_s or time_limit_s
    return rows


def _broken(suite: Suite, row: Row) -> str | None:
    if row.note.startswith("crash"):
        return row.note
    if row.valid is False:
        return "invalid answer"
    ceiling = suite.quick_gap_ceiling_pct
    ours = row.solver != "pyvrp"  # the peer's gap is information, not our failure
    if ours and ceiling is not None and row.gap_pct is not None and row.gap_pct > ceiling:
        return f"gap {row.gap_pct} % above the recorded ceiling {ceiling} %"
    return None


def shard(items: list[T], part: tuple[int, int]) -> list[T]:
    """Every n-th item from the k-th (1-based): two shards run side by side share a suite's
    small and large cases alike, so each of the machine's two cores does half the work."""
    k, n = part
    return items[k - 1 :: n]


def _shard_arg(text: str) -> tuple[int, int]:
    k, _, n = text.partition("/")
    if not (k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        raise argparse.ArgumentTypeError(f"expected K/N with 1 <= K <= N, got {text!r}")
    return int(k), int(n)


def run(
    names: list[str],
    quick: bool,
    time_limit_s: float | None,
    out: Path,
    only: str | None = None,
    part: tuple[int, int] = (1, 1),
) -> int:
    plan = []
    for name in names:
        suite = _suite(name)
        limit = time_limit_s or (suite.quick_time_limit_s if quick else suite.default_time_limit_s)
        cases = [c for c in suite.cases(quick) if only is None or only in c.instance]
        plan += [(name, suite, case, limit) for case in cases]
    plan = shard(plan, part)
    rows: list[Row] = []
    failures: list[str] = []
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, transient=False) as progress:
        task = progress.add_task("benchmarks", total=len(plan))
        for name, suite, case, limit in plan:
            progress.update(task, description=f"{name} {case.instance} ({limit:g} s)")
            case_rows = _run_isolated(name, case, limit)
            rows += case_rows
            write_rows(rows, out)  # a long run keeps what it has measured
            if quick:
                failures += [
                    f"{row.suite} {row.instance} {row.solver}: {problem}"
                    for row in case_rows
                    if (problem := _broken(suite, row))
                ]
            progress.advance(task)
    print(markdown(rows))
    print(f"\nrows written to {out} and {out.with_suffix('.json')}")
    if failures:
        print("\nBROKEN RESULTS:\n" + "\n".join(failures), file=sys.stderr)
        return 1
    return 0


def _mean(values: list[float]) -> str:
    return f"{sum(values) / len(values):.2f}" if values else "-"


def summary(paths: list[Path]) -> str:
    """Per suite and solver: cases, mean and worst gap, how many answers were valid and served
    every task, and the mean time to a first feasible answer."""
    rows = [
        Row(**item) for path in paths for item in json.loads(path.with_suffix(".json").read_text())
    ]
    groups: dict[tuple[str, str], list[Row]] = {}
    for row in rows:
        groups.setdefault((row.suite, row.solver), []).append(row)
    lines = [
        "| suite | solver | cases | mean gap % | worst gap % | valid | all served "
        "| mean first feasible s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for (suite, solver), members in sorted(groups.items()):
        gaps = [r.gap_pct for r in members if r.gap_pct is not None]
        firsts = [r.first_feasible_s for r in members if r.first_feasible_s is not None]
        served = sum(1 for r in members if r.allocated is not None and r.allocated >= 1.0)
        valid = sum(1 for r in members if r.valid)
        worst = f"{max(gaps):.2f}" if gaps else "-"
        lines.append(
            f"| {suite} | {solver} | {len(members)} | {_mean(gaps)} ({len(gaps)} with a gap) "
            f"| {worst} | {valid}/{len(members)} | {served}/{len(members)} | {_mean(firsts)} |"
        )
    ratios = _peer_ratios(rows)
    if ratios:
        lines.append("")
        lines += [
            f"{suite}: {ours} / pyvrp objective, same instances and time limit, measured side "
            f"by side: mean {_mean(values)} over {len(values)} instances"
            for (suite, ours), values in sorted(ratios.items())
        ]
    return "\n".join(lines)


OURS = ("ortools", "domcare")
"""Our rows: OR-Tools alone, and domcare's default search (``benchmarks.vrptw``)."""


def _peer_ratios(rows: list[Row]) -> dict[tuple[str, str], list[float]]:
    """(suite, our solver) -> our objective over PyVRP's, per instance where both are valid."""
    by_case: dict[tuple[str, str], dict[str, Row]] = {}
    for row in rows:
        by_case.setdefault((row.suite, row.instance), {})[row.solver] = row
    ratios: dict[tuple[str, str], list[float]] = {}
    for (suite, _), solvers in by_case.items():
        peer = solvers.get("pyvrp")
        for name in OURS:
            ours = solvers.get(name)
            if ours and peer and ours.objective and peer.objective and ours.valid and peer.valid:
                ratios.setdefault((suite, name), []).append(ours.objective / peer.objective)
    return ratios


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    runner = commands.add_parser("run", help="run benchmark suites")
    runner.add_argument(
        "--suite",
        action="append",
        choices=sorted(SUITES),
        help="repeat for several (default: all; with --quick: the quick set)",
    )
    runner.add_argument("--quick", action="store_true", help="a few small cases for CI")
    runner.add_argument("--time-limit", type=float, help="seconds per case (default: suite's)")
    runner.add_argument("--out", type=Path, default=Path("bench-results/results.csv"))
    runner.add_argument("--only", help="only the instances whose name contains this")
    runner.add_argument(
        "--shard",
        type=_shard_arg,
        default=(1, 1),
        metavar="K/N",
        help="every N-th case from the K-th, to run N processes side by side",
    )
    summarise = commands.add_parser("summary", help="summarise results files")
    summarise.add_argument("files", type=Path, nargs="+", help="results CSV (JSON beside it)")
    args = parser.parse_args(argv)
    if args.command == "summary":
        print(summary(args.files))
        return 0
    names = args.suite or list(QUICK_SUITES if args.quick else SUITES)
    return run(names, args.quick, args.time_limit, args.out, args.only, args.shard)
