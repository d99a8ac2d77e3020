"""The scenarios shipped with domcare, offered by name (``small``, ``town``, ...)."""

from __future__ import annotations

from pathlib import Path

from api.schemas import ShippedScenario
from scheduler.io.scenario import read_scenario

__all__ = ["ShippedScenarios"]


class ShippedScenarios:
    """The scenario folders under ``folder`` (each with a carers.csv); described on first
    use and remembered, as they do not change while the service runs."""

    def __init__(self, folder: Path):
        self._folder = folder
        self._described: list[ShippedScenario] | None = None

    def names(self) -> list[str]:
        if not self._folder.is_dir():
            return []
        return sorted(
            path.name for path in self._folder.iterdir() if (path / "carers.csv").is_file()
        )

    def path(self, name: str) -> Path | None:
        """The folder of shipped scenario ``name``; None for any other name (never a path
        built from what a client sent)."""
        return self._folder / name if name in self.names() else None

    def describe(self) -> list[ShippedScenario]:
        if self._described is None:
            described = []
            for name in self.names():
                scenario = read_scenario(self._folder / name)
                described.append(
                    ShippedScenario(
                        name=name,
                        dates=list(scenario.dates),
                        visits=len(scenario.visits),
                        carers=len(scenario.carers),
                        clients=len(scenario.clients),
                        waiting_list=(self._folder / name / "waiting.csv").is_file(),
                    )
                )
            self._described = described
        return self._described
