"""A real HTTP/1.1 test server kit for linkcheck's end-to-end tests and benchmarks.

Standard library only, so benchmarks can import it too (put ``tests/`` on ``sys.path``).
Every server binds a loopback address (``127.0.0.0/8``) on an ephemeral port; no test traffic
leaves the machine.

Quick start::

    with Site() as site:                      # 127.0.0.1:<ephemeral>
        httpx.get(site.url("/status/404"))
        assert site.requests("/status/404")[0].in_flight == 1

    with SiteGroup(3) as group:               # 127.0.0.1, 127.0.0.2, 127.0.0.3
        a, b, c = group

Built-in routes (custom ``site.route(...)`` routes take precedence; HEAD gets the GET headers
without a body unless a row says otherwise; every response carries a correct Content-Length
or is chunked, so keep-alive works):

=============================== ===========================================================
path                            behaviour
=============================== ===========================================================
``/ok``                         200 ``text/html``
``/ok-head-405``                HEAD: 405 (``Allow: GET``); GET: 200
``/head-501``                   HEAD: 501; GET: 200
``/head-404``                   HEAD: 404; GET: 200 (a server that mishandles HEAD)
``/head-hang``                  HEAD: never answers (see ``/hang``); GET: 200
``/status/<code>``              answers ``<code>`` (200..999, e.g. 404, 410, 429, 999; 1xx
                                gives 400);
                                ``?retry_after=N`` adds ``Retry-After: N`` (seconds),
                                ``?retry_after_date=N`` an HTTP-date N seconds ahead;
                                401 carries ``WWW-Authenticate``
``/flaky/<n>/<code>``           the first n requests (any method) to that exact path answer
                                ``<code>`` (``retry_after*`` as above), later ones 200;
                                counted per path, reset by ``site.reset_flaky()``
``/redirect/<n>``               302 to ``/redirect/<n-1>`` ...; ``/redirect/1`` 302s to
                                ``/ok``; ``/redirect/0`` is 200 (n redirects in all);
                                Location is absolute
``/redirect-to?url=U``          301 (or ``&status=30x``) with ``Location: U`` (any host)
``/redirect-relative``          302 with a relative ``Location: ok`` (resolves to ``/ok``);
                                ``?to=L`` sends ``Location: L`` verbatim
``/loop/a``, ``/loop/b``        302 to each other forever; ``/loop/self`` 302s to itself
``/slow?delay=S``               200 after S seconds (default 1)
``/drip``                       ``?size=N&chunks=K&delay=S``: 200, N bytes (default 1000)
                                in K chunks (default 5), S s (default 0.2) between chunks;
                                Content-Length set
``/hang``                       reads the request and never answers; the socket stays open
                                until the client disconnects or the site stops (fast)
``/reset``                      closes the TCP connection with RST (SO_LINGER 0), no
                                response: the client sees ECONNRESET (httpx.ReadError)
``/garbage``                    sends a non-HTTP byte string, then closes (FIN): httpx
                                raises RemoteProtocolError
``/truncated``                  200 declaring ``Content-Length: 1000``, sends 100 bytes, then
                                closes: httpx raises RemoteProtocolError mid-body
``/html-as-image``              200 ``Content-Type: image/jpeg`` with an HTML body
``/headers``                    200 JSON object of the request headers (lower-case keys)
``/files/<name>``               a file from ``files_dir`` (or ``site.put_file``), type
                                guessed from the extension; honours ``Range: bytes=a-b``,
                                ``a-`` and ``-n`` (206 + Content-Range, 416 when
                                unsatisfiable) unless ``?norange=1`` or
                                ``Site(honor_range=False)``; ``?chunk=N&delay=S`` sends the
                                body N bytes at a time with S seconds between chunks;
                                ``?type=T`` lies: ``Content-Type: T`` (``?type=`` omits it);
                                validators: a strong ``ETag`` (a hash of the content) and
                                ``Last-Modified`` (the file's mtime, or ``put_file`` time;
                                replacing a file always moves both); ``If-None-Match`` (or,
                                without it, ``If-Modified-Since``) that still matches gets
                                304 with no body (checked before ``Range``); ``?noetag=1``
                                sends no validators and ignores conditional headers
anything else                   404
=============================== ===========================================================

Politeness knobs (per ``Site``), applied before routing, in this order:

* ``max_concurrency=K``: a request that makes more than K requests in flight gets 503
  (counted in ``site.count_503``).
* ``rate_limit=R`` (requests/s): a request is answered 429 with ``Retry-After: 1`` (counted
  in ``site.count_429``) when more than ``floor(R * rate_window)`` *accepted* requests would
  have started within the trailing ``rate_window`` seconds (default 1 s). Rejected requests do
  not use up the budget. A client that leaves at least ``1/R`` s between request starts never
  sees a 429; a burst of more than R within a second does.
* ``latency=S``: every response (including 429/503) is delayed by S seconds.

Request log: ``site.log`` is a snapshot list of :class:`LogEntry` (method, path, headers with
lower-case keys, ``start``/``end`` from ``time.monotonic()``, ``bytes_sent`` of body,
``in_flight`` = requests in flight on this site when it started, *itself included*, and
``conn_id`` = an id per TCP connection, so equal ids mean a reused keep-alive connection).
The server marks a request finished just *after* writing its last byte, so a client may
already be sending its next request (on another connection) a moment before: call
``site.wait_idle()`` before asserting ``in_flight == 0`` or ``end``.

Dead hosts: :func:`unused_address` gives a loopback address/port where nothing listens (the
client sees "connection refused", httpx.ConnectError, but nothing can count the attempts);
:class:`CountingRefuser` listens and counts every accepted connection, then, per ``mode``,
resets it (``"rst"``: ECONNRESET; httpx.ReadError, ConnectError or, when the reset races the
read, RemoteProtocolError),
closes it after reading the request (``"close"``: httpx.RemoteProtocolError) or holds it
silently until the client gives up (``"hold"``: httpx.ReadTimeout). In every mode the TCP
handshake itself succeeds.

Libraries: :func:`write_library` writes article files with ``{name}`` URL templating
(:func:`render`) and a tiny block-YAML emitter (:func:`to_yaml`); ``tests/conftest.py`` wraps
it in the ``library`` fixture.
"""

