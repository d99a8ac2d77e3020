"""Travel times from a user's own matrix file (for instance exported from a road router).

The file is CSV with columns ``from``, ``to``, ``minutes``, ``metres`` and optionally ``mode``
(car, walk or bike; rows without a mode serve every mode). Places are named by their key:
a client id or a carer id (the carer's home). A leg from a place to itself is zero.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from routing.travel import Place, TravelMatrix

__all__ = ["MatrixFileError", "MatrixFileTravel"]


class MatrixFileError(ValueError):
    """The matrix file is unreadable or lacks a leg; the message names the file, row or pair."""


class MatrixFileTravel:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._legs = self._read(self.path)

    @staticmethod
    def _read(path: Path) -> dict[tuple[str, str, str], tuple[int, int]]:
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        except (OSError, ValueError) as exc:
            raise MatrixFileError(f"{path.name}: cannot be read ({exc})") from exc
        missing = {"from", "to", "minutes", "metres"} - set(frame.columns)
        if missing:
            raise MatrixFileError(f"{path.name}: missing column(s) {', '.join(sorted(missing))}")
        legs: dict[tuple[str, str, str], tuple[int, int]] = {}
        has_mode = "mode" in frame.columns
        for offset, row in enumerate(frame.to_dict("records")):
            line = offset + 2
            try:
                minutes = int(row["minutes"])
                metres = int(row["metres"])
            except ValueError:
                raise MatrixFileError(
                    f"{path.name} row {line}: minutes and metres must be whole numbers"
                ) from None
            if minutes < 0 or metres < 0:
                raise MatrixFileError(f"{path.name} row {line}: negative travel")
            mode = (row["mode"].strip() if has_mode else "") or "*"
            legs[(row["from"].strip(), row["to"].strip(), mode)] = (minutes, metres)
        return legs

    def matrix(self, places: list[Place], mode: str) -> TravelMatrix:
        size = len(places)
        minutes = np.zeros((size, size), dtype=np.int64)
        metres = np.zeros((size, size), dtype=np.int64)
        absent: list[str] = []
        for i, origin in enumerate(places):
            for j, destination in enumerate(places):
                if i == j or origin.key == destination.key:
                    continue
                leg = self._legs.get((origin.key, destination.key, mode)) or self._legs.get(
                    (origin.key, destination.key, "*")
                )
                if leg is None:
                    absent.append(f"{origin.key}->{destination.key}")
                    continue
                minutes[i, j], metres[i, j] = leg
        if absent:
            shown = ", ".join(absent[:5]) + (" ..." if len(absent) > 5 else "")
            raise MatrixFileError(
                f"{self.path.name}: {len(absent)} leg(s) missing for mode {mode}: {shown}"
            )
        return TravelMatrix(minutes=minutes, metres=metres)
