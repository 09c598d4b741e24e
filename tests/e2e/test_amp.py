"""AMP pair checks end to end: a web of article pages (127.0.0.2) and AMP pages (127.0.0.3) on
real loopback servers, a library where a share of the articles has each kind of AMP fault and
the rest are healthy, the CLI run in-process. The findings must be exact: every fault found at
its file, field and line, nothing for a healthy pair, nothing with --no-amp-checks.

The cdnAmpWebUrl values are on cdn.ampproject.org, a real host: they are excluded from
checking (`--exclude`), so no socket is ever opened outside 127/8, and the cache-URL rule,
which needs no request, still judges them.
"""

from __future__ import annotations

from typing import Any

import pytest
from e2ekit import LibraryFactory, RunCli, SitesFactory
from sitekit import Response, Site

EXCLUDE_CACHE = ("--exclude", r"cdn\.ampproject\.org")
FILLER = (
    "<p>The council met on Tuesday to discuss the budget for the coming year, and the "
    "debate ran late into the evening as members argued over road repairs.</p>"
)


def web_page(slug: str, canonical: str, amphtml: str | None) -> Response:
    link = f'<link rel="amphtml" href="{amphtml}">' if amphtml else ""
    return Response.html(
        f'<!doctype html><html lang="en"><head><title>Story {slug}</title>'
        f'<link rel="canonical" href="{canonical}">{link}</head>'
        f"<body><h1>Story {slug}</h1>{FILLER}<p>{slug} in detail.</p></body></html>"
    )


def amp_page(slug: str, canonical: str | None, amp: bool = True) -> Response:
    marker = " amp" if amp else ""
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return Response.html(
        f'<!doctype html><html{marker} lang="en"><head><meta charset="utf-8">'
        f"<title>Story {slug} (AMP)</title>{link}</head>"
        f"<body><h1>Story {slug}</h1>{FILLER}<p>{slug}, the AMP version.</p></body></html>"
    )


class Web:
    """The article pages on `w` and their AMP pages on `a`, healthy unless told otherwise."""

    def __init__(self, w: Site, a: Site) -> None:
        self.w, self.a = w, a

    def web(self, slug: str) -> str:
        return self.w.url(f"/story/{slug}")

    def amp(self, slug: str) -> str:
        return self.a.url(f"/amp/{slug}")

    def cache(self, slug: str) -> str:
        # http publisher URL: no /s/; the non-default port is kept next to the host
        return f"https://127-0-0-3.cdn.ampproject.org/c/{self.a.host}/amp/{slug}"

    def serve(
        self,
        slug: str,
        *,
        amphtml: bool = True,
        amp: bool = True,
        canonical: str | None | bool = True,
        amp_status: int = 200,
    ) -> None:
        self.w.route(
            f"/story/{slug}", web_page(slug, self.web(slug), self.amp(slug) if amphtml else None)
        )
        if amp_status != 200:
            self.a.route(f"/amp/{slug}", Response.html("<html><p>gone</p></html>", amp_status))
            return
        target = self.web(slug) if canonical is True else canonical or None
        self.a.route(f"/amp/{slug}", amp_page(slug, target, amp=amp))

    def entry(self, slug: str, indent: str = "", cache: str | None = None) -> list[str]:
        return [
            f'{indent}webUrl: "{self.web(slug)}"',
            f'{indent}ampWebUrl: "{self.amp(slug)}"',
            f'{indent}cdnAmpWebUrl: "{cache or self.cache(slug)}"',
        ]


def article(web: Web, slug: str, related: tuple[str, ...] = (), cache: str | None = None) -> str:
    """Lines: webUrl 3, ampWebUrl 4, cdnAmpWebUrl 5; related[j]: 8+4j, 9+4j, 10+4j."""
    lines = ["---", f'title: "Article {slug}"', *web.entry(slug, cache=cache)]
    if related:
        lines.append("related:")
        for r in related:
            lines.append(f'  - title: "Related {r}"')
            lines.extend(web.entry(r, "    "))
    lines += ["---", f"The story of {slug}.", ""]
    return "\n".join(lines)


@pytest.fixture
def amp_web(sites: SitesFactory, library: LibraryFactory) -> tuple[Web, Any]:
    w, a = sites(2)
    web = Web(w, a)
    for slug in ("h1", "h2", "h3", "h4", "h5", "r-ok"):
        web.serve(slug)
    web.serve("not-amp", amp=False)
    web.serve("canon-away", canonical=web.web("somewhere-else"))
    web.serve("canon-none", canonical=None)
    web.serve("no-amphtml", amphtml=False)
    web.serve("amp-gone", amp_status=404)
    # a web URL that moved permanently: its AMP page names the new home, which is no fault
    w.route("/story/moved", Response.redirect(w.url("/story/moved-home"), 301))
    w.route("/story/moved-home", web_page("moved", w.url("/story/moved-home"), web.amp("moved")))
    a.route("/amp/moved", amp_page("moved", w.url("/story/moved-home")))
    files = {
        "healthy-1.md": article(web, "h1", ("r-ok",)),
        "healthy-2.md": article(web, "h2"),
        "healthy-3.md": article(web, "h3", ("h4", "h5")),
        "moved.md": article(web, "moved"),
        "not-amp.md": article(web, "not-amp"),
        "canon-away.md": article(web, "canon-away"),
        "no-amphtml.md": article(web, "no-amphtml"),
        "wrong-cache.md": article(
            web, "h4", cache=f"https://127-0-0-3.cdn.ampproject.org/c/s/{web.a.host}/amp/h4"
        ),
        # faults in related entries; the page without amphtml is cited by two articles
        "related.md": article(web, "h5", ("r-ok", "canon-none", "no-amphtml")),
        "dead-amp.md": article(web, "amp-gone", ("h1",)),
    }
    return web, library(files)


