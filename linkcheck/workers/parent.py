"""The run's side of checking in worker processes: start them, send each its links, hand on
their results as they come, stop them (see the package doc)."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import anyio
import anyio.to_thread

from linkcheck.check import CheckContext, check_link, host_of, internal_error
from linkcheck.config import Config
from linkcheck.hosts.dispatch import run_checks
from linkcheck.models import CachedImage, CheckResult, HostStats, Link
from linkcheck.workers.child import worker_main
from linkcheck.workers.divide import Dealer, combine, share
from linkcheck.workers.wire import KNOWN, main_hidden, travelling

__all__ = ["Pool", "check_in_workers", "check_links"]

STOP_WAIT_S = 5.0  # how long a stopped worker may take to exit before it is killed
POLL_S = 0.2  # how often a silent worker is looked at (alive? told to stop too long ago?)

OnResult = Callable[[CheckResult], None]


async def check_links(
    links: Sequence[Link],
    ctx: CheckContext,
    on_result: OnResult,
    processes: int,
    hosts: list[HostStats] | None,
) -> None:
    """Every link checked, `on_result` called once per link: in this process with `ctx`'s client
    and gate when `processes` is 1, else in that many worker processes (`hosts` then receives
    their statistics)."""
    if processes > 1:
        assert hosts is not None, "worker statistics need a place to go"
        await check_in_workers(links, ctx.config, ctx.revalidate, processes, on_result, hosts)
        return
    await run_checks(
        links,
        lambda link, permit: check_link(link, ctx, permit),
        on_result,
        gate=ctx.gate,
        host_of=host_of,
        concurrency=ctx.config.concurrency,
    )


@dataclass
class _Worker:
    index: int
    process: Any  # multiprocessing's SpawnProcess
    results: Connection  # worker -> parent
    control: Connection  # parent -> worker
    links: list[Link]
    config: Config  # its share of the limits
    reported: set[str] = field(default_factory=set)
    stats: tuple[HostStats, ...] = ()
    failure: str | None = None
    stop_sent: float | None = None  # time.monotonic() when it was told to stop
    sending: threading.Lock = field(default_factory=threading.Lock)  # one message at a time
    token: str = ""
    job: tuple[Any, ...] | None = None  # its first message, until sent (`Pool._send_job`)


async def check_in_workers(
    links: Sequence[Link],
    config: Config,
    revalidate: Mapping[str, CachedImage],
    n: int,
    on_result: OnResult,
    hosts: list[HostStats],
) -> None:
    """Check `links` in `n` processes; `on_result` is called once per link, on the event loop
    thread. `hosts` receives the per-host statistics of all workers together.

    Cancelling the caller's scope stops every worker; what they finished before they heard it
    is still handed on (links not reported by then are the caller's to account for)."""
    pool = Pool(links, config, revalidate, n, on_result)
    await pool.run(hosts)


class Pool:
    """`n` checking processes, started with `links` and given more as a run finds them.

    With `more_to_come`, the workers wait for links `add`ed later until `close()`; without
    it, they end once `links` are checked. `run()` hands on their results until they all end
    (or the caller's scope is cancelled: then each is told to stop)."""

    def __init__(
        self,
        links: Sequence[Link],
        config: Config,
        revalidate: Mapping[str, CachedImage],
        n: int,
        on_result: OnResult,
        *,
        more_to_come: bool = False,
    ) -> None:
        self.on_result = on_result
        self.dealer = Dealer(links, n)
        owner = self.dealer.owner
        self.workers: list[_Worker] = []
        parts: list[list[Link]] = [[] for _ in range(n)]
        for link in links:
            parts[self.dealer(link)].append(link)
        try:
            self._start(parts, config, revalidate, owner, more_to_come)
        except BaseException:  # the processes already started must not wait for a job
            _stop(self.workers)
            raise

    def _start(
        self,
        parts: list[list[Link]],
        config: Config,
        revalidate: Mapping[str, CachedImage],
        owner: dict[str, int],
        more_to_come: bool,
    ) -> None:
        context = multiprocessing.get_context("spawn")
        n = len(parts)
        for i in range(n):
            results_in, results_out = context.Pipe(duplex=False)
            control_in, control_out = context.Pipe(duplex=False)
            process = context.Process(
                target=worker_main,
                args=(control_in, results_out),
                name=f"linkcheck-check-{i + 1}",
                daemon=True,
            )
            with main_hidden():
                process.start()
            results_out.close()
            control_in.close()
            part = parts[i]
            w = _Worker(i, process, results_in, control_out, part, share(config, i, n, owner))
            w.token = f"{os.getpid()}-{id(w)}-{i}"
            KNOWN[w.token] = w.links
            mine = {link.url: revalidate[link.url] for link in part if link.url in revalidate}
            sent = [travelling(link) for link in part]
            w.job = (w.token, w.config, sent, mine, more_to_come)
            self.workers.append(w)

    @staticmethod
    def _send_job(w: _Worker) -> None:
        """Send the worker its job, unless that was done (hold `w.sending`)."""
        job, w.job = w.job, None
        if job is not None:
            w.control.send(job)

    def add(
        self, links: Sequence[Link], revalidate: Mapping[str, CachedImage]
    ) -> list[CheckResult]:
        """More links to check (blocking: call it from a worker thread). Returns a result for
        each link whose worker has gone (`internal_error`); a worker told to stop gets none
        (the caller accounts for links never checked)."""
        parts: list[list[Link]] = [[] for _ in self.workers]
        for link in links:
            parts[self.dealer(link)].append(link)
        lost: list[CheckResult] = []
        for w, part in zip(self.workers, parts, strict=True):
            if not part:
                continue
            mine = {link.url: revalidate[link.url] for link in part if link.url in revalidate}
            with w.sending:
                if w.stop_sent is not None:
                    continue
                if w.failure is None:
                    w.links.extend(part)
                    try:
                        self._send_job(w)
                        w.control.send(("more", [travelling(link) for link in part], mine))
                        continue
                    except OSError:  # gone: its serve loop reports what it had
                        del w.links[len(w.links) - len(part) :]
                why = w.failure or "it could not be reached"
            lost += (_lost(link, why) for link in part)
        return lost

    def close(self) -> None:
        """Nothing more will be added (blocking, like `add`)."""
        for w in self.workers:
            with w.sending, contextlib.suppress(OSError):
                if w.stop_sent is None:
                    self._send_job(w)
                    w.control.send(("end",))

    async def run(self, hosts: list[HostStats]) -> None:
        workers = self.workers
        try:
            finished = anyio.Event()
            left = [len(workers)]

            async def serve(w: _Worker) -> None:
                try:
                    with anyio.CancelScope(shield=True):  # a stop is sent, then the rest read
                        await _serve(w, self._send_job, self.on_result)
                finally:
                    KNOWN.pop(w.token, None)
                left[0] -= 1
                if not left[0]:
                    finished.set()

            async with anyio.create_task_group() as tg:
                for w in workers:
                    tg.start_soon(serve, w)
                try:
                    await finished.wait()
                finally:  # done, or the run is stopping: either way, every worker may stop now
                    for w in workers:
                        w.stop_sent = time.monotonic()
                        with w.sending, contextlib.suppress(OSError):
                            w.control.send(None)
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(_stop, workers)
            hosts.extend(combine([w.stats for w in workers]))


async def _serve(w: _Worker, send: Callable[[_Worker], None], on_result: OnResult) -> None:
    """Send the worker its job, then hand on what it reports until it is done."""

    def send_job() -> None:
        with w.sending:
            send(w)

    with contextlib.suppress(OSError):  # it died before reading its job: EOF below says so
        await anyio.to_thread.run_sync(send_job)
    while True:
        kind, body = await anyio.to_thread.run_sync(_receive, w)
        if kind == "results":
            for result in body:
                w.reported.add(result.link.url)
                on_result(result)
        elif kind == "done":
            w.stats = body
            return
        else:
            with w.sending:  # no link is added to it from now on (`Pool.add`)
                w.failure = body
            if w.stop_sent is None:  # lost while it was working: say so for each of its links
                for link in w.links:
                    if link.url not in w.reported:
                        on_result(_lost(link, body))
            return


def _receive(w: _Worker) -> tuple[str, Any]:
    """The worker's next message; an "error" when it is gone, or has not finished within
    STOP_WAIT_S of being told to stop."""
    try:
        while not w.results.poll(POLL_S):
            if w.stop_sent is not None and time.monotonic() - w.stop_sent > STOP_WAIT_S:
                return "error", f"did not stop within {STOP_WAIT_S:g} s"
            if not w.process.is_alive() and not w.results.poll(0):
                return "error", f"exit code {w.process.exitcode}"
        message: tuple[str, Any] = w.results.recv()
        return message
    except (EOFError, OSError):
        w.process.join(POLL_S)
        return "error", f"exit code {w.process.exitcode}"


def _lost(link: Link, why: str) -> CheckResult:
    return internal_error(
        link,
        f"the process checking this link stopped before it was checked ({why}); please report it",
    )


def _stop(workers: Sequence[_Worker]) -> None:
    """Wait for every worker to exit (each was told to stop), killing what has not exited
    after STOP_WAIT_S."""
    for w in workers:
        if w.stop_sent is None:
            with w.sending, contextlib.suppress(OSError):
                w.control.send(None)
        w.process.join(STOP_WAIT_S)
        if w.process.is_alive():
            w.process.kill()
            w.process.join()
        w.control.close()
        w.results.close()
