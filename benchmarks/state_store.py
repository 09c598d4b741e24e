"""The state store at the scale of a large library: record and reload a 90,000-link run.

Simulates weekly runs of N links (default 90,000; a fifth of them images with a probe and
validators, 2 % broken, 1 % warnings) through the same `StateSession` the pipeline uses:
open + lock + add the run, load every link's row (history and cache, one batched query), plan
with the cache (`plan.plan`, no network: every verdict is old enough to be rechecked except in
the "daily" run), annotate each result with its history and record the run in one transaction.
Then more runs, to show the file stays bounded once verdicts are pruned (store.KEEP_VERDICT_RUNS).

    python benchmarks/state_store.py [--links 90000] [--runs 14] [--keep FILE]

Prints, per run: seconds to begin, load, plan, annotate and record (CPU and wall: the machine
may be shared), and the size of the store (database + WAL) after it.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from linkcheck.collect.library import Collected  # noqa: E402
from linkcheck.config import Config  # noqa: E402
from linkcheck.models import (  # noqa: E402
    CheckResult,
    DeclaredSize,
    ImageProbe,
    Link,
    LinkKind,
    Occurrence,
    Outcome,
    Reason,
    Source,
    Validators,
)
from linkcheck.plan import plan  # noqa: E402
from linkcheck.state import COMPLETE, StateSession  # noqa: E402


def make_links(n: int) -> list[Link]:
    links = []
    for i in range(n):
        image = i % 5 == 0
        url = f"https://host{i % 400}.example/{'img' if image else 'news'}/{i}/item-{i}.html"
        kind = LinkKind.IMAGE if image else LinkKind.PAGE
        source = Source(f"articles/{i // 3}.md", "images[0].url" if image else "webUrl", 3, "T")
        declared = DeclaredSize(800, 600) if image else None
        links.append(Link(url, kind, (Occurrence(url, kind, source, declared),)))
    return links


def result_of(link: Link, i: int, at: str, week: int) -> CheckResult:
    if link.kind is LinkKind.IMAGE:
        probe = ImageProbe("jpeg", 800, 600, 800, 600, 2048)
        validators = Validators(f'"etag-{i}"', "Mon, 23 Nov 2026 12:00:00 GMT", 51234)
        return CheckResult(
            link, Outcome.OK, None, 206, link.url, image=probe, checked_at=at,
            validators=validators, attempts=1,
        )  # fmt: skip
    if (i + week) % 50 == 0:
        return CheckResult(
            link, Outcome.BROKEN, Reason.HTTP_STATUS, 404, link.url, detail="HTTP 404",
            checked_at=at,
        )  # fmt: skip
    if i % 100 == 1:
        return CheckResult(
            link, Outcome.WARNING, Reason.BLOCKED, 403, link.url,
            detail="HTTP 403: access blocked (link may be alive)", checked_at=at,
        )  # fmt: skip
    return CheckResult(link, Outcome.OK, None, 200, link.url, checked_at=at, attempts=1)


def size_of(path: str) -> int:
    return sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))


def one_run(path: str, links: list[Link], week: int, config: Config) -> dict[str, float]:
    when = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(days=7 * week)
    at = when.isoformat(timespec="seconds").replace("+00:00", "Z")
    figures: dict[str, float] = {}

    def step(name: str, t0: tuple[float, float]) -> tuple[float, float]:
        figures[name] = time.process_time() - t0[0]
        figures[name + "_wall"] = time.perf_counter() - t0[1]
        return time.process_time(), time.perf_counter()

    t = time.process_time(), time.perf_counter()
    session = StateSession(path)
    assert session.try_lock()
    session.begin(at, "bench", ["articles"], config.as_options())
    t = step("begin", t)
    session.load(link.url for link in links)
    t = step("load", t)
    collected = Collected(files=len(links) // 3, articles=len(links) // 3, links=list(links),
                          skipped=[], problems=[])  # fmt: skip
    work = plan(collected, session.cache, config, now=when.timestamp())
    session.planned()
    figures["reused"] = len(work.settled)
    figures["revalidate"] = len(work.revalidate)
    t = step("plan", t)
    settled = {r.link.url for r in work.settled}
    fresh = [
        result_of(link, i, at, week) for i, link in enumerate(links) if link.url not in settled
    ]
    t = time.process_time(), time.perf_counter()  # the checker's results are not ours to time
    for r in fresh:
        session.annotate(r)
    for r in work.settled:
        session.annotate(r)
    t = step("annotate", t)
    session.finish(COMPLETE, at)
    session.close()
    step("record", t)
    figures["size"] = size_of(path)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--links", type=int, default=90_000)
    parser.add_argument("--runs", type=int, default=14)
    parser.add_argument("--keep", help="write the store here (default: a temporary folder)")
    args = parser.parse_args()
    links = make_links(args.links)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or os.path.join(tmp, "state.db")
        weekly = Config(cache_max_age=3 * 86400)
        print(f"{args.links:,} links per run; store {path}")
        print("run  begin   load   plan  annot  record (CPU s; wall s)   reused  reval.  size MiB")
        for week in range(args.runs):
            f = one_run(path, links, week, weekly)
            print(
                f"{week + 1:>3}  {f['begin']:5.2f}  {f['load']:5.2f}  {f['plan']:5.2f}  "
                f"{f['annotate']:5.2f}  {f['record']:5.2f} ({f['record_wall']:5.2f} wall)"
                f"   {int(f['reused']):>6}  {int(f['revalidate']):>6}  {f['size'] / 2**20:8.1f}"
            )
        # a daily run a day after the last weekly one: ok verdicts younger than 3 days reused
        f = one_run(path, links, args.runs - 1, weekly)
        print(
            f"daily load {f['load']:.2f} s, plan {f['plan']:.2f} s, reused {int(f['reused']):,}, "
            f"record {f['record']:.2f} s; size {f['size'] / 2**20:.1f} MiB"
        )


if __name__ == "__main__":
    main()
