"""A checking process: its links and its share of the limits in, results out (see the package
doc). Runs its own event loop, client and politeness gate; stops when told to, or when the
run that started it is gone."""

from __future__ import annotations

import contextlib
import signal
import traceback
from collections.abc import Mapping
from dataclasses import replace
from multiprocessing.connection import Connection

import anyio

from linkcheck.check import CheckContext, check_link, host_of
from linkcheck.config import Config
from linkcheck.hosts.dispatch import run_checks
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
    token, config, links, revalidate = job
    TOKEN[0] = token
    OUTGOING.update((id(link), i) for i, link in enumerate(links))
    try:
        stats = anyio.run(_check, control, results, config, links, revalidate)
        results.send(("done", stats))
    except BaseException as exc:  # noqa: BLE001 - the parent reports it per link
        detail = "".join(traceback.format_exception_only(exc)).strip()
        with contextlib.suppress(OSError):
            results.send(("error", f"internal error: {detail}"))


async def _check(
    control: Connection,
    results: Connection,
    config: Config,
    links: list[Link],
    revalidate: Mapping[str, CachedImage],
) -> tuple[HostStats, ...]:
    gate = Politeness(config)
    done: list[CheckResult] = []

    def flush() -> None:
        if done:
            results.send(("results", done[:]))
            done.clear()

    async with make_client(config) as client, anyio.create_task_group() as tg:
        ctx = CheckContext(client=client, config=config, gate=gate, revalidate=revalidate)

        async def pump() -> None:
            while True:
                await anyio.sleep(FLUSH_S)
                flush()
                if control.poll():  # a stop, or the parent is gone (EOF): either way, stop
                    tg.cancel_scope.cancel()

        tg.start_soon(pump)
        await run_checks(
            links,
            lambda link, permit: check_link(link, ctx, permit),
            done.append,
            gate=gate,
            host_of=host_of,
            concurrency=config.concurrency,
        )
        tg.cancel_scope.cancel()
    flush()
    return tuple(replace(h) for h in gate.snapshot())
