"""The JSON report: the contract dashboards parse.

The shape is described by `linkcheck/schema/report.schema.json` (see `linkcheck.schema`).
Key order is stable and part of the contract's readability, not its semantics.
Nothing here raises on odd input values: declared image sizes and options are whatever the
YAML or the command line held, and are made JSON-safe rather than trusted.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from enum import Enum
from typing import TextIO

from linkcheck.formats.atomic import atomic_file
from linkcheck.formats.json_indent import dumps_indented
from linkcheck.models import (
    ArticleProblem,
    CheckResult,
    DeclaredSize,
    Finding,
    History,
    Hop,
    HostStats,
    ImageProbe,
    Occurrence,
    Report,
    RunInfo,
    SizeVerdict,
    link_id,
)
from linkcheck.report.build import (
    enum_value,
    explain,
    image_matches,
    is_image_link,
    is_image_occurrence,
    summarize,
)
from linkcheck.report.triage import (
    Severity,
    permanent_redirect,
    severity,
    source_outcome,
    triage_summary,
)

__all__ = [
    "SCHEMA_VERSION",
    "TOOL_NAME",
    "dumps",
    "iter_chunks",
    "jsonable",
    "to_dict",
    "write",
    "write_atomic",
    "write_report",
]

SCHEMA_VERSION = 2  # 2 (0.2): only adds fields to 1, see the schema's description
TOOL_NAME = "linkcheck"

_MAX_DEPTH = 32  # YAML anchors can build self-referencing lists; never recurse forever


# --------------------------------------------------------------------------- JSON-safe values


def _str(x: object) -> str:
    if isinstance(x, str):
        return x
    try:
        return str(x)
    except Exception:
        try:
            return repr(x)
        except Exception:
            return f"<unprintable {type(x).__name__}>"


def _str_or_none(x: object) -> str | None:
    return None if x is None else _str(enum_value(x))


def _int_or_none(x: object) -> int | None:
    if x is None:
        return None
    if isinstance(x, bool):
        return int(x)
    if isinstance(x, int):
        return int(x)
    if isinstance(x, float) and math.isfinite(x):
        return round(x)
    return None


def _float_or_none(x: object, ndigits: int = 3) -> float | None:
    if isinstance(x, bool) or not isinstance(x, int | float):
        return None
    f = float(x)
    return round(f, ndigits) if math.isfinite(f) else None


def _bool_or_none(x: object) -> bool | None:
    return None if x is None else bool(x)


def jsonable(value: object, _depth: int = 0) -> object:
    """`value` made JSON-serialisable. Plain JSON values are kept as-is (tuples become lists,
    enums their value, dict keys strings); non-finite floats, any other object (dates, ...)
    and anything nested deeper than a sane limit become their `str`. Never raises."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, Enum):
        return jsonable(value.value, _depth)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else _str(value)
    if _depth >= _MAX_DEPTH:
        return _str(value)
    if isinstance(value, list | tuple):
        return [jsonable(v, _depth + 1) for v in value]
    if isinstance(value, dict):
        return {_str(enum_value(k)): jsonable(v, _depth + 1) for k, v in value.items()}
    return _str(value)


# --------------------------------------------------------------------------- sections


def _run(run: RunInfo) -> dict[str, object]:
    options = run.options if isinstance(run.options, dict) else {}
    hosts = sorted(run.hosts, key=lambda h: _str(h.host))
    out: dict[str, object] = {
        "started_at": _str(run.started_at),
        "finished_at": _str(run.finished_at),
        "duration_s": _float_or_none(run.duration_s) or 0.0,
        "inputs": [_str(i) for i in run.inputs],
        "options": jsonable(options),
        "interrupted": bool(run.interrupted),
        "hosts": [_host(h) for h in hosts],
        "config_file": _str_or_none(run.config_file),
        "run_id": _int_or_none(run.run_id),
        "state_file": _str_or_none(run.state_file),
        "fail_after": _int_or_none(run.fail_after) or 1,
        "network_down": _str_or_none(run.network_down),
        "state_error": _str_or_none(run.state_error),
        "shard": None if run.shard is None else {"index": run.shard[0], "total": run.shard[1]},
        "workers": _int_or_none(run.workers) or 1,
    }
    if run.merged_from:  # only in a merged report (linkcheck merge)
        out["merged_from"] = [jsonable(dict(m)) for m in run.merged_from]
    return out


