"""CPU per request of linkcheck's whole checking path (reading, checking, writing).

Two webs, both on 20 loopback hosts (127.0.0.2-21) served by `ugly_server.py` in its own
process, answered after `--latency` seconds (default 0: at once):

  --web pages  (default) ~10,000 unique page URLs in 2,000 articles shaped like the seed (front
               matter with `webUrl`, `related[]` with `webUrl`/`ampWebUrl`, a Markdown body
               linking some of them again); every page a bounded GET (the news checks).
  --web ugly   the library of `ugly_web.py` (`ugly_library.build`): pages, AMP and AMP-cache
               URLs, images probed with Range requests (some declared at a wrong size), 404s,
               redirect chains across hosts, flaky 503s, 429 + Retry-After; no hanging URLs
               unless `--hangs N` (a hang costs wall time, not CPU). Use `--latency 0.05` for
               issue #7's web.

The checker runs `linkcheck.arun` in a fresh subprocess with
`--concurrency 200 --host-concurrency 16` and a host rate that never binds; its CPU time
(user + sys, every thread) is split at the start of checking and at the last result:

    reading   files -> links -> plan (the reading thread included)
    checking  first request -> last result (scheduler, politeness, exchange, classify)
    writing   report build + JSON written to a file

and divided by the requests the server saw. `--profile` runs cProfile over the checking phase
only (`--profile writing`: over the writing phase) and prints the top 25 entries by tottime and
by cumtime; with PATH_CPU_PSTATS=FILE in the environment the whole profile is saved there.

    python benchmarks/path_cpu.py [--articles 2000] [--repeat 3] [--profile [writing]]
    python benchmarks/path_cpu.py --web ugly --articles 3000 --latency 0.05 --repeat 3
    python benchmarks/path_cpu.py --linkcheck-ref HEAD~5     # a committed version, for a before
    python benchmarks/path_cpu.py --spy flame.svg   # py-spy (if installed) samples the checker

With `--spy FILE` the checker runs under `py-spy record` (sampling, far less overhead than
cProfile; a `.txt` FILE gets collapsed stacks (`-f raw`), anything else a flame graph); py-spy
is never a dependency of the project (`pip install py-spy` into the environment that runs this).

On a shared machine use --repeat: the least CPU of the runs is reported (contention only ever
adds CPU time). Only loopback traffic; bounded; stops everything it started.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
HOSTS = [f"127.0.0.{i}" for i in range(2, 22)]
CONCURRENCY, PER_HOST = 200, 16
CHILD_TIMEOUT_S = 600.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.2", 0))
        return int(s.getsockname()[1])


def _url(rng: random.Random, port: int, n: int, slug: str) -> str:
    host = HOSTS[min(int(rng.paretovariate(1.2)) - 1, len(HOSTS) - 1)]
    return f"http://{host}:{port}/ok/{n}/{slug}"


def write_library(folder: Path, articles: int, port: int, seed: int = 7) -> int:
    """`articles` seed-shaped articles, five unique page URLs each. Returns the URL count."""
    rng = random.Random(seed)
    n = 0
    for a in range(articles):
        urls = []
        for _ in range(5):
            urls.append(_url(rng, port, n, f"story-{a}-{n}"))
            n += 1
        own, r1, r1amp, r2, r2amp = urls
        text = f"""---
category: news
title: "Article {a}"
excerpt: "An excerpt of article {a}."
publishedDateTime: 2020-06-09T13:06:00Z
webUrl: "{own}"
type: article
provider:
  name: Local News
  domain: localnews.example

related:
  - title: "Related one of {a}"
    webUrl: "{r1}"
    ampWebUrl: "{r1amp}"
    type: article
  - title: "Related two of {a}"
    webUrl: "{r2}"
    ampWebUrl: "{r2amp}"
    type: article
---
The story of article {a}. See [the first]({r1}) and [the second]({r2}) for more.

