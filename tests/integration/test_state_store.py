"""The SQLite store and its session on real files: migrations, refusals, the lock, recording
and pruning (no HTTP here; the end-to-end runs are in tests/e2e/test_weekly.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from linkcheck.errors import StateError, StateLockedError
from linkcheck.models import CheckResult, HistoryStatus, Link, LinkKind, Outcome, Reason
from linkcheck.state import (
    COMPLETE,
    INTERRUPTED,
    NETWORK_DOWN,
    SCHEMA_VERSION,
    StateSession,
    Store,
    StoreLock,
)
from linkcheck.state import store as store_module


def result(
    url: str, outcome: Outcome = Outcome.OK, at: str = "2026-11-30T10:00:00Z"
) -> CheckResult:
    reason = {Outcome.BROKEN: Reason.HTTP_STATUS, Outcome.SKIPPED: Reason.NOT_CHECKED}.get(outcome)
    status = {Outcome.OK: 200, Outcome.BROKEN: 404}.get(outcome)
    return CheckResult(Link(url, LinkKind.PAGE, ()), outcome, reason, status, url, checked_at=at)


def one_run(
    path: Path, results: list[CheckResult], status: str = COMPLETE, started: str = "S"
) -> list[CheckResult]:
    session = StateSession(str(path))
    assert session.try_lock()
    try:
        session.begin(started, "test", ["lib"], {"timeout": 2})
        session.load(r.link.url for r in results)
        annotated = [session.annotate(r) for r in results]
        session.finish(status, "F")
    finally:
        session.close()
    return annotated


def test_a_new_file_gets_the_schema_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "state.db"
    Store(str(path)).close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"runs", "links", "verdicts"} <= tables


def test_an_empty_existing_file_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    path.write_bytes(b"")
    Store(str(path)).close()
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StateError, match="newer linkcheck") as caught:
        Store(str(path))
    assert str(path) in str(caught.value)
    db = sqlite3.connect(path)
    assert db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0


def test_a_corrupt_file_names_itself_and_the_way_out(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    path.write_bytes(b"this is not a database, it is a shopping list\n" * 100)
    with pytest.raises(StateError) as caught:
        Store(str(path))
    message = str(caught.value)
    assert str(path) in message and "--state" in message and "--no-state" in message


def test_history_needs_an_existing_store(tmp_path: Path) -> None:
    with pytest.raises(StateError, match="no state store"):
        Store(str(tmp_path / "missing.db"), create=False)
    assert not (tmp_path / "missing.db").exists()


def test_the_lock_is_exclusive_and_says_who_holds_it(tmp_path: Path) -> None:
    path = str(tmp_path / "state.db")
    first, second = StoreLock(path), StoreLock(path)
    assert first.try_acquire()
    assert not second.try_acquire()
    error = second.locked_error()
    assert isinstance(error, StateLockedError)
    import os

    assert path in str(error) and f"pid {os.getpid()}" in str(error)
    assert "--wait-lock" in str(error)
    first.release()
    assert second.try_acquire()
    second.release()


def test_two_runs_give_history_and_a_killed_run_is_marked(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    one_run(path, [result("http://a/1"), result("http://a/2", Outcome.BROKEN)])
    # a run that was killed: its row stays 'running' and it recorded nothing
    killed = StateSession(str(path))
    assert killed.try_lock()
    killed.begin("K", "test", [], {})
    killed.lock.release()  # what the kernel does when the process dies
    second = one_run(
        path,
        [result("http://a/1", Outcome.BROKEN), result("http://a/2"), result("http://a/3")],
    )
    assert [r.history.status for r in second if r.history] == [
        HistoryStatus.NEWLY_BROKEN,
        HistoryStatus.FIXED,
        HistoryStatus.NEW,
    ]
    store = Store(str(path))
    runs = store.runs(10)
    assert [(r[0], r[3]) for r in runs] == [(3, COMPLETE), (2, "incomplete"), (1, COMPLETE)]
    timeline = store.timeline(second[0].id, 10)
    assert [(t[0], t[4], t[8]) for t in timeline] == [
        (3, "broken", "newly_broken"),
        (1, "ok", "new"),
    ]
    store.close()


def test_interrupted_runs_keep_verdicts_but_not_history(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    one_run(path, [result("http://a/1")])
    one_run(
        path,
        [result("http://a/1", Outcome.BROKEN), result("http://a/2", Outcome.SKIPPED)],
        INTERRUPTED,
    )
    third = one_run(path, [result("http://a/1", Outcome.BROKEN)])
    # the interrupted run's broken verdict did not count: this is the first broken complete run
    assert third[0].history is not None
    assert (third[0].history.status, third[0].history.failing_runs) == (
        HistoryStatus.NEWLY_BROKEN,
        1,
    )
    store = Store(str(path))
    assert [t[0] for t in store.timeline(third[0].id, 10)] == [3, 2, 1]
    assert store.find_links("http://a/2") == []  # a not_checked skip is recorded nowhere
    store.close()


def test_a_network_down_run_records_no_verdict(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    one_run(path, [result("http://a/1", Outcome.BROKEN)], NETWORK_DOWN)
    store = Store(str(path))
    assert store.runs(5)[0][3] == NETWORK_DOWN
    assert store.find_links("http://a/1") == []
    assert store.db.execute("SELECT count(*) FROM verdicts").fetchone()[0] == 0
    store.close()


def test_old_verdict_rows_are_pruned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "KEEP_VERDICT_RUNS", 3)
    path = tmp_path / "state.db"
    for _ in range(5):
        one_run(path, [result("http://a/1"), result("http://a/2")])
    store = Store(str(path))
    kept = [r[0] for r in store.db.execute("SELECT DISTINCT run_id FROM verdicts ORDER BY 1")]
    assert kept == [3, 4, 5]
    assert len(store.runs(10)) == 5  # run rows (totals) are kept
    store.close()


def test_a_link_id_prefix_finds_the_link(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    (r,) = one_run(path, [result("http://a/1")])
    store = Store(str(path))
    assert store.find_links(r.id[:6]) == [(r.id, "http://a/1")]
    store.close()
