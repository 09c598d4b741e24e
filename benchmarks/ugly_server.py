"""The ugly local web of `ugly_web.py`: a small asyncio HTTP/1.1 keep-alive server, many hosts.

One listening socket per loopback address (127.0.0.N, the same port on each), one asyncio
Protocol per connection: no thread and no coroutine per request, so one process answers
thousands of requests per second on a shared 2-core machine. Every response waits `--latency`
seconds (a timer, not a sleeping task). Behaviour is encoded in the path, so the library
generator and the server agree without sharing state:

    /ok/<id>/<slug>                 200 text/html
    /gone/<id>                      404
    /t429/<n>/<ra>/<id>             the first n requests (any method) answer 429 with
                                    `Retry-After: <ra>`, later ones 200
    /flaky/<id>                     the first request answers 503, later ones 200
    /hang/<id>                      never answers; the socket stays open until the client leaves
    /r/<h1>.<h2>.../<id>            301 (then 302, alternating) to host index h1 with the rest of
                                    the chain; the last hop lands on /ok/<id>
    /img/<fmt>/<w>x<h>/<bytes>/<id>.<ext>
                                    a real png/jpeg/gif of w x h pixels (header + padding, <bytes>
                                    long); honours `Range: bytes=a-b`, `a-`, `-n` (206, 416)

A host given `--limit ADDR=R` also answers 429 + `Retry-After: 1` to any request that would make
more than R *accepted* request starts in the trailing second (rejected ones do not count).

Per host the server records requests, distinct TCP connections, max requests in flight, max
request starts in any 1 s window, 429s (designed and rate-limit), statuses and methods. A control
listener on 127.0.0.1 answers `GET /stats` (JSON), `GET /reset` (JSON, then zero everything) and
`GET /quit`. The stats are also written to `--stats-file` on SIGUSR1 and at exit (SIGTERM, quit).
It stops by itself when its parent dies or after `--lifetime` seconds.

    python benchmarks/ugly_server.py --hosts 127.0.0.2,127.0.0.3 --port 18080 [--latency 0.05]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import functools
import json
import os
import resource
import signal
import struct
import sys
import time
import zlib
from typing import Any

STATUS_TEXT = {200: "OK", 206: "Partial Content", 301: "Moved Permanently", 302: "Found"}
STATUS_TEXT |= {404: "Not Found", 416: "Range Not Satisfiable", 429: "Too Many Requests"}
STATUS_TEXT |= {400: "Bad Request", 503: "Service Unavailable"}
PAGE = b"<!doctype html><title>article</title><p>" + b"news " * 300 + b"</p>\n"
MAX_HEAD = 16384


def image_bytes(fmt: str, width: int, height: int, size: int) -> bytes:
    """A real image header of width x height, padded to `size` bytes (what a prober reads)."""
    if fmt == "png":
        ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
        head = b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr)
        pad = max(0, size - len(head) - 24)
        return head + _png_chunk(b"IDAT", b"\0" * pad) + _png_chunk(b"IEND", b"")
    if fmt == "jpeg":
        app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"
        sof = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, height, width, 3)
        sof += b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
        dqt = b"\xff\xdb" + struct.pack(">HB", 67, 0) + b"\x01" * 64
        sos = b"\xff\xda" + struct.pack(">HB", 12, 3) + b"\x01\x00\x02\x11\x03\x11\x00\x3f\x00"
        head = b"\xff\xd8" + app0 + dqt + sof + sos  # then entropy-coded data (no 0xFF), EOI
        return head + b"\0" * max(0, size - len(head) - 2) + b"\xff\xd9"
    if fmt == "gif":
        head = b"GIF89a" + struct.pack("<HHBBB", width, height, 0, 0, 0)
        frame = b"," + struct.pack("<HHHHB", 0, 0, width, height, 0) + b"\x02\x02\x4c\x01\0;"
        blocks, room = bytearray(), size - len(head) - len(frame) - 3
        while room >= 2:  # a comment extension carries the padding, in <= 255-byte sub-blocks
            n = min(255, room - 1)
            blocks += bytes([n]) + b"\0" * n
            room -= n + 1
        return head + b"!\xfe" + bytes(blocks) + b"\0" + frame
    raise ValueError(f"unknown image format {fmt!r}")


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


class HostStats:
    __slots__ = (
        *("requests", "connections", "in_flight", "max_in_flight", "starts", "max_rate_1s"),
        *("accepted", "designed_429", "limit_429", "statuses", "methods", "bytes_sent"),
        *("first_start", "last_start", "open_now", "max_open"),
    )

    def __init__(self) -> None:
        self.requests = self.connections = self.in_flight = self.max_in_flight = 0
        self.max_rate_1s = self.designed_429 = self.limit_429 = self.bytes_sent = 0
        self.starts: collections.deque[float] = collections.deque()
        self.accepted: collections.deque[float] = collections.deque()
        self.statuses: collections.Counter[int] = collections.Counter()
        self.methods: collections.Counter[str] = collections.Counter()
        self.first_start = self.last_start = 0.0  # CLOCK_MONOTONIC, as time.monotonic() elsewhere
        self.open_now = self.max_open = 0  # TCP connections open at once (the client's pool)

    def start(self, now: float) -> None:
        self.requests += 1
        self.first_start = self.first_start or now
        self.last_start = now
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        starts = self.starts
        starts.append(now)
        while starts[0] <= now - 1.0:
            starts.popleft()
        self.max_rate_1s = max(self.max_rate_1s, len(starts))

    def admit(self, now: float, limit: float) -> bool:
        """The host's own limiter: at most `limit` accepted starts in the trailing second."""
        acc = self.accepted
        while acc and acc[0] <= now - 1.0:
            acc.popleft()
        if len(acc) + 1 > limit:
            return False
        acc.append(now)
        return True

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "connections": self.connections,
            "max_in_flight": self.max_in_flight,
            "max_rate_1s": self.max_rate_1s,
            "designed_429": self.designed_429,
            "limit_429": self.limit_429,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "methods": dict(self.methods),
            "bytes_sent": self.bytes_sent,
            "in_flight_now": self.in_flight,
            "open_now": self.open_now,
            "max_open": self.max_open,
            "first_start": self.first_start,
            "last_start": self.last_start,
        }


