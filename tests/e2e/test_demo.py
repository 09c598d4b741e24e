"""`linkcheck demo`: a first run with no network at all.

The command runs in a subprocess three ways: plainly; with every connection that is not to
127.0.0.0/8 refused inside the process (always possible, so CI always proves "offline"); and in
a network namespace whose only interface is loopback (when this machine allows `unshare -rn`).
One in-process run asserts from the demo sites' own request log.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpx
import pytest
from e2ekit import validate_report
from guardkit import OutsideConnections

from linkcheck.cli import main
from linkcheck.demo import (
    AMP_CACHE_EXCLUDE,
    DEMO_NETWORK,
    FINDINGS,
    SHOWCASE,
    DemoSite,
    allow_own_site,
    check_library,
    demo_config,
    output_files,
    write_library,
)
from linkcheck.formats import formatter_names

RUN_TIMEOUT = 60  # a hung demo fails the test instead of hanging the suite


def _command() -> list[str]:
    """The installed `linkcheck` script beside this Python, else `python -m linkcheck`."""
    script = Path(sys.executable).with_name("linkcheck")
    return [str(script)] if script.exists() else [sys.executable, "-m", "linkcheck"]


@dataclass
class DemoRun:
    code: int
    out: str
    err: str
    folder: Path
    report: dict[str, Any] = field(default_factory=dict)

    def link(self, path: str) -> dict[str, Any]:
        """The report link whose URL ends with `path` (one demo site path)."""
        found = [lk for lk in self.report["links"] if urlsplit(lk["url"]).path == path]
        assert len(found) == 1, (path, [lk["url"] for lk in self.report["links"]])
        return found[0]


def _demo(
    tmp_path: Path, prefix: list[str] | None = None, env: dict[str, str] | None = None
) -> DemoRun:
    folder = tmp_path / "demo-out"
    proc = subprocess.run(
        [*(prefix or []), *_command(), "demo", "--output-dir", str(folder)],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        cwd=tmp_path,
        env={**os.environ, **(env or {})},
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    run = DemoRun(proc.returncode, proc.stdout, proc.stderr, folder)
    report_file = folder / "linkcheck-report.json"
    if report_file.exists():
        run.report = validate_report(json.loads(report_file.read_text(encoding="utf-8")))
    return run


def _origins(out: str) -> dict[str, str]:
    """The demo sites' addresses, as the demo prints them first ("  news     http://...")."""
    found = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] in ("news", "partner", "cdn"):
            found[parts[0]] = parts[1]
    assert len(found) == 3, out[:500]
    return found


def _assert_showcase(run: DemoRun) -> None:
    """Every showcase link got the verdict the demo promises."""
    assert run.report, run.err
    origins = _origins(run.out)
    links = {lk["url"]: lk for lk in run.report["links"]}
    got = {}
    for item in SHOWCASE:
        link = links.get(item.url(origins), {})
        got[item.path] = (link.get("outcome"), link.get("reason"))
    assert got == {item.path: (item.outcome, item.reason) for item in SHOWCASE}


def _assert_findings(run: DemoRun) -> None:
    """Exactly the AMP findings planted in the demo library, no other."""
    got = sorted((f["file"], f["field"], f["check"]) for f in run.report["findings"])
    assert got == sorted((item.file, item.field, item.check) for item in FINDINGS)


# ------------------------------------------------------------------ the plain run


