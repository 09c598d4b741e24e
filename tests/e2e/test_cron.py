"""Cron safety, tried as a cron user would: an empty or unmounted library, an output that cannot
be written, a machine whose network is down, a silent multi-hour run, and report file names
that change with how the input was spelled. Real loopback servers; one real subprocess."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from e2ekit import FAST_FLAGS, LibraryFactory, RunCli, SitesFactory, validate_report
from sitekit import Site

from linkcheck.cli.outputs import planned_outputs
from linkcheck.config import Config

REPO_ROOT = Path(__file__).resolve().parents[2]


def closed_port() -> int:
    """A loopback port nothing listens on (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --------------------------------------------------------------------------- empty library


def test_an_empty_folder_exits_2_and_writes_no_report(run_cli: RunCli, tmp_path: Path) -> None:
    mount = tmp_path / "srv" / "content"
    mount.mkdir(parents=True)
    r = run_cli(mount)
    assert r.code == 2
    assert f"no article files (*.md, *.markdown, *.txt) found under {mount}" in r.err
    assert "mounted" in r.err and "no broken links" not in r.out + r.err
    assert r.report is None and r.report_path is not None and not r.report_path.exists()


def test_a_glob_that_matches_nothing_exits_2_before_any_request(
    run_cli: RunCli, site: Site, library: LibraryFactory
) -> None:
    folder = library({"a.md": {"title": "A", "webUrl": "{s}/ok"}}, s=site)
    r = run_cli(folder, "--glob", "*.rst")
    assert r.code == 2 and "no article files (*.rst) found under" in r.err
    assert r.report is None
    assert site.log == []


# --------------------------------------------------------------------------- unwritable output


@pytest.mark.parametrize("where", ["missing folder", "folder is a file"])
def test_an_unwritable_output_exits_2_before_any_request(
    run_cli: RunCli, site: Site, library: LibraryFactory, tmp_path: Path, where: str
) -> None:
    folder = library({"a.md": {"title": "A", "webUrl": "{s}/ok"}}, s=site)
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    target, why = {
        "missing folder": (tmp_path / "nowhere" / "r.json", "does not exist"),
        "folder is a file": (tmp_path / "a-file" / "r.json", "is not a folder"),
    }[where]
    r = run_cli(folder, output=target)
    assert r.code == 2
    assert f"cannot write the report to {target}: " in r.err and why in r.err
    assert "nothing was checked" in r.err
    assert site.log == []  # not one request


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_output_folder_exits_2_before_any_request(
    run_cli: RunCli, site: Site, library: LibraryFactory, tmp_path: Path
) -> None:
    folder = library({"a.md": {"title": "A", "webUrl": "{s}/ok"}}, s=site)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        r = run_cli(folder, output=locked / "r.json")
    finally:
        locked.chmod(0o755)
    assert r.code == 2 and "Permission denied" in r.err
    assert site.log == [] and list(locked.iterdir()) == []


def test_an_unwritable_format_target_exits_2_before_any_request(
    run_cli: RunCli, site: Site, library: LibraryFactory, tmp_path: Path
) -> None:
    folder = library({"a.md": {"title": "A", "webUrl": "{s}/ok"}}, s=site)
    target = tmp_path / "gone" / "report.md"
    config = Config(formats=(f"markdown={target}",))
    if not any(t == str(target) for _, t in planned_outputs(config, sys.stdout)):
        pytest.skip("--format NAME=PATH targets are not planned by cli/outputs.py yet")
    r = run_cli(folder, "--format", f"markdown={target}")
    assert r.code == 2 and f"cannot write the markdown report to {target}" in r.err
    assert site.log == []


def test_the_writability_check_leaves_nothing_behind(
    run_cli: RunCli, site: Site, library: LibraryFactory, tmp_path: Path
) -> None:
    folder = library({"a.md": {"title": "A", "webUrl": "{s}/ok"}}, s=site)
    out = tmp_path / "out"
    out.mkdir()
    r = run_cli(folder, output=out / "r.json")
    assert r.code == 0
    assert sorted(p.name for p in out.iterdir()) == ["r.json"]


# --------------------------------------------------------------------------- network down


def test_every_host_refusing_connections_is_network_down(
    run_cli: RunCli, library: LibraryFactory, tmp_path: Path
) -> None:
    dead = [f"http://127.0.0.1:{closed_port()}" for _ in range(3)]
    folder = library(
        [
            {"title": f"A{i}", "webUrl": f"{base}/a", "ampWebUrl": f"{base}/b"}
            for i, base in enumerate(dead)
        ]
    )
    out = tmp_path / "last-week.json"
    out.write_text('{"last": "week"}', encoding="utf-8")
    r = run_cli(folder, "--retries", "0", "-o", str(out), output=False)
    assert r.code == 2
    assert "linkcheck: the network looks down: none of the 3 hosts" in r.err
    assert "nothing was recorded in the state store; exit 2" in r.err
    # last week's report is left as it was: no 100 % spike on the dashboards
    assert out.read_text(encoding="utf-8") == '{"last": "week"}'


def test_the_network_down_rule_itself_is_reported_by_the_library(
    library: LibraryFactory,
) -> None:
    import linkcheck

    dead = [f"http://127.0.0.1:{closed_port()}" for _ in range(3)]
    folder = library([{"title": f"A{i}", "webUrl": f"{b}/a"} for i, b in enumerate(dead)])
    report = linkcheck.run([folder], linkcheck.Config(retries=0, timeout=2, allow_private=True))
    why = report.run.network_down
    assert why and "none of the 3 hosts" in why and "connect" in why
    assert report.exit_code == 2


def test_two_of_twenty_hosts_down_is_an_ordinary_run(
    run_cli: RunCli, sites: SitesFactory, library: LibraryFactory
) -> None:
    up = sites(18)
    dead = [f"http://127.0.0.1:{closed_port()}" for _ in range(2)]
    bases = [s.base_url for s in up] + dead
    folder = library([{"title": f"A{i}", "webUrl": f"{b}/ok"} for i, b in enumerate(bases)])
    r = run_cli(folder, "--retries", "0")
    assert r.code == 1  # two broken links, judged as such
    assert r.report is not None and r.report["run"]["network_down"] is None
    assert r.report["summary"]["outcomes"]["broken"] == 2
    assert "network looks down" not in r.err
    assert all(len(s.requests("/ok")) >= 1 for s in up)


def test_a_network_down_run_leaves_no_history(
    run_cli: RunCli, site: Site, library: LibraryFactory
) -> None:
    dead = [f"http://127.0.0.1:{closed_port()}" for _ in range(3)]
    folder = library([{"title": f"A{i}", "webUrl": f"{b}/x"} for i, b in enumerate(dead)])
    assert run_cli(folder, "--retries", "0").code == 2
    # the same links, now on a machine that is online again (one host answers 404s)
    for i, path in enumerate(sorted(folder.iterdir())):
        text = path.read_text(encoding="utf-8").replace(dead[i], site.base_url)
        path.write_text(text.replace("/x", "/status/404"), encoding="utf-8")
    r = run_cli(folder, "--retries", "0")
    assert r.code == 1 and r.report is not None
    history = r.report["links"][0]["history"]  # the default state store was used
    assert history is not None
    # the offline run counted for nothing: a first failure, not the second in a row
    assert history["status"] in ("new", "newly_broken") and history["failing_runs"] == 1


# --------------------------------------------------------------------------- heartbeat


def _run_subprocess(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p
        ),
        "NO_COLOR": "1",
    }
    return subprocess.run(
        [sys.executable, "-m", "linkcheck", "run", *FAST_FLAGS, *args],
        cwd=cwd,
        env=env,
        capture_output=True,  # stderr is a pipe: not a terminal, as under cron
        text=True,
        timeout=60,
        check=False,
    )


