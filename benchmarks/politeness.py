"""Politeness and speed together: how close is a run to the fastest polite schedule?

A local multi-host web (127.0.0.1 ... 127.0.0.N, each a distinct host) with injected latency,
one host much bigger than the rest, and one host that answers 429 when its own rate limit is
exceeded. linkcheck checks a library citing all of them; the script prints the wall time, the
theoretical lower bound of that workload under the configured limits, their ratio, what the
servers observed per host (max in flight, max requests in any 1 s window) and the 429s sent.

As a peer in the same run, the same workload is also run by a naive polite checker: a global
semaphore plus a per-host semaphore and spacing, taken in file order (head-of-line blocking).

    python benchmarks/politeness.py [--scenario NAME] [--skip-naive]

Only loopback traffic; every loop is bounded; it stops by itself.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import anyio
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import sitekit  # noqa: E402

from linkcheck.config import Config  # noqa: E402
from linkcheck.pipeline import run  # noqa: E402


def build_library(folder: Path, sites: list[sitekit.Site], counts: list[int]) -> int:
    """One article per 5 links, links interleaved in file order by host blocks (worst case for
    head-of-line blocking: the big host's URLs come first)."""
    urls = [s.url(f"/ok?n={i}") for s, n in zip(sites, counts, strict=True) for i in range(n)]
    folder.mkdir(parents=True, exist_ok=True)
    for a in range(0, len(urls), 5):
        lines = ["---", f'title: "Article {a // 5}"']
        chunk = urls[a : a + 5]
        lines.append(f'webUrl: "{chunk[0]}"')
        if len(chunk) > 1:
            lines.append("related:")
            for u in chunk[1:]:
                lines += ['  - title: "rel"', f'    webUrl: "{u}"']
        lines += ["---", "body", ""]
        (folder / f"a{a // 5:05d}.md").write_text("\n".join(lines))
    return len(urls)


def lower_bound(counts: list[int], cfg: Config, latency: float) -> float:
    per_host = [
        max((n - 1) / cfg.host_rate, n * latency / cfg.host_concurrency) + latency for n in counts
    ]
    overall = sum(counts) * latency / cfg.concurrency
    return max(max(per_host), overall)


async def naive(urls: list[str], cfg: Config) -> None:
    """Peer: global + per-host semaphores, spacing enforced while holding the global slot."""
    glob = anyio.Semaphore(cfg.concurrency)
    hosts: dict[str, tuple[anyio.Semaphore, list[float]]] = {}
    async with httpx.AsyncClient(timeout=20) as client:

        async def one(url: str) -> None:
            host = httpx.URL(url).netloc.decode()
            sem, last = hosts.setdefault(host, (anyio.Semaphore(cfg.host_concurrency), [0.0]))
            async with glob, sem:
                wait = last[0] + 1 / cfg.host_rate - anyio.current_time()
                last[0] = max(anyio.current_time(), last[0] + 1 / cfg.host_rate)
                if wait > 0:
                    await anyio.sleep(wait)
                await client.head(url)

        async with anyio.create_task_group() as tg:
            for u in urls:
                tg.start_soon(one, u)


def observe(sites: list[sitekit.Site], counts: list[int]) -> list[str]:
    rows = []
    for s, n in zip(sites, counts, strict=True):
        rows.append(
            f"    {s.host:<22} urls={n:<5} requests={len(s.log):<5} "
            f"max_in_flight={s.max_in_flight()}"
            f"  max_rate_1s={s.max_rate(1.0):<3} 429s={s.count_429}"
        )
    return rows


SCENARIOS = {
    # rate-bound: the big host's 300 URLs at 10/s dominate
    "rate-bound": dict(
        big=300,
        small=40,
        hosts=6,
        latency=0.05,
        concurrency=20,
        host_concurrency=4,
        host_rate=10.0,
        server_limit=12.0,
    ),
    # latency-bound: 300 ms answers, so per-host concurrency and global slots dominate
    "latency-bound": dict(
        big=200,
        small=60,
        hosts=10,
        latency=0.3,
        concurrency=20,
        host_concurrency=4,
        host_rate=50.0,
        server_limit=60.0,
    ),
    # the configured rate is ABOVE what the last host allows: 429s, Retry-After, back-off
    "over-limit": dict(
        big=60,
        small=60,
        hosts=3,
        latency=0.02,
        concurrency=20,
        host_concurrency=4,
        host_rate=10.0,
        server_limit=5.0,
    ),
}


def scenario(name: str, p: dict, skip_naive: bool) -> None:
    counts = [p["big"]] + [p["small"]] * (p["hosts"] - 1)
    cfg = Config(
        concurrency=p["concurrency"],
        host_concurrency=p["host_concurrency"],
        host_rate=p["host_rate"],
        timeout=20,
        allow_private=True,  # the servers are on loopback, which the address guard refuses
    )
    print(
        f"\n== {name}: {sum(counts)} URLs on {p['hosts']} hosts {counts}, latency "
        f"{p['latency'] * 1000:.0f} ms; limits: concurrency {cfg.concurrency}, per host "
        f"{cfg.host_concurrency} in flight and {cfg.host_rate:g}/s; last host answers 429 "
        f"above {p['server_limit']:g}/s"
    )
    bound = lower_bound(counts, cfg, p["latency"])
    print(f"lower bound: {bound:.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        sites = sitekit.start_sites(p["hosts"], latency=p["latency"])
        sites[-1].rate_limit = p["server_limit"]
        try:
            build_library(Path(tmp) / "lib", sites, counts)
            t0 = time.perf_counter()
            report = anyio.run(run, [str(Path(tmp) / "lib")], cfg)
            wall = time.perf_counter() - t0
            outcomes = {}
            for r in report.results:
                outcomes[r.outcome.value] = outcomes.get(r.outcome.value, 0) + 1
            print(
                f"linkcheck: wall {wall:.2f} s, ratio to lower bound {wall / bound:.3f}, "
                f"outcomes {outcomes}"
            )
            for line in observe(sites, counts):
                print(line)
            slowed = [
                (h.host, h.rate_limit, h.responses_429) for h in report.run.hosts if h.slowed_down
            ]
            lc_over = [
                s.host
                for s in sites
                if s.max_in_flight() > cfg.host_concurrency or s.max_rate(1.0) > cfg.host_rate
            ]
            print(
                f"  429s provoked: {sum(s.count_429 for s in sites)}; hosts over a configured "
                f"limit: {lc_over or 'none'}; slowed down (host, rate, 429s): {slowed or 'none'}"
            )
            if not skip_naive:
                for s in sites:
                    s.reset()
                urls = [
                    s.url(f"/ok?n={i}")
                    for s, n in zip(sites, counts, strict=True)
                    for i in range(n)
                ]
                t0 = time.perf_counter()
                anyio.run(naive, urls, cfg)
                nwall = time.perf_counter() - t0
                print(
                    f"naive peer: wall {nwall:.2f} s, ratio to lower bound {nwall / bound:.3f}; "
                    f"linkcheck is {nwall / wall:.2f}x faster; peer provoked "
                    f"{sum(s.count_429 for s in sites)} 429s"
                )
        finally:
            sitekit.stop_sites(sites)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--scenario",
        choices=sorted(SCENARIOS),
        action="append",
        help="run only these (default: all)",
    )
    ap.add_argument("--skip-naive", action="store_true", help="do not run the naive peer")
    args = ap.parse_args()
    print(
        f"machine: {os.uname().sysname} {os.uname().machine}, {os.cpu_count()} cpus, "
        f"python {sys.version.split()[0]}"
    )
    for name in args.scenario or SCENARIOS:
        scenario(name, SCENARIOS[name], args.skip_naive)


if __name__ == "__main__":
    main()
