"""Soft-404 recall and false positives (issue #11) on a local web of news hosts.

Seven loopback hosts (tests/sitekit.py, 127.0.0.2-8) serve what publishers really do with
retired articles, next to plenty of ordinary pages:

  times    404 for unknown paths; dead links redirect to the home page (some via a /404.html
           that answers 200 "Page not found"); 200 "not found" pages in English
  polyglot 200 "not found" pages in Spanish, French, German, Portuguese, Italian, Dutch
  gazette  catch-all: one 200 template for every unknown path (the path echoed in it)
  sections catch-all with a template per section (/sport/, /news/) and another elsewhere
  fronts   dead links redirect to section fronts (/news/, /sport/); live ones moved 1:1
  lingo    dead links redirect to the language root (/es/, /fr/)
  blog     a few "not found" pages this detector is not meant to catch (bare "404" headings)

Ordinary pages share each host's big layout (a 40-link menu and a long footer); some are
short (30 words), some have "404" in their URL or title ("404 Day: how the web forgets").
linkcheck runs in-process on a library citing every URL; the report is compared with the
truth and the script prints recall, the false-positive rate over ok pages, the evidence
kinds, and what detection cost (requests, probe requests, bytes read).

    python benchmarks/soft404.py [--scale 1] [--seed 11] [--json out.json]

Targets (issue #11): recall >= 0.9, false positives <= 0.5 % of ok pages. Loopback only.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import sitekit  # noqa: E402

from linkcheck.cli import main  # noqa: E402

WORDS = [
    "council", "budget", "vote", "river", "school", "minister", "storm", "market", "league",
    "final", "election", "court", "housing", "rail", "strike", "hospital", "museum", "harbour",
    "energy", "price", "climate", "festival", "police", "mayor", "bridge", "tax", "farmers",
    "airport", "season", "record", "report", "inquiry", "villagers", "theatre", "coach",
]  # fmt: skip


def menu(host: str) -> str:
    items = "".join(
        f"<li><a href='/section/{i}'>{host} section {i}: {WORDS[i % len(WORDS)]} and more</a></li>"
        for i in range(40)
    )
    return f"<nav><ul>{items}</ul></nav>"


def footer(host: str) -> str:
    return (
        f"<footer><p>{host} Daily. All rights reserved. Contact the newsroom, advertise with us, "
        "read our privacy policy, cookie settings and terms of use. Subscribe to the morning "
        "briefing for the day's most important stories, delivered to your inbox before seven. "
        "Follow us on every network you like; send us your tips securely.</p></footer>"
    )


def html(host: str, title: str, heading: str, text: str) -> sitekit.Response:
    body = (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
        "<link rel='stylesheet' href='/static/site.css'><script>window.ads = {slots: 4};"
        f"</script></head><body>{menu(host)}<main><h1>{heading}</h1><article>{text}</article>"
        f"</main>{footer(host)}</body></html>"
    )
    return sitekit.Response.html(body)


def words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) + str(rng.randrange(50)) for _ in range(n))


def story(rng: random.Random, host: str, n: int, title: str | None = None) -> sitekit.Response:
    length = 30 if n % 5 == 0 else rng.randrange(150, 900)  # every fifth story is short
    headline = title or f"The {words(rng, 1)} {words(rng, 4)} story {n}"
    text = "".join(f"<p>{words(rng, 15)}</p>" for _ in range(max(2, length // 15)))
    return html(host, f"{headline} | {host} Daily", headline, text)


class Web:
    """The hosts, their routes and the truth (URL -> dead?)."""

    def __init__(self, sites: list[sitekit.Site], scale: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.truth: dict[str, bool] = {}
        self.kind: dict[str, str] = {}
        self.scale = scale
        names = ["times", "polyglot", "gazette", "sections", "fronts", "lingo", "blog"]
        self.sites = dict(zip(names, sites, strict=True))
        for name in names:
            getattr(self, f"_{name}")(self.sites[name])

    def add(self, site: sitekit.Site, path: str, dead: bool, kind: str) -> None:
        url = site.url(path)
        self.truth[url] = dead
        self.kind[url] = kind

    def ordinary(self, site: sitekit.Site, host: str, prefix: str, count: int) -> dict[str, Any]:
        routes: dict[str, Any] = {}
        for n in range(count):
            if n % 25 == 3:
                path = f"{prefix}/2024/404-errors-and-what-they-mean-{n}"
                routes[path] = story(self.rng, host, n)
            elif n % 25 == 7:
                path = f"{prefix}/2024/404-day-{n}"
                routes[path] = story(self.rng, host, n, "404 Day: how the web forgets")
            else:
                path = f"{prefix}/2024/{words(self.rng, 1)}-{n}"
                routes[path] = story(self.rng, host, n)
            self.add(site, path, False, "ordinary")
        return routes

    def serve(
        self, site: sitekit.Site, routes: dict[str, Any], fallback: Callable[..., Any]
    ) -> None:
        def handler(req: sitekit.Request) -> sitekit.Response:
            found = routes.get(req.path)
            return found(req) if callable(found) else found if found else fallback(req)

        site.route("/*", handler)

    # ---- the hosts ----------------------------------------------------------------------------

    def _times(self, site: sitekit.Site) -> None:
        s = self.scale
        routes = self.ordinary(site, "times", "/news", 300 * s)
        routes["/"] = story(self.rng, "times", 0, "Front page")
        routes["/404.html"] = html("times", "Page not found | times Daily", "Sorry", "Gone.")
        for n in range(30 * s):
            path = f"/news/2016/retired-{n}"
            target = "/404.html" if n % 3 == 0 else "/"
            routes[path] = sitekit.Response.redirect(site.url(target), 301)
            self.add(site, path, True, "redirect to /404.html" if n % 3 == 0 else "home redirect")
        variants = [
            ("Page not found | times Daily", "Sorry"),
            ("404 Not Found", "Not Found"),
            ("times Daily", "We can't find the page you're looking for"),
            ("Oops! That page can’t be found. – times Daily", "Oops"),
            ("Error 404 - times Daily", "This article is no longer available"),
        ]
        for n in range(25 * s):
            title, heading = variants[n % len(variants)]
            path = f"/news/2017/pulled-{n}"
            routes[path] = html("times", title, heading, words(self.rng, 20))
            self.add(site, path, True, "english phrase")
        self.serve(site, routes, lambda req: 404)

    def _polyglot(self, site: sitekit.Site) -> None:
        routes = self.ordinary(site, "polyglot", "/mundo", 250 * self.scale)
        variants = [
            ("Página no encontrada | El Diario", "Error 404"),
            ("Error 404 - El Diario", "La página que buscas no existe"),
            ("Page introuvable - Le Quotidien", "Oups"),
            ("Erreur 404 | Le Quotidien", "Cette page n'existe pas"),
            ("Seite nicht gefunden | Die Zeitung", "Fehler 404"),
            ("Fehler 404 - Die Zeitung", "Diese Seite existiert nicht"),
            ("Página não encontrada - Folha", "Ops"),
            ("Pagina non trovata | Il Giornale", "Errore 404"),
            ("Pagina niet gevonden - De Krant", "Oeps"),
            ("El Diario", "Página no encontrada"),
        ]
        for n in range(60 * self.scale):
            title, heading = variants[n % len(variants)]
            path = f"/mundo/2018/retirado-{n}"
            routes[path] = html("polyglot", title, heading, words(self.rng, 25))
            self.add(site, path, True, "other language phrase")
        self.serve(site, routes, lambda req: 404)

    def _gazette(self, site: sitekit.Site) -> None:
        routes = self.ordinary(site, "gazette", "/story", 250 * self.scale)

        def template(req: sitekit.Request) -> sitekit.Response:
            text = (
                f"<p>We looked everywhere for {req.path} but could not find it. It may have "
                "moved, or the link you followed may be out of date. Try the search box above "
                "or one of the sections below.</p>"
            )
            return html("gazette", "gazette Daily", "Sorry, we can't find that", text)

        for n in range(40 * self.scale):
            path = f"/story/2015/{words(self.rng, 1)}-gone-{n}"
            self.add(site, path, True, "catch-all template")
        self.serve(site, routes, template)

    def _sections(self, site: sitekit.Site) -> None:
        routes = self.ordinary(site, "sections", "/sport", 120 * self.scale)
        routes.update(self.ordinary(site, "sections", "/news", 120 * self.scale))

        def template(req: sitekit.Request) -> sitekit.Response:
            section = req.path.split("/")[1] if req.path.count("/") > 1 else ""
            if section == "sport":
                title, head, note = "Sport | sections Daily", "Offside!", "That match is over."
            elif section == "news":
                title, head, note = "News | sections Daily", "Nothing here", "Old news, gone."
            else:
                title, head, note = "sections Daily", "Lost?", "Nothing lives here."
            filler = words(random.Random(section), 40)  # the same for every path of a section
            text = f"<p>{note} You asked for {req.path}. Browse the latest below. {filler}</p>"
            return html("sections", title, head, text)

        for n in range(15 * self.scale):
            for prefix in ("/sport/2016/", "/news/2014/", "/misc/"):
                path = f"{prefix}vanished-{n}"
                self.add(site, path, True, "per-section template")
        self.serve(site, routes, template)

    def _fronts(self, site: sitekit.Site) -> None:
        routes = self.ordinary(site, "fronts", "/news/2024", 150 * self.scale)
        routes["/news/"] = story(self.rng, "fronts", 1, "News")
        routes["/sport/"] = story(self.rng, "fronts", 2, "Sport")
        for n in range(30 * self.scale):
            front = "/news/" if n % 2 else "/sport/"
            path = f"{front}2013/{words(self.rng, 1)}-{n}"
            routes[path] = sitekit.Response.redirect(site.url(front), 301)
            self.add(site, path, True, "section front")
        for n in range(30 * self.scale):  # moved one to one: alive
            path = f"/archive/{n}/old-slug"
            new = f"/news/2024/moved/new-slug-{n}"
            routes[path] = sitekit.Response.redirect(site.url(new), 301)
            routes[new] = story(self.rng, "fronts", 1000 + n)
            self.add(site, path, False, "moved")
        self.serve(site, routes, lambda req: 404)

    def _lingo(self, site: sitekit.Site) -> None:
        routes = self.ordinary(site, "lingo", "/es/noticias", 80 * self.scale)
        routes["/es/"] = story(self.rng, "lingo", 1, "Portada")
        routes["/fr/"] = story(self.rng, "lingo", 2, "Une")
        for n in range(15 * self.scale):
            lang = "/es/" if n % 2 else "/fr/"
            path = f"{lang}2012/articulo-{n}"
            routes[path] = sitekit.Response.redirect(site.url(lang), 302)
            self.add(site, path, True, "language root redirect")
        self.serve(site, routes, lambda req: 404)

    def _blog(self, site: sitekit.Site) -> None:
        routes = self.ordinary(site, "blog", "/posts", 100 * self.scale)
        for n in range(5 * self.scale):  # a bare "404" and a sentence: left alone on purpose
            path = f"/posts/2011/old-{n}"
            routes[path] = html("blog", "blog Daily", "404", "The page you requested is gone.")
            self.add(site, path, True, "bare 404 heading (not detected by design)")
        self.serve(site, routes, lambda req: 404)


def run(scale: int, seed: int, extra: list[str]) -> dict[str, Any]:
    sites = sitekit.start_sites(7, first=2)
    try:
        web = Web(sites, scale, seed)
        urls = list(web.truth)
        random.Random(seed).shuffle(urls)
        with tempfile.TemporaryDirectory() as tmp:
            articles = [{"title": f"a{i}", "webUrl": u} for i, u in enumerate(urls)]
            folder = sitekit.write_library(Path(tmp) / "library", articles)
            report_path = Path(tmp) / "report.json"
            argv = ["run", str(folder), "--allow-private", "--no-state", "-q"]
            argv += ["--host-concurrency", "4", "--host-rate", "200", "--timeout", "5"]
            start = time.monotonic()
            code = main([*argv, *extra, "-o", str(report_path)])
            wall = time.monotonic() - start
            report = json.loads(report_path.read_text())
        links = {link["url"]: link for link in report["links"]}
        dead = [u for u, d in web.truth.items() if d]
        alive = [u for u, d in web.truth.items() if not d]
        hit = [u for u in dead if links[u]["reason"] == "soft_404"]
        false = [u for u in alive if links[u]["reason"] == "soft_404"]
        missed = Counter(web.kind[u] for u in dead if u not in hit)
        evidence = Counter(_evidence(links[u]["detail"]) for u in hit)
        log = [e for s in sites for e in s.log]
        probes = [e for e in log if "linkcheck-probe-" in e.path]
        return {
            "exit": code,
            "wall_s": round(wall, 2),
            "urls": len(urls),
            "dead": len(dead),
            "ok_pages": len(alive),
            "detected": len(hit),
            "recall": round(len(hit) / len(dead), 4),
            "false_positives": len(false),
            "false_positive_rate": round(len(false) / len(alive), 5),
            "false_positive_urls": [(u, links[u]["detail"]) for u in false][:10],
            "missed_by_kind": dict(missed),
            "evidence": dict(evidence),
            "requests": len(log),
            "probe_requests": len(probes),
            "methods": dict(Counter(e.method for e in log)),
            "body_bytes_sent": sum(e.bytes_sent for e in log),
        }
    finally:
        sitekit.stop_sites(sites)


def _evidence(detail: str) -> str:
    for key in ("home page", "section front", "title says", "heading", "not-found page"):
        if key in detail:
            return key
    return detail[:40]


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=1, help="multiply every count (1)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("extra", nargs="*", help="more linkcheck flags (after --)")
    args = parser.parse_args()
    figures = run(args.scale, args.seed, args.extra)
    figures["machine"] = (
        f"{platform.machine()} {platform.system()} python {platform.python_version()}"
    )
    for key, value in figures.items():
        print(f"{key:>22}  {value}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    cli()
