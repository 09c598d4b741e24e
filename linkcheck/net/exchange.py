"""One request/response exchange whose network failures come back as values.

httpx/OS/SSL/timeout exceptions are mapped to `ErrorKind` here, once, on their types (never on
message text). Any other exception is a bug and propagates (`check_link` makes it an
`internal_error`).
Redirects are NOT followed by httpx: `check.py` walks them hop by hop so every hop goes through
its own host's politeness gate and is recorded.
"""

from __future__ import annotations

import email.utils
import errno
import math
import socket
import ssl
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import anyio
import h11
import httpx

from linkcheck.collect.normalize import resolve_location
from linkcheck.models import ErrorKind
from linkcheck.net.decoding import decoder_for, feed_sink
from linkcheck.net.guard import AddressRefused

BAD_LOCATION = "x-linkcheck-bad-location"  # where the client's hook puts a raw Location
_FOLLOWED = frozenset({301, 302, 303, 307, 308})  # the redirects httpx (and browsers) follow


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request and what came back (or why nothing did)."""

    method: str
    url: str
    status: int | None
    headers: tuple[tuple[str, str], ...]
    # a 3xx's Location: the absolute URL it leads to, or the raw value when that is no valid
    # http(s) URL (`redirects.walk` reports it as `invalid_redirect`)
    location: str | None
    error_kind: ErrorKind | None
    error_detail: str
    elapsed: float
    body_bytes: int  # bytes of body read
    retry_after: float | None  # seconds, parsed from Retry-After (delta or HTTP-date)

    @property
    def is_redirect(self) -> bool:
        return self.status is not None and 300 <= self.status < 400 and self.location is not None


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Retry-After in seconds from now (delta-seconds or an HTTP-date); None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    wall = time.time() if now is None else now
    return max(0.0, when.timestamp() - wall)


# What a network exchange can fail with. Anything else raised inside `exchange` is a bug in
# linkcheck (or in a sink it was given): it propagates, and `check_link` reports it as
# `internal_error` instead of pretending the link is broken.
NETWORK_ERRORS: tuple[type[BaseException], ...] = (httpx.HTTPError, httpx.InvalidURL, OSError)

# What OpenSSL says (`SSLError.reason`, a code, not prose) when the first bytes a TLS client
# reads are no TLS record: on an https URL, an HTTP server answering in plain text
# ("HTTP/1.1 400 ...") to our ClientHello.
_PLAIN_HTTP_REASONS = frozenset({"WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "HTTP_REQUEST"})
PLAIN_HTTP_DETAIL = "the server answered plain HTTP on a TLS port"

# A machine out of file descriptors or memory says nothing about the link being checked.
_LOCAL_ERRNOS = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})


def map_error(exc: BaseException) -> tuple[ErrorKind, str] | None:
    """Map an httpx/OS/SSL/timeout exception to an ErrorKind and a short human detail.

    None: not a network failure (a bug, or this machine out of resources), never a verdict.
    Decided on types only, never on message text; causes are followed through the chain, as
    httpx (and our aiohttp transport) wrap the socket and SSL errors they translate.
    """
    detail = _describe(exc)
    if not isinstance(exc, NETWORK_ERRORS) or _local_failure(exc):
        return None
    refused = _in_chain(exc, AddressRefused)
    if refused is not None:  # the address guard: nothing was sent
        return ErrorKind.PRIVATE_ADDRESS, str(refused)
    if isinstance(exc, TimeoutError):  # anyio.fail_after: the whole exchange took too long
        return ErrorKind.TIMEOUT, "no complete answer within the time limit"
    if isinstance(exc, httpx.TimeoutException):
        if isinstance(exc, httpx.ConnectTimeout):
            return ErrorKind.CONNECT_TIMEOUT, f"connect timed out ({detail})"
        return ErrorKind.TIMEOUT, f"timed out ({detail})"
    if isinstance(exc, httpx.ConnectError | socket.gaierror | ConnectionRefusedError):
        tls = _in_chain(exc, ssl.SSLError)
        if tls is not None:
            if any(getattr(e, "reason", None) in _PLAIN_HTTP_REASONS for e in _chain(tls)):
                return ErrorKind.TLS, PLAIN_HTTP_DETAIL
            return ErrorKind.TLS, f"TLS handshake failed: {_describe(tls)}"
        dns = _in_chain(exc, socket.gaierror)
        if dns is not None:
            return ErrorKind.DNS, f"host name not found: {_describe(dns)}"
        return ErrorKind.CONNECT, f"could not connect: {detail}"
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        parser = _in_chain(exc, h11.RemoteProtocolError)
        if parser is not None and getattr(parser, "error_status_hint", None) == 431:
            return ErrorKind.PROTOCOL, HEAD_TOO_LARGE  # h11's "header fields too large"
        return ErrorKind.PROTOCOL, f"connection broken mid-response: {detail}"
    if isinstance(exc, httpx.DecodingError):
        return ErrorKind.PROTOCOL, f"body does not match its Content-Encoding: {detail}"
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL | httpx.LocalProtocolError):
        return ErrorKind.INVALID_URL, f"cannot request this URL: {detail}"
    if isinstance(exc, ssl.SSLError):
        return ErrorKind.TLS, f"TLS error: {detail}"
    if isinstance(exc, httpx.TransportError):  # ProxyError, NetworkError, ...
        return ErrorKind.CONNECT, f"transport error: {detail}"
    if isinstance(exc, OSError):  # a socket error no transport translated
        return ErrorKind.PROTOCOL, f"connection failed: {detail}"
    return None  # httpx.HTTPError subclasses that are no network failure (StreamError, ...)


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and its causes (explicit or implicit), without cycles."""
    out = [exc]
    seen = {id(exc)}
    nxt = exc.__cause__ or exc.__context__
    while nxt is not None and id(nxt) not in seen:
        seen.add(id(nxt))
        out.append(nxt)
        nxt = nxt.__cause__ or nxt.__context__
    return out


