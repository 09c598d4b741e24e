"""The report: built from results (sorted, summarised); views shared by the human formats."""

from linkcheck.report.build import (
    build_report,
    enum_value,
    explain,
    image_matches,
    is_image_link,
    is_image_occurrence,
    summarize,
    verdict_at,
)

__all__ = [
    "build_report",
    "enum_value",
    "explain",
    "image_matches",
    "is_image_link",
    "is_image_occurrence",
    "summarize",
    "verdict_at",
]
