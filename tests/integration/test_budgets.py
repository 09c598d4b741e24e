"""Time budgets that hold (issue #12), through real loopback servers.

A stall after the answer is known never changes the verdict; `--timeout` bounds one request
end to end; a host that keeps timing out is given up on like an unreachable one; a Retry-After
beyond the cap pauses nothing; a tiny --host-rate never means forever; an https URL answered
by a plain-HTTP server is a prompt `tls` error. Request counts come from the servers' logs;
times are printed (`pytest -s`) and asserted only against generous bounds.
"""

from __future__ import annotations

from typing import Any

import anyio
import sitekit
from sitekit import Request, Response

from linkcheck.check import CheckContext, check_link, host_of
from linkcheck.config import Config
from linkcheck.hosts.dispatch import run_checks
from linkcheck.hosts.gate import Lease, Politeness
from linkcheck.hosts.state import MIN_HOST_RATE, SPACING_MARGIN, HostState
from linkcheck.models import CheckResult, HostStats, Link, LinkKind, Outcome, Reason
from linkcheck.net.client import make_client
from linkcheck.net.exchange import PLAIN_HTTP_DETAIL


def config(**kw: Any) -> Config:
    base: dict[str, Any] = {"timeout": 5.0, "retries": 0, "concurrency": 8, "allow_private": True}
    base |= {"soft_404": False, "amp_checks": False}  # the HTTP engine alone: HEAD, GET fallback
    return Config(**{**base, **kw})


async def check_all(
    links: list[Link], cfg: Config
) -> tuple[dict[str, CheckResult], dict[str, HostStats], float]:
    """Every link through the dispatcher: results by URL, host stats by host, seconds spent."""
    gate = Politeness(cfg)
    results: dict[str, CheckResult] = {}

    def on_result(result: CheckResult) -> None:
        results[result.link.url] = result

    began = anyio.current_time()
    async with make_client(cfg) as client:
        ctx = CheckContext(client=client, config=cfg, gate=gate)

        async def check(link: Link, lease: Lease) -> CheckResult:
            return await check_link(link, ctx, lease)

        await run_checks(
            links, check, on_result, gate=gate, host_of=host_of, concurrency=cfg.concurrency
        )
    spent = anyio.current_time() - began
    assert len(results) == len(links)
    return results, {h.host: h for h in gate.snapshot()}, spent


def pages(*urls: str) -> list[Link]:
    return [Link(url=u, kind=LinkKind.PAGE, occurrences=()) for u in urls]


def images(*urls: str) -> list[Link]:
    return [Link(url=u, kind=LinkKind.IMAGE, occurrences=()) for u in urls]


def no_head(body: Response) -> Any:
    """A handler refusing HEAD (405), so the page is checked with a GET that gets `body`."""

    def handler(req: Request) -> Response:
        return Response(405, {"Allow": "GET"}) if req.method == "HEAD" else body

    return handler


# ---------------------------------------------------------------------------------------------
# A stall after the answer is known


async def test_a_body_stalling_after_a_200_keeps_the_verdict(site: sitekit.Site) -> None:
    # the status and the image's size arrive at once; the rest of the body (small enough to
    # be drained for connection reuse) stalls for far longer than the timeout
    picture = sitekit.png(40, 30) + b"\0" * 4000
    site.route(
        "/stall.png",
        Response(200, {"Content-Type": "image/png"}, picture, chunk_size=200, chunk_delay=30),
    )
    site.route(
        "/stall", no_head(Response.html(b"<p>" + b"x" * 2000, chunk_size=100, chunk_delay=30))
    )
    cfg = config(timeout=2.0, retries=1)
    links = images(site.url("/stall.png")) + pages(site.url("/stall"))
    results, _, spent = await check_all(links, cfg)
    print(f"\nstalled bodies: checked in {spent:.2f} s (timeout {cfg.timeout:g} s)")

    image = results[site.url("/stall.png")]
    assert (image.outcome, image.reason, image.http_status) == (Outcome.OK, None, 200)
    assert image.image is not None and (image.image.width, image.image.height) == (40, 30)
    page = results[site.url("/stall")]
    assert (page.outcome, page.reason, page.http_status) == (Outcome.OK, None, 200)
    assert image.attempts == page.attempts == 1
    assert len(site.requests("/stall.png")) == 1
    assert [e.method for e in site.requests("/stall")] == ["HEAD", "GET"]
    assert spent < cfg.timeout  # nobody waited for the stalled drain


async def test_a_stalled_drain_is_cut_before_a_short_timeout(site: sitekit.Site) -> None:
    # the timeout (0.3 s) is shorter than the drain's own patience, and the body trickles in
    # fast enough for the socket's read timeout never to fire: the drain still ends before
    # the exchange's time limit, and the status stands
    body = Response.html(b"<p>" + b"x" * 2000, chunk_size=50, chunk_delay=0.1)
    site.route("/stall", no_head(body))
    cfg = config(timeout=0.3, retries=0)
    results, _, _ = await check_all(pages(site.url("/stall")), cfg)
    page = results[site.url("/stall")]
    assert (page.outcome, page.http_status, page.attempts) == (Outcome.OK, 200, 1), page.detail


# ---------------------------------------------------------------------------------------------
# --timeout bounds one request end to end


