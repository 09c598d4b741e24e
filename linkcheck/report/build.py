"""The report stage: pure functions from check results to a `Report` and its summary.

Nothing here performs I/O. The output formats (`linkcheck.formats.json`, `linkcheck.formats.text`)
build on `summarize` and on the small helpers below so that the JSON contract and the text a
person reads always agree on what counts as "checked", "mismatched" and so on.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import replace
from enum import Enum

from linkcheck.collect.credentials import redact
from linkcheck.models import (
    ArticleProblem,
    CheckResult,
    Finding,
    HistoryStatus,
    ImageSummary,
    LinkKind,
    Occurrence,
    Outcome,
    Reason,
    Report,
    RunInfo,
    SizeVerdict,
    Summary,
)

__all__ = [
    "OUTCOMES",
    "build_report",
    "enum_value",
    "explain",
    "image_matches",
    "is_image_link",
    "is_image_occurrence",
    "redact",
    "summarize",
    "verdict_at",
]

#: Outcome values in contract order (ok, broken, warning, skipped).
OUTCOMES: tuple[str, ...] = tuple(o.value for o in Outcome)

# Used when a non-ok result carries no detail of its own.
_REASON_TEXT: dict[str, str] = {
    Reason.HTTP_STATUS.value: "the server answered with an error status",
    Reason.DNS.value: "the host name could not be resolved",
    Reason.CONNECT.value: "could not connect to the server",
    Reason.TLS.value: "TLS handshake or certificate error",
    Reason.TIMEOUT.value: "the request timed out",
    Reason.PROTOCOL_ERROR.value: "the connection broke in the middle of the response",
    Reason.REDIRECT_LOOP.value: "the redirects loop back on themselves",
    Reason.TOO_MANY_REDIRECTS.value: "too many redirects",
    Reason.INVALID_URL.value: "the URL is not valid",
    Reason.NOT_AN_IMAGE.value: "the response is not an image",
    Reason.IMAGE_UNREADABLE.value: "the image could not be decoded",
    Reason.IMAGE_DIMENSION_MISMATCH.value: "the declared size differs from the actual size",
    Reason.BLOCKED.value: "the server refused automated access",
    Reason.RATE_LIMITED.value: "the server rate-limited us",
    "internal_error": "a bug in linkcheck: this link could not be judged",
    "not_checked": "not checked: the run stopped before this link",
    Reason.UNSUPPORTED_SCHEME.value: "this URL scheme is not checked",
    Reason.EXCLUDED.value: "excluded by configuration",
    Reason.PRIVATE_ADDRESS.value: (
        "not requested: the host is a private, loopback or link-local address "
        "(--allow-private or --allow-net to check it)"
    ),
    Reason.INVALID_REDIRECT.value: "the server redirected to a location that cannot be followed",
    Reason.SOFT_404.value: "the page answers, but it is a 'not found' page",
    Reason.FILE_MISSING.value: "the local file does not exist",
    Reason.NO_BASE_URL.value: (
        "not checked: a root-relative link and no base URL (--base-url) or --root-dir"
    ),
}


# --------------------------------------------------------------------------- small helpers


def enum_value(x: object) -> object:
    """`x.value` for an enum member, `x` otherwise (tolerates plain strings and None).
    (`_value_` is what the `value` property returns, without the descriptor call: this runs
    about fifteen times per link when a report is written.)"""
    return x._value_ if isinstance(x, Enum) else x


def _text(x: object) -> str:
    if isinstance(x, str):
        return x
    if x is None:
        return ""
    try:
        return str(x)
    except Exception:  # pragma: no cover - pathological __str__
        return object.__repr__(x)


def _int(x: object) -> int:
    """A non-negative-ish int for counters; anything odd counts as 0."""
    if isinstance(x, bool):
        return int(x)
    if isinstance(x, int):
        return x
    if isinstance(x, float) and math.isfinite(x):
        return int(x)
    return 0


def is_image_occurrence(occurrence: Occurrence) -> bool:
    return enum_value(occurrence.kind) == LinkKind.IMAGE.value


def is_image_link(result: CheckResult) -> bool:
    """An image link: its kind is image, or at least one occurrence cites it as an image."""
    link = result.link
    if enum_value(link.kind) == LinkKind.IMAGE.value:
        return True
    return any(is_image_occurrence(o) for o in link.occurrences)


def verdict_at(result: CheckResult, index: int) -> SizeVerdict | None:
    """The size verdict of occurrence `index`, or None."""
    occurrences = result.link.occurrences
    return occurrences[index].verdict if 0 <= index < len(occurrences) else None


def image_matches(result: CheckResult) -> bool | None:
    """True only when every occurrence with a comparable declared size matches;
    False when at least one does not; None when no occurrence could be compared."""
    compared = [
        o.verdict.matches
        for o in result.link.occurrences
        if o.verdict is not None and o.verdict.matches is not None
    ]
    if not compared:
        return None
    return all(bool(m) for m in compared)


def _has_aspect_preserving_mismatch(result: CheckResult) -> bool:
    return any(
        (v := o.verdict) is not None and v.matches is False and v.aspect_ratio_matches is True
        for o in result.link.occurrences
    )


def explain(result: CheckResult) -> str:
    """The human explanation of a result: "" when ok, else its detail (or a generic text)."""
    if enum_value(result.outcome) == Outcome.OK.value:
        return ""
    detail = _text(result.detail).strip()
    if detail:
        return detail
    reason = enum_value(result.reason)
    if reason == Reason.HTTP_STATUS.value and result.http_status is not None:
        return f"HTTP {result.http_status}"
    if not isinstance(reason, str):
        return ""
    return _REASON_TEXT.get(reason) or reason.replace("_", " ")


# --------------------------------------------------------------------------- redaction


def _redact_result(result: CheckResult) -> CheckResult:
    """The result as a report shows it: no credentials in its URLs, sources or detail (the
    requests themselves were sent with them)."""
    link = result.link
    if not _has_at(result):
        return result  # the common case: nothing to hide, nothing copied
    occurrences = tuple(_redact_occurrence(o) for o in link.occurrences)
    return replace(
        result,
        link=replace(link, url=redact(link.url), occurrences=occurrences),
        final_url=None if result.final_url is None else redact(result.final_url),
        redirects=tuple(replace(h, url=redact(h.url)) for h in result.redirects),
        detail=redact(result.detail),
    )


def _has_at(result: CheckResult) -> bool:
    """Could any text of the result hold credentials? (Plain checks: this runs once per link.)"""
    if "@" in result.link.url or "@" in result.detail:
        return True
    if result.final_url is not None and "@" in result.final_url:
        return True
    for o in result.link.occurrences:  # an article's key is its webUrl when it has no id
        source = o.source
        if "@" in o.text or "@" in (source.article_key or "") or "@" in (source.title or ""):
            return True
    return any("@" in h.url for h in result.redirects)


def _redact_occurrence(o: Occurrence) -> Occurrence:
    source, key, title = o.source, o.source.article_key, o.source.title
    if key is not None and "@" in key or title is not None and "@" in title:
        source = replace(
            source,
            article_key=None if key is None else redact(key),
            title=None if title is None else redact(title),
        )
    return replace(o, text=redact(o.text), source=source)


def _redact_problem(problem: ArticleProblem) -> ArticleProblem:
    message = problem.message
    return problem if "@" not in message else replace(problem, message=redact(message))


# --------------------------------------------------------------------------- build


def _line_key(line: object) -> int:
    return line if isinstance(line, int) and not isinstance(line, bool) else 0


def _occurrence_key(occurrence: Occurrence) -> tuple[str, int, str, str, str]:
    s = occurrence.source
    return (
        _text(s.file),
        _line_key(s.line),
        _text(s.field),
        _text(occurrence.text),
        _text(enum_value(occurrence.kind)),
    )


def _sort_occurrences(result: CheckResult) -> CheckResult:
    """Order a link's occurrences by (file, line, field); each keeps its own size verdict."""
    occurrences = result.link.occurrences
    if len(occurrences) < 2:
        return result
    ordered = tuple(sorted(occurrences, key=_occurrence_key))
    if all(a is b for a, b in zip(ordered, occurrences, strict=True)):
        return result
    return replace(result, link=replace(result.link, occurrences=ordered))


