"""Adaptive request rate for one host: AIMD (additive increase, multiplicative decrease).

Pushback (a 429, or a 503 with Retry-After) cuts the rate to `DECREASE` of what it was, at
most once per window: a window is every request started before the last decrease, because
they were sent at the old rate and their pushback is the same signal, not a new one.

A pushback that carries Retry-After already pauses the whole host (gate.py). While no limit
is known (no confirmed cut whose ceiling still stands), it cuts nothing by itself: only
pushback from two more links while the suspicion lasts (`CONFIRM` seconds of traffic after
the pause, and at least `CLOSE` clean answers) confirms it, each fewer than `CLOSE` clean
answers after the one before (`CONFIRM_HITS` in a row: a host
over its limit answers 429 to many requests in a row; two URLs of a fine host that answer 429
now and then come a few answers apart often enough, and three almost never). A host that
limits its rate pushes back again as soon as we resume at the same rate; a host where a few
URLs answer 429 does not, and costs only the pause. Once a pause has gone unconfirmed, the
host's 429s are known to be about their URLs (`url_scoped`): the next ones pause only their own
link for its Retry-After, the rest of the host carries on, until a pushback is confirmed again.

Successes add the rate back, self-clocked by responses: each clean response adds
`step / rate`, so one second's worth of responses at the current rate adds `step` =
configured / 10, and a host climbs back from one cut (0.7x) in about three seconds of
traffic. Counting responses rather than wall time means a host that sends nothing
(paused by Retry-After, or idle) does not gain rate it never tested.

A host that enforces its own lower limit pushes back again near the same rate. We remember
that rate (`ceiling`), climb quickly back to just below it (`PLATEAU`), hold there for a
while (`hold`, doubling each time we are back at the ceiling and pushed back again, up to
`HOLD_MAX`) and only then probe above it. Each probe costs one pause (Retry-After) plus one
decrease, so probing rarely keeps the average close to the host's limit instead of sawing
down to the floor. A handful of per-URL 429s on a host that is fine cost a short dip: the
probe after one hold climbs past the old ceiling, which is then forgotten, and the rate
returns to the configured rate.

Pure arithmetic on times passed in: no clock, no I/O (unit-tested with plain numbers).
"""

from __future__ import annotations

import math

MIN_RATE = 0.2  # never slower than one request per 5 s
# 0.7, not TCP's 0.5: a 429 is a polite signal from a live server, usually with a Retry-After
# that already pauses us; halving on top of the pause costs more than it protects (CUBIC's β).
DECREASE = 0.7
STEP_SHARE = 0.1  # additive increase per second of clean responses, as a share of configured
PLATEAU = 0.95  # climb quickly to this share of the last pushback rate, then hold
SAME_CEILING = 1.1  # pushback at up to this multiple of the last ceiling: the same limit again
HOLD_FIRST = 15.0  # seconds of clean traffic held below a new ceiling before probing above it
HOLD_MAX = 60.0
MAX_SOURCES = 64  # links remembered per episode of pushback (a bound, not a tuning knob)
CONFIRM = 1.0  # seconds of traffic after a Retry-After pause in which pushback confirms it
# ... by a pushback fewer than this many clean answers after the last one: a host over its
# limit answers many requests 429 in a row (half of them when we ask twice its rate, once the
# burst it accepts after a pause is spent); a host at 200/s where a few URLs answer 429 sees
# one now and then among hundreds of clean answers (a second of traffic is 200 answers)
CLOSE = 10
# ... and it takes this many pushbacks from different links, each fewer than CLOSE clean
# answers after the one before: at 10/s a host with 6 URLs answering 429 among 260 had two of
# them within 10 answers of each other in most runs (a false limit, cut for the rest of the
# run); a host over its limit sends three in a row within a few answers
CONFIRM_HITS = 3


