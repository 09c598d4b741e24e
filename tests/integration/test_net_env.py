"""Proxies and trusted CAs: the environment is honoured like other HTTP tools, unless told not to.

The proxy is a loopback sitekit Site: a request sent through an HTTP proxy uses the absolute
form (`GET http://host:port/path`), which the Site records as the request target and answers
itself. Every test sets (or removes) the variables it depends on, never reading the machine's.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme
from sitekit import Site, unused_address

from linkcheck.config import Config
from linkcheck.errors import ConfigError
from linkcheck.models import ErrorKind
from linkcheck.net.client import Backend, make_client
from linkcheck.net.exchange import Exchange, exchange

BACKENDS: list[Backend] = ["aiohttp", "httpx"]
# allow_private: the test servers are on 127.0.0.x, which the address guard refuses by default
CONFIG = Config(timeout=5, connect_timeout=2, retries=0, allow_private=True)
VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy", "ssl_cert_file", "ssl_cert_dir")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Backend:
    value: Backend = request.param
    return value


@pytest.fixture
def proxy_and_target(sites: Any) -> tuple[Site, Site]:
    proxy, target = sites(2)
    return proxy, target


async def head(backend: Backend, url: str, config: Config = CONFIG) -> Exchange:
    async with make_client(config, backend=backend) as client:
        return await exchange(client, "HEAD", url)


def through_proxy(proxy: Site, url: str) -> bool:
    return [e.target for e in proxy.log] == [url]


# ---- proxies --------------------------------------------------------------------------------


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY"])
async def test_the_proxy_environment_is_honoured(
    backend: Backend,
    proxy_and_target: tuple[Site, Site],
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
) -> None:
    proxy, target = proxy_and_target
    monkeypatch.setenv(variable, proxy.base_url)
    url = target.url("/ok")
    ex = await head(backend, url)
    assert ex.status == 200
    assert through_proxy(proxy, url)
    assert target.log == []


async def test_a_proxy_without_scheme_means_http(
    backend: Backend, proxy_and_target: tuple[Site, Site], monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy, target = proxy_and_target
    monkeypatch.setenv("HTTP_PROXY", proxy.host)  # 127.0.0.2:PORT, as curl accepts it
    assert (await head(backend, target.url("/ok"))).status == 200
    assert through_proxy(proxy, target.url("/ok"))


@pytest.mark.parametrize("entry", ["{ip}", "{ip}:{port}", "127.0.0.0/8", "*", "x.example, {ip}"])
async def test_no_proxy_bypasses_the_proxy(
    backend: Backend,
    proxy_and_target: tuple[Site, Site],
    monkeypatch: pytest.MonkeyPatch,
    entry: str,
) -> None:
    proxy, target = proxy_and_target
    monkeypatch.setenv("HTTP_PROXY", proxy.base_url)
    monkeypatch.setenv("NO_PROXY", entry.format(ip=target.bind_host, port=target.port))
    assert (await head(backend, target.url("/ok"))).status == 200
    assert proxy.log == []
    assert [e.target for e in target.log] == ["/ok"]


async def test_no_proxy_for_another_host_does_not_bypass(
    backend: Backend, proxy_and_target: tuple[Site, Site], monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy, target = proxy_and_target
    monkeypatch.setenv("HTTP_PROXY", proxy.base_url)
    monkeypatch.setenv("NO_PROXY", f"127.0.0.99,{target.bind_host}:1")  # other IP, other port
    assert (await head(backend, target.url("/ok"))).status == 200
    assert through_proxy(proxy, target.url("/ok"))


async def test_use_env_off_ignores_the_proxy_environment(
    backend: Backend, proxy_and_target: tuple[Site, Site], monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy, target = proxy_and_target
    monkeypatch.setenv("HTTP_PROXY", proxy.base_url)
    ex = await head(backend, target.url("/ok"), replace(CONFIG, use_env=False))
    assert ex.status == 200
    assert proxy.log == []
    assert len(target.log) == 1


async def test_an_explicit_proxy_overrides_the_environment(
    backend: Backend, proxy_and_target: tuple[Site, Site], monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy, target = proxy_and_target
    dead_host, dead_port = unused_address()
    monkeypatch.setenv("HTTP_PROXY", f"http://{dead_host}:{dead_port}")
    monkeypatch.setenv("NO_PROXY", target.bind_host)
    config = replace(CONFIG, proxy=proxy.base_url, use_env=False)  # even with use_env off
    assert (await head(backend, target.url("/ok"), config)).status == 200
    assert through_proxy(proxy, target.url("/ok"))
    assert target.log == []


async def test_proxy_credentials_go_to_the_proxy(
    backend: Backend, proxy_and_target: tuple[Site, Site]
) -> None:
    proxy, target = proxy_and_target
    config = replace(CONFIG, proxy=f"http://user:s3cret@{proxy.host}")
    assert (await head(backend, target.url("/ok"), config)).status == 200
    assert through_proxy(proxy, target.url("/ok"))
    assert proxy.log[0].headers["proxy-authorization"] == "Basic dXNlcjpzM2NyZXQ="


def test_a_proxy_password_is_never_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "socks5://user:s3cret@127.0.0.1:1080")
    with pytest.raises(ConfigError) as error:
        make_client(CONFIG)
    assert "s3cret" not in str(error.value)


async def test_a_dead_proxy_is_a_connect_failure(
    backend: Backend, proxy_and_target: tuple[Site, Site]
) -> None:
    _, target = proxy_and_target
    dead_host, dead_port = unused_address()
    ex = await head(
        backend, target.url("/ok"), replace(CONFIG, proxy=f"http://{dead_host}:{dead_port}")
    )
    assert ex.error_kind is ErrorKind.CONNECT, ex.error_detail
    assert target.log == []


# ---- trusted CAs ----------------------------------------------------------------------------


class _Ok(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_HEAD(self) -> None:  # noqa: N802 - stdlib naming
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def private_ca(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An HTTPS server on 127.0.0.1 signed by a private CA, and that CA's PEM file."""
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    pem = tmp_path / "private-ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    server.daemon_threads = True
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/ok", pem
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


