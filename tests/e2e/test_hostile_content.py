"""Hostile article files: the run completes, each file gets a precise problem, the others are
checked, and a SIGTERM during a pathological parse ends the run at once with its report."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from e2ekit import validate_report

from linkcheck.collect import bodies
from linkcheck.collect.bodies import MAX_BODY_BYTES

REPO = Path(__file__).resolve().parents[2]


def front(url: str) -> str:
    return f"---\ntitle: hostile\nwebUrl: {url}\n---\n"


def test_pathological_files_get_a_problem_and_the_rest_is_checked(
    run_cli: Any, site: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bodies, "PARSE_BUDGET_S", 0.5)
    lib = tmp_path / "lib"
    lib.mkdir()
    files = {
        "images.md": front(site.url("/ok?f=images")) + "![" * 2_400_000,  # 4.8 MB
        "nested.md": front(site.url("/ok?f=nested")) + "[" * 600_000,
        "anchors.md": front(site.url("/ok?f=anchors")) + "<a>" * (MAX_BODY_BYTES // 3 - 100),
        "oneline.md": front(site.url("/ok?f=oneline")) + "x" * 10_000_000,
        "bigfm.md": "---\ntitle: " + "y" * 50_000_000 + "\n---\n",
        "fine.md": front(site.url("/ok?f=fine")) + f"See [this]({site.url('/ok?f=body')}).\n",
    }
    for name, text in files.items():
        (lib / name).write_text(text, encoding="utf-8")
    start = time.monotonic()
    run = run_cli(str(lib), "--no-soft-404", "--no-amp-checks")  # no probe for the news checks
    print(f"run took {time.monotonic() - start:.1f} s")
    assert run.report is not None
    problems = {p["file"]: p for p in run.report["problems"]}
    for name in ("images.md", "nested.md", "anchors.md", "oneline.md", "bigfm.md"):
        assert problems[name]["reason"] == "too_large", problems.get(name)
    assert "larger than the" in problems["images.md"]["message"]
    assert "body not parsed" in problems["images.md"]["message"]
    for name in ("nested.md", "anchors.md"):
        assert "took longer than 0.5 s, so it was abandoned" in problems[name]["message"]
    assert "fine.md" not in problems
    # front matter URLs of the files whose bodies were refused are still checked, and the rest
    asked = sorted(e.target for e in site.log)
    assert asked == sorted(f"/ok?f={f}" for f in ("images", "nested", "anchors", "fine", "body")), (
        asked
    )
    assert all(lk["outcome"] == "ok" for lk in run.report["links"])


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to see the worker")
def test_sigterm_during_a_pathological_parse_ends_the_run_with_its_report(
    site: Any, tmp_path: Path
) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "a-fine.md").write_text(front(site.url("/ok?f=fine")), encoding="utf-8")
    (lib / "b-slow.md").write_text(front(site.url("/ok?f=slow")) + "![" * 700_000)
    out = tmp_path / "report.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "linkcheck", "run", str(lib), "-o", str(out), "--allow-private"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 30
        while not _children(proc.pid):  # the parse worker: the pathological body is in it
            assert proc.poll() is None and time.monotonic() < deadline, "no parse worker seen"
            time.sleep(0.05)
        worker = _children(proc.pid)[0]
        time.sleep(0.5)  # well into the parse (it needs tens of seconds)
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        proc.kill()
        proc.wait()
    print(f"SIGTERM honoured in {took:.2f} s")
    assert proc.returncode == 2, err.decode()[-2000:]
    assert b"Traceback" not in err
    assert took < 10
    report = validate_report(json.loads(out.read_text()))
    assert report["run"]["interrupted"] is True
    assert not Path(f"/proc/{worker}").exists() or "(python" not in (
        Path(f"/proc/{worker}/stat").read_text()
    )  # the worker was killed, not left parsing


def test_max_time_is_honoured_during_a_pathological_parse(
    run_cli: Any, site: Any, tmp_path: Path
) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "slow.md").write_text(front(site.url("/ok?f=slow")) + "![" * 700_000)
    start = time.monotonic()
    run = run_cli(str(lib), "--max-time", "1")
    took = time.monotonic() - start
    print(f"--max-time 1 run took {took:.2f} s")
    assert run.code == 2
    assert run.report is not None and run.report["run"]["interrupted"] is True
    assert took < 10  # the parse alone needs tens of seconds