from __future__ import annotations

import bisect
import contextlib
import email.utils
import functools
import hashlib
import itertools
import json
import mimetypes
import re
import select
import socket
import socketserver
import struct
import sys
import threading
import time
import traceback
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal, overload
from urllib.parse import parse_qsl, unquote, urlsplit

__all__ = [
    "CountingRefuser",
    "Handler",
    "LogEntry",
    "Request",
    "Response",
    "Site",
    "SiteGroup",
    "render",
    "start_sites",
    "stop_sites",
    "to_yaml",
    "unused_address",
    "write_library",
]

OK_HTML = (
    b"<!doctype html>\n<html><head><title>OK</title></head>"
    b"<body><p>sitekit says hello</p></body></html>\n"
)
GARBAGE = b"\x00\x01\x02SSH-2.0-not-http \xff\xfe\r\n\r\n"
_EXTRA_TYPES = {
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".heic": "image/heic",
    ".heif": "image/heif",
    ".svg": "image/svg+xml",
    ".ico": "image/vnd.microsoft.icon",
}
_POLL = 0.02  # seconds between checks while waiting (hang, interruptible sleeps)


# --------------------------------------------------------------------------------------------
# Request / response / log types
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Request:
    """What a route handler sees."""

    method: str
    target: str  # the request target as sent, e.g. "/status/404?retry_after=3"
    path: str  # target without the query, still percent-encoded
    query: dict[str, str]  # first value of each query parameter
    headers: dict[str, str]  # lower-case keys
    body: bytes
    conn_id: int
    site: Site


@dataclass(slots=True)
class Response:
    """A response spec returned by a route handler.

    ``body`` is bytes (Content-Length is its length, unless ``length`` overrides it) or an
    iterable of chunks (sent with ``length`` as Content-Length when given, else chunked
    transfer encoding). ``chunk_size`` splits a bytes body; ``chunk_delay`` sleeps between
    chunks; ``delay`` sleeps before the status line. A ``length`` larger than the body sent
    makes the server close the connection after the body (a truncated response).
    ``action`` replaces the whole response: ``"hang"`` never answers, ``"reset"`` closes with
    RST, ``"raw"`` writes ``body`` (bytes) as-is and closes (``chunk_size`` bytes at a time,
    ``chunk_delay`` seconds apart, when given: a status line and headers trickled in).
    """

    status: int = 200
    headers: Mapping[str, str] | Sequence[tuple[str, str]] = ()
    body: bytes | Iterable[bytes] = b""
    length: int | None = None
    chunk_size: int | None = None
    chunk_delay: float = 0.0
    delay: float = 0.0
    close: bool = False
    reason: str | None = None
    action: Literal["hang", "reset", "raw"] | None = None

    @classmethod
    def html(cls, body: bytes | str = OK_HTML, status: int = 200, **kw: Any) -> Response:
        data = body.encode() if isinstance(body, str) else body
        return cls(status, {"Content-Type": "text/html; charset=utf-8"}, data, **kw)

    @classmethod
    def text(cls, body: bytes | str, status: int = 200, **kw: Any) -> Response:
        data = body.encode() if isinstance(body, str) else body
        return cls(status, {"Content-Type": "text/plain; charset=utf-8"}, data, **kw)

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> Response:
        return cls(status, {"Location": location, "Content-Type": "text/plain"}, b"redirect\n")

    @classmethod
    def hang(cls) -> Response:
        return cls(action="hang")

    @classmethod
    def reset(cls) -> Response:
        return cls(action="reset")

    @classmethod
    def raw(cls, data: bytes) -> Response:
        return cls(body=data, action="raw")


Handler = Callable[[Request], Response | bytes | str | int]


@dataclass(slots=True)
class LogEntry:
    """One request as the server saw it (``end``/``status`` are None while in progress)."""

    method: str
    target: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    start: float  # time.monotonic()
    in_flight: int  # requests in flight on this site when this one started, itself included
    conn_id: int
    client: tuple[str, int]
    end: float | None = None
    status: int | None = None  # None: no HTTP response (hang, reset, raw, aborted)
    bytes_sent: int = 0  # body bytes written (not headers, not chunk framing)

    @property
    def duration(self) -> float | None:
        return None if self.end is None else self.end - self.start


class _Abort(Exception):
    """Stop handling this request and close the connection without a (further) response."""


