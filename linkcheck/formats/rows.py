"""Flat occurrence rows: one row per citation of a link (link x article x field).

The shape dashboards, warehouses and spreadsheets want (DuckDB, BigQuery, Postgres `COPY`,
pandas): `ndjson` and `csv` write these rows, and the CI formats pick their broken citations
from the same helpers. Rows are made one link at a time (`iter_rows` is a generator), so a
report of 100,000 links is never held as rows.

Columns (`COLUMNS`, in this order, stable; typed: a column is always its type or null):

    link_id, url, host, kind, outcome, reason, severity, http_status, final_url, redirects,
    permanent_redirect, source_outcome, file, field, line, article_key, title, text,
    declared_width, declared_height, real_width, real_height, image_format, matches,
    aspect_ratio_matches, size_problem, checked_at, cached, history_status, failing_runs,
    attempts, elapsed_ms, detail

The link's columns repeat on each of its rows; a link with no recorded citation still gets one
row (its source columns null), so no link is ever lost. `real_width`/`real_height` are the
image's DISPLAYED size (after EXIF orientation or HEIF `irot`): the size a declared size is
compared with; equal to the stored size when the image is not rotated.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import Enum
from urllib.parse import urlsplit

from linkcheck.models import CheckResult, Occurrence, Outcome, Reason, Report
from linkcheck.report import explain, is_image_link
from linkcheck.report.triage import Severity, permanent_redirect, severity, source_outcome

__all__ = [
    "COLUMNS",
    "Column",
    "flagged",
    "elapsed_ms",
    "flagged_occurrences",
    "host_label",
    "iter_rows",
    "row_values",
    "urgency_key",
]


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str  # "string", "integer" or "boolean" (any column may be null)
    help: str


COLUMNS: tuple[Column, ...] = (
    Column("link_id", "string", "stable id of the normalised URL (the JSON report's links[].id)"),
    Column("url", "string", "the normalised URL that was checked"),
    Column("host", "string", "host[:port] of the URL (null when it has none: mailto:, ...)"),
    Column("kind", "string", "page, amp, amp_cache, image or other"),
    Column("outcome", "string", "the link's outcome: ok, broken, warning or skipped"),
    Column("reason", "string", "why it is not ok (the report's reason vocabulary), else null"),
    Column("severity", "string", "critical, high, medium, low or none (report.triage)"),
    Column("http_status", "integer", "final HTTP status after redirects"),
    Column("final_url", "string", "where the redirects ended"),
    Column("redirects", "integer", "number of redirect hops followed"),
    Column("permanent_redirect", "string", "the URL to write instead (301/308 chain), else null"),
    Column("source_outcome", "string", "this citation's outcome (size verdicts are per article)"),
    Column("file", "string", "the article file, as found under the input paths"),
    Column("field", "string", 'the field path ("webUrl", "images[0].url") or "body"'),
    Column("line", "integer", "1-based line in the file, when known"),
    Column("article_key", "string", "the article's key (front matter id/uuid, else webUrl)"),
    Column("title", "string", "the article's title"),
    Column("text", "string", "the URL as written in the article"),
    Column("declared_width", "integer", "image width the article declares (null if invalid)"),
    Column("declared_height", "integer", "image height the article declares (null if invalid)"),
    Column("real_width", "integer", "the image's displayed width (after EXIF/irot rotation)"),
    Column("real_height", "integer", "the image's displayed height (after EXIF/irot rotation)"),
    Column("image_format", "string", "jpeg, png, gif, webp, avif, heic, bmp, tiff, ico or svg"),
    Column("matches", "boolean", "this citation's declared size matches the real one"),
    Column("aspect_ratio_matches", "boolean", "same aspect ratio (a resized copy) or not"),
    Column("size_problem", "string", "why the declared size is invalid, if it is"),
    Column("checked_at", "string", "ISO-8601 UTC time of the verdict (older when cached)"),
    Column("cached", "boolean", "the verdict was reused from the state store"),
    Column("history_status", "string", "new, ok, newly_broken, still_broken, fixed, flapping"),
    Column("failing_runs", "integer", "runs in a row this link has been broken"),
    Column("attempts", "integer", "requests made for the URL (retries included)"),
    Column("elapsed_ms", "integer", "time spent checking the URL, all attempts"),
    Column("detail", "string", "the explanation for people"),
)

_NAMES = tuple(c.name for c in COLUMNS)
_SEVERITY_RANK = {s.value: i for i, s in enumerate(Severity)}


def _value(x: object) -> object:
    return x.value if isinstance(x, Enum) else x


def _str(x: object) -> str | None:
    if x is None or type(x) is str:
        return x
    if isinstance(x, Enum):
        x = x._value_
    if isinstance(x, str):
        return x
    try:
        return str(x)
    except Exception:  # noqa: BLE001 - a hostile __str__ must not break a report
        return f"<unprintable {type(x).__name__}>"


def _int(x: object) -> int | None:
    if isinstance(x, bool):
        return None
    if isinstance(x, int):
        return x
    if isinstance(x, float) and math.isfinite(x) and x == int(x):
        return int(x)
    return None


def _bool(x: object) -> bool | None:
    return x if isinstance(x, bool) else None


_DEFAULT_PORTS = {"http": 80, "https": 443}


def host_label(url: str) -> str | None:
    """host[:port] of an http(s) URL, spelled as the per-host statistics spell it (lower case,
    the port only when it is not the scheme's default); None for other URLs. Plain urllib:
    the formats do not import the network stack (`linkcheck --help` stays instant)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    default = _DEFAULT_PORTS.get(parts.scheme.lower())
    host = parts.hostname
    if default is None or not host:
        return None
    if ":" in host:
        host = f"[{host}]"
    return host if port is None or port == default else f"{host}:{port}"


def _link_values(result: CheckResult) -> dict[str, object]:
    """The columns every row of this link shares."""
    url = _str(result.link.url) or ""
    probe = result.image if is_image_link(result) else None
    history = result.history
    real_w = real_h = None
    if probe is not None:
        real_w, real_h = _int(probe.displayed_width), _int(probe.displayed_height)
        if real_w is None and real_h is None:
            real_w, real_h = _int(probe.width), _int(probe.height)
    return {
        "link_id": result.id,
        "url": url,
        "host": host_label(url),
        "kind": _str(result.link.kind),
        "outcome": _str(result.outcome),
        "reason": _str(result.reason),
        "severity": _str(severity(result)),
        "http_status": _int(result.http_status),
        "final_url": _str(result.final_url),
        "redirects": len(result.redirects),
        "permanent_redirect": _str(permanent_redirect(result)),
        "real_width": real_w,
        "real_height": real_h,
        "image_format": _str(probe.format) if probe is not None else None,
        "checked_at": _str(result.checked_at),
        "cached": bool(result.cached),
        "history_status": _str(history.status) if history is not None else None,
        "failing_runs": _int(history.failing_runs) if history is not None else None,
        "attempts": _int(result.attempts),
        "elapsed_ms": elapsed_ms(result.elapsed),
        "detail": explain(result) or None,
    }


def elapsed_ms(seconds: object) -> int | None:
    """Milliseconds, computed as the JSON report's `elapsed_ms` is (so a format rendered from
    a saved report says the same as one written by the run)."""
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        return None
    return round(round(seconds, 6) * 1000) if math.isfinite(seconds) else None


_SOURCE_NAMES = (
    "source_outcome",
    "file",
    "field",
    "line",
    "article_key",
    "title",
    "text",
    "declared_width",
    "declared_height",
    "matches",
    "aspect_ratio_matches",
    "size_problem",
)
_INDEX = {name: i for i, name in enumerate(_NAMES)}
_SOURCE_POSITIONS = tuple(_INDEX[name] for name in _SOURCE_NAMES)
_NO_SOURCE = (None,) * (len(_SOURCE_NAMES) - 1)


def _source_values(result: CheckResult, occurrence: Occurrence | None) -> tuple[object, ...]:
    """The citation's own columns, in `_SOURCE_NAMES` order."""
    if occurrence is None:
        return (_str(result.outcome), *_NO_SOURCE)
    s = occurrence.source
    verdict = occurrence.verdict
    declared_w = declared_h = None
    if verdict is not None:
        declared_w, declared_h = _int(verdict.declared_width), _int(verdict.declared_height)
    elif occurrence.declared is not None:
        declared_w, declared_h = _int(occurrence.declared.width), _int(occurrence.declared.height)
    return (
        _str(source_outcome(result, occurrence)),
        _str(s.file),
        _str(s.field),
        _int(s.line),
        _str(s.article_key),
        _str(s.title),
        _str(occurrence.text),
        declared_w,
        declared_h,
        _bool(verdict.matches) if verdict is not None else None,
        _bool(verdict.aspect_ratio_matches) if verdict is not None else None,
        _str(verdict.problem) if verdict is not None else None,
    )


def _link_row(result: CheckResult) -> list[object]:
    row: list[object] = [None] * len(_NAMES)
    for name, value in _link_values(result).items():
        row[_INDEX[name]] = value
    return row


def _with_source(row: list[object], values: tuple[object, ...]) -> tuple[object, ...]:
    out = row.copy()
    for position, value in zip(_SOURCE_POSITIONS, values, strict=True):
        out[position] = value
    return tuple(out)


def row_values(result: CheckResult, occurrence: Occurrence | None) -> tuple[object, ...]:
    """One row, values in `COLUMNS` order (str, int, bool or None)."""
    return _with_source(_link_row(result), _source_values(result, occurrence))


def iter_rows(report: Report) -> Iterator[tuple[object, ...]]:
    """Every row of the report, link by link (report order), citations in report order."""
    for result in report.results:
        shared = _link_row(result)
        for occurrence in result.link.occurrences or (None,):
            yield _with_source(shared, _source_values(result, occurrence))


# --------------------------------------------------------------------------- what CI flags


def urgency_key(result: CheckResult) -> tuple[int, str]:
    """Sort key: most urgent severity first, then by URL."""
    return (_SEVERITY_RANK.get(str(_value(severity(result))), len(_SEVERITY_RANK)), result.link.url)


def flagged(report: Report, outcomes: Iterable[Outcome] = (Outcome.BROKEN,)) -> list[CheckResult]:
    """The results with one of `outcomes`, most urgent first (references, not copies)."""
    wanted = set(outcomes)
    return sorted((r for r in report.results if r.outcome in wanted), key=urgency_key)


def flagged_occurrences(result: CheckResult) -> tuple[Occurrence, ...]:
    """The citations of a flagged result that carry the problem: for a size mismatch only the
    citations whose declared size is wrong (the others are fine), otherwise all of them."""
    occurrences = result.link.occurrences
    if result.reason is Reason.IMAGE_DIMENSION_MISMATCH:
        wrong = tuple(o for o in occurrences if source_outcome(result, o) is Outcome.BROKEN)
        return wrong or occurrences
    return occurrences
