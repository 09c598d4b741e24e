"""Checking while a large library is still being read (`linkcheck.early`), on real loopback
servers: the processes start before reading ends, every link is checked once, each link is
reported with every place that cites it, and a URL cited as a page before it is cited as an
image is checked as an image. The start threshold is lowered so a test-sized library meets it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
import sitekit
from e2ekit import LibraryFactory, SitesFactory
from sitekit import Site

import linkcheck
from linkcheck import early, pipeline
from linkcheck.models import LinkKind, Outcome, Reason

FILLER = " ".join(f"Paragraph {i} of a long story about the council budget." for i in range(400))


def _library(library: LibraryFactory, a: Any, b: Any, n: int) -> Path:
    picture = a.url("/files/pic.png")
    specs: list[dict[str, Any]] = []
    for i in range(n):
        body = f"{FILLER}\n\nSee [the story]({b.url(f'/ok?q={i % 150}')})."
        if i == 3:  # the picture cited as a page first ...
            body += f" And [the picture]({picture})."
        spec: dict[str, Any] = {
            "title": f"A{i}",
            "webUrl": a.url(f"/ok?p={i % 300}"),
            "_body": body,
        }
        if i == n - 3:  # ... and as an image, with a size it does not have, near the end
            spec["images"] = [{"url": picture, "width": 32, "height": 24}]
        specs.append(spec)
    return library(specs)


class Reading:
    """A progress callback remembering when it last heard the run was still reading."""

    def __init__(self) -> None:
        self.last = 0.0

    def __call__(self, p: linkcheck.Progress) -> None:
        if p.phase == "reading":
            self.last = time.monotonic()


Web = Callable[..., tuple[Site, Site, Path]]


@pytest.fixture
def web(sites: SitesFactory, library: LibraryFactory, monkeypatch: pytest.MonkeyPatch) -> Web:
    """``web(**site_options) -> (a, b, folder)``: two hosts and a 2,500-article library whose
    links start early (threshold lowered to 40 links, fed every 20 ms)."""
    monkeypatch.setattr(early, "START_AFTER", 40)
    monkeypatch.setattr(early, "FEED_S", 0.02)

    def make(**options: Any) -> tuple[Site, Site, Path]:
        a, b = sites(2, **options)
        a.put_file("pic.png", sitekit.png(64, 48), "image/png")
        return a, b, _library(library, a, b, 2500)

    return make


def test_checking_starts_while_reading(web: Web) -> None:
    a, b, folder = web()
    reading = Reading()

    config = linkcheck.Config(
        timeout=5, retries=0, allow_private=True, use_state=False, workers=2, host_rate=500
    )
    report = linkcheck.run([str(folder)], config, on_progress=reading)

    assert report.run.workers == 2
    first = min(e.start for e in a.log + b.log)
    assert first < reading.last, "no request before reading ended"
    # every link once, on both hosts
    urls = {r.link.url: r for r in report.results}
    pages = {a.url(f"/ok?p={i}") for i in range(300)} | {b.url(f"/ok?q={i}") for i in range(150)}
    assert set(urls) == pages | {a.url("/files/pic.png")}
    for site in (a, b):
        targets = [e.target for e in site.log if not e.path.startswith("/linkcheck-probe")]
        once = [t for t in targets if t != "/files/pic.png"]
        assert len(once) == len(set(once)), "a link was requested twice"
    assert all(urls[u].outcome is Outcome.OK for u in pages)
    # each link carries every citation, read after it was checked
    assert {len(urls[a.url(f"/ok?p={i}")].link.occurrences) for i in range(300)} == {
        2500 // 300,
        2500 // 300 + 1,
    }
    assert len(urls[b.url("/ok?q=7")].link.occurrences) == len(range(7, 2500, 150))
    # the picture, cited as a page before it was cited as an image: judged as an image,
    # against the size declared in the article that cites it as one
    pic = urls[a.url("/files/pic.png")]
    assert pic.link.kind is LinkKind.IMAGE
    assert (pic.outcome, pic.reason) == (Outcome.BROKEN, Reason.IMAGE_DIMENSION_MISMATCH)
    assert pic.image is not None and (pic.image.width, pic.image.height) == (64, 48)
    assert len(pic.link.occurrences) == 2
    # (its page check, made while reading, was dropped; the image probe came after)
    assert len(a.requests("/files/pic.png")) >= 2


def test_a_small_library_is_checked_after_reading(
    sites: SitesFactory, library: LibraryFactory
) -> None:
    (a,) = sites(1)
    folder = library([{"title": f"A{i}", "webUrl": a.url(f"/ok?p={i}")} for i in range(30)])
    reading = Reading()
    config = linkcheck.Config(timeout=5, retries=0, allow_private=True, use_state=False)
    report = linkcheck.run([str(folder)], config, on_progress=reading)
    assert report.run.workers == 1
    assert len(report.results) == 30
    assert min(e.start for e in a.log) > reading.last


def test_a_first_run_with_a_store_starts_early_and_the_next_one_reads_first(
    web: Web, tmp_path: Path
) -> None:
    a, b, folder = web()
    store = str(tmp_path / "state.db")
    config = linkcheck.Config(
        timeout=5, retries=0, allow_private=True, state=store, workers=2, host_rate=500
    )

    def run() -> tuple[linkcheck.Report, float]:
        reading = Reading()
        return linkcheck.run([str(folder)], config, on_progress=reading), reading.last

    first, reading = run()
    assert min(e.start for e in a.log + b.log) < reading  # a new store: early
    assert all(r.history is not None for r in first.results)  # every result recorded
    for site in (a, b):
        site.reset()
    second, reading = run()
    # the store knows these links: the plan decides first (their verdicts are reused)
    assert all(e.start > reading for e in a.log + b.log)
    pages = [r for r in second.results if r.link.kind is not LinkKind.IMAGE]
    assert pages and all(r.cached for r in pages)
    assert {r.link.url for r in second.results} == {r.link.url for r in first.results}


def test_a_stop_while_reading_reports_each_link_once(web: Web) -> None:
    a, b, folder = web(latency=0.05)
    config = linkcheck.Config(timeout=5, retries=0, allow_private=True, use_state=False, workers=2)

    async def main() -> linkcheck.Report:
        scope = anyio.CancelScope()

        async def stop_soon() -> None:
            while len(a.log) + len(b.log) < 20:
                await anyio.sleep(0.005)
            scope.cancel()  # checking has started; reading has not ended

        async with anyio.create_task_group() as tg:
            tg.start_soon(stop_soon)
            report = await pipeline.run([str(folder)], config, cancel_scope=scope)
            tg.cancel_scope.cancel()
        return report

    report = anyio.run(main)
    assert report.run.interrupted
    assert report.files < 2500  # stopped while reading: what was read is reported
    urls = [r.link.url for r in report.results]
    assert len(urls) == len(set(urls)), "a link reported twice"
    reasons = {r.reason for r in report.results}
    assert Reason.INTERNAL_ERROR not in reasons
    checked = [r for r in report.results if r.reason is not Reason.NOT_CHECKED]
    assert checked and all(r.outcome is Outcome.OK for r in checked), [
        (r.link.url, r.outcome, r.reason, r.detail) for r in checked if r.outcome is not Outcome.OK
    ]
    assert any(r.reason is Reason.NOT_CHECKED for r in report.results)
    requested = {e.target for e in a.log + b.log if e.status is not None}
    assert {r.link.url for r in checked} <= {s.url(t) for s in (a, b) for t in requested}
