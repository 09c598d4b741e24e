"""Run every check with a global concurrency cap and per-host politeness, never idling a slot on
a host that must wait while another host has work ready.

Design: links are grouped into one FIFO queue per host. A dispatcher keeps a heap of hosts keyed
by the time each could next take a request (rate spacing, Retry-After). It starts a worker only
when it holds both a global slot and a per-host permit, so at most `concurrency` workers exist at
any time (a million links never become a million sleeping tasks), and a slot is always given to
the host that is ready soonest (hosts interleave; no head-of-line blocking by one big host).
Results are streamed to the caller through a bounded memory object stream.
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager

import anyio
from anyio.abc import TaskGroup
from anyio.streams.memory import MemoryObjectSendStream

from linkcheck.hosts.gate import Permit, Politeness, current_slot
from linkcheck.models import CheckResult, Link

Checker = Callable[[Link, Permit | None], Awaitable[CheckResult]]


class _Dispatcher:
    """Hosts with queued work are in exactly one of three places:

    * `waiting`: a heap by the time the host may next take a request (rate spacing, Retry-After);
    * `ready`: a heap of hosts that may take a request now, the longest backlog first (the
      host whose remaining work takes longest under its own limits is the critical path, so it
      is never starved of slots by many small hosts);
    * `parked`: hosts at their concurrency cap, re-armed when a request to them finishes.
    """

    def __init__(
        self,
        links: Iterable[Link],
        host_of: Callable[[str], str],
        gate: Politeness,
        concurrency: int,
    ) -> None:
        self.gate = gate
        self.concurrency = concurrency
        self.queues: dict[str, deque[Link]] = {}
        for link in links:
            self.queues.setdefault(host_of(link.url), deque()).append(link)
        self.seq = itertools.count()
        self.waiting: list[tuple[float, int, str]] = []
        self.ready: list[tuple[float, int, str]] = []
        self.parked: set[str] = set()
        for host in self.queues:
            self._push_ready(host)
        self.running = 0  # workers holding a global slot
        self.alive = 0  # worker tasks, including those waiting without a slot
        self.returning = 0  # waiting workers that want their slot back (they go first)
        self.wake = anyio.Event()

    def _poke(self) -> None:
        self.wake.set()
        self.wake = anyio.Event()

    def _backlog(self, host: str) -> float:
        """Seconds of work left on a host under its own limits (a priority, not a promise)."""
        st = self.gate.state(host)
        per_request = max(st.interval, st.latency / st.limit)
        return len(self.queues[host]) * per_request

    def _push_ready(self, host: str) -> None:
        heapq.heappush(self.ready, (-self._backlog(host), next(self.seq), host))

    def _place(self, host: str, now: float) -> None:
        """Put a host with queued work where it belongs now."""
        st = self.gate.state(host)
        ready = now if st.down is not None else st.ready_at(now)
        if ready == float("inf"):
            self.parked.add(host)
        elif ready <= now:
            self._push_ready(host)
        else:
            heapq.heappush(self.waiting, (ready, next(self.seq), host))

    def _next_ready(self, now: float) -> tuple[str, Permit | None] | float | None:
        """A host and a permit for it now; else when the soonest host becomes ready (None: all
        hosts with work are parked or there is no work). A down host comes with no permit:
        its links are drained without requests."""
        for host in list(self.parked):
            st = self.gate.state(host)
            if st.in_flight < st.limit or st.down is not None:
                self.parked.discard(host)
                self._place(host, now)
        while self.waiting and self.waiting[0][0] <= now:
            self._place(heapq.heappop(self.waiting)[2], now)
        while self.ready:
            host = heapq.heappop(self.ready)[2]
            if self.gate.state(host).down is not None:
                return host, None
            permit = self.gate.try_reserve(host)
            if permit is not None:
                return host, permit
            self._place(host, now)  # Retry-After or a redirect hop took its turn meanwhile
            if self.ready and self.ready[0][2] == host:  # pragma: no cover - defensive
                break
        return self.waiting[0][0] if self.waiting else None

    async def run(
        self, tg: TaskGroup, check: Checker, send: MemoryObjectSendStream[CheckResult]
    ) -> None:
        self.gate.on_change = self._poke
        while self.queues or self.alive:
            timeout: float | None = None
            # a worker waiting without its slot still counts towards a hard cap on live tasks
            if (
                self.running + self.returning < self.concurrency
                and self.alive < 2 * self.concurrency
            ):
                now = anyio.current_time()
                picked = self._next_ready(now)
                if isinstance(picked, tuple):
                    host, permit = picked
                    link = self.queues[host].popleft()
                    if not self.queues[host]:
                        del self.queues[host]
                    else:
                        self._place(host, now)
                    self.running += 1
                    self.alive += 1
                    tg.start_soon(self._work, check, link, permit, send)
                    continue
                timeout = None if picked is None else max(0.0, picked - now)
            wake = self.wake
            with anyio.move_on_after(float("inf") if timeout is None else timeout):
                await wake.wait()

    async def _work(
        self,
        check: Checker,
        link: Link,
        permit: Permit | None,
        send: MemoryObjectSendStream[CheckResult],
    ) -> None:
        slot = _WorkerSlot(self)
        current_slot.set(slot)
        try:
            result = await check(link, permit)
            await send.send(result)
        finally:
            if slot.held:
                self.running -= 1
            self.alive -= 1
            self._poke()


class _WorkerSlot:
    """One worker's global slot; `released()` lends it out for the length of a wait."""

    def __init__(self, dispatcher: _Dispatcher) -> None:
        self.dispatcher = dispatcher
        self.held = True

    @asynccontextmanager
    async def released(self) -> AsyncIterator[None]:
        d = self.dispatcher
        self.held = False
        d.running -= 1
        d._poke()
        try:
            yield
        finally:
            d.returning += 1
            try:
                while d.running >= d.concurrency:
                    await d.wake.wait()
            finally:
                d.returning -= 1
            d.running += 1
            self.held = True


async def run_checks(
    links: Iterable[Link],
    check: Checker,
    on_result: Callable[[CheckResult], None],
    *,
    gate: Politeness,
    host_of: Callable[[str], str],
    concurrency: int,
    buffer: int = 256,
) -> None:
    """Check every link; `on_result` is called once per link, in completion order, from one task.

    `check` must never raise. Cancelling the caller's scope stops the run cleanly.
    """
    send, receive = anyio.create_memory_object_stream[CheckResult](buffer)
    dispatcher = _Dispatcher(links, host_of, gate, concurrency)

    async def produce() -> None:
        async with send, anyio.create_task_group() as tg:
            await dispatcher.run(tg, check, send)

    async with anyio.create_task_group() as outer:
        outer.start_soon(produce)
        async with receive:
            async for result in receive:
                on_result(result)
