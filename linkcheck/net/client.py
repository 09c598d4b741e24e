"""The one HTTP client of a run: a pool per host, timeouts, proxies, trusted CAs, a User-Agent.

The API is httpx's. The transport underneath is chosen by measurement (see
`benchmarks/transport_cpu.py`): aiohttp's connection pool by default, or plain httpx pools,
one per host (`backend="httpx"`), or any transport an embedder or a test passes in.

The environment is honoured like other HTTP tools do unless `use_env` is off:
HTTP_PROXY/HTTPS_PROXY/ALL_PROXY/NO_PROXY choose proxies, SSL_CERT_FILE/SSL_CERT_DIR replace
the default CA store. `proxy` (every request through it) overrides the environment;
`ca_bundle` adds CAs to whatever store is in use.

Unless `allow_private` is set, the transport carries the private-address guard (`net.guard`):
connections go only to public addresses and to the networks in `allow_net`. A transport passed
in by the caller is used as it is, without the guard.
"""

from __future__ import annotations

import re
import socket
import ssl
from typing import Any, Literal

import httpx
import sniffio
from aiohttp.abc import AbstractResolver

from linkcheck.config import Config
from linkcheck.errors import ConfigError
from linkcheck.net.exchange import BAD_LOCATION
from linkcheck.net.guard import AddressPolicy, GetAddrInfo, Guard
from linkcheck.net.pool import PerHostTransport
from linkcheck.net.proxies import ProxyRules
from linkcheck.net.transport import AiohttpTransport

Backend = Literal["aiohttp", "httpx"]
DEFAULT_BACKEND: Backend = "aiohttp"
KEEPALIVE_EXPIRY = 15.0  # seconds an idle connection is kept for the next request to its host
POOL_SLACK = 4  # connections per host above its concurrency (a closing one, a redirect hop)


def make_client(
    config: Config,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    backend: Backend = DEFAULT_BACKEND,
) -> httpx.AsyncClient:
    """One client for the whole run. `transport`, when given, is used as it is."""
    timeout = httpx.Timeout(config.timeout, connect=config.connect_timeout, pool=None)
    headers = {
        "User-Agent": config.user_agent,
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/*;q=0.8,*/*;q=0.5",
        "Accept-Language": "en;q=0.9,*;q=0.5",
    }
    headers.update(dict(config.headers))
    return _RunClient(
        transport=transport if transport is not None else make_transport(config, backend=backend),
        event_hooks={"response": [_set_aside_bad_location]},
        timeout=timeout,
        headers=headers,
        follow_redirects=False,
        # The environment (proxies, CAs) is read by make_transport; httpx's own reading would
        # also pick up .netrc credentials, which a link checker must never send.
        trust_env=False,
    )


class _SparseCookies(httpx.Cookies):
    """Cookies kept as httpx keeps them, but only parsed from responses that set any.

    httpx runs every response through urllib's cookie machinery (a fake urllib Request and an
    email Message each time), about a tenth of the CPU of a request, for the few responses
    that carry Set-Cookie.
    """

    def extract_cookies(self, response: httpx.Response) -> None:
        if "set-cookie" in response.headers:
            super().extract_cookies(response)


# URLs the short way may send: absolute http(s), no user:password (httpx turns those into an
# Authorization header, the long way does it)
_PLAIN_URL = re.compile(r"https?://[^/?#@]*(?:[/?#][^@]*)?\Z", re.IGNORECASE)


class _RunClient(httpx.AsyncClient):
    """httpx's client with `_SparseCookies` (httpx reads its jar through this property) and
    `open_stream`, the run's way of sending one request."""

    def __init__(self, *, transport: httpx.AsyncBaseTransport, **kwargs: Any) -> None:
        super().__init__(transport=transport, **kwargs)
        self._sparse_cookies = _SparseCookies()
        self._direct = transport

    async def open_stream(
        self,
        method: str,
        url: str,
        headers: dict[str, str] | None,
        extensions: dict[str, Any] | None,
    ) -> httpx.Response:
        """`send(build_request(method, url, headers=, extensions=), stream=True)`, the same
        request and response, for less CPU: httpx's client spends a tenth of a request's CPU
        merging settings this client never has (base URL, auth, mounts, redirects) through
        four layers of calls. Its headers, cookies, timeout and event hooks are applied here
        as httpx applies them; anything else (a URL with user:password, a closed client, auth)
        takes httpx's own way."""
        if self.is_closed or self.auth is not None or not _PLAIN_URL.match(url):
            request = self.build_request(method, url, headers=headers, extensions=extensions)
            return await self.send(request, stream=True)
        merged = self.headers
        if headers:
            merged = httpx.Headers(merged)
            merged.update(headers)
        jar = self.cookies
        request = httpx.Request(
            method, url, headers=merged, cookies=jar if jar else None, extensions=extensions
        )
        if "timeout" not in request.extensions:
            request.extensions["timeout"] = self.timeout.as_dict()
        hooks = self.event_hooks
        for hook in hooks["request"]:
            await hook(request)
        response = await self._direct.handle_async_request(request)
        response.request = request
        try:
            jar.extract_cookies(response)
            for hook in hooks["response"]:
                await hook(response)
        except BaseException:
            await response.aclose()
            raise
        return response

    @property
    def cookies(self) -> httpx.Cookies:
        return self._sparse_cookies

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        self._sparse_cookies = _SparseCookies(cookies)


