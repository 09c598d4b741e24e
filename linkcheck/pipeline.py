"""The whole run as a library call: inputs -> articles -> links -> plan -> checks -> Report.

Never prints. `run` (async) returns a complete `Report`; `check_stream` yields each
`CheckResult` as it finishes. Progress callbacks are called on the event loop's thread only
(reading runs in a worker thread; its counters are polled from the loop). Cancellation
(Ctrl-C, SIGTERM, --max-time) ends the checking early and `run` still returns a complete Report
in which every link that was not checked says so (`skipped` / `not_checked`) and
`run.interrupted` is true.

State between runs (history, cache, lock) is kept only when `config.use_state` is true and
`config.state` names the store: the library never picks a location by itself (the command line
fills in the default one). The lock is taken and the run added as `running` before reading;
each result carries its `history`; at the end the run is recorded in one transaction as
`complete`, `interrupted` (the verdicts actually made, no history advanced) or `network_down`
(nothing recorded). See `linkcheck.state`.
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Sequence
from contextlib import aclosing, asynccontextmanager, suppress
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING

import anyio
import anyio.to_thread
from anyio.abc import TaskGroup
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from linkcheck import __version__, news, shard
from linkcheck.check import CheckContext
from linkcheck.collect.library import (
    ArticleInput,
    Collected,
    Progress,
    ProgressCallback,
    collect,
    collect_links,
    split_inputs,
)
from linkcheck.config import Config
from linkcheck.early import EarlyChecks, compact, refuse_literals
from linkcheck.errors import StateError
from linkcheck.hosts.gate import Politeness
from linkcheck.local import settle_local
from linkcheck.models import CheckResult, HostStats, Link, Outcome, Reason, Report, RunInfo
from linkcheck.net.client import make_client
from linkcheck.plan import Plan, plan
from linkcheck.report import build_report
from linkcheck.report.canary import network_down
from linkcheck.state.session import COMPLETE, FAILED, INTERRUPTED, NETWORK_DOWN, StateSession
from linkcheck.workers import Pool, check_links, worker_count

if TYPE_CHECKING:
    import httpx

__all__ = [
    "Inputs",
    "Progress",
    "ProgressCallback",
    "check_stream",
    "collect_links",
    "run",
]

#: What a run reads: paths (files or folders), articles in memory, or both (paths first).
Inputs = Iterable["str | os.PathLike[str] | ArticleInput"]

INF = float("inf")
PROGRESS_POLL_S = 0.1  # how often the loop looks at the reading thread's counters
LOCK_POLL_S = 0.2  # how often --wait-lock tries the state store's lock again
NOT_CHECKED = "the run was stopped (signal or --max-time) before this link was checked"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class _Run:
    """One run's state, shared by the result stream and the report built from it."""

    def __init__(
        self,
        inputs: Inputs,
        config: Config,
        *,
        on_progress: ProgressCallback | None,
        cancel_scope: anyio.CancelScope | None,
        transport: httpx.AsyncBaseTransport | None,
        client: httpx.AsyncClient | None,
        keep_results: bool = False,
    ) -> None:
        self.paths, self.articles = split_inputs(inputs)
        self.config = config
        self.on_progress = on_progress
        self.scope = cancel_scope or anyio.CancelScope()
        self.transport = transport
        self.client = client
        self.progress = Progress()
        self.started_at = _now()
        self.t0 = time.monotonic()
        self.collected: Collected | None = None
        self.gate = Politeness(config)
        self.processes = 1  # checking processes (linkcheck.workers)
        self.worker_hosts: list[HostStats] | None = None  # their statistics, added up
        self.interrupted = False
        self.down: str | None = None  # why the network looked down, if it did
        self.state_error: str | None = None  # why the run could not be recorded, if so
        self.session = StateSession(config.state) if config.use_state and config.state else None
        # every result, for the report and the network-down canary (only when needed)
        self.keep = keep_results or self.session is not None
        self.results: list[CheckResult] = []
        self.early: EarlyChecks | None = None  # checking while reading (linkcheck.early)
        self._send: MemoryObjectSendStream[CheckResult] | None = None  # results, as they come

    def _notify(self) -> None:
        if self.on_progress is not None:
            self.on_progress(self.progress)

    async def _read(
        self, early: EarlyChecks | None = None, tg: TaskGroup | None = None
    ) -> Collected:
        """Read in a worker thread (signals are still handled while a large library is read);
        it stops at the next file once the run is cancelled or out of time. With `early`,
        checking processes start meanwhile (in `tg`) once enough links are known."""
        config = self.config
        read_until = self.t0 + config.max_time if config.max_time else float("inf")

        def stop() -> bool:
            return self.scope.cancel_called or time.monotonic() > read_until

        on_new = early.feed.offer if early is not None else None
        work = partial(
            collect, self.paths, self.articles, config, self.progress, None, stop, on_new
        )
        if self.on_progress is None and early is None:
            return await anyio.to_thread.run_sync(work)
        outcome: list[Collected | BaseException] = []
        async with anyio.create_task_group() as reading:
            if self.on_progress is not None:
                reading.start_soon(self._poll_reading)
            if early is not None and tg is not None:
                reading.start_soon(early.while_reading, tg, self._run_pool)
            try:
                outcome.append(await anyio.to_thread.run_sync(work))
            except Exception as exc:  # InputError: re-raised as is, not in an exception group
                outcome.append(exc)
            reading.cancel_scope.cancel()
        if isinstance(outcome[0], BaseException):
            raise outcome[0]
        return outcome[0]

    async def _poll_reading(self) -> None:
        seen = -1
        while True:
            if self.progress.files != seen:
                seen = self.progress.files
                self._notify()
            await anyio.sleep(PROGRESS_POLL_S)

    @asynccontextmanager
    async def _client(self) -> AsyncIterator[httpx.AsyncClient]:
        if self.client is not None:  # the caller's: used as is, closed by the caller
            yield self.client
            return
        async with make_client(self.config, transport=self.transport) as own:
            yield own

    async def _open_state(self, session: StateSession) -> None:
        """Take the store's lock (StateLockedError when another run holds it, unless
        --wait-lock: then poll until it is free, giving up on a stop signal or --max-time),
        then add this run to the store."""
        if not session.try_lock():
            if not self.config.wait_lock:
                raise session.lock.locked_error()
            while not session.try_lock():
                if self.scope.cancel_called or anyio.current_time() >= self.scope.deadline:
                    raise session.lock.locked_error(waited=True)
                await anyio.sleep(LOCK_POLL_S)
            self.started_at = _now()
        await anyio.to_thread.run_sync(
            session.begin, self.started_at, __version__, self.paths, self.config.as_options()
        )

    async def _plan(self, collected: Collected) -> Plan:
        files = collected.local_files  # local links' paths (whatever the shard keeps)
        collected = shard.select(collected, self.config)
        session = self.session
        if session is None:
            return refuse_literals(settle_local(plan(collected), self.config, files), self.config)
        urls = [link.url for link in collected.links] + [s.url for s in collected.skipped]
        await anyio.to_thread.run_sync(session.load, urls)
        work = plan(collected, session.cache, self.config)
        session.planned()
        return refuse_literals(settle_local(work, self.config, files), self.config)

    def _keep(self, result: CheckResult) -> CheckResult:
        """A finished result as it leaves the stream: stamped, compacted, with its history."""
        if result.checked_at is None:
            result = replace(result, checked_at=_now())
        result = compact(result)
        if self.session is not None:
            result = self.session.annotate(result)
        if self.keep:
            self.results.append(result)
        return result

    async def stream(self) -> AsyncGenerator[CheckResult, None]:
        session = self.session
        failed = False
        try:
            async with aclosing(self._stream()) as results:
                async for result in results:
                    yield result
            if session is not None:
                status = (
                    NETWORK_DOWN if self.down else INTERRUPTED if self.interrupted else COMPLETE
                )
                try:
                    await anyio.to_thread.run_sync(session.finish, status, _now())
                except StateError as exc:
                    # hours of checking must not be lost to a full disk or a damaged store:
                    # the report is still complete, and says why it is not in the history
                    self.state_error = str(exc)
        except Exception:
            failed = True
            raise
        finally:
            if session is not None:
                try:
                    if session.run_id is not None and not session.finished:
                        # stopped early (closed by the consumer, cancelled) or failed: keep
                        # the verdicts made so far, advance no history (best effort: never
                        # hide the error that got us here)
                        with suppress(StateError):
                            session.finish(FAILED if failed else INTERRUPTED, _now())
                finally:
                    session.close()

    async def _stream(self) -> AsyncGenerator[CheckResult, None]:
        config = self.config
        if config.max_time:
            self.scope.deadline = min(self.scope.deadline, anyio.current_time() + config.max_time)
        if self.session is not None:
            await self._open_state(self.session)
        send, receive = anyio.create_memory_object_stream[CheckResult](INF)
        self._send = send
        injected = self.transport is not None or self.client is not None
        stored = self.session is not None and self.session.knows_links()
        early = self.early = (
            None
            if injected or stored or config.workers == 1
            else EarlyChecks(config, send.send_nowait)
        )

        async def check_all(client: httpx.AsyncClient, work: Plan, processes: int) -> None:
            ctx = CheckContext(
                client=client, config=config, gate=self.gate, revalidate=work.revalidate
            )
            async with send:
                with self.scope:
                    await check_links(
                        work.to_check, ctx, send.send_nowait, processes, self.worker_hosts
                    )

        closed = False
        done: set[str] = set()
        failed: list[Exception] = []  # raised as is below, not in an exception group
        async with self._client() as client, anyio.create_task_group() as tg:
            try:
                collected = self.collected = await self._read(early, tg)
                rest = collected if early is None else await early.after_reading(collected)
                work = await self._plan(rest)
            except Exception as exc:  # noqa: BLE001 - re-raised below
                failed.append(exc)
                tg.cancel_scope.cancel()
                send.close()
                receive.close()
            else:
                to_check: Sequence[Link] = work.to_check
                if early is not None and early.pool is not None:  # checking since reading
                    self.processes, self.worker_hosts = early.processes, early.hosts
                    await early.finish(work, self.scope.cancel_called)
                    to_check = [*early.sent_links(), *work.to_check]
                else:
                    early = None
                    processes = 1 if injected else worker_count(config, len(work.to_check))
                    self.processes = processes
                    self.worker_hosts = [] if processes > 1 else None
                    tg.start_soon(check_all, client, work, processes)
                collected.links.clear()  # the plan holds the work; only counts and problems stay
                collected.skipped.clear()
                results = self._results_of(work, early, receive, len(to_check), done)
                async with receive, aclosing(results):
                    async for result in results:
                        try:
                            yield self._keep(result)
                        except GeneratorExit:  # the consumer closed the stream: stop all checks
                            closed = True
                            tg.cancel_scope.cancel()
                            break
        if failed:
            raise failed[0]
        if closed:
            return
        self.interrupted = bool(
            self.scope.cancelled_caught or self.scope.cancel_called or not collected.complete
        )
        if self.interrupted:
            for link in to_check:
                if link.url not in done:
                    skipped, why = Outcome.SKIPPED, Reason.NOT_CHECKED
                    result = CheckResult(link, skipped, why, None, None, detail=NOT_CHECKED)
                    yield self._keep(replace(result, checked_at=_now()))
        self.progress.phase = "done"
        if self.keep and not self.interrupted:
            self.down = network_down(self.results)

    async def _results_of(
        self,
        work: Plan,
        early: EarlyChecks | None,
        receive: MemoryObjectReceiveStream[CheckResult],
        total: int,
        done: set[str],
    ) -> AsyncGenerator[CheckResult, None]:
        """Settled links first, then each checked link's result as it comes (`done` records
        them)."""
        lost = early.lost if early is not None else []
        done.update(r.link.url for r in lost)  # reported already: not "not checked" too
        for first in (*work.settled, *lost):
            yield first
        progress = self.progress
        assert self.collected is not None
        progress.files = self.collected.files
        progress.links_total = total
        progress.phase = "checking"
        self._notify()
        async for checked in receive:
            result = checked if early is None else early.put_right(checked)
            if result is None:  # an early page result of a link checked again as an image
                continue
            done.add(result.link.url)
            progress.checked += 1
            if result.outcome is Outcome.BROKEN:
                progress.broken += 1
            elif result.outcome is Outcome.WARNING:
                progress.warnings += 1
            self._notify()
            yield result

    async def _run_pool(self, pool: Pool) -> None:
        """The early checking processes' run (see `linkcheck.early`)."""
        assert self.early is not None and self._send is not None
        async with self._send:
            with self.scope:
                await pool.run(self.early.hosts)

    def report(self, results: Sequence[CheckResult]) -> Report:
        collected = self.collected
        assert collected is not None, "report() before the stream ran"
        run_info = RunInfo(
            started_at=self.started_at,
            finished_at=_now(),
            duration_s=round(time.monotonic() - self.t0, 3),
            inputs=tuple(self.paths),
            options=self.config.as_options(),
            # frozen copies: the report never shares the gate's live statistics
            hosts=tuple(replace(h) for h in self.gate.snapshot())
            if self.worker_hosts is None
            else tuple(self.worker_hosts),
            interrupted=self.interrupted,
            config_file=self.config.config_file,
            fail_after=self.config.fail_after,
            network_down=self.down,
            state_error=self.state_error,
            run_id=self.session.run_id if self.session is not None else None,
            state_file=os.path.abspath(self.config.state)
            if self.session is not None and self.config.state
            else None,
            shard=self.config.shard,
            workers=self.processes,
        )
        final, findings = news.finish(results, collected, self.config)
        return build_report(
            run=run_info,
            files=collected.files,
            articles=collected.articles,
            results=final,
            problems=collected.problems,
            findings=findings,
            file_hashes=collected.file_hashes,
        )


