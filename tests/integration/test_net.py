"""net/: the client and exchange() through real loopback servers, on both transports.

Every behaviour linkcheck relies on is checked against the aiohttp transport (the default) and
the plain-httpx per-host pools (the fallback): failures map to the same ErrorKinds, bodies are
streamed and closed early, nothing is followed or decompressed behind our back, connections are
reused per host, and a bug is never a verdict.
"""

from __future__ import annotations

import contextlib
import gzip
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import anyio
import httpx
import pytest
import sniffio
import trustme
from aiohttp.abc import AbstractResolver, ResolveResult
from sitekit import Request, Response, Site, unused_address

import linkcheck
from linkcheck.check import check_link
from linkcheck.config import Config
from linkcheck.hosts.gate import Politeness
from linkcheck.models import ErrorKind, Link, LinkKind, Occurrence, Outcome, Reason, Source
from linkcheck.net.client import POOL_SLACK, Backend, make_client, make_transport
from linkcheck.net.exchange import Exchange, exchange
from linkcheck.net.pool import PerHostTransport
from linkcheck.net.redirects import CheckContext
from linkcheck.net.transport import AiohttpTransport

BACKENDS: list[Backend] = ["aiohttp", "httpx"]
# allow_private: the test servers are on 127.0.0.x, which the address guard refuses by default
CONFIG = Config(timeout=5, connect_timeout=2, retries=0, host_concurrency=4, allow_private=True)
CONFIG = replace(CONFIG, soft_404=False, amp_checks=False)  # the HTTP engine alone


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Backend:
    value: Backend = request.param
    return value


def collect(into: list[bytes]) -> Callable[[bytes], bool]:
    """A body sink that keeps every chunk and never has enough."""

    def sink(chunk: bytes) -> bool:
        into.append(chunk)
        return False

    return sink


async def send(backend: Backend, url: str, **kw: Any) -> Exchange:
    config = kw.pop("config", CONFIG)
    async with make_client(config, backend=backend) as client:
        return await exchange(client, kw.pop("method", "HEAD"), url, **kw)


# ---- headers, redirects, decompression ------------------------------------------------------


async def test_headers_reach_the_server_and_redirects_are_not_followed(
    backend: Backend, site: Site
) -> None:
    config = replace(CONFIG, user_agent="linkcheck-test/1", headers=(("X-Extra", "yes"),))
    ex = await send(backend, site.url("/redirect/1"), config=config)
    assert (ex.status, ex.location) == (302, site.url("/ok"))
    assert [e.path for e in site.log] == ["/redirect/1"]  # one request: nothing followed
    headers = site.log[0].headers
    assert headers["user-agent"] == "linkcheck-test/1"
    assert headers["x-extra"] == "yes"
    assert headers["accept"].startswith("text/html")
    assert headers["host"] == site.host


async def test_a_compressed_body_is_decoded_exactly_once(backend: Backend, site: Site) -> None:
    plain = b"<html>" + b"x" * 5000 + b"</html>"
    site.route(
        "/gz",
        Response(
            200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, gzip.compress(plain)
        ),
    )
    seen: list[bytes] = []
    ex = await send(backend, site.url("/gz"), method="GET", sink=collect(seen), max_body=10**6)
    assert ex.status == 200 and ex.error_kind is None
    assert b"".join(seen) == plain  # httpx decoded it; the transport did not decode it first
    assert ex.body_bytes == len(gzip.compress(plain))  # counted on the wire


async def test_a_body_that_is_not_what_its_encoding_says_is_a_protocol_error(
    backend: Backend, site: Site
) -> None:
    site.route("/bad-gz", Response(200, {"Content-Encoding": "gzip"}, b"not gzip at all"))
    ex = await send(
        backend, site.url("/bad-gz"), method="GET", sink=lambda c: False, max_body=10**6
    )
    assert ex.error_kind is ErrorKind.PROTOCOL


async def test_long_and_many_headers_are_accepted(backend: Backend, site: Site) -> None:
    # real sites send 20 KiB Content-Security-Policy headers and dozens of Set-Cookie
    site.route("/long", Response(200, [("Content-Security-Policy", "a" * 60_000)], b"ok"))
    site.route("/many", Response(200, [(f"X-Header-{i}", "v") for i in range(300)], b"ok"))
    for path in ("/long", "/many"):
        ex = await send(backend, site.url(path))
        assert (ex.status, ex.error_kind) == (200, None), ex.error_detail


