"""The cyclic garbage collector while a run reads and checks.

Reading makes ~10 million short-lived objects (YAML nodes, Markdown tokens, parsed articles)
and checking a few hundred container objects per request (httpx and aiohttp requests,
responses, headers, coroutine frames), while what a run keeps grows to ~1 million objects.
At CPython's default young threshold (700) the collector ran thousands of times and its full
collections walked everything kept: an eighth of reading's CPU, 15 % of checking's
(benchmarks/path_cpu.py). A young collection every 10,000 allocations keeps the memory the same
to a few MB and costs a third of that.

`collector_tuned()` raises the first two thresholds for its block, never lowers them, leaves
a collector the embedder switched off (young threshold 0) off, and lets the first of
overlapping blocks set them and the last one put back what the first found, unless something
else changed them meanwhile (then that choice stands).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["MIDDLE_THRESHOLD", "YOUNG_THRESHOLD", "collector_tuned"]

YOUNG_THRESHOLD = 10_000
MIDDLE_THRESHOLD = 20
_open = [0]  # blocks in progress
_saved: list[tuple[tuple[int, int, int], tuple[int, int, int]]] = []  # (found, set)


@contextmanager
def collector_tuned() -> Iterator[None]:
    """Raise the collector's first two thresholds for the block, then restore them."""
    if _open[0] == 0:
        found = gc.get_threshold()
        young, middle, old = found
        raised = (
            (max(young, YOUNG_THRESHOLD), max(middle, MIDDLE_THRESHOLD), old) if young else found
        )
        gc.set_threshold(*raised)
        _saved[:] = [(found, raised)]
    _open[0] += 1
    try:
        yield
    finally:
        _open[0] -= 1
        if _open[0] == 0 and _saved:
            found, raised = _saved.pop()
            if gc.get_threshold() == raised:
                gc.set_threshold(*found)
