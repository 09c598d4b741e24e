"""Soft-404 detection across links, once every link has its verdict.

A publisher that retires articles often redirects them to a section front (`/news/`), not to
the home page. One link redirected to `/news/` proves nothing (a section may have moved), but
several unrelated links landing on the same shallower page do: each of them is `soft_404`
when at least `MIN_SOURCES` links with different paths AND different slugs (last path
segments: old spellings of one article, `/2019/05/story.html`, `/amp/story`, `/story/`, that
all land on the article's new address are one witness, not three), all deeper than that page
and none a hop of another one's redirect chain, were redirected to exactly the same final URL.

The evidence for one link alone (a redirect to the home page, a "not found" title, the
host's not-found template) is found while checking it (`net/probe.py`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from urllib.parse import urlsplit

from linkcheck.config import Config
from linkcheck.models import CheckResult, LinkKind, Outcome, Reason

__all__ = ["MIN_SOURCES", "reclassify"]

MIN_SOURCES = 3  # distinct link paths landing on one shallower page

# final pages that are walls (sign-in, consent, subscription), not section fronts
_WALL = re.compile(
    r"log-?in|sign-?in|sign-?up|auth|account|subscri|consent|paywall|register|captcha|cookie",
    re.I,
)


def _path(url: str) -> str | None:
    try:
        return urlsplit(url).path or "/"
    except ValueError:
        return None


def _depth(path: str) -> int:
    return len([s for s in path.split("/") if s])


_EXTENSION = re.compile(r"\.(s?html?|php|aspx?|jsp|cfm|amp)$", re.I)
_NOT_SLUG = {"amp", "index", "print", "full", "story", "article"}


def _slug(path: str) -> str:
    """The last meaningful path segment, lower case, without an extension: `/news/2019/
    Story.html/amp` -> "story" (the part of an article's address that names it)."""
    for segment in reversed([s for s in path.split("/") if s]):
        segment = _EXTENSION.sub("", segment.lower())
        if segment and segment not in _NOT_SLUG:
            return segment
    return ""


def reclassify(results: Sequence[CheckResult], config: Config) -> list[CheckResult]:
    """Results after the cross-link pass: links redirected to a section front that many
    unrelated links also land on become `soft_404` (the rest are returned as they are)."""
    out = list(results)
    if not config.soft_404:
        return out
    landing: dict[str, list[int]] = defaultdict(list)
    for i, result in enumerate(out):
        if (
            result.outcome is Outcome.OK
            and result.redirects
            and result.final_url
            and result.link.kind is not LinkKind.IMAGE
        ):
            landing[result.final_url].append(i)
    for final, indexes in landing.items():
        if len(indexes) < MIN_SOURCES:
            continue
        final_path = _path(final)
        if final_path is None or _WALL.search(final_path):
            continue
        depth = _depth(final_path)
        # a link that is a hop of another one's chain (/a -> /b -> /news/, both cited) is
        # not an unrelated witness
        inner = {hop.url for i in indexes for hop in out[i].redirects[1:]}
        deeper: list[int] = []
        paths: set[str] = set()
        slugs: set[str] = set()
        final_slug = _slug(final_path)
        for i in indexes:
            path = _path(out[i].link.url)
            if path is not None and _depth(path) > depth:
                deeper.append(i)
                slug = _slug(path)
                if out[i].link.url not in inner and slug != final_slug:
                    paths.add(path.rstrip("/"))
                    slugs.add(slug)
        if len(paths) < MIN_SOURCES or len(slugs) < MIN_SOURCES:
            continue
        for i in deeper:
            result = out[i]
            hops = len(result.redirects)
            others = len(deeper) - 1
            detail = (
                f"soft 404: redirects to the section front {final} ({hops} "
                f"hop{'s' if hops > 1 else ''}), where {others} other links also land"
            )
            out[i] = replace(result, outcome=Outcome.BROKEN, reason=Reason.SOFT_404, detail=detail)
    return out
