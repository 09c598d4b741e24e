"""How many bytes does the image prober need? Median and max per format, 16 KiB chunks.

    PYTHONPATH=. python benchmarks/image_bytes.py [extra image files or folders ...]

Runs over fixtures/images plus realistic files generated into a temporary folder: news-style
1200x630 JPEGs at quality 85 with EXIF + an ICC profile (Pillow and, when installed, ImageMagick),
and the same picture as PNG, WebP and AVIF.
"""

from __future__ import annotations

import io
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from linkcheck.images.prober import ImageProber

CHUNK = 16 * 1024
ROOT = Path(__file__).resolve().parents[1]


def realistic(folder: Path) -> list[Path]:
    from PIL import Image, ImageCms

    im = Image.radial_gradient("L").resize((1200, 630)).convert("RGB")
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    exif = Image.Exif()
    exif[0x0112], exif[0x010F], exif[0x0110] = 1, "Camera Maker", "Model X"
    out = []
    for name, kw in {
        "news_pil.jpg": {"quality": 85, "icc_profile": icc, "exif": exif},
        "news_pil_progressive.jpg": {
            "quality": 85,
            "icc_profile": icc,
            "exif": exif,
            "progressive": True,
        },
        "news_pil.png": {},
        "news_pil.webp": {"quality": 85},
        "news_pil.avif": {"quality": 60},
    }.items():
        buf = io.BytesIO()
        im.save(buf, Image.registered_extensions()[Path(name).suffix], **kw)
        (folder / name).write_bytes(buf.getvalue())
        out.append(folder / name)
    try:  # ImageMagick keeps the EXIF/ICC of its input and adds its own metadata
        target = folder / "news_magick.jpg"
        subprocess.run(
            ["convert", str(folder / "news_pil.jpg"), "-quality", "85", str(target)],
            check=True,
            capture_output=True,
        )
        out.append(target)
    except (OSError, subprocess.CalledProcessError):
        pass
    return out


def needed(body: bytes, chunk: int = CHUNK) -> tuple[str, int]:
    prober = ImageProber()
    for i in range(0, len(body), chunk):
        probe = prober.feed(body[i : i + chunk])
        if probe is not None:
            break
    else:
        probe = prober.finish()
    return (probe.format or f"({probe.error})"), probe.bytes_read


def main() -> None:
    files = [
        p
        for p in sorted((ROOT / "fixtures" / "images").iterdir())
        if p.suffix not in (".py", ".json")
    ]
    for arg in sys.argv[1:]:
        path = Path(arg)
        files += sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    with tempfile.TemporaryDirectory() as tmp:
        files += realistic(Path(tmp))
        rows: dict[str, list[tuple[int, int, int, str]]] = defaultdict(list)
        for path in files:
            body = path.read_bytes()
            fmt, used = needed(body)
            rows[fmt].append((used, needed(body, 512)[1], len(body), path.name))
            if path.name.startswith("news_"):
                print(
                    f"{path.name:<26} size {len(body):>7}  read {used:>6} (16 KiB chunks), "
                    f"{rows[fmt][-1][1]:>6} (512 B chunks)"
                )
    print(
        f"\n{'format':<16}{'files':>6}{'median read':>12}{'max read':>10}{'med 512B':>10}"
        f"{'max 512B':>10}{'median size':>12}{'max size':>10}"
    )
    for fmt, items in sorted(rows.items()):
        reads, small = [i[0] for i in items], [i[1] for i in items]
        sizes = [i[2] for i in items]
        print(
            f"{fmt:<16}{len(items):>6}{statistics.median(reads):>12.0f}{max(reads):>10}"
            f"{statistics.median(small):>10.0f}{max(small):>10}"
            f"{statistics.median(sizes):>12.0f}{max(sizes):>10}"
        )


if __name__ == "__main__":
    main()
