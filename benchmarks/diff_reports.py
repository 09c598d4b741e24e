"""`linkcheck diff` on two big reports: time per stage and peak memory.

Writes two JSON reports of N links each (default 100,000; two citations per link, a fifth of
them images with a probed size) where a tenth of the links change between the two: ok -> 404,
404 -> ok, 404 -> 410, image resized, new and vanished links. Then, in a fresh subprocess per
output format (so each peak RSS is its own), reads both, diffs them and renders the result,
timing each stage.

    python benchmarks/diff_reports.py [--links 100000] [--keep DIR]

Prints, per format: CPU seconds to read OLD, read NEW, diff and render (and the wall time of
all four: the machine may be shared); peak RSS; RSS after reading the two reports (what the
reports alone cost); and the sizes of the files. No network.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MEASURE = r"""
import io, json, resource, sys, time
sys.path.insert(0, {root!r})
from linkcheck.cli.diff import render_text
from linkcheck.formats.json_read import load_report
from linkcheck.report.diff import diff_reports

def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

old_path, new_path, fmt = sys.argv[1:4]
clock = time.process_time  # CPU seconds: the machine is shared, wall time is noise
w0, t0 = time.perf_counter(), clock()
old = load_report(old_path)
t1 = clock()
new = load_report(new_path)
t2 = clock()
after_read = rss_mb()
diff = diff_reports(old, new)
t3 = clock()
if fmt == "json":
    text = json.dumps(diff.as_dict(), indent=2, ensure_ascii=False)
else:
    text = render_text(diff, old_path, new_path, limit=10)
t4 = clock()
print(json.dumps({{
    "read_old_s": t1 - t0, "read_new_s": t2 - t1, "diff_s": t3 - t2, "render_s": t4 - t3,
    "wall_s": time.perf_counter() - w0,
    "rss_after_read_mb": after_read, "peak_rss_mb": rss_mb(), "output_bytes": len(text),
    "counts": diff.counts,
}}))
"""


def make_reports(n: int, folder: Path) -> tuple[Path, Path]:
    from linkcheck.formats.json import write_report
    from linkcheck.models import (
        CheckResult,
        ImageProbe,
        Link,
        LinkKind,
        Occurrence,
        Outcome,
        Reason,
        Report,
        RunInfo,
        Source,
    )

    def result(i: int, outcome: Outcome, status: int, size: int = 64) -> CheckResult:
        image = i % 5 == 0
        url = f"https://host{i % 50}.example/{'img' if image else 'page'}/{i}"
        kind = LinkKind.IMAGE if image else LinkKind.PAGE
        field = "images[0].url" if image else "webUrl"
        occurrences = tuple(
            Occurrence(url, kind, Source(f"articles/a{(i + k) % (n // 2 + 1)}.md", field, 3, "T"))
            for k in range(2)
        )
        broken = outcome is Outcome.BROKEN
        reason = None
        if broken:
            reason = Reason.IMAGE_DIMENSION_MISMATCH if image else Reason.HTTP_STATUS
        probe = ImageProbe("png", size, 48, size, 48, 300) if image else None
        return CheckResult(
            link=Link(url, kind, occurrences),
            outcome=outcome,
            reason=reason,
            http_status=status,
            final_url=url,
            attempts=1,
            image=probe,
        )

    old, new = [], []
    for i in range(n):
        change = i % 100  # 10 of every 100 change
        ok, bad = Outcome.OK, Outcome.BROKEN
        if change == 0:  # ok -> broken
            old.append(result(i, ok, 200))
            new.append(result(i, bad, 404))
        elif change == 1:  # broken -> ok
            old.append(result(i, bad, 404))
            new.append(result(i, ok, 200))
        elif change == 2:  # 404 -> 410 (images: resized)
            old.append(result(i, bad, 404))
            new.append(result(i, bad, 410, size=32))
        elif change in (3, 4):  # still broken
            old.append(result(i, bad, 404))
            new.append(result(i, bad, 404))
        elif change in (5, 6):  # vanished
            old.append(result(i, ok, 200))
        elif change in (7, 8, 9):  # new
            new.append(result(i, ok, 200))
        else:
            old.append(result(i, ok, 200))
            new.append(result(i, ok, 200))
    paths = []
    for name, results in (("old", old), ("new", new)):
        run = RunInfo(
            started_at="2026-11-30T00:00:00Z",
            finished_at="2026-11-30T01:00:00Z",
            duration_s=3600.0,
            inputs=("articles",),
            options={},
        )
        results.sort(key=lambda r: r.link.url)
        report = Report(run=run, files=n // 2, articles=n // 2, results=tuple(results))
        path = folder / f"{name}.json"
        write_report(str(path), report, tool_version="bench")
        paths.append(path)
    return paths[0], paths[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="write the reports here and keep them")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        old, new = make_reports(args.links, folder)
        print(
            f"{args.links:,} links per report; OLD {old.stat().st_size / 1e6:.0f} MB, "
            f"NEW {new.stat().st_size / 1e6:.0f} MB"
        )
        for fmt in ("text", "json"):
            code = MEASURE.format(root=str(ROOT))
            done = subprocess.run(
                [sys.executable, "-c", code, str(old), str(new), fmt],
                capture_output=True,
                text=True,
                check=True,
                timeout=600,
            )
            m = json.loads(done.stdout)
            print(
                f"{fmt:>4}: CPU s: read OLD {m['read_old_s']:.2f}, read NEW {m['read_new_s']:.2f}, "
                f"diff {m['diff_s']:.2f}, render {m['render_s']:.2f} (wall {m['wall_s']:.1f}); "
                f"RSS after reading {m['rss_after_read_mb']:.0f} MB, "
                f"peak {m['peak_rss_mb']:.0f} MB; output {m['output_bytes'] / 1e6:.1f} MB"
            )
        print("counts:", m["counts"])


if __name__ == "__main__":
    main()
