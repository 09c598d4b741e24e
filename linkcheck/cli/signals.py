"""SIGINT/SIGTERM: noted, never fatal. The run stops checking and its report is still written.

The handlers are plain Python ones, installed for the whole of `main()`: asyncio's own signal
handling would put the defaults back when the event loop closes, and a second, impatient
SIGTERM would then kill the process before its report is written.
"""

from __future__ import annotations

import signal
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import anyio

__all__ = ["cancel_on_signal", "noted_signals"]

T = TypeVar("T")

_seen: list[int] = []
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _note_signal(signum: int, frame: object) -> None:
    """Only noted here: the run's watcher stops the checking within 0.1 s, and the report is
    always written, whenever (and however often) a signal comes."""
    _seen.append(signum)


@contextmanager
def noted_signals() -> Iterator[list[int]]:
    """Route SIGINT/SIGTERM to `_note_signal` for the block; yields the signals seen so far.

    Off the main thread (where signals cannot be handled) nothing is installed. On the way out,
    after a stop signal, impatient repeats are ignored: the report is written and we are about
    to exit, but Python's finalisation would put SIG_DFL back and a repeat would then turn exit
    code 2 into "killed by SIGTERM"."""
    _seen.clear()
    previous: dict[int, Any] = {}
    try:
        for stop in STOP_SIGNALS:
            previous[stop] = signal.signal(stop, _note_signal)
    except ValueError:
        previous = {}
    try:
        yield _seen
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_IGN if _seen else handler)


async def cancel_on_signal(job: Callable[[anyio.CancelScope], Awaitable[T]]) -> T:
    """Run `job(scope)`; a noted stop signal cancels `scope` (the job returns its partial
    result). An exception from the job is re-raised as itself, not wrapped in a group."""
    scope = anyio.CancelScope()
    outcome: list[T] = []
    failure: list[BaseException] = []

    async def watch() -> None:
        while not _seen:
            await anyio.sleep(0.1)
        scope.cancel()

    async with anyio.create_task_group() as tg:
        tg.start_soon(watch)
        try:
            outcome.append(await job(scope))
        except Exception as exc:  # noqa: BLE001 - re-raised below, outside the task group
            failure.append(exc)
        tg.cancel_scope.cancel()
    if failure:
        raise failure[0]
    return outcome[0]
