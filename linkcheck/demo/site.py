"""The demo's web: three small sites on 127.0.0.1 (ephemeral ports), standard library only.

Each site is a `ThreadingHTTPServer` in a daemon thread, so the demo needs no network at all:
only the loopback interface. Three ports are three hosts to linkcheck (a host is name + port),
so the rate-limited partner site slowing down never slows the news site.

- `news`: the publisher. Article pages (each with `<link rel=amphtml>` to its AMP page) and
  AMP pages (`<html ⚡>`, `<link rel=canonical>` back to the article), a 404, a 410, a 301 to a
  new address, a chain of 302s, a 403 paywall, a 503 that recovers on retry, a redirect loop,
  a retired article redirected to the home page (a soft 404), and one AMP page that lost its
  AMP attribute (`NOT_AMP`). Unknown paths answer 404, as a well-behaved site does.
- `partner`: another publisher that answers 429 (`Retry-After: 1`) to the first request for a
  `/busy/` page, then 200; and a German "Seite nicht gefunden" page served with 200 under
  `/archiv/` (a soft 404).
- `cdn`: images with real bytes (package data: JPEG, PNG, GIF, WebP), an HTML error page served
  at an image URL, a deleted image, and AMP cache copies of the news site's AMP pages.

Page titles are real headlines (the title of a page says what it is: a soft-404 check reads it).

Every request is logged (`DemoSite.requests`), so tests can count what reached the servers.
"""

from __future__ import annotations

import html
import re
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from types import TracebackType

__all__ = ["IMAGES", "SITE_NAMES", "DemoSite", "LoggedRequest"]

SITE_NAMES = ("news", "partner", "cdn")

# URL path under /img/ -> (package file, content type). Several URLs serve the same file: the
# article that declares a different size for it is the showcase.
IMAGES: dict[str, tuple[str, str]] = {
    "summit-640.jpg": ("photo.jpg", "image/jpeg"),  # 640x360
    "summit-1280.jpg": ("photo.jpg", "image/jpeg"),  # declared 1280x720: a resized copy
    "harbour.png": ("square.png", "image/png"),  # 400x400, declared 640x360: another image
    "chart.gif": ("chart.gif", "image/gif"),  # 300x200
    "thumb.webp": ("thumb.webp", "image/webp"),  # 320x180
}
# AMP pages (slugs under /news/) whose CMS dropped the AMP template: no amp attribute any more
NOT_AMP = frozenset({"school-meals"})
FLAKY_FAILURES = 1  # /flaky/ pages answer 503 this many times (one GET: pages are read), then 200
BUSY_FAILURES = 1  # /busy/ pages answer 429 this many times, then 200


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    site: str
    method: str
    path: str
    status: int
    at: float  # time.monotonic() when it was answered


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()


def _page(
    title: str,
    text: str = "",
    *,
    amp: bool = False,
    lang: str = "en",
    links: tuple[tuple[str, str], ...] = (),
) -> _Answer:
    """An HTML page; `links`: (rel, href) of its `<link>` tags (canonical, amphtml)."""
    marker = " \u26a1" if amp else ""
    head = "".join(f'<link rel="{rel}" href="{html.escape(href)}">' for rel, href in links)
    body = (
        f'<!doctype html>\n<html{marker} lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>{head}</head>\n"
        f"<body><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></body></html>\n"
    )
    return _Answer(200, body.encode("utf-8"))


def _headline(slug: str) -> str:
    return slug.replace("-", " ").capitalize()


def _article(slug: str) -> _Answer:
    """An article page of the news site, naming its AMP version."""
    return _page(
        _headline(slug) + " | Demo Daily",
        "The full story, as the newsroom published it.",
        links=(("amphtml", f"/news/{slug}/amp/"),),
    )


def _amp_article(slug: str, publisher: str = "") -> _Answer:
    """The AMP version of an article: AMP, naming the article as its canonical page (except
    the NOT_AMP ones, whose AMP template was dropped). `publisher`: the news site's origin,
    for a copy served by another host (an AMP cache copy names the publisher's page)."""
    return _page(
        _headline(slug) + " | Demo Daily",
        "The AMP version of the story.",
        amp=slug not in NOT_AMP,
        links=(("canonical", f"{publisher}/news/{slug}/"),),
    )


def _status(code: int, text: str) -> _Answer:
    answer = _page(f"{code} {text}", "A page of the linkcheck demo site.")
    return _Answer(code, answer.body)


def _redirect(code: int, location: str) -> _Answer:
    return _Answer(code, b"", headers=(("Location", location),))


def _image_bytes(name: str) -> bytes:
    return resources.files("linkcheck.demo").joinpath("images", name).read_bytes()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, site: DemoSite, name: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.site = site
        self.name = name


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real sites do
    server: _Server
    server_version = "linkcheck-demo"
    sys_version = ""

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def do_GET(self) -> None:
        self._answer(head=False)

    def log_message(self, format: str, *args: object) -> None:
        """Requests go to `DemoSite.requests`, never to standard error."""

    def _answer(self, *, head: bool) -> None:
        path = self.path.split("?", 1)[0]
        answer = self.server.site.route(self.server.name, path)
        self.server.site.note(
            LoggedRequest(self.server.name, self.command, path, answer.status, time.monotonic())
        )
        self.send_response(answer.status)
        if answer.body:
            self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        for key, value in answer.headers:
            self.send_header(key, value)
        self.end_headers()
        if not head and answer.body:
            self.wfile.write(answer.body)


