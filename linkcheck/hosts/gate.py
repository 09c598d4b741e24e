"""Per-host politeness: the one place concurrency caps, request spacing, Retry-After, adaptive
rate (AIMD) and "this host is down" are enforced and learned.

Every request holds a `Permit` of its host, and is followed by `release(permit, ...)` saying
what happened. New links get their first permit from the dispatcher (`try_reserve`); work
already in progress (a redirect hop, a retry, the GET after a failed HEAD, an image's next
range) asks through its `Lease` and waits in a per-host FIFO that goes ahead of new links:
while it is not empty the dispatcher gives the host no new link.

Rate limiting is a strict interval scheduler (a token bucket with a burst of one): request
starts to one host are at least 1/rate seconds apart, so the host never sees more than `rate`
requests in any one-second window. The rate adapts (see aimd.py). Time is
`anyio.current_time()`, so tests and runs agree on one clock.
"""

from __future__ import annotations

import anyio

from linkcheck.config import Config
from linkcheck.hosts.slots import INF, Wakeup, WorkerSlot
from linkcheck.hosts.state import HostDown, HostState, Permit, Waiter
from linkcheck.models import ErrorKind, HostStats

__all__ = ["HostDown", "Lease", "Permit", "Politeness"]

DOWN_KINDS = frozenset({ErrorKind.DNS, ErrorKind.CONNECT, ErrorKind.TLS, ErrorKind.CONNECT_TIMEOUT})


