"""Measuring side of `ugly_web.py`: the server processes, one tool run, the lower bound, figures.

A tool runs in its own session (so a terminal Ctrl-C reaches only this script, which then stops
it); its CPU time and peak RSS come from `os.wait4` on its pid; everything about requests comes
from the servers' own counters, reset before and read after each tool.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import random
import select
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from ugly_library import Workload


@dataclasses.dataclass
class Tool:
    name: str
    cmd: list[str]
    report: Path
    cwd: Path
    env: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Run:
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    returncode: int | None
    finished: bool
    started: float  # time.monotonic() at spawn: the servers' clock too
    requests_when_stopped: int = 0
    timeline: list[tuple[float, int]] = dataclasses.field(default_factory=list)


class Servers:
    """1-2 `ugly_server.py` processes sharing the hosts, all on one port number."""

    def __init__(self, script: Path, hosts: list[str], latency: float, limits: dict[str, float]):
        self.script, self.hosts, self.latency, self.limits = script, hosts, latency, limits
        self.procs: list[subprocess.Popen[str]] = []
        self.controls: list[int] = []
        self.port = 0

    def start(self, procs: int, work: Path) -> None:
        rng = random.Random()
        for _ in range(8):  # bounded: a port free on every address is found in one try or two
            self.port = rng.randrange(20000, 60000)
            if self._spawn(procs, work):
                return
            self.stop()
        raise RuntimeError("no free port for the local web after 8 tries")

    def _spawn(self, procs: int, work: Path) -> bool:
        groups = [self.hosts[i::procs] for i in range(procs)]
        for i, group in enumerate(groups):
            cmd = [sys.executable, str(self.script), "--hosts", ",".join(group)]
            cmd += ["--all-hosts", ",".join(self.hosts), "--port", str(self.port)]
            cmd += ["--latency", f"{self.latency:g}", "--stats-file", str(work / f"server{i}.json")]
            cmd += [f"--limit={h}={r:g}" for h, r in self.limits.items() if h in group]
            self.procs.append(
                subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, start_new_session=True)
            )
        for p in self.procs:
            assert p.stdout is not None
            ready, _, _ = select.select([p.stdout], [], [], 15)
            line = p.stdout.readline() if ready else ""
            info = json.loads(line) if line.startswith("{") else {"error": "no answer"}
            if "control" not in info:
                return False
            self.controls.append(int(info["control"]))
        return True

    def _get(self, port: int, path: str) -> dict[str, Any]:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=15) as r:
            doc: dict[str, Any] = json.load(r)
            return doc

    def _merged(self, path: str) -> dict[str, Any]:
        merged: dict[str, Any] = {"hosts": {}, "server_cpu_s": 0.0}
        for port in self.controls:
            doc = self._get(port, path)
            merged["hosts"] |= doc["hosts"]
            merged["server_cpu_s"] += doc["server_cpu_s"]
        return merged

    def stats(self) -> dict[str, Any]:
        return self._merged("/stats")

    def reset(self) -> dict[str, Any]:
        """The counters since the last reset; then zero them (and the per-URL 429/503 state)."""
        return self._merged("/reset")

    def stop(self) -> None:
        for port in self.controls:
            with contextlib.suppress(OSError, ValueError):
                self._get(port, "/quit")
        for p in self.procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=5)
        self.procs, self.controls = [], []


def _total(stats: dict[str, Any]) -> int:
    return sum(int(h["requests"]) for h in stats["hosts"].values())


def run_tool(tool: Tool, servers: Servers, max_time: float, expected: int) -> Run:
    """Run one tool to its end or to `max_time` (SIGTERM, then SIGKILL 30 s later)."""
    log = open(tool.report.with_suffix(".log"), "w")  # noqa: SIM115 (closed below)
    t0, started = time.perf_counter(), time.monotonic()
    proc = subprocess.Popen(
        tool.cmd,
        cwd=tool.cwd,
        env=os.environ | tool.env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    stopped_at, seen = None, 0
    next_sample, timeline = t0 + 5, []  # (s since start, requests so far) every 5 s
    try:
        while True:
            pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            now = time.perf_counter()
            if stopped_at is None and now - t0 > max_time:
                seen = _total(servers.stats())
                print(
                    f"   stopping {tool.name} at {now - t0:.0f} s: {seen} of ~{expected} requests"
                )
                os.kill(proc.pid, signal.SIGTERM)
                stopped_at = now
            elif stopped_at is not None and now - stopped_at > 30:
                os.kill(proc.pid, signal.SIGKILL)
            elif now > next_sample:
                timeline.append((round(now - t0, 1), _total(servers.stats())))
                if len(timeline) % 6 == 0:
                    print(f"   {timeline[-1][0]:.0f} s: {timeline[-1][1]} requests", flush=True)
                next_sample = now + 5
            time.sleep(0.1)
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    finally:
        log.close()
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(
        wall_s=wall,
        cpu_s=ru.ru_utime + ru.ru_stime,
        peak_rss_mb=ru.ru_maxrss / 1024,
        returncode=proc.returncode,
        finished=stopped_at is None,
        started=started,
        requests_when_stopped=seen,
        timeline=timeline,
    )


def lower_bound(wl: Workload, args: Any, limited: str, server_limit: float) -> dict[str, Any]:
    lat, t_hang = args.latency, args.timeout * (1 + args.retries)
    terms: list[tuple[float, str]] = []
    total = 0.0
    extra = [0] * len(wl.hosts)  # what designed 429s add: n pauses, or all attempts if n > retries
    chain = wl.chain_s
    pushback = wl.designed_pushback
    for h, n, ra in wl.designed_429:
        paused = min(n, args.retries)
        extra[h] += paused
        pushback += paused
        chain = max(chain, paused * (ra + lat) + lat)
    for i, host in enumerate(wl.hosts):
        hangs = wl.hangs_per_host[i]
        req = wl.min_requests[i] + hangs * args.retries + extra[i]
        total += req
        rate = min(args.host_rate, server_limit) if host == limited else args.host_rate
        terms.append(((req - 1) / rate + lat, f"rate of {host} ({req} requests at {rate:g}/s)"))
        busy = req * lat + hangs * t_hang
        terms.append((busy / args.host_concurrency, f"in-flight limit of {host}"))
    busy = total * lat + sum(wl.hangs_per_host) * t_hang
    terms.append((busy / args.concurrency, "global concurrency"))
    terms.append((chain, "longest Retry-After chain of one URL"))
    if sum(wl.hangs_per_host):
        terms.append((t_hang, "a hanging URL: timeout x (1 + retries)"))
    value, why = max(terms)
    return {
        "lower_bound_s": value,
        "explain": why,
        "min_requests": int(total),
        "urls": len(wl.urls),
        "articles": wl.articles,
        "hosts": len(wl.hosts),
        "redirect_hops": wl.redirect_hops,
        "designed_pushback": pushback,
        "behaviours": wl.behaviours,
        "limited_host": limited,
        "limited_host_limit": server_limit,
        "formula": (
            "max( max over hosts h of (R_h - 1) / r_h + L,  max over h of (R_h * L + H_h * T) / c,"
            "  (R * L + H * T) / C,  the longest single-URL chain: k * (Retry-After + L) + L for a"
            " URL answering n 429s, k = min(n, retries); T for a hang );  R_h = minimum requests to"
            " h = 1 per URL + 1 per redirect hop landing on h + 1 per flaky 503 + k per URL"
            " answering 429s + retries per hanging URL; r_h = --host-rate (the limited host: its"
            " own lower limit); H_h = hanging URLs on h; T = timeout x (1 + retries); L = latency;"
            " c = --host-concurrency; C = --concurrency"
        ),
    }


def _reported(tool: Tool, wl: Workload) -> tuple[str, dict[str, int], list[Any]]:
    """URLs reported / expected, outcome counts, and linkcheck's own per-host statistics."""
    try:
        doc = json.loads(tool.report.read_text())
    except (OSError, ValueError) as exc:
        return f"no report ({type(exc).__name__})", {}, []
    if tool.name == "linkcheck":
        got = {link["url"] for link in doc.get("links", [])}
        missing = len(set(wl.urls) - got)
        outcomes = {k: v for k, v in doc.get("summary", {}).get("outcomes", {}).items() if v}
        hosts = doc.get("run", {}).get("hosts", [])
        return f"{len(wl.urls) - missing}/{len(wl.urls)}", outcomes, hosts
    keys = ["successful", "errors", "timeouts", "redirects", "excludes", "unknown", "cached"]
    outcomes = {k: int(doc[k]) for k in keys if doc.get(k)}
    return f"{doc.get('total', '?')}/{len(wl.urls)}", outcomes, []