async def run(
    inputs: Inputs,
    config: Config,
    *,
    on_progress: ProgressCallback | None = None,
    cancel_scope: anyio.CancelScope | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    client: httpx.AsyncClient | None = None,
) -> Report:
    """Run a complete check and return the Report. `cancel_scope`, if given, may be cancelled
    from outside (signals) to stop checking early; the report is still complete."""
    state = _Run(
        inputs,
        config,
        on_progress=on_progress,
        cancel_scope=cancel_scope,
        transport=transport,
        client=client,
        keep_results=True,
    )
    async with aclosing(state.stream()) as stream:
        async for _ in stream:
            pass
    return state.report(state.results)


def check_stream(
    inputs: Inputs,
    config: Config,
    *,
    on_progress: ProgressCallback | None = None,
    cancel_scope: anyio.CancelScope | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    client: httpx.AsyncClient | None = None,
) -> AsyncGenerator[CheckResult, None]:
    """Each `CheckResult` as soon as it is known (links that are never requested first, then
    checked links in completion order). Close it to stop early: `async with
    contextlib.aclosing(check_stream(...)) as results:` (leaving the block, or `break`
    inside it, stops every request in flight)."""
    state = _Run(
        inputs,
        config,
        on_progress=on_progress,
        cancel_scope=cancel_scope,
        transport=transport,
        client=client,
    )
    return state.stream()
