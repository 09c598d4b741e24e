"""An article's AMP pairs (its URL, AMP URL and AMP cache URL, top level and per related
entry), gathered while reading. (Skeleton: filled in by issue #11.)"""

from __future__ import annotations

from collections.abc import Sequence

from linkcheck.config import Config
from linkcheck.models import AmpPair, Article, RawLink

__all__ = ["amp_pairs"]


def amp_pairs(article: Article, links: Sequence[RawLink], config: Config) -> list[AmpPair]:
    """The AMP pairs of one article, from its links as extracted."""
    return []
