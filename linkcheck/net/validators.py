"""HTTP validators: what a response says that lets a later run ask "has it changed?".

`validators_of(status, headers)` reads ETag, Last-Modified and the full length of a 200 or 206
answer; `conditional_headers(validators)` turns them into If-None-Match / If-Modified-Since;
`refreshed(old, headers)` takes the new ETag / Last-Modified a 304 may carry. Pure functions
over the `(name, value)` header pairs an `HttpOutcome` keeps (names lower-case).
"""

from __future__ import annotations

from collections.abc import Iterable

from linkcheck.models import Validators

__all__ = ["conditional_headers", "content_range_total", "refreshed", "validators_of"]

_MAX_VALIDATOR = 512  # longer ETag / Last-Modified values are not worth keeping or sending back


def _clean(value: str | None) -> str | None:
    """A header value fit to send back as it came: ASCII (httpx sends header values as
    ASCII), no control characters, not empty, short."""
    if value is None:
        return None
    value = value.strip()
    if not value or len(value) > _MAX_VALIDATOR or not value.isascii():
        return None
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return None
    return value


def content_range_total(headers: Iterable[tuple[str, str]]) -> int | None:
    """The full length from `Content-Range: bytes a-b/TOTAL` (None when absent or `*`)."""
    for k, v in headers:
        if k.lower() == "content-range" and "/" in v:
            total = v.rsplit("/", 1)[1].strip()
            return int(total) if total.isdigit() else None
    return None


def validators_of(status: int | None, headers: Iterable[tuple[str, str]]) -> Validators | None:
    """The validators of a successful answer (200: Content-Length is the full length; 206: the
    total of Content-Range); None when it carries none, or is not a 200/206."""
    if status not in (200, 206):
        return None
    pairs = tuple(headers)
    etag = last_modified = None
    length: int | None = None
    for k, v in pairs:
        name = k.lower()
        if name == "etag":
            etag = _clean(v)
        elif name == "last-modified":
            last_modified = _clean(v)
        elif name == "content-length" and status == 200:
            text = v.strip()
            length = int(text) if text.isdigit() else None
    if status == 206:
        length = content_range_total(pairs)
    if etag is None and last_modified is None and length is None:
        return None
    return Validators(etag=etag, last_modified=last_modified, content_length=length)


def conditional_headers(validators: Validators) -> dict[str, str]:
    """The request headers that make a server answer 304 when nothing changed: If-None-Match
    for an ETag, If-Modified-Since for a Last-Modified date (servers decide on If-None-Match
    when both are sent). Empty when there is nothing to send."""
    headers: dict[str, str] = {}
    etag = _clean(validators.etag)
    if etag is not None:
        headers["If-None-Match"] = etag
    last_modified = _clean(validators.last_modified)
    if last_modified is not None:
        headers["If-Modified-Since"] = last_modified
    return headers


def refreshed(old: Validators, headers: Iterable[tuple[str, str]]) -> Validators:
    """`old` with the ETag / Last-Modified a 304 answer carried, if any (a 304 says nothing
    reliable about the length: that is kept)."""
    etag, last_modified = old.etag, old.last_modified
    for k, v in headers:
        name = k.lower()
        if name == "etag":
            etag = _clean(v) or etag
        elif name == "last-modified":
            last_modified = _clean(v) or last_modified
    if (etag, last_modified) == (old.etag, old.last_modified):
        return old
    return Validators(etag=etag, last_modified=last_modified, content_length=old.content_length)
