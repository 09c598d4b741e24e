"""Scale: reading speed, checking throughput, peak memory and live tasks as the library grows.

The server runs in its own process (a `tests/sitekit.py` site on 127.0.0.1) so it does not share
the checker's GIL. Each measurement runs in a fresh subprocess so peak RSS is its own. As a peer
in the same run, a naive checker creates one task per URL up front (asyncio.gather behind a
semaphore), the shape the brief warns against.

    python benchmarks/scale.py [--sizes 2000 10000] [--links-per-article 5]

Only loopback traffic; bounded; stops by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SERVER = """
import sys, time
sys.path.insert(0, {tests!r})
import sitekit
site = sitekit.Site(host="127.0.0.1").start()
print(site.base_url, flush=True)
sys.stdin.read()
"""

LINKCHECK = """
import asyncio, json, resource, sys, time
sys.path.insert(0, {root!r})
import anyio
from linkcheck.config import Config
from linkcheck import pipeline

peak_tasks = 0
async def main():
    global peak_tasks
    async def sample():
        global peak_tasks
        while True:
            peak_tasks = max(peak_tasks, len(asyncio.all_tasks()))
            await anyio.sleep(0.05)
    cfg = Config(concurrency=50, host_concurrency=50, host_rate=100000, timeout=30,
                 allow_private=True)  # the servers are on loopback
    t0 = time.perf_counter()
    collected = pipeline.collect_links([{lib!r}], cfg)
    t1 = time.perf_counter()
    async with anyio.create_task_group() as tg:
        tg.start_soon(sample)
        report = await pipeline.run([{lib!r}], cfg)
        tg.cancel_scope.cancel()
    t2 = time.perf_counter()
    ok = sum(1 for r in report.results if r.outcome.value == "ok")
    print(json.dumps(dict(read_s=t1 - t0, run_s=t2 - t1, links=len(report.results), ok=ok,
        files=collected.files, peak_tasks=peak_tasks,
        rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)))
asyncio.run(main())
"""

NAIVE = """
import asyncio, json, resource, sys, time, glob
sys.path.insert(0, {root!r})
import httpx, frontmatter
peak_tasks = 0
async def main():
    global peak_tasks
    urls = set()
    for f in glob.glob({lib!r} + "/*.md"):
        fm = frontmatter.load(f).metadata
        urls.add(fm["webUrl"])
        urls.update(r["webUrl"] for r in fm.get("related", []))
    sem = asyncio.Semaphore(50)
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=60)) as client:
        async def one(u):
            async with sem:
                r = await client.head(u)
                return r.status_code
        async def sample():
            global peak_tasks
            while True:
                peak_tasks = max(peak_tasks, len(asyncio.all_tasks()))
                await asyncio.sleep(0.05)
        s = asyncio.create_task(sample())
        t0 = time.perf_counter()
        codes = await asyncio.gather(*(one(u) for u in urls))
        t1 = time.perf_counter()
        s.cancel()
    print(json.dumps(dict(run_s=t1 - t0, links=len(codes), ok=codes.count(200),
        peak_tasks=peak_tasks, rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)))
asyncio.run(main())
"""


def write_library(folder: Path, base: str, articles: int, per: int) -> None:
    folder.mkdir(parents=True)
    for a in range(articles):
        urls = [f"{base}/ok?a={a}&l={i}" for i in range(per)]
        related = "".join(f'  - title: "r{i}"\n    webUrl: "{u}"\n' for i, u in enumerate(urls[1:]))
        (folder / f"a{a:06d}.md").write_text(
            f'---\ntitle: "Article {a}"\nwebUrl: "{urls[0]}"\nrelated:\n{related}---\nbody\n'
        )


def measure(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[2000, 10000], help="articles")
    ap.add_argument("--links-per-article", type=int, default=5)
    args = ap.parse_args()
    print(
        f"machine: {os.uname().sysname} {os.uname().machine}, {os.cpu_count()} cpus, "
        f"python {sys.version.split()[0]}"
    )
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER.format(tests=str(ROOT / "tests"))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        base = server.stdout.readline().strip()
        for n in args.sizes:
            with tempfile.TemporaryDirectory() as tmp:
                lib = str(Path(tmp) / "lib")
                write_library(Path(lib), base, n, args.links_per_article)
                t = time.perf_counter()
                lc = measure(LINKCHECK.format(root=str(ROOT), lib=lib))
                naive = measure(NAIVE.format(root=str(ROOT), lib=lib))
                print(
                    f"\n== {n} articles, {n * args.links_per_article} distinct links "
                    f"({time.perf_counter() - t:.0f} s)"
                )
                print(
                    f"linkcheck: read {lc['files'] / lc['read_s']:.0f} files/s; check "
                    f"{lc['links'] / lc['run_s']:.0f} links/s (incl. reading); ok "
                    f"{lc['ok']}/{lc['links']}; peak RSS {lc['rss_mib']:.0f} MiB; peak live "
                    f"tasks {lc['peak_tasks']}"
                )
                print(
                    f"naive:     check {naive['links'] / naive['run_s']:.0f} links/s; ok "
                    f"{naive['ok']}/{naive['links']}; peak RSS {naive['rss_mib']:.0f} MiB; "
                    f"peak live tasks {naive['peak_tasks']}"
                )
                print(
                    f"ratios (naive / linkcheck): RSS {naive['rss_mib'] / lc['rss_mib']:.2f}, "
                    f"live tasks {naive['peak_tasks'] / max(1, lc['peak_tasks']):.0f}"
                )
    finally:
        server.stdin.close()  # type: ignore[union-attr]
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
