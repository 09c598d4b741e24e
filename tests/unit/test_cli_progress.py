"""The terminal progress line: one self-overwriting line, throttled, cleared at the end."""

from __future__ import annotations

import io

from linkcheck.cli.progress import ProgressLine
from linkcheck.pipeline import Progress


def test_progress_line_overwrites_itself_and_clears() -> None:
    out = io.StringIO()
    line = ProgressLine(out)
    line(Progress(files=3))
    assert out.getvalue() == "\r\x1b[2Kreading files… 3"
    line(Progress(files=4))  # within 0.12 s of the last update: skipped
    assert out.getvalue().count("\r") == 1
    line(Progress(links_total=2, checked=2, broken=1, warnings=0, phase="checking"))  # final: shown
    assert out.getvalue().endswith("\r\x1b[2Kchecked 2/2 links · 1 broken · 0 warnings")
    line.clear()
    assert out.getvalue().endswith("\r\x1b[2K")
    size = len(out.getvalue())
    line.clear()  # nothing shown since: nothing written
    assert len(out.getvalue()) == size


def test_nothing_shown_nothing_cleared() -> None:
    out = io.StringIO()
    ProgressLine(out).clear()
    assert out.getvalue() == ""
