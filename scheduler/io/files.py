"""Writing output files whole or not at all."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

__all__ = ["write_files", "write_text_atomic"]

_READABLE = 0o644


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder, so a reader
    (or a crash) never sees half a rota."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.chmod(temporary, _READABLE)  # mkstemp makes it private; a rota is for sharing
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_files(folder: Path, files: Iterable[tuple[str, str]]) -> list[Path]:
    """Write each (path inside ``folder``, text), each file whole or not at all; returns the
    paths written, in order."""
    written = []
    for name, text in files:
        path = Path(folder) / name
        write_text_atomic(path, text)
        written.append(path)
    return written
