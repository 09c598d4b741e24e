"""How a run's links and limits are divided between checking processes (linkcheck.workers)."""

from __future__ import annotations

import pickle
from multiprocessing.reduction import ForkingPickler

import pytest

from linkcheck.config import Config
from linkcheck.config.values import HostOverride
from linkcheck.models import (
    CheckResult,
    DeclaredSize,
    Hop,
    HostStats,
    Link,
    LinkKind,
    Occurrence,
    Outcome,
    Reason,
    Source,
)
from linkcheck.workers import combine, deal, share, worker_count


def link(url: str) -> Link:
    return Link(url, LinkKind.PAGE, ())


@pytest.mark.parametrize("n", [2, 3, 4])
@pytest.mark.parametrize(("concurrency", "rate"), [(16, 200.0), (5, 10.0), (4, 7.5), (7, 13.25)])
def test_shares_add_up_to_the_limits_and_never_above(n, concurrency, rate):
    config = Config(concurrency=50, host_concurrency=concurrency, host_rate=rate)
    parts = [share(config, i, n) for i in range(n)]
    assert sum(p.host_concurrency for p in parts) == concurrency
    assert sum(p.concurrency for p in parts) == 50
    assert sum(p.host_rate for p in parts) == pytest.approx(rate)
    # a worker spacing requests 1/r apart starts at most ceil(r) in a second: together no more
    # than the whole rate asked for (rounded up, as one process would)
    assert sum(-(-p.host_rate // 1) for p in parts) <= -(-rate // 1)
    assert all(p.host_concurrency >= 1 and p.host_rate >= 1 for p in parts)
    assert all(p.workers == 1 and not p.use_state and p.max_time == 0 for p in parts)


def test_host_overrides_are_shared_too():
    config = Config(hosts={"slow.example": HostOverride(concurrency=3, rate=5.0)})
    parts = [share(config, i, 2) for i in range(2)]
    overrides = [p.hosts["slow.example"] for p in parts]
    assert sorted(o.concurrency for o in overrides) == [1, 2]
    assert sorted(o.rate for o in overrides) == [2.0, 3.0]


def test_worker_count_automatic_and_its_caps(monkeypatch):
    monkeypatch.setattr("linkcheck.workers.cores", lambda: 8)
    assert worker_count(Config(), 100) == 1  # small runs stay in one process
    assert worker_count(Config(host_concurrency=16, host_rate=200), 50_000) == 4
    assert worker_count(Config(host_concurrency=2, host_rate=200), 50_000) == 2
    assert worker_count(Config(host_concurrency=16, host_rate=1.5), 50_000) == 1
    assert worker_count(Config(workers=1, host_concurrency=16, host_rate=200), 50_000) == 1
    assert worker_count(Config(workers=3, host_concurrency=16, host_rate=200), 10) == 3
    one = {"a.example": HostOverride(concurrency=1)}
    assert worker_count(Config(workers=3, host_concurrency=16, hosts=one), 10) == 1


def test_each_hosts_links_are_dealt_in_turn():
    links = [link(f"http://a.test/{i}") for i in range(7)] + [link("http://b.test/x")]
    links += [link(f"http://c.test/{i}") for i in range(2)]
    parts = deal(links, 2)
    assert sorted(len(p) for p in parts) == [5, 5]
    assert sorted(u.url for p in parts for u in p) == sorted(u.url for u in links)
    for host in ("a.test", "c.test"):
        counts = [sum(host in u.url for u in p) for p in parts]
        assert max(counts) - min(counts) <= 1


def test_statistics_of_a_shared_host_add_up():
    a = HostStats(
        "h",
        requests=10,
        responses_429=1,
        max_in_flight=8,
        rate_limit=100.0,
        configured_rate=100.0,
        min_rate=50.0,
        below_rate_s=3.0,
    )
    b = HostStats(
        "h",
        requests=7,
        max_in_flight=6,
        rate_limit=100.0,
        configured_rate=100.0,
        min_rate=100.0,
        below_rate_s=1.0,
    )
    (h,) = combine([[a], [b]])
    assert (h.requests, h.responses_429, h.max_in_flight) == (17, 1, 14)
    assert (h.rate_limit, h.configured_rate, h.min_rate, h.below_rate_s) == (200, 200, 150, 3.0)


def test_results_cross_the_process_boundary_unchanged():
    src = Source("a.md", "images[0].url", 4, "A")
    occ = Occurrence("http://a.test/x.jpg", LinkKind.IMAGE, src, DeclaredSize(10, 20))
    result = CheckResult(
        Link("http://a.test/x.jpg", LinkKind.IMAGE, (occ, occ)),
        Outcome.BROKEN,
        Reason.HTTP_STATUS,
        404,
        "http://a.test/y.jpg",
        redirects=(Hop("http://a.test/x.jpg", 301),),
        detail="HTTP 404",
    )
    assert pickle.loads(ForkingPickler.dumps(result)) == result
