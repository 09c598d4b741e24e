"""Triage: which links to fix first. Pure functions of one result.

`severity` ranks a result for people and dashboards: a dead article URL (`webUrl`) is more
urgent than a resized image. `permanent_redirect` finds links that work but should be updated:
the chain ends ok through a 301/308, and the final URL is the suggested replacement.
"""

from __future__ import annotations

from enum import StrEnum

from linkcheck.models import CheckResult, LinkKind, Outcome, Reason

__all__ = ["PERMANENT_STATUSES", "Severity", "permanent_redirect", "severity"]

PERMANENT_STATUSES = frozenset({301, 308})


class Severity(StrEnum):
    """Most urgent first. `none`: nothing to do."""

    CRITICAL = "critical"  # the article's own URL (webUrl / ampWebUrl) is dead
    HIGH = "high"  # a dead image or AMP cache URL; anything broken cited very often
    MEDIUM = "medium"  # a dead link in a body or a related article; an image of the wrong shape
    LOW = "low"  # a resized copy of the right image; a warning; a permanent redirect to update
    NONE = "none"  # ok, skipped


_ORDER = tuple(Severity)
MANY_OCCURRENCES = 10  # a broken URL cited this often is raised one level


def _raise(level: Severity) -> Severity:
    i = _ORDER.index(level)
    return _ORDER[max(i - 1, 0)]


def permanent_redirect(result: CheckResult) -> str | None:
    """The final URL to write instead, when the link ends ok through a permanent redirect."""
    if result.outcome is not Outcome.OK or not result.redirects:
        return None
    if not any(h.status in PERMANENT_STATUSES for h in result.redirects):
        return None
    return result.final_url


def _own_url(result: CheckResult) -> bool:
    """Cited as an article's own URL (webUrl / ampWebUrl) somewhere, not only linked to."""
    return any(o.source.field in ("webUrl", "ampWebUrl") for o in result.link.occurrences)


def severity(result: CheckResult) -> Severity:
    """How urgent this result is to fix (see `Severity`)."""
    outcome = result.outcome
    if outcome is Outcome.OK:
        return Severity.LOW if permanent_redirect(result) else Severity.NONE
    if outcome is Outcome.SKIPPED:
        return Severity.NONE
    if outcome is Outcome.WARNING:
        return Severity.LOW
    if result.reason is Reason.IMAGE_DIMENSION_MISMATCH:
        aspect_kept = all(
            o.verdict is None or o.verdict.aspect_ratio_matches is not False
            for o in result.link.occurrences
        )
        return Severity.LOW if aspect_kept else Severity.MEDIUM
    if result.link.kind in (LinkKind.PAGE, LinkKind.AMP) and _own_url(result):
        level = Severity.CRITICAL
    elif result.link.kind in (LinkKind.IMAGE, LinkKind.AMP_CACHE):
        level = Severity.HIGH
    else:
        level = Severity.MEDIUM
    if len(result.link.occurrences) >= MANY_OCCURRENCES:
        level = _raise(level)
    return level
