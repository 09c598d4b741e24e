"""Sharded runs: which links this process checks under `--shard K/N`.

(Skeleton: every link is kept. Filled in by the sharding work, issue #13.)"""

from __future__ import annotations

from linkcheck.collect.library import Collected
from linkcheck.config import Config

__all__ = ["select"]


def select(collected: Collected, config: Config) -> Collected:
    """The links of `collected` that belong to this run's shard (all of them unsharded)."""
    return collected
