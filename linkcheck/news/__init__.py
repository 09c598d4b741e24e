"""Checks that know news pages, run once every link has its verdict: soft 404s decided across
links (many unrelated URLs landing on one page) and article-level AMP findings."""

from __future__ import annotations

from collections.abc import Sequence

from linkcheck.collect.library import Collected
from linkcheck.config import Config
from linkcheck.models import CheckResult, Finding

__all__ = ["finish"]


def finish(
    results: Sequence[CheckResult], collected: Collected, config: Config
) -> tuple[list[CheckResult], list[Finding]]:
    """The run's results after the cross-link soft-404 pass, and the article findings."""
    from linkcheck.news.amp import article_findings  # noqa: PLC0415
    from linkcheck.news.soft404 import reclassify  # noqa: PLC0415

    final = reclassify(results, config)
    return final, article_findings(collected, final, config)
