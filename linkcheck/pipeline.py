"""The whole run as a library call: files -> articles -> links -> checks -> Report.

Never prints. Progress is reported through a callback; cancellation (Ctrl-C, SIGTERM, --max-time)
ends the checking early and still returns a complete Report in which every link that was not
checked says so (`skipped` / `not_checked`) and `run.interrupted` is true.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import anyio

from linkcheck.check import CheckContext, check_link, host_of
from linkcheck.classify import declared_size_problem
from linkcheck.config import Config
from linkcheck.extract import extract
from linkcheck.http import make_client
from linkcheck.models import (
    ArticleProblem,
    CheckResult,
    Link,
    LinkKind,
    Occurrence,
    Outcome,
    ProblemReason,
    Reason,
    Report,
    RunInfo,
    Skipped,
)
from linkcheck.normalize import LinkCollector, base_for
from linkcheck.politeness import Politeness
from linkcheck.report import build_report
from linkcheck.scheduler import run_checks
from linkcheck.sources import discover, read_article


@dataclass(slots=True)
class Progress:
    """Counters handed to the progress callback (mutated in place; read, don't keep)."""

    files: int = 0
    links_total: int = 0
    checked: int = 0
    broken: int = 0
    warnings: int = 0
    phase: str = "reading"


ProgressCallback = Callable[[Progress], None]


@dataclass(slots=True)
class Collected:
    files: int
    articles: int
    links: list[Link]
    skipped: list[Skipped]
    problems: list[ArticleProblem]
    complete: bool = True


def collect_links(
    paths: Sequence[str],
    config: Config,
    progress: Progress | None = None,
    on_progress: ProgressCallback | None = None,
    stop: Callable[[], bool] = lambda: False,
) -> Collected:
    """Read every article and gather its links, deduplicated. Raises sources.InputError for a
    path that does not exist; every per-file problem becomes an ArticleProblem. `on_progress`
    hears about every 100th file (reading a large library takes minutes); when `stop()` turns
    true, reading ends early and what was read so far is returned (`Collected.complete` false)."""
    collector = LinkCollector(exclude=[re.compile(p) for p in config.exclude])
    problems: list[ArticleProblem] = []
    files = articles = 0
    complete = True
    for path in discover(paths, config.globs):
        if stop():
            complete = False
            break
        files += 1
        if progress is not None:
            progress.files = files
            if on_progress is not None and files % 100 == 0:
                on_progress(progress)
        article = read_article(path)
        if isinstance(article, ArticleProblem):
            problems.append(article)
            continue
        articles += 1
        raw_links, field_problems = extract(article)
        problems.extend(field_problems)
        base = base_for(article)
        for raw in raw_links:
            collector.add(raw, base)
            if (
                raw.kind is LinkKind.IMAGE
                and raw.declared is not None
                and raw.source.field != "body"
            ):
                _, _, why = declared_size_problem(raw.declared.width, raw.declared.height)
                if why:
                    problems.append(
                        ArticleProblem(
                            file=raw.source.file,
                            reason=ProblemReason.INVALID_DECLARED_SIZE,
                            message=f"declared image size unusable: {why} ({raw.text})",
                            field=raw.source.field.removesuffix(".url"),
                            line=raw.source.line,
                        )
                    )
    return Collected(files, articles, collector.links(), collector.skipped(), problems, complete)


def skipped_results(skipped: Sequence[Skipped]) -> list[CheckResult]:
    """Links that are never requested, merged by URL like checked ones."""
    groups: dict[tuple[str, Reason], list[Skipped]] = {}
    for s in skipped:
        groups.setdefault((s.url, s.reason), []).append(s)
    out = []
    for (url, reason), items in groups.items():
        occurrences = tuple(
            Occurrence(s.raw.text, s.raw.kind, s.raw.source, s.raw.declared) for s in items
        )
        kind = (
            LinkKind.IMAGE
            if any(o.kind is LinkKind.IMAGE for o in occurrences)
            else occurrences[0].kind
        )
        out.append(
            CheckResult(
                link=Link(url, kind, occurrences),
                outcome=items[0].outcome,
                reason=reason,
                http_status=None,
                final_url=None,
                detail=items[0].detail,
            )
        )
    return out


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
    results: list[CheckResult] = skipped_results(collected.skipped)
    progress.links_total = len(collected.links)
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
                collected.links,
                lambda link, permit: check_link(link, ctx, permit),
                on_result,
                gate=gate,
                host_of=host_of,
                concurrency=config.concurrency,
            )
    interrupted = scope.cancelled_caught or scope.cancel_called or not collected.complete
    if interrupted:
        why = "the run was stopped (signal or --max-time) before this link was checked"
        for link in collected.links:
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
