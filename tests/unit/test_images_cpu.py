"""Image probing costs work in proportion to the bytes fed, whatever the chunking.

The JPEG walk of linkcheck.images.jpeg must answer what imagesize answers (it replaced it for
speed); the prober must parse again only when the bytes the last parse needed have arrived, and
a resumed walk must not re-read the body from byte 0; the byte store must behave like a plain
map of offsets to bytes.
"""

from __future__ import annotations

import io
import json
import random
import struct
from collections.abc import Iterator
from pathlib import Path

import imagesize
import pytest

from linkcheck.images.prober import ImageProber, probe_bytes
from linkcheck.images.store import ByteStore, Reader
from linkcheck.models import ImageProbe, Reason

HERE = Path(__file__).resolve().parents[2] / "fixtures" / "images"
MANIFEST: dict[str, dict[str, object]] = json.loads((HERE / "manifest.json").read_text())
JPEGS = sorted(n for n, v in MANIFEST.items() if v["format"] == "jpeg")


def data(name: str) -> bytes:
    return (HERE / name).read_bytes()


def answer(p: ImageProbe) -> tuple[object, ...]:
    return (p.format, p.width, p.height, p.orientation, p.error, p.detail)


def padded_jpeg(width: int, height: int, size: int) -> bytes:
    """SOI, JFIF, SOF and zeros to EOI, no scan: only the end of the body decides it (what a
    benchmark server serves; a walk reading byte by byte spent ~40 ms on 8 KiB of it)."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, height, width, 3) + bytes(9)
    head = b"\xff\xd8" + app0 + sof
    return head + bytes(size - len(head) - 2) + b"\xff\xd9"


def imagesize_answer(body: bytes) -> tuple[int, int, int | None] | None:
    """What linkcheck answered when it delegated JPEG to imagesize: None for unreadable."""
    try:
        info = imagesize.get_info(
            io.BytesIO(body), dpi=False, colors=False, channels=False, exif_rotation=False
        )
    except Exception:
        return None
    if info.width <= 0 or info.height <= 0:
        return None
    return info.width, info.height, info.rotation if 1 <= info.rotation <= 8 else None


def damaged_jpegs() -> Iterator[bytes]:
    rng = random.Random(77)
    for name in JPEGS:
        body = data(name)
        yield body
        for _ in range(25):
            cut = bytearray(body[: rng.randrange(4, len(body) + 1)])
            for _ in range(rng.randrange(0, 6)):
                cut[rng.randrange(3, len(cut))] = rng.choice([0, 0xFF, 0xE1, 0xC0, 0xDA, 1, 2])
            yield bytes(cut)
    yield padded_jpeg(800, 450, 12_000)


@pytest.mark.parametrize("body", list(damaged_jpegs()))
def test_the_jpeg_walk_answers_what_imagesize_answers(body: bytes) -> None:
    probe = probe_bytes(body)
    want = imagesize_answer(body)
    if want is None:
        assert (probe.width, probe.error) == (None, Reason.IMAGE_UNREADABLE)
    else:
        assert (probe.width, probe.height, probe.orientation, probe.error) == (*want, None)
    for step in (1 if len(body) < 30_000 else 513, 97, 4096):  # nor does the chunking
        prober = ImageProber()
        fed = (prober.feed(body[i : i + step]) for i in range(0, len(body), step))
        got = next((p for p in fed if p is not None), None) or prober.finish()
        assert answer(got)[:5] == answer(probe)[:5]


@pytest.mark.parametrize("name", sorted(n for n in MANIFEST if len(data(n)) < 60_000))
def test_one_byte_chunks_answer_what_one_chunk_answers(name: str) -> None:
    """The format is detected once per body and a parser may keep state between tries."""
    body = data(name)
    assert answer(feed(body, 1)) == answer(probe_bytes(body))


class Counting:
    """Counts parse attempts and reader calls of one prober (the parse itself is real)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.tries = self.calls = 0
        original = ImageProber._try

        def counted(prober: ImageProber, *, final: bool) -> None:
            self.tries += 1
            original(prober, final=final)
            self.calls += prober._work

        monkeypatch.setattr(ImageProber, "_try", counted)


def feed(body: bytes, step: int) -> ImageProbe:
    prober = ImageProber()
    for i in range(0, len(body), step):
        probe = prober.feed(body[i : i + step])
        if probe is not None:
            return probe
    return prober.finish()


def segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


