"""AMP pair checks. (Skeleton: filled in by issue #11.)"""

from __future__ import annotations

from collections.abc import Sequence

from linkcheck.collect.library import Collected
from linkcheck.config import Config
from linkcheck.models import CheckResult, Finding

__all__ = ["article_findings"]


def article_findings(
    collected: Collected, results: Sequence[CheckResult], config: Config
) -> list[Finding]:
    """The article-level AMP findings of a run."""
    return []
