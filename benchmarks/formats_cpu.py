"""Time and peak memory to write each output format for a big report.

Builds, in a fresh subprocess per format (so each peak RSS is its own), a report of N links
(default 100,000; two citations per link; a fifth of them images with a probed size; 5 % broken
with 404, 2 % images declared at the wrong size in one of their two articles, 1 % permanent
redirects, 1 % rate-limited warnings; 200 hosts), then writes it in one format to a file the way
the CLI does (`cli.output.write_output`: a temporary file renamed over the target).

    python benchmarks/formats_cpu.py [--links 100000] [--formats ndjson,csv,...]

Prints, per format: CPU seconds to write, wall seconds, peak RSS, the RSS the report itself
costs (after building it, before writing), the growth while writing, and the file size.
No network.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DEFAULT_FORMATS = "json,text,ndjson,csv,markdown,junit,sarif,github,prometheus"

MEASURE = r"""
import os, resource, sys, time
sys.path.insert(0, {root!r})
from linkcheck.cli.output import write_output
from linkcheck.formats import RenderOptions, get_formatter
from linkcheck.models import (
    CheckResult, DeclaredSize, Hop, HostStats, ImageProbe, Link, LinkKind, Occurrence, Outcome,
    Reason, Report, RunInfo, SizeVerdict, Source,
)

def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

n, fmt, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
results = []
for i in range(n):
    host = f"host{{i % 200}}.example"
    image = i % 5 == 0
    url = f"https://{{host}}/{{'img' if image else 'page'}}/{{i}}" + (".jpg" if image else "")
    kind = LinkKind.IMAGE if image else LinkKind.PAGE
    wrong = image and i % 50 == 0
    occs = []
    for j in range(2):
        src = Source(f"section{{i % 40}}/article-{{(i + j) % 20000}}.md",
                     "images[0].url" if image else ("webUrl" if j == 0 else "related[0].webUrl"),
                     5 + j, f"Article {{i}}", f"key-{{(i + j) % 20000}}")
        declared = verdict = None
        if image:
            w = 320 if (wrong and j == 1) else 640
            declared = DeclaredSize(w, w * 3 // 4)
            verdict = SizeVerdict(w, w * 3 // 4, w == 640, True)
        occs.append(Occurrence(url, kind, src, declared, verdict))
    outcome, reason, status, redirects = Outcome.OK, None, 200, ()
    if wrong:
        outcome, reason, status = Outcome.BROKEN, Reason.IMAGE_DIMENSION_MISMATCH, 206
    elif i % 20 == 1:
        outcome, reason, status = Outcome.BROKEN, Reason.HTTP_STATUS, 404
    elif i % 100 == 3:
        redirects = (Hop(url, 301),)
    elif i % 100 == 7:
        outcome, reason, status = Outcome.WARNING, Reason.RATE_LIMITED, 429
    probe = ImageProbe("jpeg", 640, 480, 640, 480, 4096) if image else None
    results.append(CheckResult(
        Link(url, kind, tuple(occs)), outcome, reason, status,
        url + "/" if redirects else url, redirects, 1, 0.05, "", probe,
        checked_at="2026-11-30T21:00:00Z",
    ))
run = RunInfo(started_at="2026-11-30T21:00:00Z", finished_at="2026-11-30T21:40:00Z",
              duration_s=2400.0, inputs=("content",), options={{}},
              hosts=tuple(HostStats(f"host{{h}}.example", requests=n // 200) for h in range(200)))
report = Report(run=run, files=20000, articles=20000, results=tuple(results))
del results
built = rss_mb()
options = RenderOptions(tool_version="bench")
w0, c0 = time.perf_counter(), time.process_time()
write_output(get_formatter(fmt), report, out, options=options)
cpu, wall = time.process_time() - c0, time.perf_counter() - w0
print(json.dumps({{"cpu_s": cpu, "wall_s": wall, "report_rss_mb": built,
                   "peak_rss_mb": rss_mb(), "bytes": os.path.getsize(out)}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--links", type=int, default=100_000)
    parser.add_argument("--formats", default=DEFAULT_FORMATS)
    args = parser.parse_args()
    code = MEASURE.format(root=str(ROOT)).replace("import os,", "import json, os,")
    print(f"{args.links:,} links, 2 citations each; CPU and wall seconds to write one format")
    print(
        f"{'format':<11} {'cpu s':>7} {'wall s':>7} {'peak MB':>8} {'report MB':>9} "
        f"{'growth MB':>9} {'size MB':>8}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in args.formats.split(","):
            out = str(Path(tmp) / f"out.{fmt}")
            proc = subprocess.run(
                [sys.executable, "-c", code, str(args.links), fmt, out],
                capture_output=True,
                text=True,
                timeout=900,
            )
            if proc.returncode != 0:
                print(f"{fmt:<11} failed: {proc.stderr.strip().splitlines()[-1:]}")
                continue
            m = json.loads(proc.stdout)
            growth = m["peak_rss_mb"] - m["report_rss_mb"]
            print(
                f"{fmt:<11} {m['cpu_s']:>7.2f} {m['wall_s']:>7.2f} {m['peak_rss_mb']:>8.0f} "
                f"{m['report_rss_mb']:>9.0f} {growth:>9.0f} {m['bytes'] / 1e6:>8.1f}"
            )


if __name__ == "__main__":
    main()
