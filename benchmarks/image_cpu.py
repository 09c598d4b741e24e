"""CPU of image probing (issue #7 item 4): what `ImageProber` costs per image, by chunking.

A realistic corpus is generated in-process with Pillow (`image_probe.build_corpus`: baseline
and progressive JPEGs 800-1600 px with EXIF and an ICC profile, some with 40-300 KB of XMP or
Photoshop APP13 metadata before the frame header, PNG, GIF, WebP, AVIF when Pillow has it),
plus the padded JPEG/PNG/GIF headers that `ugly_server.py` serves (a JPEG with no scan header:
only the whole body decides it). Each image is fed to a fresh prober as the checker does:

  8k-once    the first 8 KiB in one chunk (then finish() when that did not decide)
  8k/1k      the same 8 KiB in 1 KiB chunks; 8k/4k, 8k/16k likewise (a network delivers chunks)
  ranges     the checker's range walk (fetch.py): 8 KiB, then a jump to wanted_offset() with
             16 KiB, or the next 56 KiB (doubling), delivered in 16 KiB chunks, until decided

and prints, per case and kind: CPU microseconds per image (process time, the fastest of
--repeat passes), per image: parse attempts, store lookups (ByteStore.get + contiguous) and
reader calls (Reader.read + find), counted in a separate, untimed pass, and whether every verdict
matches probe_bytes() of the same bytes at once (the first 8 KiB, or the whole file).

    python benchmarks/image_cpu.py [--count 60] [--seed 3] [--repeat 5]

No network; no asserts; bounded (corpus generation takes most of the time).
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

from image_probe import build_corpus  # noqa: E402
from ugly_server import image_bytes  # noqa: E402

from linkcheck import __version__  # noqa: E402
from linkcheck.images import prober as prober_module  # noqa: E402
from linkcheck.images.fetch import FIRST_IMAGE_RANGE, JUMP_IMAGE_RANGE, NEXT_IMAGE_RANGE  # noqa: E402
from linkcheck.images.prober import ImageProber, probe_bytes  # noqa: E402
from linkcheck.images.store import ByteStore, Reader  # noqa: E402
from linkcheck.models import ImageProbe  # noqa: E402

KIB = 1024
MAX_BYTES = 1 << 20  # Config.image_max_bytes' default


def once(data: bytes) -> ImageProbe:
    p = ImageProber(max_bytes=MAX_BYTES)
    return p.feed(data[:FIRST_IMAGE_RANGE]) or p.finish()


def chunked(size: int) -> Callable[[bytes], ImageProbe]:
    def run(data: bytes) -> ImageProbe:
        p = ImageProber(max_bytes=MAX_BYTES)
        head = data[:FIRST_IMAGE_RANGE]
        for i in range(0, len(head), size):
            out = p.feed(head[i : i + size])
            if out is not None:
                return out
        return p.finish()

    return run


def ranges(data: bytes) -> ImageProbe:
    """fetch.probe_image + _continue_ranges against a server that honours Range."""
    p = ImageProber(max_bytes=MAX_BYTES)
    offset, size, chunk = 0, NEXT_IMAGE_RANGE, 16 * KIB

    def deliver(start: int, length: int) -> ImageProbe | None:
        nonlocal offset
        body = data[start : start + length]
        offset = start
        for i in range(0, len(body), chunk):
            out = p.feed_at(offset, body[i : i + chunk])
            offset += len(body[i : i + chunk])
            if out is not None:
                return out
        return None

    out = deliver(0, FIRST_IMAGE_RANGE)
    while out is None and p.bytes_read < MAX_BYTES:
        wanted = p.wanted_offset()
        start = offset if wanted is None else wanted
        if start >= len(data):
            break
        before = p.bytes_read
        out = deliver(start, size if wanted is None else JUMP_IMAGE_RANGE)
        if p.bytes_read == before:
            break
        if wanted is None:
            size *= 2
    return out or p.finish()


CASES: dict[str, Callable[[bytes], ImageProbe]] = {
    "8k-once": once,
    "8k/1k": chunked(1 * KIB),
    "8k/4k": chunked(4 * KIB),
    "8k/16k": chunked(16 * KIB),
    "ranges": ranges,
}


@contextmanager
def counting() -> Iterator[dict[str, int]]:
    """Count store reads and parse attempts (monkeypatched wrappers; never timed)."""
    counts = {"reads": 0, "calls": 0, "tries": 0}
    saved = {
        name: getattr(ByteStore, name) for name in ("get", "contiguous") if hasattr(ByteStore, name)
    }
    try_saved = prober_module.ImageProber._try
    reader_saved = {
        name: getattr(Reader, name) for name in ("read", "find") if hasattr(Reader, name)
    }

    def wrap(name: str, fn: Callable[..., object]) -> Callable[..., object]:
        def counted(*a: object, **kw: object) -> object:
            counts[name] += 1
            return fn(*a, **kw)

        return counted

    for name, fn in saved.items():
        setattr(ByteStore, name, wrap("reads", fn))
    for name, fn in reader_saved.items():
        setattr(Reader, name, wrap("calls", fn))
    prober_module.ImageProber._try = wrap("tries", try_saved)  # type: ignore[method-assign,assignment]
    try:
        yield counts
    finally:
        for name, fn in saved.items():
            setattr(ByteStore, name, fn)
        for name, fn in reader_saved.items():
            setattr(Reader, name, fn)
        prober_module.ImageProber._try = try_saved  # type: ignore[method-assign]


def ugly_images() -> list[tuple[str, bytes]]:
    """What ugly_server.py serves: real headers of the real size, padded (12-40 KB)."""
    out = []
    for i, size in enumerate((12_000, 20_000, 28_000, 40_000)):
        for fmt in ("jpeg", "png", "gif"):
            out.append((f"ugly-{fmt}", image_bytes(fmt, 800 + 40 * i, 450 + 20 * i, size)))
    return out


def measure(corpus: list[tuple[str, bytes]], repeat: int) -> None:
    whole = [probe_bytes(data) for _, data in corpus]
    first = [probe_bytes(data[:FIRST_IMAGE_RANGE]) for _, data in corpus]
    kinds = sorted({kind for kind, _ in corpus})
    print(
        f"{'case':<8} {'kind':<17} {'n':>3} {'µs/image':>9} {'max µs':>8} {'tries':>6} "
        f"{'store':>7} {'reader':>7} {'KiB fed':>8} same"
    )
    for case, fn in CASES.items():
        best: dict[int, float] = {}
        for _ in range(repeat):
            for i, (_, data) in enumerate(corpus):
                t0 = time.process_time()
                fn(data)
                spent = time.process_time() - t0
                best[i] = min(best.get(i, spent), spent)
        expected = whole if case == "ranges" else first  # 8k cases: as if the body ended there
        per_kind: dict[str, list[tuple[float, int, int, int, int, bool]]] = defaultdict(list)
        for i, (kind, data) in enumerate(corpus):
            with counting() as counts:
                got = fn(data)
            same = (got.format, got.width, got.height, got.orientation, got.error) == (
                expected[i].format,
                expected[i].width,
                expected[i].height,
                expected[i].orientation,
                expected[i].error,
            )
            row = (best[i], counts["tries"], counts["reads"], counts["calls"], got.bytes_read, same)
            per_kind[kind].append(row)
            per_kind["ALL"].append(row)
        for kind in [*kinds, "ALL"]:
            rows = per_kind[kind]
            n = len(rows)
            print(
                f"{case:<8} {kind:<17} {n:>3} {sum(r[0] for r in rows) / n * 1e6:>9.0f} "
                f"{max(r[0] for r in rows) * 1e6:>8.0f} {sum(r[1] for r in rows) / n:>6.1f} "
                f"{sum(r[2] for r in rows) / n:>7.0f} {sum(r[3] for r in rows) / n:>7.0f} "
                f"{sum(r[4] for r in rows) / n / KIB:>8.1f} "
                f"{'yes' if all(r[5] for r in rows) else 'NO'}"
            )
        print()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=60, help="Pillow images (default 60)")
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=5, help="timed passes; the fastest counts")
    args = ap.parse_args()
    print(
        f"machine: {platform.system()} {platform.machine()}, python {sys.version.split()[0]}, "
        f"linkcheck {__version__}; CPU = process time, the fastest of {args.repeat} passes"
    )
    with tempfile.TemporaryDirectory(prefix="image_cpu-") as tmp:
        t0 = time.perf_counter()
        imgs = build_corpus(Path(tmp), args.count, args.seed, magick=False)
        corpus = [(im.kind, (Path(tmp) / im.name).read_bytes()) for im in imgs]
        print(f"corpus: {len(corpus)} images in {time.perf_counter() - t0:.1f} s")
    corpus += ugly_images()
    measure(corpus, args.repeat)


if __name__ == "__main__":
    main()
