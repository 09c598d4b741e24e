"""An interrupted run (SIGTERM, Ctrl-C, --max-time) still writes a complete, valid report."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

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


def test_sigterm_writes_a_partial_report(tmp_path, site, library):
    urls = [site.url("/ok")] + [site.url(f"/hang?n={i}") for i in range(4)]
    folder = library(articles(urls))
    out = tmp_path / "report.json"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "linkcheck",
            "run",
            str(folder),
            "-o",
            str(out),
            "--timeout",
            "60",
            "--host-concurrency",
            "8",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tmp_path,
    )
    try:
        site.wait_for_requests(4, path="/hang", timeout=20)
        site.wait_for_requests(1, path="/ok", timeout=20)
        time.sleep(0.5)  # let the client record the /ok answer before it is stopped
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 2, stderr.decode()
    assert b"Traceback" not in stderr
    report = json.loads(out.read_text())
    validate_report(report)
    assert report["run"]["interrupted"] is True
    outcomes = {link["url"]: link["outcome"] for link in report["links"]}
    assert outcomes[site.url("/ok")] == "ok"
    assert sum(1 for v in outcomes.values() if v == "skipped") == 4
    assert b"interrupted" in stderr


def test_sigterm_while_reading_a_large_library_stops_promptly(tmp_path, site):
    folder = tmp_path / "big"
    folder.mkdir()
    text = (REPO / "fixtures" / "content" / "000_d93f22ead1913f7b.txt").read_text()
    text = text.replace("https://", site.url("/") + "x/")  # all links on the local site
    for i in range(4000):
        (folder / f"{i:05d}.txt").write_text(text)
    out = tmp_path / "report.json"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen(
        [sys.executable, "-m", "linkcheck", "run", str(folder), "-o", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tmp_path,
    )
    try:
        time.sleep(1.5)  # interpreter start-up, then well into reading 4,000 files
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 2, stderr.decode()
    report = json.loads(out.read_text())
    validate_report(report)
    assert report["run"]["interrupted"] is True
    assert 0 < report["summary"]["files"] < 4000
    assert not site.log, "no link is requested once the run was stopped while reading"
