"""hosts/ (gate, dispatch, slots, adaptive rate) through real loopback servers.

Links go through `run_checks` + `check_link` with a real client, and politeness is asserted
from the servers' own request logs. No timing targets: only orderings, counts, and bounds
that the configuration itself promises (per-host concurrency and rate, the link budget).
"""

from __future__ import annotations

import threading
from typing import Any

import anyio
import sitekit
from sitekit import Request, Response

from linkcheck.check import CheckContext, check_link, host_of, link_budget
from linkcheck.config import Config
from linkcheck.hosts.dispatch import run_checks
from linkcheck.hosts.gate import Lease, Politeness
from linkcheck.models import CheckResult, HostStats, Link, LinkKind, Outcome, Reason
from linkcheck.net.client import make_client


def config(**kw: Any) -> Config:
    base: dict[str, Any] = {"timeout": 5.0, "retries": 0, "concurrency": 8, "allow_private": True}
    base |= {"soft_404": False, "amp_checks": False}  # the HTTP engine alone: HEAD, GET fallback
    return Config(**{**base, **kw})


async def check_all(
    urls: list[str], cfg: Config
) -> tuple[dict[str, CheckResult], dict[str, HostStats]]:
    gate = Politeness(cfg)
    links = [Link(url=u, kind=LinkKind.PAGE, occurrences=()) for u in urls]
    results: dict[str, CheckResult] = {}

    def on_result(result: CheckResult) -> None:
        results[result.link.url] = result

    async with make_client(cfg) as client:
        ctx = CheckContext(client=client, config=cfg, gate=gate)

        async def check(link: Link, lease: Lease) -> CheckResult:
            return await check_link(link, ctx, lease)

        await run_checks(
            links, check, on_result, gate=gate, host_of=host_of, concurrency=cfg.concurrency
        )
    assert len(results) == len(urls)
    return results, {h.host: h for h in gate.snapshot()}


def first_n_answer(status: int, n: int, **headers: str) -> Any:
    """A handler: the first `n` requests (whatever the path) get `status`, later ones 200."""
    lock = threading.Lock()
    seen = [0]

    def handler(req: Request) -> Response:
        with lock:
            seen[0] += 1
            early = seen[0] <= n
        if early:
            return Response(status, {"Content-Type": "text/plain", **headers}, b"slow down\n")
        return Response.html()

    return handler


# ---------------------------------------------------------------------------------------------
# Work already started goes first


async def test_redirect_hops_go_before_the_hosts_backlog(sites: Any) -> None:
    a, b = sites(2)
    # B is bound by its rate (not its concurrency): every 0.1 s one request may start, and
    # each hop competes for those turns with 30 new links queued for B
    backlog = [b.url(f"/ok?n={i}") for i in range(30)]
    starts = [a.url("/redirect-to?url=" + b.url(f"/ok?hop={k}")) for k in range(6)]
    cfg = config(host_concurrency=4, host_rate=10.0, concurrency=3)
    results, _ = await check_all([*starts, *backlog], cfg)
    assert all(r.outcome is Outcome.OK for r in results.values())
    b_log, redirects = b.log, a.requests("/redirect-to")
    overtaken = []
    for k in range(6):
        hop = next(i for i, e in enumerate(b_log) if e.query.get("hop") == str(k))
        redirected_at = redirects[k].end
        assert redirected_at is not None
        new_links = [e for e in b_log[:hop] if e.start > redirected_at and "hop" not in e.query]
        overtaken.append(len(new_links))
    # a hop takes B's next turn after its redirect came back (one new link may already have
    # had its permit, and on a loaded machine the client reads the redirect a turn after the
    # server logged it), never a turn after B's backlog (0.1 before this: [30, 1, 0, 0, 0, 0])
    assert max(overtaken) <= 2, overtaken
    assert b.max_rate(1.0) <= 10 and b.max_in_flight() <= 4


