"""A checking process: its links and its share of the limits in, results out (see the package
doc). Runs its own event loop, client and politeness gate; stops when told to, or when the
run that started it is gone."""

from __future__ import annotations

import contextlib
import signal
import traceback
from dataclasses import replace
from multiprocessing.connection import Connection

import anyio

from linkcheck.check import CheckContext, check_link, host_of
from linkcheck.config import Config
from linkcheck.hosts.dispatch import Dispatcher, run_dispatcher
from linkcheck.hosts.gate import Politeness
from linkcheck.models import CachedImage, CheckResult, HostStats, Link
from linkcheck.net.client import make_client
from linkcheck.workers.wire import OUTGOING, TOKEN

__all__ = ["FLUSH_S", "worker_main"]

FLUSH_S = 0.05  # a worker sends what it has finished this often


def worker_main(control: Connection, results: Connection) -> None:
    """A checking process: its job from `control`, its results to `results`."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the group: the parent decides
    try:
        job = control.recv()
    except (EOFError, OSError):
        return
    if job is None:
        return
    token, config, links, revalidate, more_to_come = job
    TOKEN[0] = token
    known = _Known(links)
    try:
        stats = anyio.run(_check, control, results, config, known, dict(revalidate), more_to_come)
        results.send(("done", stats))
    except BaseException as exc:  # noqa: BLE001 - the parent reports it per link
        detail = "".join(traceback.format_exception_only(exc)).strip()
        with contextlib.suppress(OSError):
            results.send(("error", f"internal error: {detail}"))


class _Known:
    """The links this worker was sent, each known by its index (`wire.OUTGOING`)."""

    def __init__(self, links: list[Link]) -> None:
        self.batches: list[list[Link]] = []  # all kept alive: an index is known by id()
        self.count = 0
        self.remember(links)

    def remember(self, links: list[Link]) -> None:
        OUTGOING.update((id(link), i) for i, link in enumerate(links, self.count))
        self.count += len(links)
        self.batches.append(links)


async def _check(
    control: Connection,
    results: Connection,
    config: Config,
    known: _Known,
    revalidate: dict[str, CachedImage],
    more_to_come: bool,
) -> tuple[HostStats, ...]:
    gate = Politeness(config)
    done: list[CheckResult] = []

    def flush() -> None:
        if done:
            results.send(("results", done[:]))
            done.clear()

    async with make_client(config) as client, anyio.create_task_group() as tg:
        ctx = CheckContext(client=client, config=config, gate=gate, revalidate=revalidate)
        dispatcher = Dispatcher(
            known.batches[0], host_of, gate, config.concurrency, more_to_come=more_to_come
        )

        async def pump() -> None:
            while True:
                await anyio.sleep(FLUSH_S)
                flush()
                while control.poll():
                    try:
                        message = control.recv()
                    except (EOFError, OSError):  # the parent is gone: stop
                        message = None
                    if message is None:  # a stop
                        tg.cancel_scope.cancel()
                        return
                    if message[0] == "more":  # links found since: checked with the rest
                        _, links, more = message
                        known.remember(links)
                        revalidate.update(more)
                        dispatcher.add(links)
                    else:  # "end": nothing more will come
                        dispatcher.close()

        tg.start_soon(pump)
        await run_dispatcher(
            dispatcher, lambda link, permit: check_link(link, ctx, permit), done.append
        )
        tg.cancel_scope.cancel()
    flush()
    return tuple(replace(h) for h in gate.snapshot())
