"""The terminal progress line: throttled, within the terminal's width, rate and ETA from a fake
clock, cleared for good at the end, plain lines only on a dumb terminal."""

from __future__ import annotations

import io
import re

import pytest

from linkcheck.cli.progress import (
    CLEAR,
    ProgressLine,
    format_count,
    format_eta,
    terminal_columns,
)
from linkcheck.pipeline import Progress

TTY_ENV = {"TERM": "xterm-256color"}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += seconds


def make(
    columns: int = 200, env: dict[str, str] | None = None, encoding: str | None = None
) -> tuple[ProgressLine, io.StringIO, Clock]:
    out: io.StringIO = (
        io.TextIOWrapper(io.BytesIO(), encoding=encoding)  # type: ignore[assignment]
        if encoding
        else io.StringIO()
    )
    clock = Clock()
    line = ProgressLine(
        out, clock=clock, columns=lambda: columns, environ=TTY_ENV if env is None else env
    )
    return line, out, clock


def checking(checked: int, total: int = 1000, broken: int = 0, warnings: int = 0) -> Progress:
    return Progress(
        files=10,
        links_total=total,
        checked=checked,
        broken=broken,
        warnings=warnings,
        phase="checking",
    )


def last(out: io.StringIO) -> str:
    return out.getvalue().rsplit(CLEAR, 1)[-1]


def test_progress_line_overwrites_itself_and_clears() -> None:
    line, out, clock = make()
    line(Progress(files=3))
    assert out.getvalue() == CLEAR + "reading files… 3"
    clock.tick(0.05)
    line(Progress(files=4))  # within 0.12 s of the last update: skipped
    assert out.getvalue().count("\r") == 1
    clock.tick(0.05)
    line(checking(2, total=2, broken=1))  # a new phase and the final count: shown at once
    assert last(out) == "checked 2/2 links (100%) · 1 broken · 0 warnings"
    line.clear()
    assert out.getvalue().endswith(CLEAR)
    size = len(out.getvalue())
    line.clear()  # nothing shown since: nothing written
    assert len(out.getvalue()) == size


def test_nothing_shown_nothing_cleared() -> None:
    line, out, _ = make()
    line.clear()
    assert out.getvalue() == ""


def test_no_stale_line_after_clear() -> None:
    """A late update (a callback after the run ended, an error path) draws nothing after
    clear(): the summary or the error message is never followed by a stale progress line."""
    line, out, clock = make()
    line(checking(5))
    line.clear()
    written = out.getvalue()
    for n in (6, 1000):
        clock.tick(1)
        line(checking(n))
    assert out.getvalue() == written and written.endswith(CLEAR)


def test_write_above_erases_then_redraws() -> None:
    line, out, clock = make()
    line(checking(5, broken=2))
    line.write_above("linkcheck: waiting for the state file lock")
    text = out.getvalue()
    shown = "checked 5/1,000 links (0%) · 2 broken · 0 warnings"
    assert text == (
        f"{CLEAR}{shown}{CLEAR}linkcheck: waiting for the state file lock\n{CLEAR}{shown}"
    )
    line.clear()
    line.write_above("done")  # after clear: the message only
    assert out.getvalue().endswith(f"{CLEAR}done\n")


def test_reading_shows_files_per_second() -> None:
    line, out, clock = make()
    line(Progress(files=0))
    clock.tick(2.0)
    line(Progress(files=700))
    assert last(out) == "reading files… 700 · 350 files/s"


def test_rate_and_eta_from_a_fake_clock() -> None:
    line, out, clock = make()
    line(checking(0))
    assert "/s" not in last(out) and "ETA" not in last(out)  # no rate before a sample
    for n in range(1, 11):  # 20 links/s for 10 s
        clock.tick(1.0)
        line(checking(20 * n, broken=n))
    assert last(out) == ("checked 200/1,000 links (20%) · 20/s · ETA 40 s · 10 broken · 0 warnings")
    # the rate is smoothed: one fast second does not swing it all the way
    clock.tick(1.0)
    line(checking(300, broken=10))
    rate = float(re.search(r"· ([\d.]+)/s", last(out)).group(1))  # type: ignore[union-attr]
    assert 20 < rate < 40
    # a stall: the rate decays, the ETA grows, never a division by zero
    for _ in range(5):
        clock.tick(1.0)
        line(checking(300, broken=10))
    stalled = last(out)
    assert "ETA" in stalled
    eta_stalled = stalled.split("ETA ")[1].split(" · ")[0]
    assert eta_stalled.endswith(" s") or "min" in eta_stalled


def test_rate_samples_shorter_than_half_a_second_are_folded() -> None:
    line, out, clock = make()
    line(checking(0))
    for n in range(1, 5):  # four updates 0.2 s apart
        clock.tick(0.2)
        line(checking(10 * n))
    # one sample only, at 0.6 s (30 links: 50/s); the 0.2 s after it are not a sample yet
    assert "50/s" in last(out)


def test_eta_is_not_shown_when_done_and_the_rate_is_zero_shows_unknown() -> None:
    line, out, clock = make()
    line(checking(0))
    clock.tick(1.0)
    line(checking(0))
    assert "ETA ?" in last(out) and "0.0/s" in last(out)
    clock.tick(1.0)
    line(checking(1000))
    assert "ETA" not in last(out)


