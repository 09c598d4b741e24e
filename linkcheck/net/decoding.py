"""Content-Encoding decoded with a bound on what comes OUT, not on what goes in.

httpx decodes each raw chunk whole: 64 KiB of gzip-compressed zeros becomes 64 MB in one
call, so a decompression bomb costs memory before any byte count can stop it. Here every
decompress call is given `max_length`, and the output comes in pieces of at most `PIECE`
bytes; the caller stops pulling once it has enough, so a body costs at most what was asked
for, however far it would inflate.

Encodings: identity, gzip / x-gzip, deflate (zlib-wrapped or raw, as browsers accept), and br
when the brotli package is installed. A coding this module cannot decode is passed through as
it is (httpx does the same), and a stream that does not match its coding raises
httpx.DecodingError, which `exchange.map_error` maps like httpx's own.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from typing import Any, Protocol

import httpx

__all__ = ["PIECE", "BoundedDecoder", "decoder_for", "feed_sink"]

PIECE = 64 * 1024  # the most one decode step produces

try:  # optional, as for httpx: brotli is only decoded when the package is installed
    import brotli as _brotli  # type: ignore[import-not-found, unused-ignore]
except ImportError:  # pragma: no cover - depends on the environment
    _brotli = None


class _Stage(Protocol):
    def feed(self, data: bytes) -> Iterator[bytes]: ...


class _Zlib:
    """gzip or deflate, at most PIECE bytes out per step."""

    def __init__(self, wbits: int, *, deflate: bool = False) -> None:
        self._obj: Any = zlib.decompressobj(wbits)
        self._deflate = deflate  # "deflate" may be raw deflate: retry without the zlib header
        self._first = True

    def feed(self, data: bytes) -> Iterator[bytes]:
        while data:
            try:
                out = self._obj.decompress(data, PIECE)
            except zlib.error as exc:
                if not (self._deflate and self._first):
                    raise httpx.DecodingError(f"invalid compressed data: {exc}") from exc
                self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
                self._first = False
                continue
            self._first = False
            data = self._obj.unconsumed_tail
            if self._obj.eof:  # gzip members may follow one another
                rest = self._obj.unused_data
                data = rest if rest.strip(b"\0") else b""
                if data:
                    self._obj = zlib.decompressobj(zlib.MAX_WBITS | 16)
            if out:
                yield out


class _Brotli:  # pragma: no cover - only with the optional brotli package
    def __init__(self) -> None:
        assert _brotli is not None
        self._obj: Any = _brotli.Decompressor()

    def feed(self, data: bytes) -> Iterator[bytes]:
        try:
            out = self._obj.process(data, output_buffer_limit=PIECE)
            yield out
            while not self._obj.can_accept_more_data():
                yield self._obj.process(b"", output_buffer_limit=PIECE)
        except TypeError:  # an old brotli without output_buffer_limit: not bounded
            raise httpx.DecodingError("brotli package too old to decode with a bound") from None
        except _brotli.error as exc:
            raise httpx.DecodingError(f"invalid brotli data: {exc}") from exc


def _stage(coding: str) -> _Stage | None:
    if coding in ("gzip", "x-gzip"):
        return _Zlib(zlib.MAX_WBITS | 16)
    if coding == "deflate":
        return _Zlib(zlib.MAX_WBITS, deflate=True)
    if coding == "br" and _brotli is not None:
        return _Brotli()
    return None  # identity, or a coding we cannot decode: the bytes as they are


class BoundedDecoder:
    """Raw body chunks in, decoded pieces (each at most PIECE bytes) out, lazily."""

    def __init__(self, stages: list[_Stage]) -> None:
        self._stages = stages  # in the order they are undone (the last coding applied first)
        self.given = 0  # decoded bytes handed on so far (by `feed_sink`)

    @property
    def identity(self) -> bool:
        return not self._stages

    def feed(self, data: bytes) -> Iterator[bytes]:
        """The decoded pieces of one raw chunk; stop iterating to stop decoding."""
        pieces: Iterator[bytes] = iter((data,))
        for stage in self._stages:
            pieces = _through(stage, pieces)
        return pieces


def _through(stage: _Stage, pieces: Iterator[bytes]) -> Iterator[bytes]:
    for piece in pieces:
        yield from stage.feed(piece)


def decoder_for(content_encoding: str) -> BoundedDecoder:
    """The decoder for a Content-Encoding header value ("gzip", "deflate, br", "")."""
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    stages = [s for s in (_stage(c) for c in reversed(codings)) if s is not None]
    return BoundedDecoder(stages)


def feed_sink(
    sink: Callable[[bytes], bool], decoder: BoundedDecoder, chunk: bytes, limit: int
) -> bool:
    """Pass the decoded pieces of one raw chunk to `sink` until it has enough (returns True)
    or `limit` decoded bytes were given in all. True while the sink still wants more."""
    for piece in decoder.feed(chunk):
        piece = piece[: max(0, limit - decoder.given)]
        decoder.given += len(piece)
        if sink(piece) or decoder.given >= limit:
            return False
    return decoder.given < limit