def _in_chain(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    return next((e for e in _chain(exc) if isinstance(e, kind)), None)


def _local_failure(exc: BaseException) -> bool:
    return any(isinstance(e, OSError) and e.errno in _LOCAL_ERRNOS for e in _chain(exc))


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return text or type(exc).__name__


BodySink = Callable[[bytes], bool]  # returns True when it has seen enough
# Header fields in one response, as the aiohttp transport's parser allows (`MAX_HEADERS`); each
# transport bounds a field's bytes itself (100 KiB: aiohttp's max_field_size, h11's buffer).
MAX_HEADER_FIELDS = 1000
HEAD_TOO_LARGE = "response refused: its header section is larger than 100 KiB"

# A response closed before its body ends cannot be reused: httpx drops the connection, and the
# next request to that host pays a new TCP (and TLS) handshake. When what is left of a body is
# at most this much, it is read and discarded instead, so the connection goes back to the pool.
DRAIN_LIMIT = 32 * 1024
# ... and read for at most this long: a body that stalls once the verdict is known (the status,
# an image's size) closes the connection instead of turning an answer into a timeout.
DRAIN_PATIENCE = 0.5
# `timeout` bounds one exchange end to end (connect, headers, body): the transport's own
# connect and read timeouts (which name what timed out) get this much longer to fire first.
TIMEOUT_GRACE = 1.1


def _cheap_to_finish(response: httpx.Response, method: str, read: int, length: str) -> bool:
    """Is the rest of this body (`length`: its Content-Length header) small enough to read so
    the connection can be reused?"""
    if method == "HEAD" or response.status_code in (204, 304):
        return True  # no body at all: reading it just completes the exchange
    if not length.isdigit():
        return False  # unknown length (chunked): do not gamble
    return int(length) - read <= DRAIN_LIMIT


async def exchange(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    sink: BodySink | None = None,
    max_body: int = 0,
    timeout: float | None = None,
) -> Exchange:
    """Send one request. Network failures come back as values; bugs and cancellation raise.

    With `sink`, body chunks are passed to it until it returns True or `max_body` bytes were read;
    without, the body is not read at all and the response is closed right after the headers.
    """
    start = time.monotonic()
    limit = timeout if timeout else (client.timeout.read or 30.0)
    # what anyio.fail_after does, without its two generator context managers per request: a
    # deadline for the whole exchange (a server trickling bytes, too), a TimeoutError past it
    scope = anyio.CancelScope(deadline=anyio.current_time() + limit * TIMEOUT_GRACE)
    try:
        with scope:
            return await _exchange(client, method, url, headers, sink, max_body, timeout, start)
        error: BaseException = TimeoutError()  # only the deadline cancels this scope
    except NETWORK_ERRORS as exc:  # a network failure becomes a value; anything else is a bug
        error = exc
    mapped = map_error(error)
    if mapped is None:
        raise error
    kind, detail = mapped
    return Exchange(method, url, None, (), None, kind, detail, time.monotonic() - start, 0, None)


async def _exchange(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    headers: dict[str, str] | None,
    sink: BodySink | None,
    max_body: int,
    timeout: float | None,
    start: float,
) -> Exchange:
    read = 0
    extensions = {"timeout": _timeouts(timeout, client.timeout.connect)} if timeout else None
    open_stream = getattr(client, "open_stream", None)  # the run's client: a shorter way
    if open_stream is not None:
        response: httpx.Response = await open_stream(method, url, headers, extensions)
    else:
        request = client.build_request(method, url, headers=headers, extensions=extensions)
        response = await client.send(request, stream=True)
    try:
        # the response's headers, read once (each httpx lookup decodes and scans them all)
        items = tuple(response.headers.items())
        named = dict(items)  # httpx's items(): lower-case names, repeated ones joined
        if len(response.headers.raw) > MAX_HEADER_FIELDS:  # httpcore/h11 bound only bytes
            count = len(response.headers.raw)
            detail = f"response refused: {count} header fields (limit {MAX_HEADER_FIELDS})"
            took = time.monotonic() - start
            return Exchange(method, url, None, (), None, ErrorKind.PROTOCOL, detail, took, 0, None)
        # as the server sent it (the client's hook set it aside before httpx parsed it)
        location = named.get(BAD_LOCATION, named.get("location"))  # a client without the hook
        if response.status_code not in _FOLLOWED:
            location = None
        elif location is not None:
            location = resolve_location(location, url)[0] or location
        feeding = sink is not None and method != "HEAD" and 200 <= response.status_code < 300
        # a sink that only reads along (a page read for the news checks): the status is the
        # answer, so a body that stalls or breaks while it reads ends the read, not the answer
        along = feeding and getattr(sink, "best_effort", False)
        # A body only drained is never decoded: raw bytes, no decompression. (A transport may
        # hand over a response already read, as httpx.MockTransport does: nothing to drain.)
        length = named.get("content-length", "")
        drain = not response.is_stream_consumed and _cheap_to_finish(response, method, 0, length)
        if feeding or drain:
            # Raw bytes, decoded here with a bound on the OUTPUT (httpx would inflate each raw
            # chunk whole: a decompression bomb); a body only drained is never decoded.
            consumed = response.is_stream_consumed  # a transport handed it over read, decoded
            chunks = _already_read(response) if consumed else response.aiter_raw()
            decoder = decoder_for("" if consumed else named.get("content-encoding", ""))
            # while the sink still needs bytes, only the whole exchange's limit applies
            patience = anyio.CancelScope(
                deadline=math.inf if feeding and not along else _drain_deadline(along)
            )
            with patience:
                try:
                    async for chunk in chunks:
                        read = response.num_bytes_downloaded
                        if feeding:
                            assert sink is not None
                            feeding = feed_sink(sink, decoder, chunk, max_body) and read < max_body
                            if not feeding:  # what was needed is known: the rest is drained
                                patience.deadline = _drain_deadline()
                        if not feeding and not _cheap_to_finish(response, method, read, length):
                            break
                except NETWORK_ERRORS:
                    if feeding and not along:
                        raise
                    # the answer was complete: a drain that breaks or times out only costs
                    # the connection (closed below instead of going back to the pool)
            read = response.num_bytes_downloaded
    finally:
        await response.aclose()
    return Exchange(
        method=method,
        url=url,
        status=response.status_code,
        headers=items,
        location=location,
        error_kind=None,
        error_detail="",
        elapsed=time.monotonic() - start,
        body_bytes=read,
        retry_after=parse_retry_after(named.get("retry-after")),
    )


async def _already_read(response: httpx.Response) -> AsyncIterator[bytes]:
    yield response.content


def _drain_deadline(reading: bool = False) -> float:
    """When to stop draining: after DRAIN_PATIENCE, and well before the exchange's own time
    limit (or the link's budget) runs out, so a stalled drain never turns into a timeout.
    A sink reading along (`best_effort`) has all of that half of what is left."""
    now = anyio.current_time()
    half = (anyio.current_effective_deadline() - now) / 2
    return now + (half if reading else min(DRAIN_PATIENCE, half))


_TIMEOUTS: dict[tuple[float, float | None], dict[str, float | None]] = {}


def _timeouts(timeout: float, connect: float | None) -> dict[str, float | None]:
    """httpx's timeout extension for a request allowed `timeout` seconds (connecting: at most
    the client's connect timeout): built once per distinct pair (a run has two or three),
    not per request. Transports only read it."""
    key = (timeout, connect)
    cached = _TIMEOUTS.get(key)
    if cached is None:
        if len(_TIMEOUTS) > 64:  # many runs in one process with many settings: start over
            _TIMEOUTS.clear()
        cached = httpx.Timeout(timeout, connect=min(timeout, connect or timeout)).as_dict()
        _TIMEOUTS[key] = cached
    return cached
