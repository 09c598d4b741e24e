"""Checking in several processes: the CPU of one Python process is the limit of a large run.

A run over ~100,000 links spends one to two milliseconds of CPU per request (HTTP parsing,
reading pages, the politeness bookkeeping), so one process tops out far below what polite
per-host limits allow. `check_in_workers` deals the links to N checking processes (`spawn`ed,
so no state of this process leaks into them) and yields their results as they arrive.

Politeness stays exact, because each host's limits are *divided*, not copied: worker i of N
gets its share of `--concurrency`, of `--host-concurrency` and of `--host-rate` (and of every
`[hosts]` override), each at least 1. The sum over the workers is never above what one process
would allow, whichever host a link or its redirect hops reach. Each host's links are dealt in
turn (1st to one worker, 2nd to the next...), so every worker has an equal share of every host.
Each worker adapts its own share of a host's rate (AIMD) from the answers it gets, and pauses
for a Retry-After it is sent (the others pause when they are sent theirs). Each worker learns
a host's not-found page for itself (soft-404 checks: one probe per host and worker).

The parent keeps everything else: reading, the plan, the state store, the report. A worker
receives (its Config, its links, their revalidation data) and sends back lists of
`CheckResult`s (every ~50 ms) and, at the end, its per-host statistics, which are added up.
A stop (Ctrl-C, SIGTERM, --max-time) is sent to every worker, which stops at once; a worker
that ends without saying so (killed, out of memory) turns each link it did not report into an
`internal_error` warning, and the other workers carry on.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import operator
import os
import signal
import sys
import time
import traceback
import types
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from multiprocessing.connection import Connection
from multiprocessing.reduction import ForkingPickler
from typing import Any

import anyio
import anyio.to_thread

from linkcheck.check import CheckContext, check_link, host_of
from linkcheck.config import Config
from linkcheck.hosts.dispatch import run_checks
from linkcheck.hosts.gate import Politeness
from linkcheck.models import (
    CachedImage,
    CheckResult,
    DeclaredSize,
    Hop,
    HostStats,
    HttpOutcome,
    ImageProbe,
    Link,
    LinkKind,
    Occurrence,
    Outcome,
    Reason,
    SizeVerdict,
    Source,
    Validators,
)
from linkcheck.net.client import make_client

__all__ = [
    "AUTO_MAX",
    "AUTO_MIN_LINKS",
    "check_in_workers",
    "check_links",
    "combine",
    "deal",
    "share",
    "worker_count",
]

AUTO_MAX = 4  # automatic: one worker per core, at most this many
AUTO_MIN_LINKS = 5_000  # automatic: below this many links, one process (starting one costs ~0.5 s)
FLUSH_S = 0.05  # a worker sends what it has finished this often
STOP_WAIT_S = 5.0  # how long a stopped worker may take to exit before it is killed
POLL_S = 0.2  # how often a silent worker is looked at (alive? told to stop too long ago?)

OnResult = Callable[[CheckResult], None]


def worker_count(config: Config, links: int) -> int:
    """How many processes check `links` links: `config.workers` (0: automatic), never more than
    any host's concurrency or whole requests per second (each worker needs at least one of
    each, see `share`)."""
    asked = config.workers
    if asked == 1 or links < 2:
        return 1
    n = asked or (min(cores(), AUTO_MAX) if links >= AUTO_MIN_LINKS else 1)
    caps = [config.concurrency, config.host_concurrency, int(config.host_rate), links]
    for o in config.hosts.values():
        caps += [o.concurrency] if o.concurrency else []
        caps += [int(o.rate)] if o.rate else []
    return max(1, min(n, *caps))


def share(config: Config, index: int, n: int) -> Config:
    """Worker `index`'s Config: its share of every concurrency and of every rate. A rate's
    whole requests per second are dealt as whole numbers (and any fraction goes to worker 0):
    a worker spaces its requests 1/rate apart, so one with a whole rate r starts at most r in
    any second, and the workers together never more than the rate asked for."""

    def part(total: int) -> int:
        return total // n + (1 if index < total % n else 0)

    def rate(total: float) -> float:
        whole = int(total)
        return part(whole) + (total - whole if index == 0 else 0.0)

    hosts = {
        name: replace(
            o,
            concurrency=part(o.concurrency) if o.concurrency else None,
            rate=rate(o.rate) if o.rate else None,
        )
        for name, o in config.hosts.items()
    }
    return replace(
        config,
        workers=1,
        concurrency=part(config.concurrency),
        host_concurrency=part(config.host_concurrency),
        host_rate=rate(config.host_rate),
        hosts=hosts,
        use_state=False,
        state=None,
        max_time=0.0,  # the parent's clock stops the run
    )


def deal(links: Sequence[Link], n: int) -> list[list[Link]]:
    """The links in n parts, each host's links dealt in turn (a host's first link goes to the
    next worker after the previous host's first, so one-link hosts spread too)."""
    parts: list[list[Link]] = [[] for _ in range(n)]
    turn: dict[str, int] = {}
    for link in links:
        host = host_of(link.url)
        i = turn.get(host)
        if i is None:
            i = len(turn) % n
        parts[i].append(link)
        turn[host] = (i + 1) % n
    return parts


