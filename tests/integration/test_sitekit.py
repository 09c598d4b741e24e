"""The test server kit itself behaves as documented in tests/sitekit.py."""

from __future__ import annotations

import email.utils
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import frontmatter
import httpx
import pytest
import sitekit
from sitekit import CountingRefuser, Request, Response, Site, SiteGroup

PAYLOAD = bytes(range(256)) * 40  # 10240 bytes, every offset distinguishable enough


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False, timeout=5.0) as c:
        yield c


@pytest.fixture
def files_site(tmp_path: Path) -> Iterator[Site]:
    (tmp_path / "blob.bin").write_bytes(PAYLOAD)
    (tmp_path / "pic.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    with Site(files_dir=tmp_path) as s:
        yield s


def run_threads(n: int, fn: Callable[[int], Any]) -> list[Any]:
    """Run fn(0..n-1) in n threads started together; return results (or exceptions)."""
    results: list[Any] = [None] * n
    barrier = threading.Barrier(n)

    def target(i: int) -> None:
        barrier.wait()
        try:
            results[i] = fn(i)
        except Exception as exc:  # handed back to the test
            results[i] = exc

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def get_status(url: str, **kw: Any) -> int:
    with httpx.Client(trust_env=False, timeout=10.0) as c:
        return c.get(url, **kw).status_code


# ---------------------------------------------------------------- basics


def test_ok_keepalive_and_log(site: Site, client: httpx.Client) -> None:
    assert site.host == f"127.0.0.1:{site.port}"
    assert site.url("/ok") == f"http://127.0.0.1:{site.port}/ok" == site.url("ok")
    r1 = client.get(site.url("/ok"), headers={"X-Probe": "1"})
    r2 = client.get(site.url("/ok"))
    assert r1.status_code == r2.status_code == 200
    assert r1.headers["content-type"].startswith("text/html")
    assert int(r1.headers["content-length"]) == len(r1.content) > 0
    first, second = site.requests("/ok")
    assert first.conn_id == second.conn_id  # keep-alive connection reused
    assert first.headers["x-probe"] == "1"
    assert first.method == "GET" and first.status == 200
    assert first.bytes_sent == len(r1.content)
    assert first.in_flight == 1
    assert first.end is not None and first.start <= first.end <= second.start
    with httpx.Client(trust_env=False) as other:
        other.get(site.url("/ok"))
    assert len(site.connection_ids("/ok")) == 2
    assert site.errors == []


def test_unknown_path_is_404(site: Site, client: httpx.Client) -> None:
    assert client.get(site.url("/nope")).status_code == 404


@pytest.mark.parametrize(
    ("path", "head_status"), [("/ok-head-405", 405), ("/head-501", 501), ("/head-404", 404)]
)
def test_head_variants(site: Site, client: httpx.Client, path: str, head_status: int) -> None:
    head = client.head(site.url(path))
    assert head.status_code == head_status
    assert head.content == b""
    if head_status == 405:
        assert head.headers["allow"] == "GET"
    assert client.get(site.url(path)).status_code == 200
    # the HEAD response had a correct (empty-bodied) framing: the connection was reused
    assert len(site.connection_ids(path)) == 1


def test_head_ok_has_get_headers(site: Site, client: httpx.Client) -> None:
    head, get = client.head(site.url("/ok")), client.get(site.url("/ok"))
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"]


def test_head_hang(site: Site, client: httpx.Client) -> None:
    with pytest.raises(httpx.ReadTimeout):
        client.head(site.url("/head-hang"), timeout=0.3)
    assert client.get(site.url("/head-hang")).status_code == 200


# ---------------------------------------------------------------- statuses


@pytest.mark.parametrize("code", [404, 410, 500, 502, 503, 401, 403, 999, 429, 200, 204, 304])
def test_status(site: Site, client: httpx.Client, code: int) -> None:
    r = client.get(site.url(f"/status/{code}"))
    assert r.status_code == code
    assert "retry-after" not in r.headers
    if code == 401:
        assert "www-authenticate" in r.headers
    assert client.get(site.url("/ok")).status_code == 200  # framing fine: reuse works
    assert len(site.connection_ids()) == 1


def test_status_retry_after(site: Site, client: httpx.Client) -> None:
    r = client.get(site.url("/status/429?retry_after=7"))
    assert (r.status_code, r.headers["retry-after"]) == (429, "7")
    r = client.get(site.url("/status/503?retry_after_date=30"))
    when = email.utils.parsedate_to_datetime(r.headers["retry-after"]).timestamp()
    assert r.status_code == 503
    assert 27 <= when - time.time() <= 31


def test_flaky(site: Site, client: httpx.Client) -> None:
    url = site.url("/flaky/2/503")
    assert [client.get(url).status_code for _ in range(4)] == [503, 503, 200, 200]
    assert client.get(site.url("/flaky/1/500")).status_code == 500  # counted per path
    r = client.get(site.url("/flaky/1/429?retry_after=2"))
    assert (r.status_code, r.headers["retry-after"]) == (429, "2")
    site.reset_flaky()
    assert client.get(url).status_code == 503


# ---------------------------------------------------------------- redirects


def test_redirect_chain(site: Site, client: httpx.Client) -> None:
    r = client.get(site.url("/redirect/3"), follow_redirects=True)
    assert r.status_code == 200 and r.url == site.url("/ok")
    assert [h.status_code for h in r.history] == [302, 302, 302]
    assert client.get(site.url("/redirect/0")).status_code == 200


def test_redirect_to_other_host(sites: Callable[..., list[Site]], client: httpx.Client) -> None:
    a, b = sites(2)
    r = client.get(a.url("/redirect-to"), params={"url": b.url("/ok")}, follow_redirects=True)
    assert r.status_code == 200 and r.url == b.url("/ok")
    assert r.history[0].status_code == 301
    assert b.bind_host == "127.0.0.3" and len(b.requests("/ok")) == 1
    r = client.get(a.url("/redirect-to"), params={"url": "/ok", "status": "308"})
    assert (r.status_code, r.headers["location"]) == (308, "/ok")


def test_redirect_loop(site: Site, client: httpx.Client) -> None:
    r = client.get(site.url("/loop/a"))
    assert (r.status_code, r.headers["location"]) == (302, site.url("/loop/b"))
    assert client.get(site.url("/loop/b")).headers["location"] == site.url("/loop/a")
    with pytest.raises(httpx.TooManyRedirects):
        client.get(site.url("/loop/a"), follow_redirects=True)


def test_redirect_relative(site: Site, client: httpx.Client) -> None:
    r = client.get(site.url("/redirect-relative"))
    assert (r.status_code, r.headers["location"]) == (302, "ok")
    r = client.get(site.url("/redirect-relative"), follow_redirects=True)
    assert r.url == site.url("/ok")
    r = client.get(site.url("/redirect-relative?to=../x/y"))
    assert r.headers["location"] == "../x/y"


# ---------------------------------------------------------------- timing & failures


def test_slow(site: Site, client: httpx.Client) -> None:
    t0 = time.monotonic()
    assert client.get(site.url("/slow?delay=0.3")).status_code == 200
    assert time.monotonic() - t0 >= 0.3
    with pytest.raises(httpx.ReadTimeout):
        client.get(site.url("/slow?delay=2"), timeout=0.2)


def test_drip(site: Site, client: httpx.Client) -> None:
    t0 = time.monotonic()
    r = client.get(site.url("/drip?size=100&chunks=4&delay=0.1"))
    assert r.status_code == 200 and len(r.content) == 100
    assert time.monotonic() - t0 >= 0.3


def test_hang_times_out_and_server_notices_disconnect(site: Site, client: httpx.Client) -> None:
    with pytest.raises(httpx.ReadTimeout):
        client.get(site.url("/hang"), timeout=0.3)
    (entry,) = site.requests("/hang")
    deadline = time.monotonic() + 2
    while entry.end is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert entry.end is not None and entry.status is None
    assert site.in_flight == 0


def test_reset(site: Site, client: httpx.Client) -> None:
    with pytest.raises(httpx.ReadError):
        client.get(site.url("/reset"))
    with socket.create_connection(("127.0.0.1", site.port), timeout=2) as raw:
        raw.sendall(b"GET /reset HTTP/1.1\r\nHost: x\r\n\r\n")
        with pytest.raises(ConnectionResetError):
            raw.recv(100)
    assert client.get(site.url("/ok")).status_code == 200  # the pool recovers


def test_garbage_and_truncated(site: Site, client: httpx.Client) -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        client.get(site.url("/garbage"))
    with pytest.raises(httpx.RemoteProtocolError):
        client.get(site.url("/truncated"))
    assert site.requests("/garbage")[0].bytes_sent == len(sitekit.GARBAGE)


def test_html_as_image_and_headers(site: Site, client: httpx.Client) -> None:
    r = client.get(site.url("/html-as-image"))
    assert r.headers["content-type"] == "image/jpeg" and r.content.startswith(b"<!doctype html")
    echoed = client.get(site.url("/headers"), headers={"User-Agent": "probe/1"}).json()
    assert echoed["user-agent"] == "probe/1"


# ---------------------------------------------------------------- files


def test_files_full_and_types(files_site: Site, client: httpx.Client) -> None:
    r = client.get(files_site.url("/files/blob.bin"))
    assert r.status_code == 200 and r.content == PAYLOAD
    assert r.headers["accept-ranges"] == "bytes"
    assert client.get(files_site.url("/files/pic.png")).headers["content-type"] == "image/png"
    lie = client.get(files_site.url("/files/pic.png?type=text/html"))
    assert lie.headers["content-type"] == "text/html"
    assert "content-type" not in client.get(files_site.url("/files/pic.png?type=")).headers
    head = client.head(files_site.url("/files/blob.bin"))
    assert head.content == b"" and head.headers["content-length"] == str(len(PAYLOAD))
    assert client.get(files_site.url("/files/missing.png")).status_code == 404
    assert client.get(files_site.url("/files/..%2Fescape")).status_code == 404


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [("bytes=0-99", 0, 99), ("bytes=100-", 100, len(PAYLOAD) - 1), ("bytes=-24", 10216, 10239)],
)
def test_files_range(
    files_site: Site, client: httpx.Client, header: str, start: int, end: int
) -> None:
    r = client.get(files_site.url("/files/blob.bin"), headers={"Range": header})
    assert r.status_code == 206
    assert r.headers["content-range"] == f"bytes {start}-{end}/{len(PAYLOAD)}"
    assert r.content == PAYLOAD[start : end + 1]
    assert files_site.requests()[0].headers["range"] == header


