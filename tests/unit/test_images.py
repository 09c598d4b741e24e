"""linkcheck.images: format and size from the first bytes, fed incrementally.

The fixtures are committed (see fixtures/images/make_images.py and manifest.json).
"""

from __future__ import annotations

import io
import json
import random
import struct
from pathlib import Path

import imagesize
import pytest

from linkcheck.images.prober import ImageProber, probe_bytes
from linkcheck.models import ImageProbe, Reason

HERE = Path(__file__).resolve().parents[2] / "fixtures" / "images"
MANIFEST: dict[str, dict[str, object]] = json.loads((HERE / "manifest.json").read_text())
NAMES = sorted(MANIFEST)
CHUNK = 512


def data(name: str) -> bytes:
    return (HERE / name).read_bytes()


def fields(p: ImageProbe) -> dict[str, object]:
    return {
        "format": p.format,
        "width": p.width,
        "height": p.height,
        "displayed_width": p.displayed_width,
        "displayed_height": p.displayed_height,
        "error": p.error.value if p.error else None,
        "orientation": p.orientation,
    }


def expected(name: str) -> dict[str, object]:
    return {k: v for k, v in MANIFEST[name].items() if k not in ("encoder", "notes")}


def feed_chunks(body: bytes, size: int = CHUNK, **kw: object) -> tuple[ImageProbe, bool]:
    """Feed like the checker does; (verdict, decided before the end of the body)."""
    prober = ImageProber(**kw)  # type: ignore[arg-type]
    for i in range(0, len(body), size):
        verdict = prober.feed(body[i : i + size])
        if verdict is not None:
            return verdict, True
    return prober.finish(), False