More text follows, as it does in the seed: a [link again]({own}).
"""
        (folder / f"{a:05d}_article.txt").write_text(text, encoding="utf-8")
    return n


# ---------------------------------------------------------------------------------------------
# The checker process


def child(library: str, out: str, profile: str | None) -> None:
    """Run linkcheck over `library`, write the report to `out`, print the CPU split as JSON."""
    import anyio

    import linkcheck
    from linkcheck.formats import json as json_format

    marks: dict[str, float] = {}
    prof: Any = None
    import gc

    gc_time = {"s": 0.0, "t0": 0.0, "runs": 0}
    gc_gen: dict[str, list[float]] = {}

    def on_gc(phase: str, info: dict[str, int]) -> None:  # the collector's CPU, in all
        if phase == "start":
            gc_time["t0"] = time.process_time()
        else:
            took = time.process_time() - gc_time["t0"]
            gc_time["s"] += took
            gc_time["runs"] += 1
            row = gc_gen.setdefault(str(info["generation"]), [0, 0.0])
            row[0] += 1
            row[1] += took

    gc.callbacks.append(on_gc)
    if profile:
        import cProfile

        prof = cProfile.Profile()

    def on_progress(p: Any) -> None:
        if p.phase == "checking" and "checking" not in marks:
            marks["checking"] = time.process_time()
            marks["checking_wall"] = time.monotonic()
            marks["gc_checking"] = gc_time["s"]
            if prof is not None and profile == "checking":
                prof.enable()
        elif p.links_total and p.checked == p.links_total and "written" not in marks:
            if prof is not None and "checked" not in marks:
                if profile == "checking":
                    prof.disable()
                else:
                    prof.enable()
            marks["checked"] = time.process_time()
            marks["checked_wall"] = time.monotonic()
            marks["gc_checked"] = gc_time["s"]

    config = linkcheck.Config(
        concurrency=CONCURRENCY,
        host_concurrency=PER_HOST,
        host_rate=1_000_000.0,
        timeout=10.0,
        retries=1,
        # the ugly server is on loopback, which the address guard refuses by default (a tree
        # from before the guard has no such setting)
        **(
            {"allow_private": True}
            if "allow_private" in linkcheck.Config.__dataclass_fields__
            else {}
        ),
        # one process: the CPU of this path in one process is what is measured (worker
        # processes, automatic above 5,000 links, would take the checking out of this one)
        **({"workers": 1} if "workers" in linkcheck.Config.__dataclass_fields__ else {}),
    )
    t0, w0 = time.process_time(), time.monotonic()

    async def main() -> linkcheck.Report:  # as the CLI does: the report is the loop's result
        report = await linkcheck.arun([library], config, on_progress=on_progress)
        marks["built"] = time.process_time()
        return report

    report = anyio.run(main)
    marks["loop_closed"] = time.process_time()
    json_format.write_report(out, report, tool_version=linkcheck.__version__)
    if prof is not None and profile == "writing":
        prof.disable()
    marks["written"] = time.process_time()
    outcomes: dict[str, int] = {}
    for r in report.results:
        key = str(r.outcome.value)
        outcomes[key] = outcomes.get(key, 0) + 1
    result = {
        "reading_s": marks["checking"] - t0,
        "checking_s": marks["checked"] - marks["checking"],
        "writing_s": marks["written"] - marks["checked"],
        "build_s": marks["built"] - marks["checked"],
        "loop_close_s": marks["loop_closed"] - marks["built"],
        "json_s": marks["written"] - marks["loop_closed"],
        "total_s": marks["written"] - t0,
        "checking_wall_s": marks["checked_wall"] - marks["checking_wall"],
        "checking_gc_s": marks["gc_checked"] - marks["gc_checking"],
        "gc_s": gc_time["s"],
        "gc_by_generation": gc_gen,
        "wall_s": time.monotonic() - w0,
        "outcomes": outcomes,
    }
    if prof is not None:
        import pstats

        text = io.StringIO()
        for key in ("tottime", "cumtime"):
            pstats.Stats(prof, stream=text).sort_stats(key).print_stats(25)
        result["profile"] = text.getvalue()
        if os.environ.get("PATH_CPU_PSTATS"):  # the whole profile, for pstats
            prof.dump_stats(os.environ["PATH_CPU_PSTATS"])
    print(json.dumps(result), flush=True)


# ---------------------------------------------------------------------------------------------
# The driver


def _get(control: int, what: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{control}/{what}", timeout=10) as r:
        return json.loads(r.read())  # type: ignore[no-any-return]


def _export(ref: str, into: Path) -> Path:
    """linkcheck as committed at `ref`, exported with git archive (its package only)."""
    tar = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "linkcheck"], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(tar)) as t:
        t.extractall(into, filter="data")
    return into


def write_ugly_library(folder: Path, articles: int, port: int, hangs: int) -> int:
    """The library of `ugly_web.py` (no host enforcing its own limit). Returns the URL count."""
    import ugly_library

    shares = ugly_library.Shares(hangs=hangs)
    wl = ugly_library.build(folder, HOSTS, port, articles, latency=0.0, shares=shares)
    return len(wl.urls)


def run_once(
    library: Path,
    control: int,
    profile: str | None,
    pythonpath: str | None,
    spy: str | None = None,
) -> dict[str, Any]:
    _get(control, "reset")
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, __file__, "--child", str(library), str(Path(tmp) / "r.json")]
        if spy:  # sampled at 200 Hz, subprocesses and idle time left out
            fmt = "raw" if spy.endswith(".txt") else "flamegraph"
            cmd = ["py-spy", "record", "-r", "200", "-f", fmt, "-o", spy, "--", *cmd]
        done = subprocess.run(
            cmd + (["--profile", profile] if profile else []),
            capture_output=True,
            text=True,
            env=env,
            timeout=CHILD_TIMEOUT_S,
            check=False,
        )
    if done.returncode != 0:
        raise SystemExit(f"checker failed ({done.returncode}):\n{done.stderr[-3000:]}")
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]  # not py-spy's
    result: dict[str, Any] = json.loads(lines[-1])
    stats = _get(control, "stats")
    result["requests"] = sum(h["requests"] for h in stats["hosts"].values())
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--web", choices=("pages", "ugly"), default="pages", help="which library")
    ap.add_argument("--latency", type=float, default=0.0, help="seconds per response (0)")
    ap.add_argument("--hangs", type=int, default=0, help="hanging URLs (--web ugly only)")
    ap.add_argument("--spy", default=None, help="run the checker under py-spy record to FILE")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument(
        "--profile",
        nargs="?",
        const="checking",
        choices=("checking", "writing"),
        help="cProfile one phase (default: checking)",
    )
    ap.add_argument("--linkcheck-ref", default=None, help="run linkcheck as committed at REF")
    ap.add_argument("--json", default=None, help="also write the figures to this file")
    ap.add_argument("--child", nargs=2, metavar=("LIB", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.profile)
        return 0

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "benchmarks" / "ugly_server.py"), "--hosts", ",".join(HOSTS)]
        + ["--port", str(port), "--latency", f"{args.latency:g}", "--lifetime", "1800"]
        + ["--all-hosts", ",".join(HOSTS)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        hello = json.loads(server.stdout.readline())
        if "error" in hello:
            raise SystemExit(f"server: {hello['error']}")
        control = int(hello["control"])
        with tempfile.TemporaryDirectory() as tmp:
            library = Path(tmp) / "lib"
            library.mkdir()
            if args.web == "ugly":
                urls = write_ugly_library(library, args.articles, port, args.hangs)
            else:
                urls = write_library(library, args.articles, port)
            pythonpath = str(_export(args.linkcheck_ref, Path(tmp))) if args.linkcheck_ref else None
            runs = [
                run_once(library, control, args.profile, pythonpath, args.spy)
                for _ in range(args.repeat)
            ]
    finally:
        server.terminate()
        server.wait(timeout=10)
    best = min(runs, key=lambda r: r["total_s"])
    req = best["requests"]
    print(
        f"{args.web} web, {args.articles} articles, latency {args.latency:g} s: {urls} unique "
        f"URLs, {req} requests (least CPU of {len(runs)})"
    )
    for phase in ("reading", "checking", "writing", "total"):
        cpu = best[phase + "_s"]
        print(f"  {phase:9} {cpu:7.2f} s CPU  {1000 * cpu / req:6.3f} ms/req")
    print(
        "  (writing: report built {build_s:.2f} s, event loop closed {loop_close_s:.2f} s, "
        "JSON written {json_s:.2f} s)".format(**best)
    )
    print(f"  checking wall {best['checking_wall_s']:.2f} s, whole run wall {best['wall_s']:.2f} s")
    if "checking_gc_s" in best:
        print(
            f"  garbage collector {best['gc_s']:.2f} s CPU in all, "
            f"{best['checking_gc_s']:.2f} s of it while checking; by generation (runs, s): "
            + ", ".join(f"{g}: ({n}, {t:.2f})" for g, (n, t) in best["gc_by_generation"].items())
        )
    print(f"  outcomes {best['outcomes']}")
    if "profile" in best:
        print(best["profile"])
    if args.json:
        Path(args.json).write_text(json.dumps({"urls": urls, "runs": runs}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
