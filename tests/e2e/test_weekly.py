"""A weekly service (issue #9): the state store between runs, end to end through the CLI on
real loopback servers: the cache, history statuses, --fail-after, the lock, a SIGKILLed run,
a network-down run, and `linkcheck history`."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from e2ekit import LibraryFactory, RunCli, SitesFactory
from sitekit import Request, Response, Site, png, unused_address

from linkcheck.cli import main
from linkcheck.state import StoreLock

REPO = Path(__file__).resolve().parents[2]


def article(url: str, *images: tuple[str, int, int], **more: Any) -> dict[str, Any]:
    return {
        "title": f"About {url.rsplit('/', 1)[-1]}",
        "webUrl": url,
        "images": [{"url": u, "width": w, "height": h} for u, w, h in images],
        **more,
    }


def requests(sites: list[Site]) -> int:
    return sum(len(s.log) for s in sites)


def verdicts(run: Any) -> dict[str, tuple[Any, ...]]:
    return {
        lk["url"]: (lk["outcome"], lk["reason"], lk["http_status"], lk["final_url"])
        for lk in run.links
    }


def statuses(run: Any) -> dict[str, str]:
    return {lk["url"]: lk["history"]["status"] for lk in run.links}


class Switch:
    """A route whose answer a test changes between runs."""

    def __init__(self, site: Site, path: str, answer: str = "ok") -> None:
        self.answer = answer
        site.route(path, self)

    def __call__(self, request: Request) -> Response:
        if self.answer == "404":
            return Response.text("gone", status=404)
        if self.answer == "hang":
            return Response.hang()
        return Response.html()


# --------------------------------------------------------------------------- the cache


def test_a_second_run_within_the_cache_age_reuses_ok_verdicts(
    sites: SitesFactory, library: LibraryFactory, run_cli: RunCli
) -> None:
    web = sites(3)
    a, b, c = web
    for s in web:
        s.put_file("pic.png", png(40, 30))
    spec = []
    for i in range(12):
        s = web[i % 3]
        spec.append(article(s.url(f"/redirect-relative?to=/ok&i={i}")))
        spec.append(article(s.url(f"/ok?page={i}"), (s.url(f"/files/pic.png?v={i}"), 40, 30)))
    spec.append(article(a.url("/status/404"), (b.url("/files/pic.png?v=wrong"), 80, 30)))
    spec.append(article(b.url("/status/403")))
    spec.append(article(c.url("/status/410"), related=[{"webUrl": "ftp://example.invalid/x"}]))
    folder = library(spec)

    first = run_cli(folder)
    assert first.code == 1
    assert first.report is not None and first.report["run"]["run_id"] == 1
    assert {lk["history"]["status"] for lk in first.links} == {"new"}
    assert not any(lk["cached"] for lk in first.links)
    before = requests(web)
    for s in web:
        s.reset()

    second = run_cli(folder)
    after = requests(web)
    assert second.code == 1 and second.report is not None
    assert second.report["run"]["run_id"] == 2
    assert after <= 0.35 * before, (before, after)
    assert verdicts(second) == verdicts(first)  # every verdict the same
    for lk in second.links:
        was = first.link(lk["url"])
        if lk["outcome"] == "ok":
            assert lk["cached"] is True, lk["url"]
            assert lk["checked_at"] == was["checked_at"]  # when the verdict was made
            assert lk["history"]["status"] == "ok"
        elif lk["outcome"] == "broken":
            assert lk["history"]["status"] == "still_broken"
            assert lk["history"]["failing_runs"] == 2
            # never reused; a mis-sized image is revalidated (a 304 vouches for its probe)
            assert lk["cached"] is (lk["kind"] == "image"), lk["url"]
    # only what must be rechecked was requested: broken, warning (never reused)
    asked = {e.target for s in web for e in s.log}
    assert asked <= {"/status/404", "/status/403", "/status/410", "/files/pic.png?v=wrong"}
    not_broken = [lk for lk in second.links if lk["outcome"] != "broken"]
    assert second.report["summary"]["history"]["ok"] == len(not_broken)


def test_a_cached_image_is_judged_against_the_new_declared_size(
    site: Site, library: LibraryFactory, run_cli: RunCli
) -> None:
    site.put_file("pic.png", png(40, 30))
    url = site.url("/files/pic.png")
    folder = library([article(site.url("/ok"), (url, 40, 30))], name="lib")
    assert run_cli(folder).code == 0
    library([article(site.url("/ok"), (url, 80, 60))], name="lib")  # an editor's change
    site.reset()
    second = run_cli(folder)
    image = second.link(url)
    assert (image["outcome"], image["reason"], image["cached"]) == (
        "broken",
        "image_dimension_mismatch",
        True,
    )
    assert image["history"]["status"] == "newly_broken"
    assert site.requests("/files/pic.png") == []  # judged from the cached probe


# --------------------------------------------------------------------------- history


def test_changes_between_two_runs_are_classified(
    sites: SitesFactory, library: LibraryFactory, run_cli: RunCli
) -> None:
    web = sites(2)
    switches: dict[str, Switch] = {}
    spec = []
    for i in range(36):
        s = web[i % 2]
        path = f"/page/{i}"
        switches[s.url(path)] = Switch(s, path, "404" if i in (0, 1, 2) else "ok")
        spec.append(article(s.url(path)))
    img = web[0]
    img.put_file("resized.png", png(60, 40))
    img.put_file("same.png", png(60, 40))
    resized, same = img.url("/files/resized.png"), img.url("/files/same.png")
    spec.append(article(img.url("/ok"), (resized, 60, 40), (same, 60, 40)))
    folder = library(spec)
    flags = ("--cache-max-age", "0", "--timeout", "1", "--retries", "0")

    first = run_cli(*flags, folder)
    assert first.code == 1

    urls = list(switches)
    to_404, to_ok, to_hang = urls[10], urls[0], urls[11]
    switches[to_404].answer = "404"
    switches[to_ok].answer = "ok"
    switches[to_hang].answer = "hang"
    img.put_file("resized.png", png(30, 20))  # the same picture, half the size
    second = run_cli(*flags, folder)
    assert second.code == 1

    got = statuses(second)
    expected = {url: "ok" for url in got}
    expected.update({urls[1]: "still_broken", urls[2]: "still_broken"})
    expected.update(
        {to_404: "newly_broken", to_hang: "newly_broken", resized: "newly_broken", to_ok: "fixed"}
    )
    assert got == expected
    assert second.link(to_hang)["reason"] == "timeout"
    assert second.link(resized)["reason"] == "image_dimension_mismatch"
    assert not any(lk["cached"] for lk in second.links if lk["kind"] != "image")
    summary = second.report["summary"]["history"] if second.report else {}
    assert (summary["newly_broken"], summary["fixed"], summary["still_broken"]) == (3, 1, 2)


def test_fail_after_ignores_links_broken_for_the_first_time(
    site: Site, library: LibraryFactory, run_cli: RunCli
) -> None:
    dying = Switch(site, "/dying")
    hanging = Switch(site, "/hanging")
    folder = library([article(site.url(p)) for p in ("/dying", "/hanging", "/ok")])
    flags = ("--cache-max-age", "0", "--fail-after", "2", "--timeout", "1", "--retries", "0")
    assert run_cli(*flags, folder).code == 0
    dying.answer, hanging.answer = "404", "hang"

    second = run_cli(*flags, folder)
    assert second.code == 0  # broken once: reported, not yet counted
    assert second.report is not None and second.report["run"]["fail_after"] == 2
    broken = [lk for lk in second.links if lk["outcome"] == "broken"]
    assert len(broken) == 2
    assert {lk["history"]["failing_runs"] for lk in broken} == {1}

    third = run_cli(*flags, folder)
    assert third.code == 1
    assert {lk["history"]["failing_runs"] for lk in third.links if lk["outcome"] == "broken"} == {2}
    # without --fail-after the same store counts every broken link at once
    assert run_cli("--cache-max-age", "0", "--timeout", "1", "--retries", "0", folder).code == 1


# --------------------------------------------------------------------------- the lock


def test_a_second_run_on_a_held_store_exits_2_at_once(
    site: Site, library: LibraryFactory, run_cli: RunCli, tmp_path: Path
) -> None:
    state = tmp_path / "state.db"
    folder = library([article(site.url("/ok"))])
    holder = StoreLock(str(state))
    assert holder.try_acquire()  # another linkcheck run, as far as the lock can tell
    try:
        refused = run_cli("--state", state, folder)
    finally:
        holder.release()
    assert refused.code == 2
    assert "in use by another linkcheck run" in refused.err and str(state) in refused.err
    assert "--wait-lock" in refused.err
    assert site.log == []  # refused before any request
    assert run_cli("--state", state, folder).code == 0  # free again


def test_wait_lock_queues_behind_the_holder(
    site: Site, library: LibraryFactory, run_cli: RunCli, tmp_path: Path
) -> None:
    state = tmp_path / "state.db"
    folder = library([article(site.url("/ok"))])
    holder = StoreLock(str(state))
    assert holder.try_acquire()
    released: list[float] = []

    def release_later() -> None:
        time.sleep(0.6)
        released.append(time.monotonic())
        holder.release()

    thread = threading.Thread(target=release_later)
    thread.start()
    try:
        waited = run_cli("--state", state, "--wait-lock", folder)
    finally:
        thread.join()
    assert waited.code == 0
    assert released and site.log and site.log[0].start >= released[0]


# --------------------------------------------------------------------------- SIGKILL


def _slow_site(site: Site) -> None:
    @site.route("/slow/*")
    def slow(request: Request) -> Response:
        return Response.html(delay=0.05)


def _running_rows(state: Path) -> int:
    try:
        db = sqlite3.connect(f"file:{state}?mode=ro", uri=True)
        try:
            return int(
                db.execute("SELECT count(*) FROM runs WHERE status = 'running'").fetchone()[0]
            )
        finally:
            db.close()
    except sqlite3.Error:
        return 0


def test_a_run_killed_at_a_random_moment_leaves_a_usable_store(
    site: Site, library: LibraryFactory, run_cli: RunCli, tmp_path: Path
) -> None:
    _slow_site(site)
    folder = library([article(site.url(f"/slow/{i}")) for i in range(60)])
    state = tmp_path / "state.db"
    assert run_cli("--state", state, folder).code == 0  # one complete run first
    moment = random.Random(9).uniform(0.0, 1.2)
    proc = subprocess.Popen(
        [sys.executable, "-m", "linkcheck", "run", "--state", str(state), "--cache-max-age", "0"]
        + [
            "--host-concurrency",
            "2",
            "--allow-private",
            "-o",
            str(tmp_path / "killed.json"),
            str(folder),
        ],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while not _running_rows(state) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)  # until the run has added itself to the store
    time.sleep(moment)  # then anywhere in reading, checking or recording
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)

    after = run_cli("--state", state, "--cache-max-age", "0", folder)
    assert after.code == 0 and after.report is not None
    assert {lk["history"]["status"] for lk in after.links} == {"ok"}
    db = sqlite3.connect(state)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    runs = db.execute("SELECT id, status FROM runs ORDER BY id").fetchall()
    killed = [r for r in runs if r[0] not in (1, after.report["run"]["run_id"])]
    assert runs[0] == (1, "complete") and runs[-1][1] == "complete"
    assert [status for _, status in killed] == ["incomplete"]
    assert (
        db.execute(
            "SELECT count(*) FROM verdicts WHERE run_id IN (SELECT id FROM runs "
            "WHERE status = 'incomplete')"
        ).fetchone()[0]
        == 0
    )


# --------------------------------------------------------------------------- network down


def test_a_network_down_run_records_no_history(
    library: LibraryFactory, run_cli: RunCli, tmp_path: Path
) -> None:
    dead = [unused_address(f"127.0.0.{n}") for n in (21, 22, 23, 24)]
    folder = library([article(f"http://{h}:{p}/page") for h, p in dead])
    state = tmp_path / "state.db"
    down = run_cli("--state", state, folder)
    assert down.code == 2 and "network looks down" in down.err
    db = sqlite3.connect(state)
    assert db.execute("SELECT status FROM runs").fetchall() == [("network_down",)]
    assert db.execute("SELECT count(*) FROM verdicts").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM links").fetchone()[0] == 0


# --------------------------------------------------------------------------- linkcheck history


def _history(capsys: Any, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["history", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_history_lists_runs_and_a_links_timeline(
    site: Site, library: LibraryFactory, run_cli: RunCli, tmp_path: Path, capsys: Any
) -> None:
    gone = Switch(site, "/soon-gone")
    folder = library([article(site.url("/soon-gone")), article(site.url("/ok"))])
    state = str(tmp_path / "state.db")
    run_cli("--state", state, "--cache-max-age", "0", folder)
    gone.answer = "404"
    run_cli("--state", state, "--cache-max-age", "0", folder)

    code, out, _ = _history(capsys, "--state", state)
    assert code == 0
    assert "run    2" in out and "run    1" in out and "complete" in out
    assert "1 newly broken" in out

    code, out, _ = _history(capsys, "--state", state, "--format", "json")
    data = json.loads(out)
    assert [r["id"] for r in data["runs"]] == [2, 1]
    assert data["runs"][0]["totals"]["outcomes"] == {
        "ok": 1,
        "broken": 1,
        "warning": 0,
        "skipped": 0,
    }

    code, out, _ = _history(capsys, "--state", state, "--format", "json", site.url("/soon-gone"))
    assert code == 0
    link = json.loads(out)
    assert [(v["run_id"], v["outcome"], v["history"]) for v in link["verdicts"]] == [
        (2, "broken", "newly_broken"),
        (1, "ok", "new"),
    ]
    assert link["link"]["history"]["failing_runs"] == 1

    by_id = _history(capsys, "--state", state, link["link"]["id"][:8])
    assert by_id[0] == 0 and "newly_broken" in by_id[1] and "HTTP 404" in by_id[1]

    missing = _history(capsys, "--state", state, "http://nowhere.example/x")
    assert missing[0] == 2 and "not in the state store" in missing[2]


def test_history_without_a_store_says_so(tmp_path: Path, capsys: Any) -> None:
    code, _, err = _history(capsys, "--state", str(tmp_path / "none.db"))
    assert code == 2
    assert "no state store at" in err and "none.db" in err
    assert not (tmp_path / "none.db").exists()


def test_history_finds_the_default_store_like_run(
    site: Site, library: LibraryFactory, run_cli: RunCli, capsys: Any
) -> None:
    folder = library([article(site.url("/ok"))])
    run_cli(folder)  # the default store under $XDG_STATE_HOME
    code, out, _ = _history(capsys)
    assert code == 0 and "run    1" in out


# ----------------------------------------------------------- interrupted, no state, unusable


def test_an_interrupted_run_keeps_its_verdicts_but_no_history(
    site: Site, library: LibraryFactory, run_cli: RunCli, tmp_path: Path
) -> None:
    _slow_site(site)

    @site.route("/slower/*")
    def slower(request: Request) -> Response:
        return Response.html(delay=5)

    folder = library(
        [article(site.url("/ok"))] + [article(site.url(f"/slower/{i}")) for i in range(4)]
    )
    state = tmp_path / "state.db"
    # every link starts at once (links are checked in no particular order)
    limits = ("--host-concurrency", "8")
    stopped = run_cli("--state", state, "--max-time", "1.5", "--timeout", "10", *limits, folder)
    assert stopped.code == 2 and stopped.report is not None
    assert stopped.report["run"]["interrupted"] is True
    checked = [lk for lk in stopped.links if lk["reason"] != "not_checked"]
    assert [lk["url"] for lk in checked] == [site.url("/ok")]
    db = sqlite3.connect(state)
    assert db.execute("SELECT status FROM runs").fetchall() == [("interrupted",)]
    assert db.execute("SELECT count(*) FROM verdicts").fetchone()[0] == 1  # what was checked
    assert db.execute("SELECT count(*) FROM links WHERE first_seen IS NOT NULL").fetchone()[0] == 0
    site.reset()
    again = run_cli("--state", state, folder, "--timeout", "1", "--retries", "0")
    # the interrupted run's ok verdict is reused (cache), but history starts now
    assert again.link(site.url("/ok"))["cached"] is True
    assert {lk["history"]["status"] for lk in again.links} == {"new"}
    assert site.requests("/ok") == []


def test_no_state_keeps_nothing(site: Site, library: LibraryFactory, run_cli: RunCli) -> None:
    import os

    folder = library([article(site.url("/ok"))])
    r = run_cli("--no-state", folder)
    assert r.code == 0 and r.report is not None
    assert r.report["run"]["state_file"] is None and r.report["run"]["run_id"] is None
    assert r.links[0]["history"] is None and r.report["summary"]["history"] is None
    assert not Path(os.environ["XDG_STATE_HOME"], "linkcheck").exists()


def test_an_unusable_store_is_a_clear_error_before_any_request(
    site: Site, library: LibraryFactory, run_cli: RunCli, tmp_path: Path
) -> None:
    folder = library([article(site.url("/ok"))])
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not sqlite at all\n" * 300)
    bad = run_cli("--state", garbage, folder)
    assert bad.code == 2
    assert str(garbage) in bad.err and "--no-state" in bad.err and "--state" in bad.err
    blocked = tmp_path / "a-file"
    blocked.write_text("x")
    nowhere = run_cli("--state", blocked / "state.db", folder)
    assert nowhere.code == 2 and str(blocked) in nowhere.err
    assert site.log == []
    assert run_cli("--no-state", folder).code == 0  # the way out the message names


def test_history_finds_the_store_beside_a_config_file(
    site: Site, library: LibraryFactory, run_cli: RunCli, capsys: Any
) -> None:
    folder = library([article(site.url("/ok"))])
    (folder / "linkcheck.toml").write_text("timeout = 3\n")
    run_cli(folder)
    assert (folder / ".linkcheck" / "state.db").exists()
    code, out, _ = _history(capsys, "--config", str(folder / "linkcheck.toml"))
    assert code == 0 and "run    1" in out and str(folder / ".linkcheck" / "state.db") in out
    code, _, err = _history(capsys)  # from elsewhere, without --config: another store
    assert code == 2 and "no state store" in err


# ----------------------------------------------------------- one default store per library


def test_each_library_gets_its_own_default_store(
    site: Site, library: LibraryFactory, run_cli: RunCli, capsys: Any, monkeypatch: Any
) -> None:
    """Without a config file, two libraries never share a store (nor its cache or lock), and
    one library spelled three ways is one store: its second run is a cache hit."""
    news = library([article(site.url("/ok"))], name="news")
    sport = library([article(site.url("/ok"))], name="sport")
    first = run_cli(news)
    assert first.report is not None
    store = Path(first.report["run"]["state_file"])
    assert store.parent.name == "libraries" and store.name.startswith("news-")
    other = run_cli(sport)
    assert other.report is not None
    assert other.report["run"]["state_file"] != str(store)
    # sport's first run is its own: nothing reused from news's store
    assert [link["cached"] for link in other.report["links"]] == [False]
    monkeypatch.chdir(news.parent)
    again = run_cli("./news/")
    assert again.report is not None and again.report["run"]["state_file"] == str(store)
    assert [link["cached"] for link in again.report["links"]] == [True]
    # history: two library stores, so it asks which; --library picks one
    code, _, err = _history(capsys)
    assert code == 2 and "several libraries" in err and "--library" in err
    code, out, _ = _history(capsys, "--library", str(news))
    assert code == 0 and "run    2" in out and str(store) in out


def test_history_never_shows_credentials(
    site: Site, library: LibraryFactory, run_cli: RunCli, tmp_path: Path, capsys: Any
) -> None:
    secret_url = site.url("/ok").replace("http://", "http://editor:s3cret-token@")
    folder = library([article(secret_url)])
    state = tmp_path / "state.db"
    assert run_cli("--state", state, folder).code == 0
    for fmt in ("text", "json"):
        code, out, _ = _history(capsys, "--state", str(state), "--format", fmt, secret_url)
        assert code == 0 and "editor:***@" in out
        assert "s3cret" not in out
