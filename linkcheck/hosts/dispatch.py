"""Run every check with a global concurrency cap and per-host politeness, never idling a slot on
a host that must wait while another host has work ready.

Design: links are grouped into one FIFO queue per host. The dispatcher keeps a heap of hosts
keyed by the time each could next take a NEW link (rate spacing, Retry-After). A link starts
only with both a global slot and a permit of its host, so at most `concurrency` links run at
once (a million links never become a million sleeping tasks), and a slot goes to the host
that is ready soonest (hosts interleave; no head-of-line blocking by one big host).

A worker that finishes a link picks the next one itself when a host is ready (no task spawn,
no wake-up of the dispatcher per link); the dispatcher task starts workers and handles the
timers. Work already in progress is served first: a host with in-progress requests waiting
(`HostState.waiters`) takes no new link, and a worker coming back from a wait gets a freed
global slot before any new link does (see gate.py and slots.py).
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from collections.abc import Awaitable, Callable, Iterable

import anyio
from anyio.abc import TaskGroup

from linkcheck.collect.gc_thresholds import collector_tuned
from linkcheck.hosts.gate import Lease, Politeness
from linkcheck.hosts.slots import INF, Slots, WorkerSlot
from linkcheck.hosts.state import HostState, Permit
from linkcheck.models import CheckResult, Link

__all__ = ["Checker", "Dispatcher", "OnResult", "run_checks", "run_dispatcher"]

Checker = Callable[[Link, Lease], Awaitable[CheckResult]]
OnResult = Callable[[CheckResult], None]
Picked = tuple[Link, Permit | None]


class Dispatcher:
    """Hosts with queued work are in exactly one of three places:

    * `waiting`: a heap by the time the host may next take a new link (spacing, Retry-After);
    * `ready`: a heap of hosts that may take one now, the longest backlog first (the host
      whose remaining work takes longest under its own limits is the critical path, so it is
      never starved of slots by many small hosts);
    * parked (`HostState.parked`): at the concurrency cap, or in-progress work is waiting for
      the host; the gate hands it back (`Politeness.unparked`) when that changes.
    """

    def __init__(
        self,
        links: Iterable[Link],
        host_of: Callable[[str], str],
        gate: Politeness,
        concurrency: int,
        *,
        more_to_come: bool = False,
    ) -> None:
        self.gate = gate
        self.host_of = host_of
        self.slots = Slots(concurrency, gate.wakeup)
        self.queues: dict[HostState, deque[Link]] = {}
        self.seq = itertools.count()
        self.waiting: list[tuple[float, int, HostState]] = []
        self.ready: list[tuple[float, int, HostState]] = []
        self.sleep_until = -INF  # when the sleeping dispatcher wakes by itself (-inf: awake)
        self.alive = 0  # worker tasks, including those waiting without a slot
        # a worker waiting without its slot still counts towards a hard cap on live tasks
        self.max_alive = 2 * concurrency
        # more links may still be added (`add`) until `close()`: the run waits for them
        self.more_to_come = more_to_come
        self._enqueue(links)
        for st in self.queues:
            self._push_ready(st)

    def _enqueue(self, links: Iterable[Link]) -> list[HostState]:
        """Queue links on their hosts; the hosts that had no queue before."""
        new: list[HostState] = []
        states: dict[str, HostState] = {}
        queues = self.queues
        for link in links:
            host = self.host_of(link.url)
            st = states.get(host)
            if st is None:
                st = states[host] = self.gate.state(host)
                if st not in queues:
                    queues[st] = deque()
                    new.append(st)
            queues[st].append(link)
        return new

    def add(self, links: Iterable[Link]) -> None:
        """More links, while the run goes on (a run started with `more_to_come`)."""
        now = anyio.current_time()
        for st in self._enqueue(links):
            self._place(st, now)
        self.gate.wakeup.set()

    def close(self) -> None:
        """No more links will be added: the run ends once those queued are done."""
        self.more_to_come = False
        self.gate.wakeup.set()

    def _push_ready(self, st: HostState) -> None:
        # seconds of work left on the host under its own limits (a priority, not a promise)
        per_request = max(st.interval, st.latency / st.limit)
        backlog = len(self.queues[st]) * per_request
        heapq.heappush(self.ready, (-backlog, next(self.seq), st))

    def _place(self, st: HostState, now: float) -> None:
        """Put a host with queued work where it belongs now."""
        if st not in self.queues:
            return
        ready = now if st.down is not None else st.ready_for_new(now)
        if ready == INF:
            st.parked = True
            return
        if ready <= now:
            self._push_ready(st)
        else:
            heapq.heappush(self.waiting, (ready, next(self.seq), st))
        # placed by a worker while the dispatcher sleeps: wake it if it could start a link sooner
        if ready < self.sleep_until and self.slots.has_free():
            self.gate.wakeup.set()

    def pick(self, now: float) -> Picked | float | None:
        """The next link and a permit for it now; else when the soonest host becomes ready
        (None: every host with work is parked, or there is no work). A down host's link
        comes with no permit: it is reported without a request."""
        unparked = self.gate.unparked
        if unparked:
            for st in unparked:
                if st in self.queues and not st.parked:
                    self._place(st, now)
            unparked.clear()
        waiting = self.waiting
        while waiting and waiting[0][0] <= now:
            self._place(heapq.heappop(waiting)[2], now)
        ready = self.ready
        while ready:
            st = heapq.heappop(ready)[2]
            if st not in self.queues:
                continue
            permit: Permit | None = None
            if st.down is None:
                if st.ready_for_new(now) > now:  # a hop or Retry-After took its turn meanwhile
                    self._place(st, now)
                    continue
                permit = st.take(now)
            queue = self.queues[st]
            link = queue.popleft()
            if queue:
                self._place(st, now)
            else:
                del self.queues[st]
            return link, permit
        return waiting[0][0] if waiting else None

    async def run(self, tg: TaskGroup, check: Checker, on_result: OnResult) -> None:
        wakeup = self.gate.wakeup
        slots = self.slots
        while self.queues or self.alive or self.more_to_come:
            timeout = INF
            if self.queues and slots.has_free() and self.alive < self.max_alive:
                now = anyio.current_time()
                picked = self.pick(now)
                if isinstance(picked, tuple):
                    slots.take()
                    self.alive += 1
                    tg.start_soon(self._work, check, on_result, picked)
                    continue
                if picked is not None:
                    timeout = max(0.0, picked - now)
            self.sleep_until = anyio.current_time() + timeout
            try:
                await wakeup.wait(timeout)
            finally:
                self.sleep_until = -INF

    async def _work(self, check: Checker, on_result: OnResult, picked: Picked) -> None:
        slot = WorkerSlot(self.slots)
        try:
            while True:
                link, permit = picked
                lease = Lease(self.gate, slot, permit)
                try:
                    result = await check(link, lease)
                finally:
                    lease.close()
                on_result(result)
                # go on with the next link in this task, unless the slot is owed elsewhere
                if not slot.held or not self.queues or self.slots.returning:
                    return
                nxt = self.pick(anyio.current_time())
                if not isinstance(nxt, tuple):
                    return
                picked = nxt
        finally:
            self.alive -= 1
            if slot.held:
                slot.lend()  # the slot goes back (to a returning worker, or the dispatcher)
            else:
                self.gate.wakeup.set()


async def run_checks(
    links: Iterable[Link],
    check: Checker,
    on_result: OnResult,
    *,
    gate: Politeness,
    host_of: Callable[[str], str],
    concurrency: int,
) -> None:
    """Check every link; `on_result` is called once per link, in completion order, on the event
    loop thread (never concurrently with itself).

    `check(link, lease)` must never raise; it makes its requests through the `Lease` (its
    first request uses the permit the dispatcher reserved for it). Cancelling the caller's
    scope stops the run cleanly.
    """
    await run_dispatcher(Dispatcher(links, host_of, gate, concurrency), check, on_result)


async def run_dispatcher(dispatcher: Dispatcher, check: Checker, on_result: OnResult) -> None:
    """`run_checks` with a dispatcher of one's own (one that takes links as the run goes on)."""
    with collector_tuned():
        async with anyio.create_task_group() as tg:
            await dispatcher.run(tg, check, on_result)
