"""Tables as people save them: a CSV file from Excel or LibreOffice, read into rows of text.

Excel saves "CSV" in the machine's code page (Windows-1252 on a UK PC) unless told to save
"CSV UTF-8", which then starts with a byte-order mark; where the decimal mark is a comma it
separates cells with semicolons; it writes dates as the locale shows them (04/12/2026), times
with seconds (08:00:00), and often rows or columns of empty cells past the data. Each of these
is read here, and what was read is said in a note (``Table.notes``), so that a coordinator
can check it. What cannot be read unambiguously is a problem located by file and row.

Rows keep the numbers a spreadsheet shows (the header is row 1), blank rows included, so that
a message points at the row the coordinator sees.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from scheduler.model.errors import InputIssue

__all__ = [
    "DateForm",
    "Table",
    "date_form",
    "decode_text",
    "parse_date",
    "parse_table",
    "table_from_records",
]

DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs"}


@dataclass
class Table:
    """One table's rows as text, keyed by normalised column name (``Earliest Start`` ->
    ``earliest_start``), with the spreadsheet row of each (or, for a JSON document, the place
    in its list) and notes on how it was read."""

    name: str
    label: str
    columns: tuple[str, ...]
    rows: list[dict[str, str]]
    numbers: list[int] = field(default_factory=list)
    json_style: bool = False
    decimal_comma: bool = False
    notes: list[InputIssue] = field(default_factory=list)

    def where(self, index: int, column: str | None) -> tuple[int | None, str | None]:
        """(row, column) of a cell as a person finds it: a spreadsheet row number, or for a
        JSON document no row and ``visits[3].latest_start`` (counting from 0)."""
        if self.json_style:
            return None, f"{self.name}[{index}]" + (f".{column}" if column else "")
        return self.numbers[index], column


def column_name(text: str) -> str:
    """A header cell as domcare names columns: ``Earliest Start`` -> ``earliest_start``."""
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def decode_text(data: bytes) -> tuple[str, str]:
    """``data`` as text, and the name of the encoding it was read in.

    UTF-8 (with or without Excel's byte-order mark) first; UTF-16 when it starts with a
    byte-order mark (Excel's "Unicode text"); otherwise Windows-1252, what Excel's plain "CSV"
    writes on a UK PC (a UTF-8 reading of it fails at the first ``£`` or ``é``), and Latin-1
    for the few bytes Windows-1252 leaves undefined."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "UTF-16"
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "Latin-1"


def _delimiter(text: str) -> str:
    """The cell separator, judged on the header: column names hold no commas, semicolons or
    tabs, whereas cells do (``07:00-11:00;16:30-22:00``), so the header cannot mislead."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    header = re.sub(r'"[^"]*"', "", header)
    counts = {delimiter: header.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def parse_table(name: str, label: str, data: bytes) -> tuple[Table | None, list[InputIssue]]:
    """The table in ``data`` (the bytes of one CSV file), or None with the problems that stop
    it being read. Notes on an encoding other than UTF-8 and a separator other than commas are
    in ``Table.notes``; blank rows and columns are left out."""
    text, encoding = decode_text(data)
    problems: list[InputIssue] = []
    notes: list[InputIssue] = []
    if encoding not in ("UTF-8", "UTF-16"):
        notes.append(
            InputIssue(
                "encoding",
                label,
                f"is not UTF-8; read as {encoding} (Excel's plain 'CSV'); check accented "
                "letters and symbols, or save as 'CSV UTF-8' next time",
            )
        )
    delimiter = _delimiter(text)
    if delimiter != ",":
        notes.append(
            InputIssue("delimiter", label, f"has cells separated by {DELIMITERS[delimiter]}")
        )
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        return None, [InputIssue("unreadable_file", label, f"cannot be read as CSV: {exc}")]
    numbered = [(number, cells) for number, cells in enumerate(records, start=1)]
    numbered = [(n, cells) for n, cells in numbered if any(cell.strip() for cell in cells)]
    if not numbered:
        return Table(name, label, (), [], [], notes=notes), problems
    (_, header), body = numbered[0], numbered[1:]
    names = [column_name(cell) for cell in header]
    # Columns with no header and no data are what a spreadsheet leaves past the last column.
    keep = [
        i
        for i, column in enumerate(names)
        if column or any(i < len(cells) and cells[i].strip() for _, cells in body)
    ]
    for i in keep:
        if not names[i]:
            problems.append(
                InputIssue(
                    "missing_column_name",
                    label,
                    f"column {_letter(i)} holds data but has no name in the header",
                    row=1,
                )
            )
    seen: set[str] = set()
    for i in keep:
        if names[i] and names[i] in seen:
            problems.append(
                InputIssue("duplicate_column", label, f"has two columns named '{names[i]}'", 1)
            )
        seen.add(names[i])
    width = len(names)
    for number, cells in body:
        extra = [cell for cell in cells[width:] if cell.strip()]
        if extra:
            problems.append(
                InputIssue(
                    "extra_cells",
                    label,
                    f"has {len(cells)} cells where the header has {width}: a cell holding "
                    f"the separator ({DELIMITERS[delimiter]}) must be quoted",
                    row=number,
                )
            )
    if problems:
        return None, problems
    columns = tuple(names[i] for i in keep)
    rows = [
        {names[i]: (cells[i].strip() if i < len(cells) else "") for i in keep} for _, cells in body
    ]
    return (
        Table(
            name,
            label,
            columns,
            rows,
            [number for number, _ in body],
            decimal_comma=delimiter == ";",
            notes=notes,
        ),
        problems,
    )


def _letter(index: int) -> str:
    """A spreadsheet's column letter: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def table_from_records(name: str, label: str, records: Sequence[dict[str, object]]) -> Table:
    """A table from a JSON document's list of objects: multi-valued fields may be lists."""
    columns: dict[str, None] = {}
    for record in records:
        columns.update((column_name(key), None) for key in record)
    rows = [{column_name(k): _text(v) for k, v in record.items()} for record in records]
    return Table(name, label, tuple(columns), rows, list(range(len(rows))), json_style=True)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ";".join(_text(item) for item in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# ---- dates -----------------------------------------------------------------------------------

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?: 00:00(?::00)?)?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EXCEL_SERIALS = range(36526, 73051)  # 2000-01-01 .. 2099-12-31 as Excel day numbers


@dataclass(frozen=True)
class DateForm:
    """How a column's dates are written: ``day_first`` for 04/12/2026 as 4 December."""

    day_first: bool = True
    note: str | None = None


def date_form(values: Iterable[str]) -> DateForm:
    """How the dates of one column are written, judged on all of them at once.

    ``2026-12-04`` is always read as such. Dates with slashes, dots or dashes (04/12/2026) are
    read day first, as in the UK, unless the column proves them month first: some value's
    second number is over 12 and no value's first number is. Either way the note says which
    form was read."""
    numeric = [m for m in map(_NUMERIC.match, (v.strip() for v in values)) if m]
    if not numeric:
        return DateForm()
    firsts = [int(m.group(1)) for m in numeric]
    seconds = [int(m.group(2)) for m in numeric]
    example = numeric[0].group(0)
    if any(second > 12 for second in seconds) and not any(first > 12 for first in firsts):
        day = _numeric_date(numeric[0], day_first=False)
        return DateForm(
            False, f"read as month/day/year (US): {example} is {_long(day)}" if day else None
        )
    day = _numeric_date(numeric[0], day_first=True)
    return DateForm(
        True, f"read as day/month/year (UK): {example} is {_long(day)}" if day else None
    )


def _long(date: dt.date) -> str:
    return f"{date.day} {date:%B %Y}"


def _numeric_date(match: re.Match[str], day_first: bool) -> dt.date | None:
    first, second, year = (int(match.group(i)) for i in (1, 2, 3))
    if year < 100:
        year += 2000
    day, month = (first, second) if day_first else (second, first)
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str, form: DateForm = DateForm()) -> dt.date:
    """A date as a spreadsheet saves one: ``2026-12-04``, ``04/12/2026`` (day first unless
    ``form`` says otherwise; also with dots or dashes, or a two-digit year), either with a
    midnight time as Excel adds (``2026-12-04 00:00:00``), or an Excel day number (46360).
    Raises ``ValueError`` with a message a coordinator understands."""
    value = text.strip()
    iso = _ISO.match(value)
    if iso:
        try:
            return dt.date(*(int(iso.group(i)) for i in (1, 2, 3)))
        except ValueError:
            raise ValueError(f"'{text}' is not a date in the calendar") from None
    numeric = _NUMERIC.match(value)
    if numeric:
        date = _numeric_date(numeric, form.day_first)
        if date is None:
            order = "day/month/year" if form.day_first else "month/day/year"
            raise ValueError(f"'{text}' is not a date in the calendar (read as {order})")
        return date
    if value.isdigit() and int(value) in _EXCEL_SERIALS:
        return _EXCEL_EPOCH + dt.timedelta(days=int(value))
    raise ValueError(f"'{text}' is not a date: write 2026-12-04 or 04/12/2026")


def date_parser(values: Iterable[str]) -> tuple[Callable[[str], dt.date], str | None]:
    """A parser for one column's dates, and the note saying how they were read."""
    form = date_form(values)
    return (lambda text: parse_date(text, form)), form.note
