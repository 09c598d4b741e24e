"""The gate's permit bookkeeping on the event loop, without a network: FIFO for work in
progress, new links held back while it waits, HostDown reaching every waiter, and nothing
leaked when a waiter is cancelled."""

from __future__ import annotations

import anyio
import pytest

from linkcheck.config import Config
from linkcheck.hosts.gate import HostDown, Politeness
from linkcheck.hosts.slots import Slots, Wakeup, WorkerSlot
from linkcheck.models import ErrorKind

HOST = "h.example"


def gate(**kw: object) -> Politeness:
    base: dict[str, object] = {"host_concurrency": 1, "host_rate": 1000.0, "dead_host_after": 1}
    return Politeness(Config(**{**base, **kw}))  # type: ignore[arg-type]


async def test_in_progress_work_is_served_first_in_order_and_new_links_wait() -> None:
    g = gate()
    busy = g.try_reserve(HOST)
    assert busy is not None
    order: list[int] = []

    async def hop(n: int) -> None:
        permit = await g.acquire(HOST)
        order.append(n)
        await anyio.sleep(0.01)
        g.release(permit, status=200)

    async with anyio.create_task_group() as tg:
        for n in range(3):
            tg.start_soon(hop, n)
            await anyio.sleep(0.001)
        assert len(g.state(HOST).waiters) == 3
        g.release(busy, status=200)
        await anyio.sleep(0)
        assert g.try_reserve(HOST) is None  # a new link never goes ahead of them
    assert order == [0, 1, 2]
    assert g.try_reserve(HOST) is not None  # the queue is empty: new links may go again


async def test_a_host_found_down_raises_in_every_waiter() -> None:
    g = gate()
    busy = g.try_reserve(HOST)
    assert busy is not None
    failures: list[ErrorKind] = []

    async def hop() -> None:
        try:
            await g.acquire(HOST)
        except HostDown as down:
            failures.append(down.kind)

    async with anyio.create_task_group() as tg:
        for _ in range(3):
            tg.start_soon(hop)
        await anyio.sleep(0.01)
        g.release(busy, error=ErrorKind.CONNECT, detail="refused")
    assert failures == [ErrorKind.CONNECT] * 3
    (stats,) = g.snapshot()
    assert stats.marked_down == "connect" and stats.short_circuited == 3


async def test_a_cancelled_waiter_leaves_no_trace() -> None:
    g = gate()
    busy = g.try_reserve(HOST)
    assert busy is not None
    with anyio.move_on_after(0.02):
        await g.acquire(HOST)
    st = g.state(HOST)
    assert not st.waiters and st.in_flight == 1
    g.release(busy, status=200)
    assert st.in_flight == 0 and g.try_reserve(HOST) is not None


async def test_a_waiting_worker_lends_its_slot_and_gets_it_back_first() -> None:
    slots = Slots(1, Wakeup())
    slots.take()
    mine = WorkerSlot(slots)
    g = gate()
    busy = g.try_reserve(HOST)
    assert busy is not None
    got = anyio.Event()

    async def hop() -> None:
        permit = await g.acquire(HOST, mine)
        assert mine.held
        g.release(permit, status=200)
        got.set()

    async with anyio.create_task_group() as tg:
        tg.start_soon(hop)
        await anyio.sleep(0.01)
        assert not mine.held and slots.running == 0  # lent while it waits
        slots.take()  # someone else uses the slot meanwhile
        g.release(busy, status=200)
        await anyio.sleep(0.01)
        assert not got.is_set() and slots.has_free() is False  # waits for the slot back...
        slots.give_back()  # ...which goes to it, not to new work
        await got.wait()
    assert slots.running == 1


async def test_a_snapshot_is_a_copy_with_the_rates() -> None:
    g = gate(host_rate=10.0)
    permit = g.try_reserve(HOST)
    assert permit is not None
    g.release(permit, status=429)  # no Retry-After: a cut at once
    (stats,) = g.snapshot()
    assert stats.configured_rate == 10.0 and stats.rate_limit == stats.min_rate == 7.0
    assert stats.slowed_down and stats.responses_429 == 1
    assert stats is not g.state(HOST).stats
    g.state(HOST).down = ErrorKind.DNS
    with pytest.raises(HostDown):
        g.check_down(HOST)
    assert stats.short_circuited == 0  # the snapshot does not move with the live state