def round_up(n: int, size: int = CHUNK) -> int:
    return -(-n // size) * size


def jpeg_markers(body: bytes) -> dict[int, int]:
    """First offset of each marker before SOS (test-only segment walk)."""
    found, pos = {}, 2
    while pos + 4 <= len(body):
        marker = body[pos + 1]
        found.setdefault(marker, pos)
        if marker == 0xDA:
            break
        pos += 2 + struct.unpack(">H", body[pos + 2 : pos + 4])[0]
    return found


def test_fixture_folder_is_small_and_complete() -> None:
    assert sum(p.stat().st_size for p in HERE.iterdir()) < 2_000_000
    assert {p.name for p in HERE.iterdir()} - set(MANIFEST) == {"manifest.json", "make_images.py"}
    encoders = {str(e["encoder"]).split()[0] for e in MANIFEST.values()}
    assert {"pillow", "imagemagick", "cwebp", "avifenc", "heif-enc"} <= encoders


@pytest.mark.parametrize("name", NAMES)
def test_whole_buffer(name: str) -> None:
    body = data(name)
    probe = probe_bytes(body)
    assert fields(probe) == expected(name)
    assert probe.bytes_read == len(body)
    if MANIFEST[name]["error"] is not None:
        assert probe.detail


@pytest.mark.parametrize("name", NAMES)
def test_fed_in_512_byte_chunks_reads_only_the_header(name: str) -> None:
    body = data(name)
    probe, early = feed_chunks(body)
    assert fields(probe) == expected(name)
    fmt, error = MANIFEST[name]["format"], MANIFEST[name]["error"]
    if error == "image_unreadable":  # truncated: only the end of the body can tell
        assert not early and probe.bytes_read == len(body)
        assert probe.detail.startswith("truncated: ")
    elif fmt == "jpeg":  # imagesize walks to SOS (EXIF may sit between SOF and SOS)
        markers = jpeg_markers(body)
        sof = min(v for k, v in markers.items() if k in (0xC0, 0xC1, 0xC2))
        assert probe.bytes_read <= min(len(body), round_up(markers[0xDA] + 2))
        if probe.orientation is not None:  # EXIF orientation seen: stop at the frame header
            assert probe.bytes_read == min(len(body), round_up(sof + 10))
    elif fmt == "tiff":
        assert probe.bytes_read <= round_up(
            struct.unpack(">I" if body[:2] == b"MM" else "<I", body[4:8])[0] + 200
        )
    elif fmt == "svg":
        assert probe.bytes_read <= max(CHUNK, 2 * body.index(b">", body.index(b"svg ")) + CHUNK)
    else:  # png, gif, webp, avif, heic, bmp, ico and not-an-image: the first chunk decides
        assert probe.bytes_read == min(CHUNK, len(body))
    if len(body) > probe.bytes_read:
        assert early  # decided by feed(), the caller can stop reading


def test_huge_png_header_first() -> None:
    prober = ImageProber()
    probe = prober.feed(data("png_huge_20000.png")[:64])
    assert probe is not None and (probe.width, probe.height) == (20000, 20000)
    assert prober.bytes_read == 64


@pytest.mark.parametrize("size", [1, 7, 64, 16 * 1024])
def test_chunk_size_does_not_change_the_answer(size: int) -> None:
    for name in (
        "jpeg_big_app_pil.jpg",
        "jpeg_orient6_magick.jpg",
        "avif_irot1_avifenc.avif",
        "svg_preamble.svg",
        "tiff_be_magick.tif",
        "ico_pil.ico",
        "html_page.jpg",
    ):
        assert fields(feed_chunks(data(name), size)[0]) == expected(name), name


def test_big_app_jpeg_is_skipped_not_buffered() -> None:
    body = data("jpeg_big_app_pil.jpg")  # ~300 KB APP2 ICC + 20 KB XMP before the SOF
    prober = ImageProber()
    for i in range(0, 200_000, CHUNK):
        assert prober.feed(body[i : i + CHUNK]) is None
    kept = sum(len(run) for _, run in prober._store.runs)
    assert kept < 40_000  # segment headers, the Exif/XMP APP1 payloads, the current chunk


def splice_app2(jpeg: bytes, total: int) -> bytes:
    """Insert `total` bytes of APP2 segments right after SOI."""
    segments = b""
    while len(segments) < total:
        segments += b"\xff\xe2\xff\xff" + b"\x00" * 65533
    return jpeg[:2] + segments + jpeg[2:]


def test_wanted_offset_skips_a_megabyte_of_app2() -> None:
    body = splice_app2(data("jpeg_orient6_pil.jpg"), 1 << 20)
    prober = ImageProber()
    assert prober.feed(body[:CHUNK]) is None
    hops, probe = 0, None
    while probe is None:
        offset = prober.wanted_offset()
        assert offset is not None and offset > prober.bytes_read
        probe = prober.feed_at(offset, body[offset : offset + CHUNK])
        hops += 1
    assert fields(probe) == expected("jpeg_orient6_pil.jpg")
    assert hops == 16 and probe.bytes_read == 17 * CHUNK
    assert prober.wanted_offset() is None


def test_wanted_offset_for_a_tiff_ifd_at_the_end() -> None:
    body = data("tiff_be_magick.tif")
    prober = ImageProber()
    assert prober.feed(body[:CHUNK]) is None
    offset = prober.wanted_offset()
    assert offset == struct.unpack(">I", body[4:8])[0] == 28808
    probe = prober.feed_at(offset, body[offset:])
    assert probe is not None and (probe.width, probe.height) == (120, 80)
    assert probe.bytes_read == CHUNK + len(body) - offset


def test_wanted_offset_is_none_when_the_next_bytes_will_do() -> None:
    prober = ImageProber()
    assert prober.feed(data("svg_preamble.svg")[:CHUNK]) is None
    assert prober.wanted_offset() is None
    prober = ImageProber()
    assert prober.feed(data("jpeg_big_app_pil.jpg")[:4]) is None
    assert prober.wanted_offset() is None


def test_max_bytes_exceeded() -> None:
    body = splice_app2(data("jpeg_baseline_pil.jpg"), 1 << 20)
    probe, early = feed_chunks(body, 16 * 1024)
    assert early and probe.error is Reason.IMAGE_UNREADABLE and probe.format == "jpeg"
    assert probe.bytes_read == 1 << 20 and str(1 << 20) in probe.detail
    probe, _ = feed_chunks(data("jpeg_big_app_pil.jpg"), CHUNK, max_bytes=64 * 1024)
    assert probe.error is Reason.IMAGE_UNREADABLE and "65536 bytes" in probe.detail


def test_truncation_details() -> None:
    assert probe_bytes(data("jpeg_truncated.jpg")).detail == (
        "truncated: JPEG ended before the frame header"
    )
    for cut in (3, 30, 150):
        probe = probe_bytes(data("jpeg_baseline_magick.jpg")[:cut])
        assert probe.error is Reason.IMAGE_UNREADABLE and probe.format == "jpeg"
        assert probe.detail.startswith("truncated: JPEG")
    probe = probe_bytes(data("svg_size.svg")[:30])
    assert (probe.format, probe.error) == ("svg", Reason.IMAGE_UNREADABLE)
    assert probe.detail.startswith("truncated: SVG")
    probe = probe_bytes(data("tiff_be_magick.tif")[:1000])
    assert probe.detail == "truncated: TIFF ended before the IFD"


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"", "empty body, not an image"),
        (b"  \r\n", "blank text, not an image"),
        (b"<!doctype HTML>\n<title>x</title>", "HTML document, not an image"),
        (b"\xef\xbb\xbf<html lang=en>", "HTML document, not an image"),
        (b"<!-- x -->\n<p>Moved", "HTML document, not an image"),
        (
            b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">',
            "XML document with root <feed>, not an image",
        ),
        (b'  [{"id": 1}]', "JSON document, not an image"),
        (b"Service Unavailable", "plain text, not an image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(100), "PDF document, not an image"),
        (
            bytes(range(256)),
            "unrecognised binary data, not an image (starts with 00 01 02 03 04 05 06 07)",
        ),
        (
            b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(40),
            "ISO media file (brands isom, mp42), not an image",
        ),
    ],
)
def test_not_an_image(body: bytes, detail: str) -> None:
    probe = probe_bytes(body)
    assert (probe.error, probe.detail, probe.width) == (Reason.NOT_AN_IMAGE, detail, None)


