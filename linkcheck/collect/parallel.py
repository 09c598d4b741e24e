"""The files of a library, parsed in order (read, hashed, front matter parsed).

Reading in worker processes was tried here (0.4 development): once front matter was parsed in
one pass, parsing was too cheap for the pool to pay for sending each Article back (20,000
articles: 23.4 s with 2 processes against 17.2 s in one). Kept as the one seam where it would
go back in.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from linkcheck.collect.sources import read_article
from linkcheck.models import Article, ArticleProblem

__all__ = ["parsed"]

#: An article (or why a file is not one) and the path it was read from.
Read = tuple[Article | ArticleProblem, str | None]


@contextmanager
def parsed(found: Iterable[tuple[str, str]], workers: int) -> Iterator[Iterator[Read]]:
    """Each `(path, name)` of `found` parsed, in order (`workers`: the --workers setting, for
    a parallel reader; one process reads today)."""
    yield ((read_article(path, name=name), path) for path, name in found)