# --------------------------------------------------------------------------------------------
# Server internals
# --------------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # we join our own workers, with a deadline, in Site.stop()
    request_queue_size = 256

    def __init__(self, site: Site, address: tuple[str, int]) -> None:
        self.site = site
        self._lock = threading.Lock()
        self._conns: set[socket.socket] = set()
        self._rst: set[socket.socket] = set()
        self._workers: set[threading.Thread] = set()
        self._closing = False
        super().__init__(address, _RequestHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn(), a reverse lookup: skip it.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._lock:
            closing = self._closing
            if not closing:
                self._conns.add(request)
        if closing:
            self.shutdown_request(request)
            return
        with self._lock:
            worker = threading.Thread(
                target=self._work,
                args=(request, client_address),
                name=f"sitekit-{self.server_port}",
                daemon=True,
            )
            self._workers.add(worker)
        worker.start()

    def _work(self, request: socket.socket, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self._lock:
                self._workers.discard(threading.current_thread())

    def reset_on_close(self, request: socket.socket) -> None:
        with self._lock:
            self._rst.add(request)

    def shutdown_request(self, request: Any) -> None:
        with self._lock:
            self._conns.discard(request)
            rst = request in self._rst
            self._rst.discard(request)
        if rst:
            with contextlib.suppress(OSError):
                request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            request.close()  # no shutdown(SHUT_WR) first: that would send a FIN
        else:
            super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], OSError):  # OSError: the client went away
            self.site._record_error(traceback.format_exc())

    def abort_all(self) -> list[threading.Thread]:
        """Refuse new work and unblock every connection; return the workers to join."""
        with self._lock:
            self._closing = True
            conns = list(self._conns)
            workers = list(self._workers)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        return workers


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sitekit/1"
    disable_nagle_algorithm = True  # else header and body writes meet delayed ACKs: +40 ms
    server: _Server
    conn_id: int

    def setup(self) -> None:
        super().setup()
        self.conn_id = self.server.site._new_conn_id()
        if self.server.site.keepalive_timeout is not None:
            self.connection.settimeout(self.server.site.keepalive_timeout)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def _dispatch(self) -> None:
        site = self.server.site
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        headers: dict[str, str] = {}
        for key, value in self.headers.items():
            k = key.lower()
            headers[k] = f"{headers[k]}, {value}" if k in headers else value
        req = Request(
            method=self.command,
            target=self.path,
            path=split.path or "/",
            query=dict(reversed(parse_qsl(split.query, keep_blank_values=True))),
            headers=headers,
            body=body,
            conn_id=self.conn_id,
            site=site,
        )
        entry = site._begin(req, self.client_address)
        try:
            resp = site._answer(req, entry)
            self._send(resp, entry)
        except (_Abort, OSError):
            self.close_connection = True
        except Exception:
            site._record_error(traceback.format_exc())
            self.close_connection = True
        finally:
            site._end(entry)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _dispatch

    def _sleep(self, seconds: float) -> None:
        if seconds > 0 and self.server.site._stopping.wait(seconds):
            raise _Abort

    def _hang(self) -> None:
        """Wait, silently, until the client disconnects or the site stops."""
        conn = self.connection
        while not self.server.site._stopping.wait(_POLL):
            try:
                readable, _, _ = select.select([conn], [], [], 0)
                if readable and not conn.recv(1, socket.MSG_PEEK):
                    break  # EOF: the client gave up
            except (OSError, ValueError):
                break
        raise _Abort

    def _send(self, resp: Response, entry: LogEntry) -> None:
        if resp.action == "hang":
            self._hang()
        if resp.action == "reset":
            self.server.reset_on_close(self.connection)
            raise _Abort
        if resp.action == "raw":
            data = resp.body if isinstance(resp.body, bytes) else b"".join(resp.body)
            size = resp.chunk_size or len(data) or 1
            for i in range(0, len(data), size):  # chunk_size + chunk_delay: trickled bytes
                if i and resp.chunk_delay:
                    self._sleep(resp.chunk_delay)
                self.wfile.write(data[i : i + size])
                self.wfile.flush()
                entry.bytes_sent += len(data[i : i + size])
            raise _Abort
        self._sleep(resp.delay)

        status = resp.status
        bodiless_status = status in (204, 304) or 100 <= status < 200
        chunks: Iterable[bytes]
        if isinstance(resp.body, bytes | bytearray):
            data = bytes(resp.body)
            length: int | None = len(data) if resp.length is None else resp.length
            if resp.chunk_size:
                size = resp.chunk_size
                chunks = [data[i : i + size] for i in range(0, len(data), size)]
            else:
                chunks = [data] if data else []
        else:
            chunks, length = resp.body, resp.length

        headers = list(resp.headers.items() if isinstance(resp.headers, Mapping) else resp.headers)
        names = {name.lower() for name, _ in headers}
        reason = resp.reason
        if reason is None:
            try:
                reason = HTTPStatus(status).phrase
            except ValueError:
                reason = "Unknown"
        self.send_response(status, reason)
        for name, value in headers:
            self.send_header(name, value)
        chunked = False
        if not bodiless_status and "content-length" not in names:
            if length is not None:
                self.send_header("Content-Length", str(length))
            elif "transfer-encoding" not in names:
                self.send_header("Transfer-Encoding", "chunked")
                chunked = True
        if resp.close:
            self.send_header("Connection", "close")
        self.end_headers()
        entry.status = status
        if self.command == "HEAD" or bodiless_status:
            return

        sent = 0
        for i, chunk in enumerate(chunks):
            if i and resp.chunk_delay:
                self._sleep(resp.chunk_delay)
            if length is not None:
                chunk = chunk[: max(0, length - sent)]
            if not chunk:
                continue
            if chunked:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            else:
                self.wfile.write(chunk)
            sent += len(chunk)
            entry.bytes_sent = sent
        if chunked:
            self.wfile.write(b"0\r\n\r\n")
        elif length is not None and sent < length:
            raise _Abort  # truncated body: the client must see the connection close


# --------------------------------------------------------------------------------------------
# Site
# --------------------------------------------------------------------------------------------


class _Address:
    """URL helpers shared by everything that listens on ``bind_host`` and ``port``."""

    bind_host: str

    @property
    def port(self) -> int:
        raise NotImplementedError

    @property
    def host(self) -> str:
        """``"127.0.0.1:PORT"``: the URL authority."""
        return f"{self.bind_host}:{self.port}"

    @property
    def base_url(self) -> str:
        """``"http://127.0.0.1:PORT"`` (no trailing slash)."""
        return f"http://{self.host}"

    def url(self, path: str = "/") -> str:
        """``site.url("/ok")`` -> ``"http://127.0.0.1:PORT/ok"`` (a leading ``/`` is added)."""
        return self.base_url + (path if path.startswith("/") else "/" + path)


