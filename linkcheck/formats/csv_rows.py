"""`csv`: the citation rows of `rows` as CSV (RFC 4180: comma, double quotes, CRLF, a header
row; UTF-8 without a byte-order mark). Empty cell = null; booleans are `true`/`false`.

Spreadsheet formula injection: a text cell that starts with `=`, `+`, `-`, `@`, a tab or a
carriage return is written with a leading `'` (OWASP's advice), so a title such as
`=HYPERLINK(...)` from an article cannot run as a formula when the file is opened in a
spreadsheet. Number and boolean columns are never touched. The cost: such a cell reads back
with the `'` in DuckDB or pandas (real URLs start with a scheme, so URLs are unaffected).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from linkcheck.formats.rows import COLUMNS, iter_rows
from linkcheck.models import Report

if TYPE_CHECKING:
    from linkcheck.formats.registry import RenderOptions

__all__ = ["CSV", "cell", "write"]

_FORMULA_START = frozenset("=+-@\t\r")


def cell(value: object) -> object:
    """One CSV cell: None (an empty cell), true/false, an int, or text guarded against
    formulas. (csv.writer writes None as an empty cell and ints as digits itself.)"""
    if type(value) is str:
        if "\x00" in value:
            value = value.replace("\x00", "\\x00")  # a NUL byte makes CSV readers fail
        return "'" + value if value[:1] in _FORMULA_START else value
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None or type(value) is int:
        return value
    return cell(str(value))


def write(report: Report, stream: TextIO) -> None:
    out = csv.writer(stream, dialect="excel", lineterminator="\r\n")  # RFC 4180 quoting
    out.writerow([c.name for c in COLUMNS])
    for values in iter_rows(report):
        out.writerow([cell(v) for v in values])


@dataclass(frozen=True, slots=True)
class _Csv:
    name: str = "csv"
    description: str = "the ndjson rows as CSV with a header row (spreadsheets, COPY, pandas)"
    default_path: str | None = "linkcheck-links.csv"

    def write(self, report: Report, stream: TextIO, *, options: RenderOptions) -> None:
        write(report, stream)


CSV = _Csv()
