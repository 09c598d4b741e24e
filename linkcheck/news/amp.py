"""AMP pair checks: article-level findings about an article's URL, AMP URL and AMP cache URL,
made once every link has its verdict (`news.finish`). Nothing here makes a request.

* `amp_cache_url` (offline): the AMP cache URL is on a known AMP cache (Google's, Bing's) but
  is not the cache URL of the AMP URL on that cache (`amp_cache.cache_url`). A cache URL on any
  other host is not judged.
* `amp_not_amp`: the AMP page was read (ok, 2xx) and does not declare itself AMP.
* `amp_canonical`: the AMP page (read, and AMP) names no canonical, or one that is neither the
  article's URL nor where that URL ends after its redirects.
* `amphtml_missing`: the article's page was read (ok, 2xx) and has no `<link rel=amphtml>`, or
  one that is neither the AMP URL nor where that URL ends after its redirects.

A page check needs the page's own verdict to be ok (a dead or refused page is reported as a
link already, not a second time here), and the other side of the pair not broken. URLs are
compared in their normalised form (the form `links[].url` has). Severity: a wrong cache URL
and a page that is not AMP break what AMP readers get (high); canonical and amphtml links
are discovery and attribution metadata, readers still get the article (medium).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from linkcheck.collect.library import Collected
from linkcheck.collect.pairs import request_url
from linkcheck.config import Config
from linkcheck.models import AmpPair, CheckResult, Finding, FindingCheck, Outcome, PairField
from linkcheck.news.amp_cache import cache_domain_of, cache_url

__all__ = ["SEVERITY", "article_findings", "cache_url_finding"]

SEVERITY: dict[FindingCheck, str] = {
    FindingCheck.AMP_CACHE_URL: "high",
    FindingCheck.AMP_NOT_AMP: "high",
    FindingCheck.AMP_CANONICAL: "medium",
    FindingCheck.AMPHTML_MISSING: "medium",
}
_AMP_HTML = "<html amp> or <html \u26a1>"
_NOT_AMP = "no amp attribute on <html>"
_UNSEEN = object()


class _Urls:
    """Request URLs of the URLs pages name (canonical, amphtml), each worked out once per run:
    an article page is often cited by many articles."""

    def __init__(self) -> None:
        self._seen: dict[str, str | None] = {}

    def __call__(self, text: str | None) -> str | None:
        if text is None:
            return None
        found = self._seen.get(text, _UNSEEN)
        if found is _UNSEEN:
            found = self._seen[text] = request_url(text)
        return found  # type: ignore[return-value]


def article_findings(
    collected: Collected, results: Sequence[CheckResult], config: Config
) -> list[Finding]:
    """The article-level AMP findings of a run (none when `config.amp_checks` is off)."""
    if not config.amp_checks or not collected.pairs:
        return []
    by_url = {r.link.url: r for r in results}
    urls = _Urls()
    findings: list[Finding] = []
    for pair in collected.pairs:
        findings.extend(_pair_findings(pair, by_url, urls))
    return findings


def _pair_findings(pair: AmpPair, by_url: dict[str, CheckResult], urls: _Urls) -> Iterator[Finding]:
    web, amp, cache = pair.web, pair.amp, pair.cache
    if cache is not None and amp is not None:
        found = cache_url_finding(pair.file, amp, cache)
        if found is not None:
            yield found
    amp_result = _result(amp, by_url)
    web_result = _result(web, by_url)
    if amp is not None and _read(amp_result):
        assert amp_result is not None and amp_result.page is not None
        if not amp_result.page.amp:
            final = amp_result.final_url
            moved = f" (it redirects to {final})" if final and final != amp.normalized else ""
            yield _finding(
                FindingCheck.AMP_NOT_AMP,
                pair.file,
                amp,
                _AMP_HTML,
                _NOT_AMP,
                f"The AMP page in {amp.field}{moved} is not AMP: its <html> tag has no amp "
                "(\u26a1) attribute, so AMP caches and viewers will not serve it.",
            )
        elif web is not None and web.normalized is not None and not _broken(web_result):
            found = _canonical(pair.file, amp, web, amp_result, web_result, urls)
            if found is not None:
                yield found
    if web is not None and amp is not None and _read(web_result) and not _broken(amp_result):
        assert web_result is not None
        found = _amphtml(pair.file, web, amp, web_result, amp_result, urls)
        if found is not None:
            yield found


def cache_url_finding(file: str, amp: PairField, cache: PairField) -> Finding | None:
    """The `amp_cache_url` finding of one pair, or None (right, or not judged)."""
    if amp.normalized is None or cache.normalized is None:
        return None
    # a request URL is scheme://[user@]host[:port]/...: its host without parsing it again
    authority = cache.normalized.partition("://")[2].partition("/")[0]
    domain = cache_domain_of(authority.rpartition("@")[2].partition(":")[0])
    if domain is None:
        return None  # not on a known AMP cache: not judged
    expected = cache_url(amp.normalized, domain)
    if cache.normalized == request_url(expected) or _equivalent(amp, cache, domain):
        return None
    return _finding(
        FindingCheck.AMP_CACHE_URL,
        file,
        cache,
        expected,
        cache.url,
        f"{cache.field} is not the AMP cache URL of {amp.field}: on {domain} it should "
        f"be {expected}.",
    )


def _equivalent(amp: PairField, cache: PairField, domain: str) -> bool:
    """The cache URL is one of the other spellings of the right one: the AMP URL's host as
    written (Unicode) in its path, a non-default port left out (as the reference
    implementation does), a root path without its "/"."""
    assert amp.normalized is not None
    for source in (amp.normalized, amp.url):
        for keep_port in (True, False):
            try:
                candidate = cache_url(source, domain, keep_port=keep_port)
            except ValueError:
                continue
            for spelling in (candidate, candidate.rstrip("/")):
                if request_url(spelling) == cache.normalized:
                    return True
    return False


def _canonical(
    file: str,
    amp: PairField,
    web: PairField,
    amp_result: CheckResult,
    web_result: CheckResult | None,
    urls: _Urls,
) -> Finding | None:
    assert amp_result.page is not None
    canonical = amp_result.page.canonical
    normalized = urls(canonical)
    if normalized is not None and _leads_to(normalized, web, web_result):
        return None
    if canonical is None:
        message = (
            f"The AMP page in {amp.field} has no <link rel=canonical>; it should point to "
            f"the article's URL {web.normalized}."
        )
    else:
        message = (
            f"The AMP page in {amp.field} names {canonical} as its canonical page, not the "
            f"article's URL {web.normalized}."
        )
    return _finding(FindingCheck.AMP_CANONICAL, file, amp, web.normalized, canonical, message)


def _amphtml(
    file: str,
    web: PairField,
    amp: PairField,
    web_result: CheckResult,
    amp_result: CheckResult | None,
    urls: _Urls,
) -> Finding | None:
    assert web_result.page is not None
    if amp.normalized is None or amp.normalized == web.normalized:
        return None  # an AMP page that is its own canonical needs no amphtml link
    amphtml = web_result.page.amphtml
    normalized = urls(amphtml)
    if normalized is not None and _leads_to(normalized, amp, amp_result):
        return None
    if amphtml is None:
        message = (
            f"The page in {web.field} has no <link rel=amphtml> pointing to its AMP "
            f"version {amp.normalized}."
        )
    else:
        message = (
            f"The page in {web.field} links to {amphtml} as its AMP version "
            f"(<link rel=amphtml>), not to {amp.normalized}."
        )
    return _finding(FindingCheck.AMPHTML_MISSING, file, web, amp.normalized, amphtml, message)


# --------------------------------------------------------------------------- helpers


def _result(field: PairField | None, by_url: dict[str, CheckResult]) -> CheckResult | None:
    if field is None or field.normalized is None:
        return None
    return by_url.get(field.normalized)


def _read(result: CheckResult | None) -> bool:
    """The page was answered with a 2xx, judged ok, and its head was read."""
    return (
        result is not None
        and result.outcome is Outcome.OK
        and result.page is not None
        and (result.http_status is None or 200 <= result.http_status < 300)
    )


def _broken(result: CheckResult | None) -> bool:
    return result is not None and result.outcome is Outcome.BROKEN


_TRACKING = re.compile(r"(?:utm_[a-z]+|fbclid|gclid|mc_cid|mc_eid)=", re.IGNORECASE)


def _untracked(url: str) -> str:
    """`url` without campaign-tracking query parameters (utm_*, fbclid...): a library's URL
    often carries them, a page's canonical never does."""
    base, sep, query = url.partition("?")
    if not sep or not _TRACKING.search(query):
        return url
    kept = [p for p in query.split("&") if p and not _TRACKING.match(p)]
    return f"{base}?{'&'.join(kept)}" if kept else base


def _leads_to(url: str, field: PairField, result: CheckResult | None) -> bool:
    """`url` (normalised) is where the URL field leads: as written or after its redirects,
    tracking parameters aside."""
    final = result.final_url if result is not None else None
    if url == field.normalized or url == final:
        return True
    bare = _untracked(url)
    return any(_untracked(u) == bare for u in (field.normalized, final) if u)


def _finding(
    check: FindingCheck,
    file: str,
    field: PairField,
    expected: str | None,
    actual: str | None,
    message: str,
) -> Finding:
    return Finding(
        check=check,
        file=file,
        line=field.line,
        field=field.field,
        url=field.normalized or field.url,
        expected=expected,
        actual=actual,
        severity=SEVERITY[check],
        message=message,
    )