def test_files_range_unsatisfiable_and_ignored(files_site: Site, client: httpx.Client) -> None:
    r = client.get(files_site.url("/files/blob.bin"), headers={"Range": "bytes=99999-"})
    assert r.status_code == 416 and r.headers["content-range"] == f"bytes */{len(PAYLOAD)}"
    r = client.get(files_site.url("/files/blob.bin?norange=1"), headers={"Range": "bytes=0-9"})
    assert r.status_code == 200 and r.content == PAYLOAD and "accept-ranges" not in r.headers


def test_files_honor_range_false(tmp_path: Path, client: httpx.Client) -> None:
    (tmp_path / "a.bin").write_bytes(PAYLOAD)
    with Site(files_dir=tmp_path, honor_range=False) as s:
        r = client.get(s.url("/files/a.bin"), headers={"Range": "bytes=0-9"})
        assert r.status_code == 200 and r.content == PAYLOAD


def test_files_chunked_delay_and_put_file(files_site: Site, client: httpx.Client) -> None:
    t0 = time.monotonic()
    r = client.get(files_site.url("/files/blob.bin?chunk=4096&delay=0.1"))
    assert r.content == PAYLOAD and time.monotonic() - t0 >= 0.2  # 3 chunks, 2 pauses
    path = files_site.put_file("mem/x.gif", b"GIF89a", "image/gif")
    r = client.get(files_site.url(path), headers={"Range": "bytes=0-2"})
    assert (r.status_code, r.content, r.headers["content-type"]) == (206, b"GIF", "image/gif")


