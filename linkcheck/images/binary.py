"""Raster formats: recognise a binary signature and read the pixel size from the header.

Header parsing is delegated to `imagesize` (2.0.1) wherever it is correct and cheap; JPEG, the
common case, has a resumable walk of its own (`jpeg.JpegWalk`: imagesize re-reads from byte 0
on each try and scans byte by byte through our Python file object). The small parsers here
cover imagesize's other gaps: GIF sizes >= 32768 (read as signed), OS/2 BMP (12-byte
BITMAPCOREHEADER), ICO (unsupported), WebP VP8 scale bits (not masked), and the AVIF/HEIC brand
and rotation (it only says "HEIF" and reads irot as a FullBox). Every parser reads through a
`Reader`, forward only, so a missing byte is a `Need`, never a false end of file.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator

import imagesize

from linkcheck.images.jpeg import JpegWalk
from linkcheck.images.sizes import Size, Verdict, unreadable
from linkcheck.images.store import FAR_AWAY, Reader
from linkcheck.models import Reason

__all__ = ["HEAD", "SIZE_PART", "Parser", "detect"]

HEAD = 32  # bytes needed to recognise every supported signature
SIZE_PART = {  # where the size sits, for "truncated: X ended before ..." details
    "jpeg": "the frame header",
    "png": "the IHDR chunk",
    "gif": "the screen descriptor",
    "webp": "the VP8 header",
    "avif": "the meta box",
    "heic": "the meta box",
    "bmp": "the DIB header",
    "tiff": "the IFD",
    "ico": "the icon directory",
    "svg": "the end of the <svg> start tag",
}
_AVIF_BRANDS = {b"avif", b"avis"}
_HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_BMP_DIB_SIZES = {12, 16, 40, 52, 56, 64, 108, 124}

Parser = Callable[[Reader], Size]


def _via_imagesize(r: Reader) -> Size:
    r.seek(0)
    info = imagesize.get_info(r, dpi=False, colors=False, channels=False, exif_rotation=False)
    if info.width <= 0 or info.height <= 0:
        raise unreadable(f"{r.fmt.upper() if r.fmt else 'image'} header has no valid size")
    rotation = info.rotation if 1 <= info.rotation <= 8 else None
    return Size(int(info.width), int(info.height), rotation, exif=rotation is not None)


def _gif(r: Reader) -> Size:  # imagesize unpacks '<hh': 40000 comes back as -25536
    width, height = struct.unpack("<HH", r.read_at(6, 4))
    return Size(width, height)


def _webp(r: Reader) -> Size:  # imagesize does not mask VP8's 2 scale bits
    size = _via_imagesize(r)
    if r.read_at(12, 4) == b"VP8 " and size.width is not None and size.height is not None:
        size.width, size.height = size.width & 0x3FFF, size.height & 0x3FFF
    return size


def _bmp(r: Reader) -> Size:
    if struct.unpack("<I", r.read_at(14, 4))[0] != 12:
        return _via_imagesize(r)  # negative (top-down) height is handled there
    width, height = struct.unpack("<HH", r.read_at(18, 4))  # OS/2 v1: 16-bit, unsigned
    return Size(width, height)


def _ico(r: Reader) -> Size:
    count = struct.unpack("<H", r.read_at(4, 2))[0]
    if count == 0:
        raise unreadable("ICO file lists no images")
    table = r.read(16 * count)
    if len(table) < 16 * count:
        raise ValueError("ICO directory cut short")
    sizes = [(table[i] or 256, table[i + 1] or 256) for i in range(0, 16 * count, 16)]
    width, height = max(sizes, key=lambda wh: wh[0] * wh[1])
    return Size(width, height, detail=f"largest of {count} icon(s)" if count > 1 else "")


def _boxes(r: Reader, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """ISO-BMFF boxes in [start, end): (type, payload start, box end)."""
    while start + 8 <= end:
        size, kind = struct.unpack(">I4s", r.read_at(start, 8))
        header = 8
        if size == 1:
            size, header = struct.unpack(">Q", r.read_at(start + 8, 8))[0], 16
        elif size == 0:
            size = end - start
        if size < header or start + size > end:
            raise ValueError(f"bad {kind!r} box size {size}")
        yield kind, start + header, start + size
        start += size


def _iso(r: Reader) -> Size:
    """AVIF/HEIC: the primary item's ispe and irot. (imagesize 2.0.1 reads irot as a FullBox,
    so every rotated file fails, and it falls back to Exif orientation, which browsers ignore.)"""
    ftyp_end = struct.unpack(">I", r.read_at(0, 4))[0]
    listed = r.read_at(8, max(0, ftyp_end - 8))
    brands = {listed[i : i + 4] for i in range(0, len(listed) - 3, 4) if i != 4}
    r.fmt = "avif" if brands & _AVIF_BRANDS else "heic" if brands & _HEIC_BRANDS else None
    if r.fmt is None:
        names = ", ".join(sorted(b.decode("latin-1") for b in brands))
        raise Verdict(Reason.NOT_AN_IMAGE, f"ISO media file (brands {names}), not an image")
    meta = next((box for box in _boxes(r, 0, FAR_AWAY) if box[0] == b"meta"), None)
    if meta is None:
        raise ValueError("no meta box")
    primary: int | None = None
    props: list[tuple[bytes, bytes]] = []
    assoc: dict[int, list[int]] = {}
    for kind, start, end in _boxes(r, meta[1] + 4, meta[2]):
        if kind == b"pitm":
            primary = int.from_bytes(r.read_at(start + 4, 2 if r.read_at(start, 1) == b"\0" else 4))
        for kind2, start2, end2 in _boxes(r, start, end) if kind == b"iprp" else ():
            if kind2 == b"ipco":
                props = [(k, r.read_at(s, min(e - s, 12))) for k, s, e in _boxes(r, start2, end2)]
            elif kind2 == b"ipma":
                assoc.update(_associations(r.read_at(start2, end2 - start2)))
    width = height = None
    rotation = 1
    for index in assoc.get(primary, range(1, len(props) + 1)) if primary is not None else ():
        kind, payload = props[index - 1] if 0 < index <= len(props) else (b"", b"")
        if kind == b"ispe":
            width, height = struct.unpack(">II", payload[4:12])
        elif kind == b"irot":  # angle * 90 degrees anti-clockwise, as EXIF orientation
            rotation = (1, 8, 3, 6)[payload[0] & 3]
    if not width or not height:
        raise unreadable(f"{r.fmt.upper()} has no image size (ispe) for its primary item")
    return Size(width, height, rotation)


def _associations(data: bytes) -> Iterator[tuple[int, list[int]]]:
    """The ipma box: (item id, its 1-based property indexes)."""
    version, wide, pos = data[0], data[3] & 1, 8
    for _ in range(int.from_bytes(data[4:8])):
        id_size = 2 if version == 0 else 4
        item, count = int.from_bytes(data[pos : pos + id_size]), data[pos + id_size]
        pos += id_size + 1
        yield (
            item,
            [
                int.from_bytes(data[pos + i * (1 + wide) : pos + (i + 1) * (1 + wide)])
                & (0x7FFF if wide else 0x7F)
                for i in range(count)
            ],
        )
        pos += count * (1 + wide)


def detect(head: bytes) -> tuple[str | None, Parser] | None:
    """The format (None: decided by the parser) and its size parser, or None for no binary
    signature (text, SVG, or something that is not an image). Call once per body: a parser
    may keep state between tries."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg", JpegWalk()  # a fresh walk: it keeps its place between tries
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png", _via_imagesize
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif", _gif
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp", _webp
    if head[4:8] == b"ftyp":
        return None, _iso  # AVIF or HEIC, decided by its brands
    if head[:4] in (b"MM\x00*", b"II*\x00", b"II+\x00"):
        return "tiff", _via_imagesize
    if head[:2] == b"BM" and int.from_bytes(head[14:18], "little") in _BMP_DIB_SIZES:
        return "bmp", _bmp
    if head[:4] == b"\x00\x00\x01\x00" and head[4:6] not in (b"", b"\x00\x00"):
        return "ico", _ico
    return None
