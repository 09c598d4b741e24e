"""Memory: peak RSS of a whole run (read, check, write the JSON report) as the library grows.

A library of N articles in the seed's shape (webUrl, images with a declared size, related
articles with their own URL and image, links in the body; ~4.5 unique URLs per article, some
URLs cited by several articles) points at 20 loopback hosts. Each size runs in a fresh
subprocess so its peak RSS (`ru_maxrss`) is its own; the servers run in another process.

    python benchmarks/memory.py [--sizes 2000 20000] [--server sitekit|mock] [--root DIR]

--server sitekit  20 `tests/sitekit.py` sites on 127.0.0.1-20 in their own process (real HTTP).
--server mock     no sockets: an injected httpx.MockTransport answers at once (200, or a small
                  JPEG for images), so the run is bounded by linkcheck itself.
--root DIR        a linkcheck source tree to measure (default: this one), e.g. an older commit
                  checked out with `git worktree add /tmp/lc-old <commit>`.

Prints, per size: links, peak RSS, RSS growth per link over an empty run, and the time to read,
to check and to write the report. Only loopback traffic; bounded; stops by itself.
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
HOSTS = 20

SERVER = """
import sys
sys.path.insert(0, {tests!r})
import sitekit
sites = sitekit.start_sites({hosts}, first=1, files_dir={images!r})
print(" ".join(s.base_url for s in sites), flush=True)
sys.stdin.read()
sitekit.stop_sites(sites)
"""

# Runs in a fresh interpreter against --root. Uses only what linkcheck 0.1 already had
# (pipeline.run(paths, config), formats.json.dumps/write_atomic) so old trees can be measured.
CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
import anyio, httpx
from linkcheck import pipeline
from linkcheck.config import Config
from linkcheck.formats import json as jsonfmt

def rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

JPEG = open({jpeg!r}, "rb").read()

def answer(request):
    if "/files/" in request.url.path:
        return httpx.Response(200, headers={{"content-type": "image/jpeg"}}, content=JPEG)
    return httpx.Response(200, headers={{"content-type": "text/html"}})

marks = {{}}
def on_progress(p):
    marks.setdefault(p.phase, time.perf_counter())

async def main():
    # the servers are on loopback, refused by default since the address guard (old trees: no flag)
    allow = {{"allow_private": True}} if "allow_private" in Config.__dataclass_fields__ else {{}}
    cfg = Config(concurrency=200, host_concurrency=16, host_rate=100000.0, timeout=30.0,
                 retries=0, **allow)
    kw = {{"on_progress": on_progress}}
    if {mock!r}:  # linkcheck's own client, its transport swapped (works on old trees too)
        make_client = pipeline.make_client
        def mocked(config, **kw):
            client = make_client(config, **kw)
            client._transport = httpx.MockTransport(answer)
            return client
        pipeline.make_client = mocked
    t0 = time.perf_counter()
    base_rss = rss_mib()
    report = await pipeline.run([{lib!r}], cfg, **kw)
    t1 = time.perf_counter()
    rss_checked = rss_mib()
    out = {out!r}
    if hasattr(jsonfmt, "write_report"):
        jsonfmt.write_report(out, report, tool_version="bench")
    else:
        jsonfmt.write_atomic(out, jsonfmt.dumps(report, tool_version="bench"))
    t2 = time.perf_counter()
    ok = sum(1 for r in report.results if r.outcome.value == "ok")
    read_end = marks.get("checking", t0)
    print(json.dumps(dict(
        links=len(report.results), ok=ok, files=report.files,
        read_s=read_end - t0, check_s=t1 - read_end, write_s=t2 - t1,
        base_rss_mib=base_rss, rss_checked_mib=rss_checked, rss_mib=rss_mib(),
    )))

anyio.run(main)
"""