def test_not_an_image_is_decided_by_the_first_chunk_and_content_type_is_a_hint() -> None:
    page = b"<!DOCTYPE html>\n<html>" + b"<p>lorem ipsum</p>\n" * 10_000
    probe, early = feed_chunks(page, content_type="image/jpeg")
    assert early and probe.bytes_read == CHUNK
    assert probe.detail == "HTML document, not an image (served as image/jpeg)"
    probe = probe_bytes(data("png_pil.png"), content_type="text/html")  # the signature decides
    assert (probe.format, probe.error) == ("png", None)


@pytest.mark.parametrize(
    ("svg", "size", "detail"),
    [
        ('<svg width="10.6" height="2in">', (11, 192), ""),
        ('<svg width="30" viewBox="0 0 20 10">', (30, 15), "partly derived"),
        ('<svg width="100%" height="7" viewBox="0 0 20 10">', (14, 7), "partly derived"),
        ("<svg width='5em' height='7'>", (None, 7), "relative or unknown length '5em'"),
        ("<svg width='5em' height='7' viewBox='0 0 20 10'>", (None, 7), "length '5em'"),
        ("<svg width='8' height='100%'>", (8, None), "only one of width/height"),
        ("<svg><rect width='9' height='9'/></svg>", (None, None), "(no width/height, no viewBox)"),
    ],
)
def test_svg_root_element(svg: str, size: tuple[int | None, int | None], detail: str) -> None:
    probe = probe_bytes(svg.encode())
    assert (probe.format, probe.error, (probe.width, probe.height)) == ("svg", None, size)
    assert detail in probe.detail


@pytest.mark.parametrize(
    ("svg", "ratio"),
    [
        ('<svg\n  viewBox = "0 0 1.5e2 75"\n/>', "aspect ratio 2:1 (viewBox 150x75)"),
        ('<svg height="100%" viewBox="0,0,20,10">', "aspect ratio 2:1 (viewBox 20x10)"),
        ('<svg width="100%" height="100%" viewBox="0 0 16.5 9">', "aspect ratio 1.833:1"),
        ('<svg width="2em" height="1em" viewBox="0 0 640 480">', "aspect ratio 4:3"),
        ('<svg width="40ex" viewBox="0 0 30 10">', "aspect ratio 3:1"),
    ],
)
def test_svg_without_intrinsic_size_reports_only_its_aspect_ratio(svg: str, ratio: str) -> None:
    """DESIGN.md: viewBox numbers are not pixels, and neither are em/ex lengths."""
    probe = probe_bytes(svg.encode())
    assert (probe.format, probe.error) == ("svg", None)
    assert (probe.width, probe.height, probe.displayed_width, probe.displayed_height) == (
        (None,) * 4
    )
    assert probe.detail.startswith("SVG has no intrinsic pixel size (")
    assert ratio in probe.detail


