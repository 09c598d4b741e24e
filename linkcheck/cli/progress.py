"""The progress line on a terminal: one self-overwriting line, at most ~8 updates a second."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:  # the pipeline (and the network stack) is imported only when a run starts
    from linkcheck.pipeline import Progress

__all__ = ["ProgressLine"]


class ProgressLine:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.last = 0.0
        self.shown = False

    def __call__(self, p: Progress) -> None:
        now = time.monotonic()
        final = p.phase != "reading" and p.checked >= p.links_total  # always show the last
        if now - self.last < 0.12 and not final:
            return
        self.last = now
        if p.phase == "reading":
            line = f"reading files… {p.files}"
        else:
            line = (
                f"checked {p.checked}/{p.links_total} links · {p.broken} broken · "
                f"{p.warnings} warnings"
            )
        self.stream.write("\r\x1b[2K" + line)
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self.shown = False
