"""The triage sections of the text summary: how urgent, what to fix first, what to update.

The rules live in `linkcheck.report.triage`; this module only words them for a person.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping

from linkcheck.formats.text_style import Style, clean, line_number, plural
from linkcheck.models import CheckResult, Occurrence, Outcome, Reason
from linkcheck.report import enum_value
from linkcheck.report.triage import (
    OWN_URL_FIELDS,
    Severity,
    TriageSummary,
    article_of,
    source_outcome,
)

__all__ = [
    "FIX_FIRST",
    "paint",
    "REDIRECTS_SHOWN",
    "fix_first",
    "severity_counts",
    "triage_head",
    "update_links",
]

_ARROW = "\u2192"
FIX_FIRST = 10  # links listed under "Fix first" (the full list by file follows)
REDIRECTS_SHOWN = 5  # permanent redirects listed without --verbose
_RANK = {level: i for i, level in enumerate(Severity)}


def paint(st: Style, level: Severity) -> Callable[[str], str]:
    return {
        Severity.CRITICAL: st.bold_red,
        Severity.HIGH: st.red,
        Severity.MEDIUM: st.yellow,
    }.get(level, st.dim)


def severity_counts(ranked: Iterable[tuple[Severity, CheckResult]], st: Style) -> str:
    """ "1 critical, 2 medium": the severities present among `ranked`, most urgent first."""
    counts = dict.fromkeys(Severity, 0)
    for level, _ in ranked:
        counts[level] += 1
    return ", ".join(
        paint(st, level)(f"{n} {level.value}")
        for level, n in counts.items()
        if n and level is not Severity.NONE
    )


def _shown_citation(result: CheckResult) -> Occurrence | None:
    """The citation that makes the link urgent: an own URL, else a broken one, else the first."""
    occurrences = result.link.occurrences
    for o in occurrences:
        if o.source.field in OWN_URL_FIELDS:
            return o
    for o in occurrences:
        if source_outcome(result, o) is Outcome.BROKEN:
            return o
    return occurrences[0] if occurrences else None


def _where(result: CheckResult) -> str:
    """Where to fix it (file field:line) and how many other articles cite the link."""
    shown = _shown_citation(result)
    if shown is None:
        return "(no source file)"
    src = shown.source
    line = line_number(src.line)
    text = f"{clean(src.file)} {clean(src.field)}" + (f":{line}" if line is not None else "")
    others = len({article_of(o) for o in result.link.occurrences} - {article_of(shown)})
    return text + (f", +{plural(others, 'more article')}" if others else "")


def _urgency(p: tuple[Severity, CheckResult]) -> tuple[int, int, str]:
    """Most urgent first; then the most cited; then by URL (a stable order)."""
    return (_RANK[p[0]], -len(p[1].link.occurrences), p[1].link.url)


def fix_first(ranked: list[tuple[Severity, CheckResult]], st: Style) -> list[str]:
    """The most urgent of `ranked` (severity, broken link) pairs, one line each: severity,
    URL, [why; where]."""
    top = heapq.nsmallest(FIX_FIRST, ranked, key=_urgency)
    if not top:
        return []
    width = max(len(level.value) for level, _ in top)
    lines = [st.bold("Fix first:")]
    for level, r in top:
        why = clean(enum_value(r.reason) or enum_value(r.outcome))
        if r.http_status is not None and why == Reason.HTTP_STATUS.value:
            why = f"HTTP {clean(r.http_status)}"
        label = paint(st, level)(level.value.ljust(width))
        lines.append(f"  {label}  {clean(r.link.url)}  [{why}; {_where(r)}]")
    if len(ranked) > len(top):
        lines.append(f"  (+{len(ranked) - len(top)} more, all listed by file below)")
    lines.append("")
    return lines


def update_links(moved: list[tuple[CheckResult, str]], verbose: bool, st: Style) -> list[str]:
    """Links that work through a permanent redirect, with the URL to write instead."""
    if not moved:
        return []
    shown = moved if verbose else moved[:REDIRECTS_SHOWN]
    lines = [st.bold(f"Update these links ({plural(len(moved), 'permanent redirect')}):")]
    for r, target in shown:
        lines.append(f"  {clean(r.link.url)}  {_ARROW} {clean(target)}  [{_where(r)}]")
    if len(shown) < len(moved):
        lines.append(f"  (+{len(moved) - len(shown)} more: --verbose lists them all)")
    lines.append("")
    return lines


_CHANGES = ("newly_broken", "fixed", "still_broken", "flapping")


def triage_head(t: TriageSummary, severities: str, history: Mapping[str, int] | None) -> list[str]:
    """The lines under the headline: the broken links by severity and the articles affected,
    changes since the last run, links to update."""
    lines = []
    affected = ""
    if t.articles_affected:
        affected = (
            f"{plural(t.articles_affected, 'article')} affected "
            f"(in {plural(t.files_affected, 'file')})"
        )
    if severities:
        lines.append(f"  severity: {severities}" + (f"; {affected}" if affected else ""))
    elif affected:
        lines.append(f"  {affected}")
    if history is not None:
        changes = [
            f"{n} {status.replace('_', ' ')}" for status in _CHANGES if (n := history.get(status))
        ]
        lines.append(f"  since the last run: {', '.join(changes) or 'no changes'}")
    if t.permanent_redirects:
        n = t.permanent_redirects
        lines.append(
            f"  {plural(n, 'link')} moved permanently: update {'it' if n == 1 else 'them'}"
        )
    return lines