def test_svg_utf16_with_bom() -> None:
    probe = probe_bytes('<svg width="4" height="3"/>'.encode("utf-16"))
    assert (probe.format, probe.width, probe.height) == ("svg", 4, 3)


def test_webp_vp8_scale_bits_are_masked() -> None:
    body = bytearray(data("webp_lossy_pil.webp"))
    assert body[12:16] == b"VP8 "
    body[27] |= 0x40  # horizontal scale 1 on top of the 14-bit width
    body[29] |= 0xC0
    probe = probe_bytes(bytes(body))
    assert (probe.width, probe.height) == (64, 48)


def test_never_raises_on_damaged_input() -> None:
    rng = random.Random(1234)
    samples = [data(n) for n in NAMES if 0 < len(data(n)) < 50_000]
    for body in samples:
        for _ in range(15):
            damaged = bytearray(body[: rng.randrange(1, len(body) + 1)])
            for _ in range(rng.randrange(1, 6)):
                damaged[rng.randrange(len(damaged))] = rng.randrange(256)
            prober = ImageProber(max_bytes=rng.choice([100, 1 << 20]))
            step = rng.choice([1, 13, 512])
            for i in range(0, len(damaged), step):
                prober.feed_at(rng.choice([i, i, i, rng.randrange(1 << 40)]), damaged[i : i + step])
                prober.wanted_offset()
            assert isinstance(prober.finish(), ImageProbe)
            assert isinstance(probe_bytes(bytes(damaged)), ImageProbe)


def test_finish_and_feed_after_a_verdict_return_the_same_verdict() -> None:
    prober = ImageProber()
    probe = prober.feed(data("png_pil.png"))
    assert probe is not None
    assert prober.feed(b"more") is probe and prober.finish() is probe
    assert prober.bytes_read == len(data("png_pil.png"))


# The imagesize 2.0.1 gaps this module covers; if one of these starts failing after an upgrade,
# the matching workaround in linkcheck/images/binary.py or svg.py may be removable.
def test_imagesize_gaps_are_real() -> None:
    gif = data("gif_wide_40000_pil.gif")
    assert imagesize.get(gif) == (-1, -1)  # bytes are taken as a file path; the error is hidden
    assert imagesize.get_info(io.BytesIO(gif))[:2] == (40000 - 65536, 4)
    with pytest.raises(ValueError):
        imagesize.get_info(io.BytesIO(data("avif_irot1_avifenc.avif")))  # irot read as FullBox
    assert imagesize.get_info(io.BytesIO(data("bmp_os2_magick.bmp")))[:2] != (120, 80)
    assert imagesize.get_info(io.BytesIO(data("ico_pil.ico")))[:2] == (-1, -1)
    assert imagesize.get_info(io.BytesIO(data("svg_bom.svg")))[:2] == (-1, -1)
    assert imagesize.get_info(io.BytesIO(data("svg_viewbox_only.svg")))[:2] == (7, 9)
    with pytest.raises(ValueError):
        imagesize.get_info(io.BytesIO(data("svg_preamble.svg")))


@pytest.mark.parametrize(
    ("body", "name"),
    [
        (b"\xff\x0a\xfa\x7f\x01\x90\x08" + bytes(200), "JPEG XL image"),
        (b"\x00\x00\x00\x0cJXL \r\n\x87\n" + bytes(200), "JPEG XL image"),
        (b"8BPS\x00\x01" + bytes(200), "Photoshop document"),
    ],
)
def test_real_images_whose_size_we_cannot_read_are_unreadable_not_non_images(
    body: bytes, name: str
) -> None:
    probe = probe_bytes(body)
    assert probe.error is Reason.IMAGE_UNREADABLE
    assert probe.detail == f"{name}: linkcheck cannot read its size"
