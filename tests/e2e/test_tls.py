"""TLS failures are classified as `tls`, through a real TLS handshake on loopback."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import trustme


class _Ok(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_HEAD(self) -> None:  # noqa: N802 - stdlib naming
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_HEAD  # noqa: N815

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def untrusted_https() -> Iterator[str]:
    """An HTTPS server on 127.0.0.1 whose certificate no public CA signed."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    server.daemon_threads = True
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_untrusted_certificate_is_a_tls_failure(untrusted_https, library, run_cli):
    url = f"{untrusted_https}/page"
    folder = library([{"title": "Secure", "webUrl": url}])
    run = run_cli(folder)
    link = run.link(url)
    assert (link["outcome"], link["reason"]) == ("broken", "tls")
    assert "certificate" in link["detail"].lower()
    assert link["attempts"] == 1  # a certificate problem is not transient: never retried
    assert run.code == 1
