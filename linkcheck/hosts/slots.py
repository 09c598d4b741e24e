"""The global concurrency: `limit` slots shared by all workers, lent out while a worker waits.

A worker holds one slot while it works. While it only waits (Retry-After, rate spacing, retry
back-off, a busy host) it lends the slot, so hosts with work ready are not kept idle, and it
reclaims one before going on. Reclaiming goes ahead of new links: a freed slot is handed
directly to the worker that has waited longest to come back, and only when none waits does
it go back to the dispatcher.

No anyio.Event is created on the hot path: a slot handed back wakes the dispatcher through
`Wakeup`, which holds an Event only while the dispatcher actually sleeps.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio

INF = float("inf")


class Wakeup:
    """Wakes one sleeper (the dispatcher). Setting it while nobody sleeps costs nothing; the
    dispatcher never awaits between looking at the state and going to sleep, so no wake-up
    is lost."""

    __slots__ = ("event",)

    def __init__(self) -> None:
        self.event: anyio.Event | None = None

    def set(self) -> None:
        event = self.event
        if event is not None:
            self.event = None
            event.set()

    async def wait(self, timeout: float = INF) -> None:
        event = self.event = anyio.Event()
        try:
            if timeout == INF:
                await event.wait()
            else:
                with anyio.move_on_after(timeout):
                    await event.wait()
        finally:
            if self.event is event:
                self.event = None


class Slots:
    """`limit` global slots; workers coming back from a wait are served before new work."""

    __slots__ = ("limit", "running", "returning", "wakeup")

    def __init__(self, limit: int, wakeup: Wakeup) -> None:
        self.limit = limit
        self.running = 0  # slots held by workers
        self.returning: deque[anyio.Event] = deque()  # workers waiting to get one back, FIFO
        self.wakeup = wakeup

    def has_free(self) -> bool:
        """May the dispatcher start a new link now?"""
        return self.running < self.limit and not self.returning

    def take(self) -> None:
        self.running += 1

    def give_back(self) -> None:
        """A slot comes free: straight to the first returning worker, else to the dispatcher."""
        if self.returning:
            self.returning.popleft().set()  # the slot changes hands; `running` is unchanged
            return
        self.running -= 1
        self.wakeup.set()

    async def reclaim(self) -> None:
        if self.running < self.limit and not self.returning:
            self.running += 1
            return
        event = anyio.Event()
        self.returning.append(event)
        try:
            await event.wait()
        except BaseException:
            if event.is_set():
                self.give_back()  # handed over just as we were cancelled: pass it on
            else:
                self.returning.remove(event)
            raise


class WorkerSlot:
    """One worker's slot: held while it works, lent while it waits."""

    __slots__ = ("slots", "held")

    def __init__(self, slots: Slots) -> None:
        self.slots = slots
        self.held = True

    def lend(self) -> None:
        if self.held:
            self.held = False
            self.slots.give_back()

    async def reclaim(self) -> None:
        if not self.held:
            await self.slots.reclaim()
            self.held = True

    @asynccontextmanager
    async def lent(self) -> AsyncIterator[None]:
        """Lend the slot for the length of a wait; reclaim it afterwards."""
        self.lend()
        try:
            yield
        finally:
            await self.reclaim()