async def test_a_trickling_server_holds_a_request_no_longer_than_the_timeout(
    sites: Any,
) -> None:
    a, b = sites(2)
    # every byte comes just in time for the socket's read timeout, never the whole answer:
    # an image whose size is never reached, and a status line and headers trickled in
    a.route(
        "/trickle.png",
        Response(200, {"Content-Type": "image/png"}, b"\0" * 400, chunk_size=1, chunk_delay=0.05),
    )
    b.route(
        "/trickle-headers.png",
        Response(
            body=b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nX-Pad: "
            + b"x" * 400
            + b"\r\n\r\n",
            action="raw",
            chunk_size=1,
            chunk_delay=0.05,
        ),
    )
    cfg = config(timeout=1.0, retries=0)
    links = images(a.url("/trickle.png"), b.url("/trickle-headers.png"))
    results, _, spent = await check_all(links, cfg)
    worst = max(r.elapsed for r in results.values())
    print(f"\ntrickled: worst request {worst:.2f} s, run {spent:.2f} s (timeout {cfg.timeout:g} s)")
    for result in results.values():
        assert (result.outcome, result.reason) == (Outcome.BROKEN, Reason.TIMEOUT)
        assert result.attempts == 1
    # before: 1.5 x the timeout and more; now the timeout plus a small grace
    assert worst < 1.4 * cfg.timeout
    assert spent < 1.4 * cfg.timeout + 0.5


# ---------------------------------------------------------------------------------------------
# A host that keeps timing out is given up on


async def test_a_host_that_never_answers_is_given_up_on(sites: Any) -> None:
    (a,) = sites(1)
    urls = [a.url(f"/hang?n={i}") for i in range(20)]
    cfg = config(timeout=0.4, retries=1, dead_host_after=3)
    results, hosts, spent = await check_all(pages(*urls), cfg)
    requests = len(a.log)
    every = len(urls) * (cfg.retries + 1) * 2  # a HEAD and then a GET per attempt
    print(f"\nhanging host: {requests} requests (without giving up: {every}), {spent:.2f} s")
    for url in urls:
        assert (results[url].outcome, results[url].reason) == (Outcome.BROKEN, Reason.TIMEOUT)
    given_up = [r for r in results.values() if "stopped answering" in r.detail]
    assert len(given_up) >= len(urls) - cfg.concurrency
    assert requests <= every // 4
    assert hosts[a.host].marked_down == "timeout"
    assert hosts[a.host].short_circuited >= len(urls) - cfg.concurrency


async def test_a_host_that_hangs_only_on_head_is_not_given_up_on(sites: Any) -> None:
    (a,) = sites(1)
    urls = [a.url(f"/head-hang?n={i}") for i in range(8)]
    cfg = config(timeout=0.4, retries=0, dead_host_after=2, host_concurrency=4)
    results, hosts, _ = await check_all(pages(*urls), cfg)
    assert {results[u].outcome for u in urls} == {Outcome.OK}
    assert hosts[a.host].marked_down is None


async def test_a_few_hanging_urls_among_answers_do_not_take_the_host_down(sites: Any) -> None:
    (a,) = sites(1)
    urls = [a.url(f"/hang?n={i}") if i % 3 == 0 else a.url(f"/ok?n={i}") for i in range(9)]
    cfg = config(timeout=0.4, retries=0, dead_host_after=3, host_concurrency=1, concurrency=1)
    results, hosts, _ = await check_all(pages(*urls), cfg)
    assert hosts[a.host].marked_down is None
    assert sum(r.outcome is Outcome.OK for r in results.values()) == 6


# ---------------------------------------------------------------------------------------------
# A Retry-After beyond the cap pauses nothing


async def test_a_retry_after_beyond_the_cap_does_not_pause_the_host(sites: Any) -> None:
    (a,) = sites(1)
    far = a.url("/status/429?retry_after=86400")
    others = [a.url(f"/ok?n={i}") for i in range(4)]
    cfg = config(retries=2, retry_after_cap=4.0, concurrency=1, host_concurrency=1)
    results, _, spent = await check_all(pages(far, *others), cfg)
    print(f"\nRetry-After 86400 with a {cfg.retry_after_cap:g} s cap: run took {spent:.2f} s")
    assert (results[far].outcome, results[far].reason) == (Outcome.WARNING, Reason.RATE_LIMITED)
    assert results[far].attempts == 1
    for url in others:
        assert results[url].outcome is Outcome.OK
    asked = a.requests("/status/429")
    assert len(asked) == 1  # reported at once, not retried
    answered = asked[0].end
    assert answered is not None
    later = [e for e in a.log if e.path == "/ok"]
    assert len(later) == len(others)
    # nobody sat out the cap (before: every other link waited 4 s after the 429)
    assert all(e.start - answered < cfg.retry_after_cap / 2 for e in later)
    assert spent < cfg.retry_after_cap


# ---------------------------------------------------------------------------------------------
# Absurd rates


def test_a_tiny_or_zero_rate_is_raised_to_the_floor() -> None:
    for rate in (1e-9, 0.0, float("nan")):
        st = HostState("example.org", 4, rate)
        assert st.interval == SPACING_MARGIN / MIN_HOST_RATE  # one request per ~100 s at worst
    assert HostState("example.org", 4, 2.0).interval == SPACING_MARGIN / 2.0


# ---------------------------------------------------------------------------------------------
# An https URL answered by plain HTTP


async def test_an_https_url_on_a_plain_http_port_is_a_prompt_tls_error(
    site: sitekit.Site,
) -> None:
    url = f"https://{site.host}/ok"
    cfg = config(timeout=3.0, retries=1)
    results, _, spent = await check_all(pages(url), cfg)
    print(f"\nhttps on a plain-HTTP port: {spent:.2f} s (timeout {cfg.timeout:g} s)")
    result = results[url]
    assert (result.outcome, result.reason) == (Outcome.BROKEN, Reason.TLS)
    assert result.detail == PLAIN_HTTP_DETAIL
    assert result.attempts == 1  # a TLS failure is not retried
    assert spent < cfg.timeout
