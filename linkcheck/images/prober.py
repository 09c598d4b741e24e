"""Bytes in, image format and pixel size out: an incremental prober for streamed image bodies.

The body is fed chunk by chunk; the prober answers as soon as the header gives the size, so the
caller can stop downloading. Header parsing is delegated to `imagesize` (2.0.1) wherever it is
correct. Everything it parses reads through `_Reader`, a file-like view over the bytes fed so far
that raises `_Need` instead of hitting a false end of file; the parse is simply re-run when the
needed bytes arrive. Bytes a parser seeks over (huge JPEG APPn segments, TIFF strips) are dropped,
and `wanted_offset()` tells the caller when a ranged request could skip them entirely.

Small focused code covers imagesize's gaps: GIF sizes >= 32768 (read as signed), OS/2 BMP
(12-byte BITMAPCOREHEADER), ICO (unsupported), SVG (needs `<svg` or `<?xml` at byte 0, the
attributes within 1 KiB, and reports a child element's width when the root has none), WebP VP8
scale bits (not masked), the AVIF/HEIC brand (it only says "HEIF"), and "what is this if not an
image" (imagesize returns -1 or raises without a reason).
"""

from __future__ import annotations

import os
import re
import struct
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import imagesize

from linkcheck.models import ImageProbe, Reason