def make_transport(
    config: Config,
    *,
    backend: Backend = DEFAULT_BACKEND,
    resolver: AbstractResolver | None = None,
    getaddrinfo: GetAddrInfo | None = None,
) -> httpx.AsyncBaseTransport:
    """The transport `make_client` uses: per-host pools, proxies, CAs and the address guard
    from `config`.

    `resolver` replaces aiohttp's DNS resolver (tests use it to fail a name lookup without
    sending a DNS query); the httpx backend has no such hook. `getaddrinfo` replaces the
    lookup the address guard makes (socket.getaddrinfo's signature), for either backend.
    """
    context = trust_store(config)
    rules = proxy_rules(config)
    proxy_for = rules.proxy_for if rules.active else _direct
    guard = address_guard(config, rules, getaddrinfo)
    per_host = POOL_SLACK + max(
        [config.host_concurrency]
        + [h.concurrency for h in config.hosts.values() if h.concurrency is not None]
    )
    idle = idle_budget(config)
    if backend == "httpx" or _running_outside_asyncio():
        return PerHostTransport(
            ssl_context=context,
            max_per_host=per_host,
            max_hosts=max(8, idle // per_host),
            max_proxy_connections=config.concurrency + POOL_SLACK,
            keepalive_expiry=KEEPALIVE_EXPIRY,
            proxy_for=proxy_for,
            guard=guard,
        )
    return AiohttpTransport(
        ssl_context=context,
        max_connections=config.concurrency + POOL_SLACK * 4,
        max_per_host=per_host,
        max_idle=idle,
        keepalive_expiry=KEEPALIVE_EXPIRY,
        proxy_for=proxy_for,
        resolver=resolver,
        guard=guard,
    )


def address_guard(
    config: Config, rules: ProxyRules, getaddrinfo: GetAddrInfo | None = None
) -> Guard | None:
    """The run's private-address guard; None with `allow_private` (every address allowed).
    The proxies' own addresses are never refused: a proxy on a private network is normal."""
    if config.allow_private:
        return None
    exempt: list[tuple[str, int]] = []
    for url in {rules.http, rules.https} - {None}:
        parsed = httpx.URL(str(url))  # proxy_rules validated it
        exempt.append((parsed.host, parsed.port or (443 if parsed.scheme == "https" else 80)))
    policy = AddressPolicy.of(config.allow_private, config.allow_net)
    return Guard(policy, getaddrinfo=getaddrinfo or socket.getaddrinfo, exempt=exempt)


def _running_outside_asyncio() -> bool:
    """aiohttp needs asyncio; an embedder running linkcheck under trio gets httpx's pools."""
    try:
        return sniffio.current_async_library() != "asyncio"
    except sniffio.AsyncLibraryNotFoundError:  # made outside any event loop: used in asyncio
        return False


def idle_budget(config: Config) -> int:
    """Idle keep-alive connections kept in all: enough for every slot of the run to find one
    warm, few enough that in-use + idle stays well under a default 1,024 file descriptors."""
    return min(512, max(64, 2 * config.concurrency))


def _direct(url: httpx.URL) -> str | None:
    return None


def proxy_rules(config: Config) -> ProxyRules:
    """`--proxy` wins; else the environment (unless `use_env` is off); else no proxy."""
    if config.proxy:
        rules, where = ProxyRules.explicit(config.proxy), "proxy (--proxy)"
    elif config.use_env:
        rules, where = ProxyRules.from_environment(), "HTTP_PROXY / HTTPS_PROXY / ALL_PROXY"
    else:
        return ProxyRules()
    for url in {rules.http, rules.https} - {None}:
        try:
            parsed: httpx.URL | None = httpx.URL(str(url))
        except httpx.InvalidURL:
            parsed = None
        if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
            shown = str(url).rsplit("@", 1)[-1]  # never echo a proxy password
            raise ConfigError(
                f"{where}: {shown!r} is not an http:// or https:// proxy URL "
                "(set --proxy, or --no-env to ignore the environment)"
            )
    return rules


def trust_store(config: Config) -> ssl.SSLContext:
    """The CAs a TLS server must chain to: certifi's (or SSL_CERT_FILE/DIR's), plus ca_bundle."""
    try:
        context = httpx.create_ssl_context(verify=True, trust_env=config.use_env)
    except (OSError, ssl.SSLError) as exc:  # SSL_CERT_FILE / SSL_CERT_DIR unusable
        raise ConfigError(f"SSL_CERT_FILE / SSL_CERT_DIR: cannot load CAs: {exc}") from exc
    if config.ca_bundle:
        try:
            context.load_verify_locations(cafile=config.ca_bundle)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(
                f"ca_bundle (--ca-bundle): cannot load {config.ca_bundle!r} as PEM "
                f"certificates: {exc}"
            ) from exc
    return context


_REDIRECTS = frozenset({301, 302, 303, 307, 308})  # httpx's is_redirect statuses


async def _set_aside_bad_location(response: httpx.Response) -> None:
    """httpx resolves a Location even when not following: it raises RemoteProtocolError or
    InvalidURL for some bad ones (indistinguishable from a broken connection) and quietly
    rewrites others (`http://exa mple.com/` becomes a DNS lookup of `exa%20mple.com`).

    So every redirect's Location is moved aside before httpx looks at it; `redirects.walk`
    resolves and validates the raw value (a bad one is `invalid_redirect`).
    """
    if response.status_code not in _REDIRECTS:  # most answers: no header lookup at all
        return
    location = response.headers.get("location")
    if location is None:
        return
    del response.headers["location"]
    response.headers[BAD_LOCATION] = location
