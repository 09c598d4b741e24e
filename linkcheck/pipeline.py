"""The whole run as a library call: files -> articles -> links -> checks -> Report.

Never prints. Progress is reported through a callback; cancellation (Ctrl-C, SIGTERM, --max-time)
ends the checking early and still returns a complete Report in which every link that was not
checked says so (`skipped` / `not_checked`) and `run.interrupted` is true.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime

import anyio

from linkcheck.check import CheckContext, check_link, host_of
from linkcheck.collect.library import Progress, ProgressCallback, collect_links
from linkcheck.config import Config
from linkcheck.hosts.dispatch import run_checks
from linkcheck.hosts.gate import Politeness
from linkcheck.models import CheckResult, Outcome, Reason, Report, RunInfo
from linkcheck.net.client import make_client
from linkcheck.plan import plan
from linkcheck.report import build_report

__all__ = ["Progress", "ProgressCallback", "collect_links", "run"]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


async def run(
    paths: Sequence[str],
    config: Config,
    *,
    on_progress: ProgressCallback | None = None,
    cancel_scope: anyio.CancelScope | None = None,
) -> Report:
    """Run a complete check and return the Report. `cancel_scope`, if given, may be cancelled
    from outside (signals) to stop checking early; the report is still complete."""
    started_at, t0 = _now(), time.monotonic()
    progress = Progress()
    scope = cancel_scope or anyio.CancelScope()
    if config.max_time:
        scope.deadline = min(scope.deadline, anyio.current_time() + config.max_time)
    read_until = t0 + config.max_time if config.max_time else float("inf")

    def stop_reading() -> bool:
        return scope.cancel_called or time.monotonic() > read_until

    # Reading runs in a worker thread so signals are still handled while a large library is
    # read; it stops at the next file once the run is cancelled.
    collected = await anyio.to_thread.run_sync(
        lambda: collect_links(paths, config, progress, on_progress, stop_reading)
    )
    work = plan(collected)
    results: list[CheckResult] = list(work.settled)
    progress.links_total = len(work.to_check)
    progress.phase = "checking"
    if on_progress:
        on_progress(progress)

    gate = Politeness(config)
    done: set[str] = set()

    def on_result(result: CheckResult) -> None:
        results.append(result)
        done.add(result.link.url)
        progress.checked += 1
        if result.outcome is Outcome.BROKEN:
            progress.broken += 1
        elif result.outcome is Outcome.WARNING:
            progress.warnings += 1
        if on_progress:
            on_progress(progress)

    async with make_client(config) as client:
        ctx = CheckContext(client=client, config=config, gate=gate)
        with scope:
            await run_checks(
                work.to_check,
                lambda link, permit: check_link(link, ctx, permit),
                on_result,
                gate=gate,
                host_of=host_of,
                concurrency=config.concurrency,
            )
    interrupted = scope.cancelled_caught or scope.cancel_called or not collected.complete
    if interrupted:
        why = "the run was stopped (signal or --max-time) before this link was checked"
        for link in work.to_check:
            if link.url not in done:
                results.append(
                    CheckResult(link, Outcome.SKIPPED, Reason.NOT_CHECKED, None, None, detail=why)
                )
    progress.phase = "done"
    run_info = RunInfo(
        started_at=started_at,
        finished_at=_now(),
        duration_s=round(time.monotonic() - t0, 3),
        inputs=tuple(paths),
        options=config.as_options(),
        hosts=gate.snapshot(),
        interrupted=bool(interrupted),
    )
    return build_report(
        run=run_info,
        files=collected.files,
        articles=collected.articles,
        results=results,
        problems=collected.problems,
    )
