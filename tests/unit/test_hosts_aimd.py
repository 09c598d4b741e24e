"""The adaptive rate (hosts/aimd.py) on plain numbers: no clock, no server."""

from __future__ import annotations

import pytest

from linkcheck.hosts.aimd import (
    CONFIRM,
    DECREASE,
    HOLD_FIRST,
    HOLD_MAX,
    MIN_RATE,
    PLATEAU,
    AdaptiveRate,
)


def clean_seconds(rate: AdaptiveRate, seconds: float, now: float) -> float:
    """Feed `seconds` of clean responses at whatever rate is in force; return the new time."""
    end = now + seconds
    while now < end:
        now += 1.0 / rate.rate
        rate.success(now)
    return now


def test_pushback_cuts_once_per_window() -> None:
    rate = AdaptiveRate(10.0)
    assert rate.pushback(started=0.0, now=1.0)
    assert rate.rate == pytest.approx(10.0 * DECREASE)
    # answers to requests sent before the cut are the same signal, not new ones
    assert not rate.pushback(started=0.5, now=1.1)
    assert not rate.pushback(started=0.99, now=1.2)
    assert rate.rate == pytest.approx(10.0 * DECREASE)
    # a request sent at the new rate that meets pushback again is a new signal
    assert rate.pushback(started=1.3, now=1.4)
    assert rate.rate == pytest.approx(10.0 * DECREASE * DECREASE)
    assert rate.decreases == 2


def test_never_below_the_floor() -> None:
    rate = AdaptiveRate(1.0)
    for i in range(50):
        rate.pushback(started=float(i), now=i + 0.5)
    assert rate.rate == MIN_RATE == rate.min_rate


def test_a_handful_of_429s_recover_to_the_configured_rate() -> None:
    rate = AdaptiveRate(10.0)
    now = 0.0
    for _ in range(3):  # three per-URL 429s, a few seconds apart
        now = clean_seconds(rate, 3.0, now)
        assert rate.pushback(started=now - 0.1, now=now)
    assert rate.min_rate < 10.0 * DECREASE
    now = clean_seconds(rate, 10.0, now)
    assert rate.rate >= 10.0 * 0.8  # soon close to the configured rate...
    now = clean_seconds(rate, HOLD_MAX + 10.0, now)
    assert rate.rate == 10.0  # ...and back at it after a hold
    below = rate.seconds_below(now)
    assert 0 < below < now  # ...after a while below it, which is accounted
    assert rate.seconds_below(now + 100) == below  # and the clock stopped when it recovered


def test_increase_is_self_clocked_by_responses() -> None:
    rate = AdaptiveRate(10.0)
    rate.pushback(started=0.0, now=0.0)
    before = rate.rate
    # no responses (a Retry-After pause, an idle host): no gain however long it lasts
    assert rate.rate == before
    # one second of responses at the current rate adds about configured / 10
    clean_seconds(rate, 1.0, 100.0)
    assert rate.rate == pytest.approx(before + 1.0, abs=0.15)