def _host(h: HostStats) -> dict[str, object]:
    return {
        "host": _str(h.host),
        "requests": _int_or_none(h.requests) or 0,
        "retries": _int_or_none(h.retries) or 0,
        "responses_429": _int_or_none(h.responses_429) or 0,
        "waited_s": _float_or_none(h.waited_s) or 0.0,
        "max_in_flight": _int_or_none(h.max_in_flight) or 0,
        "rate_limit": _float_or_none(h.rate_limit),
        "slowed_down": bool(h.slowed_down),
        "marked_down": _str_or_none(h.marked_down),
        "short_circuited": _int_or_none(h.short_circuited) or 0,
        "configured_rate": _float_or_none(h.configured_rate),
        "min_rate": _float_or_none(h.min_rate),
        "below_rate_s": _float_or_none(h.below_rate_s) or 0.0,
    }


def _size(width: object, height: object) -> dict[str, object]:
    return {"width": _int_or_none(width), "height": _int_or_none(height)}


def _image(result: CheckResult) -> dict[str, object] | None:
    probe: ImageProbe | None = result.image
    if probe is None or not is_image_link(result):
        return None
    actual = (probe.width, probe.height)
    shown = (probe.displayed_width, probe.displayed_height)
    displayed = None
    if shown != actual and not (shown[0] is None and shown[1] is None):
        displayed = _size(*shown)
    return {
        "format": _str_or_none(probe.format),
        "actual": _size(*actual),
        "displayed": displayed,
        "orientation": _int_or_none(probe.orientation),
        "bytes_read": _int_or_none(probe.bytes_read) or 0,
        "matches": image_matches(result),
        "detail": _str(probe.detail) if probe.detail is not None else "",
    }


def _declared(declared: DeclaredSize | None) -> dict[str, object] | None:
    if declared is None:
        return None
    return {"width": jsonable(declared.width), "height": jsonable(declared.height)}


def _source(
    result: CheckResult, occurrence: Occurrence, verdict: SizeVerdict | None
) -> dict[str, object]:
    s = occurrence.source
    out: dict[str, object] = {
        "file": _str(s.file),
        "field": _str(s.field),
        "line": _int_or_none(s.line),
        "title": _str_or_none(s.title),
        "text": _str(occurrence.text),
        "kind": _str(enum_value(occurrence.kind)),
        "article_key": _str_or_none(s.article_key),
        "outcome": _str(enum_value(source_outcome(result, occurrence))),
    }
    if verdict is not None or is_image_occurrence(occurrence):
        out["declared"] = _declared(occurrence.declared)
        out["matches"] = _bool_or_none(verdict.matches) if verdict else None
        out["aspect_ratio_matches"] = (
            _bool_or_none(verdict.aspect_ratio_matches) if verdict else None
        )
        out["size_problem"] = _str_or_none(verdict.problem) if verdict else None
    return out


def _redirect(hop: Hop) -> dict[str, object]:
    return {"url": _str(hop.url), "status": _int_or_none(hop.status)}


def _elapsed_ms(seconds: object) -> int:
    s = _float_or_none(seconds, 6)
    return round(s * 1000) if s is not None else 0


def _history(history: History | None) -> dict[str, object] | None:
    if history is None:
        return None
    return {
        "status": _str(enum_value(history.status)),
        "first_seen": _str(history.first_seen),
        "broken_since": _str_or_none(history.broken_since),
        "failing_runs": _int_or_none(history.failing_runs) or 0,
        "last_ok": _str_or_none(history.last_ok),
    }


def _link(result: CheckResult, level: Severity | None = None) -> dict[str, object]:
    link = result.link
    return {
        "url": _str(link.url),
        "id": link_id(_str(link.url)),
        "kind": _str(enum_value(link.kind)),
        "outcome": _str(enum_value(result.outcome)),
        "reason": _str_or_none(result.reason),
        "detail": explain(result),
        "http_status": _int_or_none(result.http_status),
        "final_url": _str_or_none(result.final_url),
        "redirects": [_redirect(h) for h in result.redirects],
        "attempts": _int_or_none(result.attempts) or 0,
        "elapsed_ms": _elapsed_ms(result.elapsed),
        "image": _image(result),
        "sources": [_source(result, o, o.verdict) for o in link.occurrences],
        "checked_at": _str_or_none(result.checked_at),
        "cached": bool(result.cached),
        "history": _history(result.history),
        "severity": (level or severity(result)).value,
        "permanent_redirect": _str_or_none(permanent_redirect(result)),
    }


def _problem(problem: ArticleProblem) -> dict[str, object]:
    return {
        "file": _str(problem.file),
        "reason": _str(enum_value(problem.reason)),
        "message": _str(problem.message),
        "field": _str_or_none(problem.field),
        "line": _int_or_none(problem.line),
    }


def _finding(finding: Finding) -> dict[str, object]:
    return {
        "check": _str(enum_value(finding.check)),
        "file": _str(finding.file),
        "line": _int_or_none(finding.line),
        "field": _str_or_none(finding.field),
        "url": _str_or_none(finding.url),
        "expected": _str_or_none(finding.expected),
        "actual": _str_or_none(finding.actual),
        "severity": _str(finding.severity),
        "message": _str(finding.message),
    }