SLOPPY = {  # answers real servers send, which both transports read the same way
    "/lf-only": (b"HTTP/1.1 200 OK\nContent-Length: 2\n\nok", 200, None),
    "/http-1.0": (b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\nhello", 200, None),
    "/no-reason": (b"HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok", 200, None),
    "/obs-fold": (b"HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\nContent-Length: 2\r\n\r\nok", 200, None),
    "/latin-1": (
        b"HTTP/1.1 301 Moved\r\nLocation: /ok\r\nX-Name: caf\xe9\r\nContent-Length: 0\r\n\r\n",
        301,
        "/ok",
    ),
    # aiohttp's parser refuses these two; the transport asks once more through httpcore
    "/repeated-length": (
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok",
        200,
        None,
    ),
    "/chunked-and-length": (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"
        b"2\r\nok\r\n0\r\n\r\n",
        200,
        None,
    ),
    "/utf-8-location": (
        "HTTP/1.1 302 Found\r\nLocation: /café\r\nContent-Length: 0\r\n\r\n".encode(),
        302,
        "/caf%C3%A9",
    ),
}


@pytest.mark.parametrize("path", list(SLOPPY))
async def test_sloppy_but_common_answers_read_the_same(
    backend: Backend, site: Site, path: str
) -> None:
    raw, status, location = SLOPPY[path]
    site.route(path, Response.raw(raw))
    ex = await send(backend, site.url(path), method="GET", sink=lambda c: False, max_body=99)
    assert (ex.status, ex.error_kind) == (status, None), ex.error_detail
    assert ex.location == (site.url(location) if location else None)
    assert len(site.log) <= 2  # at most one second opinion


async def test_garbage_is_asked_at_most_twice(backend: Backend, site: Site) -> None:
    ex = await send(backend, site.url("/garbage"))
    assert ex.error_kind is ErrorKind.PROTOCOL
    assert len(site.log) == (2 if backend == "aiohttp" else 1)


async def test_the_url_reaches_the_server_as_httpx_encodes_it(backend: Backend, site: Site) -> None:
    for path in ("/ok/%E2%9C%93?q=a%20b&x=%2F&y=%7e", "/ok/\u2713?q=\u00e9 x", "/status/999"):
        ex = await send(backend, site.url(path))
        assert ex.error_kind is None
        assert site.log[-1].target == httpx.URL(site.url(path)).raw_path.decode()
    assert ex.status == 999


async def test_an_unparseable_location_is_an_invalid_url_not_a_broken_connection(
    backend: Backend, site: Site
) -> None:
    site.route("/bad-location", Response(302, {"Location": "http://[::1/"}, b""))
    ex = await send(backend, site.url("/bad-location"))
    # an answer, not a failure: the raw value is kept for `redirects.walk` (invalid_redirect)
    assert (ex.status, ex.error_kind, ex.location) == (302, None, "http://[::1/")


async def test_retry_after_is_read_from_the_answer(backend: Backend, site: Site) -> None:
    ex = await send(backend, site.url("/status/429?retry_after=7"))
    assert (ex.status, ex.retry_after) == (429, 7.0)


async def test_cookies_a_site_sets_are_sent_back_to_it(backend: Backend, site: Site) -> None:
    site.route("/set", Response(200, [("Set-Cookie", "consent=yes; Path=/")], b"ok"))
    async with make_client(CONFIG, backend=backend) as client:
        await exchange(client, "HEAD", site.url("/ok"))
        await exchange(client, "HEAD", site.url("/set"))
        await exchange(client, "HEAD", site.url("/ok"))
    first, _, last = site.log
    assert "cookie" not in first.headers
    assert last.headers["cookie"] == "consent=yes"


async def test_the_run_clients_short_way_sends_what_httpx_would(
    backend: Backend, site: Site
) -> None:
    """exchange() sends through the run client's `open_stream`, not httpx's send(): the server
    sees the same headers either way (client's, config's, the request's own, cookies), and a
    URL with user:password still gets its Authorization header (httpx's way)."""
    site.route("/set", Response(200, [("Set-Cookie", "consent=yes; Path=/")], b"ok"))
    config = replace(CONFIG, headers=(("X-Team", "news"),))
    async with make_client(config, backend=backend) as client:
        await exchange(client, "HEAD", site.url("/set"))
        await exchange(client, "GET", site.url("/ok"), headers={"Range": "bytes=0-9"}, timeout=5)
        request = client.build_request("GET", site.url("/ok"), headers={"Range": "bytes=0-9"})
        await (await client.send(request, stream=True)).aclose()
        with_user = site.url("/ok").replace("://", "://reader:s3cret@", 1)
        assert (await exchange(client, "HEAD", with_user)).status == 200
    _, short, long, authorised = site.log
    assert short.headers == long.headers
    assert short.headers["x-team"] == "news"
    assert short.headers["range"] == "bytes=0-9"
    assert short.headers["cookie"] == "consent=yes"
    assert authorised.headers["authorization"] == "Basic cmVhZGVyOnMzY3JldA=="


async def test_a_body_only_drained_is_not_decoded(backend: Backend, site: Site) -> None:
    site.route("/bad-gz-404", Response(404, {"Content-Encoding": "gzip"}, b"not gzip"))
    ex = await send(backend, site.url("/bad-gz-404"), method="GET", sink=lambda c: False)
    assert (ex.status, ex.error_kind) == (404, None)  # nobody reads it: no DecodingError


# ---- streaming and connection reuse ---------------------------------------------------------


async def test_a_large_body_is_read_only_as_far_as_the_sink_wants(
    backend: Backend, site: Site
) -> None:
    big = site.put_file("big.bin", b"\xab" * 4_000_000)
    async with make_client(CONFIG, backend=backend) as client:
        ex = await exchange(client, "GET", site.url(big), sink=lambda c: True, max_body=10**7)
        again = await exchange(client, "GET", site.url("/ok"), sink=lambda c: True, max_body=10**7)
    assert ex.status == 200 and ex.error_kind is None
    assert 0 < ex.body_bytes < 1_000_000  # closed early, not downloaded
    assert again.status == 200  # the half-read connection was not handed out again broken
    site.wait_idle()
    assert len(site.connection_ids()) == 2


async def test_a_small_remainder_is_drained_so_the_connection_is_reused(
    backend: Backend, site: Site
) -> None:
    small = site.put_file("small.bin", b"\xcd" * 20_000)
    async with make_client(CONFIG, backend=backend) as client:
        for _ in range(3):
            ex = await exchange(client, "GET", site.url(small), sink=lambda c: True, max_body=10**6)
            assert ex.status == 200
        await exchange(client, "HEAD", site.url("/ok"))
    assert len(site.connection_ids()) == 1


async def test_connections_are_reused_and_bounded_per_host(backend: Backend, sites: Any) -> None:
    hosts: list[Site] = sites(4)
    per_host = CONFIG.host_concurrency
    limits = {s.host: anyio.Semaphore(per_host) for s in hosts}
    results: list[int | None] = []

    async with make_client(replace(CONFIG, concurrency=16), backend=backend) as client:

        async def one(site: Site, i: int) -> None:
            async with limits[site.host]:
                ex = await exchange(client, "HEAD", site.url(f"/ok?i={i}"))
                results.append(ex.status)

        async with anyio.create_task_group() as tg:
            for i in range(60):
                for s in hosts:
                    tg.start_soon(one, s, i)
    assert results == [200] * 240
    for s in hosts:
        used = len(s.connection_ids())
        assert used <= per_host + POOL_SLACK  # a bounded pool per host
        assert len(s.log) / used >= 3  # and reused


async def test_the_fallback_closes_the_least_recently_used_host_pool(sites: Any) -> None:
    a, b, c = sites(3)
    transport = PerHostTransport(max_per_host=2, max_hosts=2)
    async with httpx.AsyncClient(transport=transport) as client:
        for s in (a, b, c):
            assert (await client.head(s.url("/ok"))).status_code == 200
        assert transport.open_pools == 2
        assert (await client.head(a.url("/ok"))).status_code == 200  # a's pool was closed
        assert (await client.head(c.url("/ok"))).status_code == 200  # c's was kept
    assert len(a.connection_ids()) == 2
    assert len(c.connection_ids()) == 1


async def test_idle_connections_are_bounded_over_all_hosts(sites: Any) -> None:
    hosts: list[Site] = sites(5)
    transport = AiohttpTransport(max_per_host=2, max_idle=2, trim_every=1)
    async with httpx.AsyncClient(transport=transport) as client:
        for s in hosts:  # five hosts, one idle connection each, of which two may stay open
            assert (await client.head(s.url("/ok"))).status_code == 200
        for s in (hosts[-1], hosts[0]):
            assert (await client.head(s.url("/ok"))).status_code == 200
    assert len(hosts[-1].connection_ids()) == 1  # recently used: kept and reused
    assert len(hosts[0].connection_ids()) == 2  # least recently used: closed, connects again


async def test_aiohttp_transport_sends_only_the_headers_httpx_built(site: Site) -> None:
    """aiohttp adds a User-Agent, Accept and Accept-Encoding of its own to a request without
    them: the transport must send exactly what httpx built, with or without them."""
    seen: list[dict[str, str]] = []

    def record(req: Request) -> Response:
        seen.append(req.headers)
        return Response.text("ok")

    site.route("/h", record)
    transport = AiohttpTransport()
    try:
        bare = httpx.Request("GET", site.url("/h"), headers={"X-Only": "1"})
        answer = await transport.handle_async_request(bare)
        await answer.aclose()
        async with httpx.AsyncClient(transport=transport, headers={"User-Agent": "ua/1"}) as c:
            assert (await c.get(site.url("/h"), headers={"Accept": "text/x"})).status_code == 200
    finally:
        await transport.aclose()
    assert seen[0]["x-only"] == "1"
    assert not {"user-agent", "accept", "accept-encoding"} & set(seen[0])
    assert seen[1]["user-agent"] == "ua/1"
    assert seen[1]["accept"] == "text/x"
    assert "aiohttp" not in seen[1]["user-agent"]


# ---- failures map to the same ErrorKinds on both transports --------------------------------


@pytest.mark.parametrize(
    ("path", "method", "kind"),
    [
        ("/hang", "HEAD", ErrorKind.TIMEOUT),
        ("/reset", "HEAD", ErrorKind.PROTOCOL),
        ("/garbage", "HEAD", ErrorKind.PROTOCOL),
        ("/truncated", "GET", ErrorKind.PROTOCOL),
    ],
)
async def test_a_broken_server_maps_to_its_kind(
    backend: Backend, site: Site, path: str, method: str, kind: ErrorKind
) -> None:
    ex = await send(
        backend, site.url(path), method=method, sink=lambda c: False, max_body=10**6, timeout=0.5
    )
    assert ex.status is None
    assert ex.error_kind is kind, ex.error_detail


async def test_silence_is_the_transports_read_timeout(backend: Backend, site: Site) -> None:
    ex = await send(backend, site.url("/hang"), timeout=0.5)
    assert ex.error_kind is ErrorKind.TIMEOUT
    assert ex.error_detail.startswith("timed out")  # the transport's own read timeout


async def test_a_trickle_is_stopped_by_the_overall_limit(backend: Backend, site: Site) -> None:
    # a byte every 0.3 s never trips the 0.5 s read timeout; the exchange's own limit ends it
    url = site.url("/drip?size=20&chunks=20&delay=0.3")
    ex = await send(backend, url, method="GET", sink=lambda c: False, max_body=10**6, timeout=0.5)
    assert ex.error_kind is ErrorKind.TIMEOUT
    assert ex.error_detail == "no complete answer within the time limit"


async def test_a_closed_port_is_a_connect_failure(backend: Backend) -> None:
    host, port = unused_address()
    ex = await send(backend, f"http://{host}:{port}/ok")
    assert ex.error_kind is ErrorKind.CONNECT, ex.error_detail


@pytest.fixture
def full_backlog() -> Iterator[str]:
    """A listening socket whose accept queue is full: new SYNs are dropped, connect times out."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    fillers = []
    for _ in range(3):
        s = socket.socket()
        s.setblocking(False)
        with contextlib.suppress(BlockingIOError):  # the handshake completes in the kernel
            s.connect(("127.0.0.1", port))
        fillers.append(s)
    try:
        yield f"http://127.0.0.1:{port}/ok"
    finally:
        for s in (*fillers, server):
            s.close()


async def test_a_connect_that_never_completes_is_a_connect_timeout(
    backend: Backend, full_backlog: str
) -> None:
    config = replace(CONFIG, connect_timeout=0.3)
    ex = await send(backend, full_backlog, config=config)
    assert ex.error_kind is ErrorKind.CONNECT_TIMEOUT, ex.error_detail


class _NoSuchHost(AbstractResolver):
    """A resolver that knows no names: DNS failure without a single DNS query."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: int = socket.AF_INET
    ) -> list[ResolveResult]:
        self.asked.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    async def close(self) -> None:
        pass


