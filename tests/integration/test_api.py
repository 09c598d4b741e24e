"""The public API through real loopback servers (tests/sitekit.py): run, arun, check_stream,
articles in memory, progress on the loop thread, injected transport and client, load_report."""

from __future__ import annotations

import contextlib
import io
import threading
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from sitekit import Site, write_library

import linkcheck
from linkcheck import pipeline
from linkcheck.collect.library import Progress
from linkcheck.formats import json as jsonfmt
from linkcheck.models import Article, CheckResult, Outcome, Reason

# the news checks off: these tests count requests of the HTTP engine (HEAD, GET fallback)
FAST = {"timeout": 2.0, "retries": 0, "host_rate": 1000.0, "allow_private": True}
FAST |= {"soft_404": False, "amp_checks": False}


def config(**kw: Any) -> linkcheck.Config:
    return linkcheck.load_config(**{**FAST, **kw})


def article(url: str, title: str = "A") -> str:
    return f'---\ntitle: "{title}"\nwebUrl: "{url}"\n---\nSee <{url}>.\n'


def outcomes(report: linkcheck.Report) -> dict[str, Outcome]:
    return {r.link.url: r.outcome for r in report.results}


# --------------------------------------------------------------------------- run / arun


def test_run_paths_blocking(site: Site, tmp_path: Path) -> None:
    folder = write_library(
        tmp_path / "lib",
        {"a.md": article(site.url("/ok")), "b.md": article(site.url("/status/404"))},
    )
    report = linkcheck.run([folder], config())
    assert outcomes(report) == {
        site.url("/ok"): Outcome.OK,
        site.url("/status/404"): Outcome.BROKEN,
    }
    assert report.exit_code == 1 and not report.run.interrupted
    assert report.run.inputs == (str(folder),) and report.files == 2
    assert [h.host for h in report.run.hosts] == [site.host]
    assert report.run.hosts[0].requests == len(site.log)  # what the server saw


async def test_arun_articles_in_memory(site: Site) -> None:
    """(name, text) pairs are read like files called `name`; Article objects are used as is."""
    parsed = pipeline.collect([], [("mem/c.md", article(site.url("/status/410")))], config())
    given = Article(path="mem/d.md", title="D", front_matter={"webUrl": site.url("/ok?d")},
                    body="", body_line=4)  # fmt: skip
    broken = ("mem/bad.md", "no front matter here")
    report = await linkcheck.arun([("mem/a.md", article(site.url("/ok"))), given, broken], config())
    assert outcomes(report) == {site.url("/ok"): Outcome.OK, site.url("/ok?d"): Outcome.OK}
    assert [(p.file, p.reason.value) for p in report.problems] == [
        ("mem/bad.md", "no_front_matter")
    ]
    sources = {o.source.file for r in report.results for o in r.link.occurrences}
    assert sources == {"mem/a.md", "mem/d.md"} and report.files == 3 and report.articles == 2
    assert parsed.links[0].occurrences[0].source.line == 3  # same reader as files: lines too


async def test_odd_yaml_values_do_not_break_the_report(site: Site) -> None:
    text = f"""---
title: 2020-06-09
webUrl: "{site.url("/ok")}"
images:
  - url: "{site.url("/files/jpeg_baseline_pil.jpg")}"
    width: 2020-06-09T13:06:00Z
    height: .nan
  - url: "{site.url("/files/gif_pil.gif")}"
    width: !!binary aGVsbG8=
    height: !!set {{a, b}}
published: 2020-06-09
---
body
"""
    report = await linkcheck.arun([("odd.md", text)], config())
    text_out = jsonfmt.dumps(report, tool_version="1")
    assert jsonfmt.dumps(linkcheck.load_report(io.StringIO(text_out)), tool_version="1") == text_out
    problems = {p.field for p in report.problems if p.reason.value == "invalid_declared_size"}
    assert problems == {"images[0]", "images[1]"}


# --------------------------------------------------------------------------- progress


async def test_progress_is_called_on_the_loop_thread(site: Site, tmp_path: Path) -> None:
    folder = write_library(
        tmp_path / "lib", {f"a{i:03}.md": article(site.url(f"/ok?{i}")) for i in range(250)}
    )
    loop_thread = threading.get_ident()
    calls: list[tuple[int, str, int, int]] = []

    def on_progress(p: Progress) -> None:
        calls.append((threading.get_ident(), p.phase, p.files, p.checked))

    report = await linkcheck.arun([folder], config(), on_progress=on_progress)
    assert len(report.results) == 250
    assert calls and {c[0] for c in calls} == {loop_thread}
    phases = [c[1] for c in calls]
    assert phases[0] == "reading" and phases[-1] == "checking"
    assert phases.index("checking") > 0
    checking = [c for c in calls if c[1] == "checking"]
    assert checking[0][2] == 250 and checking[-1][3] == 250


# --------------------------------------------------------------------------- check_stream


