"""The heartbeat: when standard error is not a terminal (cron, CI, a log file), a one-line
progress report every `--heartbeat` seconds, so a multi-hour run is never silent:

    linkcheck: checking 41,230/91,172 links (45%) · 312 broken · 20 warnings · 210 links/s · 3m20s

The line is written by a task of its own on the event loop, not from the progress callback,
so it ticks on time even when no result has come for minutes (a host that hangs, a long
Retry-After); the rate is over the last interval, so a stall shows as 0 links/s. The progress
callback only copies the counters. A stream that cannot be written (closed stderr) ends the
heartbeat quietly; the run goes on.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Protocol, TextIO, TypeVar

import anyio

if TYPE_CHECKING:  # the pipeline (and the network stack) is imported only when a run starts
    from linkcheck.pipeline import Progress

__all__ = ["Heartbeat", "duration_text", "with_heartbeat"]

T = TypeVar("T")

PHASES = {"reading": "reading files", "checking": "checking", "done": "finishing"}


def duration_text(seconds: float) -> str:
    """45s, 3m20s, 2h05m."""
    s = int(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


class Heartbeat:
    """A progress callback (`on_progress`) plus `run()`, the task that writes a line every
    `every` seconds until it is cancelled."""

    def __init__(
        self, stream: TextIO, every: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.stream = stream
        self.every = every
        self.clock = clock
        self.started = clock()
        self.phase = "reading"
        self.files = 0
        self.links_total = 0
        self.checked = 0
        self.broken = 0
        self.warnings = 0
        self.lines = 0
        self._last: tuple[str, float, int] = ("reading", self.started, 0)  # phase, time, count

    def __call__(self, p: Progress) -> None:
        # called for every result: copy the counters, nothing more
        self.phase = p.phase
        self.files = p.files
        self.links_total = p.links_total
        self.checked = p.checked
        self.broken = p.broken
        self.warnings = p.warnings

    def line(self) -> str:
        """The line for now (and the start of the next rate interval)."""
        now = self.clock()
        checking = self.phase != "reading"
        count = self.checked if checking else self.files
        phase, since, before = self._last
        if phase != self.phase:  # a new phase: its rate starts from zero
            before = 0
        rate = (count - before) / (now - since) if now > since else 0.0
        self._last = (self.phase, now, count)
        unit = "links/s" if checking else "files/s"
        parts = [f"linkcheck: {PHASES.get(self.phase, self.phase)}"]
        if checking:
            total = self.links_total
            share = f" ({100 * self.checked // total}%)" if total else ""
            parts[0] += f" {self.checked:,}/{total:,} links{share}"
            parts += [f"{self.broken:,} broken", f"{self.warnings:,} warnings"]
        else:
            parts.append(f"{self.files:,} files read")
        if self.phase != "done":
            parts.append(f"{rate:,.0f} {unit}")
        parts.append(duration_text(now - self.started))
        return " · ".join(parts)

    async def run(self) -> None:
        """Write a line every `every` seconds (on a fixed schedule, no drift) until cancelled."""
        tick = 0
        while True:
            tick += 1
            await anyio.sleep(max(0.0, self.started + tick * self.every - self.clock()))
            try:
                self.stream.write(self.line() + "\n")
                self.stream.flush()
            except (OSError, ValueError):  # stderr closed or gone: stop, the run goes on
                return
            self.lines += 1


class Ticker(Protocol):
    """Anything that redraws itself on a clock while the job runs: the heartbeat (not a
    terminal) or the terminal's progress line (`ProgressLine.run`)."""

    async def run(self) -> None: ...


async def with_heartbeat(heartbeat: Ticker | None, job: Awaitable[T]) -> T:
    """Await `job` while `heartbeat` ticks; the ticker stops when the job ends, however it
    ends. An exception from the job is re-raised as itself, not in an exception group."""
    if heartbeat is None:
        return await job
    outcome: list[T] = []
    failure: list[BaseException] = []
    async with anyio.create_task_group() as tg:
        tg.start_soon(heartbeat.run)
        try:
            outcome.append(await job)
        except Exception as exc:  # noqa: BLE001 - re-raised below, outside the task group
            failure.append(exc)
        tg.cancel_scope.cancel()
    if failure:
        raise failure[0]
    return outcome[0]
