"""How a run's links and each host's limits are divided between N checking processes.

Each host's limits are *divided*, never copied, so all processes together never send a host
more than one process would:

* A host with more than 1/N of the links is **split**: its links are dealt in turn, and each
  worker gets its share of the host's concurrency and of its whole requests per second (and
  adapts that share by itself). One dominant host (a newsroom's own site) is checked on every
  core.
* Every other host is **owned** by one worker (the least loaded, biggest hosts first), which
  gets all of the host's limits but one request in flight and 2 % of its rate (at least 1/s)
  per other worker: the other workers keep that for the redirect hops that reach the host
  from their own links. The owner sees all of the host's answers, so its
  adaptive rate and Retry-After pauses work as in one process.
* A host no link names (reached only by redirects) has the split share in every worker.

A rate is dealt in whole requests per second (any fraction goes to the first share): a
worker spaces requests 1/rate apart, so one with a whole rate r starts at most r in any second.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from linkcheck.check import host_of
from linkcheck.config import Config
from linkcheck.config.values import HostOverride
from linkcheck.models import HostStats, Link

__all__ = [
    "AUTO_MAX",
    "AUTO_MIN_LINKS",
    "Dealer",
    "combine",
    "cores",
    "split",
    "worker_count",
]

AUTO_MAX = 4  # automatic: one worker per core, at most this many
AUTO_MIN_LINKS = 5_000  # automatic: below this many links, one process (starting one costs ~0.5 s)
HOP_SHARE = 0.02  # of an owned host's rate, kept by each other worker for redirect hops


def cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_count(config: Config, links: int) -> int:
    """How many processes check `links` links: `config.workers` (0: automatic), never more than
    any host's concurrency or whole requests per second (each worker needs at least one of
    each)."""
    asked = config.workers
    if asked == 1 or links < 2:
        return 1
    n = asked or (min(cores(), AUTO_MAX) if links >= AUTO_MIN_LINKS else 1)
    caps = [config.concurrency, config.host_concurrency, int(config.host_rate), links]
    for o in config.hosts.values():
        caps += [o.concurrency] if o.concurrency else []
        caps += [int(o.rate)] if o.rate else []
    return max(1, min(n, *caps))


def split(links: Sequence[Link], config: Config, n: int) -> list[tuple[list[Link], Config]]:
    """Each worker's links and Config (see the module doc)."""
    deal = Dealer(links, n)
    parts: list[list[Link]] = [[] for _ in range(n)]
    for link in links:
        parts[deal(link)].append(link)
    return [(parts[i], share(config, i, n, deal.owner)) for i in range(n)]


class Dealer:
    """Which worker checks a link: from the links known when the workers start (`links`),
    the owner of each host and the hosts shared by all; a link found later goes the same way,
    and a host first seen then goes to the least loaded worker with the share every worker
    has of a host it does not own (so the workers together stay within the host's limits)."""

    def __init__(self, links: Sequence[Link], n: int) -> None:
        counts = Counter(host_of(link.url) for link in links)
        self.n = n
        self.big = {h for h, c in counts.items() if c * n > len(links)}
        self.load = [sum(counts[h] for h in self.big) / n] * n
        self.owner: dict[str, int] = {}  # a host's worker, decided when the workers started
        for host, count in sorted(counts.items(), key=lambda hc: (-hc[1], hc[0])):
            if host not in self.big:
                i = min(range(n), key=self.load.__getitem__)
                self.owner[host] = i
                self.load[i] += count
        self.turn: dict[str, int] = {}
        self.later: dict[str, int] = {}  # hosts first seen after the workers started

    def __call__(self, link: Link) -> int:
        host = host_of(link.url)
        mine = self.owner.get(host)
        if mine is not None:
            return mine
        if host in self.big:  # dealt in turn
            mine = self.turn.get(host, len(self.turn) % self.n)
            self.turn[host] = (mine + 1) % self.n
            return mine
        mine = self.later.get(host)
        if mine is None:
            mine = self.later[host] = min(range(self.n), key=self.load.__getitem__)
        self.load[mine] += 1
        return mine


def share(config: Config, index: int, n: int, owner: dict[str, int] | None = None) -> Config:
    """Worker `index`'s Config: its share of every limit (see the module doc)."""

    def part(total: int) -> int:
        return total // n + (1 if index < total % n else 0)

    def rate(total: float) -> float:
        whole = int(total)
        return part(whole) + (total - whole if index == 0 else 0.0)

    hosts = {
        name: replace(
            o,
            concurrency=part(o.concurrency) if o.concurrency else None,
            rate=rate(o.rate) if o.rate else None,
        )
        for name, o in config.hosts.items()
    }
    for host, i in (owner or {}).items():
        o = config.host_override(host)
        limit = o.concurrency or config.host_concurrency
        whole = o.rate or config.host_rate
        hop = float(max(1, int(whole * HOP_SHARE)))
        if i == index:
            hosts[host] = HostOverride(limit - (n - 1), whole - (n - 1) * hop, o.headers)
        else:
            hosts[host] = HostOverride(1, hop, o.headers)
    return replace(
        config,
        workers=1,
        concurrency=part(config.concurrency),
        host_concurrency=part(config.host_concurrency),
        host_rate=rate(config.host_rate),
        hosts=hosts,
        use_state=False,
        state=None,
        max_time=0.0,  # the parent's clock stops the run
    )


def combine(per_worker: Sequence[Sequence[HostStats]]) -> tuple[HostStats, ...]:
    """One host's statistics over the workers that shared it: counts and rates add up (each
    worker had a share of the host's rate), times below the rate overlap (the longest)."""
    joined: dict[str, HostStats] = {}
    for stats in per_worker:
        for h in stats:
            have = joined.get(h.host)
            joined[h.host] = replace(h) if have is None else _add(have, h)
    return tuple(joined[h] for h in sorted(joined))


def _add(a: HostStats, b: HostStats) -> HostStats:
    def total(x: float | None, y: float | None) -> float | None:
        return y if x is None else x if y is None else round(x + y, 3)

    return HostStats(
        host=a.host,
        requests=a.requests + b.requests,
        retries=a.retries + b.retries,
        responses_429=a.responses_429 + b.responses_429,
        waited_s=round(a.waited_s + b.waited_s, 3),
        max_in_flight=a.max_in_flight + b.max_in_flight,  # at most: the peaks may not overlap
        rate_limit=total(a.rate_limit, b.rate_limit),
        slowed_down=a.slowed_down or b.slowed_down,
        marked_down=a.marked_down or b.marked_down,
        short_circuited=a.short_circuited + b.short_circuited,
        configured_rate=total(a.configured_rate, b.configured_rate),
        min_rate=total(a.min_rate, b.min_rate),
        below_rate_s=max(a.below_rate_s, b.below_rate_s),
    )
