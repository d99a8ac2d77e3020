"""The service's settings come from DOMCARE_* variables; what is given in code wins."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from api.config import ServiceSettings, default_database_url


def test_settings_from_the_environment_and_given() -> None:
    environ = {"DOMCARE_DATABASE_URL": "sqlite:////srv/domcare.db", "DOMCARE_QUEUE_SIZE": "4"}
    settings = ServiceSettings.from_env(environ, queue_size=None, workers=2)
    assert settings.database_url == "sqlite:////srv/domcare.db"
    assert (settings.queue_size, settings.workers) == (4, 2)
    assert ServiceSettings.from_env(environ, queue_size=9).queue_size == 9


def test_a_bad_variable_is_refused() -> None:
    with pytest.raises(ValidationError):
        ServiceSettings.from_env({"DOMCARE_MAX_VISITS": "0"})


def test_the_default_database_is_a_file_in_the_users_data_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_database_url() == f"sqlite:///{tmp_path / 'domcare' / 'domcare.db'}"
    assert ServiceSettings.from_env({}).database_url == default_database_url()
