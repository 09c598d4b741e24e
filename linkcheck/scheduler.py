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
from collections.abc import Awaitable, Callable, Iterable

import anyio
from anyio.abc import TaskGroup
from anyio.streams.memory import MemoryObjectSendStream

from linkcheck.models import CheckResult, Link
from linkcheck.politeness import Permit, Politeness

Checker = Callable[[Link, Permit | None], Awaitable[CheckResult]]


class _Dispatcher:
    def __init__(
        self, links: Iterable[Link], host_of: Callable[[str], str], gate: Politeness, concurrency: int
    ) -> None:
        self.gate = gate
        self.concurrency = concurrency
        self.queues: dict[str, deque[Link]] = {}
        for link in links:
            self.queues.setdefault(host_of(link.url), deque()).append(link)
        self.seq = itertools.count()
        # (ready time, tie-breaker, host): every host with queued work is in the heap or parked
        self.heap: list[tuple[float, int, str]] = [(0.0, next(self.seq), h) for h in self.queues]
        heapq.heapify(self.heap)
        self.parked: set[str] = set()  # hosts at their concurrency cap: re-armed on release
        self.running = 0
        self.wake = anyio.Event()

    def _poke(self) -> None:
        self.wake.set()
        self.wake = anyio.Event()

    def _next_ready(self, now: float) -> tuple[str, Permit] | float | None:
        """A (host, permit) ready now, else the time the soonest host becomes ready (None: idle)."""
        while self.heap:
            when, _, host = self.heap[0]
            if when > now:
                return when
            heapq.heappop(self.heap)
            state = self.gate.state(host)
            if state.down is not None:
                return host, None  # type: ignore[return-value]  # drain without a request
            ready = state.ready_at(now)
            if ready == float("inf"):
                self.parked.add(host)
                continue
            if ready > now:
                heapq.heappush(self.heap, (ready, next(self.seq), host))
                continue
            permit = self.gate.try_reserve(host)
            if permit is None:  # pragma: no cover - ready_at said yes a moment ago
                heapq.heappush(self.heap, (now, next(self.seq), host))
                continue
            return host, permit
        return None

    def _requeue(self, host: str) -> None:
        if not self.queues.get(host):
            return
        state = self.gate.state(host)
        now = anyio.current_time()
        ready = now if state.down is not None else state.ready_at(now)
        if ready == float("inf"):
            self.parked.add(host)
        else:
            heapq.heappush(self.heap, (ready, next(self.seq), host))

    def _unpark(self) -> None:
        for host in list(self.parked):
            state = self.gate.state(host)
            if state.in_flight < state.limit or state.down is not None:
                self.parked.discard(host)
                heapq.heappush(self.heap, (anyio.current_time(), next(self.seq), host))

    async def run(
        self, tg: TaskGroup, check: Checker, send: MemoryObjectSendStream[CheckResult]
    ) -> None:
        self.gate.on_change = self._poke
        while self.heap or self.parked or self.running:
            timeout: float | None = None
            if self.running < self.concurrency:
                self._unpark()
                now = anyio.current_time()
                picked = self._next_ready(now)
                if isinstance(picked, tuple):
                    host, permit = picked
                    link = self.queues[host].popleft()
                    if not self.queues[host]:
                        del self.queues[host]
                    else:
                        self._requeue(host)
                    self.running += 1
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
        try:
            result = await check(link, permit)
            await send.send(result)
        finally:
            self.running -= 1
            self._poke()


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