class Site(_Address):
    """One real HTTP/1.1 server on ``host`` (a loopback address) and an ephemeral port.

    Use as a context manager, or call :meth:`start` / :meth:`stop`. See the module docstring
    for the built-in routes and the politeness knobs.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        files_dir: str | Path | None = None,
        honor_range: bool = True,
        latency: float = 0.0,
        rate_limit: float | None = None,
        rate_window: float = 1.0,
        max_concurrency: int | None = None,
        keepalive_timeout: float | None = None,
    ) -> None:
        self.bind_host = host
        self._requested_port = port
        self.files_dir = Path(files_dir) if files_dir is not None else None
        self.honor_range = honor_range
        self.latency = latency
        self.rate_limit = rate_limit
        self.rate_window = rate_window
        self.max_concurrency = max_concurrency
        self.keepalive_timeout = keepalive_timeout

        self._lock = threading.Lock()
        self._log: list[LogEntry] = []
        self._in_flight = 0
        self._accepted: deque[float] = deque()  # starts of requests that passed the rate limit
        self._flaky: dict[str, int] = {}
        self._conn_ids = itertools.count(1)
        self._routes: dict[str, Handler | Response] = {}
        self._prefix_routes: list[tuple[str, Handler | Response]] = []
        self._files: dict[str, _StoredFile] = {}
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.count_429 = 0
        self.count_503 = 0
        self.errors: list[str] = []  # tracebacks of handler bugs (not client disconnects)
        self.unjoined_threads = 0  # workers still alive after stop()'s deadline

    # ---- lifecycle ------------------------------------------------------------------------

    def start(self) -> Site:
        if self._server is not None:
            raise RuntimeError("site already started")
        self._stopping.clear()
        self._server = _Server(self, (self.bind_host, self._requested_port))
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"sitekit-serve-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving: unblock hanging/slow requests, close every socket, join threads."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._stopping.set()
        server.shutdown()
        thread.join(timeout)
        workers = server.abort_all()
        deadline = time.monotonic() + timeout
        for worker in workers:
            worker.join(max(0.0, deadline - time.monotonic()))
        self.unjoined_threads = sum(w.is_alive() for w in workers)
        server.server_close()
        self._server = self._thread = None

    def __enter__(self) -> Site:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    # ---- addresses ------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("site not started")
        return int(self._server.server_address[1])

    def __str__(self) -> str:
        return self.base_url if self.running else f"<Site {self.bind_host} (stopped)>"

    def __repr__(self) -> str:
        return f"Site({str(self)!r})"

    # ---- configuration ----------------------------------------------------------------------

    @overload
    def route(self, path: str, handler: Handler | Response) -> None: ...

    @overload
    def route(self, path: str, handler: None = None) -> Callable[[Handler], Handler]: ...

    def route(
        self, path: str, handler: Handler | Response | None = None
    ) -> Callable[[Handler], Handler] | None:
        """Add a custom route (it wins over built-ins). ``path`` is exact (``"/x"``, no query)
        or a prefix ending in ``*`` (``"/x/*"``, longest prefix wins). ``handler`` takes a
        :class:`Request` and returns a :class:`Response` (or bytes/str: 200 HTML, or an int
        status); a :class:`Response` with a bytes body can be given directly. Without a
        handler, returns a decorator.
        """
        if handler is None:

            def decorate(fn: Handler) -> Handler:
                self.route(path, fn)
                return fn

            return decorate
        with self._lock:
            if path.endswith("*"):
                self._prefix_routes.append((path[:-1], handler))
                self._prefix_routes.sort(key=lambda item: -len(item[0]))
            else:
                self._routes[path] = handler
        return None

    def put_file(self, name: str, data: bytes, content_type: str | None = None) -> str:
        """Serve ``data`` at ``/files/<name>`` (wins over ``files_dir``); returns its URL path.

        Its validators: ``ETag`` is a hash of ``data``, ``Last-Modified`` the time of this
        call, always at least a second after the file it replaces (HTTP dates have whole
        seconds), so a replaced file never looks unchanged to either conditional header."""
        etag = _etag(data)
        with self._lock:
            old = self._files.get(name)
            when = int(time.time())
            if old is not None:
                when = max(when, old.modified + 1)
            self._files[name] = _StoredFile(data, content_type, etag, when)
        return "/files/" + name

    # ---- log and counters -------------------------------------------------------------------

    @property
    def log(self) -> list[LogEntry]:
        """A snapshot (copy) of the request log, in start order."""
        with self._lock:
            return list(self._log)

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def requests(self, path: str | None = None, method: str | None = None) -> list[LogEntry]:
        """Logged requests, filtered by exact path (query ignored) and/or method."""
        return [
            e
            for e in self.log
            if (path is None or e.path == path) and (method is None or e.method == method.upper())
        ]

    def max_in_flight(self) -> int:
        """The largest in-flight count any request saw when it started (0 if none)."""
        return max((e.in_flight for e in self.log), default=0)

    def max_rate(self, window: float = 1.0, path: str | None = None) -> int:
        """The most request starts in any sliding window of ``window`` seconds (all methods,
        including requests answered 429/503)."""
        starts = [e.start for e in self.requests(path)]
        best = 0
        for i, t in enumerate(starts):
            j = bisect.bisect_right(starts, t - window)  # starts in (t - window, t]
            best = max(best, i - j + 1)
        return best

    def connection_ids(self, path: str | None = None) -> set[int]:
        """Distinct client connections used (by the requests to ``path``)."""
        return {e.conn_id for e in self.requests(path)}

    def wait_for_requests(
        self, n: int = 1, path: str | None = None, method: str | None = None, timeout: float = 5.0
    ) -> list[LogEntry]:
        """Block until at least ``n`` matching requests have started; raise TimeoutError."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.requests(path, method)
            if len(found) >= n:
                return found
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(found)} of {n} requests to {path!r} after {timeout}s")
            time.sleep(_POLL)

    def wait_idle(self, timeout: float = 5.0) -> None:
        """Block until no request is in flight (the server finishes a request, and sets its
        ``end``, just *after* the client may have read the last byte); raise TimeoutError."""
        deadline = time.monotonic() + timeout
        while self._in_flight:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self._in_flight} requests still in flight after {timeout}s")
            time.sleep(0.005)

    def reset_flaky(self) -> None:
        with self._lock:
            self._flaky.clear()

    def reset(self) -> None:
        """Clear the log, the counters, the rate-limit window and the flaky counts."""
        with self._lock:
            self._log.clear()
            self._accepted.clear()
            self._flaky.clear()
            self.count_429 = self.count_503 = 0
            self.errors.clear()

    # ---- request processing (called from handler threads) -----------------------------------

    def _new_conn_id(self) -> int:
        with self._lock:
            return next(self._conn_ids)

    def _record_error(self, text: str) -> None:
        with self._lock:
            self.errors.append(text)

    def _begin(self, req: Request, client: Any) -> LogEntry:
        with self._lock:
            self._in_flight += 1
            entry = LogEntry(
                method=req.method,
                target=req.target,
                path=req.path,
                query=req.query,
                headers=req.headers,
                start=time.monotonic(),
                in_flight=self._in_flight,
                conn_id=req.conn_id,
                client=(str(client[0]), int(client[1])),
            )
            self._log.append(entry)
        return entry

    def _end(self, entry: LogEntry) -> None:
        with self._lock:
            self._in_flight -= 1
            entry.end = time.monotonic()

    def _politeness(self, entry: LogEntry) -> Response | None:
        if self.max_concurrency is not None and entry.in_flight > self.max_concurrency:
            with self._lock:
                self.count_503 += 1
            return Response.text("too many concurrent requests\n", 503)
        if self.rate_limit is not None:
            allowed = max(1, int(self.rate_limit * self.rate_window + 1e-9))
            with self._lock:
                while self._accepted and entry.start - self._accepted[0] >= self.rate_window:
                    self._accepted.popleft()
                if len(self._accepted) >= allowed:
                    self.count_429 += 1
                    return Response(
                        429,
                        {"Retry-After": "1", "Content-Type": "text/plain"},
                        b"slow down\n",
                    )
                self._accepted.append(entry.start)
        return None

    def _answer(self, req: Request, entry: LogEntry) -> Response:
        resp = self._politeness(entry)
        if resp is None:
            resp = _coerce(self._find_handler(req.path)(req))
        if self.latency and self._stopping.wait(self.latency):
            raise _Abort
        return resp

    def _find_handler(self, path: str) -> Callable[[Request], Response | bytes | str | int]:
        with self._lock:
            handler = self._routes.get(path)
            if handler is None:
                handler = next((h for p, h in self._prefix_routes if path.startswith(p)), None)
        if isinstance(handler, Response):
            static = handler
            return lambda req: static
        if handler is not None:
            return handler
        for pattern, builtin in _BUILTINS:
            match = pattern.fullmatch(path)
            if match:
                return functools.partial(_call_builtin, builtin, match)
        return lambda req: Response.text("not found\n", 404)

    def _flaky_hit(self, path: str) -> int:
        """Count a request to ``path``; return how many came before it."""
        with self._lock:
            seen = self._flaky.get(path, 0)
            self._flaky[path] = seen + 1
            return seen

    def _file(self, name: str) -> _StoredFile | None:
        with self._lock:
            if name in self._files:
                return self._files[name]
        if self.files_dir is None:
            return None
        root = self.files_dir.resolve()
        target = (root / name).resolve()
        if not target.is_relative_to(root) or not target.is_file():
            return None
        data = target.read_bytes()
        mtime = int(target.stat().st_mtime)
        return _StoredFile(data, None, _etag(data), mtime)


