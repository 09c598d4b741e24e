"""`ndjson`: one flat JSON object per citation (see `rows`), one per line, UTF-8.

Keys in `rows.COLUMNS` order; numbers are JSON numbers, booleans JSON booleans, missing values
`null`. Loads as one row per citation in DuckDB (`read_json_auto`), pandas
(`read_json(lines=True)`), BigQuery and `jq`. Written link by link, never held whole.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from linkcheck.formats.rows import COLUMNS, iter_rows
from linkcheck.models import Report

if TYPE_CHECKING:
    from linkcheck.formats.registry import RenderOptions

__all__ = ["NDJSON", "dumps_utf8", "write"]

_NAMES = tuple(c.name for c in COLUMNS)
_SURROGATE = re.compile("[\ud800-\udfff]")
_UTF8 = json.JSONEncoder(ensure_ascii=False)  # one encoder: json.dumps(**kw) makes one per call
_ASCII = json.JSONEncoder(ensure_ascii=True)


def dumps_utf8(value: object) -> str:
    """Compact JSON on one line, non-ASCII characters kept as they are. A lone surrogate (an
    undecodable file name) cannot be UTF-8: then the whole value is written \\u-escaped, as
    the JSON report does, so the text is valid JSON that reads back the same."""
    text = _UTF8.encode(value)
    if not text.isascii() and _SURROGATE.search(text):
        text = _ASCII.encode(value)
    return text


def write(report: Report, stream: TextIO) -> None:
    for values in iter_rows(report):
        stream.write(dumps_utf8(dict(zip(_NAMES, values, strict=True))))
        stream.write("\n")


@dataclass(frozen=True, slots=True)
class _Ndjson:
    name: str = "ndjson"
    description: str = "one JSON object per link citation, one per line (DuckDB, pandas, jq)"
    default_path: str | None = "linkcheck-links.ndjson"

    def write(self, report: Report, stream: TextIO, *, options: RenderOptions) -> None:
        write(report, stream)


NDJSON = _Ndjson()
