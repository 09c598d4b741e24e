"""The HTML report at scale: writing it, and opening it in headless Chromium.

A synthetic report of N links (tests/htmlkit.py: every outcome, image mismatches, permanent
redirects, history, 200 hosts, ~N/4 articles) is written with the html formatter, timed, and
its peak Python memory measured (tracemalloc, in a second pass: it slows writing down); the
JSON report of the same links is timed for comparison. Then Debian's chromium (through
Playwright, never a downloaded browser) opens the file `--opens` times; each open reports the
time from navigation start to the first rendered page of rows (the page's `data-ready-ms`) and
the wall time of `goto` until then, and one filter (outcome = broken) is timed too.

    python benchmarks/html_report.py [--links 100000] [--opens 3] [--keep FILE]

No network: the page is a local file and its CSP forbids every request.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import htmlkit  # noqa: E402

from linkcheck.formats import html as html_format  # noqa: E402
from linkcheck.formats import json as json_format  # noqa: E402


class _Null(io.TextIOBase):
    def write(self, s: str) -> int:
        return len(s)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--links", type=int, default=100_000)
    parser.add_argument("--opens", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep the HTML file here")
    args = parser.parse_args()

    t = time.perf_counter()
    report = htmlkit.synthetic_report(args.links)
    print(f"synthetic report: {args.links:,} links in {time.perf_counter() - t:.1f} s")

    t = time.perf_counter()
    json_format.write(report, _Null(), tool_version="bench")
    print(f"json  write: {time.perf_counter() - t:.1f} s (for comparison)")

    folder = Path(tempfile.mkdtemp(prefix="html-report-"))
    path = args.keep or folder / "report.html"
    t = time.perf_counter()
    htmlkit.render_html(report, path)
    took = time.perf_counter() - t
    print(f"html  write: {took:.1f} s, {path.stat().st_size / 1e6:.1f} MB")

    tracemalloc.start()
    html_format.write(report, _Null(), tool_version="bench")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"html  write peak Python memory above the report: {peak / 1e6:.1f} MB")

    why = htmlkit.browser_missing()
    if why:
        print(f"browser: skipped ({why})")
        return 0
    from playwright.sync_api import sync_playwright

    ready, walls, filters = [], [], []
    with sync_playwright() as pw:
        browser = htmlkit.launch_chromium(pw)
        for _ in range(args.opens):
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            t = time.perf_counter()
            page.goto(path.as_uri(), timeout=120_000)
            page.wait_for_selector("html[data-ready='1']", timeout=120_000)
            walls.append(time.perf_counter() - t)
            ready.append(int(page.get_attribute("html", "data-ready-ms") or 0))
            rows = page.locator("#results tbody tr").count()
            t = time.perf_counter()
            page.select_option("#f-outcome", "broken")
            filters.append(time.perf_counter() - t)
            assert not errors, errors
            page.close()
        browser.close()
    print(f"chromium {browser.version}: {rows} table rows in the DOM")
    print(
        f"open: ready {statistics.median(ready)} ms after navigation (median of {args.opens}; "
        f"all {ready}), goto→ready wall {statistics.median(walls):.2f} s"
    )
    print(f"filter outcome=broken: {statistics.median(filters) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
