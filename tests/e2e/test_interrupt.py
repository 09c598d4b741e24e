"""An interrupted run (SIGTERM, Ctrl-C, --max-time) still writes a complete, valid report."""

from __future__ import annotations

import json
import os
import pty
import re
import signal
import subprocess
import sys
import threading
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
    code = main(
        [
            "run",
            str(folder),
            "-o",
            str(out),
            "--max-time",
            "1",
            "--timeout",
            "30",
            "--allow-private",
        ]
    )
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


class Terminal:
    """A pseudo-terminal to give a child process as its stderr (so it shows its progress line),
    read by a thread; `wait_for` blocks until some text has appeared."""

    def __init__(self) -> None:
        self.fd, self.child_fd = pty.openpty()
        self.data = bytearray()
        self.changed = threading.Condition()
        self.thread = threading.Thread(target=self._read, daemon=True)

    def start(self) -> None:
        os.close(self.child_fd)  # the child holds its own copy now
        self.thread.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd, 4096)
            except OSError:  # EIO: every copy of the child's end is closed
                chunk = b""
            with self.changed:
                self.data += chunk
                self.changed.notify_all()
            if not chunk:
                return

    def wait_for(self, pattern: bytes, timeout: float) -> None:
        """Block until the output matches the regular expression `pattern`."""
        found = re.compile(pattern)
        with self.changed:
            if not self.changed.wait_for(lambda: found.search(self.data) is not None, timeout):
                raise TimeoutError(f"{pattern!r} not shown after {timeout} s: {self.data!r}")

    def close(self) -> bytes:
        self.thread.join(timeout=10)
        os.close(self.fd)
        return bytes(self.data)


def run_and_terminate(
    tmp_path: Path,
    folder: Path,
    *flags: str,
    when: Callable[[Terminal | None], None],
    impatient: Callable[[], None] | None = None,
    terminal: bool = False,
) -> tuple[int, bytes, dict[str, Any]]:
    """Run the real command in a subprocess and send SIGTERM once `when(terminal)` returns. With
    `impatient`, once it returns, SIGTERM is sent again and again until the process exits (an
    impatient user: the repeats land while the report is built, written and Python exits).
    stderr is a pipe, or with `terminal` a pseudo-terminal (then the progress line is shown).
    Returns (exit code, stderr, the validated report)."""
    out = tmp_path / "report.json"
    term = Terminal() if terminal else None
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "linkcheck",
            "run",
            str(folder),
            "-o",
            str(out),
            "--allow-private",
            *flags,
        ],
        stdout=subprocess.PIPE,
        stderr=term.child_fd if term else subprocess.PIPE,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        cwd=tmp_path,
    )
    if term:
        term.start()
    try:
        when(term)
        proc.send_signal(signal.SIGTERM)
        if impatient is not None:
            impatient()
            deadline = time.monotonic() + 30
            while proc.poll() is None and time.monotonic() < deadline:
                proc.send_signal(signal.SIGTERM)
                time.sleep(0.005)
        _, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        if term:
            stderr = term.close()
    assert proc.returncode == 2, stderr.decode()
    assert b"Traceback" not in stderr
    assert b"interrupted" in stderr
    report = validate_report(json.loads(out.read_text()))
    assert report["run"]["interrupted"] is True
    return proc.returncode, stderr, report


def test_sigterm_writes_a_partial_report(tmp_path, site, library):
    done = site.url("/slow?delay=0.3")
    urls = [done] + [site.url(f"/hang?n={i}") for i in range(4)]
    folder = library(articles(urls))

    def when(term: Terminal | None) -> None:
        assert term is not None
        site.wait_for_requests(4, path="/hang", timeout=20)  # every hang is in flight
        # ... and the client has recorded the finished link: its progress line says so. (The
        # line shows at most ~8 updates a second; the 0.3 s answer keeps this one from being
        # skipped, as nothing else finishes.)
        term.wait_for(rb"checked 1/5 ", timeout=20)

    def stopped() -> None:  # the hanging requests were dropped: the run has stopped checking
        site.wait_idle(timeout=20)

    _, _, report = run_and_terminate(
        tmp_path,
        folder,
        "--timeout",
        "60",
        "--host-concurrency",
        "8",
        when=when,
        impatient=stopped,  # impatient repeats must not cost the report
        terminal=True,
    )
    outcomes = {link["url"]: link["outcome"] for link in report["links"]}
    assert outcomes[done] == "ok"
    assert sum(1 for v in outcomes.values() if v == "skipped") == 4


def test_sigterm_while_reading_a_large_library_stops_promptly(tmp_path, site):
    folder = tmp_path / "big"
    folder.mkdir()
    text = (REPO / "fixtures" / "content" / "000_d93f22ead1913f7b.txt").read_text()
    for i in range(6000):  # distinct URLs, all on the local site: reading takes seconds
        (folder / f"{i:05d}.txt").write_text(text.replace("https://", site.url(f"/{i}/")))

    def reading(term: Terminal | None) -> None:  # the progress line counts files as it reads
        assert term is not None
        term.wait_for(rb"reading files\S* [1-9]", timeout=30)  # not "... 0": not yet reading

    _, stderr, report = run_and_terminate(tmp_path, folder, when=reading, terminal=True)
    assert 0 < report["summary"]["files"] < 6000
    assert not site.log, "no link is requested once the run was stopped while reading"
