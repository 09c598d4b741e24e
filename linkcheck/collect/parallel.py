"""Reading a large library on several cores.

Parsing a file (reading it, hashing it, parsing its front matter) is most of the CPU of
reading a library: ~1 ms per seed-shaped article, so 20,000 articles kept one core busy for
half a minute before the first request. `parsed()` hands the files to worker processes, which
send back each `Article` (or the `ArticleProblem` of a file that is not one) in the library's
order; gathering the links stays in this process, so the result is exactly what one process
reads.

Used when over PARALLEL_MIN_FILES files are found and `--workers` is not 1 (0, automatic: one
process per core, at most AUTO_MAX). A pool that breaks (a worker killed) is not fatal: the
files it had not parsed are read in this process.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import sys
import types
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager

from linkcheck.collect.sources import read_article
from linkcheck.models import Article, ArticleProblem

__all__ = ["AUTO_MAX", "PARALLEL_MIN_FILES", "cores", "main_hidden", "parsed"]

AUTO_MAX = 4  # automatic: one process per core, at most this many
PARALLEL_MIN_FILES = 2_000  # below this, starting processes (~0.5 s) costs more than it saves
CHUNK = 64  # files per task: one round trip per 64 files, not per file
AHEAD = 8  # tasks in flight per process: bounded memory for any size of library

#: An article (or why a file is not one) and the path it was read from.
Read = tuple[Article | ArticleProblem, str | None]


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
    twice). Our workers need nothing from it: their code is in linkcheck's own modules."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")  # no __file__, no __spec__
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def _parse(files: list[tuple[str, str]]) -> list[Article | ArticleProblem]:
    return [read_article(path, name=name) for path, name in files]


def _serial(files: Iterable[tuple[str, str]]) -> Iterator[Read]:
    return ((read_article(path, name=name), path) for path, name in files)


@contextmanager
def parsed(found: Iterable[tuple[str, str]], workers: int) -> Iterator[Iterator[Read]]:
    """Each `(path, name)` of `found` parsed, in order: in worker processes when there are many
    files and `workers` (the --workers setting) allows, else here. Leaving the block early
    stops the workers."""
    files = iter(found)
    head = list(itertools.islice(files, PARALLEL_MIN_FILES))
    n = 1 if workers == 1 else (workers or min(cores(), AUTO_MAX))
    if n <= 1 or len(head) < PARALLEL_MIN_FILES:
        yield _serial(itertools.chain(head, files))
        return
    pool = ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("spawn"))
    try:
        yield _in_pool(pool, itertools.chain(head, files), n * AHEAD)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


_Task = tuple[list[tuple[str, str]], "Future[list[Article | ArticleProblem]] | None"]


def _in_pool(
    pool: ProcessPoolExecutor, files: Iterator[tuple[str, str]], ahead: int
) -> Iterator[Read]:
    chunks = iter(lambda: list(itertools.islice(files, CHUNK)), [])
    pending: deque[_Task] = deque()
    for chunk in chunks:
        try:
            with main_hidden():  # the pool may start a process on any submit
                future: Future[list[Article | ArticleProblem]] | None = pool.submit(_parse, chunk)
        except BrokenProcessPool:
            future = None  # read here, in order, when its turn comes
        pending.append((chunk, future))
        while len(pending) >= ahead:
            yield from _take(pending.popleft())
    while pending:
        yield from _take(pending.popleft())


def _take(task: _Task) -> Iterable[Read]:
    chunk, future = task
    if future is not None:
        try:
            articles = future.result()
        except BrokenProcessPool:  # a worker was killed: this chunk is read here
            return _serial(chunk)
        return zip(articles, (path for path, _ in chunk), strict=True)
    return _serial(chunk)
