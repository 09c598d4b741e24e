"""`sarif`: SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps, IDE viewers).

One run. `tool.driver.rules` holds one rule per reason a link can be flagged for (the report's
`reason` vocabulary, plus `permanent_redirect`), each with short and full descriptions and a
`helpUri` to the README's reason table; the rule list is the same in every run. A result is one
flagged citation: `ruleId` = the reason, `level` from the link's severity (critical and high:
error, medium: warning, low: note), the location = the article file (relative URI as found
under the input paths; absolute paths as file: URIs) with `region.startLine` when the line is
known, and `partialFingerprints` so a scanner follows the same citation across runs.

Flagged: broken citations, warnings (blocked, rate limited...) and links to update (ok through
a permanent redirect); then the article-level AMP findings, one result each at the article's
field (`ruleId` = the check). Written result by result, never held whole.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, TextIO
from urllib.parse import quote

from linkcheck.formats.ndjson import dumps_utf8
from linkcheck.formats.paths import SourcePaths
from linkcheck.formats.rows import flagged_occurrences, urgency_key
from linkcheck.models import CheckResult, Finding, FindingCheck, Occurrence, Outcome, Reason, Report
from linkcheck.report import enum_value, explain
from linkcheck.report.triage import Severity, permanent_redirect, severity

if TYPE_CHECKING:
    from linkcheck.formats.registry import RenderOptions

__all__ = ["RULES", "SARIF", "SCHEMA_URI", "artifact_uri", "sarif_results", "write"]

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
HOMEPAGE = "https://github.com/newsroom-tools/linkcheck"
HELP_URI = f"{HOMEPAGE}#the-json-report"
PERMANENT_REDIRECT = "permanent_redirect"
_FLAGGED = (Outcome.BROKEN, Outcome.WARNING)

# (rule id, short description, full description)
RULES: tuple[tuple[str, str, str], ...] = (
    (
        Reason.HTTP_STATUS.value,
        "The link answers with an HTTP error",
        "The server answered 404, 410, another 4xx, or a 5xx that persisted after retries.",
    ),
    (
        Reason.DNS.value,
        "The link's host name does not resolve",
        "DNS has no address for the host: the domain is gone or misspelt.",
    ),
    (
        Reason.CONNECT.value,
        "The link's server refuses connections",
        "No TCP connection could be made to the server, after retries.",
    ),
    (
        Reason.TLS.value,
        "The link's HTTPS certificate or handshake fails",
        "The TLS handshake failed: an expired, self-signed or mismatched certificate.",
    ),
    (
        Reason.TIMEOUT.value,
        "The link's server does not answer in time",
        "The request timed out, after retries.",
    ),
    (
        Reason.PROTOCOL_ERROR.value,
        "The link's server breaks the connection",
        "The connection was reset or the response was malformed.",
    ),
    (
        Reason.REDIRECT_LOOP.value,
        "The link redirects in a loop",
        "Following the redirects came back to a URL already visited.",
    ),
    (
        Reason.TOO_MANY_REDIRECTS.value,
        "The link redirects too many times",
        "The redirect chain is longer than --max-redirects allows.",
    ),
    (
        Reason.INVALID_URL.value,
        "The link is not a valid URL",
        "The URL (or a redirect's Location) is not a valid absolute URL.",
    ),
    (
        Reason.NOT_AN_IMAGE.value,
        "The image URL does not serve an image",
        "An image URL served something else, such as an HTML error page with status 200.",
    ),
    (
        Reason.IMAGE_UNREADABLE.value,
        "The image's size cannot be read",
        "The image's header could not be decoded within --image-max-bytes.",
    ),
    (
        Reason.IMAGE_DIMENSION_MISMATCH.value,
        "The declared image size is wrong",
        "The width/height the article declares differ from the image's displayed size; when the "
        "aspect ratio matches it is a resized copy and only the numbers need fixing.",
    ),
    (
        Reason.BLOCKED.value,
        "The server refused automated access",
        "401, 403, 451, 999 or a bot challenge: the link may well work in a browser.",
    ),
    (
        Reason.RATE_LIMITED.value,
        "The server rate-limited the check",
        "429 answers did not clear within the retries; the link could not be judged.",
    ),
    (
        Reason.INTERNAL_ERROR.value,
        "linkcheck could not judge this link",
        "A bug in linkcheck stopped this one check; please report it.",
    ),
    (
        PERMANENT_REDIRECT,
        "The link moved permanently: update it",
        "The link works through a 301/308 redirect; write the final URL instead.",
    ),
    (
        FindingCheck.AMP_CACHE_URL.value,
        "The AMP cache URL is not the one of the AMP URL",
        "The cdnAmpWebUrl is on a known AMP cache but is not the cache URL the published "
        "algorithm derives from the ampWebUrl.",
    ),
    (
        FindingCheck.AMP_NOT_AMP.value,
        "The AMP page is not AMP",
        "The ampWebUrl page has no amp (⚡) attribute on <html>: AMP caches will not serve it.",
    ),
    (
        FindingCheck.AMP_CANONICAL.value,
        "The AMP page's canonical is not the article's URL",
        "The ampWebUrl page's <link rel=canonical> is missing or points elsewhere than webUrl.",
    ),
    (
        FindingCheck.AMPHTML_MISSING.value,
        "The article's page does not link its AMP version",
        "The webUrl page has no <link rel=amphtml> pointing to the ampWebUrl.",
    ),
)
_INDEX = {rule_id: i for i, (rule_id, _, _) in enumerate(RULES)}
_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.NONE: "note",
}


def _rule(rule_id: str, short: str, full: str) -> dict[str, object]:
    level = "note" if rule_id == PERMANENT_REDIRECT else "error"
    if rule_id in (Reason.BLOCKED.value, Reason.RATE_LIMITED.value, Reason.INTERNAL_ERROR.value):
        level = "note"
    return {
        "id": rule_id,
        "name": "".join(part.title() for part in rule_id.split("_")),
        "shortDescription": {"text": short},
        "fullDescription": {"text": full},
        "helpUri": HELP_URI,
        "defaultConfiguration": {"level": level},
    }


def artifact_uri(file: str) -> tuple[str, bool]:
    """The URI of an article file and whether it is relative (to the source root)."""
    raw = file.encode("utf-8", "surrogateescape") if isinstance(file, str) else b""
    posix = raw.replace(b"\\", b"/") if os.sep == "\\" else raw
    if os.path.isabs(file) or PurePosixPath(file).is_absolute():
        return "file://" + quote(posix), False
    return quote(posix), True


def _location(occurrence: Occurrence, paths: SourcePaths) -> dict[str, object]:
    s = occurrence.source
    uri, relative = artifact_uri(paths(str(s.file)))
    artifact: dict[str, object] = {"uri": uri}
    if relative:
        artifact["uriBaseId"] = "%SRCROOT%"
    physical: dict[str, object] = {"artifactLocation": artifact}
    if isinstance(s.line, int) and not isinstance(s.line, bool) and s.line >= 1:
        physical["region"] = {"startLine": s.line}
    return {"physicalLocation": physical}


def _result(
    result: CheckResult, occurrence: Occurrence | None, paths: SourcePaths
) -> dict[str, object]:
    moved = permanent_redirect(result) if result.outcome is Outcome.OK else None
    rule_id = PERMANENT_REDIRECT if moved else (result.reason or Reason.INTERNAL_ERROR).value
    url = result.link.url
    if moved:
        message = f"{url} moved permanently to {moved}: update the link"
    else:
        message = f"{url}: {rule_id}" + (f" ({d})" if (d := explain(result)) else "")
    field = occurrence.source.field if occurrence is not None else ""
    if field:
        message += f" [{field}]"
    place = f"{result.id}:{occurrence.source.file}:{field}" if occurrence is not None else result.id
    out: dict[str, object] = {
        "ruleId": rule_id,
        "ruleIndex": _INDEX.get(rule_id, _INDEX[Reason.INTERNAL_ERROR.value]),
        "level": _LEVEL.get(severity(result), "warning"),
        "message": {"text": message},
    }
    if occurrence is not None:
        out["locations"] = [_location(occurrence, paths)]
    key = place.encode("utf-8", "surrogatepass")
    out["partialFingerprints"] = {"linkcheckCitation/v1": hashlib.sha256(key).hexdigest()[:32]}
    out["properties"] = {
        "url": url,
        "linkId": result.id,
        "kind": result.link.kind.value,
        "outcome": result.outcome.value,
        "severity": severity(result).value,
        "httpStatus": result.http_status,
        "finalUrl": result.final_url,
        "replacement": moved,
    }
    return out


_FINDING_LEVEL = {"critical": "error", "high": "error", "medium": "warning"}


def _finding_result(finding: Finding, paths: SourcePaths) -> dict[str, object]:
    rule_id = str(enum_value(finding.check))
    uri, relative = artifact_uri(paths(str(finding.file)))
    artifact: dict[str, object] = {"uri": uri}
    if relative:
        artifact["uriBaseId"] = "%SRCROOT%"
    physical: dict[str, object] = {"artifactLocation": artifact}
    line = finding.line
    if isinstance(line, int) and not isinstance(line, bool) and line >= 1:
        physical["region"] = {"startLine": line}
    message = finding.message or rule_id
    if finding.field:
        message += f" [{finding.field}]"
    place = f"{rule_id}:{finding.file}:{finding.field}".encode("utf-8", "surrogatepass")
    return {
        "ruleId": rule_id,
        "ruleIndex": _INDEX.get(rule_id, _INDEX[Reason.INTERNAL_ERROR.value]),
        "level": _FINDING_LEVEL.get(str(finding.severity), "note"),
        "message": {"text": message},
        "locations": [{"physicalLocation": physical}],
        "partialFingerprints": {"linkcheckCitation/v1": hashlib.sha256(place).hexdigest()[:32]},
        "properties": {
            "url": finding.url,
            "severity": finding.severity,
            "expected": finding.expected,
            "actual": finding.actual,
        },
    }


def _head(report: Report, tool_version: str) -> dict[str, object]:
    run = report.run
    return {
        "tool": {
            "driver": {
                "name": "linkcheck",
                "version": tool_version,
                "informationUri": HOMEPAGE,
                "rules": [_rule(*r) for r in RULES],
            }
        },
        "invocations": [
            {
                "executionSuccessful": not run.interrupted,
                "startTimeUtc": str(run.started_at),
                "endTimeUtc": str(run.finished_at),
            }
        ],
        "columnKind": "unicodeCodePoints",
    }


def sarif_results(report: Report) -> list[CheckResult]:
    """What code scanning is told about, most urgent first: broken links, warnings (not the
    links a stopped run never checked) and links to update."""
    chosen = [
        r
        for r in report.results
        if (r.outcome in _FLAGGED and r.reason is not Reason.NOT_CHECKED)
        or (r.outcome is Outcome.OK and permanent_redirect(r))
    ]
    return sorted(chosen, key=urgency_key)


def write(report: Report, stream: TextIO, *, tool_version: str) -> None:
    head = json.dumps(_head(report, tool_version), ensure_ascii=False)[:-1]  # drop the "}"
    stream.write(f'{{"$schema": "{SCHEMA_URI}", "version": "2.1.0", "runs": [{head}, ')
    stream.write('"results": [')
    paths = SourcePaths(report.run.inputs)
    sep = "\n"
    for result in sarif_results(report):
        occurrences = flagged_occurrences(result)
        for occurrence in occurrences or (None,):
            stream.write(sep + dumps_utf8(_result(result, occurrence, paths)))
            sep = ",\n"
    for finding in report.findings:
        stream.write(sep + dumps_utf8(_finding_result(finding, paths)))
        sep = ",\n"
    stream.write("\n]}]}\n")


@dataclass(frozen=True, slots=True)
class _Sarif:
    name: str = "sarif"
    description: str = "SARIF 2.1.0 for code scanning: a result per flagged citation, file and line"
    default_path: str | None = "linkcheck.sarif"

    def write(self, report: Report, stream: TextIO, *, options: RenderOptions) -> None:
        write(report, stream, tool_version=options.tool_version)


SARIF = _Sarif()
