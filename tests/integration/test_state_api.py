"""State through the library API (real loopback servers): kept only when the caller names a
store, history on `run` and `check_stream` results, the network-down run recorded as such."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path
from typing import Any

import anyio
from sitekit import Site, unused_address

import linkcheck
from linkcheck.models import HistoryStatus

FAST = {"timeout": 2.0, "retries": 0, "host_rate": 1000.0, "allow_private": True}


def article(url: str) -> tuple[str, str]:
    return (f"{abs(hash(url))}.md", f'---\ntitle: "A"\nwebUrl: "{url}"\n---\nbody\n')


def test_the_library_keeps_no_state_unless_asked(site: Site) -> None:
    report = linkcheck.run([article(site.url("/ok"))], linkcheck.load_config(**FAST))
    assert report.run.state_file is None and report.run.run_id is None
    assert report.results[0].history is None
    assert not Path(os.environ["XDG_STATE_HOME"], "linkcheck").exists()


def test_a_named_store_gives_history_to_run_and_check_stream(site: Site, tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    config = linkcheck.load_config(**FAST, state=str(state))
    inputs = [article(site.url("/ok")), article(site.url("/status/404"))]
    first = linkcheck.run(inputs, config)
    assert first.run.run_id == 1 and first.run.state_file == str(state)
    assert {r.history.status for r in first.results if r.history} == {HistoryStatus.NEW}

    async def stream() -> list[Any]:
        async with contextlib.aclosing(linkcheck.check_stream(inputs, config)) as results:
            return [r async for r in results]

    streamed = anyio.run(stream)
    got = {r.link.url: (r.history.status if r.history else None, r.cached) for r in streamed}
    assert got == {
        site.url("/ok"): (HistoryStatus.OK, True),
        site.url("/status/404"): (HistoryStatus.STILL_BROKEN, False),
    }
    db = sqlite3.connect(state)
    assert db.execute("SELECT id, status FROM runs").fetchall() == [
        (1, "complete"),
        (2, "complete"),
    ]


def test_a_network_down_run_is_recorded_without_verdicts(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    dead = [unused_address(f"127.0.0.{n}") for n in (31, 32, 33)]
    config = linkcheck.load_config(**FAST, state=str(state))
    report = linkcheck.run([article(f"http://{h}:{p}/x") for h, p in dead], config)
    assert report.run.network_down and report.exit_code == 2
    db = sqlite3.connect(state)
    assert db.execute("SELECT status FROM runs").fetchall() == [("network_down",)]
    assert db.execute("SELECT count(*) FROM verdicts").fetchone()[0] == 0


def test_a_run_that_cannot_be_recorded_still_returns_its_whole_report(
    site: Site, tmp_path: Path
) -> None:
    """Another process holds the store's write lock when the run ends (a real SQLite lock, held
    past the store's busy timeout): hours of checking are not lost; the report is complete and
    says why it is not in the history, and the exit code is 2."""
    state = tmp_path / "state.db"
    config = linkcheck.load_config(**FAST, state=str(state))
    inputs = [article(site.url("/ok")), article(site.url("/status/404"))]
    blocker: list[sqlite3.Connection] = []

    def hold_the_store(progress: Any) -> None:
        if progress.phase == "checking" and not blocker:
            db = sqlite3.connect(state, isolation_level=None)
            db.execute("BEGIN EXCLUSIVE")
            blocker.append(db)

    try:
        report = linkcheck.run(inputs, config, on_progress=hold_the_store)
    finally:
        for db in blocker:
            db.execute("ROLLBACK")
            db.close()
    assert blocker, "the store was never held: the test proved nothing"
    assert report.run.state_error and str(state) in report.run.state_error
    assert {r.link.url: r.outcome.value for r in report.results} == {
        site.url("/ok"): "ok",
        site.url("/status/404"): "broken",
    }
    assert report.exit_code == 2
    # the next run works and finds the interrupted recording marked as such
    again = linkcheck.run(inputs, config)
    assert again.run.state_error is None and again.run.run_id == 2
    statuses = dict(sqlite3.connect(state).execute("SELECT id, status FROM runs").fetchall())
    assert statuses[2] == "complete" and statuses[1] != "complete"
