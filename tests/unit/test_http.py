"""net/exchange.py's pure parts: the one place network exceptions become ErrorKinds; Retry-After."""

from __future__ import annotations

import email.utils
import errno
import socket
import ssl

import httpx
import pytest

from linkcheck.models import ErrorKind
from linkcheck.net.exchange import map_error, parse_retry_after
from linkcheck.net.proxies import ProxyRules


def chained(outer: BaseException, cause: BaseException) -> BaseException:
    """An exception raised `from` another, the way httpx wraps httpcore and socket errors."""
    try:
        try:
            raise cause
        except BaseException as exc:
            raise outer from exc
    except BaseException as exc:
        return exc


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (httpx.ConnectTimeout("timed out"), ErrorKind.CONNECT_TIMEOUT),
        (httpx.ReadTimeout("timed out"), ErrorKind.TIMEOUT),
        (httpx.WriteTimeout("timed out"), ErrorKind.TIMEOUT),
        (httpx.PoolTimeout("timed out"), ErrorKind.TIMEOUT),
        (TimeoutError(), ErrorKind.TIMEOUT),
        (httpx.ConnectError("refused"), ErrorKind.CONNECT),
        (
            chained(
                httpx.ConnectError("[Errno -2] Name or service not known"),
                socket.gaierror(-2, "Name or service not known"),
            ),
            ErrorKind.DNS,
        ),
        (
            chained(
                httpx.ConnectError("certificate verify failed"),
                ssl.SSLCertVerificationError(1, "certificate verify failed"),
            ),
            ErrorKind.TLS,
        ),
        (httpx.RemoteProtocolError("Server disconnected"), ErrorKind.PROTOCOL),
        (httpx.ReadError("Connection reset by peer"), ErrorKind.PROTOCOL),
        (httpx.WriteError("Broken pipe"), ErrorKind.PROTOCOL),
        (
            httpx.UnsupportedProtocol("Request URL has an unsupported protocol"),
            ErrorKind.INVALID_URL,
        ),
        (httpx.InvalidURL("Invalid port"), ErrorKind.INVALID_URL),
        (ssl.SSLError(1, "wrong version number"), ErrorKind.TLS),
        (httpx.ProxyError("proxy"), ErrorKind.CONNECT),
        (httpx.DecodingError("bad gzip"), ErrorKind.PROTOCOL),
        (ConnectionResetError(104, "Connection reset by peer"), ErrorKind.PROTOCOL),
        (ConnectionRefusedError(111, "Connection refused"), ErrorKind.CONNECT),
        (socket.gaierror(-2, "Name or service not known"), ErrorKind.DNS),
        (
            # the aiohttp transport chains two levels: httpx <- aiohttp <- ssl
            chained(
                httpx.ConnectError("cannot connect"),
                chained(OSError("ClientConnectorCertificateError"), ssl.SSLError(1, "bad cert")),
            ),
            ErrorKind.TLS,
        ),
    ],
)
def test_map_error_on_types(exc: BaseException, kind: ErrorKind) -> None:
    mapped = map_error(exc)
    assert mapped is not None
    got, detail = mapped
    assert got is kind
    assert detail  # always a human-readable explanation


@pytest.mark.parametrize(
    "exc",
    [
        ValueError("something odd"),  # a bug in linkcheck is not a broken link
        KeyError("x"),
        AssertionError(),
        httpx.StreamConsumed(),  # misuse of httpx is a bug too
        httpx.TooManyRedirects("never followed by linkcheck"),
        # this machine out of file descriptors says nothing about the link
        chained(httpx.ConnectError("too many open files"), OSError(errno.EMFILE, "EMFILE")),
    ],
)
def test_map_error_refuses_what_is_not_a_network_failure(exc: BaseException) -> None:
    assert map_error(exc) is None


def test_map_error_never_reads_message_text() -> None:
    # the message says "timed out" and "certificate", the type says connection refused
    mapped = map_error(httpx.ConnectError("timed out: certificate verify failed"))
    assert mapped is not None and mapped[0] is ErrorKind.CONNECT


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("120", 120.0),
        (" 5 ", 5.0),
        ("0", 0.0),
        ("soon", None),
        ("-3", None),
        ("1.5", None),
    ],
)
def test_retry_after_seconds(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value) == expected


def test_retry_after_http_date() -> None:
    now = 1_800_000_000.0
    later = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after(later, now=now) == pytest.approx(30.0)
    earlier = email.utils.formatdate(now - 30, usegmt=True)
    assert parse_retry_after(earlier, now=now) == 0.0  # a date in the past: no wait


# ---- proxies: which proxy serves a URL ------------------------------------------------------

PROXY = "http://proxy.test:3128"


@pytest.mark.parametrize(
    ("no_proxy", "url", "proxied"),
    [
        ("", "http://example.com/", True),
        ("example.com", "http://example.com/", False),
        ("example.com", "http://www.example.com/a", False),  # a name covers its subdomains
        ("example.com", "http://notexample.com/", True),  # but not a longer name
        (".example.com", "http://example.com/", False),  # a leading dot is the same
        ("*.example.com", "http://a.example.com/", False),
        ("EXAMPLE.com", "http://Example.COM/", False),  # case-insensitive
        ("example.com:8080", "http://example.com:8080/", False),
        ("example.com:8080", "http://example.com/", True),  # another port
        ("10.1.2.3", "http://10.1.2.3/", False),
        ("10.0.0.0/8", "http://10.200.1.1/", False),  # CIDR
        ("10.0.0.0/8", "http://11.0.0.1/", True),
        ("10.0.0.0/8", "http://ten.example/", True),  # a name is not in a network
        ("::1", "http://[::1]:8080/", False),
        ("[::1]:8080", "http://[::1]:8080/", False),
        ("localhost", "http://localhost:3000/", False),
        ("a.test, ,b.test;example.com", "http://example.com/", False),
        ("*", "http://anything.example/", False),
        ("http://example.com/", "http://example.com/", False),  # a URL is read as its host
    ],
)
def test_no_proxy_forms(no_proxy: str, url: str, proxied: bool) -> None:
    rules = ProxyRules.from_environment({"HTTP_PROXY": PROXY, "NO_PROXY": no_proxy})
    assert rules.proxy_for(httpx.URL(url)) == (PROXY if proxied else None)


def test_proxy_per_scheme_lower_case_first_and_all_proxy() -> None:
    env = {
        "http_proxy": "http://lower:1",
        "HTTP_PROXY": "http://upper:1",
        "ALL_PROXY": "socks-or-whatever:2",
    }
    rules = ProxyRules.from_environment(env)
    assert rules.proxy_for(httpx.URL("http://a.test/")) == "http://lower:1"
    assert rules.proxy_for(httpx.URL("https://a.test/")) == "http://socks-or-whatever:2"
    assert not ProxyRules.from_environment({}).active
    assert not ProxyRules.from_environment({"HTTPS_PROXY": PROXY, "NO_PROXY": "*"}).active


def test_an_explicit_proxy_serves_every_url() -> None:
    rules = ProxyRules.explicit(PROXY)
    assert rules.proxy_for(httpx.URL("http://localhost/")) == PROXY
    assert rules.proxy_for(httpx.URL("https://10.0.0.1/")) == PROXY