def _tail(report: Report) -> dict[str, object]:
    """The sections after `links`, in contract order."""
    return {
        "problems": [_problem(p) for p in report.problems],
        "findings": [_finding(f) for f in report.findings],
        "file_hashes": {_str(k): _str(v) for k, v in report.file_hashes.items()},
    }


def _summary(report: Report, levels: list[Severity]) -> dict[str, object]:
    summary = summarize(report).as_dict()
    summary["triage"] = triage_summary(report, levels).as_dict()
    return summary


# --------------------------------------------------------------------------- public API


def to_dict(report: Report, *, tool_version: str) -> dict[str, object]:
    """The report as a JSON-ready dict, keys in contract order."""
    levels = [severity(r) for r in report.results]
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": _str(tool_version)},
        "run": _run(report.run),
        "summary": _summary(report, levels),
        "links": [_link(r, level) for r, level in zip(report.results, levels, strict=True)],
        **_tail(report),
    }


_SURROGATE = re.compile("[\ud800-\udfff]")


def _encodable(text: str) -> str:
    """Lone surrogates (e.g. undecodable file names) become `\\udcXX` escapes, so the text
    always encodes as UTF-8 and `json.loads` gives back the original strings."""
    if text.isascii() or not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _value(value: object, depth: int) -> str:
    """`value` as indent=2 JSON text, nested `depth` levels deep (what json.dumps of the whole
    document would write there; JSON strings never hold a raw newline, so this is exact)."""
    return dumps_indented(value, depth, _str)


def iter_chunks(report: Report, *, tool_version: str) -> Iterator[str]:
    """The JSON report as text chunks, one link at a time: the same text as `dumps`, without
    ever holding the whole document (or a dict of every link) in memory. (The severities are
    worked out once, before the summary that counts them: one reference per link.)"""
    levels = [severity(r) for r in report.results]
    head: dict[str, object] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": _str(tool_version)},
        "run": _run(report.run),
        "summary": _summary(report, levels),
    }
    yield "{"
    for key, value in head.items():
        yield f"\n  {json.dumps(key)}: {_value(value, 1)},"
    items = (_link(r, level) for r, level in zip(report.results, levels, strict=True))
    yield from _array("links", items)
    yield from _array("problems", (_problem(p) for p in report.problems))
    yield from _array("findings", (_finding(f) for f in report.findings))
    hashes = report.file_hashes
    if hashes:  # one line per file, as json.dumps(indent=2) writes the object
        yield '\n  "file_hashes": {'
        sep = "\n    "
        for name, digest in hashes.items():
            yield _encodable(f"{sep}{_value(_str(name), 2)}: {_value(_str(digest), 2)}")
            sep = ",\n    "
        yield "\n  }\n}\n"
    else:
        yield '\n  "file_hashes": {}\n}\n'


def _array(key: str, items: Iterator[dict[str, object]]) -> Iterator[str]:
    """A top-level array that is not the document's last member, one element at a time (a
    report may hold 100,000 links and as many findings: never all their texts at once)."""
    first = next(items, None)
    if first is None:
        yield f"\n  {json.dumps(key)}: [],"
        return
    yield f"\n  {json.dumps(key)}: ["
    yield _encodable("\n    " + _value(first, 2))
    for item in items:
        yield _encodable(",\n    " + _value(item, 2))
    yield "\n  ],"


def dumps(report: Report, *, tool_version: str) -> str:
    """The report as JSON text: indent=2, UTF-8 characters unescaped, trailing newline.

    Lone surrogates (e.g. undecodable file names) are written as `\\udcXX` escapes, so the
    text always encodes as UTF-8 and `json.loads` gives back the original strings.
    """
    return _encodable("".join(iter_chunks(report, tool_version=tool_version)))


def write(report: Report, stream: TextIO, *, tool_version: str) -> None:
    """Write the report to a text stream (e.g. stdout) chunk by chunk."""
    for chunk in iter_chunks(report, tool_version=tool_version):
        stream.write(_encodable(chunk))


def write_report(path: str, report: Report, *, tool_version: str) -> None:
    """Write the report to `path` by streaming, atomically (temp file + rename, see
    `write_atomic`): peak memory is one link's JSON, not the whole document."""
    with atomic_file(path) as f:
        for chunk in iter_chunks(report, tool_version=tool_version):
            f.write(_encodable(chunk).encode("utf-8"))


def write_atomic(path: str, text: str) -> None:
    """Write `text` (UTF-8) to `path` atomically: a temp file in the same directory,
    flushed and fsynced, then `os.replace`d over `path`. The temp file is removed on error.

    `"-"` (stdout) is the caller's business; passing it here is an error.
    """
    data = text.encode("utf-8") if path != "-" else b""
    with atomic_file(path) as f:
        f.write(data)