class AdaptiveRate:
    """The rate in force for one host, and the record of how low it went and for how long."""

    __slots__ = (
        "configured",
        "floor",
        "rate",
        "step",
        "ceiling",
        "hold",
        "held",
        "window_start",
        "decreases",
        "min_rate",
        "below_since",
        "below_s",
        "suspect",
        "suspicious",
        "sources",
        "clean",
        "hits",
        "url_scoped",
    )

    def __init__(self, configured: float, floor: float = MIN_RATE) -> None:
        self.configured = configured
        self.floor = min(floor, configured)
        self.rate = configured
        self.step = configured * STEP_SHARE
        self.ceiling: float | None = None  # rate at the last pushback, until probed past
        self.hold = 0.0  # seconds of clean traffic to hold at the plateau before probing
        self.held = 0.0  # ... of which already done
        self.window_start = -math.inf  # pushback on requests started before this: same window
        self.decreases = 0
        self.min_rate = configured
        self.below_since: float | None = None
        self.below_s = 0.0
        self.suspect = 0.0  # seconds of traffic left in which more pushback confirms one
        self.suspicious = False  # a Retry-After pushback awaits confirmation (see success())
        self.sources: set[object] = set()  # links that pushed back since the last cut
        self.clean = 0  # in an open suspicion: clean answers since the last pushback
        self.hits = 0  # ... and pushbacks in a row, each within CLOSE answers of the last
        # a Retry-After pushback turned out to be about its URL (nothing followed it): the
        # next ones pause only their own link, not the host (gate.py), until one is confirmed
        self.url_scoped = False

    def pushback(
        self, started: float, now: float, *, paused: bool = False, source: object = None
    ) -> bool:
        """A request started at `started` met pushback at `now`. True if the rate was cut.

        `paused`: it came with a Retry-After, which already pauses the host. Such a pushback
        only cuts the rate when another one follows within `CONFIRM` seconds of traffic after
        the pause from a link that has not pushed back yet (`source`): a URL answering 429
        to its own retry says nothing about the host. A few URLs answering 429 on a host that
        is fine cost the pause, not rate."""
        if paused and source is not None:
            if source in self.sources:
                return False  # the same link's retry answered 429 again: about the URL
            if len(self.sources) < MAX_SOURCES:
                self.sources.add(source)
        if started < self.window_start:
            return False
        ceiling = self.ceiling
        known = ceiling is not None and self.rate >= ceiling * PLATEAU
        if paused and not known:
            if not self.suspicious:
                self.suspicious = True
                self.suspect = CONFIRM
                self.window_start = now
                self.clean = 0
                self.hits = 1
                return False
            close = self.clean < CLOSE
            self.clean = 0
            if not close:
                self.hits = 1
                return False  # another URL's own 429, many clean answers after the last one
            self.hits += 1
            if self.hits < CONFIRM_HITS:
                return False
        self.suspect = 0.0
        self.suspicious = False
        self.sources.clear()
        self.url_scoped = False  # the host limits its rate: pause it whole again
        if ceiling is not None and ceiling * PLATEAU <= self.rate <= ceiling * SAME_CEILING:
            # back at the last ceiling and pushed back again: the same limit, probe more rarely
            # (a probe's overshoot above the ceiling does not raise it)
            self.hold = min(HOLD_MAX, self.hold * 2)
            self.ceiling = min(ceiling, self.rate)
        else:  # a first pushback, or one on the way down (the limit is lower than we thought)
            self.hold = HOLD_FIRST
            self.ceiling = self.rate
        self.held = 0.0
        self.window_start = now
        self.decreases += 1
        self._set(max(self.floor, self.rate * DECREASE), now)
        return True

    def success(self, now: float) -> None:
        """A clean response: one response's share of a second of traffic at the current rate."""
        gain = 1.0 / self.rate
        if self.suspicious:
            self.clean += 1
            self.suspect -= gain
            # over after CONFIRM seconds of traffic and at least CLOSE clean answers since the
            # last pushback: at a low rate a second is only a few answers, and a host a little
            # over its limit (6/s against 5/s) answers one request in six with 429
            if self.suspect <= 0.0 and self.clean >= CLOSE:
                self.suspicious = False
                self.sources.clear()  # not confirmed: it was about those URLs
                self.url_scoped = True
            return
        if self.rate >= self.configured:
            return
        ceiling = self.ceiling
        if ceiling is not None:
            plateau = ceiling * PLATEAU
            if self.rate < plateau:
                self._set(min(plateau, self.rate + self.step * gain), now)
                return
            if self.held < self.hold:
                self.held += gain
                return
            if self.rate > ceiling * SAME_CEILING:
                self.ceiling = None  # probed well past it without pushback: the limit is gone
                self.hold = 0.0
        self._set(min(self.configured, self.rate + self.step * gain), now)

    def seconds_below(self, now: float) -> float:
        """Seconds spent below the configured rate so far (including a stretch still open)."""
        open_stretch = 0.0 if self.below_since is None else max(0.0, now - self.below_since)
        return self.below_s + open_stretch

    def _set(self, rate: float, now: float) -> None:
        self.rate = rate
        if rate < self.min_rate:
            self.min_rate = rate
        if rate < self.configured:
            if self.below_since is None:
                self.below_since = now
        elif self.below_since is not None:
            self.below_s += now - self.below_since
            self.below_since = None