async def test_retries_go_before_new_links(sites: Any) -> None:
    (a,) = sites(1)
    for k in range(4):
        a.route(f"/flaky{k}", first_n_answer(429, 1))
    urls = [a.url(f"/flaky{k}") for k in range(4)] + [a.url(f"/ok?n={i}") for i in range(40)]
    cfg = config(host_concurrency=4, host_rate=10.0, retries=1, concurrency=3)
    results, stats = await check_all(urls, cfg)
    assert all(r.outcome is Outcome.OK for r in results.values())
    log = a.log
    overtaken = []
    for k in range(4):
        (first, _), (retry, _) = [(e, i) for i, e in enumerate(log) if e.path == f"/flaky{k}"]
        assert first.end is not None
        backed_off = first.end + 1.0  # the first back-off is 0.5 s plus at most 0.5 s jitter
        new_links = [e for e in log if backed_off < e.start < retry.start and e.path == "/ok"]
        overtaken.append(len(new_links))
    # once its back-off is over, a retry takes the host's next turn (0.1: [0, 0, 0, 9])
    assert max(overtaken) <= 1, overtaken
    assert stats[a.host].retries == 4


# ---------------------------------------------------------------------------------------------
# Adaptive rate: recovers after a burst, converges near a host's own limit


async def test_rate_recovers_after_a_burst_of_429(sites: Any) -> None:
    (a,) = sites(1, latency=0.3)  # the first four requests are all in flight at once
    a.route("/p/*", first_n_answer(429, 4))
    urls = [a.url(f"/p/{i}") for i in range(80)]
    cfg = config(host_concurrency=8, host_rate=20.0, retries=2)
    results, stats = await check_all(urls, cfg)
    assert all(r.outcome is Outcome.OK for r in results.values())
    host = stats[a.host]
    assert host.responses_429 == 4 and host.slowed_down
    assert host.configured_rate == 20.0
    assert host.min_rate is not None and host.min_rate < 20.0
    # four 429s to requests in flight together are one signal: one cut, then back up
    assert host.min_rate >= 20.0 * 0.7 - 0.01
    assert host.rate_limit is not None and host.rate_limit >= 0.9 * 20.0
    assert host.below_rate_s > 0
    assert a.max_rate(1.0) <= 20 and a.max_in_flight() <= 8


async def test_a_host_enforcing_a_lower_limit_is_not_pushed_to_the_floor(sites: Any) -> None:
    (a,) = sites(1, rate_limit=10)
    urls = [a.url(f"/ok?n={i}") for i in range(40)]
    cfg = config(host_concurrency=2, host_rate=20.0, retries=3)
    results, stats = await check_all(urls, cfg)
    assert all(r.outcome is Outcome.OK for r in results.values())
    host = stats[a.host]
    assert host.slowed_down and host.responses_429 == a.count_429 >= 1
    assert host.rate_limit is not None and host.min_rate is not None
    assert host.rate_limit >= 0.8 * 10  # near the host's own limit at the end...
    assert host.min_rate >= 0.3 * 10  # ...and never near the floor on the way
    assert a.count_429 <= 10  # a few probes, not a 429 for every other request


async def test_per_url_429s_pause_the_host_once_then_only_their_link(sites: Any) -> None:
    (a,) = sites(1)
    for k in range(2):
        a.route(f"/busy{k}", first_n_answer(429, 1, **{"Retry-After": "1"}))
    urls = [a.url(f"/ok?n={i}") for i in range(60)]
    # more than CONFIRM (2 s) of traffic apart: two separate suspicions, neither confirmed
    urls[2], urls[50] = a.url("/busy0"), a.url("/busy1")
    cfg = config(host_concurrency=2, host_rate=20.0, retries=1)
    results, stats = await check_all(urls, cfg)
    assert all(r.outcome is Outcome.OK for r in results.values())
    host = stats[a.host]
    assert host.responses_429 == 2
    # not confirmed by the host pushing back again once we resumed, a 429 cuts no rate: the
    # host ran at its configured rate throughout
    assert not host.slowed_down and host.min_rate == host.rate_limit == 20.0
    assert host.below_rate_s == 0
    # the first 429 paused the whole host for its Retry-After ...
    first = a.requests("/busy0")[0]
    assert first.end is not None
    after = [e.start for e in a.log if e.start > first.start]
    assert min(after) - first.end >= 1.0 - 0.05
    # ... which proved it was about that URL: the second pauses only its own link
    busy, retry = a.requests("/busy1")
    assert busy.end is not None and retry.start - busy.end >= 1.0 - 0.05
    others = [e for e in a.log if busy.end < e.start < busy.end + 0.9 and e.path != "/busy1"]
    assert others, "the rest of the host was paused too"