def test_a_host_with_its_own_limit_is_held_just_below_it() -> None:
    """Pushback again at the same rate: hold below it longer each time instead of sawing."""
    rate = AdaptiveRate(10.0)
    limit = 5.0
    now, pushbacks = 0.0, 0
    rates = []
    while now < 300.0:
        now += 1.0 / rate.rate
        if rate.rate > limit:
            if rate.pushback(started=now, now=now):
                pushbacks += 1
                now += 1.0  # Retry-After: 1
        else:
            rate.success(now)
        rates.append(rate.rate)
    late = rates[len(rates) // 2 :]
    assert sum(late) / len(late) >= 0.8 * limit  # stays near the limit, on average
    assert min(late) >= limit * DECREASE * 0.9  # never collapses towards the floor
    assert pushbacks <= 12  # probes above the limit get rarer


def test_pushback_on_the_way_down_does_not_lengthen_the_hold() -> None:
    rate = AdaptiveRate(10.0)
    for i in range(4):  # a burst: four windows in a row
        rate.pushback(started=float(i), now=i + 0.1)
    assert rate.hold == HOLD_FIRST
    assert rate.ceiling is not None
    clean_seconds(rate, 60.0, 10.0)
    assert rate.rate == 10.0 and rate.ceiling is None  # probed past it: forgotten
    assert rate.rate >= rate.configured * PLATEAU


def test_a_paused_pushback_cuts_only_when_confirmed() -> None:
    rate = AdaptiveRate(10.0)
    # a 429 with Retry-After: the pause is the answer; the rate waits for a second signal
    assert not rate.pushback(started=0.0, now=0.1, paused=True)
    assert rate.rate == 10.0
    now = clean_seconds(rate, CONFIRM + 0.5, 1.1)  # the host is fine after the pause
    assert not rate.pushback(started=now, now=now + 0.1, paused=True)  # a new suspicion
    assert rate.rate == 10.0 and rate.min_rate == 10.0
    # pushback twice more right after resuming: the host limits its rate
    assert not rate.pushback(started=now + 1.2, now=now + 1.3, paused=True)
    assert rate.rate == 10.0
    assert rate.pushback(started=now + 1.4, now=now + 1.5, paused=True)
    assert rate.rate == pytest.approx(10.0 * DECREASE)
    # at the known ceiling, a paused pushback cuts at once
    now = clean_seconds(rate, 10.0, now + 2.0)
    assert rate.rate >= 10.0 * PLATEAU
    assert rate.pushback(started=now, now=now + 0.1, paused=True)


def test_one_urls_429s_to_its_own_retries_never_confirm_each_other() -> None:
    rate = AdaptiveRate(10.0)
    link, other = object(), object()
    assert not rate.pushback(started=0.0, now=0.1, paused=True, source=link)
    # its retry, after the pause, answered 429 again: about that URL, not about the host
    assert not rate.pushback(started=1.2, now=1.3, paused=True, source=link)
    assert rate.rate == 10.0
    # two other links pushed back right after: the host itself limits
    assert not rate.pushback(started=1.4, now=1.5, paused=True, source=other)
    assert rate.pushback(started=1.6, now=1.7, paused=True, source=object())
    assert rate.rate == pytest.approx(10.0 * DECREASE)


def test_two_urls_in_flight_together_then_retried_do_not_confirm_each_other() -> None:
    rate = AdaptiveRate(10.0)
    a, b = object(), object()
    assert not rate.pushback(started=0.0, now=0.1, paused=True, source=a)
    assert not rate.pushback(started=0.05, now=0.12, paused=True, source=b)  # same window
    # both retried after the pause, both answered 429 again: still about those two URLs
    assert not rate.pushback(started=1.2, now=1.3, paused=True, source=a)
    assert not rate.pushback(started=1.25, now=1.35, paused=True, source=b)
    assert rate.rate == 10.0


def test_a_busy_host_with_a_few_429_urls_keeps_its_rate() -> None:
    rate = AdaptiveRate(200.0)
    assert not rate.pushback(started=0.0, now=0.1, paused=True, source="a")
    now = 2.0
    for _ in range(50):  # clean answers after the pause, within the confirmation second
        now += 0.005
        rate.success(now)
    # another URL answers 429: one among fifty clean answers says nothing about the host
    assert not rate.pushback(started=now, now=now + 0.01, paused=True, source="b")
    assert rate.rate == 200.0
    # a host over its limit answers many in a row: two more, a few answers apart, confirm it
    for source in ("c", "d"):
        for _ in range(3):
            now += 0.005
            rate.success(now)
        cut = rate.pushback(started=now, now=now + 0.02, paused=True, source=source)
    assert cut and rate.rate == pytest.approx(200.0 * DECREASE)


def test_an_unconfirmed_pause_makes_later_429s_about_their_url():
    r = AdaptiveRate(10.0)
    assert not r.url_scoped
    assert not r.pushback(0.0, 1.0, paused=True, source="a")  # a suspicion, no cut
    for i in range(15):  # more than CONFIRM seconds of clean responses
        r.success(2.0 + i * 0.1)
    assert r.url_scoped and r.rate == 10.0
    # three links pushing back within the confirmation window: the host limits its rate
    assert not r.pushback(4.0, 4.1, paused=True, source="b")
    assert not r.pushback(4.2, 4.3, paused=True, source="c")
    assert r.pushback(4.4, 4.5, paused=True, source="d")
    assert not r.url_scoped and r.rate < 10.0


def test_two_urls_answering_429_close_together_are_not_a_limit() -> None:
    # at 10/s, a host where a few URLs answer 429 now and then: two of them a few answers
    # apart (it happened in most runs of the small ugly web) pause, but cut nothing
    r = AdaptiveRate(10.0)
    assert not r.pushback(0.0, 0.1, paused=True, source="a")
    now = clean_seconds(r, 0.3, 2.1)  # three clean answers after the pause
    assert not r.pushback(now, now + 0.1, paused=True, source="b")
    clean_seconds(r, 30.0, now + 0.2)  # then many clean answers
    assert r.rate == 10.0 and r.min_rate == 10.0


def test_a_host_a_little_over_its_limit_is_confirmed_at_a_low_rate() -> None:
    # asking 6/s of a host that allows 5/s: one answer in six is a 429 with Retry-After. Three
    # of them take 10 answers, longer than CONFIRM seconds at 6/s: the suspicion lasts until
    # CLOSE clean answers have passed too, so they confirm the limit
    r = AdaptiveRate(6.0)
    now = 0.0
    cuts = []
    for source in ("a", "b", "c"):
        cuts.append(r.pushback(now, now + 0.1, paused=True, source=source))
        now = clean_seconds(r, 5 / 6, now + 0.2)  # five clean answers
    assert cuts == [False, False, True]
    assert r.min_rate == pytest.approx(6.0 * DECREASE) and not r.url_scoped