def combine(per_worker: Sequence[Sequence[HostStats]]) -> tuple[HostStats, ...]:
    """One host's statistics over the workers that shared it: counts and rates add up (each
    worker had a share of the host's rate), times below the rate overlap (the longest)."""
    joined: dict[str, HostStats] = {}
    for stats in per_worker:
        for h in stats:
            have = joined.get(h.host)
            joined[h.host] = replace(h) if have is None else _add(have, h)
    return tuple(joined[h] for h in sorted(joined))


def _add(a: HostStats, b: HostStats) -> HostStats:
    def total(x: float | None, y: float | None) -> float | None:
        return y if x is None else x if y is None else round(x + y, 3)

    return HostStats(
        host=a.host,
        requests=a.requests + b.requests,
        retries=a.retries + b.retries,
        responses_429=a.responses_429 + b.responses_429,
        waited_s=round(a.waited_s + b.waited_s, 3),
        max_in_flight=a.max_in_flight + b.max_in_flight,  # at most: the peaks may not overlap
        rate_limit=total(a.rate_limit, b.rate_limit),
        slowed_down=a.slowed_down or b.slowed_down,
        marked_down=a.marked_down or b.marked_down,
        short_circuited=a.short_circuited + b.short_circuited,
        configured_rate=total(a.configured_rate, b.configured_rate),
        min_rate=total(a.min_rate, b.min_rate),
        below_rate_s=max(a.below_rate_s, b.below_rate_s),
    )


def cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@contextmanager
def main_hidden() -> Iterator[None]:
    """Start processes inside this block: a `spawn`ed process then does not run the program's
    main script again (multiprocessing's spawn re-imports it, which re-runs a script without an
    `if __name__ == "__main__":` guard: a user's script calling `linkcheck.run` would run
    twice). Workers need nothing from it: their code is in linkcheck's own modules."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")  # no __file__, no __spec__
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


# --------------------------------------------------------------------------- what crosses


def _fast_pickling(*classes: type) -> None:
    """Frozen slotted dataclasses pickle through `dataclasses.fields()` per object (~10 µs
    each, a third of a worker's sending); rebuilt from their fields' values instead, by
    multiprocessing's pickler only (nothing changes for pickle elsewhere)."""
    for cls in classes:
        names = [f.name for f in fields(cls)]
        assert all(f.init and not f.kw_only for f in fields(cls)), cls
        values = operator.attrgetter(*names)

        def reduce(obj: Any, cls: type = cls, values: Any = values) -> tuple[Any, ...]:
            return cls, values(obj)

        ForkingPickler.register(cls, reduce)


_fast_pickling(
    CheckResult,
    Occurrence,
    Source,
    DeclaredSize,
    SizeVerdict,
    HttpOutcome,
    Hop,
    ImageProbe,
    Validators,
    CachedImage,
    HostStats,
)


# Links travel by reference where they can. A worker is sent each page link without its
# occurrences (only an image's are judged there) and keeps, by object, the index of every
# link it was sent: a result about that same object goes back as (token, index), and the
# parent puts its own Link, every occurrence included, in its place. Half of the bytes of a
# job and of its results were occurrences that never changed.
_OUTGOING: dict[int, int] = {}  # in a worker: id(a link it was sent) -> its index
_TOKEN = [""]  # in a worker: its job's token
_KNOWN: dict[str, Sequence[Link]] = {}  # in the parent: token -> the links behind the indexes


def _known_link(token: str, index: int) -> Link:
    return _KNOWN[token][index]


def _reduce_link(link: Link) -> tuple[Any, ...]:
    index = _OUTGOING.get(id(link))
    if index is not None:
        return _known_link, (_TOKEN[0], index)
    return Link, (link.url, link.kind, link.occurrences)


ForkingPickler.register(Link, _reduce_link)


def _travelling(link: Link) -> Link:
    """What a worker is sent of a link: an image whole, a page without its occurrences."""
    return link if link.kind is LinkKind.IMAGE else Link(link.url, link.kind, ())


# --------------------------------------------------------------------------- the parent's side


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
    reported: set[str] = field(default_factory=set)
    stats: tuple[HostStats, ...] = ()
    failure: str | None = None
    stop_sent: float | None = None  # time.monotonic() when it was told to stop


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
    context = multiprocessing.get_context("spawn")
    workers: list[_Worker] = []
    try:
        for i, part in enumerate(deal(links, n)):
            results_in, results_out = context.Pipe(duplex=False)
            control_in, control_out = context.Pipe(duplex=False)
            process = context.Process(
                target=_worker_main,
                args=(control_in, results_out),
                name=f"linkcheck-check-{i + 1}",
                daemon=True,
            )
            with main_hidden():
                process.start()
            results_out.close()
            control_in.close()
            workers.append(_Worker(i, process, results_in, control_out, part))
        finished = anyio.Event()
        left = [len(workers)]

        async def serve(w: _Worker) -> None:
            mine = {link.url: revalidate[link.url] for link in w.links if link.url in revalidate}
            token = f"{os.getpid()}-{id(w)}-{w.index}"
            _KNOWN[token] = w.links
            sent = [_travelling(link) for link in w.links]
            try:
                with anyio.CancelScope(shield=True):  # a stop is sent, then the rest read
                    await _serve(w, (token, share(config, w.index, n), sent, mine), on_result)
            finally:
                _KNOWN.pop(token, None)
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
                    with contextlib.suppress(OSError):
                        w.control.send(None)
    finally:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(_stop, workers)
        hosts.extend(combine([w.stats for w in workers]))


async def _serve(w: _Worker, job: tuple[Any, ...], on_result: OnResult) -> None:
    """Send the worker its job, then hand on what it reports until it is done."""
    with contextlib.suppress(OSError):  # it died before reading its job: EOF below says so
        await anyio.to_thread.run_sync(w.control.send, job)
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
    return CheckResult(
        link=link,
        outcome=Outcome.WARNING,
        reason=Reason.INTERNAL_ERROR,
        http_status=None,
        final_url=None,
        detail=f"the process checking this link stopped before it was checked ({why}); "
        "please report it",
    )


def _stop(workers: Sequence[_Worker]) -> None:
    """Wait for every worker to exit (each was told to stop), killing what has not exited
    after STOP_WAIT_S."""
    for w in workers:
        if w.stop_sent is None:
            with contextlib.suppress(OSError):
                w.control.send(None)
        w.process.join(STOP_WAIT_S)
        if w.process.is_alive():
            w.process.kill()
            w.process.join()
        w.control.close()
        w.results.close()


# --------------------------------------------------------------------------- the worker's side


def _worker_main(control: Connection, results: Connection) -> None:
    """A checking process: its job from `control`, its results to `results`."""
    signal.signal(
        signal.SIGINT, signal.SIG_IGN
    )  # Ctrl-C reaches the whole group: the parent decides
    try:
        job = control.recv()
    except (EOFError, OSError):
        return
    if job is None:
        return
    token, config, links, revalidate = job
    _TOKEN[0] = token
    _OUTGOING.update((id(link), i) for i, link in enumerate(links))
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
