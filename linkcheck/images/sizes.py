"""What a header parser finds: a `Size`, or a `Verdict` (raised) that ends the probe."""

from __future__ import annotations

from dataclasses import dataclass

from linkcheck.models import Reason

__all__ = ["Size", "Verdict", "unreadable"]


@dataclass(slots=True)
class Size:
    width: int | None
    height: int | None
    rotation: int | None = None  # EXIF-style 1..8; 5..8 swap the displayed size
    exif: bool = False  # rotation came from EXIF (reported as ImageProbe.orientation)
    detail: str = ""


class Verdict(Exception):
    """The body is decided without a size: not an image, or an image we cannot read."""

    def __init__(self, error: Reason, detail: str) -> None:
        super().__init__(detail)
        self.error, self.detail = error, detail


def unreadable(detail: str) -> Verdict:
    return Verdict(Reason.IMAGE_UNREADABLE, detail)