@dataclass(frozen=True, slots=True)
class _StoredFile:
    """A file served under ``/files/``: its bytes, type and validators."""

    data: bytes
    content_type: str | None
    etag: str  # strong, quoted: '"<hash>"'
    modified: int  # Unix seconds, sent as Last-Modified

    @property
    def last_modified(self) -> str:
        return email.utils.formatdate(self.modified, usegmt=True)


def _etag(data: bytes) -> str:
    return '"' + hashlib.blake2b(data, digest_size=12).hexdigest() + '"'


def _call_builtin(
    fn: Callable[[Request, re.Match[str]], Response], match: re.Match[str], req: Request
) -> Response:
    return fn(req, match)


def _coerce(value: Response | bytes | str | int) -> Response:
    if isinstance(value, Response):
        return value
    if isinstance(value, int):
        return Response.text(f"{value}\n", value)
    return Response.html(value)


# --------------------------------------------------------------------------------------------
# Built-in routes
# --------------------------------------------------------------------------------------------


def _num(req: Request, name: str, default: float) -> float:
    try:
        return float(req.query.get(name, default))
    except ValueError:
        return default


def _retry_after(req: Request) -> list[tuple[str, str]]:
    if "retry_after" in req.query:
        return [("Retry-After", req.query["retry_after"])]
    if "retry_after_date" in req.query:
        when = time.time() + _num(req, "retry_after_date", 0)
        return [("Retry-After", email.utils.formatdate(when, usegmt=True))]
    return []


def _status(req: Request, code: int) -> Response:
    headers = [("Content-Type", "text/html; charset=utf-8"), *_retry_after(req)]
    if code == 401:
        headers.append(("WWW-Authenticate", 'Basic realm="sitekit"'))
    if code == 405:
        headers.append(("Allow", "GET"))
    return Response(code, headers, f"<p>status {code}</p>\n".encode())


