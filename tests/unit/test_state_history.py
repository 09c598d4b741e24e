"""The pure history rules (state/history.py): statuses, streaks, flapping, not_checked."""

from __future__ import annotations

import pytest

from linkcheck.models import HistoryStatus, Outcome, Reason
from linkcheck.state.history import FLAP_WINDOW, Past, advance, changes

B, K, W = Outcome.BROKEN, Outcome.OK, Outcome.WARNING
H = HistoryStatus


def replay(outcomes: list[Outcome]) -> list[tuple[HistoryStatus, int, str | None, str | None]]:
    """Each run's (status, failing_runs, broken_since, last_ok); run i happens at time Ti."""
    past: Past | None = None
    seen = []
    for i, outcome in enumerate(outcomes):
        reason = Reason.HTTP_STATUS if outcome is B else None
        history, after = advance(past, outcome, reason, run_started=f"R{i}", checked_at=f"T{i}")
        assert after is not None
        assert history.first_seen == "R0"
        past = after
        seen.append((history.status, history.failing_runs, history.broken_since, history.last_ok))
    return seen


def test_first_run_is_new_whatever_the_outcome() -> None:
    assert replay([K])[0] == (H.NEW, 0, None, "T0")
    assert replay([B])[0] == (H.NEW, 1, "T0", None)


def test_the_four_transitions() -> None:
    got = replay([K, K, B, B, B, K, K])
    assert [g[0] for g in got] == [
        H.NEW,
        H.OK,
        H.NEWLY_BROKEN,
        H.STILL_BROKEN,
        H.STILL_BROKEN,
        H.FIXED,
        H.OK,
    ]
    assert [g[1] for g in got] == [0, 0, 1, 2, 3, 0, 0]
    # the streak keeps the time of its first broken verdict; last_ok stays at the last ok
    assert [g[2] for g in got] == [None, None, "T2", "T2", "T2", None, None]
    assert [g[3] for g in got] == ["T0", "T1", "T1", "T1", "T1", "T5", "T6"]


def test_warning_and_skipped_are_not_broken_but_not_ok_either() -> None:
    got = replay([B, W, Outcome.SKIPPED])
    assert [g[0] for g in got] == [H.NEW, H.FIXED, H.OK]
    assert [g[3] for g in got] == [None, None, None]  # never judged ok


def test_one_change_is_never_flapping_three_in_the_window_are() -> None:
    assert H.FLAPPING not in [g[0] for g in replay([K, K, K, K, K, B])]
    assert H.FLAPPING not in [g[0] for g in replay([K, B, K, K, K, K])]
    got = [g[0] for g in replay([K, B, K, B])]
    assert got == [H.NEW, H.NEWLY_BROKEN, H.FIXED, H.FLAPPING]


def test_flapping_ends_once_the_changes_leave_the_window() -> None:
    got = [g[0] for g in replay([K, B, K, B] + [B] * FLAP_WINDOW)]
    assert got[3] == H.FLAPPING
    assert got[-1] == H.STILL_BROKEN
    assert got.index(H.STILL_BROKEN) > 3


def test_not_checked_keeps_the_previous_state() -> None:
    _, past = advance(None, B, Reason.HTTP_STATUS, run_started="R0", checked_at="T0")
    assert past is not None
    history, after = advance(
        past, Outcome.SKIPPED, Reason.NOT_CHECKED, run_started="R1", checked_at="T1"
    )
    assert after is None  # nothing to keep: the link was not observed
    assert (history.status, history.failing_runs, history.broken_since) == (H.NEW, 1, "T0")
    fresh, none = advance(
        None, Outcome.SKIPPED, Reason.NOT_CHECKED, run_started="R1", checked_at="T1"
    )
    assert none is None and fresh.status is H.NEW and fresh.failing_runs == 0


@pytest.mark.parametrize(
    ("recent", "n"), [("", 0), ("0", 0), ("01", 1), ("0101", 3), ("001100", 2)]
)
def test_changes(recent: str, n: int) -> None:
    assert changes(recent) == n