async def test_retry_after_still_pauses_the_host(sites: Any) -> None:
    (a,) = sites(1)
    a.route("/limited", first_n_answer(429, 1, **{"Retry-After": "1"}))
    urls = [a.url("/limited")] + [a.url(f"/ok?n={i}") for i in range(5)]
    cfg = config(host_concurrency=1, host_rate=50.0, retries=1)
    results, _ = await check_all(urls, cfg)
    assert results[urls[0]].outcome is Outcome.OK
    first = a.requests("/limited")[0]
    assert first.end is not None
    later = [e.start for e in a.log if e.start > first.start]
    assert later and min(later) - first.end >= 1.0 - 0.05


# ---------------------------------------------------------------------------------------------
# Limits hold with hops, retries and new links mixed


async def test_hops_and_retries_never_exceed_the_hosts_limits(sites: Any) -> None:
    a, b = sites(2, latency=0.02, max_concurrency=2)
    b.route("/flaky/*", first_n_answer(503, 3))
    urls = [a.url("/redirect-to?url=" + b.url(f"/ok?via=a{i}")) for i in range(10)]
    urls += [b.url(f"/flaky/{i}") for i in range(6)]
    urls += [b.url(f"/ok?n={i}") for i in range(20)]
    cfg = config(host_concurrency=2, host_rate=25.0, retries=2, concurrency=10)
    results, _ = await check_all(urls, cfg)
    assert all(r.outcome is Outcome.OK for r in results.values()), [
        (u, r.reason) for u, r in results.items() if r.outcome is not Outcome.OK
    ]
    for site in (a, b):
        assert site.count_503 == 0  # max_concurrency never exceeded
        assert site.max_in_flight() <= 2
        assert site.max_rate(1.0) <= 25


# ---------------------------------------------------------------------------------------------
# A hang costs a bounded time


async def test_a_hanging_url_stays_within_its_budget(sites: Any) -> None:
    (a,) = sites(1)
    url = a.url("/hang")
    cfg = config(timeout=0.4, retries=1)
    began = anyio.current_time()
    results, _ = await check_all([url, a.url("/ok")], cfg)
    spent = anyio.current_time() - began
    assert spent <= link_budget(cfg)
    assert results[url].reason is Reason.TIMEOUT
    assert results[a.url("/ok")].outcome is Outcome.OK


async def test_a_chain_of_slow_hops_is_cut_off_at_the_budget(sites: Any) -> None:
    (a,) = sites(1)

    def chain(req: Request) -> Response:
        n = int(req.path.rsplit("/", 1)[1])
        return Response(302, {"Location": a.url(f"/chain/{n + 1}")}, delay=0.25)

    a.route("/chain/*", chain)
    url = a.url("/chain/0")
    cfg = config(timeout=0.5, retries=0, max_redirects=50)
    budget = link_budget(cfg)
    assert budget == 1.0  # (retries + 1) x 2 x timeout + 10 s per retry
    began = anyio.current_time()
    results, _ = await check_all([url], cfg)
    spent = anyio.current_time() - began
    result = results[url]
    # every hop answers within the timeout, but the chain as a whole does not end in time
    assert result.reason is Reason.TIMEOUT and "budget" in result.detail
    assert spent <= budget + 0.5
    assert len(a.log) < 10


def test_link_budget_follows_timeout_and_retries() -> None:
    assert link_budget(Config(timeout=20.0, retries=2)) == 3 * 2 * 20 + 2 * 10
    assert link_budget(Config(timeout=5.0, retries=0)) == 10


async def test_check_link_works_without_a_dispatcher(site: sitekit.Site) -> None:
    cfg = config()
    gate = Politeness(cfg)
    async with make_client(cfg) as client:
        ctx = CheckContext(client=client, config=cfg, gate=gate)
        result = await check_link(Link(site.url("/redirect/2"), LinkKind.PAGE, ()), ctx)
    assert result.outcome is Outcome.OK and len(result.redirects) == 2
    (stats,) = gate.snapshot()
    assert stats.requests == 3 and stats.configured_rate == cfg.host_rate
