"""A host's request spacing (hosts/state.py) under a busy event loop: starts that come a
little late keep the host's schedule, and no one-second window ever holds more than the rate.
Plain arithmetic on HostState with a made-up clock: no server."""

from __future__ import annotations

import random
from bisect import bisect_left

import pytest

from linkcheck.hosts.state import SPACING_MARGIN, HostState


def _starts(rate: float, late: float, seconds: float, seed: int = 7) -> list[float]:
    """When requests start if each one starts up to `late` s after its host allows it."""
    st = HostState("h", 10_000, rate)
    shake = random.Random(seed)
    now, starts = 0.0, []
    while now < seconds:
        now = st.ready_at(now) + shake.uniform(0.0, late)
        st.take(now)
        st.in_flight -= 1  # answered at once: only the spacing limits this host
        starts.append(now)
    return starts


def _most_in_one_second(starts: list[float]) -> int:
    return max(bisect_left(starts, t + 1.0) - i for i, t in enumerate(starts))


@pytest.mark.parametrize("rate", [200.0, 196.0, 100.0, 60.0, 10.0, 1.0])
@pytest.mark.parametrize("late", [0.0, 0.001, 0.003])
def test_never_more_than_the_rate_in_any_second(rate: float, late: float) -> None:
    assert _most_in_one_second(_starts(rate, late, 30.0)) <= rate


def test_late_starts_keep_the_schedule() -> None:
    # a busy event loop starts each request up to 2 ms after it may: at 200/s the host still
    # gets its spaced rate (before: about 165/s, each late start pushing every later one back)
    starts = _starts(200.0, 0.002, 30.0)
    achieved = len(starts) / (starts[-1] - starts[0])
    assert achieved == pytest.approx(200.0 / SPACING_MARGIN, rel=0.01)


def test_an_idle_host_gets_no_burst() -> None:
    st = HostState("h", 10_000, 200.0)
    st.take(0.0)
    st.in_flight = 0
    now = 100.0  # after a long pause the time not used is not owed: at most 2 at once
    starts = []
    for _ in range(50):
        now = st.ready_at(now)
        st.take(now)
        st.in_flight = 0
        starts.append(now)
    assert sum(t - 100.0 < st.interval * 0.99 for t in starts) <= 2
    assert (len(starts) - 2) / (starts[-1] - 100.0) <= 200.0
