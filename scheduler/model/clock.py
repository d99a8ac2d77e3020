"""Local clock times (Europe/London) as whole minutes after midnight.

Rotas are planned to the minute, so every time in the domain is an ``int`` of
minutes; ``HH:MM`` strings exist only at the edges (files, maps, terminal).
"""

from __future__ import annotations

import re

__all__ = ["MINUTES_PER_DAY", "format_clock", "parse_clock"]

MINUTES_PER_DAY = 24 * 60
_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp]\.?[Mm]\.?)?\s*$")


def parse_clock(text: str) -> int:
    """Parse ``HH:MM`` (00:00 to 24:00) into minutes after midnight; also as spreadsheets
    save times, with seconds (``08:00:00``) or the 12-hour clock (``8:00 AM``).

    Raises ``ValueError`` with a message a coordinator understands; a time with seconds other
    than 00 is refused rather than rounded, as rotas are planned to the minute.
    """
    match = _CLOCK.match(text)
    if not match:
        raise ValueError(f"'{text}' is not a clock time HH:MM")
    hours, minutes = int(match.group(1)), int(match.group(2))
    seconds, half = match.group(3), (match.group(4) or "").replace(".", "").lower()
    if seconds is not None and int(seconds) != 0:
        raise ValueError(f"'{text}' has seconds; give the time to the minute, HH:MM")
    if half:
        if not 1 <= hours <= 12 or minutes > 59:
            raise ValueError(f"'{text}' is not a clock time (12-hour clock: 1:00 to 12:59)")
        hours = hours % 12 + (12 if half == "pm" else 0)
    if minutes > 59 or hours > 24 or (hours == 24 and minutes > 0):
        raise ValueError(f"'{text}' is not a clock time between 00:00 and 24:00")
    return hours * 60 + minutes


def format_clock(minutes: int) -> str:
    """Format minutes after midnight as ``HH:MM``."""
    hours, mins = divmod(int(minutes), 60)
    return f"{hours:02d}:{mins:02d}"


def format_windows(windows: tuple[tuple[int, int], ...]) -> str:
    """Start windows as ``08:00-09:00 or 14:00-15:00``."""
    return " or ".join(f"{format_clock(a)}-{format_clock(b)}" for a, b in windows)
