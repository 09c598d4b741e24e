"""Soft 404s end to end: real loopback hosts serving retired articles the ways publishers do
(a redirect to the home page or a section front, a 200 "not found" page, one 200 template for
every unknown path), next to ordinary pages that must stay ok. Requests and concurrency are
asserted from the servers' own logs."""

from __future__ import annotations

from typing import Any

from e2ekit import LibraryFactory, RunCli, SitesFactory
from sitekit import Request, Response, Site

from linkcheck.check import CheckContext, check_link
from linkcheck.config import Config
from linkcheck.hosts.gate import Politeness
from linkcheck.models import CheckResult, Link, LinkKind, Outcome
from linkcheck.net.client import make_client

LAYOUT = " ".join(
    f"<li><a href='/section-{i}'>Section {i} of the paper, news and analysis</a></li>"
    for i in range(40)
)
FOOTER = (
    "<footer><p>Example Daily Gazette. All rights reserved. Contact the newsroom, advertise "
    "with us, read our privacy policy and terms of use. Subscribe to the morning briefing "
    "for the day's most important stories delivered to your inbox.</p></footer>"
)


def page(title: str, heading: str, text: str, *, amp: bool = False) -> str:
    html_tag = "<html amp lang='en'>" if amp else "<html lang='en'>"
    return (
        f"<!doctype html>{html_tag}<head><meta charset='utf-8'><title>{title}</title>"
        "<link rel='stylesheet' href='/style.css'></head><body>"
        f"<nav><ul>{LAYOUT}</ul></nav><h1>{heading}</h1><article><p>{text}</p></article>"
        f"{FOOTER}</body></html>"
    )


