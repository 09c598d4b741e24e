"""Per-host politeness: the one place concurrency caps, request spacing, Retry-After,
adaptive back-off and "this host is down" live.

Every request goes through `Politeness.acquire(host)` (or a permit the scheduler reserved with
`try_reserve`), and is followed by `release(permit, ...)` saying what happened. Time is
`anyio.current_time()` so tests and runs agree on one clock.

Rate limiting is a strict interval scheduler (a token bucket with a burst of one): request
starts to one host are at least 1/rate seconds apart, so the host never sees more than `rate`
requests in any one-second window.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol

import anyio

from linkcheck.config import Config
from linkcheck.models import ErrorKind, HostStats

MIN_RATE = 0.2  # adaptive back-off never slows a host below one request per 5 s
# Request starts are spaced 2 % wider than 1/rate: the client's spacing is exact, but delivery
# jitter can bunch arrivals at the server, which must still never count more than `rate` in
# any one-second window.
SPACING_MARGIN = 1.02
DOWN_KINDS = frozenset({ErrorKind.DNS, ErrorKind.CONNECT, ErrorKind.TLS, ErrorKind.CONNECT_TIMEOUT})


class Slot(Protocol):
    """A worker's share of the global concurrency. `released()` gives it back for the duration
    of a wait (Retry-After, rate spacing, retry back-off) and takes it back afterwards, so a
    waiting worker never keeps a slot from hosts that have work ready."""

    def released(self) -> AbstractAsyncContextManager[None]: ...


# The slot of the worker running in this task (set by the scheduler; None outside one).
current_slot: ContextVar[Slot | None] = ContextVar("linkcheck_slot", default=None)


async def pause(seconds: float) -> None:
    """Sleep (a retry back-off) without holding the worker's global slot."""
    slot = current_slot.get()
    if slot is None:
        await anyio.sleep(seconds)
        return
    async with slot.released():
        await anyio.sleep(seconds)


class HostDown(Exception):
    """The host was already found unreachable in this run."""

    def __init__(self, kind: ErrorKind, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


@dataclass(slots=True)
class Permit:
    host: str
    started: float


class HostState:
    __slots__ = (
        "host",
        "limit",
        "interval",
        "in_flight",
        "next_start",
        "blocked_until",
        "failures",
        "down",
        "down_detail",
        "head_ok",
        "stats",
        "changed",
        "latency",
    )

    def __init__(self, host: str, limit: int, rate: float) -> None:
        self.host = host
        self.limit = limit
        self.interval = SPACING_MARGIN / rate
        self.in_flight = 0
        self.next_start = 0.0  # earliest time the next request may start (rate)
        self.blocked_until = 0.0  # Retry-After
        self.failures = 0  # consecutive connection-level failures
        self.down: ErrorKind | None = None
        self.down_detail = ""
        self.head_ok: bool | None = None  # None: unknown; False: HEAD is mishandled here
        self.latency = 0.0  # moving average of request duration, seconds
        self.stats = HostStats(host=host, rate_limit=rate)
        self.changed = anyio.Event()

    def ready_at(self, now: float) -> float:
        """When a new request could start (inf while at the concurrency cap)."""
        if self.in_flight >= self.limit:
            return float("inf")
        return max(now, self.next_start, self.blocked_until)

    def take(self, now: float) -> Permit:
        self.in_flight += 1
        self.next_start = max(now, self.next_start) + self.interval
        self.stats.requests += 1
        self.stats.max_in_flight = max(self.stats.max_in_flight, self.in_flight)
        return Permit(self.host, now)

    def notify(self) -> None:
        self.changed.set()
        self.changed = anyio.Event()


class Politeness:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.hosts: dict[str, HostState] = {}
        self.on_change: Callable[[], None] = lambda: None  # the scheduler's wake-up call

    def state(self, host: str) -> HostState:
        st = self.hosts.get(host)
        if st is None:
            override = self.config.host_override(host)
            st = HostState(
                host,
                override.concurrency or self.config.host_concurrency,
                override.rate or self.config.host_rate,
            )
            self.hosts[host] = st
        return st

    def headers_for(self, host: str) -> dict[str, str]:
        return dict(self.config.host_override(host).headers)

    def check_down(self, host: str) -> None:
        st = self.state(host)
        if st.down is not None:
            st.stats.short_circuited += 1
            raise HostDown(st.down, st.down_detail)

    def try_reserve(self, host: str) -> Permit | None:
        """Take a permit now if the host is ready now (the scheduler's non-blocking path)."""
        st = self.state(host)
        now = anyio.current_time()
        if st.down is None and st.ready_at(now) <= now:
            return st.take(now)
        return None

    async def acquire(self, host: str) -> Permit:
        """Wait until `host` may receive one more request. Raises HostDown.

        A long wait happens without holding the worker's global slot (see `Slot`): first wait
        for the host to be ready with the slot given back, then take slot and permit together."""
        st = self.state(host)
        now = anyio.current_time()
        slot = current_slot.get()
        if slot is not None and st.down is None and st.ready_at(now) > now:
            began = now
            async with slot.released():
                await self._wait_ready(st)
            st.stats.waited_s += anyio.current_time() - began
        return await self._acquire(st)

    async def _wait_ready(self, st: HostState) -> None:
        while st.down is None:
            now = anyio.current_time()
            ready = st.ready_at(now)
            if ready <= now:
                return
            event = st.changed
            with anyio.move_on_after(ready - now):  # inf at the concurrency cap: until a release
                await event.wait()

    async def _acquire(self, st: HostState) -> Permit:
        host = st.host
        began = anyio.current_time()
        while True:
            self.check_down(host)
            now = anyio.current_time()
            ready = st.ready_at(now)
            if ready <= now:
                st.stats.waited_s += now - began
                return st.take(now)
            event = st.changed
            if ready == float("inf"):
                await event.wait()
            else:
                with anyio.move_on_after(ready - now):
                    await event.wait()

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
        st = self.state(permit.host)
        st.in_flight -= 1
        now = anyio.current_time()
        st.latency += (now - permit.started - st.latency) * 0.2
        if status is not None:
            st.failures = 0
            if status in (429, 503) and retry_after is not None:
                wait = min(retry_after, self.config.retry_after_cap)
                st.blocked_until = max(st.blocked_until, now + wait)
            if status == 429:
                st.stats.responses_429 += 1
                self._slow_down(st, now)
        elif error in DOWN_KINDS:
            st.failures += 1
            if st.failures >= self.config.dead_host_after and st.down is None:
                st.down = error
                st.down_detail = (
                    f"host {st.host} unreachable: {st.failures} connection attempts in a row "
                    f"failed (last: {detail})"
                )
                st.stats.marked_down = error.value if error else None
        st.notify()
        self.on_change()

    def note_retry(self, host: str) -> None:
        self.state(host).stats.retries += 1

    def _slow_down(self, st: HostState, now: float) -> None:
        """Adaptive back-off: each 429 halves the host's rate for the rest of the run."""
        rate = max(MIN_RATE, SPACING_MARGIN / st.interval / 2)
        st.interval = SPACING_MARGIN / rate
        st.next_start = max(st.next_start, now + st.interval)
        st.stats.rate_limit = round(rate, 3)
        st.stats.slowed_down = True

    def snapshot(self) -> tuple[HostStats, ...]:
        return tuple(sorted((st.stats for st in self.hosts.values()), key=lambda s: s.host))
