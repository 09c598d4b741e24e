"""The "AMP findings" block of the human summary: counts by check, then the most urgent few
findings where they must be fixed (file:line, field). Every value from an article or a server
goes through `clean`. The whole list is in the JSON report's `findings[]`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from linkcheck.formats.text_style import Style, clean, line_number, plural
from linkcheck.models import Finding
from linkcheck.report import enum_value

__all__ = ["SHOWN", "findings_block", "where"]

SHOWN = 5  # findings listed without --verbose
_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def where(finding: Finding) -> str:
    """`file:line field` (the line and field when known)."""
    place = clean(finding.file)
    line = line_number(finding.line)
    if line is not None:
        place = f"{place}:{line}"
    return f"{place} {clean(finding.field)}" if finding.field else place


def _ranked(findings: Sequence[Finding]) -> list[Finding]:
    # stable: the report's (file, line, field) order within one severity
    return sorted(findings, key=lambda f: _RANK.get(clean(f.severity), len(_RANK)))


def findings_block(findings: Sequence[Finding], st: Style, *, verbose: bool = False) -> list[str]:
    """The block's lines (a trailing blank line included), or none without findings."""
    if not findings:
        return []
    counts = Counter(clean(enum_value(f.check)) for f in findings)
    by_check = ", ".join(f"{n} {check}" for check, n in sorted(counts.items()))
    lines = [st.bold(f"AMP findings ({len(findings)}): {by_check}")]
    shown = _ranked(findings) if verbose else _ranked(findings)[:SHOWN]
    for f in shown:
        lines.append(
            f"  {where(f)}: {clean(f.severity)} {clean(enum_value(f.check))}: {clean(f.message)}"
        )
    hidden = len(findings) - len(shown)
    if hidden:
        lines.append(
            f"  ... and {plural(hidden, 'more finding')} (--verbose, or findings[] in the "
            "JSON report)"
        )
    lines.append("")
    return lines