def test_heartbeat_ticks_on_a_pipe_while_no_result_arrives(
    tmp_path: Path, site: Site, library: LibraryFactory
) -> None:
    folder = library(
        {"a.md": {"title": "A", "webUrl": "{s}/slow?delay=2", "ampWebUrl": "{s}/ok"}}, s=site
    )
    report = tmp_path / "r.json"
    args = [str(folder), "-o", str(report), "--heartbeat", "0.2", "--timeout", "10"]
    proc = _run_subprocess(args, tmp_path)
    assert proc.returncode == 0, proc.stderr
    beats = [ln for ln in proc.stderr.splitlines() if ln.startswith("linkcheck: checking ")]
    # the slow link holds the run for 2 s with one result in: the heartbeat ticks regardless
    stalled = [ln for ln in beats if ln.startswith("linkcheck: checking 1/2 links (50%)")]
    assert len(stalled) >= 2, proc.stderr
    assert all(" broken · " in ln and " warnings · " in ln and "links/s" in ln for ln in stalled)
    assert "\r" not in proc.stderr and "\x1b" not in proc.stderr  # plain lines, for a log
    validate_report(json.loads(report.read_text(encoding="utf-8")))


def test_no_heartbeat_with_quiet_or_zero(
    run_cli: RunCli, site: Site, library: LibraryFactory
) -> None:
    folder = library({"a.md": {"title": "A", "webUrl": "{s}/slow?delay=1"}}, s=site)
    fresh = ("--cache-max-age", "0")  # each run checks the slow link again
    quiet = run_cli(folder, *fresh, "--heartbeat", "0.1", "--quiet")
    assert quiet.code == 0 and "linkcheck: checking" not in quiet.err
    off = run_cli(folder, *fresh, "--heartbeat", "0")
    assert off.code == 0 and "linkcheck: checking" not in off.err
    on = run_cli(
        folder, *fresh, "--heartbeat", "0.1"
    )  # the control: captured stderr is no terminal
    assert on.code == 0 and "linkcheck: checking 0/1 links (0%)" in on.err


# --------------------------------------------------------------------------- provenance


def test_report_names_do_not_depend_on_how_the_library_was_spelled(
    run_cli: RunCli, site: Site, library: LibraryFactory, tmp_path: Path
) -> None:
    lib = library(
        {
            "x.md": {"title": "X", "id": 981, "webUrl": "{s}/ok"},
            "sub/y.md": {"title": "Y", "uuid": "5f1c", "webUrl": "{s}/status/404"},
            "sub/z.md": {"title": "Z", "webUrl": "{s}/ok", "images": "{s}/ok"},
        },
        s=site,
        name="cwd/lib",  # the run_cli fixture runs from tmp_path/cwd
    )
    seen = []
    for spelling in ("lib", "./lib", str(lib), f"{lib}/"):
        r = run_cli(spelling)
        assert r.code == 1 and r.report is not None
        sources = sorted(
            (s["file"], s["field"], s["article_key"])
            for link in r.report["links"]
            for s in link["sources"]
        )
        problems = sorted((p["file"], p["reason"]) for p in r.report["problems"])
        seen.append((sources, problems))
    assert seen[0][0] == [
        ("sub/y.md", "webUrl", "5f1c"),
        ("sub/z.md", "images", site.url("/ok")),
        ("sub/z.md", "webUrl", site.url("/ok")),
        ("x.md", "webUrl", "981"),
    ]
    assert seen[0][1] == [("sub/z.md", "wrong_type")]
    assert all(s == seen[0] for s in seen[1:]), seen