_FAR = 16 * 1024  # a needed offset this far past the stream is worth a ranged request
_HEAD = 32  # bytes needed to recognise every supported signature
_SIZE_PART = {
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
_OTHER_BINARY = {
    b"%PDF": "PDF document",
    b"PK\x03\x04": "ZIP archive",
    b"\x1f\x8b": "gzip data",
    b"\x00\x00\x00\x0cjP  ": "JPEG 2000 image (not supported by browsers)",
}
# Real images whose size this prober cannot read: reported as unreadable, never "not an image".
_UNREAD_IMAGES = {
    b"\xff\x0a": "JPEG XL image",
    b"\x00\x00\x00\x0cJXL \r\n\x87\n": "JPEG XL image",
    b"8BPS": "Photoshop document",
    b"qoif": "QOI image",
}
_HTML_TAGS = {
    "html",
    "head",
    "body",
    "title",
    "meta",
    "link",
    "script",
    "style",
    "div",
    "p",
    "span",
    "a",
    "h1",
    "h2",
    "h3",
    "table",
    "form",
    "br",
    "pre",
    "center",
    "iframe",
    "noscript",
    "main",
}
_UNITS = {
    "": 1.0,
    "px": 1.0,
    "in": 96.0,
    "cm": 96 / 2.54,
    "mm": 96 / 25.4,
    "q": 96 / 101.6,
    "pt": 96 / 72,
    "pc": 16.0,
}
_LENGTH = re.compile(r"\s*\+?(\d+\.?\d*(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?)\s*([a-z%]*)\s*$", re.I)
_TAG = re.compile(r"""<([\w:.-]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*/?>""")
_ATTR = re.compile(r"""([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_DOCTYPE = re.compile(r"<!doctype\s+([^\s>\[]+)", re.I)


class _Need(Exception):
    """The parser needs bytes [offset, offset + size) that have not been fed (yet)."""

    def __init__(self, offset: int, size: int) -> None:
        super().__init__(offset, size)
        self.offset, self.size = offset, size


class _Verdict(Exception):
    def __init__(self, error: Reason, detail: str) -> None:
        super().__init__(detail)
        self.error, self.detail = error, detail


@dataclass(slots=True)
class _Size:
    width: int | None
    height: int | None
    rotation: int | None = None  # EXIF-style 1..8; 5..8 swap the displayed size
    exif: bool = False  # rotation came from EXIF (reported as ImageProbe.orientation)
    detail: str = ""


class _Store:
    """Sparse bytes by absolute offset: sorted, disjoint, non-adjacent [start, data] runs."""

    def __init__(self) -> None:
        self.runs: list[tuple[int, bytearray]] = []
        self.eof: int | None = None

    def add(self, offset: int, data: bytes | bytearray) -> None:
        runs = self.runs
        i = bisect_right(runs, offset, key=lambda r: r[0])
        if i and runs[i - 1][0] + len(runs[i - 1][1]) >= offset:  # overlaps/extends run i - 1
            i -= 1
            start, buf = runs[i]
            buf.extend(data[start + len(buf) - offset :])
        else:
            start, buf = offset, bytearray(data)
            runs.insert(i, (start, buf))
        j = i + 1
        while j < len(runs) and runs[j][0] <= start + len(buf):  # absorb the runs it reaches
            buf.extend(runs[j][1][start + len(buf) - runs[j][0] :])
            j += 1
        del runs[i + 1 : j]

    def contiguous(self, offset: int) -> int:
        """End of the run holding `offset` (== offset when that byte is missing)."""
        i = bisect_right(self.runs, offset, key=lambda r: r[0]) - 1
        if i >= 0 and offset < self.runs[i][0] + len(self.runs[i][1]):
            return self.runs[i][0] + len(self.runs[i][1])
        return offset

    def get(self, offset: int, size: int) -> bytes | None:
        if size <= 0:
            return b""
        if self.contiguous(offset) < offset + size:
            return None
        i = bisect_right(self.runs, offset, key=lambda r: r[0]) - 1
        start, run = self.runs[i]
        return bytes(run[offset - start : offset - start + size])

    def prune(self, keep: list[tuple[int, int]], start: int) -> None:
        """Drop bytes the parser neither read nor still needs (those before `start`).

        Parsers must therefore read forward: a re-run re-reads what was kept, and a jump back
        to skipped bytes becomes a need that only wanted_offset()/feed_at() can satisfy."""
        spans = sorted([*keep, (start, 1 << 62)])
        runs: list[tuple[int, bytearray]] = []
        for run_start, run in self.runs:
            run_end = run_start + len(run)
            for lo, hi in spans:
                lo, hi = max(lo, run_start), min(hi, run_end)
                if lo >= hi:
                    continue
                if runs and runs[-1][0] + len(runs[-1][1]) >= lo:
                    last_start, last = runs[-1]
                    last.extend(run[last_start + len(last) - run_start : hi - run_start])
                else:
                    runs.append((lo, bytearray(run[lo - run_start : hi - run_start])))
        self.runs = runs


class _Reader:
    """A read/seek file over a `_Store`; a read past the fed bytes raises `_Need`."""

    def __init__(self, store: _Store) -> None:
        self.store, self.pos, self.calls, self.hit_eof = store, 0, 0, False
        self.touched: list[tuple[int, int]] = []
        self.fmt: str | None = None

    def read(self, size: int = -1) -> bytes:
        self.calls += 1
        end = self.store.eof
        if size < 0 or (end is not None and self.pos + size > end):
            if end is None:
                raise _Need(self.pos, 1 << 62)
            self.hit_eof = True
            size = max(0, end - self.pos)
        data = self.store.get(self.pos, size)
        if data is None:
            raise _Need(self.pos, size)
        self.touched.append((self.pos, self.pos + size))
        self.pos += size
        return data

    def read_at(self, offset: int, size: int) -> bytes:
        self.seek(offset)
        return self.read(size)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_END:
            end = self.store.eof
            if end is None:
                raise _Need(self.pos, 1 << 62)
            offset += end
        elif whence == os.SEEK_CUR:
            offset += self.pos
        self.pos = max(0, offset)
        return self.pos

    def tell(self) -> int:
        return self.pos


def _unreadable(detail: str) -> _Verdict:
    return _Verdict(Reason.IMAGE_UNREADABLE, detail)


def _via_imagesize(r: _Reader) -> _Size:
    r.seek(0)
    info = imagesize.get_info(r, dpi=False, colors=False, channels=False, exif_rotation=False)
    if info.width <= 0 or info.height <= 0:
        raise _unreadable(f"{r.fmt.upper() if r.fmt else 'image'} header has no valid size")
    rotation = info.rotation if 1 <= info.rotation <= 8 else None
    return _Size(int(info.width), int(info.height), rotation, exif=rotation is not None)


def _gif(r: _Reader) -> _Size:  # imagesize unpacks '<hh': 40000 comes back as -25536
    width, height = struct.unpack("<HH", r.read_at(6, 4))
    return _Size(width, height)


def _webp(r: _Reader) -> _Size:  # imagesize does not mask VP8's 2 scale bits
    size = _via_imagesize(r)
    if r.read_at(12, 4) == b"VP8 ":
        size.width, size.height = size.width & 0x3FFF, size.height & 0x3FFF  # type: ignore[operator]
    return size


def _bmp(r: _Reader) -> _Size:
    if struct.unpack("<I", r.read_at(14, 4))[0] != 12:
        return _via_imagesize(r)  # negative (top-down) height is handled there
    width, height = struct.unpack("<HH", r.read_at(18, 4))  # OS/2 v1: 16-bit, unsigned
    return _Size(width, height)


def _ico(r: _Reader) -> _Size:
    count = struct.unpack("<H", r.read_at(4, 2))[0]
    if count == 0:
        raise _unreadable("ICO file lists no images")
    table = r.read(16 * count)
    if len(table) < 16 * count:
        raise ValueError("ICO directory cut short")
    sizes = [(table[i] or 256, table[i + 1] or 256) for i in range(0, 16 * count, 16)]
    width, height = max(sizes, key=lambda wh: wh[0] * wh[1])
    return _Size(width, height, detail=f"largest of {count} icon(s)" if count > 1 else "")


def _boxes(r: _Reader, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
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


def _iso(r: _Reader) -> _Size:
    """AVIF/HEIC: the primary item's ispe and irot. (imagesize 2.0.1 reads irot as a FullBox,
    so every rotated file fails, and it falls back to Exif orientation, which browsers ignore.)"""
    ftyp_end = struct.unpack(">I", r.read_at(0, 4))[0]
    listed = r.read_at(8, max(0, ftyp_end - 8))
    brands = {listed[i : i + 4] for i in range(0, len(listed) - 3, 4) if i != 4}
    r.fmt = "avif" if brands & _AVIF_BRANDS else "heic" if brands & _HEIC_BRANDS else None
    if r.fmt is None:
        names = ", ".join(sorted(b.decode("latin-1") for b in brands))
        raise _Verdict(Reason.NOT_AN_IMAGE, f"ISO media file (brands {names}), not an image")
    meta = next((box for box in _boxes(r, 0, 1 << 62) if box[0] == b"meta"), None)
    if meta is None:
        raise ValueError("no meta box")
    primary, props, assoc = None, [], {}
    for kind, start, end in _boxes(r, meta[1] + 4, meta[2]):
        if kind == b"pitm":
            primary = int.from_bytes(r.read_at(start + 4, 2 if r.read_at(start, 1) == b"\0" else 4))
        for kind2, start2, end2 in _boxes(r, start, end) if kind == b"iprp" else ():
            if kind2 == b"ipco":
                props = [(k, r.read_at(s, min(e - s, 12))) for k, s, e in _boxes(r, start2, end2)]
            elif kind2 == b"ipma":
                data = r.read_at(start2, end2 - start2)
                version, wide, pos = data[0], data[3] & 1, 8
                for _ in range(int.from_bytes(data[4:8])):
                    id_size = 2 if version == 0 else 4
                    item, count = int.from_bytes(data[pos : pos + id_size]), data[pos + id_size]
                    pos += id_size + 1
                    indexes = [
                        int.from_bytes(data[pos + i * (1 + wide) : pos + (i + 1) * (1 + wide)])
                        & (0x7FFF if wide else 0x7F)
                        for i in range(count)
                    ]
                    assoc[item] = indexes
                    pos += count * (1 + wide)
    width = height = None
    rotation = 1
    for index in assoc.get(primary, range(1, len(props) + 1)) if primary is not None else ():
        kind, payload = props[index - 1] if 0 < index <= len(props) else (b"", b"")
        if kind == b"ispe":
            width, height = struct.unpack(">II", payload[4:12])
        elif kind == b"irot":  # angle * 90 degrees anti-clockwise, as EXIF orientation
            rotation = (1, 8, 3, 6)[payload[0] & 3]
    if not width or not height:
        raise _unreadable(f"{r.fmt.upper()} has no image size (ispe) for its primary item")
    return _Size(width, height, rotation)


def _length(value: str | None) -> tuple[float | None, str]:
    """An SVG width/height attribute in CSS pixels; (None, why) for relative or bad values."""
    if value is None:
        return None, ""
    m = _LENGTH.match(value)
    if not m or m.group(2).lower() not in _UNITS:
        return None, f"relative or unknown length {value.strip()!r}"
    return float(m.group(1)) * _UNITS[m.group(2).lower()], ""


def _svg_size(attrs: dict[str, str]) -> _Size:
    (width, why_w), (height, why_h) = _length(attrs.get("width")), _length(attrs.get("height"))
    box = [
        float(v)
        for v in re.findall(
            r"[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?", attrs.get("viewBox", ""), re.I
        )
    ]
    ratio = box[2] / box[3] if len(box) == 4 and box[2] > 0 and box[3] > 0 else None
    notes = [why for why in (why_w, why_h) if why]
    if width is None and height is None:
        if ratio is None:
            notes.insert(0, "SVG has no intrinsic pixel size (no width/height, no viewBox)")
            return _Size(None, None, detail="; ".join(notes))
        notes.insert(0, "SVG has no intrinsic pixel size (no width/height, viewBox only)")
        width, height = box[2], box[3]
    elif width is None or height is None:
        if ratio is not None:
            if height is None and width is not None:
                height = width / ratio
            elif width is None and height is not None:
                width = height * ratio
            notes.append("SVG size partly derived from the viewBox aspect ratio")
        else:
            notes.append("SVG declares only one of width/height")
    return _Size(
        None if width is None else int(width + 0.5),
        None if height is None else int(height + 0.5),
        detail="; ".join(notes),
    )


def _text(r: _Reader) -> _Size:
    """No binary signature: SVG (root element reader), or say what the document is."""
    data = r.read_at(0, r.store.contiguous(0))
    at_eof = r.store.eof is not None and len(data) >= r.store.eof
    more = _Need(len(data), max(len(data), 512))
    if not data:
        raise more if not at_eof else _Verdict(Reason.NOT_AN_IMAGE, "empty body, not an image")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data[: len(data) // 2 * 2].decode("utf-16", "replace")
    else:
        text = data.decode("utf-8", "replace").removeprefix("\ufeff")
    probe = text[:512]
    if "\x00" in probe or sum(c < " " and c not in "\t\n\r\f" for c in probe) > len(probe) // 20:
        image = next((v for k, v in _UNREAD_IMAGES.items() if data.startswith(k)), None)
        if image:
            raise _Verdict(Reason.IMAGE_UNREADABLE, f"{image}: linkcheck cannot read its size")
        kind = next((v for k, v in _OTHER_BINARY.items() if data.startswith(k)), None)
        raise _Verdict(
            Reason.NOT_AN_IMAGE,
            (kind or "unrecognised binary data")
            + ", not an image"
            + ("" if kind else f" (starts with {data[:8].hex(' ')})"),
        )
    pos = len(text) - len(text.lstrip())
    if pos == len(text):
        raise more if not at_eof else _Verdict(Reason.NOT_AN_IMAGE, "blank text, not an image")
    if text[pos] in "{[":
        raise _Verdict(Reason.NOT_AN_IMAGE, "JSON document, not an image")
    if text[pos] != "<":
        raise _Verdict(Reason.NOT_AN_IMAGE, "plain text, not an image")
    while True:  # prolog: <?xml?>, <?pi?>, comments, DOCTYPE (with an internal subset)
        pos = len(text) - len(text[pos:].lstrip())
        skip = 1
        if text.startswith(("<?", "<!--"), pos):
            token = "?>" if text[pos + 1] == "?" else "-->"
            close, skip = text.find(token, pos + 2), len(token)
        elif text.startswith("<!", pos):
            doctype = _DOCTYPE.match(text, pos)
            if doctype and doctype.group(1).lower() == "html":
                raise _Verdict(Reason.NOT_AN_IMAGE, "HTML document, not an image")
            bracket, close = text.find("[", pos), text.find(">", pos)
            if 0 <= bracket < close:
                close = text.find("]", bracket)
                close = text.find(">", close) if close >= 0 else -1
        else:
            break
        if close < 0:
            raise more if not at_eof else _unreadable("truncated XML prolog, no root element")
        pos = close + skip
    root = re.match(r"<([\w:.-]+)", text[pos : pos + 256])
    if root is None or (root.end() == len(text) - pos and not at_eof):
        if pos + 1 < len(text) or at_eof:
            raise _Verdict(Reason.NOT_AN_IMAGE, "markup without a root element, not an image")
        raise more
    name = root.group(1)
    if name.lower() in _HTML_TAGS:
        raise _Verdict(Reason.NOT_AN_IMAGE, "HTML document, not an image")
    if name.rpartition(":")[2] != "svg":
        raise _Verdict(Reason.NOT_AN_IMAGE, f"XML document with root <{name}>, not an image")
    r.fmt = "svg"
    tag = _TAG.match(text, pos)
    if not tag:
        r.hit_eof = at_eof
        raise more if not at_eof else ValueError("<svg> start tag malformed or cut short")
    attrs = {
        m.group(1).rpartition(":")[2]: m.group(2) if m.group(2) is not None else m.group(3)
        for m in _ATTR.finditer(tag.group(2))
    }
    return _svg_size(attrs)


def _detect(head: bytes) -> tuple[str | None, Callable[[_Reader], _Size]] | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg", _via_imagesize
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


def _parse(r: _Reader) -> _Size:
    found = _detect(r.read_at(0, _HEAD))
    if found is None:
        return _text(r)
    r.fmt, parse = found
    return parse(r)


class ImageProber:
    """Feed an image body chunk by chunk; a final ImageProbe comes back as soon as one is known."""

    def __init__(self, *, max_bytes: int = 1 << 20, content_type: str | None = None) -> None:
        self._max, self._content_type = max_bytes, content_type
        self._store = _Store()
        self._next = self._end = self._read = 0  # stream position, highest end fed, bytes fed
        self._need: _Need = _Need(0, _HEAD)
        self._fmt: str | None = None
        self._work = self._read_at_try = 0  # reader calls of the last try, bytes fed before it
        self._done: ImageProbe | None = None

    @property
    def bytes_read(self) -> int:
        return self._read

    def feed(self, chunk: bytes) -> ImageProbe | None:
        """Add the next chunk of the body; the final ImageProbe once decided, else None."""
        return self.feed_at(self._next, chunk)

    def feed_at(self, offset: int, chunk: bytes) -> ImageProbe | None:
        """Add bytes that start at absolute `offset` (e.g. from a ranged request)."""
        if self._done is None:
            try:
                self._take(offset, bytes(chunk))
            except Exception as exc:  # never raise on any input
                self._done = self._probe(Reason.IMAGE_UNREADABLE, f"probe failed: {exc!r}")
        return self._done

    def finish(self) -> ImageProbe:
        """End of body (or the caller gives up): the best verdict from what was fed."""
        if self._done is None:
            try:
                self._store.eof = self._end
                self._try(final=True)
                if self._done is None:
                    missing = self._store.contiguous(self._need.offset)
                    detail = f"needs bytes from offset {missing} that were not fed"
                    self._done = self._probe(Reason.IMAGE_UNREADABLE, detail)
            except Exception as exc:
                self._done = self._probe(Reason.IMAGE_UNREADABLE, f"probe failed: {exc!r}")
        return self._done

    def wanted_offset(self) -> int | None:
        """Absolute offset the parser needs next when that is not simply the next bytes."""
        need = self._need
        if self._done is not None or need.size >= 1 << 62:
            return None
        first = self._store.contiguous(need.offset)
        if first >= need.offset + need.size:
            return None  # already fed, waiting for the next try
        return first if first > self._next + _FAR or first < self._next else None

    def _take(self, offset: int, chunk: bytes) -> None:
        need = self._need
        if chunk:
            self._read += len(chunk)
            self._next = offset + len(chunk)
            self._end = max(self._end, self._next)
            skip = max(0, need.offset - offset)  # a re-run only reads kept bytes before the need
            if skip < len(chunk):
                self._store.add(offset + skip, chunk[skip:])
        ready = self._store.contiguous(need.offset) >= need.offset + need.size
        if ready and (self._read - self._read_at_try) * 4 >= self._work:  # O(n) in total
            self._try(final=False)
        if self._done is None and self._read >= self._max:
            self._done = self._probe(
                Reason.IMAGE_UNREADABLE,
                f"no image size in the first {self._read} bytes read (limit {self._max})",
            )

    def _try(self, *, final: bool) -> None:
        r = _Reader(self._store)
        try:
            self._done = self._sized(_parse(r), r.fmt)
        except _Need as need:
            self._need, self._fmt = need, r.fmt
            if not final:
                self._store.prune(r.touched, need.offset)
        except _Verdict as verdict:
            self._fmt = r.fmt
            served = f" (served as {self._content_type})" if self._content_type else ""
            extra = served if verdict.error is Reason.NOT_AN_IMAGE else ""
            self._done = self._probe(verdict.error, verdict.detail + extra)
        except Exception as exc:  # imagesize's ValueError/struct.error and anything else
            self._fmt = r.fmt
            name = (r.fmt or "image").upper()
            detail = (
                f"truncated: {name} ended before {_SIZE_PART.get(r.fmt or '', 'its size')}"
                if r.hit_eof
                else f"invalid {name} header: {exc}"
            )
            self._done = self._probe(Reason.IMAGE_UNREADABLE, detail)
        finally:
            self._work, self._read_at_try = r.calls, self._read

    def _probe(self, error: Reason | None, detail: str) -> ImageProbe:
        return ImageProbe(self._fmt, None, None, None, None, self._read, error, detail)

    def _sized(self, size: _Size, fmt: str | None) -> ImageProbe:
        swap = size.rotation in (5, 6, 7, 8)
        detail = size.detail
        if size.rotation not in (None, 1) and not size.exif:
            detail = "displayed rotated by the HEIF irot property"
        return ImageProbe(
            fmt,
            size.width,
            size.height,
            size.height if swap else size.width,
            size.width if swap else size.height,
            self._read,
            None,
            detail,
            size.rotation if size.exif else None,
        )


def probe_bytes(data: bytes, *, content_type: str | None = None) -> ImageProbe:
    """Whole buffer in, verdict out (feed + finish)."""
    prober = ImageProber(max_bytes=max(1 << 20, len(data) + 1), content_type=content_type)
    return prober.feed(data) or prober.finish()
