"""One base error for domcare, and the input error that carries every issue found."""

from __future__ import annotations

from dataclasses import dataclass

from scheduler.model.codes import InputCode

__all__ = ["DomcareError", "InputError", "InputIssue"]


class DomcareError(Exception):
    """Base of every error domcare raises on purpose; the CLI prints these without a traceback."""


@dataclass(frozen=True)
class InputIssue:
    """One problem in the input, located for a person: file, row (as a spreadsheet shows it),
    column, and a short code a program can match on."""

    code: InputCode
    file: str
    message: str
    row: int | None = None
    column: str | None = None

    @property
    def where(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return " ".join(parts)

    def __str__(self) -> str:
        return f"{self.where}: {self.message} [{self.code}]"


class InputError(DomcareError):
    """Bad input: raised once, after reading everything, with all the issues found."""

    def __init__(self, issues: list[InputIssue]):
        self.issues = list(issues)
        count = len(self.issues)
        head = f"{count} problem{'s' if count != 1 else ''} in the input"
        super().__init__(head + ":\n" + "\n".join(f"  {issue}" for issue in self.issues))