async def test_a_name_that_does_not_resolve_is_a_dns_failure() -> None:
    resolver = _NoSuchHost()
    transport = make_transport(CONFIG, backend="aiohttp", resolver=resolver)
    async with make_client(CONFIG, transport=transport) as client:
        ex = await exchange(client, "HEAD", "http://nonexistent.invalid/ok")
    assert resolver.asked == ["nonexistent.invalid"]
    assert ex.error_kind is ErrorKind.DNS, ex.error_detail


class _Ok(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_HEAD(self) -> None:  # noqa: N802 - stdlib naming
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def tls_server() -> Iterator[tuple[str, trustme.CA]]:
    """An HTTPS server on 127.0.0.1 with a certificate from a fresh CA nobody trusts yet."""
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    server.daemon_threads = True
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/ok", ca
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


async def test_an_untrusted_certificate_is_a_tls_failure(
    backend: Backend, tls_server: tuple[str, trustme.CA], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    ex = await send(backend, tls_server[0])
    assert ex.error_kind is ErrorKind.TLS, ex.error_detail
    assert "certificate" in ex.error_detail.lower()


# ---- a bug is never a verdict ---------------------------------------------------------------


class _Buggy(httpx.AsyncBaseTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise ValueError("a bug in a transport")


def _link(url: str) -> Link:
    source = Source(file="a.md", field="webUrl", line=None, title="A")
    occurrence = Occurrence(text=url, kind=LinkKind.PAGE, source=source)
    return Link(url=url, kind=LinkKind.PAGE, occurrences=(occurrence,))


async def test_a_bug_in_the_transport_is_an_internal_error_not_a_broken_link(site: Site) -> None:
    config = replace(CONFIG, retries=2)
    async with make_client(config, transport=_Buggy()) as client:
        with pytest.raises(ValueError):
            await exchange(client, "HEAD", site.url("/ok"))
        ctx = CheckContext(client=client, config=config, gate=Politeness(config))
        result = await check_link(_link(site.url("/ok")), ctx)
    assert (result.outcome, result.reason) == (Outcome.WARNING, Reason.INTERNAL_ERROR)
    assert "ValueError" in (result.detail or "")


async def test_a_bug_in_a_body_sink_propagates(backend: Backend, site: Site) -> None:
    def sink(chunk: bytes) -> bool:
        raise KeyError("a bug in an image parser")

    with pytest.raises(KeyError):
        await send(backend, site.url("/ok"), method="GET", sink=sink, max_body=10**6)


async def test_a_transport_that_answers_with_a_read_response_works() -> None:
    """httpx.MockTransport (embedders' tests use it) returns responses already read."""
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=b"<html>"))
    seen: list[bytes] = []
    async with make_client(CONFIG, transport=transport) as client:
        head = await exchange(client, "HEAD", "https://news.example/a")
        get = await exchange(
            client,
            "GET",
            "https://news.example/b",
            sink=collect(seen),
            max_body=99,
        )
    assert (head.status, head.error_kind, get.status, get.error_kind) == (200, None, 200, None)
    assert seen == [b"<html>"]


def test_the_aiohttp_transport_is_chosen_only_inside_asyncio() -> None:
    assert isinstance(make_transport(CONFIG), AiohttpTransport)  # no loop yet: asyncio assumed
    assert isinstance(make_transport(CONFIG, backend="httpx"), PerHostTransport)
    token = sniffio.current_async_library_cvar.set("trio")
    try:
        assert isinstance(make_transport(CONFIG), PerHostTransport)
    finally:
        sniffio.current_async_library_cvar.reset(token)


# ---- through a whole run --------------------------------------------------------------------


def _article(urls: list[str]) -> str:
    body = "\n".join(f"See <{url}>." for url in urls)
    return f'---\ntitle: "A"\nwebUrl: "{urls[0]}"\n---\n{body}\n'


async def test_a_bug_is_reported_as_internal_error_by_a_whole_run() -> None:
    inputs = [("a.md", _article(["https://news.example/a", "https://other.example/b"]))]
    report = await linkcheck.arun(inputs, replace(CONFIG, retries=2), transport=_Buggy())
    rows = {r.link.url: (r.outcome, r.reason) for r in report.results}
    assert rows == {
        "https://news.example/a": (Outcome.WARNING, Reason.INTERNAL_ERROR),
        "https://other.example/b": (Outcome.WARNING, Reason.INTERNAL_ERROR),
    }
    assert report.exit_code == 0  # a bug is nobody's broken link


async def test_a_run_over_several_hosts_reuses_connections(sites: Any) -> None:
    hosts: list[Site] = sites(4)
    urls = [s.url(f"/ok?i={i}") for i in range(30) for s in hosts]
    inputs = [(f"a{i}.md", _article(urls[i : i + 6])) for i in range(0, len(urls), 6)]
    config = replace(CONFIG, concurrency=16, host_concurrency=4, host_rate=1000.0)
    report = await linkcheck.arun(inputs, config)
    assert {r.outcome for r in report.results} == {Outcome.OK}
    for s in hosts:
        s.wait_idle()
        assert len(s.log) == 30
        assert len(s.connection_ids()) <= config.host_concurrency + POOL_SLACK
        assert len(s.log) / len(s.connection_ids()) >= 3
