"""CPU per request of the HTTP transports linkcheck can use, and requests per TCP connection.

10,000 HEADs over 20 loopback hosts, 200 in flight, at most 16 per host. The servers (tests/
sitekit.py sites on 127.0.0.1-20) run in their own process; each variant runs in a fresh
subprocess, and its CPU per request is that process's CPU time divided by the requests made.

Variants:
  aiohttp-bare       aiohttp alone (a reference: no httpx at all)
  httpx-one-pool     httpx's default transport, one pool of 216 keep-alive connections
  httpx-per-host     httpx over linkcheck.net.pool.PerHostTransport (a small pool per host)
  httpx-aiohttp      httpx over linkcheck.net.transport.AiohttpTransport
  linkcheck-aiohttp  linkcheck's make_client + exchange() (default backend)
  linkcheck-httpx    linkcheck's make_client(backend="httpx") + exchange()
  linkcheck-*-guarded  the same with the private-address guard on (--allow-net 127.0.0.0/8
                     instead of --allow-private): its cost per request

    python benchmarks/transport_cpu.py [--requests 10000] [--repeat 3] [--variants NAME ...]

On a shared machine, use --repeat: the least CPU of the runs is reported (contention only
ever adds CPU time).

Only loopback traffic; bounded; stops by itself.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOSTS = 20
IN_FLIGHT = 200
PER_HOST = 16
VARIANTS = (
    "aiohttp-bare",
    "httpx-one-pool",
    "httpx-per-host",
    "httpx-aiohttp",
    "linkcheck-aiohttp",
    "linkcheck-httpx",
    "linkcheck-aiohttp-guarded",
    "linkcheck-httpx-guarded",
)

SERVER = """
import json, sys
sys.path.insert(0, {tests!r})
import sitekit
sites = sitekit.start_sites({hosts}, first=1)
for s in sites:
    s.route("/__conns", lambda req: sitekit.Response.text(str(len(req.site.connection_ids()))))
print(json.dumps([s.base_url for s in sites]), flush=True)
sys.stdin.read()
sitekit.stop_sites(sites)
"""


def connections(bases: list[str]) -> int:
    """Connections every site has seen so far (each stats request adds its own one)."""
    total = 0
    for base in bases:
        with urllib.request.urlopen(f"{base}/__conns", timeout=10) as answer:
            total += int(answer.read())
    return total


async def _drive(urls: list[str], one: object) -> int:
    """Send every URL through `one(url)`, IN_FLIGHT at once, at most PER_HOST per host."""
    import anyio

    send = one  # an async callable
    per_host: dict[str, anyio.Semaphore] = {}
    it = iter(urls)
    failures = 0

    async def worker() -> None:
        nonlocal failures
        for url in it:
            host = url.split("/")[2]
            sem = per_host.setdefault(host, anyio.Semaphore(PER_HOST))
            async with sem:
                try:
                    ok = await send(url)  # type: ignore[operator]
                except Exception:  # noqa: BLE001 - counted, the run goes on
                    ok = False
                failures += not ok

    async with anyio.create_task_group() as tg:
        for _ in range(IN_FLIGHT):
            tg.start_soon(worker)
    return failures


async def _variant(name: str, urls: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    import httpx

    TIMEOUT = httpx.Timeout(30.0, pool=None)  # noqa: N806 - a slow pool must not fail requests
    client: httpx.AsyncClient
    if name == "aiohttp-bare":
        import aiohttp

        conn = aiohttp.TCPConnector(limit=IN_FLIGHT + 16, limit_per_host=PER_HOST + 4)
        async with aiohttp.ClientSession(connector=conn) as session:

            async def bare(url: str) -> bool:
                async with session.head(url, allow_redirects=False) as r:
                    return r.status == 200

            return await _drive(urls, bare)
    if name.startswith("linkcheck-"):
        from linkcheck.config import Config
        from linkcheck.net.client import make_client
        from linkcheck.net.exchange import exchange

        guarded = name.endswith("-guarded")  # the guard checks every request, allowing loopback
        config = Config(
            concurrency=IN_FLIGHT,
            host_concurrency=PER_HOST,
            timeout=10,
            allow_private=not guarded,
            allow_net=("127.0.0.0/8",) if guarded else (),
        )
        async with make_client(
            config, backend="aiohttp" if name.startswith("linkcheck-aiohttp") else "httpx"
        ) as client:

            async def checked(url: str) -> bool:
                ex = await exchange(client, "HEAD", url, timeout=10)
                return ex.status == 200

            return await _drive(urls, checked)
    if name == "httpx-one-pool":
        limits = httpx.Limits(max_connections=IN_FLIGHT + 16, max_keepalive_connections=IN_FLIGHT)
        client = httpx.AsyncClient(limits=limits, timeout=TIMEOUT, trust_env=False)
    elif name == "httpx-per-host":
        from linkcheck.net.pool import PerHostTransport

        per_host = PerHostTransport(max_per_host=PER_HOST + 4)
        client = httpx.AsyncClient(transport=per_host, timeout=TIMEOUT)
    elif name == "httpx-aiohttp":
        from linkcheck.net.transport import AiohttpTransport

        transport = AiohttpTransport(max_connections=IN_FLIGHT + 16, max_per_host=PER_HOST + 4)
        client = httpx.AsyncClient(transport=transport, timeout=TIMEOUT)
    else:
        raise SystemExit(f"unknown variant {name}")
    async with client:

        async def plain(url: str) -> bool:
            return (await client.head(url)).status_code == 200

        return await _drive(urls, plain)


def child(name: str, bases: list[str], requests: int) -> None:
    import anyio

    urls = [f"{bases[i % len(bases)]}/ok?i={i}" for i in range(requests)]
    cpu0, wall0 = time.process_time(), time.monotonic()
    failures = anyio.run(_variant, name, urls)
    cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
    print(json.dumps({"cpu": cpu, "wall": wall, "failures": failures}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs per variant; the best counts")
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=VARIANTS)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--bases", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, json.loads(args.bases), args.requests)
        return
    code = SERVER.format(tests=str(ROOT / "tests"), hosts=HOSTS)
    server = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        bases = json.loads(server.stdout.readline())
        print(f"{args.requests} HEADs, {HOSTS} hosts, {IN_FLIGHT} in flight, {PER_HOST}/host")
        print(f"{'variant':<18} {'CPU ms/req':>10} {'wall s':>7} {'req/conn':>8} {'failed':>6}")
        for name in args.variants:
            best: dict[str, float] | None = None
            for _ in range(args.repeat):  # the least CPU of N runs: other load only adds
                before = connections(bases)
                out = subprocess.run(
                    [sys.executable, __file__, "--child", name, "--bases", json.dumps(bases)]
                    + ["--requests", str(args.requests)],
                    capture_output=True,
                    text=True,
                )
                if out.returncode != 0:
                    print(f"{name:<18} failed: {out.stderr.strip().splitlines()[-1:]}")
                    break
                res = json.loads(out.stdout.strip().splitlines()[-1])
                res["conns"] = connections(bases) - before - len(bases)  # minus stats' own
                if best is None or res["cpu"] < best["cpu"]:
                    best = res
            if best is not None:
                print(
                    f"{name:<18} {1000 * best['cpu'] / args.requests:>10.3f} "
                    f"{best['wall']:>7.2f} {args.requests / max(best['conns'], 1):>8.1f} "
                    f"{best['failures']:>6}",
                    flush=True,
                )
    finally:
        if server.stdin:
            server.stdin.close()
        server.wait(10)


if __name__ == "__main__":
    main()
