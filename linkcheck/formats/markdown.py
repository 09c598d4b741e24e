"""`markdown`: a GitHub job summary or pull-request comment.

The totals, then the broken links (most urgent first: severity, URL, reason, where), then the
links to update (permanent redirects), then the article-level AMP findings. GitHub caps a
comment at 65,536 characters and a job summary at 1 MiB, so the text is capped by BYTES
(`MAX_BYTES`, under both limits): a table that does not fit ends with "… and N more", and the
whole text never exceeds the cap.

Everything that comes from articles or servers is escaped: URLs and file names go in code
spans (a `|` escaped as GFM tables need), other text has Markdown and HTML punctuation
backslash-escaped, control characters shown as `\\xNN`, and long cells shortened.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from linkcheck.formats.rows import flagged, flagged_occurrences, urgency_key
from linkcheck.models import CheckResult, Finding, Outcome, Report
from linkcheck.report import enum_value, explain, summarize
from linkcheck.report.triage import permanent_redirect, severity, triage_summary

if TYPE_CHECKING:
    from linkcheck.formats.registry import RenderOptions

__all__ = ["MARKDOWN", "MAX_BYTES", "render"]

MAX_BYTES = 60_000  # under GitHub's 65,536-character comment limit, with room to spare
MAX_CELL = 200  # characters shown of one URL, detail or file name
MAX_WHERE = 3  # citations listed per link; the rest as "+N more"
_RESERVE = 200  # bytes kept back for the "… and N more" lines

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_PUNCT = re.compile(r"([\\`*_\[\]<>|~!#&$@])")


def _visible(text: object) -> str:
    s = text if isinstance(text, str) else str(text)
    s = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", s)
    return s if len(s) <= MAX_CELL else s[: MAX_CELL - 1] + "…"


def _text(text: object) -> str:
    """Plain text in a table cell: Markdown/HTML punctuation escaped."""
    return _PUNCT.sub(r"\\\1", _visible(text))


def _code(text: object) -> str:
    """A code span that holds any text (backticks, pipes) in a GFM table cell."""
    s = _visible(text).replace("|", "\\|")
    longest = max((len(run) for run in re.findall("`+", s)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if s.startswith("`") or s.endswith("`") or not s.strip() else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def _where(result: CheckResult) -> str:
    occurrences = flagged_occurrences(result)
    parts = []
    for o in occurrences[:MAX_WHERE]:
        s = o.source
        place = f"{s.file}:{s.line}" if isinstance(s.line, int) else str(s.file)
        parts.append(f"{_code(place)} ({_text(s.field)})")
    if len(occurrences) > MAX_WHERE:
        parts.append(f"+{len(occurrences) - MAX_WHERE} more")
    return ", ".join(parts) or "(no source file)"


def _broken_row(result: CheckResult) -> str:
    reason = str(result.reason.value if result.reason is not None else result.outcome.value)
    detail = explain(result)
    why = _text(reason) + (f": {_text(detail)}" if detail and detail != reason else "")
    return f"| {severity(result).value} | {_code(result.link.url)} | {why} | {_where(result)} |"


def _redirect_row(result: CheckResult) -> str:
    target = permanent_redirect(result) or ""
    return f"| {_code(result.link.url)} | {_code(target)} | {_where(result)} |"


def _finding_row(finding: Finding) -> str:
    place = f"{finding.file}:{finding.line}" if isinstance(finding.line, int) else finding.file
    where = f"{_code(place)} ({_text(finding.field)})" if finding.field else _code(place)
    return (
        f"| {_text(finding.severity)} | {_text(enum_value(finding.check))} | {where} "
        f"| {_text(finding.message)} |"
    )


class _Budget:
    """Writes while the text stays under the byte cap."""

    def __init__(self, stream: TextIO, cap: int) -> None:
        self.stream = stream
        self.left = cap

    def fits(self, text: str, reserve: int = 0) -> bool:
        return len(text.encode("utf-8", "backslashreplace")) + reserve <= self.left

    def write(self, text: str) -> None:
        self.stream.write(text)
        self.left -= len(text.encode("utf-8", "backslashreplace"))

    def table(self, header: str, rows: Iterable[str], total: int, what: str) -> None:
        shown = 0
        if not self.fits(header, _RESERVE):
            rows = ()
        else:
            self.write(header)
        for row in rows:
            line = row + "\n"
            if not self.fits(line, _RESERVE):
                break
            self.write(line)
            shown += 1
        if shown < total:
            self.write(f"\n… and {total - shown} more {what}: see the full report.\n")


def _totals(report: Report) -> list[str]:
    summary = summarize(report)
    triage = triage_summary(report)
    outcomes = summary.outcomes
    broken = outcomes.get(Outcome.BROKEN.value, 0)
    title = f"{broken} broken link{'s' if broken != 1 else ''}" if broken else "no broken links"
    if report.run.interrupted:
        title += " (interrupted: the report is incomplete)"
    lines = [f"## linkcheck: {title}", "", "| outcome | links |", "|---|---:|"]
    lines += [f"| {_text(name)} | {count} |" for name, count in outcomes.items()]
    lines += [
        "",
        f"{summary.unique_links} unique links in {summary.occurrences} citations, "
        f"{summary.articles} articles in {summary.files} files, "
        f"checked in {report.run.duration_s:.1f} s. "
        f"Articles affected: {triage.articles_affected}; "
        f"permanent redirects to update: {triage.permanent_redirects}; "
        f"problems reading articles: {summary.problems}.",
        "",
    ]
    return lines


def render(report: Report, stream: TextIO, *, max_bytes: int = MAX_BYTES) -> None:
    """Write the Markdown of `report` to `stream`, at most `max_bytes` bytes of UTF-8."""
    out = _Budget(stream, max_bytes)
    head = "\n".join(_totals(report)) + "\n"
    if not out.fits(head, _RESERVE):  # only with a tiny cap: keep what fits
        head = head.encode("utf-8")[: max(out.left - _RESERVE, 0)].decode("utf-8", "ignore")
    out.write(head)
    broken = flagged(report)
    if broken:
        out.table(
            "### Broken links\n\n| severity | url | reason | where |\n|---|---|---|---|\n",
            (_broken_row(r) for r in broken),
            len(broken),
            "broken links",
        )
    moved = sorted(
        (r for r in report.results if r.outcome is Outcome.OK and permanent_redirect(r)),
        key=urgency_key,
    )
    if moved:
        out.table(
            "\n### Links to update (permanent redirects)\n\n| url | now at | where |\n"
            "|---|---|---|\n",
            (_redirect_row(r) for r in moved),
            len(moved),
            "links to update",
        )
    if report.findings:
        out.table(
            "\n### AMP findings\n\n| severity | check | where | finding |\n|---|---|---|---|\n",
            (_finding_row(f) for f in report.findings),
            len(report.findings),
            "AMP findings",
        )


@dataclass(frozen=True, slots=True)
class _Markdown:
    name: str = "markdown"
    description: str = "totals and the broken links for a GitHub job summary or PR comment"
    default_path: str | None = None

    def write(self, report: Report, stream: TextIO, *, options: RenderOptions) -> None:
        render(report, stream)


MARKDOWN = _Markdown()