class _Tunnel:
    """A minimal CONNECT proxy on 127.0.0.2: records each CONNECT target, then pipes bytes."""

    def __init__(self) -> None:
        self.targets: list[str] = []
        self._server = socket.create_server(("127.0.0.2", 0))
        self._threads: list[threading.Thread] = []
        self._start(self._accept)

    @property
    def url(self) -> str:
        return f"http://127.0.0.2:{self._server.getsockname()[1]}"

    def _start(self, target: Any, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                client, _ = self._server.accept()
                self._start(self._serve, client)

    def _serve(self, client: socket.socket) -> None:
        with client, contextlib.suppress(OSError):
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = client.recv(4096)
                if not chunk:
                    return
                head += chunk
            method, target, _ = head.split(b"\r\n", 1)[0].decode().split(" ", 2)
            self.targets.append(f"{method} {target}")
            host, port = target.rsplit(":", 1)
            if method != "CONNECT" or host != "127.0.0.1":  # loopback only
                client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                return
            with socket.create_connection((host, int(port))) as upstream:
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                self._start(self._pipe, upstream, client)
                self._pipe(client, upstream)

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
            dst.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        self._server.close()


@pytest.fixture
def tunnel() -> Iterator[_Tunnel]:
    proxy = _Tunnel()
    try:
        yield proxy
    finally:
        proxy.close()


async def test_https_goes_through_the_proxy_in_a_connect_tunnel(
    backend: Backend,
    private_ca: tuple[str, Path],
    tunnel: _Tunnel,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, pem = private_ca
    monkeypatch.setenv("HTTPS_PROXY", tunnel.url)
    ex = await head(backend, url, replace(CONFIG, ca_bundle=str(pem)))
    assert (ex.status, ex.error_kind) == (200, None), ex.error_detail
    assert tunnel.targets == [f"CONNECT {httpx.URL(url).netloc.decode()}"]


async def test_a_private_ca_is_not_trusted_by_default(
    backend: Backend, private_ca: tuple[str, Path]
) -> None:
    ex = await head(backend, private_ca[0])
    assert ex.error_kind is ErrorKind.TLS, ex.error_detail


async def test_ca_bundle_makes_a_private_ca_trusted(
    backend: Backend, private_ca: tuple[str, Path]
) -> None:
    url, pem = private_ca
    ex = await head(backend, url, replace(CONFIG, ca_bundle=str(pem)))
    assert (ex.status, ex.error_kind) == (200, None), ex.error_detail


@pytest.mark.parametrize(("use_env", "trusted"), [(True, True), (False, False)])
async def test_ssl_cert_file_is_honoured_unless_use_env_is_off(
    backend: Backend,
    private_ca: tuple[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    use_env: bool,
    trusted: bool,
) -> None:
    url, pem = private_ca
    monkeypatch.setenv("SSL_CERT_FILE", str(pem))
    ex = await head(backend, url, replace(CONFIG, use_env=use_env))
    assert ex.status == (200 if trusted else None)
    assert ex.error_kind is (None if trusted else ErrorKind.TLS)


def test_a_ca_bundle_that_is_not_pem_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate\n")
    with pytest.raises(ConfigError, match="ca_bundle"):
        make_client(replace(CONFIG, ca_bundle=str(bad)))


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ALL_PROXY", "socks5://127.0.0.1:1080"),
        ("HTTPS_PROXY", "ftp://x"),
        ("HTTP_PROXY", "http://"),
        ("HTTP_PROXY", "http://[::1"),
    ],
)
def test_an_unsupported_proxy_scheme_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=variable):
        make_client(CONFIG)
    make_client(replace(CONFIG, use_env=False))  # the way out the message names
