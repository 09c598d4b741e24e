"""Soft-404 detection. (Skeleton: filled in by issue #11.)"""

from __future__ import annotations

from collections.abc import Sequence

from linkcheck.config import Config
from linkcheck.models import CheckResult

__all__ = ["reclassify"]


def reclassify(results: Sequence[CheckResult], config: Config) -> list[CheckResult]:
    """Results after the cross-link soft-404 pass."""
    return list(results)