@pytest.mark.parametrize("columns", [20, 30, 45, 60, 75, 90, 200])
def test_never_wider_than_the_terminal(columns: int) -> None:
    line, out, clock = make(columns=columns)
    line(Progress(files=123_456))
    clock.tick(1.0)
    line(Progress(files=1_234_567))
    widths = [len(t) for t in out.getvalue().split(CLEAR) if t]
    line(checking(0, total=1_234_567))
    for n in range(1, 4):
        clock.tick(1.0)
        line(checking(1000 * n, total=1_234_567, broken=12_345, warnings=678))
        widths.append(len(last(out)))
    assert max(widths) <= columns - 1  # the last column is never written (it would wrap)


def test_narrow_terminal_drops_the_least_useful_parts_first() -> None:
    def shown_at(columns: int) -> str:
        line, out, clock = make(columns=columns)
        line(checking(0))
        clock.tick(1.0)
        line(checking(10, broken=3, warnings=4))
        return last(out)

    full = "checked 10/1,000 links (1%) · 10/s · ETA 1 min 39 s · 3 broken · 4 warnings"
    assert shown_at(200) == full
    for columns, expected in [
        (len(full), "checked 10/1,000 links (1%) · 10/s · ETA 1 min 39 s · 3 broken"),
        (58, "checked 10/1,000 links (1%) · ETA 1 min 39 s · 3 broken"),
        (45, "checked 10/1,000 links (1%) · 3 broken"),
        (30, "checked 10/1,000 links (1%)"),
        (20, "checked 10/1,000 l…"),
    ]:
        assert shown_at(columns) == expected
        assert len(expected) <= columns - 1


def test_ascii_terminal_gets_ascii_separators() -> None:
    line, out, _ = make(encoding="ascii")
    line(Progress(files=3))
    out.flush()
    raw = out.buffer.getvalue().decode("ascii")  # type: ignore[attr-defined]
    assert raw == CLEAR + "reading files... 3"


def test_dumb_terminal_gets_plain_lines_now_and_then() -> None:
    line, out, clock = make(env={"TERM": "dumb"})
    line(Progress(files=5))
    line(checking(0))
    for n in range(1, 61):  # a minute at 10 links/s, an update per second
        clock.tick(1.0)
        line(checking(10 * n, broken=1))
    line(checking(1000, broken=1))  # the end: no extra line
    line.clear()
    text = out.getvalue()
    assert "\x1b" not in text and "\r" not in text
    lines = text.splitlines()
    assert len(lines) == 2 and text.endswith("\n")  # at 30 s and 60 s
    assert lines[0].startswith("linkcheck: checked 300/1,000 links (30%) · 10/s · ETA 1 min 10 s")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 s"),
        (0.2, "1 s"),
        (59, "59 s"),
        (60, "1 min 00 s"),
        (125, "2 min 05 s"),
        (3599, "59 min 59 s"),
        (3600, "1 h 00 min"),
        (3 * 3600 + 7 * 60 + 5, "3 h 08 min"),
        (500 * 3600, "500 h"),
        (float("inf"), "?"),
        (float("nan"), "?"),
        (-1, "?"),
    ],
)
def test_format_eta(seconds: float, text: str) -> None:
    assert format_eta(seconds) == text


def test_format_count() -> None:
    assert [format_count(n) for n in (0, 999, 1000, 1234567)] == ["0", "999", "1,000", "1,234,567"]


def test_terminal_columns() -> None:
    assert terminal_columns(io.StringIO(), {"COLUMNS": "57"}) == 57
    # no COLUMNS, a stream with no terminal: shutil's answer (80 when it finds nothing)
    assert terminal_columns(io.StringIO(), {"COLUMNS": "x"}) > 0


async def test_run_redraws_while_nothing_arrives() -> None:
    """A stall (a host that hangs): no callback comes, yet the line is redrawn, the rate
    decays and the ETA grows; the task ends once the line is cleared."""
    import anyio

    line, out, clock = make()
    line(checking(0))
    clock.tick(1.0)
    line(checking(100))
    before = last(out)
    assert "100/s" in before
    clock.tick(5.0)  # five seconds without a result
    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            tg.start_soon(line.run, 0.01)
            while last(out) == before:
                await anyio.sleep(0.01)
            line.clear()  # the task sees the line closed and ends; the group exits
    assert out.getvalue().endswith(CLEAR)
    redrawn = out.getvalue().split(CLEAR)[-2]
    assert redrawn.startswith("checked 100/1,000 links (10%) · ")
    rate = float(re.search(r"· ([\d.]+)/s", redrawn).group(1))  # type: ignore[union-attr]
    assert rate < 100


def test_terminal_columns_reads_the_streams_own_terminal() -> None:
    """Standard error may be a terminal while standard output is redirected (`-o -` or
    `> report.json`): the width comes from the stream the line is written to."""
    import fcntl
    import os
    import struct
    import termios

    leader, follower = os.openpty()
    try:
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 77, 0, 0))
        with open(follower, "w", closefd=False) as stream:
            assert terminal_columns(stream, {}) == 77
            assert terminal_columns(stream, {"COLUMNS": "100"}) == 100  # COLUMNS wins
    finally:
        os.close(leader)
        os.close(follower)
