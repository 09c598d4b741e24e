"""Triage: which links to fix first. Pure functions of results; no I/O.

`severity(result)` ranks a link for people and dashboards. The rules, first match wins:

- none: ok and not a permanent redirect; skipped; `not_checked` (nothing is known yet)
- low: ok through a permanent redirect (301/308): update the link
- low: any other warning (`blocked`, `rate_limited`, `internal_error`)
- low: `image_dimension_mismatch` where every wrong citation keeps the aspect ratio (a resized
  copy of the right image: only the declared numbers are off)
- medium: `image_dimension_mismatch` where a citation has another aspect ratio (another image?)
- critical: broken and cited somewhere as an article's own `webUrl` / `ampWebUrl`: an article
  is down (whatever the link's kind, wherever else it is cited)
- high: a broken image (dead, `not_an_image`) or AMP cache URL (`cdnAmpWebUrl`)
- medium: a broken image that sent bytes we cannot decode (`image_unreadable`)
- medium: any other broken link (body, `related[]`, other fields)

Then two adjustments to broken links (never to size mismatches):

- transient reasons (`timeout`, `connect`, `protocol_error`, HTTP 5xx or 429) are one level
  lower (down to low) on a first failure: they are often gone by the next run. A link that has
  failed `TRANSIENT_RUNS` runs in a row (its `history.failing_runs`) keeps its level.
- a broken link cited by `MANY_ARTICLES` or more distinct articles (by `article_key`, else file)
  is one level higher, up to high: critical stays reserved for "an article's own URL is dead",
  so a dead `webUrl` always outranks the most-cited broken image.

`permanent_redirect(result)` is the URL to write instead of the link, when the link works but the
server said "moved permanently": the redirect chain starts with one or more 301/308 hops, and the
replacement is where those permanent hops lead (A -301-> B -302-> C suggests B, since C is only a
temporary location; A -302-> B -301-> C suggests nothing: A itself is the stable address). The
chain must end at a working resource (ok, or an image whose only fault is its declared size): a
chain that ends broken suggests nothing, because its target is dead too; the broken listing
already shows where the chain went.

`source_outcome(result, occurrence)` is the outcome of one citation: the link's outcome, except
for an image whose only fault is its declared size, where each citation has its own verdict (a
link can be fine for one article and mismatched for another).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from linkcheck.models import CheckResult, LinkKind, Occurrence, Outcome, Reason, Report

__all__ = [
    "MANY_ARTICLES",
    "OWN_URL_FIELDS",
    "PERMANENT_STATUSES",
    "TRANSIENT_RUNS",
    "Severity",
    "TriageSummary",
    "article_of",
    "permanent_redirect",
    "severity",
    "source_outcome",
    "triage_summary",
]

PERMANENT_STATUSES = frozenset({301, 308})
OWN_URL_FIELDS = frozenset({"webUrl", "ampWebUrl"})  # exact field paths: not related[0].webUrl
MANY_ARTICLES = 10  # a broken URL cited by this many articles is raised one level (up to high)
TRANSIENT_RUNS = 2  # a transient failure this many runs in a row is no longer discounted


class Severity(StrEnum):
    """Most urgent first. `none`: nothing to do."""

    CRITICAL = "critical"  # an article's own URL (webUrl / ampWebUrl) is dead
    HIGH = "high"  # a dead image or AMP cache URL; a dead link cited by many articles
    MEDIUM = "medium"  # a dead link in a body or related article; an image of the wrong shape
    LOW = "low"  # a resized copy of the right image; a warning; a permanent redirect to update
    NONE = "none"  # ok, skipped, not checked


_ORDER = tuple(Severity)
_TRANSIENT_REASONS = frozenset({Reason.TIMEOUT, Reason.CONNECT, Reason.PROTOCOL_ERROR})


def _raised(level: Severity) -> Severity:
    """One level more urgent, up to high (critical is only ever earned by an own URL)."""
    if level in (Severity.CRITICAL, Severity.HIGH):
        return level
    return _ORDER[_ORDER.index(level) - 1]


def _lowered(level: Severity) -> Severity:
    """One level less urgent, down to low (a broken link always leaves something to do)."""
    return _ORDER[min(_ORDER.index(level) + 1, _ORDER.index(Severity.LOW))]


def _works(result: CheckResult) -> bool:
    """The URL answered with a usable resource (an image's size verdicts aside)."""
    return result.outcome == Outcome.OK or result.reason == Reason.IMAGE_DIMENSION_MISMATCH


def permanent_redirect(result: CheckResult) -> str | None:
    """The URL to write instead, when the chain starts with permanent redirects (301/308) and
    ends at a working resource; None otherwise (see the module docstring)."""
    hops = result.redirects
    if not hops or hops[0].status not in PERMANENT_STATUSES or not _works(result):
        return None
    permanent = 0
    while permanent < len(hops) and hops[permanent].status in PERMANENT_STATUSES:
        permanent += 1
    target = hops[permanent].url if permanent < len(hops) else result.final_url
    if not target or target == result.link.url:
        return None
    return target


def article_of(occurrence: Occurrence) -> str:
    """The article an occurrence belongs to: its `article_key`, else its file."""
    key = occurrence.source.article_key
    return f"key:{key}" if key else f"file:{occurrence.source.file}"


def _own_url(result: CheckResult) -> bool:
    """Cited as an article's own URL (webUrl / ampWebUrl) somewhere, not only linked to."""
    for o in result.link.occurrences:  # noqa: SIM110 - a plain loop is faster; runs per link
        if o.source.field in OWN_URL_FIELDS:
            return True
    return False


def _transient(result: CheckResult) -> bool:
    if result.reason in _TRANSIENT_REASONS:
        return True
    status = result.http_status
    return (
        result.reason == Reason.HTTP_STATUS
        and status is not None
        and (status == 429 or 500 <= status <= 599)
    )


def _many_articles(result: CheckResult) -> bool:
    occurrences = result.link.occurrences
    if len(occurrences) < MANY_ARTICLES:
        return False
    return len({article_of(o) for o in occurrences}) >= MANY_ARTICLES


def severity(result: CheckResult) -> Severity:
    """How urgent this result is to fix (the rules are in the module docstring)."""
    outcome = result.outcome
    if outcome == Outcome.OK:
        return Severity.LOW if permanent_redirect(result) else Severity.NONE
    if outcome == Outcome.SKIPPED or result.reason == Reason.NOT_CHECKED:
        return Severity.NONE
    if outcome == Outcome.WARNING:
        return Severity.LOW
    if result.reason == Reason.IMAGE_DIMENSION_MISMATCH:
        reshaped = any(
            o.verdict is not None
            and o.verdict.matches is False
            and o.verdict.aspect_ratio_matches is False
            for o in result.link.occurrences
        )
        return Severity.MEDIUM if reshaped else Severity.LOW
    if _own_url(result):
        level = Severity.CRITICAL
    elif result.link.kind == LinkKind.AMP_CACHE:
        level = Severity.HIGH
    elif result.link.kind == LinkKind.IMAGE:
        level = Severity.MEDIUM if result.reason == Reason.IMAGE_UNREADABLE else Severity.HIGH
    else:
        level = Severity.MEDIUM
    if _transient(result):
        runs = result.history.failing_runs if result.history is not None else 1
        if not isinstance(runs, int) or runs < TRANSIENT_RUNS:  # odd values: a first failure
            level = _lowered(level)
    if _many_articles(result):
        level = _raised(level)
    return level


def source_outcome(result: CheckResult, occurrence: Occurrence) -> Outcome:
    """The outcome of one citation: the link's, except for an image whose only fault is its
    declared size, where a citation is broken only if its own declared size is wrong."""
    if result.reason == Reason.IMAGE_DIMENSION_MISMATCH:
        verdict = occurrence.verdict
        return Outcome.BROKEN if verdict is not None and verdict.matches is False else Outcome.OK
    return result.outcome


# --------------------------------------------------------------------------- summary


@dataclass(frozen=True, slots=True, kw_only=True)
class TriageSummary:
    """The report's `summary.triage`: links per severity (every severity, most urgent first),
    links to update (those with a `permanent_redirect`), and the distinct articles (by
    article_key, else file) and files citing at least one broken link (per citation: see
    `source_outcome`)."""

    severities: Mapping[str, int]
    permanent_redirects: int
    articles_affected: int
    files_affected: int

    def as_dict(self) -> dict[str, object]:
        return {
            "severities": dict(self.severities),
            "permanent_redirects": self.permanent_redirects,
            "articles_affected": self.articles_affected,
            "files_affected": self.files_affected,
        }


def triage_summary(
    results: Report | Iterable[CheckResult], levels: Iterable[Severity] | None = None
) -> TriageSummary:
    """Count severities, permanent redirects and affected articles/files over `results`.
    `levels`, when the caller already has them, are the severities of `results` in order."""
    items = results.results if isinstance(results, Report) else results
    counts = dict.fromkeys(Severity, 0)
    redirects = 0
    articles: set[str] = set()
    files: set[str] = set()
    known = iter(levels) if levels is not None else None
    for r in items:
        counts[next(known) if known is not None else severity(r)] += 1
        if permanent_redirect(r) is not None:
            redirects += 1
        if r.outcome != Outcome.BROKEN:
            continue
        for o in r.link.occurrences:
            if source_outcome(r, o) == Outcome.BROKEN:
                articles.add(article_of(o))
                files.add(o.source.file)
    return TriageSummary(
        severities={level.value: n for level, n in counts.items()},
        permanent_redirects=redirects,
        articles_affected=len(articles),
        files_affected=len(files),
    )