class Web:
    """Shared state of all hosts in this process: routing, per-path counters, stats."""

    def __init__(
        self,
        hosts: list[str],
        all_hosts: list[str],
        port: int,
        latency: float,
        limits: dict[str, float],
    ) -> None:
        self.hosts, self.port, self.latency, self.limits = hosts, port, latency, limits
        self.hosts_all = all_hosts
        self.stats = {h: HostStats() for h in hosts}
        self.seen: collections.Counter[str] = collections.Counter()
        self.images: dict[tuple[str, int, int, int], bytes] = {}
        self.loop = asyncio.get_running_loop()
        self.t0 = time.monotonic()

    def reset(self) -> dict[str, Any]:
        snap = self.snapshot()
        self.stats = {h: HostStats() for h in self.hosts}
        self.seen.clear()
        return snap

    def snapshot(self) -> dict[str, Any]:
        ru = resource.getrusage(resource.RUSAGE_SELF)
        return {
            "hosts": {h: s.as_dict() for h, s in self.stats.items()},
            "server_cpu_s": ru.ru_utime + ru.ru_stime,
            "uptime_s": time.monotonic() - self.t0,
        }

    def respond(self, host: str, method: str, path: str, range_h: str | None) -> bytes | None:
        """The response bytes for one request, or None to hang."""
        stats = self.stats[host]
        limit = self.limits.get(host)
        if limit is not None and not stats.admit(self.loop.time(), limit):
            stats.limit_429 += 1
            return self._reply(stats, method, 429, b"slow down\n", [("Retry-After", "1")])
        parts = path.split("?", 1)[0].split("/")
        kind = parts[1] if len(parts) > 1 else ""
        try:
            return self._route(stats, kind, parts, method, path, range_h)
        except (ValueError, IndexError):
            return self._reply(stats, method, 400, b"bad path\n", [])

    def _route(
        self, st: HostStats, kind: str, parts: list[str], method: str, path: str, rng: str | None
    ) -> bytes | None:
        if kind == "ok":
            return self._reply(st, method, 200, PAGE, [("Content-Type", "text/html")])
        if kind == "t429":
            self.seen[path] += 1
            if self.seen[path] <= int(parts[2]):
                st.designed_429 += 1
                return self._reply(st, method, 429, b"wait\n", [("Retry-After", parts[3])])
            return self._reply(st, method, 200, PAGE, [("Content-Type", "text/html")])
        if kind == "flaky":
            self.seen[path] += 1
            if self.seen[path] == 1:
                return self._reply(st, method, 503, b"try again\n", [])
            return self._reply(st, method, 200, PAGE, [("Content-Type", "text/html")])
        if kind == "hang":
            st.statuses[0] += 1
            return None
        if kind == "r":
            hops = parts[2].split(".")
            rest = f"/r/{'.'.join(hops[1:])}/{parts[3]}" if len(hops) > 1 else f"/ok/{parts[3]}/x"
            target = f"http://{self.hosts_all[int(hops[0])]}:{self.port}{rest}"
            status = 301 if len(hops) % 2 else 302
            return self._reply(st, method, status, b"", [("Location", target)])
        if kind == "img":
            return self._image(st, method, parts, rng)
        return self._reply(st, method, 404, b"not found\n", [("Content-Type", "text/plain")])

    def _image(self, st: HostStats, method: str, parts: list[str], rng: str | None) -> bytes:
        fmt = parts[2]
        w, h = (int(x) for x in parts[3].split("x"))
        key = (fmt, w, h, int(parts[4]))
        body = self.images.get(key)
        if body is None:
            body = self.images[key] = image_bytes(*key)
        ctype = [("Content-Type", f"image/{fmt}"), ("Accept-Ranges", "bytes")]
        span = _parse_range(rng, len(body)) if rng else None
        if span is None:
            return self._reply(st, method, 200, body, ctype)
        if span == (-1, -1):
            return self._reply(st, method, 416, b"", [("Content-Range", f"bytes */{len(body)}")])
        a, b = span
        cr = ("Content-Range", f"bytes {a}-{b}/{len(body)}")
        return self._reply(st, method, 206, body[a : b + 1], [*ctype, cr])

    def _reply(
        self, st: HostStats, method: str, status: int, body: bytes, headers: list[tuple[str, str]]
    ) -> bytes:
        st.statuses[status] += 1
        lines = [f"HTTP/1.1 {status} {STATUS_TEXT.get(status, 'Status')}"]
        lines += [f"{k}: {v}" for k, v in headers]
        lines.append(f"Content-Length: {len(body)}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        sent = head if method == "HEAD" else head + body
        st.bytes_sent += len(sent)
        return sent


def _parse_range(value: str, total: int) -> tuple[int, int] | None:
    """(first, last) for one `bytes=` range; (-1, -1) if unsatisfiable; None to ignore it."""
    unit, _, spec = value.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, _, last = spec.strip().partition("-")
    try:
        if not first:
            n = int(last)
            return (max(0, total - n), total - 1) if n > 0 else (-1, -1)
        a = int(first)
        b = min(int(last), total - 1) if last else total - 1
    except ValueError:
        return None
    return (a, b) if a <= b and a < total else (-1, -1)


class Conn(asyncio.Protocol):
    """One keep-alive connection: requests answered one at a time, each after the latency."""

    def __init__(self, web: Web, host: str) -> None:
        self.web, self.host = web, host
        self.buf = bytearray()
        self.busy = False
        self.timer: asyncio.TimerHandle | None = None
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        st = self.web.stats[self.host]
        st.connections += 1
        st.open_now += 1
        st.max_open = max(st.max_open, st.open_now)

    def data_received(self, data: bytes) -> None:
        self.buf += data
        self._next()

    def _next(self) -> None:
        assert self.transport is not None
        if self.busy:
            return
        end = self.buf.find(b"\r\n\r\n")
        if end < 0:
            if len(self.buf) > MAX_HEAD:
                self.transport.close()
            return
        head = bytes(self.buf[:end]).decode("latin-1")
        del self.buf[: end + 4]
        request_line, *header_lines = head.split("\r\n")
        method, target, version = (request_line.split(" ") + ["", "", ""])[:3]
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        skip = int(headers.get("content-length", "0") or 0)
        del self.buf[:skip]
        close = version != "HTTP/1.1" or headers.get("connection", "").lower() == "close"
        if "://" in target:
            target = "/" + target.split("://", 1)[1].partition("/")[2]
        self.busy = True
        stats = self.web.stats[self.host]
        stats.methods[method] += 1
        stats.start(self.web.loop.time())
        reply = self.web.respond(self.host, method, target, headers.get("range"))
        if reply is not None:
            self.timer = self.web.loop.call_later(self.web.latency, self._send, reply, close)

    def _send(self, reply: bytes, close: bool) -> None:
        assert self.transport is not None
        self.timer = None
        self.busy = False
        self.web.stats[self.host].in_flight -= 1
        if self.transport.is_closing():
            return
        self.transport.write(reply)
        if close:
            self.transport.close()
        else:
            self._next()

    def connection_lost(self, exc: Exception | None) -> None:
        self.web.stats[self.host].open_now -= 1
        if self.timer is not None:
            self.timer.cancel()
        if self.busy:
            self.busy = False
            self.web.stats[self.host].in_flight -= 1


async def control(web: Web, stop: asyncio.Event, reader: Any, writer: Any) -> None:
    try:
        line = (await asyncio.wait_for(reader.readline(), 10)).decode("latin-1").split()
        while (await asyncio.wait_for(reader.readline(), 10)) not in (b"\r\n", b"\n", b""):
            pass
        path = line[1] if len(line) > 1 else "/"
        body = json.dumps(web.reset() if path == "/reset" else web.snapshot()).encode()
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        await writer.drain()
        if path == "/quit":
            stop.set()
    except (TimeoutError, ConnectionError):
        pass
    finally:
        writer.close()


def write_stats(web: Web, path: str | None) -> None:
    if path:
        with open(path + ".tmp", "w") as f:
            json.dump(web.snapshot(), f)
        os.replace(path + ".tmp", path)


async def serve(args: argparse.Namespace) -> int:
    hosts = args.hosts.split(",")
    limits = {k: float(v) for k, _, v in (x.partition("=") for x in args.limit)}
    all_hosts = args.all_hosts.split(",") if args.all_hosts else hosts
    web = Web(hosts, all_hosts, args.port, args.latency, limits)
    loop = asyncio.get_running_loop()
    servers: list[asyncio.Server] = []
    try:
        for h in hosts:
            servers.append(
                await loop.create_server(
                    functools.partial(Conn, web, h), h, args.port, backlog=1024, reuse_address=True
                )
            )
    except OSError as exc:
        print(json.dumps({"error": f"bind: {exc}"}), flush=True)
        return 3
    stop = asyncio.Event()
    ctl = await asyncio.start_server(lambda r, w: control(web, stop, r, w), "127.0.0.1", 0)
    ctl_port = ctl.sockets[0].getsockname()[1]
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    loop.add_signal_handler(signal.SIGUSR1, write_stats, web, args.stats_file)
    print(json.dumps({"control": ctl_port, "hosts": hosts, "port": args.port}), flush=True)
    parent, deadline = os.getppid(), time.monotonic() + args.lifetime
    while not stop.is_set() and time.monotonic() < deadline and os.getppid() == parent:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 1.0)
    write_stats(web, args.stats_file)
    for s in [*servers, ctl]:
        s.close()
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hosts", required=True, help="comma-separated 127.x.y.z addresses")
    ap.add_argument("--all-hosts", default="", help="every host of the web, by index (redirects)")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--limit", action="append", default=[], metavar="ADDR=RATE")
    ap.add_argument("--stats-file", default=None)
    ap.add_argument("--lifetime", type=float, default=3600.0, help="stop after this long (s)")
    args = ap.parse_args()
    for h in args.hosts.split(","):
        if not h.startswith("127."):
            ap.error(f"{h}: only 127.0.0.0/8 addresses")
    return asyncio.run(serve(args))


if __name__ == "__main__":
    sys.exit(main())