def test_files_validators_and_conditional_requests(files_site: Site, client: httpx.Client) -> None:
    url = files_site.url("/files/blob.bin")
    first = client.get(url, headers={"Range": "bytes=0-9"})
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert first.status_code == 206 and etag.startswith('"') and etag.endswith('"')
    assert client.get(url).headers["etag"] == etag  # the same for the whole file and a range
    # a matching If-None-Match wins over Range: 304, validators, no body
    r = client.get(url, headers={"If-None-Match": etag, "Range": "bytes=0-9"})
    assert (r.status_code, r.content, r.headers["etag"]) == (304, b"", etag)
    assert client.head(url, headers={"If-None-Match": f'"x", W/{etag}'}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    # If-None-Match is decided alone: a matching date does not rescue a stale tag
    stale = {"If-None-Match": '"other"', "If-Modified-Since": modified}
    assert client.get(url, headers=stale).status_code == 200
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    earlier = email.utils.formatdate(time.time() - 10 * 365 * 86400, usegmt=True)
    assert client.get(url, headers={"If-Modified-Since": earlier}).status_code == 200
    assert client.get(url, headers={"If-Modified-Since": "yesterday"}).status_code == 200
    files_site.wait_idle()  # the log is written just after the client read the answer
    statuses = [e.status for e in files_site.requests("/files/blob.bin")]
    sent = [e.bytes_sent for e in files_site.requests("/files/blob.bin")]
    assert statuses == [206, 200, 304, 304, 200, 200, 304, 200, 200]
    assert [b for b, st in zip(sent, statuses, strict=True) if st == 304] == [0, 0, 0]


def test_files_noetag_sends_no_validators_and_ignores_conditionals(
    files_site: Site, client: httpx.Client
) -> None:
    url = files_site.url("/files/blob.bin")
    etag = client.get(url).headers["etag"]
    r = client.get(url + "?noetag=1", headers={"If-None-Match": etag, "Range": "bytes=0-9"})
    assert r.status_code == 206 and r.content == PAYLOAD[:10]
    assert "etag" not in r.headers and "last-modified" not in r.headers


def test_put_file_replacing_a_file_moves_its_validators(
    files_site: Site, client: httpx.Client
) -> None:
    path = files_site.put_file("v.bin", b"one")
    before = client.get(files_site.url(path)).headers
    files_site.put_file("v.bin", b"two")
    r = client.get(files_site.url(path), headers={"If-None-Match": before["etag"]})
    assert r.status_code == 200 and r.content == b"two" and r.headers["etag"] != before["etag"]
    # even within the same second, Last-Modified moves on: a date-only client sees the change
    assert r.headers["last-modified"] != before["last-modified"]
    r = client.get(files_site.url(path), headers={"If-Modified-Since": before["last-modified"]})
    assert r.status_code == 200 and r.content == b"two"


# ---------------------------------------------------------------- concurrency & rate


def gate(site: Site, path: str = "/gate") -> threading.Event:
    """A route whose requests are held until the returned event is set (10 s at most)."""
    release = threading.Event()

    def held(req: Request) -> Response:
        release.wait(10)
        return Response.html()

    site.route(path, held)
    return release


def run_held(site: Site, n: int, arrived: Callable[[], bool]) -> list[Any]:
    """n concurrent GET /gate; release them once `arrived()` holds (deterministic overlap)."""
    release = gate(site)
    box: list[list[Any]] = []
    runner = threading.Thread(
        target=lambda: box.append(run_threads(n, lambda i: get_status(site.url("/gate"))))
    )
    runner.start()
    deadline = time.monotonic() + 10
    while not arrived() and time.monotonic() < deadline:
        time.sleep(0.01)
    release.set()
    runner.join(20)
    return box[0]


def test_in_flight_counts_concurrent_requests(site: Site) -> None:
    results = run_held(site, 6, lambda: len(site.log) >= 6)
    assert results == [200] * 6
    assert site.max_in_flight() == 6
    assert sorted(e.in_flight for e in site.log) == [1, 2, 3, 4, 5, 6]
    assert len(site.connection_ids()) == 6
    site.wait_idle(2)
    assert site.in_flight == 0 and all(e.end is not None for e in site.log)


def test_sequential_requests_have_in_flight_one(site: Site, client: httpx.Client) -> None:
    for _ in range(5):
        client.get(site.url("/ok"))
    assert site.max_in_flight() == 1


def test_max_rate(site: Site, client: httpx.Client) -> None:
    for _ in range(8):
        client.get(site.url("/ok"))
    assert site.max_rate(1.0) == 8
    site.reset()
    for _ in range(4):
        client.get(site.url("/ok"))
        time.sleep(0.15)
    assert site.max_rate(0.1) == 1
    assert site.max_rate(1.0) == 4


def test_rate_limit_exceeded(client: httpx.Client) -> None:
    with Site(rate_limit=5) as s:
        statuses = [client.get(s.url("/ok")).status_code for _ in range(10)]
        assert statuses == [200] * 5 + [429] * 5
        assert s.count_429 == 5
        r = client.get(s.url("/ok"))
        assert r.status_code == 429 and r.headers["retry-after"] == "1"
        time.sleep(1.05)
        assert client.get(s.url("/ok")).status_code == 200


def test_rate_limit_not_triggered_below(client: httpx.Client) -> None:
    with Site(rate_limit=10) as s:
        for _ in range(15):
            assert client.get(s.url("/ok")).status_code == 200
            time.sleep(0.1)  # exactly the limit: 1/R between starts
        assert s.count_429 == 0
        assert s.max_rate(1.0) <= 10


def test_max_concurrency(client: httpx.Client) -> None:
    with Site(max_concurrency=2) as s:
        results = run_held(s, 5, lambda: len(s.log) >= 5)
        assert sorted(results) == [200, 200, 503, 503, 503]
        assert s.count_503 == 3


def test_latency(client: httpx.Client) -> None:
    with Site(latency=0.2) as s:
        t0 = time.monotonic()
        assert client.get(s.url("/status/404")).status_code == 404
        assert time.monotonic() - t0 >= 0.2


# ---------------------------------------------------------------- custom routes


def test_custom_routes(site: Site, client: httpx.Client) -> None:
    def article(req: Request) -> Response:
        return Response.html(f"<p>{req.method} {req.path} {req.query.get('q')}</p>")

    site.route("/article", article)
    site.route("/static", Response(418, {"X-Tea": "yes"}, b"teapot"))
    site.route("/ok", Response.text("overridden"))  # custom wins over built-in

    @site.route("/tree/*")
    def tree(req: Request) -> int:
        return 451

    def stream(req: Request) -> Response:
        return Response(200, {"Content-Type": "text/plain"}, iter([b"a", b"bc", b"def"]))

    site.route("/stream", stream)

    assert client.get(site.url("/article?q=1")).text == "<p>GET /article 1</p>"
    r = client.get(site.url("/static"))
    assert (r.status_code, r.headers["x-tea"], r.content) == (418, "yes", b"teapot")
    assert client.get(site.url("/ok")).text == "overridden"
    assert client.get(site.url("/tree/a/b")).status_code == 451
    r = client.get(site.url("/stream"))
    assert r.content == b"abcdef" and r.headers["transfer-encoding"] == "chunked"
    assert client.get(site.url("/static")).status_code == 418  # still one connection
    assert len(site.connection_ids()) == 1


def test_handler_bug_becomes_connection_close_and_is_recorded(
    site: Site, client: httpx.Client
) -> None:
    def broken(req: Request) -> Response:
        raise ValueError("boom")

    site.route("/broken", broken)
    with pytest.raises(httpx.RemoteProtocolError):
        client.get(site.url("/broken"))
    assert len(site.errors) == 1 and "boom" in site.errors[0]


# ---------------------------------------------------------------- hosts & stop


def test_sites_on_distinct_loopback_addresses(client: httpx.Client) -> None:
    with SiteGroup(3) as group:
        assert [s.bind_host for s in group] == ["127.0.0.1", "127.0.0.2", "127.0.0.3"]
        for s in group:
            assert client.get(s.url("/ok")).status_code == 200
            (entry,) = s.log
            assert entry.client[0] == "127.0.0.1"
        assert len({s.host for s in group}) == 3


def test_sites_fixture(sites: Callable[..., list[Site]], client: httpx.Client) -> None:
    a, b = sites(2, latency=0.01)
    (c,) = sites(1)
    assert [s.bind_host for s in (a, b, c)] == ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
    assert all(client.get(s.url("/ok")).status_code == 200 for s in (a, b, c))


def test_stop_is_fast_with_hanging_and_slow_requests() -> None:
    site = Site().start()
    errors: list[BaseException] = []

    def call(path: str) -> None:
        try:
            with httpx.Client(trust_env=False, timeout=30) as c:
                c.get(site.url(path))
        except httpx.TransportError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=call, args=(p,)) for p in ("/hang", "/slow?delay=30")]
    for t in threads:
        t.start()
    site.wait_for_requests(2)
    idle = socket.create_connection(("127.0.0.1", site.port))  # an idle keep-alive-like socket
    t0 = time.monotonic()
    site.stop()
    assert time.monotonic() - t0 < 1.0
    for t in threads:
        t.join(5)
        assert not t.is_alive()
    idle.close()
    assert len(errors) == 2 and site.unjoined_threads == 0
    assert not site.running


