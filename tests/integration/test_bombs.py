"""Decompression bombs and oversized heads, from real loopback servers, on both transports.

A page or image served `Content-Encoding: gzip` (or deflate) that inflates to a gigabyte must
cost memory bounded by what linkcheck asks for (an image: `--image-max-bytes` DECODED bytes;
a page: nothing decoded at all), whatever it would inflate to. Peak RSS is measured in a
subprocess (`resource.getrusage` is per process and only grows), which checks the link with
`linkcheck.run` against a server run by the test.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Any

import httpx
import pytest
from sitekit import Response, Site, bomb, bomb_chunks, many_headers, png

from linkcheck.config import Config
from linkcheck.models import ErrorKind
from linkcheck.net.client import Backend, make_client
from linkcheck.net.decoding import PIECE, decoder_for, feed_sink
from linkcheck.net.exchange import HEAD_TOO_LARGE, MAX_HEADER_FIELDS, exchange

BACKENDS: list[Backend] = ["aiohttp", "httpx"]
CONFIG = Config(timeout=5, connect_timeout=2, retries=0, allow_private=True)
GIB = 1 << 30
RSS_GROWTH_LIMIT = 40 * 1024 * 1024  # before the bounded decoder: +55 MiB (10 MB), +96 MiB (1 GiB)

# Checks one link in a fresh interpreter; prints its verdict and the peak RSS growth.
CHILD = textwrap.dedent(
    """
    import json, resource, sys, time
    import linkcheck
    from linkcheck.config import Config
    from linkcheck.net.client import make_client
    url, kind, backend = sys.argv[1:4]
    config = Config(timeout=10, connect_timeout=2, retries=0, allow_private=True,
                    state=False)
    field = "images:\\n  - url: " + url if kind == "image" else "webUrl: " + url
    article = ("a.md", "---\\ntitle: bomb\\n" + field + "\\n---\\nbody\\n")
    warm = ("w.md", "---\\nwebUrl: " + url.rsplit("/", 1)[0] + "/ok\\n---\\n")
    linkcheck.run([warm], config)  # warm up: imports, pools
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    start = time.monotonic()
    report = linkcheck.run([article], config, client=make_client(config, backend=backend))
    took = time.monotonic() - start
    grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
    (r,) = [r for r in report.results if r.link.url == url]
    image = r.image
    print(json.dumps({
        "outcome": str(r.outcome), "reason": str(r.reason), "status": r.http_status,
        "detail": r.detail, "image_error": str(image.error) if image else None,
        "image_detail": image.detail if image else None, "grew": grew, "took": took,
    }))
    """
)


def run_child(url: str, kind: str, backend: Backend) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, url, kind, backend],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    print(
        f"{kind} {url.rsplit('/', 1)[-1]} {backend}: RSS +{out['grew'] >> 20} MiB, "
        f"{out['took']:.2f} s"
    )
    return out


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Backend:
    value: Backend = request.param
    return value


@pytest.mark.parametrize(
    ("size", "encoding"), [(GIB, "gzip"), (10 * 1000 * 1000, "gzip"), (GIB, "deflate")]
)
def test_an_image_bomb_stops_at_the_decoded_cap(
    site: Site, backend: Backend, size: int, encoding: str
) -> None:
    # an SVG start tag that never ends: the prober reads on for a size that never comes
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" '
    site.route(
        "/bomb.png", lambda req: bomb(size, encoding, "image/svg+xml", prefix=svg, fill=b" ")
    )
    out = run_child(site.url("/bomb.png"), "image", backend)
    assert out["image_error"] == "image_unreadable", out
    assert out["image_detail"].startswith(f"decompressed body exceeds {1024 * 1024} bytes")
    assert out["grew"] < RSS_GROWTH_LIMIT
    sent = site.requests("/bomb.png")[0].bytes_sent
    assert sent < 4 * 1024 * 1024  # the server was stopped long before the end of its bomb


def test_a_page_bomb_is_never_inflated(site: Site, backend: Backend) -> None:
    # HEAD refused, so the page is fetched with GET: its status is the verdict, body unread
    @site.route("/bomb.html")
    def page(req: Any) -> Response:
        return Response(405) if req.method == "HEAD" else bomb(GIB, "gzip")

    out = run_child(site.url("/bomb.html"), "page", backend)
    assert (out["outcome"], out["status"]) == ("ok", 200)
    assert out["grew"] < RSS_GROWTH_LIMIT


async def test_a_gzip_image_within_the_cap_is_still_sized(site: Site, backend: Backend) -> None:
    import gzip

    data = gzip.compress(png(33, 17))
    site.route("/small.png", lambda req: Response(200, {"Content-Encoding": "gzip"}, data))
    out = run_child(site.url("/small.png"), "image", backend)
    assert out["image_error"] == "None", out
    assert out["outcome"] == "ok"


# ---- the bounded decoder (one function, no server) -------------------------------------------


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_decoder_output_is_bounded_per_piece_and_in_total(encoding: str) -> None:
    wire = b"".join(bomb_chunks(50 * 1000 * 1000, encoding))
    decoder = decoder_for(encoding)
    pieces: list[int] = []
    wants_more = feed_sink(
        lambda piece: pieces.append(len(piece)) is not None, decoder, wire, 300_000
    )
    assert not wants_more
    assert max(pieces) <= PIECE
    assert sum(pieces) == decoder.given == 300_000


def test_raw_deflate_and_concatenated_gzip_decode() -> None:
    import gzip
    import zlib

    raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = raw.compress(b"hello raw") + raw.flush()
    assert b"".join(decoder_for("deflate").feed(body)) == b"hello raw"
    two = gzip.compress(b"one,") + gzip.compress(b"two")
    assert b"".join(decoder_for("gzip").feed(two)) == b"one,two"
    assert b"".join(decoder_for("identity").feed(b"as is")) == b"as is"
    with pytest.raises(httpx.DecodingError):
        list(decoder_for("gzip").feed(b"not gzip at all"))


# ---- heads too big ---------------------------------------------------------------------------


async def test_thousands_of_headers_are_refused(site: Site, backend: Backend) -> None:
    site.route("/many", many_headers(5000))
    async with make_client(CONFIG, backend=backend) as client:
        ex = await exchange(client, "GET", site.url("/many"))
    assert ex.error_kind is ErrorKind.PROTOCOL
    assert ex.status is None
    assert ex.error_detail == f"response refused: 5003 header fields (limit {MAX_HEADER_FIELDS})"


async def test_a_multi_megabyte_header_is_refused(site: Site, backend: Backend) -> None:
    site.route("/huge", many_headers(1, value_size=3 * 1024 * 1024))
    async with make_client(CONFIG, backend=backend) as client:
        ex = await exchange(client, "GET", site.url("/huge"))
    assert (ex.error_kind, ex.status, ex.error_detail) == (ErrorKind.PROTOCOL, None, HEAD_TOO_LARGE)


async def test_a_few_hundred_headers_are_fine(site: Site, backend: Backend) -> None:
    site.route("/some", many_headers(300))
    async with make_client(CONFIG, backend=backend) as client:
        ex = await exchange(client, "GET", site.url("/some"))
    assert (ex.error_kind, ex.status) == (None, 200)