def write_library(folder: Path, bases: list[str], articles: int) -> int:
    """The seed's shape, ~4.5 unique URLs per article spread over the hosts; returns how many
    unique URLs were written."""
    folder.mkdir(parents=True)
    unique: set[str] = set()
    for a in range(articles):
        host = bases[a % len(bases)]
        other = bases[(a * 7 + 3) % len(bases)]
        web = f"{host}/ok?article={a}"
        image = f"{host}/files/jpeg_baseline_pil.jpg?a={a}"
        related = f"{other}/ok?story={a}"
        cited = f"{bases[(a + 1) % len(bases)]}/ok?article={(a + 1) % articles}"  # another's
        urls = [web, image, related, cited]
        amp = ""
        if a % 4:
            urls.append(f"{host}/ok?amp={a}")
            amp = f'ampWebUrl: "{host}/ok?amp={a}"\n'
        body = f"Read more at [the story]({related}) and [the next one]({cited}).\n"
        if a % 2:
            extra = f"{other}/ok?aside={a}"
            urls.append(extra)
            body += f"\nAlso: <{extra}>\n"
        if a % 4 == 0:
            rel_image = f"{other}/files/jpeg_baseline_pil.jpg?r={a}"
            urls.append(rel_image)
            rel_images = (
                f'    images:\n      - url: "{rel_image}"\n'
                "        width: 640\n        height: 480\n"
            )
        else:
            rel_images = ""
        unique.update(urls)
        (folder / f"{a:06d}_article.md").write_text(
            "---\n"
            "category: news\n"
            f'title: "Article number {a} about a thing that happened"\n'
            f'excerpt: "A short excerpt of article {a}, long enough to look like the real ones."\n'
            "publishedDateTime: 2020-06-09T13:06:00Z\n"
            f'webUrl: "{web}"\n'
            f"{amp}"
            "type: article\n"
            "provider:\n  name: Local News\n  domain: localnews.example\n"
            "topics:\n  - Things\n  - Events\n"
            "images:\n"
            f'  - url: "{image}"\n    width: 500\n    height: 326\n    isCached: true\n'
            "related:\n"
            f'  - title: "A related story {a}"\n'
            f'    webUrl: "{related}"\n'
            "    publishedDateTime: 2020-06-09T02:22:00Z\n"
            f"{rel_images}"
            "---\n"
            f"{body}",
            encoding="utf-8",
        )
    return len(unique)


def measure(root: Path, lib: Path, out: Path, mock: bool) -> dict[str, float]:
    code = CHILD.format(
        root=str(root),
        lib=str(lib),
        out=str(out),
        mock=mock,
        jpeg=str(ROOT / "fixtures" / "images" / "jpeg_baseline_pil.jpg"),
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=lib.parent
    )
    if done.returncode:
        raise SystemExit(f"the run failed:\n{done.stderr[-3000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000], help="articles")
    ap.add_argument("--server", choices=["sitekit", "mock"], default="sitekit")
    ap.add_argument("--root", type=Path, default=ROOT, help="linkcheck tree to measure")
    args = ap.parse_args()
    print(
        f"machine: {os.uname().sysname} {os.uname().machine}, {os.cpu_count()} cpus, "
        f"python {sys.version.split()[0]}; server: {args.server}; root: {args.root}"
    )
    server = None
    if args.server == "sitekit":
        server = subprocess.Popen(
            [
                sys.executable,
                "-c",
                SERVER.format(
                    tests=str(ROOT / "tests"),
                    hosts=HOSTS,
                    images=str(ROOT / "fixtures" / "images"),
                ),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert server.stdout is not None
        bases = server.stdout.readline().split()
    else:
        bases = [f"http://127.0.0.{i + 1}:8" for i in range(HOSTS)]  # never dialled
    try:
        with tempfile.TemporaryDirectory() as tmp:
            empty = Path(tmp) / "empty"
            empty.mkdir()
            floor = measure(args.root, empty, Path(tmp) / "empty.json", args.server == "mock")
            print(f"empty run: peak RSS {floor['rss_mib']:.0f} MiB (the interpreter + imports)")
            for n in args.sizes:
                lib = Path(tmp) / f"lib{n}"
                t = time.perf_counter()
                urls = write_library(lib, bases, n)
                gen = time.perf_counter() - t
                out = Path(tmp) / f"report{n}.json"
                m = measure(args.root, lib, out, args.server == "mock")
                per_link = (m["rss_mib"] - floor["rss_mib"]) * 1024 * 1024 / max(1, m["links"])
                print(
                    f"\n== {n} articles, {urls} unique URLs written, {m['links']:.0f} links "
                    f"reported ({m['ok']:.0f} ok); library written in {gen:.1f} s"
                )
                print(
                    f"peak RSS {m['rss_mib']:.0f} MiB (after checking {m['rss_checked_mib']:.0f}"
                    f" MiB); {per_link / 1024:.1f} KiB per link over the empty run"
                )
                print(
                    f"read {m['read_s']:.1f} s, check {m['check_s']:.1f} s, write report "
                    f"{m['write_s']:.1f} s ({out.stat().st_size / 1e6:.0f} MB of JSON)"
                )
                print(
                    f"extrapolated: {per_link * 1e6 / 2**30:.2f} GiB of growth at 1M links "
                    f"(linear in links)"
                )
    finally:
        if server is not None:
            server.stdin.close()  # type: ignore[union-attr]
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
