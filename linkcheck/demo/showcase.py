"""What the demo library shows, URL by URL: the expected verdict of each showcase link.

The command line prints this table with the verdicts the run actually gave; the tests check
the report against it. Paths are relative to a demo site (`site.DemoSite.origins`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["SHOWCASE", "Showcase"]


@dataclass(frozen=True, slots=True)
class Showcase:
    site: str  # "news", "partner" or "cdn"
    path: str
    what: str  # one line for people
    outcome: str  # the expected report outcome
    reason: str | None  # the expected report reason

    def url(self, origins: Mapping[str, str]) -> str:
        """The full URL on the running demo site (`news_host`: the news site's host:port)."""
        news_host = origins["news"].split("://", 1)[1]
        return origins[self.site] + self.path.replace("{news_host}", news_host)


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
)
