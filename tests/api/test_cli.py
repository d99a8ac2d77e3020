"""``domcare keys`` and ``domcare serve`` (as ``api.cli``, until wired into scheduler.cli)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from api.cli import add_subcommands, main
from api.db import make_engine
from api.keys import KeyStore, Role


def _database(tmp_path: Path) -> list[str]:
    return ["--database", f"sqlite:///{tmp_path / 'keys.db'}"]


def test_keys_create_prints_the_key_once_and_stores_its_hash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["keys", "create", "--role", "planner", "--label", "Ards", *_database(tmp_path)]) == 0
    )
    printed = capsys.readouterr().out.splitlines()
    token = printed[-1]
    assert "keep it now, it is not shown again" in printed[0] and token.startswith("dck_")
    engine = make_engine(f"sqlite:///{tmp_path / 'keys.db'}")
    try:
        key = KeyStore(engine).find(token)
    finally:
        engine.dispose()
    assert key is not None and key.role is Role.PLANNER and key.label == "Ards"

    assert main(["keys", "list", *_database(tmp_path)]) == 0
    listed = capsys.readouterr().out
    assert f"{key.id}  planner" in listed and "active" in listed and token not in listed
    assert main(["keys", "revoke", key.id, *_database(tmp_path)]) == 0
    assert main(["keys", "revoke", key.id, *_database(tmp_path)]) == 2
    assert "no active API key" in capsys.readouterr().out


def test_keys_create_refuses_an_unknown_role(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["keys", "create", "--role", "admin", *_database(tmp_path)])


def test_serve_runs_the_app_on_the_address_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    served: dict[str, Any] = {}

    def run(app: FastAPI, host: str, port: int, log_level: str) -> None:
        served.update(app=app, host=host, port=port)

    monkeypatch.setattr("uvicorn.run", run)
    assert main(["serve", "--port", "8123", "--workers", "2", *_database(tmp_path)]) == 0
    assert isinstance(served["app"], FastAPI)
    assert (served["host"], served["port"]) == ("127.0.0.1", 8123)
    printed = capsys.readouterr().out
    assert "domcare serving at http://127.0.0.1:8123" in printed
    assert "2 worker(s)" in printed and "domcare keys create" in printed


def test_the_subcommands_fit_domcares_parser() -> None:
    """As scheduler.cli will add them: each sets ``run`` like its own subcommands."""
    parser = argparse.ArgumentParser(prog="domcare")
    add_subcommands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["keys", "create", "--role", "viewer"])
    assert args.run.__name__ == "keys_main" and args.database is None
    assert parser.parse_args(["serve"]).run.__name__ == "serve_main"
