"""``domcare generate``: a realistic generated scenario, added to domcare's commands through the
``domcare.commands`` entry point (the domain's command line does not import the generator)."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

__all__ = ["add_subcommands"]


def _generate(args: argparse.Namespace, console: Console) -> int:
    from scenarios.generator import write_generated

    scenario = write_generated(args.visits, args.carers, args.seed, args.out, args.days)
    console.print(
        f"Wrote {args.out}: {len(scenario.visits)} visits, {len(scenario.clients)} clients, "
        f"{len(scenario.carers)} carers"
    )
    return 0


def add_subcommands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``generate`` to a parser's subcommands."""
    generate = commands.add_parser("generate", help="write a realistic generated scenario")
    generate.add_argument("out", type=Path)
    generate.add_argument("--visits", type=int, required=True)
    generate.add_argument("--carers", type=int, help="default: enough for the day")
    generate.add_argument("--seed", type=int, default=0)
    generate.add_argument(
        "--days", type=int, default=1, help="several days of the same care packages (a week)"
    )
    generate.set_defaults(run=_generate)
