"""Article-level findings: facts about an article as a whole (its AMP pair, its AMP cache URL),
not about one link's verdict. The report's top-level `findings[]`. No I/O, no package imports."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["AmpPair", "Finding", "FindingCheck", "PairField"]


class FindingCheck(StrEnum):
    """The closed vocabulary of `findings[].check`."""

    # offline: cdnAmpWebUrl is on a known AMP cache but is not the cache URL of ampWebUrl
    AMP_CACHE_URL = "amp_cache_url"
    AMP_NOT_AMP = "amp_not_amp"  # the AMP page does not declare itself AMP (<html amp>)
    AMP_CANONICAL = "amp_canonical"  # the AMP page's canonical is not the article's webUrl
    AMPHTML_MISSING = "amphtml_missing"  # the webUrl page has no <link rel=amphtml> to it


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One article-level finding. `severity` uses the triage words (critical, high, medium,
    low). `field` is the front-matter field the finding is about (`cdnAmpWebUrl`,
    `related[2].ampWebUrl`) and `line` its file line; `expected` / `actual` are what the rule
    wanted and what it found (a URL, or a short phrase such as "<html amp>")."""

    check: FindingCheck
    file: str
    line: int | None
    field: str | None
    url: str | None
    expected: str | None
    actual: str | None
    severity: str
    message: str = ""


@dataclass(frozen=True, slots=True)
class PairField:
    """One URL field of an article entry, as the AMP checks need it."""

    url: str  # as written
    normalized: str | None  # the request URL (as links[].url), None when it is not valid
    field: str  # "ampWebUrl", "related[2].cdnAmpWebUrl" (the library's own names)
    line: int | None


@dataclass(frozen=True, slots=True)
class AmpPair:
    """An article (or one of its related entries): its URL, AMP URL and AMP cache URL."""

    file: str
    web: PairField | None
    amp: PairField | None
    cache: PairField | None