async def test_check_stream_yields_as_results_finish(site: Site) -> None:
    """The slow page answers only once the consumer has the quick one: results stream."""
    handed_over = threading.Event()
    released: list[bool] = []

    def slow(req: Any) -> str:
        released.append(handed_over.wait(timeout=5))
        return "finally"

    site.route("/slow", slow)
    inputs = [("a.md", article(site.url("/slow"))), ("b.md", article(site.url("/quick")))]
    inputs.append(("c.md", article("mailto:someone@example.com")))
    site.route("/quick", lambda req: "quick")
    urls = []
    async with contextlib.aclosing(linkcheck.check_stream(inputs, config())) as results:
        async for result in results:
            urls.append(result.link.url)
            if result.link.url == site.url("/quick"):
                handed_over.set()
    assert urls == ["mailto:someone@example.com", site.url("/quick"), site.url("/slow")]
    assert released == [True]


async def test_breaking_out_of_check_stream_stops_the_run(site: Site, sites: Any) -> None:
    (hangs,) = sites(1)
    inputs = [("a.md", article(site.url("/ok")))]
    inputs += [(f"h{i}.md", article(hangs.url(f"/hang?{i}"))) for i in range(12)]
    got: list[CheckResult] = []
    with anyio.fail_after(10):
        async with contextlib.aclosing(
            linkcheck.check_stream(inputs, config(concurrency=4, host_concurrency=4))
        ) as results:
            async for result in results:
                got.append(result)
                break
        assert [r.link.url for r in got] == [site.url("/ok")]
        while hangs.in_flight:  # the client hung up on every hanging request
            await anyio.sleep(0.01)
    started = len(hangs.log)
    await anyio.sleep(0.3)
    assert len(hangs.log) == started <= 4  # nothing new once closed


async def test_a_cancelled_run_still_reports_every_link(site: Site) -> None:
    inputs = [(f"s{i}.md", article(site.url(f"/hang?{i}"))) for i in range(5)]
    scope = anyio.CancelScope()
    async with anyio.create_task_group() as tg:

        async def stop_soon() -> None:
            while len(site.log) < 5:  # every link is on the wire (and hangs there)
                await anyio.sleep(0.01)
            scope.cancel()

        tg.start_soon(stop_soon)
        report = await linkcheck.arun(inputs, config(), cancel_scope=scope)
    assert report.run.interrupted and report.exit_code == 2
    assert {r.reason for r in report.results} == {Reason.NOT_CHECKED}
    assert len(report.results) == 5


# --------------------------------------------------------------------------- injection


def recording_transport(seen: list[str]) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url}")
        return httpx.Response(404 if "gone" in request.url.path else 200)

    return httpx.MockTransport(answer)


async def test_an_injected_transport_makes_every_request() -> None:
    """Names that must not reach the network: the transport answers instead of any socket."""
    seen: list[str] = []
    inputs = [
        ("a.md", article("https://news.example/ok")),
        ("b.md", article("https://x.test/gone")),
    ]
    report = await linkcheck.arun(inputs, config(), transport=recording_transport(seen))
    assert outcomes(report) == {
        "https://news.example/ok": Outcome.OK,
        "https://x.test/gone": Outcome.BROKEN,
    }
    assert "HEAD https://news.example/ok" in seen and "GET https://x.test/gone" in seen


async def test_an_injected_client_is_used_and_left_open() -> None:
    seen: list[str] = []
    async with httpx.AsyncClient(transport=recording_transport(seen)) as client:
        report = await linkcheck.arun(
            [("a.md", article("https://news.example/ok"))], config(), client=client
        )
        assert not client.is_closed
    assert outcomes(report) == {"https://news.example/ok": Outcome.OK}
    assert seen == ["HEAD https://news.example/ok"]


async def test_the_report_holds_frozen_host_statistics(site: Site) -> None:
    state = pipeline._Run(
        [("a.md", article(site.url("/ok")))],
        config(),
        on_progress=None,
        cancel_scope=None,
        transport=None,
        client=None,
    )
    results = [r async for r in state.stream()]
    report = state.report(results)
    live = {id(h) for h in state.gate.snapshot()}
    assert report.run.hosts and not live & {id(h) for h in report.run.hosts}
    assert report.run.hosts == state.gate.snapshot()  # equal values, separate objects


def test_run_reports_the_config_file(site: Site, tmp_path: Path) -> None:
    folder = write_library(tmp_path / "lib", {"a.md": article(site.url("/ok"))})
    (folder / "linkcheck.toml").write_text("timeout = 3\nretries = 0\nallow_private = true\n")
    cfg = linkcheck.load_config(inputs=[folder])
    assert cfg.timeout == 3
    report = linkcheck.run([folder], cfg)
    assert report.run.config_file is not None and "linkcheck.toml" in report.run.config_file
    with pytest.raises(linkcheck.ConfigError):
        linkcheck.load_config(timeout=-1)


@pytest.mark.parametrize("bad", [42, ("name",), ("name", b"bytes"), {"path": "x"}])
def test_an_input_that_is_not_a_path_or_an_article_is_an_input_error(bad: object) -> None:
    with pytest.raises(linkcheck.InputError, match="a path, an Article or a"):
        linkcheck.run([bad])  # type: ignore[list-item]