def test_demo_exits_0_writes_every_format_and_shows_each_case(tmp_path: Path) -> None:
    run = _demo(tmp_path)
    assert run.code == 0, run.out + run.err
    # every registered format, whatever formats exist today
    planned = output_files(run.folder)
    assert sorted(f.name for f, _ in planned) == formatter_names()
    for formatter, path in planned:
        assert path.is_file() and path.stat().st_size > 0, formatter.name
        assert str(path) in run.out, f"the output does not say where {formatter.name} went"
    library = sorted((run.folder / "library").glob("*.md"))
    assert 10 <= len(library) <= 20
    assert "127.0.0.1" in library[0].read_text(encoding="utf-8")

    _assert_showcase(run)
    assert run.report["summary"]["outcomes"]["broken"] >= 7
    assert run.report["run"]["interrupted"] is False
    assert run.report["run"]["state_file"] is None  # no state store: nothing left behind
    assert not list(Path(os.environ["XDG_STATE_HOME"]).rglob("*.db"))
    # the details the demo exists to show
    moved = run.link("/moved/bridge-design/")
    assert [h["status"] for h in moved["redirects"]] == [301]
    assert moved["final_url"].endswith("/news/bridge-design/")
    assert moved["permanent_redirect"] == moved["final_url"]  # the suggested replacement
    assert run.report["summary"]["triage"]["permanent_redirects"] == 1
    assert [h["status"] for h in run.link("/go/2/marathon-map")["redirects"]] == [302, 302]
    assert run.link("/busy/festival-tickets/")["attempts"] == 2  # 429, waited, then 200
    assert run.link("/flaky/storm-tracker/")["attempts"] == 2  # HEAD+GET 503, retried: 200
    resized = run.link("/img/summit-1280.jpg")
    assert resized["image"]["actual"] == {"width": 640, "height": 360}
    assert resized["sources"][0]["aspect_ratio_matches"] is True
    wrong = run.link("/img/harbour.png")
    assert wrong["image"]["actual"] == {"width": 400, "height": 400}
    assert wrong["sources"][0]["aspect_ratio_matches"] is False
    assert (resized["severity"], wrong["severity"]) == ("low", "medium")  # resized: less urgent
    formats = {run.link(f"/img/{n}")["image"]["format"] for n in ("chart.gif", "thumb.webp")}
    formats.add(run.link("/img/summit-640.jpg")["image"]["format"])
    assert formats == {"gif", "webp", "jpeg"}
    shared = run.link("/gone/rail-unions-strike/")
    assert len(shared["sources"]) == 2  # one link, checked once, cited by two articles
    # the news checks: soft 404s with their evidence, AMP findings exactly as planted
    home = run.link("/retired/ferry-strike-2019/")
    assert "redirects to the home page" in home["detail"], home
    german = run.link("/archiv/hafenfest-2019/")
    assert "Seite nicht gefunden" in german["detail"], german
    assert run.report["summary"]["reasons"]["soft_404"] == 2  # and no ok page became one
    _assert_findings(run)
    wrong_cache = next(f for f in run.report["findings"] if f["check"] == "amp_cache_url")
    assert wrong_cache["expected"].endswith("/news/tram-line-opens/amp/")
    assert "cdn.ampproject.org" in wrong_cache["url"]
    # what people read
    assert "on purpose" in run.out and "exit code 0" in run.out
    assert "linkcheck run fixtures/content" in run.out
    assert "the demo expects" not in run.out and "not expected by the demo" not in run.out
    assert "AMP findings" in run.out and "amp_not_amp" in run.out
    assert f"linkcheck fix {run.folder / 'linkcheck-report.json'}" in run.out


