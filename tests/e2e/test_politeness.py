"""Politeness, asserted from the servers' own request logs (issue #4).

Nothing here is timed against a budget: waits are asserted as "at least", from the server side.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sitekit

from linkcheck.cli import main


def run_cli(tmp_path: Path, folder: Path, *flags: str) -> tuple[int, dict[str, Any]]:
    out = tmp_path / "report.json"
    code = main(
        ["run", str(folder), "-o", str(out), "-q", "--timeout", "5", "--allow-private", *flags]
    )
    return code, json.loads(out.read_text())


def links_by_url(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {link["url"]: link for link in report["links"]}


def host_stats(report: dict[str, Any], site: sitekit.Site) -> dict[str, Any]:
    return next(h for h in report["run"]["hosts"] if h["host"] == site.host)


def articles(urls: list[str]) -> list[dict[str, Any]]:
    return [{"title": f"Article {i}", "webUrl": u} for i, u in enumerate(urls)]


def test_retry_after_pauses_the_whole_host(tmp_path, sites, library):
    (a,) = sites(1)
    urls = [a.url("/flaky/1/429?retry_after=2")] + [a.url(f"/ok?n={i}") for i in range(3)]
    folder = library(articles(urls))
    code, report = run_cli(tmp_path, folder, "--host-concurrency", "1", "--host-rate", "50")
    assert code == 0
    flaky = links_by_url(report)[urls[0]]
    assert flaky["outcome"] == "ok" and flaky["attempts"] == 2
    first_429 = next(e for e in a.log if e.path.startswith("/flaky/"))
    later = [e for e in a.log if e.start > first_429.start]
    assert later, "the host was never asked again"
    # no request at all reached the host within Retry-After of the 429 being sent
    assert min(e.start for e in later) - first_429.end >= 2.0 - 0.05
    assert host_stats(report, a)["responses_429"] == 1


def test_retry_after_http_date_is_honoured(tmp_path, sites, library):
    (a,) = sites(1)
    url = a.url("/flaky/1/503?retry_after_date=2")
    folder = library(articles([url]))
    code, report = run_cli(tmp_path, folder)
    assert code == 0
    first, second = a.requests()[:2]
    # HTTP dates have whole-second resolution: at least 1 s must have passed
    assert second.start - first.end >= 1.0 - 0.05
    assert links_by_url(report)[url]["outcome"] == "ok"


def test_retry_after_beyond_the_cap_is_reported_not_waited(tmp_path, sites, library):
    (a,) = sites(1)
    url = a.url("/status/429?retry_after=3600")
    folder = library(articles([url]))
    code, report = run_cli(tmp_path, folder, "--retry-after-cap", "1")
    link = links_by_url(report)[url]
    assert (link["outcome"], link["reason"], link["attempts"]) == ("warning", "rate_limited", 1)
    assert code == 0  # a warning is not a broken link
    assert len(a.requests("/status/429")) == 1


def test_per_host_limits_seen_by_the_servers(tmp_path, sites, library):
    a, b = sites(2)
    urls = [s.url(f"/slow?delay=0.1&n={i}") for s in (a, b) for i in range(16)]
    folder = library(articles(urls))
    code, report = run_cli(
        tmp_path, folder, "--concurrency", "10", "--host-concurrency", "2", "--host-rate", "15",
        "--no-soft-404", "--no-amp-checks",
    )  # fmt: skip
    assert code == 0
    for s in (a, b):
        assert len(s.log) == 16  # HEAD only: one request per URL
        assert s.max_in_flight() <= 2
        assert s.max_rate(1.0) <= 15
        assert host_stats(report, s)["max_in_flight"] <= 2


def test_per_host_override_and_headers_from_config(tmp_path, sites, library):
    a, b = sites(2)
    urls = [s.url(f"/slow?delay=0.1&n={i}") for s in (a, b) for i in range(8)]
    folder = library(articles(urls))
    config = tmp_path / "linkcheck.toml"
    config.write_text(
        f'host-concurrency = 4\nhost-rate = 100\n[hosts."{b.host}"]\nconcurrency = 1\n'
        f'headers = {{ "X-Team" = "newsroom" }}\n'
    )
    code, report = run_cli(tmp_path, folder, "--config", str(config))
    assert code == 0
    assert b.max_in_flight() == 1
    assert a.max_in_flight() > 1  # the override applies to b only
    assert all(e.headers.get("x-team") == "newsroom" for e in b.log)
    assert not any("x-team" in e.headers for e in a.log)


def test_user_agent_is_honest_and_overridable(tmp_path, site, library):
    folder = library(articles([site.url("/ok")]))
    run_cli(tmp_path, folder)
    ua = site.log[0].headers["user-agent"]
    assert ua.startswith("linkcheck/") and "+http" in ua
    site.reset()
    # --cache-max-age 0: the first run's ok verdict would be reused without a request
    run_cli(
        tmp_path,
        folder,
        "--cache-max-age",
        "0",
        "--user-agent",
        "NewsBot/2 (+https://news.example/bot)",
    )
    assert site.log[0].headers["user-agent"] == "NewsBot/2 (+https://news.example/bot)"


def test_dead_host_costs_a_bounded_number_of_attempts(tmp_path, site, library):
    host, port = sitekit.unused_address()
    dead = [f"http://{host}:{port}/page/{i}" for i in range(25)]
    folder = library(articles([*dead, site.url("/ok")]))
    code, report = run_cli(tmp_path, folder, "--host-concurrency", "2", "--retries", "2")
    assert code == 1
    by_url = links_by_url(report)
    assert all(by_url[u]["outcome"] == "broken" and by_url[u]["reason"] == "connect" for u in dead)
    stats = next(h for h in report["run"]["hosts"] if h["host"] == f"{host}:{port}")
    assert stats["marked_down"] == "connect"
    # three failures in a row mark it down; requests already in flight may add a few more
    assert stats["requests"] <= 3 + 2
    assert stats["short_circuited"] >= 25 - 5
    assert by_url[site.url("/ok")]["outcome"] == "ok"


def test_repeated_429_slows_the_host_down(tmp_path, sites, library):
    (a,) = sites(1, rate_limit=4)
    urls = [a.url(f"/ok?n={i}") for i in range(20)]
    folder = library(articles(urls))
    code, report = run_cli(tmp_path, folder, "--host-rate", "10", "--host-concurrency", "2")
    assert code == 0, "every link must end ok once the host is slowed down"
    stats = host_stats(report, a)
    assert stats["slowed_down"] is True and stats["responses_429"] >= 1
    assert stats["rate_limit"] < 10
    assert a.count_429 == stats["responses_429"]
    # the adaptive rate is reported: what was asked, how low it went, how long below
    assert stats["configured_rate"] == 10
    assert stats["min_rate"] <= stats["rate_limit"] < stats["configured_rate"]
    assert 0 < stats["below_rate_s"] <= report["run"]["duration_s"]


def test_a_host_that_never_pushed_back_reports_its_configured_rate(tmp_path, site, library):
    folder = library(articles([site.url(f"/ok?n={i}") for i in range(3)]))
    code, report = run_cli(tmp_path, folder, "--host-rate", "7")
    assert code == 0
    stats = host_stats(report, site)
    assert stats["rate_limit"] == stats["configured_rate"] == stats["min_rate"] == 7
    assert stats["below_rate_s"] == 0 and stats["slowed_down"] is False


def test_a_waiting_host_does_not_idle_the_others(tmp_path, sites, library):
    a, b = sites(2)
    urls = [a.url("/flaky/1/503?retry_after=2"), a.url("/ok?after")] + [
        b.url(f"/ok?n={i}") for i in range(10)
    ]
    folder = library(articles(urls))
    flags = ("--concurrency", "2", "--host-rate", "50", "--no-soft-404", "--no-amp-checks")
    code, _ = run_cli(tmp_path, folder, *flags)
    assert code == 0
    first = next(e for e in a.log if e.path.startswith("/flaky/"))  # links go in any order
    blocked_at = first.end
    resumed_at = min(e.start for e in a.log if e.start > first.start)
    assert resumed_at - blocked_at >= 2.0 - 0.05
    # all of host b's work was done while host a was paused by Retry-After
    assert len(b.log) == 10 and all(e.start < resumed_at for e in b.log)


def test_a_worker_waiting_on_retry_after_lends_its_slot(tmp_path, sites, library):
    a, b = sites(2)
    urls = [a.url("/flaky/1/429?retry_after=2")] + [
        b.url(f"/slow?delay=0.2&n={i}") for i in range(8)
    ]
    folder = library(articles(urls))
    code, report = run_cli(
        tmp_path, folder, "--concurrency", "2", "--host-concurrency", "2", "--host-rate", "50"
    )
    assert code == 0
    assert links_by_url(report)[urls[0]]["attempts"] == 2
    blocked_at = a.requests()[0].end
    resumed_at = a.requests()[1].start
    during = [e for e in b.log if blocked_at <= e.start < resumed_at]
    # while host a's worker waits out Retry-After, both global slots serve host b
    assert max(e.in_flight for e in during) == 2


def test_verbose_host_table_shows_the_adaptive_rate(tmp_path, sites, library, capsys):
    (a,) = sites(1, rate_limit=4)
    folder = library(articles([a.url(f"/ok?n={i}") for i in range(12)]))
    out = tmp_path / "report.json"
    args = ["run", str(folder), "-o", str(out), "-v", "--timeout", "5", "--host-rate", "10"]
    args.append("--allow-private")
    assert main(args) == 0
    printed = capsys.readouterr()
    text = printed.out + printed.err
    stats = host_stats(json.loads(out.read_text()), a)
    assert stats["slowed_down"]
    line = next(ln for ln in text.splitlines() if ln.strip().startswith(a.host + ":"))
    assert f"slowed to {stats['rate_limit']:g}/s" in line
    assert f"lowest {stats['min_rate']:g}/s" in line and "below 10/s" in line
