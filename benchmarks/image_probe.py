"""Image probing on the wire (issue #3): how many bytes does linkcheck read, and the server send?

A corpus of realistic news images (noisy photographic content, 100 KB - 1 MB: JPEGs from Pillow
and, when installed, ImageMagick, with EXIF incl. orientation, an ICC profile, some progressive,
a few with ~100-300 KB of metadata before the frame header, as a chain of <= 64 KiB segments:
XMP + ExtendedXMP in APP1, or Photoshop resources in APP13; plus PNG, WebP, GIF, AVIF) is served
by a sitekit Site on 127.0.0.1 and cited, with its correct declared size, by a library of
articles. linkcheck checks it in-process (`linkcheck.pipeline.run`) in three modes of one run:

  range    the server honours Range (linkcheck asks for bytes=0-16383, more only if needed)
  norange  the server ignores Range and sends 200 + the whole file; linkcheck closes early
  peer     a naive checker: GET each image whole with httpx, size with `imagesize`

and prints, per mode, wall time, images/s, bytes read by the client per image, bytes the server
actually sent per image (sitekit's log, written 16 KiB at a time, so a broken-off send is
counted to within 16 KiB), requests per image and whether every image was judged correctly.

    PYTHONPATH=. python benchmarks/image_probe.py [--count 200] [--seed 3] [--repeat 3]

Only loopback traffic; no asserts; bounded (about a minute on 2 cores).
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import random
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import anyio
import httpx
import imagesize

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import sitekit  # noqa: E402

from linkcheck import __version__  # noqa: E402
from linkcheck.config import Config  # noqa: E402
from linkcheck.formats.json import to_dict  # noqa: E402
from linkcheck.pipeline import run  # noqa: E402

KIB = 1024
FIRST_RANGE = 16 * KIB  # linkcheck's first ranged request (check.FIRST_IMAGE_RANGE)
NET_CHUNK = 64 * KIB  # httpcore reads at most 64 KiB from the socket at a time
SEND_CHUNK = 16 * KIB  # the server writes (and logs) bodies 16 KiB at a time
QUERY = f"?chunk={SEND_CHUNK}"
PACE = 0.005  # "/paced" modes: 16 KiB per 5 ms per connection (~3.3 MB/s, ~26 Mbit/s)
PACED = f"{QUERY}&delay={PACE}"
CONCURRENCY = 20
MAGICK = Path("/usr/bin/convert")
PER_ARTICLE = 4


# ---------------------------------------------------------------------------------------------
# Corpus


@dataclass
class Img:
    name: str
    kind: str  # e.g. "jpeg", "jpeg-progressive", "jpeg-xmp", "jpeg-magick", "png", ...
    width: int  # displayed size (what an article declares)
    height: int
    size: int = 0
    header_end: int = 0  # bytes needed to know the displayed size (end of SOF / IHDR / meta ...)


def real_magick() -> bool:
    """/usr/bin/convert, and really ImageMagick (not a stand-in script)."""
    if not MAGICK.exists():
        return False
    try:
        out = subprocess.run(
            [str(MAGICK), "-version"], capture_output=True, text=True, timeout=20
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return out.startswith("Version: ImageMagick")


def picture(w: int, h: int, rng: random.Random, mix: float):  # type: ignore[no-untyped-def]
    """Photographic-ish content: coloured gradients, soft shapes, sensor-like noise."""
    from PIL import Image, ImageDraw, ImageFilter

    sw, sh = max(1, w // 4), max(1, h // 4)  # smooth parts at 1/4 scale, then upscaled
    lin = Image.linear_gradient("L").rotate(rng.uniform(0, 360)).resize((sw, sh))
    rad = Image.radial_gradient("L").resize((sw, sh))
    chans = [lin, rad, lin.transpose(Image.Transpose.FLIP_LEFT_RIGHT)]
    rng.shuffle(chans)
    base = Image.merge("RGB", chans)
    draw = ImageDraw.Draw(base)
    for _ in range(rng.randint(3, 9)):
        x, y = rng.randrange(sw), rng.randrange(sh)
        r = rng.randint(sh // 12, sh // 3)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    base = base.filter(ImageFilter.GaussianBlur(rng.uniform(1, 3))).resize((w, h))
    noise = Image.frombytes("RGB", (w, h), rng.randbytes(w * h * 3))  # sensor-like grain
    if rng.random() < 0.5:
        noise = noise.filter(ImageFilter.BoxBlur(1))
    return Image.blend(base, noise, mix)


def jpeg_segments(data: bytes) -> list[tuple[int, int, int]]:
    """(marker, start, end) of each JPEG segment up to and including SOS."""
    out, pos = [], 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise ValueError(f"no marker at {pos}")
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        out.append((marker, pos, pos + 2 + length))
        if marker == 0xDA:
            break
        pos += 2 + length
    return out


def big_xmp(total: int, rng: random.Random) -> bytes:
    """~`total` bytes of XMP as photo agencies write it: a standard XMP APP1 packet (with the
    usual whitespace padding) plus ExtendedXMP APP1 segments, all before the frame header."""
    words = ["caption", "editorial", "agency", "photographer", "rights", "keywords", "history"]
    body = " ".join(rng.choice(words) for _ in range(total // 7)).encode()
    guid = b"%032X" % rng.getrandbits(128)
    segs = []
    std = (
        b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'
        + b" " * 60_000
        + b'<?xpacket end="w"?>'
    )
    segs.append(b"http://ns.adobe.com/xap/1.0/\x00" + std)
    ns = b"http://ns.adobe.com/xmp/extension/\x00"
    step = 65_000
    for off in range(0, len(body), step):
        segs.append(ns + guid + struct.pack(">II", len(body), off) + body[off : off + step])
    return b"".join(b"\xff\xe1" + struct.pack(">H", len(s) + 2) + s for s in segs)


def big_app13(total: int, rng: random.Random) -> bytes:
    """~`total` bytes of Photoshop image resources (APP13 "Photoshop 3.0" segments: IPTC,
    a preview, paths), split into segments of at most 64 KiB as JPEG requires."""
    out, left = [], total
    while left > 0:
        blob = rng.randbytes(min(left, 65_000))
        res = b"8BIM" + struct.pack(">HxxI", 0x0409, len(blob)) + blob  # a thumbnail resource
        seg = b"Photoshop 3.0\x00" + res
        out.append(b"\xff\xed" + struct.pack(">H", len(seg) + 2) + seg)
        left -= len(blob)
    return b"".join(out)


def insert_before_frame(data: bytes, extra: bytes) -> bytes:
    """Put `extra` segments after the APPn segments, before DQT/SOF."""
    for marker, start, _end in jpeg_segments(data):
        if not 0xE0 <= marker <= 0xEF:
            return data[:start] + extra + data[start:]
    raise ValueError("no frame header")


def header_end(data: bytes, fmt: str) -> int:
    """Offset just past the bytes that hold the pixel size (and, for JPEG, EXIF orientation,
    which comes earlier): a prober that has read this far can answer."""
    if fmt == "jpeg":
        for marker, _start, end in jpeg_segments(data):
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                return end
        raise ValueError("no SOF")
    if fmt == "png":
        return 33  # signature + IHDR chunk
    if fmt == "gif":
        return 10
    if fmt == "webp":
        return 30
    if fmt == "avif":  # the top-level meta box holds ispe (and irot)
        pos = 0
        while pos + 8 <= len(data):
            size, kind = struct.unpack(">I4s", data[pos : pos + 8])
            if kind == b"meta":
                return pos + size
            pos += size
        raise ValueError("no meta box")
    raise ValueError(fmt)


def build_corpus(folder: Path, count: int, seed: int, magick: bool) -> list[Img]:
    from PIL import Image, ImageCms, features

    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    # share of the corpus per kind (news sites are overwhelmingly JPEG)
    weights = {
        "jpeg": 50,
        "jpeg-progressive": 15,
        "jpeg-xmp": 3,
        "jpeg-app13": 2,
        "jpeg-magick": 10,
        "png": 6,
        "webp": 7,
        "gif": 3,
        "avif": 4,
    }
    if not magick:
        weights["jpeg"] += weights.pop("jpeg-magick")
    if not features.check("avif"):
        weights["webp"] += weights.pop("avif")
    kinds = [k for k, n in weights.items() for _ in range(round(n * count / 100))]
    kinds = (kinds + ["jpeg"] * count)[:count]
    rng.shuffle(kinds)
    sizes = [(1200, 630), (1600, 900), (800, 450)]
    out: list[Img] = []
    for i, kind in enumerate(kinds):
        w, h = rng.choice(sizes)
        fmt = kind.split("-")[0]
        if fmt in ("png", "gif"):
            w, h = (800, 450) if fmt == "png" else rng.choice([(800, 450), (600, 315)])
        if fmt == "avif":
            w, h = (1200, 630)
        im = picture(
            w, h, rng, mix=rng.uniform(0.03, 0.06) if fmt == "png" else rng.uniform(0.12, 0.4)
        )
        name = f"img{i:04d}." + ("jpg" if fmt == "jpeg" else fmt)
        path = folder / name
        buf = io.BytesIO()
        orientation = 1
        if fmt == "jpeg":
            exif = Image.Exif()
            exif[0x010F], exif[0x0110] = "Canon", "Canon EOS R5"
            exif[0x0131], exif[0x0132] = "Adobe Photoshop 25.0", "2024:05:17 10:21:33"
            exif[0x013B], exif[0x8298] = "Staff Photographer", "(c) Newsroom 2024"
            if rng.random() < 0.3:
                orientation = rng.choice([3, 6, 8, 6])
            exif[0x0112] = orientation
            kw = {
                "quality": rng.randint(80, 90),
                "icc_profile": icc,
                "exif": exif,
                "progressive": kind == "jpeg-progressive",
                "optimize": rng.random() < 0.5,
            }
            im.save(buf, "JPEG", **kw)
            data = buf.getvalue()
            if kind == "jpeg-xmp":
                data = insert_before_frame(data, big_xmp(rng.randint(40, 240) * KIB, rng))
            elif kind == "jpeg-app13":
                data = insert_before_frame(data, big_app13(rng.randint(100, 300) * KIB, rng))
            path.write_bytes(data)
            if kind == "jpeg-magick":  # re-encoded by ImageMagick: it keeps EXIF and ICC
                args = [str(MAGICK), str(path), "-quality", str(rng.randint(80, 90))]
                if rng.random() < 0.4:
                    args += ["-interlace", "JPEG"]
                subprocess.run([*args, str(path)], check=True, capture_output=True, timeout=60)
        elif fmt == "png":
            im.quantize(rng.choice([128, 256]), method=Image.Quantize.FASTOCTREE).save(buf, "PNG")
            path.write_bytes(buf.getvalue())
        elif fmt == "gif":
            im.quantize(256, method=Image.Quantize.FASTOCTREE).save(buf, "GIF")
            path.write_bytes(buf.getvalue())
        elif fmt == "webp":
            im.save(buf, "WEBP", quality=rng.randint(75, 85), icc_profile=icc)
            path.write_bytes(buf.getvalue())
        elif fmt == "avif":
            im.save(buf, "AVIF", quality=rng.randint(55, 70), speed=9)
            path.write_bytes(buf.getvalue())
        data = path.read_bytes()
        sw, sh = (h, w) if orientation in (5, 6, 7, 8) else (w, h)
        out.append(Img(name, kind, sw, sh, len(data), header_end(data, fmt)))
    return out


# ---------------------------------------------------------------------------------------------
# Modes


@dataclass
class ModeResult:
    name: str
    wall: float
    read: dict[str, int]  # client bytes per image
    sent: dict[str, int]  # server body bytes per image (all its requests)
    requests: dict[str, int]
    conns: int  # TCP connections the server accepted
    wrong: list[str] = field(default_factory=list)  # images not judged ok with the right size


def write_library(folder: Path, site: sitekit.Site, corpus: list[Img], query: str) -> None:
    articles = []
    for a in range(0, len(corpus), PER_ARTICLE):
        articles.append(
            {
                "title": f"Article {a // PER_ARTICLE}",
                "images": [
                    {
                        "url": site.url(f"/files/{im.name}{query}"),
                        "width": im.width,
                        "height": im.height,
                    }
                    for im in corpus[a : a + PER_ARTICLE]
                ],
            }
        )
    sitekit.write_library(folder, articles)


def server_side(site: sitekit.Site) -> tuple[dict[str, int], dict[str, int]]:
    deadline = time.monotonic() + 10  # let broken-off sends finish logging
    while site.in_flight and time.monotonic() < deadline:
        time.sleep(0.02)
    sent: dict[str, int] = defaultdict(int)
    reqs: dict[str, int] = defaultdict(int)
    for e in site.log:
        name = e.path.rsplit("/", 1)[-1]
        sent[name] += e.bytes_sent
        reqs[name] += 1
    return sent, reqs


def run_linkcheck(mode: str, tmp: Path, files: Path, corpus: list[Img], cfg: Config) -> ModeResult:
    query = PACED if mode.endswith("paced") else QUERY
    with sitekit.Site(files_dir=files, honor_range=mode.startswith("range")) as site:
        lib = tmp / f"lib-{mode.replace('/', '-')}"
        write_library(lib, site, corpus, query)
        t0 = time.perf_counter()
        report = anyio.run(run, [str(lib)], cfg)
        wall = time.perf_counter() - t0
        sent, reqs = server_side(site)
        errors, conns = list(site.errors), len(site.connection_ids())
    doc = to_dict(report, tool_version=__version__)
    by_name = {im.name: im for im in corpus}
    read: dict[str, int] = {}
    wrong = []
    for link in doc["links"]:
        name = httpx.URL(link["url"]).path.rsplit("/", 1)[-1]
        image = link["image"] or {}
        read[name] = image.get("bytes_read", 0)
        shown = image.get("displayed") or image.get("actual") or {}
        im = by_name[name]
        if link["outcome"] != "ok" or (shown.get("width"), shown.get("height")) != (
            im.width,
            im.height,
        ):
            wrong.append(f"{name} ({im.kind}): {link['outcome']} {link['reason']} {link['detail']}")
    missing = set(by_name) - set(read)
    wrong += [f"{n}: not in the report" for n in sorted(missing)]
    wrong += [f"server error: {e.splitlines()[-1]}" for e in errors]
    return ModeResult(mode, wall, read, dict(sent), dict(reqs), conns, wrong)


async def peer_check(urls: list[tuple[Img, str]]) -> tuple[dict[str, int], list[str]]:
    read: dict[str, int] = {}
    wrong: list[str] = []
    sem = anyio.Semaphore(CONCURRENCY)
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(timeout=20, limits=limits) as client:

        async def one(im: Img, url: str) -> None:
            async with sem:
                resp = await client.get(url)
            read[im.name] = len(resp.content)
            size = imagesize.get(io.BytesIO(resp.content))
            if resp.status_code != 200 or size != (im.width, im.height):
                wrong.append(f"{im.name} ({im.kind}): status {resp.status_code}, size {size}")

        async with anyio.create_task_group() as tg:
            for im, url in urls:
                tg.start_soon(one, im, url)
    return read, wrong


def run_peer(mode: str, files: Path, corpus: list[Img]) -> ModeResult:
    query = PACED if mode.endswith("paced") else QUERY
    with sitekit.Site(files_dir=files) as site:
        urls = [(im, site.url(f"/files/{im.name}{query}")) for im in corpus]
        t0 = time.perf_counter()
        read, wrong = anyio.run(peer_check, urls)
        wall = time.perf_counter() - t0
        sent, reqs = server_side(site)
        conns = len(site.connection_ids())
    return ModeResult(mode, wall, read, sent, reqs, conns, wrong)


def run_mode(mode: str, tmp: Path, files: Path, corpus: list[Img], cfg: Config) -> ModeResult:
    if mode.startswith("peer"):
        return run_peer(mode, files, corpus)
    return run_linkcheck(mode, tmp, files, corpus, cfg)


# ---------------------------------------------------------------------------------------------
# Figures


def pct(values: list[int], q: float) -> float:
    s = sorted(values)
    if not s:
        return 0.0
    k = (len(s) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def kib(n: float) -> str:
    return f"{n / KIB:.1f}"


def dist(values: list[int]) -> str:
    return f"{kib(statistics.median(values)):>7} {kib(pct(values, 0.9)):>7} {kib(max(values)):>7}"


def print_corpus(corpus: list[Img], magick: bool) -> None:
    sizes = [im.size for im in corpus]
    print(
        f"corpus: {len(corpus)} images, {sum(sizes) / KIB / KIB:.1f} MiB; file size KiB "
        f"median {kib(statistics.median(sizes))}, p90 {kib(pct(sizes, 0.9))}, min "
        f"{kib(min(sizes))}, max {kib(max(sizes))}; ImageMagick "
        f"{'used' if magick else 'not available (Pillow only)'}"
    )
    by_kind: dict[str, list[Img]] = defaultdict(list)
    for im in corpus:
        by_kind[im.kind].append(im)
    for kind, ims in sorted(by_kind.items()):
        s = [im.size for im in ims]
        he = [im.header_end for im in ims]
        rot = sum(1 for im in ims if "jpeg" in kind and im.width < im.height)
        print(
            f"  {kind:<17} n={len(ims):<4} size KiB median {kib(statistics.median(s)):>6}"
            f" max {kib(max(s)):>6}; size known at byte: median {statistics.median(he):>7.0f}"
            f" max {max(he):>7}" + (f"; {rot} rotated 90/270 by EXIF" if rot else "")
        )


def print_results(results: list[ModeResult], corpus: list[Img]) -> None:
    n = len(corpus)
    print("\nper image: bytes in KiB (median / p90 / max)")
    print(
        f"{'mode':<13} {'wall s':>6} {'img/s':>6} | {'client read':^23} | "
        f"{'server sent':^23} | {'req/img':>7} {'max':>3} {'conns':>5} | correct"
    )
    for r in results:
        read = [r.read.get(im.name, 0) for im in corpus]
        sent = [r.sent.get(im.name, 0) for im in corpus]
        reqs = [r.requests.get(im.name, 0) for im in corpus]
        ok = "all" if not r.wrong else f"{n - len(r.wrong)}/{n}"
        print(
            f"{r.name:<13} {r.wall:>6.2f} {n / r.wall:>6.1f} | {dist(read)} | {dist(sent)} | "
            f"{sum(reqs) / n:>7.2f} {max(reqs):>3} {r.conns:>5} | {ok}"
        )
    print("totals, MiB read by the client / sent by the server:")
    for r in results:
        print(
            f"  {r.name:<13} {sum(r.read.values()) / KIB / KIB:6.2f} / "
            f"{sum(r.sent.values()) / KIB / KIB:6.2f}"
        )
    for r in results:
        for line in r.wrong[:10]:
            print(f"  WRONG [{r.name}] {line}")
        if len(r.wrong) > 10:
            print(f"  ... and {len(r.wrong) - 10} more in {r.name}")

    by = {r.name: r for r in results}
    ours = [r for r in results if not r.name.startswith("peer")]
    print("\nratios against the peer of the same pacing (whole download + imagesize):")
    for r in ours:
        peer = by.get("peer" + r.name.partition("/")[1] + r.name.partition("/")[2])
        if peer is None:
            continue
        rt, pt = sum(r.read.values()), sum(peer.read.values())
        rs, ps = sum(r.sent.values()), sum(peer.sent.values())
        print(
            f"  {r.name:<13} peer bytes / linkcheck bytes: client read {pt / max(rt, 1):5.1f}x,"
            f" server sent {ps / max(rs, 1):5.1f}x; linkcheck img/s / peer img/s "
            f"{peer.wall / r.wall:5.2f}"
        )

    typical = [im for im in corpus if im.header_end <= FIRST_RANGE]
    print(
        f"\ntargets (issue #3), over the {len(typical)} images whose size is known within "
        "the first 16 KiB:"
    )
    for r in ours:
        med = statistics.median(r.read.get(im.name, 0) for im in typical)
        over = [im for im in typical if r.read.get(im.name, 0) > im.header_end + NET_CHUNK]
        over16 = [im for im in typical if r.read.get(im.name, 0) > max(im.header_end, FIRST_RANGE)]
        print(
            f"  {r.name:<13} median read {med:>7.0f} B (< 16 KiB = 16384 B: "
            f"{'met' if med < 16 * KIB else 'NOT met'}); read beyond header + one 64 KiB "
            f"network chunk: {len(over)} ({'met' if not over else 'NOT met'}); "
            f"beyond max(header, 16 KiB): {len(over16)}"
        )
    far = [im for im in corpus if im.header_end > FIRST_RANGE]
    if far:
        print(f"\nimages whose size lies beyond 16 KiB ({len(far)}), KiB read/sent and requests:")
        print(
            f"  {'name':<12} {'kind':<11} {'file':>6} {'size@':>6} | "
            + " | ".join(f"{r.name:<19}" for r in ours)
        )
        for im in sorted(far, key=lambda im: im.header_end):
            cells = " | ".join(
                f"{kib(r.read.get(im.name, 0)):>6}/{kib(r.sent.get(im.name, 0)):>6} "
                f"{r.requests.get(im.name, 0):>2} req"
                for r in ours
            )
            print(
                f"  {im.name:<12} {im.kind:<11} {kib(im.size):>6} {kib(im.header_end):>6} | {cells}"
            )
    rng_mode = by.get("range")
    if rng_mode is not None:
        print("\nrange mode, client read by kind, KiB median / max:")
        groups: dict[str, list[int]] = defaultdict(list)
        for im in corpus:
            groups[im.kind].append(rng_mode.read.get(im.name, 0))
        print(
            "  "
            + "; ".join(
                f"{k} {kib(statistics.median(v))}/{kib(max(v))}" for k, v in sorted(groups.items())
            )
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=200, help="images in the corpus (default 200)")
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="timed runs per unpaced mode, the fastest is shown (default 3)",
    )
    ap.add_argument("--no-paced", action="store_true", help="skip the bandwidth-paced modes")
    ap.add_argument("--pillow-only", action="store_true", help="do not use ImageMagick")
    args = ap.parse_args()
    print(
        f"machine: {platform.system()} {platform.machine()}, {os.cpu_count()} cpus, python "
        f"{sys.version.split()[0]}, linkcheck {__version__}, httpx {httpx.__version__}"
    )
    cfg = Config(
        concurrency=CONCURRENCY,
        host_concurrency=CONCURRENCY,
        host_rate=1000.0,
        timeout=20,
        allow_private=True,  # the server is on loopback, which the address guard refuses
    )
    print(
        f"config: concurrency={cfg.concurrency} host_concurrency={cfg.host_concurrency} "
        f"host_rate={cfg.host_rate:g}/s (politeness raised on purpose so that one loopback "
        f"host is not rate-bound), image_max_bytes={cfg.image_max_bytes}; peer: "
        f"{CONCURRENCY} concurrent whole GETs on keep-alive connections. Server and clients "
        "share this process (and its GIL). Server bodies are written 16 KiB at a time; "
        f"'/paced' modes wait {PACE * 1000:g} ms between those writes (~3.3 MB/s per "
        "connection) instead of loopback speed."
    )
    magick = not args.pillow_only and real_magick()
    with tempfile.TemporaryDirectory(prefix="image_probe-") as tmp_name:
        tmp = Path(tmp_name)
        files = tmp / "files"
        t0 = time.perf_counter()
        corpus = build_corpus(files, args.count, args.seed, magick)
        print(f"corpus generated in {time.perf_counter() - t0:.1f} s")
        print_corpus(corpus, magick)
        # warm-up (imports, first connections, thread start-up), not reported
        run_linkcheck("range", tmp / "warm", files, corpus[:20], cfg)
        runs: dict[str, list[ModeResult]] = defaultdict(list)
        for i in range(max(1, args.repeat)):  # modes interleaved, so drift hits them alike
            for mode in ("range", "norange", "peer"):
                runs[mode].append(run_mode(mode, tmp / f"run{i}", files, corpus, cfg))
        if not args.no_paced:
            for mode in ("range/paced", "norange/paced", "peer/paced"):
                runs[mode].append(run_mode(mode, tmp / "paced", files, corpus, cfg))
        results = []
        for mode, rs in runs.items():
            if len(rs) > 1:
                walls = ", ".join(f"{r.wall:.2f}" for r in rs)
                print(f"{mode:<8} wall times over {len(rs)} runs: {walls} s (the fastest is shown)")
            results.append(min(rs, key=lambda r: r.wall))
        print_results(results, corpus)


if __name__ == "__main__":
    main()
