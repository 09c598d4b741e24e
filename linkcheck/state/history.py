"""A link's history across runs: pure functions from what the store kept to `models.History`.

The store keeps one summary row per link (`Past`), advanced once per complete run; history is
computed from it, never by reading old verdict rows (those are pruned, see store.py).

Definitions (the README states them too):

* *broken* means outcome `broken`. `ok`, `warning` and `skipped` are "not broken", except a
  `skipped`/`not_checked` result (the run stopped before the link), which is no observation at
  all: the link keeps its previous state.
* `new`: the link was never seen in a complete run before this one.
* `ok` / `newly_broken` / `still_broken` / `fixed`: not broken now and before / broken now and
  not before / broken now and before / not broken now and broken before ("before" is the last
  complete run that saw the link).
* `flapping`: over the last `FLAP_WINDOW` observations (complete runs that saw the link, this
  one included), the state changed between broken and not broken at least `FLAP_CHANGES` times;
  it wins over the four statuses above. A single change never makes a link flapping.
* `failing_runs`: consecutive observations broken, this one included (0 when not broken).
* `broken_since`: when the first verdict of the current broken streak was made.
* `first_seen`: the start time of the first complete run that saw the link.
* `last_ok`: when the link was last judged `ok` (a reused verdict: when it was made).
"""

from __future__ import annotations

from dataclasses import dataclass

from linkcheck.models import History, HistoryStatus, Outcome, Reason

__all__ = ["FLAP_CHANGES", "FLAP_WINDOW", "Past", "advance", "changes", "observes"]

FLAP_WINDOW = 6  # observations looked at, this run's included
FLAP_CHANGES = 3  # changes between broken and not broken within the window that make a flap
BROKEN, NOT_BROKEN = "1", "0"  # one character per observation in Past.recent


@dataclass(frozen=True, slots=True)
class Past:
    """What the store keeps of a link between runs (one row per link)."""

    first_seen: str
    status: HistoryStatus
    broken_since: str | None
    failing_runs: int
    last_ok: str | None
    recent: str  # the last FLAP_WINDOW observations, oldest first: "1" broken, "0" not broken


def observes(outcome: Outcome, reason: Reason | None) -> bool:
    """Whether a result is an observation of the link (a not_checked skip is none)."""
    return not (outcome is Outcome.SKIPPED and reason is Reason.NOT_CHECKED)


def changes(recent: str) -> int:
    """How often the state changed between consecutive observations in `recent`."""
    return sum(1 for a, b in zip(recent, recent[1:], strict=False) if a != b)


def _status(past: Past | None, broken: bool, recent: str) -> HistoryStatus:
    if past is None:
        return HistoryStatus.NEW
    if changes(recent) >= FLAP_CHANGES:
        return HistoryStatus.FLAPPING
    was_broken = past.recent.endswith(BROKEN)
    if broken:
        return HistoryStatus.STILL_BROKEN if was_broken else HistoryStatus.NEWLY_BROKEN
    return HistoryStatus.FIXED if was_broken else HistoryStatus.OK


def advance(
    past: Past | None,
    outcome: Outcome,
    reason: Reason | None,
    *,
    run_started: str,
    checked_at: str,
) -> tuple[History, Past | None]:
    """This run's History of a link, and the summary to keep for the next run (None: keep
    `past` unchanged, because this result observed nothing)."""
    if not observes(outcome, reason):
        if past is None:
            return History(HistoryStatus.NEW, run_started, None, 0, None), None
        return (
            History(
                past.status, past.first_seen, past.broken_since, past.failing_runs, past.last_ok
            ),
            None,
        )
    broken = outcome is Outcome.BROKEN
    before = past.recent if past is not None else ""
    recent = (before + (BROKEN if broken else NOT_BROKEN))[-FLAP_WINDOW:]
    status = _status(past, broken, recent)
    first_seen = past.first_seen if past is not None else run_started
    last_ok = checked_at if outcome is Outcome.OK else (past.last_ok if past else None)
    if broken:
        streak = past.failing_runs if past is not None else 0
        failing = streak + 1
        since = past.broken_since if past is not None and streak and past.broken_since else None
        broken_since: str | None = since or checked_at
    else:
        failing, broken_since = 0, None
    history = History(status, first_seen, broken_since, failing, last_ok)
    return history, Past(first_seen, status, broken_since, failing, last_ok, recent)