_SLUG = r"([a-z0-9-]+)"


class DemoSite:
    """The three demo sites, started on entering and stopped on leaving the block.

    `origins` maps each site name to its base URL (`http://127.0.0.1:PORT`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._log: list[LoggedRequest] = []
        self._seen: Counter[tuple[str, str]] = Counter()
        self._servers: dict[str, _Server] = {}
        self._threads: list[threading.Thread] = []
        self.origins: dict[str, str] = {}

    def __enter__(self) -> DemoSite:
        try:
            for name in SITE_NAMES:
                server = _Server(self, name)
                self._servers[name] = server
                host, port = server.server_address[:2]
                self.origins[name] = f"http://{host!s}:{port}"
                thread = threading.Thread(
                    target=server.serve_forever,
                    kwargs={"poll_interval": 0.1},
                    name=f"linkcheck-demo-{name}",
                    daemon=True,
                )
                thread.start()
                self._threads.append(thread)
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        running = {t.name for t in self._threads}
        for name, server in self._servers.items():
            if f"linkcheck-demo-{name}" in running:  # shutdown() waits for serve_forever
                server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=2)
        self._servers.clear()
        self._threads.clear()

    def unreachable(self) -> str | None:
        """Why this process cannot connect to its own sites (e.g. the loopback interface is
        down), or None when it can."""
        for origin in self.origins.values():
            host, port = origin.removeprefix("http://").rsplit(":", 1)
            try:
                socket.create_connection((host, int(port)), timeout=2).close()
            except OSError as exc:
                return f"cannot connect to {origin}: {exc.strerror or exc}"
        return None

    # ------------------------------------------------------------------ the log

    def note(self, request: LoggedRequest) -> None:
        with self._lock:
            self._log.append(request)

    @property
    def requests(self) -> list[LoggedRequest]:
        """Every request answered so far (a snapshot)."""
        with self._lock:
            return list(self._log)

    def _count(self, site: str, path: str) -> int:
        """How many requests (any method) `path` of `site` has had before this one."""
        with self._lock:
            seen = self._seen[site, path]
            self._seen[site, path] += 1
            return seen

    # ------------------------------------------------------------------ the routes

    def route(self, site: str, path: str) -> _Answer:
        if site == "cdn":
            return self._cdn(path)
        if site == "partner":
            return self._partner(path)
        return self._news(path)

    def _index(self, site: str) -> _Answer:
        return _page(f"linkcheck demo: the {site} site", "Pages for linkcheck to check.")

    def _news(self, path: str) -> _Answer:
        if path == "/":
            return self._index("news")
        if m := re.fullmatch(rf"/news/{_SLUG}/", path):
            return _article(m[1])
        if m := re.fullmatch(rf"/news/{_SLUG}/amp/", path):
            return _amp_article(m[1])
        if re.fullmatch(rf"/retired/{_SLUG}/", path):  # an old story, sent to the home page
            return _redirect(301, "/")
        if m := re.fullmatch(rf"/moved/{_SLUG}/", path):
            return _redirect(301, f"/news/{m[1]}/")
        if m := re.fullmatch(rf"/go/([1-9])/{_SLUG}", path):
            hops = int(m[1])
            return _redirect(302, f"/go/{hops - 1}/{m[2]}" if hops > 1 else f"/news/{m[2]}/")
        if path.startswith("/gone/"):
            return _status(404, "Not Found")
        if path.startswith("/removed/"):
            return _status(410, "Gone")
        if path.startswith("/members/"):
            return _status(403, "Forbidden: subscribers only")
        if path.startswith("/flaky/"):
            if self._count("news", path) < FLAKY_FAILURES:
                return _status(503, "Service Unavailable")
            return _page("Storm tracker | Demo Daily", "This page failed twice, then worked.")
        if path == "/loop/a":
            return _redirect(302, "/loop/b")
        if path == "/loop/b":
            return _redirect(302, "/loop/a")
        return _status(404, "Not Found")

    def _partner(self, path: str) -> _Answer:
        if path == "/":
            return self._index("partner")
        if path.startswith("/busy/"):
            if self._count("partner", path) < BUSY_FAILURES:
                answer = _status(429, "Too Many Requests")
                return _Answer(429, answer.body, headers=(("Retry-After", "1"),))
            return _page("Festival tickets | Partner News", "Served once the client waited.")
        if m := re.fullmatch(rf"/news/{_SLUG}/", path):
            return _page(_headline(m[1]) + " | Partner News", "A story of the partner site.")
        if path.startswith("/archiv/"):  # an old CMS path: a "not found" page, with status 200
            return _page(
                "Seite nicht gefunden",
                "Dieser Artikel ist leider nicht mehr verf\u00fcgbar.",
                lang="de",
            )
        return _status(404, "Not Found")

    def _cdn(self, path: str) -> _Answer:
        if path == "/":
            return self._index("cdn")
        if path.startswith("/img/"):
            name = path.removeprefix("/img/")
            if name in IMAGES:
                file, content_type = IMAGES[name]
                return _Answer(200, _image_bytes(file), content_type)
            if name == "lost-photo.jpg":  # a CDN error page, served with 200 at an image URL
                return _page("Image not available", "The requested image could not be found.")
            return _status(404, "Not Found")
        if m := re.fullmatch(rf"/c/s/([^/]+)/news/{_SLUG}/amp/", path):  # an AMP cache copy
            return _amp_article(m[2], f"http://{m[1]}")
        return _status(404, "Not Found")