def _r_ok(req: Request, m: re.Match[str]) -> Response:
    return Response.html()


def _r_head_variant(req: Request, m: re.Match[str]) -> Response:
    if req.method != "HEAD":
        return Response.html()
    kind = m.group(1)
    if kind == "head-hang":
        return Response.hang()
    return _status(req, {"ok-head-405": 405, "head-501": 501, "head-404": 404}[kind])


def _r_status(req: Request, m: re.Match[str]) -> Response:
    code = int(m.group(1))
    if code < 200:  # an interim 1xx would leave the client waiting for a final response
        return Response.text("status must be 200..999\n", 400)
    return _status(req, code)


def _r_flaky(req: Request, m: re.Match[str]) -> Response:
    n, code = int(m.group(1)), int(m.group(2))
    if req.site._flaky_hit(req.path) < n:
        return _status(req, code)
    return Response.html()


def _r_redirect(req: Request, m: re.Match[str]) -> Response:
    n = int(m.group(1))
    if n <= 0:
        return Response.html()
    return Response.redirect(req.site.url("/ok" if n == 1 else f"/redirect/{n - 1}"))


def _r_redirect_to(req: Request, m: re.Match[str]) -> Response:
    return Response.redirect(req.query.get("url", "/ok"), int(_num(req, "status", 301)))


def _r_redirect_relative(req: Request, m: re.Match[str]) -> Response:
    return Response.redirect(req.query.get("to", "ok"))


def _r_loop(req: Request, m: re.Match[str]) -> Response:
    other = {"a": "/loop/b", "b": "/loop/a", "self": "/loop/self"}[m.group(1)]
    return Response.redirect(req.site.url(other))


def _r_slow(req: Request, m: re.Match[str]) -> Response:
    return Response.html(delay=_num(req, "delay", 1.0))


