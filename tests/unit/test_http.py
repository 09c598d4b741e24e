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
    got, _ = map_error(httpx.ConnectError("timed out: certificate verify failed"))
    assert got is ErrorKind.CONNECT


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
