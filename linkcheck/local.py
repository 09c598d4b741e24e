"""Local links: files next to the article (or under --root-dir), checked on disk.

(Skeleton: nothing is local yet. Filled in by the content-shape work, issue #14.)"""

from __future__ import annotations

from linkcheck.config import Config
from linkcheck.plan import Plan

__all__ = ["settle_local"]


def settle_local(work: Plan, config: Config) -> Plan:
    """`work` with every local link settled on disk, without a request."""
    return work
