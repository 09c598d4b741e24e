"""What crosses between a run and its checking processes, and how.

Frozen slotted dataclasses pickle through `dataclasses.fields()` per object (~10 µs each); they
are rebuilt from their fields' values instead, by multiprocessing's pickler only. Links travel
by reference where they can (below). `main_hidden()` starts processes without running the
program's main script again.
"""

from __future__ import annotations

import operator
import sys
import types
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import fields
from multiprocessing.reduction import ForkingPickler
from typing import Any

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
    SizeVerdict,
    Source,
    Validators,
)

__all__ = ["KNOWN", "OUTGOING", "TOKEN", "main_hidden", "travelling"]


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
OUTGOING: dict[int, int] = {}  # in a worker: id(a link it was sent) -> its index
TOKEN = [""]  # in a worker: its job's token
KNOWN: dict[str, Sequence[Link]] = {}  # in the parent: token -> the links behind the indexes


def _known_link(token: str, index: int) -> Link:
    return KNOWN[token][index]


def _reduce_link(link: Link) -> tuple[Any, ...]:
    index = OUTGOING.get(id(link))
    if index is not None:
        return _known_link, (TOKEN[0], index)
    return Link, (link.url, link.kind, link.occurrences)


ForkingPickler.register(Link, _reduce_link)


def travelling(link: Link) -> Link:
    """What a worker is sent of a link: an image whole, a page without its occurrences."""
    return link if link.kind is LinkKind.IMAGE else Link(link.url, link.kind, ())
