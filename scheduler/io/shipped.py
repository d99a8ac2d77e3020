"""Where the shipped scenarios are: the one place that says so.

The scenarios package (data and generator) registers its folder under the ``domcare.scenarios``
entry point, so the domain finds the shipped days without importing the code that generates
them; an installation without that package simply has none.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points
from pathlib import Path

__all__ = ["GROUP", "shipped", "shipped_folder"]

GROUP = "domcare.scenarios"


@cache
def shipped_folder() -> Path | None:
    """The folder of the shipped scenarios (``small``, ``town``, ``whatif/``), or None."""
    for point in entry_points(group=GROUP):
        folder = Path(point.load()())
        if folder.is_dir():
            return folder
    return None


def shipped(name: str) -> Path | None:
    """A shipped scenario (or what-if spec, ``whatif/small.yaml``) by name, if there is one."""
    folder = shipped_folder()
    if folder is None:
        return None
    path = folder / name
    return path if path.exists() else None