def _result_key(result: CheckResult) -> tuple[str, str]:
    return (_text(result.link.url), _text(enum_value(result.link.kind)))


def _problem_key(problem: ArticleProblem) -> tuple[str, str, int, str, str]:
    return (
        _text(problem.file),
        _text(problem.field),
        _line_key(problem.line),
        _text(enum_value(problem.reason)),
        _text(problem.message),
    )


def build_report(
    *,
    run: RunInfo,
    files: int,
    articles: int,
    results: Iterable[CheckResult],
    problems: Iterable[ArticleProblem],
    findings: Iterable[Finding] = (),
    file_hashes: Mapping[str, str] | None = None,
) -> Report:
    """Assemble a deterministic `Report`.

    Results are sorted by URL (then kind), each link's occurrences by (file, line, field) with
    their size verdicts kept in step, and problems by (file, field, line, reason, message).
    Credentials in URLs are redacted here, once, so every format inherits it (`redact`).
    """
    sorted_results = sorted(
        (_sort_occurrences(_redact_result(r)) for r in results), key=_result_key
    )
    sorted_problems = sorted((_redact_problem(p) for p in problems), key=_problem_key)
    unique = {_finding_key(f): _redact_finding(f) for f in findings}  # shards repeat them
    return Report(
        run=run,
        files=files,
        articles=articles,
        results=tuple(sorted_results),
        problems=tuple(sorted_problems),
        findings=tuple(unique[k] for k in sorted(unique)),
        file_hashes=dict(sorted((file_hashes or {}).items())),
    )