class Politeness:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.hosts: dict[str, HostState] = {}
        self.wakeup = Wakeup()  # the dispatcher sleeps on it
        self.unparked: list[HostState] = []  # parked hosts that may take new links again

    def state(self, host: str) -> HostState:
        st = self.hosts.get(host)
        if st is None:
            override = self.config.host_override(host)
            st = HostState(
                host,
                override.concurrency or self.config.host_concurrency,
                override.rate or self.config.host_rate,
                override.headers,
            )
            self.hosts[host] = st
        return st

    def lease(self, first: Permit | None = None, slot: WorkerSlot | None = None) -> Lease:
        """A lease for one link (without a dispatcher: no slot, no reserved permit)."""
        return Lease(self, slot, first)

    # ---- learned host knowledge -------------------------------------------------------------

    def headers_for(self, host: str) -> dict[str, str]:
        return dict(self.state(host).headers)

    def head_ok(self, host: str) -> bool:
        """May HEAD be used on this host (not yet seen to mishandle it)?"""
        return self.state(host).head_ok

    def learn_head_mishandled(self, host: str) -> None:
        """This host answers HEAD with 405/501 or an error: go straight to GET from now on."""
        self.state(host).head_ok = False

    def note_retry(self, host: str) -> None:
        self.state(host).stats.retries += 1

    def check_down(self, host: str) -> None:
        st = self.state(host)
        if st.down is not None:
            st.stats.short_circuited += 1
            raise HostDown(st.down, st.down_detail)

    # ---- permits ----------------------------------------------------------------------------

    def try_reserve(self, host: str) -> Permit | None:
        """A permit for a NEW link, if the host may take one right now (never while work
        already in progress waits for this host)."""
        st = self.state(host)
        now = anyio.current_time()
        if st.down is None and st.ready_for_new(now) <= now:
            return st.take(now)
        return None

    async def acquire(self, host: str, slot: WorkerSlot | None = None) -> Permit:
        """A permit for work already in progress, ahead of new links. Raises HostDown.

        Waits in the host's FIFO; the worker's global slot is lent out while it waits and
        reclaimed (ahead of new links) once it is first in line and the host is ready."""
        self.check_down(host)
        st = self.hosts[host]
        now = anyio.current_time()
        if not st.waiters and st.ready_at(now) <= now:
            return st.take(now)
        waiter = Waiter()
        st.waiters.append(waiter)
        began = now
        try:
            while True:
                self.check_down(host)
                now = anyio.current_time()
                ready = st.ready_at(now) if st.waiters[0] is waiter else INF
                if ready <= now:
                    if slot is None or slot.held:
                        st.waiters.popleft()
                        waiter.queued = False
                        return st.take(now)
                    await slot.reclaim()  # first in line and the host is ready: get back on
                    continue
                if slot is not None:
                    slot.lend()
                event = waiter.event = anyio.Event()
                if ready == INF:  # behind another waiter, or at the cap: until woken
                    await event.wait()
                else:
                    with anyio.move_on_after(ready - now):
                        await event.wait()
                waiter.event = None
        finally:
            if waiter.queued:  # HostDown or cancelled while waiting
                st.waiters.remove(waiter)
            st.stats.waited_s += anyio.current_time() - began
            self._waiters_changed(st)

    def release(
        self,
        permit: Permit,
        *,
        status: int | None = None,
        error: ErrorKind | None = None,
        detail: str = "",
        retry_after: float | None = None,
    ) -> None:
        """Return a permit and learn from what the request met."""
        st = self.hosts[permit.host]
        st.in_flight -= 1
        now = anyio.current_time()
        st.latency += (now - permit.started - st.latency) * 0.2
        st.last_answer = now
        if status is not None:
            st.failures = 0
            st.timeouts = 0
            if status == 429 or (status == 503 and retry_after is not None):
                # first of all a pause, for the whole host, unless its 429s have proved to be
                # about their URLs (aimd.py: then the link alone waits, check.py); a wait
                # beyond the cap is not waited for (the link is reported rate_limited at once)
                if (
                    retry_after is not None
                    and retry_after <= self.config.retry_after_cap
                    and not st.rate.url_scoped
                ):
                    st.blocked_until = max(st.blocked_until, now + retry_after)
                if status == 429:
                    st.stats.responses_429 += 1
                st.pushback(permit, now, paused=retry_after is not None)
            elif status < 500:
                st.success(now)
        elif error in DOWN_KINDS:
            st.failures += 1
            if st.failures >= self.config.dead_host_after:
                self._mark_down(
                    st,
                    error,
                    f"host {st.host} unreachable: {st.failures} connection attempts in a row "
                    f"failed (last: {detail})",
                )
        self._waiters_changed(st)

    def note_timeout(self, host: str, detail: str) -> None:
        """One whole attempt at a link on `host` timed out (its GET, or its HEAD and then its
        GET). A host that accepts connections and never answers is given up on like an
        unreachable one: after `dead_host_after` such attempts in a row, with no answer from
        the host in between, its remaining links are reported without being requested. (A HEAD
        that hangs alone is not counted: the GET after it decides.)"""
        st = self.state(host)
        st.timeouts += 1
        if st.timeouts >= self.config.dead_host_after:
            self._mark_down(
                st,
                ErrorKind.TIMEOUT,
                f"host {st.host} stopped answering: {st.timeouts} attempts in a row timed out "
                f"(last: {detail})",
            )
            self._waiters_changed(st)

    def _mark_down(self, st: HostState, error: ErrorKind | None, detail: str) -> None:
        if st.down is not None or error is None:
            return
        st.down = error
        st.down_detail = detail
        st.stats.marked_down = error.value
        for waiter in st.waiters:  # they all learn it now
            waiter.wake()

    def _waiters_changed(self, st: HostState) -> None:
        """A permit came back or a waiter left: wake the first waiter, else tell the
        dispatcher a host it set aside may take new links again."""
        if st.waiters:
            st.wake_first()
        elif st.parked:
            st.parked = False
            self.unparked.append(st)
            self.wakeup.set()

    def snapshot(self) -> tuple[HostStats, ...]:
        """Frozen copies of every host's statistics, sorted by host."""
        now = anyio.current_time()
        return tuple(st.snapshot(now) for _, st in sorted(self.hosts.items()))


class Lease:
    """What one link in progress holds: its worker's global slot (None outside a dispatcher)
    and the permit the dispatcher reserved for its first request. Hops, retries, the GET
    after a HEAD and image ranges all acquire through it, ahead of new links."""

    __slots__ = ("gate", "slot", "first")

    def __init__(self, gate: Politeness, slot: WorkerSlot | None, first: Permit | None) -> None:
        self.gate = gate
        self.slot = slot
        self.first = first

    async def acquire(self, host: str) -> Permit:
        first = self.first
        if first is not None:
            self.first = None
            if first.host == host:
                first.owner = self
                return first
            self.gate.release(first)
        try:
            permit = await self.gate.acquire(host, self.slot)
            permit.owner = self
            return permit
        except HostDown:
            if self.slot is not None:
                await self.slot.reclaim()
            raise

    async def pause(self, seconds: float) -> None:
        """Sleep (a retry back-off) with the global slot lent to hosts with work ready."""
        if self.slot is None:
            await anyio.sleep(seconds)
            return
        async with self.slot.lent():
            await anyio.sleep(seconds)

    def close(self) -> None:
        """Give back a reserved permit the link never used."""
        if self.first is not None:
            self.gate.release(self.first)
            self.first = None
