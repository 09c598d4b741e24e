"""The httpx API over aiohttp's connection pool: the default transport of a run.

httpx stays the API (requests, responses, streaming, redirects computed by httpx, events);
this class only moves bytes. Measured on 20 loopback hosts, 200 requests in flight
(`benchmarks/transport_cpu.py`), it costs a fraction of the CPU per request of httpcore's
pools, whose upkeep grows with the number of connections held.

aiohttp's exceptions are translated HERE into httpx's exception tree, so `exchange.map_error`
stays the one place where failures become `ErrorKind`s and knows only httpx/OS/SSL types.
Anything that is not an aiohttp or OS failure propagates unchanged: it is a bug.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import httpx
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.http_exceptions import HttpProcessingError
from yarl import URL

from linkcheck.net.guard import AddrInfo, Guard
from linkcheck.net.pool import PerHostTransport

ProxyChooser = Callable[[httpx.URL], str | None]  # which proxy (if any) serves this URL
MAX_HEADER_BYTES = 100 * 1024  # one header line, as httpcore allows
MAX_HEADERS = 1000


def _no_proxy(url: httpx.URL) -> str | None:
    return None


# What aiohttp (and the socket and TLS layers under it) raise while a request is sent or its
# body read: translated into httpx's tree by `httpx_error`; anything else propagates (a bug).
TRANSLATED = (aiohttp.ClientError, ssl.SSLError, OSError)  # TimeoutError is an OSError


def httpx_error(exc: BaseException) -> httpx.TransportError:
    """The httpx exception a native httpx transport would raise for this aiohttp failure.

    Order matters: the most specific aiohttp classes come first. The caller raises it `from`
    the aiohttp exception, which stays chained as the cause (with its own OS/SSL cause), so
    `map_error` can still tell DNS and TLS failures apart by type. (A plain function, not a
    context manager: it runs only when something failed, not around every request.)
    """
    text = _text(exc)
    if isinstance(exc, aiohttp.ClientProxyConnectionError | aiohttp.ClientHttpProxyError):
        return httpx.ProxyError(text)
    if isinstance(exc, aiohttp.ClientConnectorError):  # DNS, refused, TLS handshake, certificate
        return httpx.ConnectError(text)
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout(text)
    if isinstance(exc, aiohttp.ServerTimeoutError):  # SocketTimeoutError: no bytes within `read`
        return httpx.ReadTimeout(text)
    if isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError):
        return httpx.RemoteProtocolError(text)
    if isinstance(exc, aiohttp.ClientResponseError):  # a response aiohttp could not parse
        return httpx.RemoteProtocolError(text)
    if isinstance(exc, aiohttp.InvalidURL | aiohttp.NonHttpUrlClientError):
        return httpx.UnsupportedProtocol(text)
    if isinstance(exc, aiohttp.ClientOSError | aiohttp.ClientConnectionError):  # reset, pipe
        return httpx.ReadError(text)
    if isinstance(exc, aiohttp.ClientError):
        return httpx.TransportError(text)
    if isinstance(exc, ssl.SSLError):  # a TLS alert after the handshake
        return httpx.ReadError(text)
    if isinstance(exc, TimeoutError):  # asyncio's own timeout inside aiohttp (not fail_after)
        return httpx.ReadTimeout(text)
    return httpx.ReadError(text)  # any other OSError


_AUTO_HEADERS = ("User-Agent", "Accept", "Accept-Encoding")


def _has_auto_headers(headers: httpx.Headers) -> bool:
    return "user-agent" in headers and "accept" in headers and "accept-encoding" in headers


_HTTP_VERSIONS = {
    aiohttp.HttpVersion11: b"HTTP/1.1",
    aiohttp.HttpVersion10: b"HTTP/1.0",
}


def _text(exc: BaseException) -> str:
    return str(exc).strip() or type(exc).__name__


class _Body(httpx.AsyncByteStream):
    """The response body as aiohttp delivers it (raw, still content-encoded: httpx decodes)."""

    __slots__ = ("_response",)

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_any():
                yield chunk
        except TRANSLATED as exc:
            raise httpx_error(exc) from exc

    async def aclose(self) -> None:
        # release() returns the connection to the pool only when the body was read to its end;
        # a half-read body closes the connection (aiohttp checks the parser's state).
        self._response.release()


class _IdleBoundedConnector(aiohttp.TCPConnector):
    """aiohttp's connector, with at most `max_idle` idle keep-alive connections in all.

    aiohttp counts only connections in use against `limit`: the idle ones of every host ever
    visited stay open until their keep-alive expires, so a library linking to thousands of
    hosts would hold thousands of file descriptors. Every `trim_every` releases, the least
    recently used idle connections beyond `max_idle` are closed (O(idle) work, amortised).
    This reads aiohttp's pool (`_conns`); if a release ever stops providing it, trimming
    stops and nothing else changes.
    """

    def __init__(self, *, max_idle: int, trim_every: int = 32, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._max_idle = max_idle
        self._trim_every = max(1, trim_every)
        self._releases = 0

    def _release(self, *args: Any, **kwargs: Any) -> None:
        super()._release(*args, **kwargs)
        self._releases += 1
        if self._releases % self._trim_every == 0:
            self._trim()

    def _trim(self) -> None:
        pools = getattr(self, "_conns", None)
        if not isinstance(pools, dict):
            return
        idle = [(used, key, proto) for key, pool in pools.items() for proto, used in pool]
        excess = len(idle) - self._max_idle
        if excess <= 0:
            return
        idle.sort(key=lambda item: item[0])
        doomed = {id(proto) for _, _, proto in idle[:excess]}
        for key in {key for _, key, _ in idle[:excess]}:
            kept = [(proto, used) for proto, used in pools[key] if id(proto) not in doomed]
            for proto, _ in pools[key]:
                if id(proto) in doomed:
                    proto.close()
            if kept:
                pools[key] = type(pools[key])(kept)
            else:
                del pools[key]


_NUMERIC = socket.AI_NUMERICHOST | socket.AI_NUMERICSERV


class GuardedResolver(AbstractResolver):
    """aiohttp's resolver, through the address guard: one lookup per connection aiohttp opens
    (aiohttp may cache the answer for a few seconds), and only the addresses the policy allows
    are handed back, as numbers, so the connection goes to an address that was checked.

    `inner`, when given (a test's resolver), answers instead of the system's getaddrinfo; its
    answers are checked the same way.
    """

    def __init__(self, guard: Guard, inner: AbstractResolver | None = None) -> None:
        self._guard = guard
        self._inner = inner

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        if self._inner is not None:
            answers = await self._inner.resolve(host, port, family)
            rows: list[AddrInfo] = [
                (a["family"], socket.SOCK_STREAM, a["proto"], "", (a["host"], a["port"]))
                for a in answers
            ]
            rows = self._guard.checked(host, port, rows)
        else:
            loop = asyncio.get_running_loop()
            rows = await loop.run_in_executor(None, self._guard.resolve, host, port, family)
        results: list[ResolveResult] = []
        for row_family, _, proto, _, address in rows:
            number = str(address[0])
            if row_family == socket.AF_INET6 and len(address) > 3 and address[3]:
                number = f"{number.split('%', 1)[0]}%{address[3]}"  # a link-local zone
            results.append(
                ResolveResult(
                    hostname=host,
                    host=number,
                    port=int(address[1]),
                    family=row_family,
                    proto=proto,
                    flags=_NUMERIC,
                )
            )
        return results

    async def close(self) -> None:
        if self._inner is not None:
            await self._inner.close()


class AiohttpTransport(httpx.AsyncBaseTransport):
    """One aiohttp session for the run: a pool per host, no redirects, no decompression.

    At most `max_connections` connections are in use and `max_idle` more kept alive (file
    descriptors stay bounded however many hosts a run visits); `max_per_host` in use per host.

    With a `guard`, a request goes only to addresses its policy allows: a literal address is
    checked before the request (aiohttp connects to those without asking its resolver), a name
    when aiohttp resolves it (`GuardedResolver`). A refusal raises `AddressRefused`, alone or as
    the cause of an `httpx.ConnectError`.
    """

    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext | None = None,
        max_connections: int = 100,
        max_per_host: int = 8,
        max_idle: int = 256,
        keepalive_expiry: float = 15.0,
        proxy_for: ProxyChooser = _no_proxy,
        resolver: AbstractResolver | None = None,
        trim_every: int = 32,
        guard: Guard | None = None,
    ) -> None:
        self._ssl = ssl_context if ssl_context is not None else ssl.create_default_context()
        self._max_connections = max_connections
        self._max_per_host = max_per_host
        self._max_idle = max_idle
        self._trim_every = trim_every
        self._keepalive = keepalive_expiry
        self._proxy_for = proxy_for
        self._resolver: AbstractResolver | None = resolver
        if guard is not None:
            self._resolver = GuardedResolver(guard, inner=resolver)
        self._guard = guard
        self._session: aiohttp.ClientSession | None = None
        self._lenient: PerHostTransport | None = None  # httpcore, for heads aiohttp refuses
        self._timeouts: dict[tuple[float | None, float | None], aiohttp.ClientTimeout] = {}

    def _open(self) -> aiohttp.ClientSession:
        """The session is made on first use: aiohttp needs the running event loop."""
        connector = _IdleBoundedConnector(
            max_idle=self._max_idle,
            trim_every=self._trim_every,
            limit=self._max_connections,
            limit_per_host=self._max_per_host,
            keepalive_timeout=self._keepalive,
            ssl=self._ssl,
            resolver=self._resolver,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            trust_env=False,  # the proxy and CA environment is read once, by net.client
            auto_decompress=False,  # httpx decodes Content-Encoding, once
            cookie_jar=aiohttp.DummyCookieJar(),  # httpx's client owns cookies
            requote_redirect_url=False,
            # aiohttp's defaults (8 KiB a header, 128 headers) refuse what real sites send
            # (long Content-Security-Policy, many Set-Cookie); httpcore accepts 100 KiB.
            max_line_size=MAX_HEADER_BYTES,
            max_field_size=MAX_HEADER_BYTES,
            max_headers=MAX_HEADERS,
        )
        return self._session

    def _timeout(self, extensions: dict[str, object]) -> aiohttp.ClientTimeout:
        spec = extensions.get("timeout")
        values = spec if isinstance(spec, dict) else {}
        key = (values.get("connect"), values.get("read"))
        timeout = self._timeouts.get(key)
        if timeout is None:
            # connect: the TCP + TLS handshake; read: the longest silence between two reads.
            # No pool timeout: the host gate already bounds what is in flight per host.
            timeout = aiohttp.ClientTimeout(total=None, sock_connect=key[0], sock_read=key[1])
            self._timeouts[key] = timeout
        return timeout

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self._send(request)
        except httpx.RemoteProtocolError as exc:
            if not isinstance(exc.__cause__, aiohttp.ClientResponseError) or not isinstance(
                exc.__cause__.__cause__, HttpProcessingError
            ):
                raise
        # aiohttp's parser refused the response head. It is stricter than httpcore's (and
        # browsers') on a few shapes real servers send (a repeated Content-Length, chunked
        # with a Content-Length): ask once more through httpcore, which reads those, so the
        # verdict does not depend on the transport. Rare, and only ever one more request.
        if self._lenient is None:
            self._lenient = PerHostTransport(
                ssl_context=self._ssl,
                max_per_host=2,
                max_hosts=8,
                proxy_for=self._proxy_for,
                guard=self._guard,
            )
        return await self._lenient.handle_async_request(request)

    async def _send(self, request: httpx.Request) -> httpx.Response:
        if self._guard is not None:
            await self._check(request.url.host)
        session = self._session or self._open()
        data = request.content or None  # linkcheck sends no bodies; a stream is read first
        url = request.url
        # httpx has percent-encoded it already, and moved any user:password of the URL into an
        # Authorization header (aiohttp refuses both: ValueError)
        target = URL(str(url), encoded=True)
        if url.userinfo:
            target = target.with_user(None)
        headers = request.headers
        try:
            response = await session.request(
                request.method,
                target,
                headers=headers.multi_items(),
                data=data,
                allow_redirects=False,
                proxy=self._proxy_for(url),
                timeout=self._timeout(request.extensions),
                # aiohttp adds its own User-Agent, Accept and Accept-Encoding to a request
                # without them: only what httpx built is sent (asked only when one is missing,
                # as it costs aiohttp a header table per request)
                skip_auto_headers=None if _has_auto_headers(headers) else _AUTO_HEADERS,
            )
        except TRANSLATED as exc:
            raise httpx_error(exc) from exc
        version = response.version
        http_version = b"HTTP/1.1"
        if version is not None:
            http_version = _HTTP_VERSIONS.get(version) or f"HTTP/{version[0]}.{version[1]}".encode()
        return httpx.Response(
            status_code=response.status,
            headers=response.raw_headers,
            stream=_Body(response),
            request=request,
            extensions={
                "http_version": http_version,
                "reason_phrase": (response.reason or "").encode("latin-1", "replace"),
            },
        )

    async def _check(self, host: str) -> None:
        """What aiohttp's resolver never sees: a literal address (or a `localhost` name) is
        judged here. aiohttp also skips its resolver for a host that only looks like an
        address (digits and dots, or a colon) and lets the socket resolve it: such a host that
        is no address the system reads is looked up here, through the guard, first."""
        assert self._guard is not None
        literal = self._guard.check_target(host)
        if literal is None and (":" in host or host.replace(".", "").isdigit()):
            loop = asyncio.get_running_loop()
            try:
                await loop.run_in_executor(None, self._guard.resolve, host, 0)
            except socket.gaierror as exc:
                raise httpx.ConnectError(_text(exc)) from exc

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._lenient is not None:
            await self._lenient.aclose()
            self._lenient = None