def _finding_key(finding: Finding) -> tuple[str, int, str, str, str, str, str]:
    return (
        _text(finding.file),
        _line_key(finding.line),
        _text(finding.field),
        _text(enum_value(finding.check)),
        _text(finding.url),
        _text(finding.expected),
        _text(finding.actual),
    )


def _redact_finding(finding: Finding) -> Finding:
    url, expected, actual = (
        None if v is None else redact(v) for v in (finding.url, finding.expected, finding.actual)
    )
    if (url, expected, actual) == (finding.url, finding.expected, finding.actual):
        return finding
    return replace(finding, url=url, expected=expected, actual=actual)


# --------------------------------------------------------------------------- summary


def summarize(report: Report) -> Summary:
    """The `summary` section of the report (`Summary.as_dict()` is its JSON form)."""
    outcomes: dict[str, int] = dict.fromkeys(OUTCOMES, 0)
    reasons: Counter[str] = Counter()
    kinds: dict[str, dict[str, int]] = {}
    occurrences = 0
    checked = mismatches = aspect_preserving = unreadable = not_an_image = bytes_read = 0
    history: dict[str, int] | None = None

    for r in report.results:
        outcome = _text(enum_value(r.outcome))
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        reason_value = enum_value(r.reason)
        if reason_value is not None:
            reason = _text(reason_value)
            reasons[reason] += 1
            if reason == Reason.IMAGE_UNREADABLE.value:
                unreadable += 1
            elif reason == Reason.NOT_AN_IMAGE.value:
                not_an_image += 1
        kind = _text(enum_value(r.link.kind))
        per_kind = kinds.get(kind)
        if per_kind is None:
            per_kind = kinds[kind] = {"total": 0, **dict.fromkeys(OUTCOMES, 0)}
        per_kind["total"] += 1
        per_kind[outcome] = per_kind.get(outcome, 0) + 1
        occurrences += len(r.link.occurrences)
        if r.history is not None:
            if history is None:
                history = dict.fromkeys((s.value for s in HistoryStatus), 0)
            status = _text(enum_value(r.history.status))
            history[status] = history.get(status, 0) + 1

        if r.image is not None:
            bytes_read += _int(r.image.bytes_read)
            if is_image_link(r):
                checked += 1
                if image_matches(r) is False:
                    mismatches += 1
                    if _has_aspect_preserving_mismatch(r):
                        aspect_preserving += 1

    return Summary(
        files=_int(report.files),
        articles=_int(report.articles),
        unique_links=len(report.results),
        occurrences=occurrences,
        outcomes=outcomes,
        reasons={k: reasons[k] for k in sorted(reasons)},
        kinds={k: kinds[k] for k in sorted(kinds)},
        problems=len(report.problems),
        images=ImageSummary(
            checked=checked,
            mismatches=mismatches,
            aspect_preserving_mismatches=aspect_preserving,
            unreadable=unreadable,
            not_an_image=not_an_image,
            bytes_read=bytes_read,
        ),
        history=history,
    )
