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

FAST = {"timeout": 2.0, "retries": 0, "host_rate": 1000.0}


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