# ---------------------------------------------------------------- dead hosts


def test_unused_address_refuses(client: httpx.Client) -> None:
    host, port = sitekit.unused_address()
    with pytest.raises(httpx.ConnectError):
        client.get(f"http://{host}:{port}/")


@pytest.mark.parametrize(
    ("mode", "error"),
    [
        # an RST races the client's read: reset, refused or plain EOF, by timing
        ("rst", (httpx.ConnectError, httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)),
        ("close", (httpx.RemoteProtocolError,)),
        ("hold", (httpx.ReadTimeout,)),
    ],
)
def test_counting_refuser(mode: str, error: tuple[type[Exception], ...]) -> None:
    with (
        CountingRefuser(mode=mode) as down,  # type: ignore[arg-type]
        httpx.Client(trust_env=False, timeout=0.3) as c,
    ):
        for _ in range(3):
            with pytest.raises(error):
                c.get(down.url("/ok"))
        deadline = time.monotonic() + 2
        while down.count < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert down.count == 3


# ---------------------------------------------------------------- library


def test_library_from_texts_dicts_and_yaml(
    library: Callable[..., Path], site: Site, tmp_path: Path
) -> None:
    folder = library(
        {
            "a.md": "---\ntitle: A\nwebUrl: '{s0}/ok'\nflow: {x: 1}\n---\nbody {s0.host}",
            "sub/b.md": {"title": "B", "images": [{"url": "{s0}/files/x.png", "width": 10}]},
            "bad.md": b"\xff\xfe not utf-8",
        },
        s0=site,
    )
    assert folder == tmp_path / "library"
    a = frontmatter.load(folder / "a.md")
    assert a["webUrl"] == site.url("/ok") and a["flow"] == {"x": 1}
    assert a.content == f"body {site.host}"
    b = frontmatter.load(folder / "sub" / "b.md")
    assert b["images"] == [{"url": site.url("/files/x.png"), "width": 10}]
    assert (folder / "bad.md").read_bytes().startswith(b"\xff")

    folder2 = library(
        [{"title": "One", "webUrl": "{s}/status/404", "_body": "see {s}/ok"}, {"title": None}],
        s=site,
    )
    assert folder2 == tmp_path / "library-2"
    one = frontmatter.load(folder2 / "article-001.md")
    assert one["webUrl"] == site.url("/status/404") and one.content == f"see {site.url('/ok')}"
    assert frontmatter.load(folder2 / "article-002.md")["title"] is None

    folder3 = library("- _file: y.md\n  title: Y\n  webUrl: '{s}/ok'\n", s=site, name="yam")
    assert frontmatter.load(folder3 / "y.md")["webUrl"] == site.url("/ok")


def test_to_yaml_round_trips() -> None:
    import yaml

    data = {
        "title": 'Quotes " and: colons # hash',
        "n": 3,
        "f": 1.5,
        "yes": True,
        "none": None,
        "nested": {"list": [1, "two", {"k": "v", "l": [[], {}]}], "empty": {}},
        "weird key": "ü",
    }
    assert yaml.safe_load(sitekit.to_yaml(data)) == data


def test_site_fixture_serves_fixture_images(site: Site, client: httpx.Client) -> None:
    images_dir = Path(__file__).resolve().parents[2] / "fixtures" / "images"
    assert site.files_dir == images_dir
    images = sorted(p for p in images_dir.glob("*") if p.is_file()) if images_dir.is_dir() else []
    if not images:
        pytest.skip("fixtures/images is empty")
    r = client.get(site.url(f"/files/{images[0].name}"))
    assert r.status_code == 200 and r.content == images[0].read_bytes()
