"""run_checks raises the garbage collector's thresholds while checks run (young collections
were 15 % of the checking CPU) and always restores what it found: after a run, after a failed
run, after concurrent runs, and it leaves a collector the embedder switched off alone."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import anyio
import pytest

from linkcheck.collect import gc_thresholds
from linkcheck.config import Config
from linkcheck.hosts.dispatch import run_checks
from linkcheck.hosts.gate import Lease, Politeness
from linkcheck.models import CheckResult, Link, LinkKind, Outcome


@pytest.fixture(autouse=True)
def thresholds() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*before)


def links(n: int, host: str = "h.example") -> list[Link]:
    return [Link(f"http://{host}/{i}", LinkKind.PAGE, ()) for i in range(n)]


async def run(items: list[Link], seen: list[tuple[int, int, int]], pause: float = 0.0) -> None:
    async def check(link: Link, lease: Lease) -> CheckResult:
        seen.append(gc.get_threshold())
        await anyio.sleep(pause)
        return CheckResult(link, Outcome.OK, None, 200, link.url)

    gate = Politeness(Config(host_rate=1e6))
    await run_checks(
        items, check, lambda r: None, gate=gate, host_of=lambda u: u.split("/")[2], concurrency=4
    )


async def test_thresholds_are_raised_while_checking_and_restored_after() -> None:
    seen: list[tuple[int, int, int]] = []
    await run(links(5), seen)
    assert len(seen) == 5
    assert all(
        t == (gc_thresholds.YOUNG_THRESHOLD, gc_thresholds.MIDDLE_THRESHOLD, 10) for t in seen
    )
    assert gc.get_threshold() == (700, 10, 10)


async def test_higher_thresholds_are_kept_and_never_lowered() -> None:
    gc.set_threshold(50_000, 40, 7)
    seen: list[tuple[int, int, int]] = []
    await run(links(2), seen)
    assert set(seen) == {(50_000, 40, 7)}
    assert gc.get_threshold() == (50_000, 40, 7)


async def test_a_collector_switched_off_stays_off() -> None:
    gc.set_threshold(0, 10, 10)
    seen: list[tuple[int, int, int]] = []
    await run(links(2), seen)
    assert set(seen) == {(0, 10, 10)}
    assert gc.get_threshold() == (0, 10, 10)


async def test_concurrent_runs_restore_what_the_first_one_found() -> None:
    seen: list[tuple[int, int, int]] = []
    async with anyio.create_task_group() as tg:
        tg.start_soon(run, links(3, "a.example"), seen, 0.02)
        await anyio.sleep(0.005)
        tg.start_soon(run, links(1, "b.example"), seen, 0.0)  # ends before the first one
    assert len(seen) == 4
    assert gc.get_threshold() == (700, 10, 10)


async def test_a_failed_run_restores_the_thresholds() -> None:
    async def check(link: Link, lease: Lease) -> CheckResult:
        raise RuntimeError("a checker that breaks its contract")

    gate = Politeness(Config())
    with pytest.raises(BaseException):  # noqa: B017, PT011 - anyio wraps it in a group
        await run_checks(
            links(1), check, lambda r: None, gate=gate, host_of=lambda u: "h", concurrency=1
        )
    assert gc.get_threshold() == (700, 10, 10)
