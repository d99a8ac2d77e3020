"""``domcare serve`` and ``domcare keys``: the service from the command line.

``add_subcommands`` adds both to domcare's parser (``scheduler.cli``); each sets ``run`` to a
function of ``(args, console)`` returning the exit status, as the other subcommands do.
``python -m api.cli`` runs them alone.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError
from rich.console import Console

from api.config import ENV_PREFIX, ServiceSettings
from scheduler.model.errors import DomcareError

__all__ = ["add_subcommands", "keys_main", "main", "serve_main"]

ROLES = ("viewer", "coordinator", "planner")


_OPTIONS = {
    "database_url": "--database",
    "workers": "--workers",
    "queue_size": "--queue-size",
    "osm_extract": "--osm-extract",
}
"""The settings ``serve`` also takes as options, to name them in an error."""


def _settings(args: argparse.Namespace, **given: object) -> ServiceSettings:
    """The settings from the environment with the options given over them; a bad one is a
    sentence naming its variable (and option), never a traceback."""
    try:
        return ServiceSettings.from_env(database_url=args.database, **given)
    except ValidationError as exc:
        said = []
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else ""
            where = ENV_PREFIX + name.upper()
            if name in _OPTIONS:
                where += f" (or {_OPTIONS[name]})"
            said.append(f"{where}: {error['msg'].removeprefix('Value error, ')}")
        raise DomcareError("the service's settings are not valid: " + "; ".join(said)) from None


def _shown(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def serve_main(args: argparse.Namespace, console: Console) -> int:
    """Run the service on ``args.host:args.port`` until stopped (Ctrl-C). Jobs left running
    by a previous run are queued again as it starts."""
    import uvicorn

    from api.db import make_engine
    from api.keys import KeyStore
    from api.main import create_app

    settings = _settings(
        args, workers=args.workers, queue_size=args.queue_size, osm_extract=args.osm_extract
    )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    engine = make_engine(settings.database_url)
    try:
        has_keys = bool(KeyStore(engine).all())
    finally:
        engine.dispose()
    address = f"http://{args.host}:{args.port}"
    console.print(
        f"domcare serving at {address}  (API documentation: {address}/docs)", soft_wrap=True
    )
    console.print(
        f"database: {_shown(settings.database_url)}; {settings.workers} worker(s)", soft_wrap=True
    )
    if settings.osm_extract is not None:
        console.print(
            f"road travel: on request, on the roads of {settings.osm_extract}",
            soft_wrap=True,
            markup=False,
        )
    if not has_keys:
        console.print(
            "No API keys yet: make one with `domcare keys create --role coordinator`",
            markup=False,
        )
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info")
    return 0


def keys_main(args: argparse.Namespace, console: Console) -> int:
    """``keys create`` prints the new key once; ``keys list``; ``keys revoke ID``."""
    from api.db import make_engine
    from api.keys import KeyStore, Role

    settings = _settings(args)
    engine = make_engine(settings.database_url)
    try:
        keys = KeyStore(engine)
        if args.keys_command == "create":
            key, token = keys.create(Role(args.role), args.label)
            console.print(
                f"API key {key.id} ({key.role.value}) made: keep it now, it is not shown again"
            )
            console.print(token, markup=False, highlight=False)
            return 0
        if args.keys_command == "list":
            for key in keys.all():
                state = "revoked" if key.revoked else "active"
                console.print(
                    f"{key.id}  {key.role.value:<11}  {state:<7}  "
                    f"{key.created_at:%Y-%m-%d %H:%M}  {key.label}",
                    markup=False,
                )
            return 0
        if keys.revoke(args.key_id):
            console.print(f"API key {args.key_id} revoked")
            return 0
        console.print(f"no active API key has the id {args.key_id}", markup=False)
        return 2
    finally:
        engine.dispose()


def add_subcommands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``serve`` and ``keys`` to a parser's subcommands."""
    database = argparse.ArgumentParser(add_help=False)
    database.add_argument(
        "--database",
        metavar="URL",
        help="SQLAlchemy URL of the job store (default: $DOMCARE_DATABASE_URL, else an "
        "SQLite file in ~/.local/share/domcare)",
    )

    serve = commands.add_parser(
        "serve", parents=[database], help="run the web service (API) on this machine"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (8000)")
    serve.add_argument("--workers", type=int, help="processes solving side by side (1)")
    serve.add_argument("--queue-size", type=int, help="most jobs waiting or running (16)")
    serve.add_argument(
        "--osm-extract",
        type=Path,
        metavar="EXTRACT.osm.pbf",
        help="an OpenStreetMap extract whose roads rotas may be timed on (travel: road; "
        "default: $DOMCARE_OSM_EXTRACT, else none: straight lines only)",
    )
    serve.set_defaults(run=serve_main)

    keys = commands.add_parser("keys", help="make, list and revoke the service's API keys")
    actions = keys.add_subparsers(dest="keys_command", required=True)
    create = actions.add_parser("create", parents=[database], help="make a key (shown once)")
    create.add_argument(
        "--role",
        choices=ROLES,
        required=True,
        help="viewer reads; coordinator also requests rotas; planner also compares",
    )
    create.add_argument("--label", default="", help="whose key it is, for the list")
    actions.add_parser("list", parents=[database], help="every key, without its secret")
    revoke = actions.add_parser("revoke", parents=[database], help="revoke a key by its id")
    revoke.add_argument("key_id")
    keys.set_defaults(run=keys_main)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.cli")
    add_subcommands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        return int(args.run(args, Console(highlight=False)))
    except DomcareError as exc:  # as domcare's own command line says it: no traceback
        Console(stderr=True, highlight=False).print(str(exc), markup=False)
        return 2


if __name__ == "__main__":
    sys.exit(main())
