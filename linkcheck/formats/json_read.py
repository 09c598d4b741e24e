"""Read the JSON report back into a `Report`: the contract `formats.json` writes, read by the
same types (a dashboard, a later `diff`/`merge`, a test).

`dumps(load_report(text))` gives back `text` for any report linkcheck wrote (with the same
tool version). Fields this version does not know are ignored, as the schema's compatibility
policy asks. The triage fields (`links[].severity`, `permanent_redirect`, `sources[].outcome`,
`summary.triage`) are derived from the results, so they are not read but worked out again by
`linkcheck.report.triage` when the report is written or rendered: a version 1 report, which
has none, gets them too. A report with a newer `schema_version`, or one that is not a linkcheck
report at all, raises `InputError` with a message for the user.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import fields
from enum import StrEnum
from typing import IO, Any, TypeVar, cast

from linkcheck.errors import InputError
from linkcheck.models import (
    ArticleProblem,
    CheckResult,
    DeclaredSize,
    Finding,
    FindingCheck,
    History,
    HistoryStatus,
    Hop,
    HostStats,
    ImageProbe,
    Link,
    LinkKind,
    Occurrence,
    Outcome,
    ProblemReason,
    Reason,
    Report,
    RunInfo,
    SizeVerdict,
    Source,
)

__all__ = ["load_report", "report_from_dict"]

SCHEMA_VERSION = 2  # the newest schema this reader understands (formats.json writes it)
_HOST_FIELDS = tuple(f.name for f in fields(HostStats))
E = TypeVar("E", bound=StrEnum)


def load_report(source: str | os.PathLike[str] | IO[str] | IO[bytes]) -> Report:
    """The `Report` of a JSON report: a path, or an open file (text or binary)."""
    where = os.fspath(source) if isinstance(source, str | os.PathLike) else "the report"
    try:
        if isinstance(source, str | os.PathLike):
            with open(source, "rb") as fh:
                doc = json.load(fh)
        else:
            doc = json.load(source)
    except OSError as exc:
        raise InputError(f"cannot read the report {where}: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:  # deep nesting
        raise InputError(f"{where} is not a JSON report: {exc}") from None
    return report_from_dict(doc, where=where)


def report_from_dict(doc: object, *, where: str = "the report") -> Report:
    """The `Report` of a parsed JSON report (`json.load` of what `formats.json` wrote)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("links"), list):
        raise InputError(f"{where} is not a linkcheck JSON report")
    version = doc.get("schema_version")
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise InputError(
            f"{where} has schema_version {version!r}; this linkcheck reads up to {SCHEMA_VERSION}"
        )
    try:
        summary = doc["summary"]
        return Report(
            run=_run(doc["run"]),
            files=summary["files"],
            articles=summary["articles"],
            results=tuple(_result(r) for r in doc["links"]),
            problems=tuple(_problem(p) for p in doc["problems"]),
            findings=tuple(_finding(f) for f in doc.get("findings") or ()),
            file_hashes=dict(doc.get("file_hashes") or {}),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError(f"{where} is not a valid linkcheck report ({exc!r})") from None


def _shard(value: object) -> tuple[int, int] | None:
    if not isinstance(value, Mapping):
        return None
    return int(value["index"]), int(value["total"])


def _finding(f: Mapping[str, Any]) -> Finding:
    return Finding(
        check=_enum(FindingCheck, f["check"]),
        file=f["file"],
        line=f.get("line"),
        field=f.get("field"),
        url=f.get("url"),
        expected=f.get("expected"),
        actual=f.get("actual"),
        severity=f["severity"],
        message=f.get("message") or "",
    )


def _enum(kind: type[E], value: object) -> E:
    # a dict lookup, not kind(value): this runs several times per link of a 100k-link report
    found = kind._value2member_map_.get(value) if isinstance(value, str) else None
    if found is None:
        raise ValueError(f"unknown {kind.__name__} {value!r}")
    return cast(E, found)


def _run(run: Mapping[str, Any]) -> RunInfo:
    return RunInfo(
        started_at=run["started_at"],
        finished_at=run["finished_at"],
        duration_s=run["duration_s"],
        inputs=tuple(run["inputs"]),
        options=run["options"],
        hosts=tuple(_host(h) for h in run["hosts"]),
        interrupted=run["interrupted"],
        config_file=run.get("config_file"),
        run_id=run.get("run_id"),
        state_file=run.get("state_file"),
        fail_after=run.get("fail_after") or 1,
        network_down=run.get("network_down"),
        shard=_shard(run.get("shard")),
        state_error=run.get("state_error"),
        merged_from=tuple(dict(m) for m in run.get("merged_from") or ()),
        workers=run.get("workers") or 1,
    )


def _host(host: Mapping[str, Any]) -> HostStats:
    return HostStats(**{k: host[k] for k in _HOST_FIELDS if k in host})


def _result(link: Mapping[str, Any]) -> CheckResult:
    image = link["image"]
    probe = None
    if image is not None:
        actual = image["actual"]
        shown = image["displayed"] or actual
        probe = ImageProbe(
            format=image["format"],
            width=actual["width"],
            height=actual["height"],
            displayed_width=shown["width"],
            displayed_height=shown["height"],
            bytes_read=image["bytes_read"],
            detail=image["detail"],
            orientation=image["orientation"],
        )
    return CheckResult(
        link=Link(
            link["url"],
            _enum(LinkKind, link["kind"]),
            tuple(_occurrence(s) for s in link["sources"]),
        ),
        outcome=_enum(Outcome, link["outcome"]),
        reason=None if link["reason"] is None else _enum(Reason, link["reason"]),
        http_status=link["http_status"],
        final_url=link["final_url"],
        redirects=tuple(Hop(h["url"], h["status"]) for h in link["redirects"]),
        attempts=link["attempts"],
        elapsed=link["elapsed_ms"] / 1000,
        detail=link["detail"],
        image=probe,
        checked_at=link.get("checked_at"),
        cached=bool(link.get("cached", False)),
        history=_history(link.get("history")),
    )


def _history(history: Mapping[str, Any] | None) -> History | None:
    if history is None:
        return None
    return History(
        status=_enum(HistoryStatus, history["status"]),
        first_seen=history["first_seen"],
        broken_since=history["broken_since"],
        failing_runs=history["failing_runs"],
        last_ok=history["last_ok"],
    )


def _number(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _occurrence(source: Mapping[str, Any]) -> Occurrence:
    declared = source.get("declared")
    verdict = None
    if "matches" in source:  # written for image citations and for every judged one
        verdict = SizeVerdict(
            declared_width=_number(declared["width"]) if declared else None,
            declared_height=_number(declared["height"]) if declared else None,
            matches=source["matches"],
            aspect_ratio_matches=source["aspect_ratio_matches"],
            problem=source["size_problem"],
        )
    return Occurrence(
        text=source["text"],
        kind=_enum(LinkKind, source["kind"]),
        source=Source(
            source["file"],
            source["field"],
            source["line"],
            source["title"],
            source.get("article_key"),
        ),
        declared=None if declared is None else DeclaredSize(declared["width"], declared["height"]),
        verdict=verdict,
    )


def _problem(problem: Mapping[str, Any]) -> ArticleProblem:
    return ArticleProblem(
        file=problem["file"],
        reason=_enum(ProblemReason, problem["reason"]),
        message=problem["message"],
        field=problem["field"],
        line=problem["line"],
    )
