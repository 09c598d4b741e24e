"""The report's `summary` section (no I/O, imports nothing from the package)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageSummary:
    checked: int = 0
    mismatches: int = 0
    aspect_preserving_mismatches: int = 0
    unreadable: int = 0
    not_an_image: int = 0
    bytes_read: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Summary:
    """The `summary` section of the report. Mappings are in contract order: outcomes in
    `Outcome` order, reasons and kinds sorted, each kind's counts as total then outcomes."""

    files: int
    articles: int
    unique_links: int
    occurrences: int
    outcomes: Mapping[str, int]
    reasons: Mapping[str, int]
    kinds: Mapping[str, Mapping[str, int]]
    problems: int
    images: ImageSummary
    history: Mapping[str, int] | None = None  # links per history status; None without state

    def as_dict(self) -> dict[str, object]:
        """The JSON contract's `summary` object, keys in contract order."""
        return {
            "files": self.files,
            "articles": self.articles,
            "unique_links": self.unique_links,
            "occurrences": self.occurrences,
            "outcomes": dict(self.outcomes),
            "reasons": dict(self.reasons),
            "kinds": {k: dict(v) for k, v in self.kinds.items()},
            "problems": self.problems,
            "images": {
                "checked": self.images.checked,
                "mismatches": self.images.mismatches,
                "aspect_preserving_mismatches": self.images.aspect_preserving_mismatches,
                "unreadable": self.images.unreadable,
                "not_an_image": self.images.not_an_image,
                "bytes_read": self.images.bytes_read,
            },
            "history": dict(self.history) if self.history is not None else None,
        }
