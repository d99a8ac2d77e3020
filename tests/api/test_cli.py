"""``domcare keys`` and ``domcare serve`` (as ``api.cli``, until wired into scheduler.cli)."""

from __future__ import annotations

import argparse
import errno
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from api.cli import add_subcommands, main
from api.db import make_engine
from api.keys import KeyStore, Role
from scheduler.cli import main as domcare


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


def _unwrapped(text: str) -> str:
    """``text`` without its whitespace: the console wraps long paths for the terminal."""
    return "".join(text.split())


def test_serve_on_a_folder_it_cannot_write_says_where_and_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A data folder that cannot be made (here under a file: root may write anywhere else)."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    database = blocker / "domcare" / "domcare.db"
    assert domcare(["serve", "--database", f"sqlite:///{database}"]) == 2
    said = capsys.readouterr()
    err = _unwrapped(said.err)
    assert _unwrapped(f"file {database}:") in err
    assert _unwrapped(f"Its folder {database.parent} must be a folder this user can") in err
    assert _unwrapped("--database sqlite:////path/to/domcare.db") in err
    assert "Traceback" not in said.err + said.out


def test_a_read_only_data_folder_is_said_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As a read-only folder answers a user who is not root."""

    def read_only(*_args: Any, **_kwargs: Any) -> int:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr("api.db.os.open", read_only)
    database = tmp_path / "domcare.db"
    assert main(["keys", "list", "--database", f"sqlite:///{database}"]) == 2
    said = _unwrapped(capsys.readouterr().err)
    assert _unwrapped(f"the database file {database}: Permission denied") in said


def test_sqlite_unable_to_open_the_file_is_said_with_its_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite's own 'unable to open database file' (its folder gone read-only after the file
    was made, say), named with the path."""
    monkeypatch.setattr("api.db._private_sqlite_file", lambda _path: None)
    database = tmp_path / "a-folder"
    database.mkdir()
    assert domcare(["serve", "--database", f"sqlite:///{database}"]) == 2
    said = _unwrapped(capsys.readouterr().err)
    assert _unwrapped(f"{database}: unable to open database file") in said
    assert "Traceback" not in said


def test_the_database_and_its_folder_are_the_owners_alone(tmp_path: Path) -> None:
    database = tmp_path / "data" / "domcare" / "domcare.db"
    engine = make_engine(f"sqlite:///{database}")
    try:
        KeyStore(engine).create(Role.VIEWER)  # a write: the journal files exist now
        assert stat.S_IMODE(database.stat().st_mode) == 0o600
        journal = database.with_name("domcare.db-wal")
        assert journal.exists() and stat.S_IMODE(journal.stat().st_mode) == 0o600
    finally:
        engine.dispose()
    for folder in (database.parent, database.parent.parent):  # both made here
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_an_existing_database_file_is_made_private(tmp_path: Path) -> None:
    database = tmp_path / "domcare.db"
    database.touch(mode=0o644)
    os.chmod(database, 0o644)
    make_engine(f"sqlite:///{database}").dispose()
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