def _slowed(own_hosts: list[Any], rate: float) -> str:
    """Hosts linkcheck's report says ended below the configured rate, and the lowest reached."""
    ends = [h["rate_limit"] for h in own_hosts if isinstance(h.get("rate_limit"), int | float)]
    lows = [h["min_rate"] for h in own_hosts if isinstance(h.get("min_rate"), int | float)]
    slow = [r for r in ends if r < rate]
    text = f"{len(slow)} of {len(own_hosts)}, lowest {min(slow):.3g}/s" if slow else "none"
    return text + (f"; lowest during the run {min(lows):.3g}/s" if lows else "")


def summarise(
    tool: Tool,
    run: Run,
    stats: dict[str, Any],
    wl: Workload,
    bound: dict[str, Any],
    args: Any,
    limited: str,
    server_limit: float,
) -> dict[str, Any]:
    hosts = stats["hosts"]
    requests = _total(stats)
    conns = sum(int(h["connections"]) for h in hosts.values())
    max_in = max(int(h["max_in_flight"]) for h in hosts.values())
    max_open = max(int(h.get("max_open", 0)) for h in hosts.values())
    others = [int(h["max_rate_1s"]) for name, h in hosts.items() if name != limited]
    over = [
        name
        for name, h in hosts.items()
        if h["max_in_flight"] > args.host_concurrency or h["max_rate_1s"] > args.host_rate
    ]
    reported, outcomes, own_hosts = _reported(tool, wl)
    used = [h for h in hosts.values() if h["requests"]]
    first = min((h["first_start"] for h in used), default=None)
    last = max((h["last_start"] for h in used), default=None)
    if run.finished:
        finished = f"yes (exit {run.returncode})"
    else:
        finished = (
            f"no: stopped at {args.max_time:g} s, {run.requests_when_stopped} of "
            f"~{bound['min_requests']} requests"
        )
    return {
        "tool": tool.name,
        "command": tool.cmd,
        "finished": finished,
        "wall_s": run.wall_s,
        "wall_over_bound": run.wall_s / bound["lower_bound_s"],
        "first_request_s": first - run.started if first is not None else None,
        "checking_s": run.wall_s - (first - run.started) if first is not None else None,
        "checking_over_bound": (run.wall_s - (first - run.started)) / bound["lower_bound_s"]
        if first is not None
        else None,
        "last_request_s": last - run.started if last is not None else None,
        "requests": requests,
        "requests_over_min": requests / bound["min_requests"],
        "connections": conns,
        "requests_per_connection": requests / conns if conns else None,
        "designed_429": sum(int(h["designed_429"]) for h in hosts.values()),
        "limit_429": sum(int(h["limit_429"]) for h in hosts.values()),
        "cpu_s": run.cpu_s,
        "cpu_ms_per_request": 1000 * run.cpu_s / requests if requests else None,
        "peak_rss_mb": run.peak_rss_mb,
        "max_in_flight_vs_limit": f"{max_in} ({args.host_concurrency})",
        "max_open_connections": max_open,
        "max_rate_vs_limit": f"{max(others, default=0)} ({args.host_rate:g})",
        "limited_host_rate": f"{hosts[limited]['max_rate_1s']} ({server_limit:g})",
        "hosts_over_limit": ", ".join(over) or "none",
        "reported": reported,
        "outcomes": " ".join(f"{k}={v}" for k, v in outcomes.items()),
        "ended_below_rate": _slowed(own_hosts, args.host_rate) if own_hosts else None,
        "server_cpu_s": stats["server_cpu_s"],
        "timeline": run.timeline,
        "own_host_stats": own_hosts,
        "per_host": hosts,
    }
