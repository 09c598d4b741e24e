"""What the demo library shows, URL by URL: the expected verdict of each showcase link, and
the AMP findings the demo library has on purpose (`FINDINGS`: exactly these, no other).

The command line prints these tables with the verdicts and findings the run actually gave;
the tests check the report against them. Paths are relative to a demo site
(`site.DemoSite.origins`), or to `AMP_CACHE_ORIGIN` (site "ampcache": never requested).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["AMP_CACHE_ORIGIN", "FINDINGS", "SHOWCASE", "Showcase", "ShowcaseFinding"]

#: Google's AMP cache host for pages of 127.0.0.1: the demo names it, and never requests it.
AMP_CACHE_ORIGIN = "https://127-0-0-1.cdn.ampproject.org"


@dataclass(frozen=True, slots=True)
class Showcase:
    site: str  # "news", "partner", "cdn", or "ampcache" (not a demo site: not requested)
    path: str
    what: str  # one line for people
    outcome: str  # the expected report outcome
    reason: str | None  # the expected report reason

    def url(self, origins: Mapping[str, str]) -> str:
        """The full URL on the running demo site (`news_host`: the news site's host:port)."""
        news_host = origins["news"].split("://", 1)[1]
        origin = AMP_CACHE_ORIGIN if self.site == "ampcache" else origins[self.site]
        return origin + self.path.replace("{news_host}", news_host)


@dataclass(frozen=True, slots=True)
class ShowcaseFinding:
    """An AMP finding the demo library has on purpose: in `file`, on the field `field`."""

    file: str
    field: str
    check: str
    what: str  # one line for people


SHOWCASE: tuple[Showcase, ...] = (
    Showcase("news", "/news/city-council-budget/", "a page that works", "ok", None),
    Showcase("news", "/news/city-council-budget/amp/", "its AMP page", "ok", None),
    Showcase(
        "cdn",
        "/c/s/{news_host}/news/city-council-budget/amp/",
        "its AMP cache copy",
        "ok",
        None,
    ),
    Showcase("cdn", "/img/chart.gif", "an image of the declared size", "ok", None),
    Showcase("news", "/gone/rail-unions-strike/", "a deleted page (404)", "broken", "http_status"),
    Showcase(
        "news", "/removed/election-live-blog/", "a removed page (410)", "broken", "http_status"
    ),
    Showcase(
        "news",
        "/moved/bridge-design/",
        "a permanent redirect (301): ok, but update the link to the new address",
        "ok",
        None,
    ),
    Showcase("news", "/go/2/marathon-map", "a short link: two 302 redirects", "ok", None),
    Showcase("news", "/loop/a", "a redirect loop", "broken", "redirect_loop"),
    Showcase(
        "news",
        "/flaky/storm-tracker/",
        "a server error (503) that recovers when retried",
        "ok",
        None,
    ),
    Showcase(
        "partner",
        "/busy/festival-tickets/",
        "rate-limited (429, Retry-After: 1): ok after the wait",
        "ok",
        None,
    ),
    Showcase(
        "news",
        "/members/head-coach-full-interview/",
        "a paywall (403): a warning, the page may be alive",
        "warning",
        "blocked",
    ),
    Showcase(
        "cdn",
        "/img/summit-1280.jpg",
        "a resized copy: declared 1280x720, actual 640x360 (same aspect ratio)",
        "broken",
        "image_dimension_mismatch",
    ),
    Showcase(
        "cdn",
        "/img/harbour.png",
        "a different image: declared 640x360, actual 400x400",
        "broken",
        "image_dimension_mismatch",
    ),
    Showcase(
        "cdn",
        "/img/lost-photo.jpg",
        "an HTML page served at an image URL",
        "broken",
        "not_an_image",
    ),
    Showcase("cdn", "/img/deleted.jpg", "a deleted image (404)", "broken", "http_status"),
    Showcase(
        "news",
        "/retired/ferry-strike-2019/",
        "a retired article redirected to the home page: a soft 404",
        "broken",
        "soft_404",
    ),
    Showcase(
        "partner",
        "/archiv/hafenfest-2019/",
        'a "Seite nicht gefunden" (page not found) page served with 200: a soft 404',
        "broken",
        "soft_404",
    ),
    Showcase(
        "ampcache",
        "/c/{news_host}/news/city-council-budget/amp/",
        "an AMP cache URL on cdn.ampproject.org: not requested (the demo stays on 127.0.0.1)",
        "skipped",
        "excluded",
    ),
)

FINDINGS: tuple[ShowcaseFinding, ...] = (
    ShowcaseFinding(
        "14_school_meals_not_amp.md",
        "ampWebUrl",
        "amp_not_amp",
        "an AMP page that lost its <html amp> attribute",
    ),
    ShowcaseFinding(
        "15_tram_wrong_cache_url.md",
        "cdnAmpWebUrl",
        "amp_cache_url",
        "a cdnAmpWebUrl: another article's AMP cache URL (found offline)",
    ),
)
