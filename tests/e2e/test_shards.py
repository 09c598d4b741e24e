"""Sharded runs on a local multi-host web: 4 shard processes + `linkcheck merge` give the
verdicts of one single-process run, and each host hears from exactly one shard (issue #13).

Which process made a request is read from the servers' own logs: each process sends its own
User-Agent. The hosts are IP addresses (127.0.0.x), each its own registrable domain; two
servers on one address (two ports: two hosts to the checker, one domain) show co-location.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import sitekit
from e2ekit import validate_report

from linkcheck.cli import main
from linkcheck.shard import shard_of_host

N = 4
COMMON = (
    "--no-state",
    "--allow-private",
    "--timeout",
    "5",
    "--retries",
    "1",
    "--host-rate",
    "50",
    "--host-concurrency",
    "2",
)
SHARD_ENV = ("LINKCHECK_SHARD", "LINKCHECK_SHARD_INDEX", "JOB_COMPLETION_INDEX")


def _library(library: Any, publishers: list[sitekit.Site], hop: sitekit.Site) -> Path:
    urls: list[str] = []
    for i, s in enumerate(publishers):
        urls += [s.url(f"/ok?n={n}") for n in range(3)]
        urls += [s.url(f"/slow?delay=0.05&n={n}") for n in range(5)]
        urls += [s.url("/status/404"), s.url("/redirect/1")]
        # a redirect that crosses to another host: the shard of the link follows it
        urls.append(s.url(f"/redirect-to?url={hop.url(f'/ok?hop={i}')}"))
    articles: list[dict[str, Any]] = [
        {"title": f"Article {i}", "webUrl": u, "_file": f"a{i:03}.md"} for i, u in enumerate(urls)
    ]
    # hostless links: shard 1's only
    articles.append(
        {
            "title": "Mail",
            "_file": "mail.md",
            "_body": "[mail](mailto:desk@example.com) [f](ftp://x/y)",
        }
    )
    folder = library(articles)
    (folder / "broken.md").write_text("---\ntitle: [unclosed\n---\nbody\n")  # a problem
    return folder


def _verdicts(report: dict[str, Any]) -> set[tuple[str, str, str | None]]:
    return {(lk["url"], lk["outcome"], lk["reason"]) for lk in report["links"]}


def _shard_process(k: int, folder: Path, out: Path, cwd: Path) -> subprocess.Popen[str]:
    """Shard k, its index given a different way each time (as the runners give it)."""
    env = {key: v for key, v in os.environ.items() if key not in SHARD_ENV}
    args = ["--user-agent", f"lc-shard-{k}"]
    if k == 1:
        args += ["--shard", f"1/{N}"]
    elif k == 2:
        env["LINKCHECK_SHARD"] = f"2/{N}"
    elif k == 3:
        env["JOB_COMPLETION_INDEX"] = "2"  # a Kubernetes Indexed Job counts from 0
        args += ["--shards", str(N)]
    else:
        env["LINKCHECK_SHARD_INDEX"] = str(k)  # a CI matrix, 1-based
        args += ["--shards", str(N)]
    argv = [sys.executable, "-m", "linkcheck", "run", str(folder), *COMMON, *args, "-o", str(out)]
    return subprocess.Popen(
        argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )


def test_four_shards_and_a_merge_equal_one_run(tmp_path, sites, library, capsys) -> None:
    publishers = sites(8)  # 127.0.0.2 .. 127.0.0.9: every one of the 4 shards has hosts
    (hop,) = sites(1)
    twin = sitekit.Site(publishers[0].bind_host).start()  # another port of 127.0.0.2
    try:
        publishers.append(twin)
        folder = _library(library, publishers, hop)
        cwd = tmp_path / "cwd"
        cwd.mkdir()

        single_path = tmp_path / "single.json"
        argv = [
            "run",
            str(folder),
            *COMMON,
            "-q",
            "--user-agent",
            "lc-single",
            "-o",
            str(single_path),
        ]
        assert main(argv) == 1  # the 404s
        single = validate_report(json.loads(single_path.read_text()))
        for s in [*publishers, hop]:
            s.reset()

        outs = [tmp_path / f"shard-{k}.json" for k in range(1, N + 1)]
        procs = [_shard_process(k, folder, out, cwd) for k, out in enumerate(outs, 1)]
        errs = [p.communicate(timeout=120)[1] for p in procs]
        for k, (p, err) in enumerate(zip(procs, errs, strict=True), 1):
            assert p.returncode == 1, err  # each shard has 404s of its own
            assert "Traceback" not in err
            assert f"checking shard {k}/{N} (from " in err
        assert "from LINKCHECK_SHARD)" in errs[1]
        assert "from JOB_COMPLETION_INDEX=2 and --shards)" in errs[2]
        shard_reports = [validate_report(json.loads(o.read_text())) for o in outs]
        assert [r["run"]["shard"] for r in shard_reports] == [
            {"index": k, "total": N} for k in range(1, N + 1)
        ]

        merged_path = tmp_path / "merged.json"
        capsys.readouterr()
        assert main(["merge", *map(str, outs), "-o", str(merged_path)]) == 1
        merge_err = capsys.readouterr().err
        assert "Traceback" not in merge_err
        merged = validate_report(json.loads(merged_path.read_text()))

        # the same verdicts, problems and totals as one process
        assert _verdicts(merged) == _verdicts(single)
        assert len(merged["links"]) == len(single["links"])
        assert merged["problems"] == single["problems"] and len(single["problems"]) == 1
        assert merged["summary"]["outcomes"] == single["summary"]["outcomes"]
        assert (merged["summary"]["files"], merged["summary"]["articles"]) == (
            single["summary"]["files"],
            single["summary"]["articles"],
        )
        assert merged["run"]["shard"] is None
        assert [m["index"] for m in merged["run"]["merged_from"]] == [1, 2, 3, 4]
        # hostless links were shard 1's only (and merge saw each once)
        mail = [lk for lk in merged["links"] if lk["url"].startswith(("mailto:", "ftp:"))]
        assert mail and all(lk["outcome"] == "skipped" for lk in mail)
        first = {lk["url"] for lk in shard_reports[0]["links"]}
        assert {lk["url"] for lk in mail} <= first

        # each host heard from exactly one shard: the one its domain hashes to
        heard: dict[str, set[str]] = {}
        for s in publishers:
            agents = {e.headers.get("user-agent", "") for e in s.log}
            expected = f"lc-shard-{shard_of_host(s.bind_host, N)}"
            assert agents == {expected}, (s.host, agents)
            heard.setdefault(s.bind_host, set()).update(agents)
            assert s.max_in_flight() <= 2, (s.host, s.max_in_flight())  # --host-concurrency
        assert len(heard[publishers[0].bind_host]) == 1  # both ports of 127.0.0.2: one shard
        assert len(set().union(*heard.values())) == N  # the work was spread over every shard
        # the redirect hops to another host are made by the shard of the link that redirects
        # (the hop host's other requests: each shard's soft-404 probe of a made-up path)
        hop_agents = {e.query["hop"]: e.headers["user-agent"] for e in hop.log if "hop" in e.query}
        for i, s in enumerate(publishers):
            assert hop_agents[str(i)] == f"lc-shard-{shard_of_host(s.bind_host, N)}"
        hosts = {h["host"]: h for h in merged["run"]["hosts"]}
        assert hosts[hop.host]["requests"] == len(hop.log)  # summed over the shards
        assert f"{hop.host} (shard" in merge_err  # and named: more than one shard asked it

        # the merged report feeds the other commands
        capsys.readouterr()
        assert main(["diff", str(single_path), str(merged_path), "--format", "json"]) == 0
        counts = json.loads(capsys.readouterr().out)["counts"]
        assert {
            k: v for k, v in counts.items() if v and k not in ("still_broken", "unchanged")
        } == {}
    finally:
        twin.stop()


def test_inconsistent_shard_settings_stop_the_run_before_any_request(
    site, library, run_cli, monkeypatch
) -> None:
    for name in SHARD_ENV:
        monkeypatch.delenv(name, raising=False)
    folder = library([{"title": "A", "webUrl": site.url("/ok")}])
    no_index = run_cli(folder, "--shards", "4")
    assert no_index.code == 2 and no_index.report is None
    assert "configuration error: --shards 4 needs this run's shard index" in no_index.err
    two_n = run_cli(folder, "--shard", "2/4", "--shards", "3")
    assert two_n.code == 2 and "--shard says shard 2/4 but --shards says 3" in two_n.err
    monkeypatch.setenv("JOB_COMPLETION_INDEX", "4")
    too_far = run_cli(folder, "--shards", "4")
    assert too_far.code == 2 and "JOB_COMPLETION_INDEX=4 is not a shard of 4" in too_far.err
    assert site.log == []  # nothing was checked
    # a good index: the run checks its shard (127.0.0.1 hashes to one of the 4) and says so
    k = shard_of_host(site.bind_host, N)
    monkeypatch.setenv("JOB_COMPLETION_INDEX", str(k - 1))
    ok = run_cli(folder, "--shards", "4")
    assert ok.code == 0 and f"checking shard {k}/4 (from JOB_COMPLETION_INDEX={k - 1}" in ok.err
    assert ok.report is not None and ok.report["run"]["shard"] == {"index": k, "total": 4}
    assert [lk["url"] for lk in ok.links] == [site.url("/ok")] and site.requests("/ok")
