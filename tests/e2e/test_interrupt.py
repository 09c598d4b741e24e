"""An interrupted run (SIGTERM, Ctrl-C, --max-time) still writes a complete, valid report."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from e2ekit import validate_report

from linkcheck.cli import main

REPO = Path(__file__).resolve().parents[2]


def articles(urls: list[str]) -> list[dict[str, str]]:
    return [{"title": f"A{i}", "webUrl": u} for i, u in enumerate(urls)]


def test_max_time_reports_unchecked_links(tmp_path, site, library, capsys):
    fast = [site.url(f"/ok?n={i}") for i in range(3)]
    slow = [site.url(f"/hang?n={i}") for i in range(3)]
    folder = library(articles(fast + slow))
    out = tmp_path / "report.json"
    code = main(["run", str(folder), "-o", str(out), "--max-time", "1", "--timeout", "30"])
    assert code == 2
    report = json.loads(out.read_text())
    validate_report(report)
    assert report["run"]["interrupted"] is True
    by_url = {link["url"]: link for link in report["links"]}
    assert all(by_url[u]["outcome"] == "ok" for u in fast)
    assert all(
        (by_url[u]["outcome"], by_url[u]["reason"]) == ("skipped", "not_checked") for u in slow
    )
    assert report["summary"]["unique_links"] == 6
    err = capsys.readouterr().err
    assert "interrupted" in err and "Traceback" not in err


def run_and_terminate(
    tmp_path: Path, folder: Path, *flags: str, when: Callable[[], None], signals: int = 1
) -> tuple[int, bytes, dict[str, Any]]:
    """Run the real command in a subprocess, send SIGTERM `signals` times once `when()`
    returns, and return (exit code, stderr, the validated report)."""
    out = tmp_path / "report.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "linkcheck", "run", str(folder), "-o", str(out), *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        cwd=tmp_path,
    )
    try:
        when()
        for _ in range(signals):
            proc.send_signal(signal.SIGTERM)
            time.sleep(0.05)
        _, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 2, stderr.decode()
    assert b"Traceback" not in stderr
    assert b"interrupted" in stderr
    report = validate_report(json.loads(out.read_text()))
    assert report["run"]["interrupted"] is True
    return proc.returncode, stderr, report


def test_sigterm_writes_a_partial_report(tmp_path, site, library):
    urls = [site.url("/ok")] + [site.url(f"/hang?n={i}") for i in range(4)]
    folder = library(articles(urls))

    def when() -> None:
        site.wait_for_requests(4, path="/hang", timeout=20)
        site.wait_for_requests(1, path="/ok", timeout=20)
        time.sleep(0.5)  # let the client record the /ok answer before it is stopped

    _, _, report = run_and_terminate(
        tmp_path, folder, "--timeout", "60", "--host-concurrency", "8", when=when, signals=2
    )  # an impatient second signal must not cost the report
    outcomes = {link["url"]: link["outcome"] for link in report["links"]}
    assert outcomes[site.url("/ok")] == "ok"
    assert sum(1 for v in outcomes.values() if v == "skipped") == 4


def test_sigterm_while_reading_a_large_library_stops_promptly(tmp_path, site):
    folder = tmp_path / "big"
    folder.mkdir()
    text = (REPO / "fixtures" / "content" / "000_d93f22ead1913f7b.txt").read_text()
    for i in range(6000):  # distinct URLs, all on the local site: reading takes seconds
        (folder / f"{i:05d}.txt").write_text(text.replace("https://", site.url(f"/{i}/")))
    _, _, report = run_and_terminate(tmp_path, folder, when=lambda: time.sleep(2.0))
    assert 0 < report["summary"]["files"] < 6000
    assert not site.log, "no link is requested once the run was stopped while reading"