@pytest.mark.parametrize("name", ["jpeg_orient6_pil.jpg", "jpeg_progressive_magick.jpg"])
def test_one_byte_chunks_parse_once_per_need_not_once_per_chunk(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    jpeg = data(name)
    comments = segment(0xFE, b"c" * 1500) * 2 + segment(0xE1, b"http://ns.adobe.com/xap/1.0/\0")
    body = jpeg[:2] + comments + jpeg[2:]
    markers = body[: body.index(b"\xff\xda")].count(b"\xff") - 1
    whole = probe_bytes(body)
    count = Counting(monkeypatch)
    probe = feed(body, 1)
    assert answer(probe)[:5] == answer(whole)[:5] == answer(probe_bytes(jpeg))[:5]
    # a try per missing piece of a segment (marker, length, payload), not per byte
    assert probe.bytes_read > 3000
    assert count.tries <= 4 * markers + 5 < probe.bytes_read // 20
    assert count.calls <= 8 * count.tries  # each try resumes: a few reads, not a re-walk


def test_a_padded_jpeg_costs_reader_calls_in_proportion_to_its_chunks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    body = padded_jpeg(640, 480, 40_000)
    count = Counting(monkeypatch)
    probe = feed(body, 64)
    assert (probe.width, probe.height, probe.error) == (640, 480, None)
    assert count.tries <= len(body) // 64 + 5
    assert count.calls <= 2 * count.tries + 10  # one search per try, not one read per byte


def test_the_zeros_a_walk_has_passed_are_not_kept() -> None:
    body = padded_jpeg(640, 480, 200_000)
    prober = ImageProber()
    for i in range(0, 150_000, 1024):
        assert prober.feed(body[i : i + 1024]) is None
    assert sum(len(run) for _, run in prober._store.runs) <= 2048


def test_xmp_in_app1_is_jumped_over_not_buffered() -> None:
    """imagesize read every APP1 payload whole; only an Exif one holds the orientation."""
    exif = data("jpeg_orient6_pil.jpg")
    xmp = b"http://ns.adobe.com/xap/1.0/\x00" + b" " * 65_000
    segment = b"\xff\xe1" + struct.pack(">H", len(xmp) + 2) + xmp
    body = exif[:2] + segment * 4 + exif[2:]
    prober = ImageProber()
    assert prober.feed(body[:1024]) is None
    hops, probe = 0, None
    while probe is None and hops < 10:
        offset = prober.wanted_offset()
        assert offset is not None and offset > prober.bytes_read
        probe = prober.feed_at(offset, body[offset : offset + 4096])
        hops += 1
    assert probe is not None and answer(probe)[:5] == answer(probe_bytes(exif))[:5]
    assert hops == 4 and probe.bytes_read <= 1024 + 4 * 4096 < len(body) // 10


def test_byte_store_behaves_like_a_map_of_offsets() -> None:
    rng = random.Random(5)
    for _ in range(200):
        body = rng.randbytes(400)  # chunks are pieces of one body, as ranged answers are
        store, model = ByteStore(), dict[int, int]()
        for _ in range(rng.randrange(1, 12)):
            offset, size = rng.randrange(0, 300), rng.randrange(0, 60)
            model.update((i, body[i]) for i in range(offset, offset + size))
            store.add(offset, body[offset : offset + size])
        starts = [s for s, _ in store.runs]
        assert starts == sorted(starts)
        for (s1, r1), (s2, _) in zip(store.runs, store.runs[1:], strict=False):
            assert s1 + len(r1) < s2  # disjoint, not adjacent
        for offset in range(0, 400):
            end = offset
            while end in model:
                end += 1
            assert store.contiguous(offset) == end
            size = rng.randrange(1, 8)
            whole = end >= offset + size
            assert store.get(offset, size) == (body[offset : offset + size] if whole else None)
            at, run_end = store.find(model.get(offset, -2), offset)
            assert run_end == end and (at == offset if offset in model else at == -1)
        keep = [(a, a + rng.randrange(1, 30)) for a in rng.sample(range(300), 3)]
        cut = rng.randrange(0, 350)
        store.prune(keep, cut)
        for offset in range(0, 400):
            wanted = offset >= cut or any(lo <= offset < hi for lo, hi in keep)
            got = store.get(offset, 1)
            assert got == (body[offset : offset + 1] if wanted and offset in model else None)


def test_reader_find_says_where_the_bytes_run_out() -> None:
    store = ByteStore()
    store.add(0, b"\x00\x00\x00")
    r = Reader(store)
    with pytest.raises(Exception) as need:
        r.find(0xFF, 0)
    assert (need.value.offset, need.value.size) == (3, 1)  # type: ignore[attr-defined]
    store.add(3, b"\x00\xff")
    assert r.find(0xFF, 1) == 4 and r.touched[-1] == (1, 5)
    store.eof = 5
    assert r.find(0xFF, 5) == -1 and r.hit_eof
