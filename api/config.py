"""The service's own settings: where jobs are stored, how many run, and the limits on a request.

Distinct from ``scheduler.model.settings.Settings`` (the weights of one solve, chosen per request):
these are chosen by whoever runs the service, from the environment (``DOMCARE_*``) or in code.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from scheduler.io.shipped import shipped_folder

__all__ = ["ENV_PREFIX", "ServiceSettings", "SweepPlace", "default_database_url"]

ENV_PREFIX = "DOMCARE_"
MIB = 1024 * 1024


def default_database_url() -> str:
    """An SQLite file in the user's data folder (``$XDG_DATA_HOME/domcare``), so that
    ``domcare serve`` and ``domcare keys create`` find the same one from any folder."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return f"sqlite:///{Path(base) / 'domcare' / 'domcare.db'}"


class ServiceSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    database_url: str = Field(
        default_factory=default_database_url,
        description="SQLAlchemy URL: an SQLite file by default, or "
        "postgresql+psycopg://user:password@host/db",
    )
    workers: int = Field(
        default=1, ge=1, description="processes solving jobs side by side (one job each)"
    )
    queue_size: int = Field(
        default=16, ge=1, description="most jobs waiting or running at once; more answer 429"
    )
    max_request_bytes: int = Field(
        default=20 * MIB, ge=1024, description="largest request body; larger answer 413"
    )
    max_visits: int = Field(
        default=2000, ge=1, description="most visits in one scenario; more answer 422"
    )
    max_time_limit_s: float = Field(
        default=600.0, gt=0, description="longest time limit a request may ask for, a day"
    )
    max_whatif_variations: int = Field(
        default=50,
        ge=1,
        description="most variations in one what-if sweep, the base included; more answer 422",
    )
    max_whatif_search_s: float = Field(
        default=3600.0,
        gt=0,
        description="most seconds of search one what-if sweep may ask for: each variation's "
        "time limit x its dates (x 3 rounds with the waiting list); more answer 422",
    )
    whatif_workers: int = Field(
        default=1,
        ge=1,
        description="processes a what-if job plans its variations in, side by side (1: one "
        "after another in the job's own worker)",
    )
    dask_address: str | None = Field(
        default=None,
        description="a Dask scheduler (tcp://host:8786, or local for a LocalCluster) that "
        "what-if jobs plan their variations on, instead of local processes",
    )
    lease_s: float = Field(
        default=60.0,
        gt=0,
        le=3600,
        description="how long a server holds a job without renewing its lease (it renews "
        "every quarter of it); a job whose server stopped is taken over by another server "
        "on the same database that long after",
    )
    progress_interval_s: float = Field(
        default=1.0, gt=0, description="least time between two progress writes of a job"
    )
    scenarios_dir: Path = Field(
        default_factory=lambda: shipped_folder() or Path("scenarios"),
        description="the shipped scenarios offered by GET /v1/scenarios",
    )
    osm_extract: Path | None = Field(
        default=None,
        description="an OpenStreetMap extract (.osm.pbf) of the area served: rota requests may "
        "then ask for travel timed on its roads (travel: road); its graphs are cached beside "
        "it, in <extract>.domcare, when that folder can be written",
    )

    @field_validator("osm_extract", mode="before")
    @classmethod
    def _blank_is_none(cls, extract: object) -> object:
        """``DOMCARE_OSM_EXTRACT=`` (set but empty) means no extract, as a shell user means it."""
        return None if isinstance(extract, str) and not extract.strip() else extract

    @field_validator("osm_extract")
    @classmethod
    def _readable(cls, extract: Path | None) -> Path | None:
        """A service that would fail every road request is refused as it starts. Absolute,
        as the workers read it wherever they run."""
        if extract is None:
            return None
        extract = extract.expanduser().resolve()
        if not extract.is_file():
            raise ValueError(f"no file {extract}: give the path of an .osm.pbf extract")
        if not os.access(extract, os.R_OK):
            raise ValueError(f"{extract} cannot be read by this user")
        return extract

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, /, **given: object
    ) -> ServiceSettings:
        """Settings from ``DOMCARE_<FIELD>`` variables (``DOMCARE_DATABASE_URL``,
        ``DOMCARE_QUEUE_SIZE``, ...); keywords given here win over the environment."""
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {
            name: environ[ENV_PREFIX + name.upper()]
            for name in cls.model_fields
            if ENV_PREFIX + name.upper() in environ
        }
        values.update({name: value for name, value in given.items() if value is not None})
        return cls.model_validate(values)


@dataclass(frozen=True)
class SweepPlace:
    """Where a what-if job plans its variations: the service's choice (``whatif_workers``,
    ``dask_address``), never the request's. More than one worker is a process pool inside
    the job's worker process (its workers are not daemons, so it may have one)."""

    workers: int = 1
    dask: str | None = None
    scenarios: Path | None = None
    """The service's shipped scenarios (None: domcare's own)."""
