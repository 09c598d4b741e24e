"""The progress line on a terminal: one self-overwriting line, at most ~8 updates a second.

While files are read it shows the count and files/s; while links are checked, the count, the
share done, the rate (links/s, smoothed over about ten seconds) and the time left (ETA), the
broken links and warnings. The line never reaches the terminal's last column (a wrapped line
could not be erased with one "clear line" and would stay behind as a stale line), and parts
are dropped, least useful first, when the terminal is narrow.

`clear()` erases the line for good: the run is over and what follows (the summary, an error)
starts on a clean line; a late update after it draws nothing. To print something while the
line is shown, use `write_above(text)`: the line is erased first and drawn again afterwards.

On a dumb terminal (TERM=dumb: an editor's shell, a serial console) no control sequence is
ever written: a plain progress line every `plain_interval` seconds (30) instead, each on its
own line, and nothing to erase.

Plain ANSI rather than `rich`: this is one line of text; rich would cost a dependency and
about 0.1 s of import time for it (`import rich.progress` ~115 ms against 20 ms for Python's
own start, measured on the 2-core development machine).
"""

from __future__ import annotations

import math
import os
import shutil
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:  # the pipeline (and the network stack) is imported only when a run starts
    from linkcheck.pipeline import Progress

__all__ = ["ProgressLine", "format_count", "format_eta", "terminal_columns"]

CLEAR = "\r\x1b[2K"  # carriage return, erase the whole line
INTERVAL = 0.12  # seconds between two redraws
PLAIN_INTERVAL = 30.0  # seconds between two plain lines on a dumb terminal
RATE_WINDOW = 10.0  # seconds: the time constant of the smoothed rate
MIN_SAMPLE = 0.5  # seconds: shorter gaps are folded into the next rate sample


def format_count(n: int) -> str:
    return f"{n:,}"


