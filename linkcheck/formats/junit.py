"""`junit`: JUnit XML for CI test reports (GitLab, Jenkins, Azure, GitHub test reporters).

One `<testsuite>` per article file, one `<testcase>` per broken citation in it (a link cited by
three articles fails in all three; for a size mismatch only the citations whose declared size
is wrong fail), each carrying a `<failure>` with the reason as `type`, a one-line `message` and
the details as text. Only broken citations are listed: warnings and ok links are not failures.
A run with nothing broken writes a `<testsuites>` with no suite (tests="0").

Every value is escaped, and characters XML 1.0 cannot hold at all (control characters in a URL
or title, lone surrogates) are written visibly as `\\xNN` / `\\uNNNN`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from linkcheck.formats.paths import SourcePaths
from linkcheck.formats.rows import elapsed_ms, flagged, flagged_occurrences
from linkcheck.models import CheckResult, Occurrence, Report
from linkcheck.report import explain
from linkcheck.report.triage import severity

if TYPE_CHECKING:
    from linkcheck.formats.registry import RenderOptions

__all__ = ["JUNIT", "attr", "text", "write"]

_NO_FILE = "(no source file)"
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ATTR = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\n": "&#10;",
        "\r": "&#13;",
        "\t": "&#9;",
    }
)
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


def _legal(value: object) -> str:
    s = value if isinstance(value, str) else str(value)
    return _ILLEGAL.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}"
        ),
        s,
    )


def attr(value: object) -> str:
    """`value` as the inside of a double-quoted XML attribute."""
    return _legal(value).translate(_ATTR)


def text(value: object) -> str:
    """`value` as XML character data."""
    return _legal(value).translate(_TEXT)


def _seconds(value: object) -> str:
    """Seconds to the millisecond, as the JSON report keeps them (same text from a saved one)."""
    ms = elapsed_ms(value)
    return f"{ms / 1000:.3f}" if ms is not None else "0.000"


def _case(result: CheckResult, occurrence: Occurrence | None, file: str, path: str) -> str:
    reason = result.reason.value if result.reason is not None else result.outcome.value
    detail = explain(result)
    field = occurrence.source.field if occurrence is not None else "link"
    line = occurrence.source.line if occurrence is not None else None
    where = f"{field}:{line}" if isinstance(line, int) else field
    details = [
        f"url: {result.link.url}",
        f"reason: {reason}",
        f"severity: {severity(result).value}",
        f"where: {path} {where}",
    ]
    if result.http_status is not None:
        details.append(f"http_status: {result.http_status}")
    if result.final_url and result.final_url != result.link.url:
        details.append(f"final_url: {result.final_url}")
    if occurrence is not None and occurrence.source.title:
        details.append(f"title: {occurrence.source.title}")
    if detail:
        details.append(f"detail: {detail}")
    line_attr = f' line="{line}"' if isinstance(line, int) else ""
    message = f"{reason}: {detail}" if detail else reason
    return (
        f'    <testcase classname="{attr(file)}" name="{attr(f"{where} {result.link.url}")}"'
        f' file="{attr(path)}"{line_attr} time="{_seconds(result.elapsed)}">\n'
        f'      <failure type="{attr(reason)}" message="{attr(message)}">'
        f"{text(chr(10).join(details))}</failure>\n"
        "    </testcase>\n"
    )


def _line_key(item: tuple[CheckResult, Occurrence | None]) -> tuple[int, str, str]:
    result, occurrence = item
    if occurrence is None:
        return (0, "", result.link.url)
    line = occurrence.source.line
    return (line if isinstance(line, int) else 0, str(occurrence.source.field), result.link.url)


def write(report: Report, stream: TextIO) -> None:
    by_file: dict[str, list[tuple[CheckResult, Occurrence | None]]] = {}
    for result in flagged(report):
        occurrences = flagged_occurrences(result)
        if not occurrences:
            by_file.setdefault(_NO_FILE, []).append((result, None))
        for o in occurrences:
            by_file.setdefault(str(o.source.file) or _NO_FILE, []).append((result, o))
    paths = SourcePaths(report.run.inputs)
    total = sum(len(cases) for cases in by_file.values())
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(
        f'<testsuites name="linkcheck" tests="{total}" failures="{total}" errors="0"'
        f' time="{_seconds(report.run.duration_s)}">\n'
    )
    for file in sorted(by_file):
        cases = sorted(by_file[file], key=_line_key)
        stream.write(
            f'  <testsuite name="{attr(file)}" tests="{len(cases)}" failures="{len(cases)}"'
            f' errors="0" skipped="0" timestamp="{attr(report.run.started_at)}">\n'
        )
        for result, occurrence in cases:
            stream.write(_case(result, occurrence, file, paths(file) if file != _NO_FILE else file))
        stream.write("  </testsuite>\n")
    stream.write("</testsuites>\n")


@dataclass(frozen=True, slots=True)
class _Junit:
    name: str = "junit"
    description: str = "JUnit XML: one failing test case per broken citation, a suite per file"
    default_path: str | None = "linkcheck-junit.xml"

    def write(self, report: Report, stream: TextIO, *, options: RenderOptions) -> None:
        write(report, stream)


JUNIT = _Junit()
