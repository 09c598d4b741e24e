"""`github`: GitHub Actions workflow commands, which the runner turns into annotations on the
files of a pull request or run:

    ::error file=content/a.md,line=3,title=linkcheck%3A http_status::https://x/ is broken: HTTP 404

One line per flagged citation, most urgent first: broken ones as `::error` (or `::warning` when
their severity is low, e.g. a resized copy of the right image), warnings (blocked, rate
limited) as `::warning`, links to update (permanent redirects) as `::notice`; then the AMP
findings at their article's field (high: `::error`, medium: `::warning`, low: `::notice`). At most
`MAX_LINES` lines (GitHub shows only the first few annotations of a step anyway), then one
`::notice` saying how many more there are.

Escaping follows the runner's rules (actions/toolkit `command.ts`): in the message `%`, CR and
LF become `%25`, `%0D`, `%0A`; in properties `:` and `,` also become `%3A` and `%2C`. So no value
from an article or a server can end the line early or start a command of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from linkcheck.formats.paths import SourcePaths
from linkcheck.formats.rows import flagged_occurrences
from linkcheck.formats.sarif import sarif_results
from linkcheck.models import CheckResult, Finding, Occurrence, Outcome, Report
from linkcheck.report import enum_value, explain
from linkcheck.report.triage import Severity, permanent_redirect, severity

if TYPE_CHECKING:
    from linkcheck.formats.registry import RenderOptions

__all__ = ["GITHUB", "MAX_LINES", "escape_data", "escape_property", "write"]

MAX_LINES = 200
_DATA = str.maketrans({"%": "%25", "\r": "%0D", "\n": "%0A"})
_PROPERTY = str.maketrans({"%": "%25", "\r": "%0D", "\n": "%0A", ":": "%3A", ",": "%2C"})


# other control characters cannot break the line, but could colour or garble the log: shown
_CONTROL = re.compile("[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _visible(text: str) -> str:
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def escape_data(value: object) -> str:
    return _visible(str(value).translate(_DATA))


def escape_property(value: object) -> str:
    return _visible(str(value).translate(_PROPERTY))


def _command(result: CheckResult) -> str:
    if result.outcome is Outcome.OK:
        return "notice"
    if result.outcome is Outcome.BROKEN and severity(result) is not Severity.LOW:
        return "error"
    return "warning"


def _line(result: CheckResult, occurrence: Occurrence | None, paths: SourcePaths) -> str:
    props = []
    moved = permanent_redirect(result) if result.outcome is Outcome.OK else None
    reason = "permanent_redirect" if moved else (result.reason or result.outcome).value
    if occurrence is not None:
        props.append(f"file={escape_property(paths(occurrence.source.file))}")
        line = occurrence.source.line
        if isinstance(line, int) and not isinstance(line, bool) and line >= 1:
            props.append(f"line={line}")
    props.append(f"title={escape_property(f'linkcheck: {reason}')}")
    url = result.link.url
    if moved:
        message = f"{url} moved permanently to {moved}: update the link"
    else:
        detail = explain(result)
        message = f"{url} is {result.outcome.value}: {detail or reason}"
    if occurrence is not None:
        message += f" ({occurrence.source.field}, severity {severity(result).value})"
    return f"::{_command(result)} {','.join(props)}::{escape_data(message)}\n"


_FINDING_COMMAND = {"critical": "error", "high": "error", "medium": "warning"}


def _finding_line(finding: Finding, paths: SourcePaths) -> str:
    props = [f"file={escape_property(paths(finding.file))}"]
    line = finding.line
    if isinstance(line, int) and not isinstance(line, bool) and line >= 1:
        props.append(f"line={line}")
    props.append(f"title={escape_property(f'linkcheck: {enum_value(finding.check)}')}")
    message = f"{finding.message} ({finding.field}, severity {finding.severity})"
    command = _FINDING_COMMAND.get(str(finding.severity), "notice")
    return f"::{command} {','.join(props)}::{escape_data(message)}\n"


def write(report: Report, stream: TextIO, *, max_lines: int = MAX_LINES) -> None:
    paths = SourcePaths(report.run.inputs)
    written = 0
    left = 0
    for result in sarif_results(report):
        for occurrence in flagged_occurrences(result) or (None,):
            if written < max_lines:
                stream.write(_line(result, occurrence, paths))
                written += 1
            else:
                left += 1
    for finding in report.findings:
        if written < max_lines:
            stream.write(_finding_line(finding, paths))
            written += 1
        else:
            left += 1
    if left:
        stream.write(
            f"::notice title=linkcheck::{left} more not annotated (at most {max_lines}): "
            "see the full report\n"
        )


@dataclass(frozen=True, slots=True)
class _Github:
    name: str = "github"
    description: str = "GitHub Actions annotations (::error file=…,line=…::) per flagged citation"
    default_path: str | None = None

    def write(self, report: Report, stream: TextIO, *, options: RenderOptions) -> None:
        write(report, stream)


GITHUB = _Github()
