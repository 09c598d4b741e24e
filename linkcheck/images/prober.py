"""Bytes in, image format and pixel size out: an incremental prober for streamed image bodies.

The body is fed chunk by chunk; the prober answers as soon as the header gives the size, so the
caller can stop downloading. The bytes fed so far live in a `ByteStore`; each parse reads them
through a `Reader` that raises `Need` instead of hitting a false end of file, and the parse is
run again only once the bytes it needed have arrived (the format is detected once; the JPEG
walk resumes where it stopped, other parsers re-read the few bytes they keep). Bytes a parser
seeks over (huge JPEG APPn segments, TIFF strips) are dropped, and `wanted_offset()` tells the
caller when a ranged request could skip them entirely.

Formats: `binary` recognises raster signatures and reads their headers (mostly through
`imagesize`); `svg` handles everything without a binary signature (SVG, or naming what the body
is instead: HTML, JSON, PDF, ...). The prober never raises: any failure is a verdict.
"""

from __future__ import annotations

from linkcheck.images.binary import HEAD, SIZE_PART, Parser, detect
from linkcheck.images.sizes import Size, Verdict
from linkcheck.images.store import FAR_AWAY, ByteStore, Need, Reader
from linkcheck.images.svg import sniff_text
from linkcheck.models import ImageProbe, Reason

__all__ = ["ImageProber", "probe_bytes"]

_FAR = 16 * 1024  # a needed offset this far past the stream is worth a ranged request


class ImageProber:
    """Feed an image body chunk by chunk; a final ImageProbe comes back as soon as one is known."""

    def __init__(self, *, max_bytes: int = 1 << 20, content_type: str | None = None) -> None:
        self._max, self._content_type = max_bytes, content_type
        self._store = ByteStore()
        self._next = self._end = self._read = 0  # stream position, highest end fed, bytes fed
        self._need: Need = Need(0, HEAD)
        self._fmt: str | None = None
        self._work = self._read_at_try = 0  # reader calls of the last try, bytes fed before it
        self._parser: tuple[str | None, Parser] | None = None  # detected once, from HEAD bytes
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
        if self._done is not None or need.size >= FAR_AWAY:
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
        r = Reader(self._store)
        try:
            self._done = self._sized(self._parse(r), r.fmt)
        except Need as need:
            self._need, self._fmt = need, r.fmt
            if not final:
                self._store.prune(r.touched, need.offset)
        except Verdict as verdict:
            self._fmt = r.fmt
            served = f" (served as {self._content_type})" if self._content_type else ""
            extra = served if verdict.error is Reason.NOT_AN_IMAGE else ""
            self._done = self._probe(verdict.error, verdict.detail + extra)
        except Exception as exc:  # imagesize's ValueError/struct.error and anything else
            self._fmt = r.fmt
            name = (r.fmt or "image").upper()
            detail = (
                f"truncated: {name} ended before {SIZE_PART.get(r.fmt or '', 'its size')}"
                if r.hit_eof
                else f"invalid {name} header: {exc}"
            )
            self._done = self._probe(Reason.IMAGE_UNREADABLE, detail)
        finally:
            self._work, self._read_at_try = r.calls, self._read

    def _parse(self, r: Reader) -> Size:
        if self._parser is None:
            self._parser = detect(r.read_at(0, HEAD)) or (None, sniff_text)
        r.fmt, parse = self._parser
        return parse(r)

    def _probe(self, error: Reason | None, detail: str) -> ImageProbe:
        return ImageProbe(self._fmt, None, None, None, None, self._read, error, detail)

    def _sized(self, size: Size, fmt: str | None) -> ImageProbe:
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
