"""Checking while a large library is still being read.

Reading 20,000 articles takes a CPU core 15-20 s, and the checking processes would wait for
all of it. Instead, the links a run would check anyway start as soon as enough are known:
when reading has found `START_AFTER` of them (the size at which a run uses several processes),
the processes start with those, and every `FEED_S` they are sent what reading found since.
Each host's limits are divided from the links known at that start (`workers.Dealer`); a host
first seen later goes to the least loaded process with the share of its limits every process
has of a host it does not own, so the processes together still stay within them.

Only what the plan could not decide otherwise goes early (`Feed.offer`): a link seen for the
first time that is not an image (an image's declared sizes are judged against every
occurrence, known only once reading ends), not a local file, in this run's shard, on a host
the address guard allows, and only in a run whose state store holds no verdicts yet (none, or
a first run's: a verdict kept from an earlier run may settle a link without a request). Its
result is held until reading ends; then it gets the link with all its occurrences, and a link
that turned out to be an image too (cited as a page first) is checked again as one and its
early result dropped. The plan decides the rest as usual.

A library read before `START_AFTER` links are found is checked exactly as before.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import replace
from typing import Any

import anyio
import anyio.to_thread
from anyio.abc import TaskGroup

from linkcheck.collect.library import Collected
from linkcheck.config import Config
from linkcheck.local import is_local
from linkcheck.models import (
    CachedImage,
    CheckResult,
    HostStats,
    Link,
    LinkKind,
    Occurrence,
    Outcome,
    Reason,
)
from linkcheck.net.guard import AddressPolicy, Guard, refused_literal
from linkcheck.plan import Plan
from linkcheck.shard import shard_of
from linkcheck.workers import AUTO_MIN_LINKS, Pool, worker_count

__all__ = ["FEED_S", "START_AFTER", "EarlyChecks", "Feed", "compact", "refuse_literals"]

OnResult = Callable[[CheckResult], None]
RunPool = Callable[[Pool], Coroutine[Any, Any, None]]

START_AFTER = AUTO_MIN_LINKS  # links found before the checking processes start
FEED_S = 0.2  # how often they are sent what reading found since


class Feed:
    """Links reading finds for the first time that may be checked before it ends (called
    from the reading thread; taken from the event loop's)."""

    def __init__(self, config: Config) -> None:
        self._lock = threading.Lock()
        self._pending: list[Link] = []
        self._open = True
        self.count = 0  # links offered and kept so far
        self.sent: dict[str, Link] = {}  # URL -> the Link taken (the object results point to)
        self._shard = config.shard if config.shard and config.shard[1] > 1 else None
        self._guard = literal_guard(config)

    def offer(self, url: str, first: Occurrence) -> None:
        """A URL just seen for the first time, and where (reading's thread)."""
        if not self._open or first.kind is LinkKind.IMAGE or is_local(url):
            return
        if self._shard is not None and shard_of(url, self._shard[1]) != self._shard[0]:
            return
        if self._guard is not None and refused_literal(url, self._guard) is not None:
            return
        link = Link(url, first.kind, (first,))
        with self._lock:
            if self._open:
                self._pending.append(link)
                self.count += 1

    def take(self) -> list[Link]:
        """What was found since the last take."""
        with self._lock:
            batch, self._pending = self._pending, []
        for link in batch:
            self.sent[link.url] = link
        return batch

    def close(self) -> list[Link]:
        """No more offers; the last ones."""
        with self._lock:
            self._open = False
        return self.take()


class EarlyChecks:
    """One run's early start: the feed, the processes once started, and how their results
    are put right once reading has ended."""

    def __init__(self, config: Config, on_result: OnResult) -> None:
        self.config = config
        self.feed = Feed(config)
        self.on_result = on_result
        self.pool: Pool | None = None
        self.processes = 1
        self.hosts: list[HostStats] = []
        self.lost: list[CheckResult] = []  # links whose process had gone when they were sent
        self._final: dict[str, Link] = {}
        self._again: set[str] = set()  # sent as a page, an image too: checked again

    async def while_reading(self, tg: TaskGroup, run_pool: RunPool) -> None:
        """Start the processes once enough links are known, then feed them (cancelled when
        reading ends)."""
        while True:
            await anyio.sleep(FEED_S)
            feed = self.feed
            if self.pool is None:
                if feed.count < START_AFTER:
                    continue
                n = worker_count(self.config, feed.count)
                if n <= 1:  # one process after all (--workers 1, a host allowing one request)
                    feed.close()
                    feed.sent.clear()
                    return
                self.pool = Pool(feed.take(), self.config, {}, n, self.on_result, more_to_come=True)
                self.processes = n
                tg.start_soon(run_pool, self.pool)
                continue
            await self._add(feed.take(), {})

    async def _add(self, links: Sequence[Link], revalidate: dict[str, CachedImage]) -> None:
        if links and self.pool is not None:
            self.lost += await anyio.to_thread.run_sync(self.pool.add, links, revalidate)

    async def after_reading(self, collected: Collected) -> Collected:
        """`collected` without the links already sent (unless they must be checked again)."""
        last = self.feed.close()
        if self.pool is None:
            return collected
        await self._add(last, {})
        final = self._final = {link.url: link for link in collected.links}
        sent = self.feed.sent
        self._again = {url for url, s in sent.items() if final[url].kind is not s.kind}
        rest = [link for link in collected.links if link.url not in sent or link.url in self._again]
        return replace(collected, links=rest)

    async def finish(self, work: Plan, stopping: bool) -> None:
        """Send the rest of the work (unless the run is stopping); nothing more will come."""
        if self.pool is None:
            return
        if not stopping:
            await self._add(work.to_check, dict(work.revalidate))
        await anyio.to_thread.run_sync(self.pool.close)

    def sent_links(self) -> list[Link]:
        """Every link sent early, as the report knows it (all its occurrences)."""
        return [self._final[url] for url in self.feed.sent if url not in self._again]

    def put_right(self, result: CheckResult) -> CheckResult | None:
        """A result as the report needs it: an early link's with all its occurrences; None for
        an early page result of a link checked again as an image."""
        url = result.link.url
        early = self.feed.sent.get(url)
        if early is None or result.link is not early:
            return result
        if url in self._again:
            return None
        return replace(result, link=self._final[url])


# --------------------------------------------------------------------------- the plan's edges


def literal_guard(config: Config) -> Guard | None:
    """The guard that refuses literal private addresses before any work is queued (None: it
    refuses none, with --allow-private or a proxy, which may be exempt)."""
    if config.allow_private or config.proxy:
        return None
    return Guard(AddressPolicy.of(False, config.allow_net))


def refuse_literals(work: Plan, config: Config) -> Plan:
    """Links whose host is a literal private address (or `localhost`) are settled here,
    without a host permit or a rate slot: the transport would refuse them anyway (names
    are still judged where connections are made). Not with a proxy: it may be exempt."""
    guard = literal_guard(config)
    if guard is None:
        return work
    keep: list[Link] = []
    refused: list[CheckResult] = []
    for link in work.to_check:
        why = refused_literal(link.url, guard)
        if why is None:
            keep.append(link)
        else:
            refused.append(
                CheckResult(link, Outcome.SKIPPED, Reason.PRIVATE_ADDRESS, None, None, detail=why)
            )
    if not refused:
        return work
    return replace(work, to_check=tuple(keep), settled=(*work.settled, *refused))


def compact(result: CheckResult) -> CheckResult:
    """A finished result as kept for the report: when nothing redirected, `final_url` is the
    link's own string rather than an equal copy, and the detail text is interned (details
    repeat: "HTTP 404", "HTTP 403: access blocked (link may be alive)"...)."""
    url, final, detail = result.link.url, result.final_url, result.detail
    same = final is not None and final is not url and final == url
    shared = sys.intern(detail) if detail else detail
    if not same and shared is detail:
        return result
    return replace(result, final_url=url if same else final, detail=shared)
