"""What one host is known to be doing: in-flight count, spacing, Retry-After, its adaptive rate,
the in-progress requests waiting for it, and what the run has learned about it.

Plain data and arithmetic: the waiting, waking and dispatching live in `gate.py`,
`dispatch.py` and `slots.py`. Time is `anyio.current_time()`, passed in.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import anyio

from linkcheck.hosts.aimd import AdaptiveRate
from linkcheck.models import ErrorKind, HostStats

# Request starts are spaced 2 % wider than 1/rate: the client's spacing is exact, but delivery
# jitter can bunch arrivals at the server, which must still never count more than `rate` in
# any one-second window.
SPACING_MARGIN = 1.02
INF = float("inf")
# The slowest rate a host is ever given (one request per 100 s), whatever was configured: a
# rate of 0 or 1e-9 must not divide by zero or space two requests years apart.
MIN_HOST_RATE = 0.01


def _slack(interval: float) -> float:
    """How late a start may be and still keep its host's schedule (seconds).

    Starts spaced `interval` = SPACING_MARGIN / rate apart, each allowed up to `slack` early
    after a late one, put at most (1 s + slack) / interval + 1 starts in any one-second
    window; that stays within `rate` while slack <= (SPACING_MARGIN - 1) - interval. Half of
    it is used (the other half is left for delivery jitter), at most one interval (so at most
    two start at once after a pause), and none at rates below about 50/s, where an interval
    is long enough for a late start to cost little. Without it, a host asked for 200/s got
    about 165/s from a busy event loop: each start a millisecond late pushed every later one
    back."""
    return min(interval, max(0.0, (SPACING_MARGIN - 1.0) - interval) / 2)


class HostDown(Exception):
    """The host was already found unreachable in this run."""

    def __init__(self, kind: ErrorKind, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


@dataclass(slots=True)
class Permit:
    """The right to send one request to `host`, taken at `started` (anyio clock)."""

    host: str
    started: float
    owner: object = None  # the link's Lease: pushback from one link's retries counts once


class Waiter:
    """One in-progress request waiting for its host (FIFO per host, ahead of new links)."""

    __slots__ = ("event", "queued")

    def __init__(self) -> None:
        self.event: anyio.Event | None = None  # created only when it actually sleeps
        self.queued = True  # still in its host's queue

    def wake(self) -> None:
        if self.event is not None:
            self.event.set()


class HostState:
    __slots__ = (
        "host",
        "limit",
        "rate",
        "interval",
        "slack",
        "in_flight",
        "next_start",
        "blocked_until",
        "failures",
        "timeouts",
        "down",
        "down_detail",
        "head_ok",
        "latency",
        "last_answer",
        "waiters",
        "parked",
        "headers",
        "stats",
    )

    def __init__(
        self, host: str, limit: int, rate: float, headers: tuple[tuple[str, str], ...] = ()
    ) -> None:
        self.host = host
        self.headers = headers  # extra request headers for this host (config [hosts] table)
        self.limit = max(1, limit)
        rate = rate if rate >= MIN_HOST_RATE else MIN_HOST_RATE  # also NaN
        self.rate = AdaptiveRate(rate)
        self.interval = SPACING_MARGIN / rate
        self.slack = _slack(self.interval)
        self.in_flight = 0
        self.next_start = 0.0  # earliest time the next request may start (rate)
        self.blocked_until = 0.0  # Retry-After
        self.failures = 0  # consecutive connection-level failures
        self.timeouts = 0  # consecutive attempts that timed out with no answer in between
        self.down: ErrorKind | None = None
        self.down_detail = ""
        self.head_ok = True  # False once the host was seen to mishandle HEAD
        self.latency = 0.0  # moving average of request duration, seconds
        self.last_answer = 0.0  # when a request to this host last came back
        self.waiters: deque[Waiter] = deque()  # in-progress requests waiting, FIFO
        self.parked = False  # the dispatcher set it aside until a permit comes back
        self.stats = HostStats(host=host, rate_limit=rate, configured_rate=rate, min_rate=rate)

    def ready_at(self, now: float) -> float:
        """When one more request could start (inf while at the concurrency cap)."""
        if self.in_flight >= self.limit:
            return INF
        return max(now, self.next_start, self.blocked_until)

    def ready_for_new(self, now: float) -> float:
        """When a NEW link could start: never while in-progress work waits for this host."""
        if self.waiters:
            return INF
        return self.ready_at(now)

    def take(self, now: float) -> Permit:
        self.in_flight += 1
        # A start a little late (the event loop was busy) keeps the host's schedule: the next
        # one is due an interval after when this one was due, not after it started. Lateness
        # beyond `slack` is lost, so a host idle for a while gets no burst.
        due = self.next_start
        if now - due > self.slack:
            due = now - self.slack
        self.next_start = due + self.interval
        stats = self.stats
        stats.requests += 1
        if self.in_flight > stats.max_in_flight:
            stats.max_in_flight = self.in_flight
        return Permit(self.host, now)

    def wake_first(self) -> None:
        """Wake the in-progress request first in line (it re-checks and may sleep again)."""
        if self.waiters:
            self.waiters[0].wake()

    def pushback(self, permit: Permit, now: float, *, paused: bool) -> None:
        """A 429 (or 503 with Retry-After): slow down, once per window (see aimd.py)."""
        if self.rate.pushback(permit.started, now, paused=paused, source=permit.owner):
            self._rate_changed(now)
            self.stats.slowed_down = True

    def success(self, now: float) -> None:
        rate = self.rate
        if rate.rate < rate.configured or rate.suspicious:
            before = rate.rate
            rate.success(now)
            if rate.rate != before:
                self._rate_changed(now)

    def _rate_changed(self, now: float) -> None:
        old = self.interval
        self.interval = SPACING_MARGIN / self.rate.rate
        self.slack = _slack(self.interval)
        # the request already scheduled next keeps the new spacing from the last start
        self.next_start += self.interval - old
        self.stats.rate_limit = round(self.rate.rate, 3)

    def snapshot(self, now: float) -> HostStats:
        """A copy of the statistics as of `now` (the live object stays with the gate)."""
        rate = self.rate
        stats = self.stats
        return HostStats(
            host=stats.host,
            requests=stats.requests,
            retries=stats.retries,
            responses_429=stats.responses_429,
            waited_s=stats.waited_s,
            max_in_flight=stats.max_in_flight,
            rate_limit=round(rate.rate, 3),
            slowed_down=stats.slowed_down,
            marked_down=stats.marked_down,
            short_circuited=stats.short_circuited,
            configured_rate=rate.configured,
            min_rate=round(rate.min_rate, 3),
            # time below the rate while the host still had traffic, not idle time after it
            below_rate_s=round(rate.seconds_below(min(now, self.last_answer)), 3),
        )