def story(n: int, words: int = 120) -> str:
    text = " ".join(f"word{(n * 7919 + i * 31) % 997} fact{i % 13}" for i in range(words // 2))
    return page(f"Story number {n} on the council budget | Example Daily", f"Story {n}", text)


def not_found_template(req: Request) -> Response:
    """A catch-all host: one 200 page for every unknown path, the path echoed in it."""
    text = (
        f"We looked everywhere for {req.path} but it is not here any more. Try the search box "
        "above or browse the sections below to find what you were looking for today."
    )
    return Response.html(page("Example Daily", "Sorry about that", text))


def articles(*urls: str) -> list[dict[str, Any]]:
    return [{"title": f"article {i}", "webUrl": url} for i, url in enumerate(urls)]


def by_url(run: Any, url: str) -> dict[str, Any]:
    link: dict[str, Any] = run.link(url)
    return link


def probes(site: Site) -> list[str]:
    return [e.path for e in site.log if "linkcheck-probe-" in e.path]


def test_redirect_to_the_home_page(
    sites: SitesFactory, library: LibraryFactory, run_cli: RunCli
) -> None:
    (s,) = sites(1)
    s.route("/", Response.html(story(0)))
    s.route("/en/", Response.html(story(1)))
    s.route("/2019/05/old-story", Response.redirect(s.url("/"), 301))
    s.route("/politics/retired", Response.redirect(s.url("/old-hop"), 301))
    s.route("/old-hop", Response.redirect(s.url("/en/"), 302))
    s.route("/en", Response.redirect(s.url("/en/"), 301))  # a language root itself: fine
    folder = library(
        articles(s.url("/2019/05/old-story"), s.url("/politics/retired"), s.url("/en"), s.url("/"))
    )
    r = run_cli(folder)
    gone = by_url(r, s.url("/2019/05/old-story"))
    assert (gone["outcome"], gone["reason"]) == ("broken", "soft_404")
    assert gone["detail"] == f"soft 404: redirects to the home page {s.url('/')} (1 hop)"
    chain = by_url(r, s.url("/politics/retired"))
    assert chain["reason"] == "soft_404"
    assert chain["detail"] == f"soft 404: redirects to the home page {s.url('/en/')} (2 hops)"
    assert by_url(r, s.url("/en"))["outcome"] == "ok"
    assert by_url(r, s.url("/"))["outcome"] == "ok"


def test_not_found_titles_and_headings(
    sites: SitesFactory, library: LibraryFactory, run_cli: RunCli
) -> None:
    (s,) = sites(1)
    gone = {
        "/a": page("Page not found | Example Daily", "Oops", "Nothing to see."),
        "/b": page("Página no encontrada - El Diario", "Lo sentimos", "No existe."),
        "/c": page("Fehler 404 – Seite nicht gefunden", "Hoppla", "Weg."),
        "/d": page("Example Daily", "Pagina non trovata", "Non c'è."),
        "/e": page("Error 404 (Not Found)!!1", "", "Gone."),
        "/f": page("Example Daily", "Page introuvable", "Rien."),
    }
    fine = {
        "/404-day": page("404 Day: how the web forgets | Example Daily", "404 Day", "A story."),
        "/news/404-errors-explained": story(3),
        "/short": page("Brief", "Brief", "Short."),
        "/not-found-film": page(
            "Not Found, the film: a review of the year's strangest documentary", "Not Found",
            "A review.",
        ),
    }  # fmt: skip
    for path, body in {**gone, **fine}.items():
        s.route(path, Response.html(body))
    folder = library(articles(*(s.url(p) for p in {**gone, **fine})))
    r = run_cli(folder)
    for path in gone:
        link = by_url(r, s.url(path))
        assert (link["outcome"], link["reason"]) == ("broken", "soft_404"), (path, link)
    title = 'soft 404: title says "Page not found | Example Daily"'
    assert by_url(r, s.url("/a"))["detail"] == title
    assert by_url(r, s.url("/d"))["detail"] == 'soft 404: first heading says "Pagina non trovata"'
    for path in fine:
        assert by_url(r, s.url(path))["outcome"] == "ok", path
    # sitekit answers 404 for a made-up path: one probe, then no page of this host is compared
    assert len(probes(s)) == 1


def test_catch_all_host_template(
    sites: SitesFactory, library: LibraryFactory, run_cli: RunCli
) -> None:
    # one request at a time, each taking a while: a probe that skipped the host's permit
    # would overlap another request and get a 503 (and no template)
    (s,) = sites(1, max_concurrency=1, latency=0.05)
    s.route("/*", not_found_template)
    real = [f"/news/2024/story-{n}" for n in range(6)] + ["/brief"]
    for n, path in enumerate(real[:-1]):
        s.route(path, Response.html(story(n)))
    s.route("/brief", Response.html(page("In brief | Example Daily", "In brief", "Rain.")))
    dead = ["/news/2019/retired-story", "/politics/gone-for-good", "/x"]
    folder = library(articles(*(s.url(p) for p in real + dead)))
    r = run_cli(folder, "--host-concurrency", "1", "--concurrency", "8")
    for path in dead:
        link = by_url(r, s.url(path))
        assert (link["outcome"], link["reason"]) == ("broken", "soft_404"), (path, link)
        assert link["detail"].startswith(
            "soft 404: same page as this host's not-found page (similarity "
        )
        assert "probe /linkcheck-probe-" in link["detail"]
    for path in real:
        assert by_url(r, s.url(path))["outcome"] == "ok", path
    made = probes(s)
    root = [p for p in made if p.startswith("/linkcheck-probe-")]
    assert len(root) == 1, made  # once per host per run, however many links needed it
    assert len(made) == len(set(made))  # and once per section
    assert s.count_503 == 0 and s.max_in_flight() == 1  # the probe waited for a permit too


def test_section_front_many_links_land_on(
    sites: SitesFactory, library: LibraryFactory, run_cli: RunCli
) -> None:
    (s,) = sites(1)
    s.route("/news/", Response.html(story(9)))
    moved = ["/news/2018/a", "/news/2019/b", "/news/2020/c"]
    for path in moved:
        s.route(path, Response.redirect(s.url("/news/"), 301))
    s.route("/sport/2020/d", Response.redirect(s.url("/sport/"), 301))  # one link: no evidence
    s.route("/sport/", Response.html(story(8)))
    s.route("/old", Response.redirect(s.url("/news/2024/new-home"), 301))  # a real move
    s.route("/news/2024/new-home", Response.html(story(7)))
    folder = library(articles(*(s.url(p) for p in [*moved, "/sport/2020/d", "/old", "/news/"])))
    r = run_cli(folder)
    for path in moved:
        link = by_url(r, s.url(path))
        assert (link["outcome"], link["reason"]) == ("broken", "soft_404")
        assert link["detail"] == (
            f"soft 404: redirects to the section front {s.url('/news/')} (1 hop), "
            "where 2 other links also land"
        )
    for path in ("/sport/2020/d", "/old", "/news/"):
        assert by_url(r, s.url(path))["outcome"] == "ok", path


def test_no_soft_404_restores_status_verdicts_and_head(
    sites: SitesFactory, library: LibraryFactory, run_cli: RunCli
) -> None:
    (s,) = sites(1)
    s.route("/*", not_found_template)
    s.route("/gone", Response.html(page("Page not found", "Page not found", "x")))
    s.route("/old", Response.redirect(s.url("/"), 301))
    s.route("/", Response.html(story(1)))
    folder = library(articles(s.url("/gone"), s.url("/old"), s.url("/made-up")))
    r = run_cli(folder, "--no-soft-404", "--no-amp-checks")
    for path in ("/gone", "/old", "/made-up"):
        link = by_url(r, s.url(path))
        assert (link["outcome"], link["reason"], link["http_status"]) == ("ok", None, 200)
    assert {e.method for e in s.log} == {"HEAD"}
    assert probes(s) == []


def test_a_page_stalling_while_it_is_read_keeps_its_status(
    sites: SitesFactory, library: LibraryFactory, run_cli: RunCli
) -> None:
    (s,) = sites(1)
    body = b"<!doctype html><title>Council budget</title><h2>Council</h2><p>" + b"x" * 3000
    s.route("/stall", Response.html(body, chunk_size=100, chunk_delay=30))
    folder = library(articles(s.url("/stall")))
    r = run_cli(folder, "--timeout", "2", "--retries", "0")
    link = by_url(r, s.url("/stall"))
    assert (link["outcome"], link["http_status"], link["attempts"]) == ("ok", 200, 1)
    assert link["elapsed_ms"] < 2000  # the read stopped at half of the time left
    assert [e.method for e in s.requests("/stall")] == ["GET"]


# ------------------------------------------------------------------ page facts for the AMP checks


async def _check_pages(
    site: Site, kinds: dict[str, LinkKind], **settings: Any
) -> dict[str, CheckResult]:
    cfg = Config(timeout=5.0, retries=0, allow_private=True, **settings)
    gate = Politeness(cfg)
    out: dict[str, CheckResult] = {}
    async with make_client(cfg) as client:
        ctx = CheckContext(client=client, config=cfg, gate=gate)
        for path, kind in kinds.items():
            out[path] = await check_link(Link(site.url(path), kind, ()), ctx)
    return out


async def test_amp_facts_reach_the_result_of_page_and_amp_links(site: Site) -> None:
    amp = (
        "<!doctype html><html ⚡ lang=en><head><meta charset=utf-8><title>Story</title>"
        "<link rel='canonical' href='../story'></head><body><h1>Story</h1></body></html>"
    )
    web = (
        "<!doctype html><html lang=en><head><title>Story</title><link rel=canonical href=/story>"
        "<link rel='alternate amphtml' href='amp/story'></head><body>" + "x" * 70000
    )
    site.route("/amp/story", Response.html(amp))
    site.route("/story", Response.html(web))
    site.route("/other", Response.html(web))
    kinds = {"/amp/story": LinkKind.AMP, "/story": LinkKind.PAGE, "/other": LinkKind.OTHER}
    results = await _check_pages(site, kinds)
    amp_page = results["/amp/story"].page
    assert amp_page is not None and amp_page.amp and amp_page.canonical == site.url("/story")
    web_page = results["/story"].page
    assert web_page is not None and not web_page.amp
    assert web_page.amphtml == site.url("/amp/story")
    assert web_page.bytes_read <= 64 * 1024
    assert results["/other"].page is None  # read for soft 404s, not kept
    assert all(r.outcome is Outcome.OK for r in results.values())

    # the AMP checks alone read webUrl/ampWebUrl pages up to </head>, and nothing else
    before = len(site.log)
    alone = await _check_pages(site, kinds, soft_404=False)
    assert alone["/story"].page is not None and alone["/story"].page.amphtml is not None
    assert alone["/story"].page.bytes_read < 1000  # stopped after </head>
    assert [e.method for e in site.log[before:] if e.path == "/other"] == ["HEAD"]