def test_amp_findings_are_exact(amp_web: tuple[Web, Any], run_cli: RunCli) -> None:
    web, folder = amp_web
    r = run_cli(folder, *EXCLUDE_CACHE)
    assert r.report is not None
    found = {(f["check"], f["file"], f["field"], f["line"]) for f in r.report["findings"]}
    assert found == {
        ("amp_not_amp", "not-amp.md", "ampWebUrl", 4),
        ("amp_canonical", "canon-away.md", "ampWebUrl", 4),
        ("amphtml_missing", "no-amphtml.md", "webUrl", 3),
        ("amp_cache_url", "wrong-cache.md", "cdnAmpWebUrl", 5),
        ("amp_canonical", "related.md", "related[1].ampWebUrl", 13),
        ("amphtml_missing", "related.md", "related[2].webUrl", 16),
    }
    assert len(r.report["findings"]) == len(found)
    by_key = {(f["check"], f["file"], f["field"]): f for f in r.report["findings"]}

    away = by_key["amp_canonical", "canon-away.md", "ampWebUrl"]
    assert (away["url"], away["expected"], away["actual"]) == (
        web.amp("canon-away"),
        web.web("canon-away"),
        web.web("somewhere-else"),
    )
    assert away["severity"] == "medium" and "canonical" in away["message"]
    none = by_key["amp_canonical", "related.md", "related[1].ampWebUrl"]
    assert none["actual"] is None
    not_amp = by_key["amp_not_amp", "not-amp.md", "ampWebUrl"]
    assert not_amp["severity"] == "high" and not_amp["actual"] == "no amp attribute on <html>"
    cache = by_key["amp_cache_url", "wrong-cache.md", "cdnAmpWebUrl"]
    assert cache["expected"] == web.cache("h4")
    assert cache["actual"] == f"https://127-0-0-3.cdn.ampproject.org/c/s/{web.a.host}/amp/h4"
    missing = by_key["amphtml_missing", "no-amphtml.md", "webUrl"]
    assert (missing["expected"], missing["actual"]) == (web.amp("no-amphtml"), None)

    # the dead AMP page is a broken link, not a finding; the cache URLs were never requested
    assert r.link(web.amp("amp-gone"))["outcome"] == "broken"
    assert all(lk["outcome"] == "skipped" for lk in r.links if lk["kind"] == "amp_cache")
    # people see them in the summary
    assert "AMP findings (6)" in r.out + r.err


def test_no_amp_checks_gives_no_findings(amp_web: tuple[Web, Any], run_cli: RunCli) -> None:
    web, folder = amp_web
    r = run_cli(folder, *EXCLUDE_CACHE, "--no-amp-checks")
    assert r.report is not None
    assert r.report["findings"] == []
    # the pages were still checked as links
    assert r.link(web.amp("not-amp"))["outcome"] == "ok"
    assert r.link(web.amp("amp-gone"))["outcome"] == "broken"
    assert "AMP findings" not in r.out + r.err


def test_runs_reusing_verdicts_find_the_same(amp_web: tuple[Web, Any], run_cli: RunCli) -> None:
    """A daily run reuses ok verdicts from the state store without a request: the page facts
    the AMP checks need come back with them, or every finding would vanish on the next run."""
    web, folder = amp_web
    state = folder.parent / "state.sqlite"
    first = run_cli(folder, *EXCLUDE_CACHE, "--state", state)
    assert first.report is not None and len(first.report["findings"]) == 6
    asked = len(web.a.requests("/amp/not-amp")) + len(web.w.requests("/story/no-amphtml"))
    for _ in range(2):  # reused, and reused from a reused verdict
        again = run_cli(folder, *EXCLUDE_CACHE, "--state", state)
        assert again.report is not None
        assert again.link(web.amp("not-amp"))["cached"] is True
        assert again.report["findings"] == first.report["findings"]
    assert len(web.a.requests("/amp/not-amp")) + len(web.w.requests("/story/no-amphtml")) == asked


def test_html_report_shows_the_findings(
    amp_web: tuple[Web, Any], run_cli: RunCli, tmp_path: Any
) -> None:
    """The HTML page lists the findings (a real headless Chromium, as test_html_report)."""
    from htmlkit import browser_missing, launch_chromium  # noqa: PLC0415

    why = browser_missing()
    if why is not None:
        pytest.skip(why)
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    _, folder = amp_web
    html = tmp_path / "report.html"
    r = run_cli(folder, *EXCLUDE_CACHE, "--format", f"html={html}")
    assert r.report is not None
    expected = sorted((f["file"], f["check"].replace("_", " ")) for f in r.report["findings"])
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(html.as_uri())
            page.wait_for_selector("html[data-ready='1']", timeout=60_000)
            rows = page.eval_on_selector_all(
                "#findings tbody tr",
                "rows => rows.map(r => [r.cells[0].textContent, r.cells[3].textContent])",
            )
            assert page.is_visible("#findings-section")
        finally:
            browser.close()
    assert not errors
    assert sorted(tuple(row) for row in rows) == expected
