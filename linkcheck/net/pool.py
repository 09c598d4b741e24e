"""The plain-httpx fallback transport: one small httpcore pool per origin, LRU-bounded.

httpcore's connection pool does work proportional to the connections it holds on every
request, so one big pool over many hosts gets slow, and capping its idle connections throws
reuse away. Here each origin (scheme, host, port) gets its own `httpx.AsyncHTTPTransport`
sized for one host's concurrency, so a request only ever scans its own host's few
connections. At most `max_hosts` pools stay open: the least recently used idle one is closed
when a new origin arrives (its file descriptors go with it).

With a `guard`, direct connections go through `GuardedBackend`: the host is looked up once per
connection, and httpcore connects to an address the policy allowed (TLS still verifies, and
sends SNI for, the host name of the URL).
"""

from __future__ import annotations

import contextlib
import ssl
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterable

import anyio
import anyio.to_thread
import httpcore
import httpx

from linkcheck.net.guard import AddressRefused, Guard

ProxyChooser = Callable[[httpx.URL], str | None]


def _no_proxy(url: httpx.URL) -> str | None:
    return None


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, connecting only to addresses the guard allowed."""

    def __init__(self, guard: Guard, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._guard = guard
        self._inner = inner if inner is not None else httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            literal = self._guard.check_target(host)
            if literal is not None:
                numbers = [str(literal)]
            else:
                with anyio.fail_after(timeout) if timeout else contextlib.nullcontext():
                    rows = await anyio.to_thread.run_sync(
                        self._guard.resolve, host, port, abandon_on_cancel=True
                    )
                numbers = [str(row[4][0]) for row in rows]
        except AddressRefused as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"looking up {host} took too long") from exc
        except OSError as exc:  # socket.gaierror: the name does not resolve
            raise httpcore.ConnectError(str(exc)) from exc
        failure: Exception | None = None
        for number in numbers:  # in the resolver's order, as a socket connect would try them
            try:
                return await self._inner.connect_tcp(
                    number, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return await self._inner.connect_unix_socket(path, timeout, socket_options)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def _guarded_pool(
    transport: httpx.AsyncHTTPTransport,
    ssl_context: ssl.SSLContext,
    limits: httpx.Limits,
    guard: Guard,
) -> None:
    """Give a direct (proxy-less) httpx transport a connection pool on `GuardedBackend`.
    httpx takes no network backend, so its pool is replaced by the same pool it would have
    made (see httpx's AsyncHTTPTransport), plus the backend."""
    if not isinstance(getattr(transport, "_pool", None), httpcore.AsyncConnectionPool):
        raise RuntimeError("this httpx version keeps its pool elsewhere: the guard cannot work")
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=ssl_context,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=GuardedBackend(guard),
    )


class _Pool:
    __slots__ = ("active", "transport")

    def __init__(self, transport: httpx.AsyncHTTPTransport) -> None:
        self.transport = transport
        self.active = 0  # responses handed out and not yet closed


class _Tracked(httpx.AsyncByteStream):
    """A response body that tells its pool when it is closed (then the pool may be evicted)."""

    __slots__ = ("_closed", "_pool", "_stream")

    def __init__(self, stream: httpx.AsyncByteStream, pool: _Pool) -> None:
        self._stream = stream
        self._pool = pool
        self._closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            self._pool.active -= 1
            await self._stream.aclose()


class PerHostTransport(httpx.AsyncBaseTransport):
    """Routes each origin to its own bounded httpx pool; proxied requests share one per proxy."""

    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext | None = None,
        max_per_host: int = 8,
        max_hosts: int = 256,
        max_proxy_connections: int = 100,
        keepalive_expiry: float = 15.0,
        proxy_for: ProxyChooser = _no_proxy,
        guard: Guard | None = None,
    ) -> None:
        self._ssl = ssl_context if ssl_context is not None else ssl.create_default_context()
        self._per_host = max_per_host
        self._max_hosts = max_hosts
        self._per_proxy = max_proxy_connections
        self._keepalive = keepalive_expiry
        self._proxy_for = proxy_for
        self._guard = guard
        self._pools: OrderedDict[tuple[str, str, int | None], _Pool] = OrderedDict()

    @property
    def open_pools(self) -> int:
        return len(self._pools)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._guard is not None:  # literals and localhost names, proxied or not
            self._guard.check_target(request.url.host)
        pool = await self._pool_for(request.url)
        pool.active += 1
        try:
            response = await pool.transport.handle_async_request(request)
        except BaseException:
            pool.active -= 1
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _Tracked(response.stream, pool)
        return response

    async def _pool_for(self, url: httpx.URL) -> _Pool:
        proxy = self._proxy_for(url)
        key = ("proxy", proxy, None) if proxy else (url.scheme, url.host, url.port)
        pool = self._pools.get(key)
        if pool is not None:
            self._pools.move_to_end(key)
            return pool
        size = self._per_proxy if proxy else self._per_host
        limits = httpx.Limits(
            max_connections=size, max_keepalive_connections=size, keepalive_expiry=self._keepalive
        )
        transport = httpx.AsyncHTTPTransport(
            verify=self._ssl, limits=limits, proxy=proxy, trust_env=False
        )
        if self._guard is not None and not proxy:  # through a proxy, the proxy resolves
            _guarded_pool(transport, self._ssl, limits, self._guard)
        pool = self._pools[key] = _Pool(transport)
        await self._evict(keep=key)
        return pool

    async def _evict(self, keep: tuple[str, str, int | None]) -> None:
        """Close the least recently used idle pools beyond `max_hosts` (busy ones stay)."""
        excess = len(self._pools) - self._max_hosts
        if excess <= 0:
            return
        idle = [k for k, pool in self._pools.items() if pool.active == 0 and k != keep][:excess]
        for k in idle:
            await self._pools.pop(k).transport.aclose()

    async def aclose(self) -> None:
        pools = list(self._pools.values())
        self._pools.clear()
        for pool in pools:
            await pool.transport.aclose()
