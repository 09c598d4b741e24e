"""Read a library: files -> articles -> raw links -> deduplicated links, with every problem kept."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from linkcheck.classify import declared_size_problem
from linkcheck.collect.extract import extract
from linkcheck.collect.normalize import LinkCollector, base_for
from linkcheck.collect.sources import discover, read_article
from linkcheck.config import Config
from linkcheck.models import ArticleProblem, Link, LinkKind, ProblemReason, Skipped


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