def format_eta(seconds: float) -> str:
    """A short time left: "8 s", "2 min 05 s", "1 h 02 min"; "?" when unknown."""
    if not math.isfinite(seconds) or seconds < 0:
        return "?"
    s = math.ceil(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    h, m = divmod(math.ceil(s / 60), 60)  # whole minutes, rounded up like the seconds
    return f"{h} h {m:02d} min" if h < 100 else f"{h} h"


def _format_rate(rate: float) -> str:
    return f"{rate:.1f}" if rate < 10 else format_count(round(rate))


def terminal_columns(stream: TextIO, environ: Mapping[str, str] | None = None) -> int:
    """The width of the terminal `stream` writes to: $COLUMNS when set, else the size of the
    stream's own terminal (standard error may be a terminal when standard output is not),
    else what `shutil.get_terminal_size` finds (80 when nothing does)."""
    env = os.environ if environ is None else environ
    columns = env.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        return os.get_terminal_size(stream.fileno()).columns or 80
    except (AttributeError, ValueError, OSError):
        return shutil.get_terminal_size((80, 24)).columns


def _fit(parts: list[tuple[int, str]], width: int, sep: str, ellipsis: str) -> str:
    """Join `parts` ((priority, text), shown in list order) within `width` characters: drop
    the least important part (highest priority number) until it fits, then cut the text."""
    kept = list(parts)
    while len(kept) > 1 and len(sep.join(t for _, t in kept)) > width:
        kept.remove(max(kept, key=lambda p: p[0]))
    line = sep.join(t for _, t in kept)
    if len(line) > width:
        line = line[: max(width - len(ellipsis), 0)] + ellipsis if width > 0 else ""
    return line


class ProgressLine:
    """The progress callback of a run on a terminal (see the module docstring)."""

    def __init__(
        self,
        stream: TextIO,
        *,
        clock: Callable[[], float] = time.monotonic,
        columns: Callable[[], int] | None = None,
        environ: Mapping[str, str] | None = None,
        plain_interval: float = PLAIN_INTERVAL,
    ) -> None:
        env = os.environ if environ is None else environ
        self.stream = stream
        self.clock = clock
        self.columns = columns or (lambda: terminal_columns(stream, env))
        self.dumb = env.get("TERM") == "dumb"
        self.interval = plain_interval if self.dumb else INTERVAL
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        unicode = not encoding or encoding in ("utf8", "utf16", "utf32")  # none: in memory
        self.sep = " · " if unicode else " - "
        self.ellipsis = "…" if unicode else "..."
        self.last = -math.inf
        self.shown = False  # a line is on screen (never true on a dumb terminal)
        self.closed = False
        self.started: float | None = None  # when this phase's counting started
        self.phase = ""
        self.sample: tuple[float, int] | None = None  # (time, checked) of the last rate sample
        self.rate: float | None = None  # smoothed links/s
        self.text = ""
        self.latest: Progress | None = None  # the counters last seen (the pipeline's object)

    # ------------------------------------------------------------------ the line itself

    def _reading(self, p: Progress, now: float, width: int) -> str:
        parts = [(0, f"reading files{self.ellipsis} {format_count(p.files)}")]
        elapsed = now - (self.started if self.started is not None else now)
        if elapsed >= MIN_SAMPLE and p.files:
            parts.append((1, f"{_format_rate(p.files / elapsed)} files/s"))
        return _fit(parts, width, self.sep, self.ellipsis)

    def _update_rate(self, checked: int, now: float) -> None:
        if self.sample is None:
            self.sample = (now, checked)
            return
        t0, n0 = self.sample
        dt = now - t0
        if dt < MIN_SAMPLE:
            return
        current = max(checked - n0, 0) / dt
        if self.rate is None:
            self.rate = current
        else:
            self.rate += (1 - math.exp(-dt / RATE_WINDOW)) * (current - self.rate)
        self.sample = (now, checked)

    def _checking(self, p: Progress, width: int) -> str:
        total = max(p.links_total, p.checked)
        done = f"checked {format_count(p.checked)}/{format_count(total)} links"
        if total:
            done += f" ({p.checked * 100 // total}%)"
        parts = [(0, done)]
        rate = self.rate
        if rate is not None and p.phase == "checking":
            parts.append((4, f"{_format_rate(rate)}/s"))
            left = total - p.checked
            if left > 0:
                parts.append((3, f"ETA {format_eta(left / rate) if rate > 0 else '?'}"))
        parts.append((2, f"{format_count(p.broken)} broken"))
        parts.append((5, f"{format_count(p.warnings)} warnings"))
        return _fit(parts, width, self.sep, self.ellipsis)

    def _note_phase(self, p: Progress, now: float) -> bool:
        """Start the clock of a new phase; True when `p` begins one."""
        if p.phase == self.phase:
            return False
        self.phase, self.started = p.phase, now
        self.sample = (now, p.checked) if p.phase == "checking" else None
        self.rate = None
        return True

    def render(self, p: Progress, now: float) -> str:
        """The text of the line for `p` at time `now` (the rate is updated as a side effect)."""
        self._note_phase(p, now)
        width = max(self.columns() - 1, 10)  # the last column would wrap on some terminals
        if p.phase == "reading":
            return self._reading(p, now, width)
        self._update_rate(p.checked, now)
        return self._checking(p, width)

    # ------------------------------------------------------------------ the callback

    def __call__(self, p: Progress) -> None:
        if self.closed:
            return
        self.latest = p
        now = self.clock()
        new_phase = self._note_phase(p, now)
        if self.dumb:  # a plain line now and then; none at the start or the end
            if self.last == -math.inf:
                self.last = now
            if now - self.last < self.interval:
                return
        else:
            final = p.phase != "reading" and p.checked >= p.links_total  # show the last
            if now - self.last < self.interval and not (final or new_phase):
                return
        self.last = now
        self.text = self.render(p, now)
        if self.dumb:
            self.stream.write(f"linkcheck: {self.text}\n")
        else:
            self.stream.write(CLEAR + self.text)
            self.shown = True
        self.stream.flush()

    async def run(self, every: float = 1.0) -> None:
        """Redraw every `every` seconds while no result comes (a host that hangs, a long
        Retry-After), so the rate decays and the ETA stays honest. Run it beside the job
        (like the heartbeat's task); it ends when cancelled."""
        import anyio  # here, not at the top: `linkcheck --help` never needs it

        while not self.closed:
            await anyio.sleep(every)
            latest = self.latest
            if latest is not None and self.clock() - self.last >= every:
                if not self.dumb:
                    self.last = -math.inf  # due now (a dumb terminal keeps its own pace)
                self(latest)

    def _erase(self) -> None:
        if self.shown:
            self.stream.write(CLEAR)
            self.stream.flush()
            self.shown = False

    def write_above(self, text: str) -> None:
        """Print `text` (a warning, a note) while the line is shown: the line is erased first
        and drawn again below it, so neither is left half-written."""
        was_shown = self.shown
        self._erase()
        self.stream.write(text if text.endswith("\n") else text + "\n")
        if was_shown and not self.closed:
            self.stream.write(CLEAR + self.text)
            self.shown = True
        self.stream.flush()

    def clear(self) -> None:
        """Erase the line for good: the run is over (or failed) and what is printed next starts
        on a clean line. Later updates draw nothing."""
        self._erase()
        self.closed = True
