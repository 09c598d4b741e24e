"""The HTTP transport edge: the shared client, and one request/response exchange that never raises.

httpx exceptions are mapped to `ErrorKind` here, once, on their types (never on message text).
Redirects are NOT followed by httpx: `check.py` walks them hop by hop so every hop goes through
its own host's politeness gate and is recorded.
"""

from __future__ import annotations

import email.utils
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass

import anyio
import httpx

from linkcheck.models import ErrorKind

BAD_LOCATION = "x-linkcheck-bad-location"


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request and what came back (or why nothing did)."""

    method: str
    url: str
    status: int | None
    headers: tuple[tuple[str, str], ...]
    location: str | None  # absolute URL of the redirect target, when status is 3xx with Location
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


def map_error(exc: BaseException) -> tuple[ErrorKind, str]:
    """Map an httpx (or lower) exception to an ErrorKind and a short human detail."""
    detail = _describe(exc)
    if isinstance(exc, TimeoutError):  # anyio.fail_after: the whole exchange took too long
        return ErrorKind.TIMEOUT, "no complete answer within the time limit"
    if isinstance(exc, httpx.TimeoutException):
        if isinstance(exc, httpx.ConnectTimeout):
            return ErrorKind.CONNECT_TIMEOUT, f"connect timed out ({detail})"
        return ErrorKind.TIMEOUT, f"timed out ({detail})"
    if isinstance(exc, httpx.ConnectError):
        cause = _root_cause(exc)
        if isinstance(cause, ssl.SSLError):
            return ErrorKind.TLS, f"TLS handshake failed: {_describe(cause)}"
        if _is_dns_failure(cause):
            return ErrorKind.DNS, f"host name not found: {_describe(cause)}"
        return ErrorKind.CONNECT, f"could not connect: {detail}"
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)):
        return ErrorKind.PROTOCOL, f"connection broken mid-response: {detail}"
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL, httpx.LocalProtocolError)):
        return ErrorKind.INVALID_URL, f"cannot request this URL: {detail}"
    if isinstance(exc, ssl.SSLError):
        return ErrorKind.TLS, f"TLS error: {detail}"
    if isinstance(exc, httpx.TransportError):
        return ErrorKind.CONNECT, f"transport error: {detail}"
    return ErrorKind.PROTOCOL, f"unexpected error: {type(exc).__name__}: {detail}"


def _root_cause(exc: BaseException) -> BaseException:
    seen = set()
    while exc.__cause__ is not None or exc.__context__ is not None:
        nxt = exc.__cause__ or exc.__context__
        if nxt is None or id(nxt) in seen:
            break
        seen.add(id(nxt))
        exc = nxt
    return exc


def _is_dns_failure(exc: BaseException) -> bool:
    import socket

    return isinstance(exc, socket.gaierror)


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return text or type(exc).__name__


BodySink = Callable[[bytes], bool]  # returns True when it has seen enough

# A response closed before its body ends cannot be reused: httpx drops the connection, and the
# next request to that host pays a new TCP (and TLS) handshake. When what is left of a body is
# at most this much, it is read and discarded instead, so the connection goes back to the pool.
DRAIN_LIMIT = 32 * 1024


def _cheap_to_finish(response: httpx.Response, method: str, read: int) -> bool:
    """Is the rest of this body small enough to read so the connection can be reused?"""
    if method == "HEAD" or response.status_code in (204, 304):
        return True  # no body at all: reading it just completes the exchange
    length = response.headers.get("content-length", "")
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
    """Send one request. Never raises (except cancellation): failures come back as values.

    With `sink`, body chunks are passed to it until it returns True or `max_body` bytes were read;
    without, the body is not read at all and the response is closed right after the headers.
    """
    start = time.monotonic()
    read = 0
    limit = timeout if timeout else (client.timeout.read or 30.0)
    try:
        with anyio.fail_after(limit * 1.5):  # a server trickling bytes must not stall us forever
            return await _exchange(client, method, url, headers, sink, max_body, timeout, start)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a value; cancellation is BaseException
        kind, detail = map_error(exc)
        return Exchange(
            method, url, None, (), None, kind, detail, time.monotonic() - start, read, None
        )


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
    request = client.build_request(
        method,
        url,
        headers=headers,
        timeout=httpx.Timeout(timeout, connect=min(timeout, client.timeout.connect or timeout))
        if timeout
        else httpx.USE_CLIENT_DEFAULT,
    )
    response = await client.send(request, stream=True)
    try:
        location = str(response.next_request.url) if response.next_request else None
        if BAD_LOCATION in response.headers:
            return Exchange(
                method,
                url,
                response.status_code,
                tuple(response.headers.items()),
                None,
                ErrorKind.INVALID_URL,
                f"redirect Location is not a valid URL: {response.headers[BAD_LOCATION]!r}",
                time.monotonic() - start,
                0,
                None,
            )
        feeding = sink is not None and method != "HEAD" and 200 <= response.status_code < 300
        if feeding or _cheap_to_finish(response, method, 0):
            async for chunk in response.aiter_bytes():
                read = response.num_bytes_downloaded
                if feeding:
                    assert sink is not None
                    feeding = not sink(chunk) and read < max_body
                if not feeding and not _cheap_to_finish(response, method, read):
                    break
            read = response.num_bytes_downloaded
    finally:
        await response.aclose()
    return Exchange(
        method=method,
        url=url,
        status=response.status_code,
        headers=tuple(response.headers.items()),
        location=location,
        error_kind=None,
        error_detail="",
        elapsed=time.monotonic() - start,
        body_bytes=read,
        retry_after=parse_retry_after(response.headers.get("retry-after")),
    )
