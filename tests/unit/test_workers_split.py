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
from linkcheck.workers import combine, split, worker_count
from linkcheck.workers.divide import share


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
    monkeypatch.setattr("linkcheck.workers.divide.cores", lambda: 8)
    assert worker_count(Config(), 100) == 1  # small runs stay in one process
    assert worker_count(Config(host_concurrency=16, host_rate=200), 50_000) == 4
    assert worker_count(Config(host_concurrency=2, host_rate=200), 50_000) == 2
    assert worker_count(Config(host_concurrency=16, host_rate=1.5), 50_000) == 1
    assert worker_count(Config(workers=1, host_concurrency=16, host_rate=200), 50_000) == 1
    assert worker_count(Config(workers=3, host_concurrency=16, host_rate=200), 10) == 3
    one = {"a.example": HostOverride(concurrency=1)}
    assert worker_count(Config(workers=3, host_concurrency=16, hosts=one), 10) == 1


def test_a_big_host_is_shared_and_the_others_owned_whole():
    links = [link(f"http://big.test/{i}") for i in range(60)]
    links += [link(f"http://a.test/{i}") for i in range(25)]
    links += [link(f"http://b.test/{i}") for i in range(10)]
    links += [link(f"http://c.test/{i}") for i in range(5)]
    config = Config(host_concurrency=8, host_rate=100.0)
    (one, c1), (two, c2) = split(links, config, 2)
    assert sorted(u.url for u in one + two) == sorted(u.url for u in links)
    # the big host (60 of 100 links) is dealt in turn: half each, half its limits each
    assert [sum("big.test" in u.url for u in p) for p in (one, two)] == [30, 30]
    assert c1.host_concurrency + c2.host_concurrency == 8
    assert c1.host_rate + c2.host_rate == 100
    # the others are owned whole, by the least loaded worker, biggest first
    owners = {h: [any(f"{h}.test" in u.url for u in p) for p in (one, two)] for h in "abc"}
    assert all(sum(o) == 1 for o in owners.values())
    assert abs(len(one) - len(two)) <= 10
    for host in ("a.test", "b.test", "c.test"):
        mine, theirs = (c1, c2) if owners[host[0]][0] else (c2, c1)
        o, h = mine.host_override(host), theirs.host_override(host)
        # the owner keeps all but what the other keeps for redirect hops: never more in all
        assert (o.concurrency, h.concurrency) == (7, 1)
        assert (o.rate, h.rate) == (98.0, 2.0)


def test_owned_host_keeps_the_users_own_limits_and_headers():
    special = {"a.test": HostOverride(concurrency=4, rate=20.0, headers=(("X-Key", "1"),))}
    links = [link(f"http://a.test/{i}") for i in range(3)] + [link("http://b.test/x")] * 2
    links += [link(f"http://c.test/{i}") for i in range(3)]
    config = Config(host_concurrency=8, host_rate=100.0, hosts=special)
    overrides = [c.host_override("a.test") for _, c in split(links, config, 2)]
    assert sorted(o.concurrency or 0 for o in overrides) == [1, 3]
    assert sorted(o.rate or 0 for o in overrides) == [1.0, 19.0]
    assert all(o.headers == (("X-Key", "1"),) for o in overrides)


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