def _r_drip(req: Request, m: re.Match[str]) -> Response:
    size, chunks = int(_num(req, "size", 1000)), max(1, int(_num(req, "chunks", 5)))
    return Response(
        200,
        {"Content-Type": "application/octet-stream"},
        b"x" * size,
        chunk_size=max(1, -(-size // chunks)),
        chunk_delay=_num(req, "delay", 0.2),
    )


def _r_hang(req: Request, m: re.Match[str]) -> Response:
    return Response.hang()


def _r_reset(req: Request, m: re.Match[str]) -> Response:
    return Response.reset()


def _r_garbage(req: Request, m: re.Match[str]) -> Response:
    return Response.raw(GARBAGE)


def _r_truncated(req: Request, m: re.Match[str]) -> Response:
    return Response(200, {"Content-Type": "text/plain"}, b"t" * 100, length=1000)


def _r_html_as_image(req: Request, m: re.Match[str]) -> Response:
    return Response(200, {"Content-Type": "image/jpeg"}, OK_HTML)


def _r_headers(req: Request, m: re.Match[str]) -> Response:
    body = json.dumps(req.headers, sort_keys=True).encode()
    return Response(200, {"Content-Type": "application/json"}, body)


def guess_type(name: str) -> str:
    """Content-Type for a file name (``application/octet-stream`` when unknown)."""
    suffix = Path(name).suffix.lower()
    return _EXTRA_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def _not_modified(req: Request, found: _StoredFile) -> bool:
    """RFC 9110 13.2.2: If-None-Match (weak comparison) when sent, else If-Modified-Since
    (GET and HEAD only); an unparsable date is ignored."""
    if req.method not in ("GET", "HEAD"):
        return False
    inm = req.headers.get("if-none-match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or found.etag in tags
    ims = req.headers.get("if-modified-since")
    if ims is None:
        return False
    try:
        since = email.utils.parsedate_to_datetime(ims)
    except (TypeError, ValueError, IndexError):
        return False
    if since is None or since.tzinfo is None:
        return False
    return found.modified <= since.timestamp()


def _r_files(req: Request, m: re.Match[str]) -> Response:
    name = unquote(m.group(1))
    found = req.site._file(name)
    if found is None:
        return Response.text("no such file\n", 404)
    data, ctype = found.data, found.content_type
    ctype = req.query["type"] if "type" in req.query else (ctype or guess_type(name))
    headers: list[tuple[str, str]] = [("Content-Type", ctype)] if ctype else []
    if req.query.get("noetag") not in ("1", "true", "yes"):
        validators = [("ETag", found.etag), ("Last-Modified", found.last_modified)]
        if _not_modified(req, found):
            return Response(304, validators)
        headers.extend(validators)
    chunking: dict[str, Any] = {}
    if "chunk" in req.query:
        chunking = {
            "chunk_size": max(1, int(_num(req, "chunk", 1024))),
            "chunk_delay": _num(req, "delay", 0.0),
        }
    ranged = req.site.honor_range and req.query.get("norange") not in ("1", "true", "yes")
    if not ranged:
        return Response(200, headers, data, **chunking)
    headers.append(("Accept-Ranges", "bytes"))
    match = _RANGE.fullmatch(req.headers.get("range", "").strip())
    if match is None or match.groups() == ("", ""):
        return Response(200, headers, data, **chunking)  # no (or multi/odd) range: full body
    first, last, size = match.group(1), match.group(2), len(data)
    if first:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    else:
        start, end = max(0, size - int(last)), size - 1
    if start >= size or start > end:
        headers.append(("Content-Range", f"bytes */{size}"))
        return Response(416, headers, b"")
    headers.append(("Content-Range", f"bytes {start}-{end}/{size}"))
    return Response(206, headers, data[start : end + 1], **chunking)


_BUILTINS: list[tuple[re.Pattern[str], Callable[[Request, re.Match[str]], Response]]] = [
    (re.compile(p), fn)
    for p, fn in [
        (r"/ok", _r_ok),
        (r"/(ok-head-405|head-501|head-404|head-hang)", _r_head_variant),
        (r"/status/(\d{3})", _r_status),
        (r"/flaky/(\d+)/(\d{3})", _r_flaky),
        (r"/redirect/(\d+)", _r_redirect),
        (r"/redirect-to", _r_redirect_to),
        (r"/redirect-relative", _r_redirect_relative),
        (r"/loop/(a|b|self)", _r_loop),
        (r"/slow", _r_slow),
        (r"/drip", _r_drip),
        (r"/hang", _r_hang),
        (r"/reset", _r_reset),
        (r"/garbage", _r_garbage),
        (r"/truncated", _r_truncated),
        (r"/html-as-image", _r_html_as_image),
        (r"/headers", _r_headers),
        (r"/files/(.+)", _r_files),
    ]
]


# --------------------------------------------------------------------------------------------
# Several hosts
# --------------------------------------------------------------------------------------------


def start_sites(n: int, *, first: int = 1, **kw: Any) -> list[Site]:
    """Start ``n`` sites on 127.0.0.<first>, 127.0.0.<first+1>, ... (port 0 each), so each
    is a distinct host to a client. Stop them with :func:`stop_sites`. ``kw`` go to Site."""
    sites: list[Site] = []
    try:
        for i in range(n):
            sites.append(Site(f"127.0.0.{first + i}", **kw).start())
    except BaseException:
        stop_sites(sites)
        raise
    return sites


def stop_sites(sites: Iterable[Site]) -> None:
    for site in sites:
        site.stop()


class SiteGroup:
    """``with SiteGroup(3, latency=0.1) as (a, b, c): ...``: :func:`start_sites` as a
    context manager; indexable and iterable."""

    def __init__(self, n: int, *, first: int = 1, **kw: Any) -> None:
        self.n, self.first, self.kw = n, first, kw
        self.sites: list[Site] = []

    def __enter__(self) -> SiteGroup:
        self.sites = start_sites(self.n, first=self.first, **self.kw)
        return self

    def __exit__(self, *exc: object) -> None:
        stop_sites(self.sites)

    def __iter__(self) -> Iterator[Site]:
        return iter(self.sites)

    def __getitem__(self, i: int) -> Site:
        return self.sites[i]

    def __len__(self) -> int:
        return len(self.sites)


# --------------------------------------------------------------------------------------------
# Dead hosts
# --------------------------------------------------------------------------------------------


def unused_address(host: str = "127.0.0.1") -> tuple[str, int]:
    """A ``(host, port)`` where nothing listens: connecting is refused (httpx.ConnectError).

    The port is picked by the kernel and released at once; another process could grab it
    meanwhile, which on a test machine is very unlikely.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return host, int(sock.getsockname()[1])


def _drain_request(conn: socket.socket, timeout: float = 0.5) -> None:
    """Read (and drop) what the client sends up to the end of its request head."""
    conn.settimeout(timeout)
    data = b""
    with contextlib.suppress(OSError):
        while b"\r\n\r\n" not in data and len(data) < 65536:
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk


class CountingRefuser(_Address):
    """A "down" host whose connection attempts can be counted (``.count``).

    It listens, accepts each connection, counts it and then, per ``mode``:

    * ``"rst"`` (default): closes with RST at once, never answering. The TCP handshake
      *succeeds*, then the client gets ECONNRESET: httpx.ReadError or ConnectError,
      depending on timing (rarely WriteError).
    * ``"close"``: reads the request head, then closes gracefully (FIN):
      httpx.RemoteProtocolError ("Server disconnected without sending a response").
    * ``"hold"``: keeps the connection open and silent until the client leaves or the
      refuser stops: httpx.ReadTimeout.

    For a real "connection refused" (httpx.ConnectError) use :func:`unused_address`; those
    attempts cannot be counted from user space.
    """

    def __init__(
        self, host: str = "127.0.0.1", mode: Literal["rst", "close", "hold"] = "rst"
    ) -> None:
        self.bind_host, self.mode = host, mode
        self.count = 0
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._held: list[socket.socket] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    def start(self) -> CountingRefuser:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.bind_host, 0))
        sock.listen(128)
        self._sock = sock
        self._thread = threading.Thread(target=self._loop, name="sitekit-refuser", daemon=True)
        self._thread.start()
        return self

    def _loop(self) -> None:
        assert self._sock is not None
        while not self._stopping.is_set():
            try:
                readable, _, _ = select.select([self._sock], [], [], _POLL)
                if not readable:
                    continue
                conn, _ = self._sock.accept()
            except OSError:
                return
            with self._lock:
                self.count += 1
            if self.mode == "hold":
                with self._lock:
                    self._held.append(conn)
                continue
            if self.mode == "rst":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                _drain_request(conn)  # closing with unread data would send RST, not FIN
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_WR)
            conn.close()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(5)
        with self._lock:
            held, self._held = self._held, []
        for conn in held:
            conn.close()
        if self._sock is not None:
            self._sock.close()
        self._sock = self._thread = None

    def __enter__(self) -> CountingRefuser:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._sock is None:
            raise RuntimeError("refuser not started")
        return int(self._sock.getsockname()[1])


# --------------------------------------------------------------------------------------------
# Content libraries
# --------------------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{(\w+)(?:\.(\w+))?\}")


def _sub_value(value: Any) -> str:
    if isinstance(value, tuple) and len(value) == 2:
        return f"http://{value[0]}:{value[1]}"
    base = getattr(value, "base_url", None)
    return str(base) if base is not None else str(value)


def render(template: str, **subs: Any) -> str:
    """Replace ``{name}`` with ``subs[name]`` and ``{name.attr}`` with its attribute.

    A Site/CountingRefuser renders as its base URL (``http://127.0.0.1:PORT``), a
    ``(host, port)`` tuple as ``http://host:port``, anything else with ``str()``.
    Placeholders naming nothing in ``subs`` (and YAML braces such as ``{a: 1}``) are left
    untouched, so no escaping is needed.
    """

    def replace(m: re.Match[str]) -> str:
        name, attr = m.group(1), m.group(2)
        if name not in subs:
            return m.group(0)
        value = subs[name]
        if attr is not None:
            return str(getattr(value, attr))
        return _sub_value(value)

    return _PLACEHOLDER.sub(replace, template)


_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_YAML11_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def _key(key: Any) -> str:
    if isinstance(key, str) and _PLAIN_KEY.fullmatch(key) and key.lower() not in _YAML11_WORDS:
        return key
    return _scalar(key)


def _scalar(value: Any) -> str:
    if value is None or isinstance(value, bool | int | float):
        return json.dumps(value)
    return json.dumps(str(value), ensure_ascii=False)  # a valid YAML double-quoted scalar


def to_yaml(value: Any, indent: int = 0) -> str:
    """Block-style YAML for dicts/lists/scalars (strings always double-quoted)."""
    pad = " " * indent
    if isinstance(value, Mapping):
        if not value:
            return pad + "{}\n"
        out = []
        for key, item in value.items():
            k = _key(key)
            if isinstance(item, Mapping | list | tuple) and item:
                out.append(f"{pad}{k}:\n{to_yaml(item, indent + 2)}")
            else:
                out.append(f"{pad}{k}: {_inline(item)}\n")
        return "".join(out)
    if isinstance(value, list | tuple):
        if not value:
            return pad + "[]\n"
        out = []
        for item in value:
            if isinstance(item, Mapping | list | tuple) and item:
                nested = to_yaml(item, indent + 2)
                out.append(f"{pad}- {nested[indent + 2 :]}")
            else:
                out.append(f"{pad}- {_inline(item)}\n")
        return "".join(out)
    return pad + _scalar(value) + "\n"


def _inline(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{}"
    if isinstance(value, list | tuple):
        return "[]"
    return _scalar(value)


def _render_data(value: Any, subs: Mapping[str, Any]) -> Any:
    if isinstance(value, str):
        return render(value, **subs)
    if isinstance(value, Mapping):
        return {k: _render_data(v, subs) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_render_data(v, subs) for v in value]
    return value


def article_text(front_matter: Mapping[str, Any], body: str = "") -> str:
    """A Markdown article: ``---`` YAML front matter ``---`` then the body."""
    return f"---\n{to_yaml(front_matter)}---\n{body}"


LibrarySpec = Mapping[str, str | bytes | Mapping[str, Any]] | Sequence[Mapping[str, Any]]


def write_library(folder: str | Path, spec: LibrarySpec, **subs: Any) -> Path:
    """Write article files into ``folder`` (created) and return it.

    ``spec`` is either

    * a mapping of relative file name -> file content: a ``str`` (templated with
      :func:`render`, written as UTF-8), ``bytes`` (written verbatim, not templated), or a
      mapping of front matter (templated, dumped as YAML; the optional key ``"_body"`` is the
      article body), or
    * a sequence of front-matter mappings, written as ``article-001.md``, ...; optional keys
      ``"_file"`` (file name) and ``"_body"`` (body, templated) are taken out first.
    """
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    items: list[tuple[str, str | bytes | Mapping[str, Any]]]
    if isinstance(spec, Mapping):
        items = list(spec.items())
    else:
        items = []
        for i, fm in enumerate(spec, 1):
            data = dict(fm)
            items.append((str(data.pop("_file", f"article-{i:03d}.md")), data))
    for name, content in items:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(render(content, **subs), encoding="utf-8")
        else:
            data = dict(content)
            body = render(str(data.pop("_body", "")), **subs)
            path.write_text(article_text(_render_data(data, subs), body), encoding="utf-8")
    return root


def png(width: int, height: int) -> bytes:
    """A small valid grey PNG of the given size (for a site's ``put_file`` or a route)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


# --------------------------------------------------------------------------------------------
# Hostile bodies and heads
# --------------------------------------------------------------------------------------------


def bomb_chunks(
    size: int, encoding: str = "gzip", prefix: bytes = b"", fill: bytes = b"\0"
) -> Iterator[bytes]:
    """`prefix` then `size` bytes of `fill`, compressed as `encoding` ("gzip" or "deflate"),
    generated streaming: a 1 GB bomb is about 1 MB on the wire and never held whole."""
    wbits = zlib.MAX_WBITS | 16 if encoding == "gzip" else zlib.MAX_WBITS
    comp = zlib.compressobj(9, zlib.DEFLATED, wbits)
    block = fill[:1] * (1 << 20)
    out = comp.compress(prefix)
    left = size
    while left > 0:
        out += comp.compress(block[: min(left, len(block))])
        left -= len(block)
        if len(out) >= 16 * 1024:
            yield out
            out = b""
    yield out + comp.flush()


def bomb(size: int, encoding: str = "gzip", content_type: str = "text/html", **kw: Any) -> Response:
    """A response whose body inflates to `size` bytes (`Content-Encoding: encoding`), chunked."""
    headers = {"Content-Type": content_type, "Content-Encoding": encoding}
    body = bomb_chunks(size, encoding, kw.pop("prefix", b""), kw.pop("fill", b"\0"))
    return Response(200, headers, body, **kw)


def many_headers(count: int, value_size: int = 8) -> Response:
    """A 200 whose head has `count` extra header fields of `value_size` bytes each (written raw,
    so the server's own limits do not apply)."""
    value = b"v" * value_size
    head = b"".join(b"X-Filler-%d: %s\r\n" % (i, value) for i in range(count))
    return Response.raw(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 2\r\n"
        + head
        + b"Connection: close\r\n\r\nok"
    )