def test_the_fix_command_the_demo_suggests_shows_the_repair(tmp_path: Path) -> None:
    """`linkcheck fix REPORT` on the demo's own output: a dry run (exit 1, a diff) that sets
    the real image sizes and replaces the 301'd link, and changes no file."""
    run = _demo(tmp_path)
    assert run.code == 0, run.out + run.err
    library = {p: p.read_bytes() for p in (run.folder / "library").glob("*.md")}
    proc = subprocess.run(
        [*_command(), "fix", str(run.folder / "linkcheck-report.json"), "--color", "never"],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        cwd=tmp_path,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    diff = proc.stdout
    changed = sorted(ln for ln in diff.splitlines() if ln[:1] in "+-" and ln[:3] not in "+++---")
    origins = _origins(run.out)
    assert changed == sorted(
        [
            "-    width: 1280",
            "-    height: 720",
            "+    width: 640",
            "+    height: 360",
            "-    width: 640",
            "-    height: 360",
            "+    width: 400",
            "+    height: 400",
            f'-webUrl: "{origins["news"]}/moved/bridge-design/"',
            f'+webUrl: "{origins["news"]}/news/bridge-design/"',
        ]
    ), diff
    assert "02_summit_resized_photo.md" in diff and "03_harbour_wrong_image.md" in diff
    assert "07_moved_story.md" in diff
    assert {p: p.read_bytes() for p in library} == library  # a dry run writes nothing


# ------------------------------------------------------------------ no network at all

_GUARD = """
import os, socket

_LOG = os.environ["DEMO_GUARD_LOG"]
with open(_LOG, "a") as fh:
    fh.write("loaded\\n")

def _loopback(host):
    return isinstance(host, str) and host.startswith("127.")

def _refuse(what):
    with open(_LOG, "a") as fh:
        fh.write(f"refused {what}\\n")
    raise OSError(101, "Network is unreachable (test guard: loopback only)")

_connect, _connect_ex, _getaddrinfo = (
    socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo
)

def connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
        _refuse(address)
    return _connect(self, address)

def connect_ex(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
        _refuse(address)
    return _connect_ex(self, address)

def getaddrinfo(host, *args, **kwargs):
    name = host.decode() if isinstance(host, bytes) else host
    if name is not None and not _loopback(name):
        _refuse(("getaddrinfo", name))
    return _getaddrinfo(host, *args, **kwargs)

socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = (
    connect, connect_ex, getaddrinfo
)
"""


def test_demo_works_with_every_non_loopback_connection_refused(tmp_path: Path) -> None:
    """Name lookups and connections to anything but 127.0.0.0/8 fail inside the demo's process
    (a sitecustomize module): the demo still works, and never even tried."""
    guard_dir = tmp_path / "guard"
    guard_dir.mkdir()
    (guard_dir / "sitecustomize.py").write_text(textwrap.dedent(_GUARD), encoding="utf-8")
    log = tmp_path / "guard.log"
    path = os.pathsep.join(p for p in (str(guard_dir), os.environ.get("PYTHONPATH")) if p)
    run = _demo(tmp_path, env={"PYTHONPATH": path, "DEMO_GUARD_LOG": str(log)})
    lines = log.read_text().splitlines()
    assert lines[:1] == ["loaded"], "the guard did not load: this test proves nothing"
    assert [ln for ln in lines if ln.startswith("refused")] == []
    assert run.code == 0, run.out + run.err
    _assert_showcase(run)
    _assert_findings(run)  # the AMP cache URL was judged without a request


_LO_UP = """
import fcntl, os, socket, struct, sys
s = socket.socket()
IFF_UP, IFF_LOOPBACK, IFF_RUNNING, SIOCSIFFLAGS = 0x1, 0x8, 0x40, 0x8914
fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sH", b"lo", IFF_UP | IFF_LOOPBACK | IFF_RUNNING))
sys.stderr.write("interfaces: %s\\n" % sorted(n for _, n in socket.if_nameindex()))
sys.stderr.flush()
os.execv(sys.argv[1], sys.argv[1:])
"""


def _namespace_prefix() -> list[str] | None:
    """`unshare -rn` (a new user and network namespace) when this machine allows it."""
    unshare = shutil.which("unshare")
    if unshare is None or not sys.platform.startswith("linux"):
        return None
    try:
        probe = subprocess.run([unshare, "-rn", "true"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return [unshare, "-rn", sys.executable, "-c", _LO_UP] if probe.returncode == 0 else None


def test_demo_in_a_network_namespace_with_only_loopback(tmp_path: Path) -> None:
    prefix = _namespace_prefix()
    if prefix is None:
        pytest.skip("no network namespaces here (unshare -rn); the guard test covers offline")
    run = _demo(tmp_path, prefix=prefix)
    assert "interfaces: ['lo']" in run.err, run.err  # no other way out of this machine
    assert run.code == 0, run.out + run.err
    _assert_showcase(run)


# ------------------------------------------------------------------ in-process, from the log


def test_the_demo_sites_log_shows_retries_waits_and_one_request_per_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = OutsideConnections().install(monkeypatch)
    with DemoSite() as site:
        paths = write_library(tmp_path / "library", site.origins)
        report = anyio.run(check_library, paths, demo_config())
        log = site.requests
    assert not report.run.interrupted
    assert outside.attempts == []  # no connection left 127.0.0.0/8
    assert {r.site for r in log} == {"news", "partner", "cdn"}
    assert len(log) == len({(r.site, r.method, r.path, r.status) for r in log})

    def seen(site_name: str, path: str) -> list[tuple[str, int]]:
        return [(r.method, r.status) for r in log if r.site == site_name and r.path == path]

    busy = [r for r in log if r.path == "/busy/festival-tickets/"]
    assert [r.status for r in busy] == [429, 200]
    assert busy[1].at - busy[0].at >= 0.9  # Retry-After: 1 was honoured
    # pages are read (GET: the soft-404 and AMP checks need their heads): 503, retried, 200
    assert seen("news", "/flaky/storm-tracker/") == [("GET", 503), ("GET", 200)]
    # cited by two articles, requested as one link
    assert seen("news", "/gone/rail-unions-strike/") == [("GET", 404)]
    assert seen("cdn", "/img/summit-1280.jpg") == [("GET", 200)]
    assert seen("news", "/moved/bridge-design/") == [("GET", 301)]
    assert seen("news", "/retired/ferry-strike-2019/") == [("GET", 301)]
    assert seen("news", "/") == [("GET", 200)]  # the home page it lands on
    # one probe of a made-up path per host whose 200 pages needed comparing: each says 404
    probes = [r for r in log if r.path.startswith("/linkcheck-probe-")]
    assert probes and all(r.status == 404 for r in probes)
    assert len({r.site for r in probes}) == len(probes)
    results = {r.link.url: r for r in report.results}
    pages = [r for r in report.results if r.page is not None and r.outcome.value == "ok"]
    assert len(pages) >= 20 and all(r.page is not None and r.page.title for r in pages)
    assert sorted((Path(f.file).name, f.field, f.check.value) for f in report.findings) == sorted(
        (item.file, item.field, item.check) for item in FINDINGS
    )
    for item in SHOWCASE:
        result = results[item.url(site.origins)]
        assert (result.outcome.value, result.reason and result.reason.value) == (
            item.outcome,
            item.reason,
        ), item.path


def test_every_showcase_url_is_cited_by_the_library(tmp_path: Path) -> None:
    origins = {"news": "http://127.0.0.1:1", "partner": "http://127.0.0.1:2", "cdn": "http://x:3"}
    paths = write_library(tmp_path, origins)
    text = "".join(p.read_text(encoding="utf-8") for p in paths)
    assert "${" not in text
    for item in SHOWCASE:
        assert item.url(origins) in text, item.path
    names = {p.name for p in paths}
    assert {item.file for item in FINDINGS} <= names


def test_every_web_url_of_the_library_is_on_loopback_or_excluded(tmp_path: Path) -> None:
    """The demo never leaves 127.0.0.1: a URL elsewhere (the AMP cache URL, judged offline)
    is excluded by the demo's config, so it is never requested."""
    origins = {n: f"http://127.0.0.1:{port}" for n, port in (("news", 1), ("partner", 2))}
    origins["cdn"] = "http://127.0.0.1:3"
    paths = write_library(tmp_path, origins)
    text = "".join(p.read_text(encoding="utf-8") for p in paths)
    urls = set(re.findall(r"https?://[^\s\")]+", text))
    elsewhere = {u for u in urls if urlsplit(u).hostname != "127.0.0.1"}
    assert elsewhere, "the library names no AMP cache URL: the amp_cache_url case is gone"
    excluded = [re.compile(p) for p in demo_config().exclude]
    assert excluded == [re.compile(AMP_CACHE_EXCLUDE)]
    assert [u for u in elsewhere if not any(p.search(u) for p in excluded)] == []
    assert not any(p.search(u) for p in excluded for u in urls - elsewhere)


# ------------------------------------------------------------------ odd cases


def test_keep_serving_keeps_the_sites_up_until_stopped(tmp_path: Path) -> None:
    with subprocess.Popen(
        [*_command(), "demo", "--keep-serving", "--output-dir", str(tmp_path / "out")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        cwd=tmp_path,
    ) as proc:
        try:
            assert proc.stdout is not None and proc.stderr is not None
            deadline = time.monotonic() + RUN_TIMEOUT
            line = ""
            while "stay up" not in line and time.monotonic() < deadline:
                line = proc.stdout.readline()
                assert line or proc.poll() is None, "the demo ended instead of serving"
            news = line.split("stay up:", 1)[1].split(",")[0].strip()
            assert httpx.get(news + "/news/any-story/").status_code == 200
            # the command it prints checks the library again, on 127.0.0.1 only
            command = proc.stdout.readline().split("Check them again with:", 1)[1]
            again = subprocess.run(
                [*_command(), *shlex.split(command)[1:], "--no-state", "--format", "json=-"],
                capture_output=True,
                text=True,
                timeout=RUN_TIMEOUT,
                cwd=tmp_path,
            )
            assert again.returncode == 1, again.stderr  # the planted broken links
            rerun = json.loads(again.stdout)
            reasons = rerun["summary"]["reasons"]
            assert "private_address" not in reasons, reasons  # the demo's address is allowed
            assert (reasons["soft_404"], reasons["excluded"]) == (2, 1), reasons
            assert len(rerun["findings"]) == len(FINDINGS)
            time.sleep(0.5)  # stdin is not a terminal: only a signal stops it
            assert proc.poll() is None
            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=10) is not None
            assert "Traceback" not in proc.stderr.read()
        finally:
            if proc.poll() is None:
                proc.kill()


def test_an_output_dir_that_is_a_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "taken"
    target.write_text("not a folder")
    assert main(["demo", "--output-dir", str(target)]) == 2
    err = capsys.readouterr().err
    assert str(target) in err and "not a folder" in err


def test_output_files_give_each_format_its_own_file(tmp_path: Path) -> None:
    planned = output_files(tmp_path)
    files = [p for _, p in planned]
    assert len(set(files)) == len(files) == len(formatter_names())
    assert all(p.parent == tmp_path for p in files)


def test_the_demo_config_allows_its_own_address_when_a_guard_exists() -> None:
    """Issue #12's private-address guard: the demo adds its network, in one place."""

    @dataclass(frozen=True)
    class Guarded:
        allow_net: tuple[str, ...] = ("10.0.0.0/8",)

    assert allow_own_site(Guarded()).allow_net == ("10.0.0.0/8", DEMO_NETWORK)  # type: ignore[arg-type]
    config = demo_config()
    assert config.use_env is False and config.state is None and config.use_state is False
    assert config.soft_404 is True and config.amp_checks is True  # as `linkcheck run` does
