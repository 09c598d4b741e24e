"""Checking in several processes (`--workers`), asserted from the servers' own request logs:
every link checked once, each host's limits held by all the processes together, a stop or a
lost process handled."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from test_interrupt import run_and_terminate

REPO = Path(__file__).resolve().parents[2]


def articles(urls: list[str]) -> list[dict[str, str]]:
    return [{"title": f"A{i}", "webUrl": u} for i, u in enumerate(urls)]


def verdicts(report: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    return {
        link["url"]: (link["outcome"], link["reason"], link["http_status"])
        for link in report["links"]
    }


def ours(site: Any) -> list[Any]:
    """The requests for the library's own links (not a soft-404 probe's made-up path)."""
    return [e for e in site.log if not e.path.startswith("/linkcheck-probe")]


def test_two_processes_check_each_link_once_within_each_hosts_limits(sites, library, run_cli):
    a, b = sites(2, latency=0.02)
    urls = [s.url(f"/slow?delay=0.05&n={i}") for s in (a, b) for i in range(30)]
    urls += [a.url(f"/status/404?n={i}") for i in range(4)]
    urls += [a.url(f"/redirect-to?url={b.url(f'/ok?hop={i}')}") for i in range(6)]
    folder = library(articles(urls + urls[::3]))  # a third of the links cited twice
    limits = ("--host-concurrency", "4", "--host-rate", "40")
    run = run_cli(folder, "--workers", "2", *limits)
    assert run.code == 1, run.err  # the 404s
    assert run.report["run"]["workers"] == 2
    assert run.report["run"]["options"]["workers"] == 2
    seen = verdicts(run.report)
    assert set(seen) == set(urls)
    assert all(seen[u][0] == "broken" for u in urls if "/status/404" in u)
    assert all(seen[u][0] == "ok" for u in urls if "/status/404" not in u)
    # each link once (its redirect hop once more, on b), never above a host's limits
    for site in (a, b):
        targets = [e.target for e in ours(site)]
        assert len(targets) == len(set(targets)), "a link was requested twice"
        assert site.max_in_flight() <= 4
        assert site.max_rate(1.0) <= 40
    assert len(ours(a)) == 30 + 4 + 6 and len(ours(b)) == 30 + 6
    hosts = {h["host"]: h for h in run.report["run"]["hosts"]}
    # the processes' statistics are added up: every request the servers saw is counted
    assert hosts[a.host]["requests"] == len(a.log)
    assert hosts[b.host]["requests"] == len(b.log)
    # one process gives the same verdicts
    for site in (a, b):
        site.reset()
    alone = run_cli(folder, "--workers", "1", *limits)
    assert alone.report["run"]["workers"] == 1
    assert verdicts(alone.report) == seen
    # every citation is reported as one process reports it (pages travel without theirs)
    cited = {link["url"]: link["sources"] for link in run.report["links"]}
    assert cited == {link["url"]: link["sources"] for link in alone.report["links"]}
    assert sum(len(s) == 2 for s in cited.values()) == len(urls[::3])


def test_a_rate_below_the_process_count_keeps_one_process(sites, library, run_cli):
    (a,) = sites(1)
    urls = [a.url(f"/ok?n={i}") for i in range(4)]
    run = run_cli(library(articles(urls)), "--workers", "4", "--host-rate", "2")
    assert run.report["run"]["workers"] == 2  # 1 request/s each, no less
    assert a.max_rate(1.0) <= 2
    assert {v[0] for v in verdicts(run.report).values()} == {"ok"}


def test_a_lost_process_costs_only_the_links_it_had_not_reported(sites, library, run_cli):
    (a,) = sites(1)
    urls = [a.url(f"/slow?delay=0.2&n={i}") for i in range(40)]
    folder = library(articles(urls))
    killed: list[int] = []

    def kill_one() -> None:
        a.wait_for_requests(16, timeout=30)
        children = [p for p in multiprocessing.active_children() if "linkcheck-check" in p.name]
        if children:
            children[0].kill()
            killed.append(children[0].pid or 0)

    killer = threading.Thread(target=kill_one)
    killer.start()
    run = run_cli(folder, "--workers", "2", "--host-concurrency", "2", "--host-rate", "50")
    killer.join()
    assert killed, "no checking process to stop"
    seen = verdicts(run.report)
    assert set(seen) == set(urls)  # every link is in the report
    lost = [u for u, v in seen.items() if v[1] == "internal_error"]
    ok = [u for u, v in seen.items() if v[0] == "ok"]
    assert lost and len(lost) + len(ok) == len(urls)
    assert len(ok) >= 20  # the process that was not stopped checked its whole share
    details = {link["detail"] for link in run.report["links"] if link["url"] in lost}
    assert all("stopped before it was checked" in d for d in details)
    assert run.code == 0  # warnings: the run itself went on


def answered(site: Any, path: str) -> list[Any]:
    return [e for e in site.requests() if e.path == path and e.end is not None]


def test_stopping_a_run_stops_every_process(tmp_path, sites, library):
    (a,) = sites(1)
    fast = [a.url(f"/ok?n={i}") for i in range(6)]
    hanging = [a.url(f"/hang?n={i}") for i in range(6)]
    folder = library(articles(fast + hanging))

    def when_hanging(_: object) -> None:
        a.wait_for_requests(len(fast) + len(hanging), timeout=30)
        deadline = time.monotonic() + 30
        while len(answered(a, "/ok")) < len(fast) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # the answers have reached the processes, which pass them on

    code, _, report = run_and_terminate(
        tmp_path,
        folder,
        "--workers",
        "2",
        "--timeout",
        "60",
        "--host-concurrency",
        "12",  # every link in flight at once, however the links are dealt
        when=when_hanging,
    )
    assert code == 2 and report["run"]["interrupted"] is True
    seen = verdicts(report)
    assert all(seen[u][0] == "ok" for u in fast), seen
    assert all(seen[u][:2] == ("skipped", "not_checked") for u in hanging), seen
    # no process kept a connection open once the command had ended
    deadline = time.monotonic() + 10
    while a.in_flight and time.monotonic() < deadline:
        time.sleep(0.05)
    assert a.in_flight == 0


def test_a_script_without_a_main_guard_runs_once(tmp_path, sites, library):
    (a,) = sites(1)
    urls = [a.url(f"/ok?n={i}") for i in range(6)]
    folder = library(articles(urls))
    script = tmp_path / "unguarded.py"
    script.write_text(
        "import linkcheck\n"
        f"config = linkcheck.Config(workers=2, allow_private=True, use_state=False)\n"
        f"report = linkcheck.run([{str(folder)!r}], config)\n"
        "print('checked', len(report.results), 'in', report.run.workers, 'processes')\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
    )
    assert done.returncode == 0, done.stderr
    # spawn re-runs an unguarded main script in each new process, unless it is hidden from it
    assert done.stdout.splitlines() == ["checked 6 in 2 processes"]
    assert done.stderr == ""
    assert sorted(e.target for e in ours(a)) == sorted(f"/ok?n={i}" for i in range(6))
