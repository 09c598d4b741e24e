"""Images over the wire: a ranged GET for the first bytes, more only when the header is further.

An image whose last verdict the state store kept (`CheckContext.revalidate`) is asked for
conditionally: If-None-Match / If-Modified-Since ride along with the ranged GET (on every hop
of a redirect chain), and a 304 answer brings back the kept probe without a body byte.
"""

from __future__ import annotations

from dataclasses import replace

from linkcheck.hosts.gate import HostDown, Lease
from linkcheck.images.prober import ImageProber
from linkcheck.models import CachedImage, HttpOutcome, ImageProbe, Link, Reason
from linkcheck.net.redirects import CheckContext, host_of, send_released, walk
from linkcheck.net.validators import conditional_headers, content_range_total

# Image ranges. The header of an ordinary web image (PNG, GIF, WebP, AVIF, a JPEG with EXIF and an
# ICC profile) lies in its first 1-4 KiB, so 8 KiB resolves nearly all in one request; a JPEG
# behind large metadata gets a second, larger range, or a small one where the parser can jump.
FIRST_IMAGE_RANGE = 8 * 1024
NEXT_IMAGE_RANGE = 56 * 1024
JUMP_IMAGE_RANGE = 16 * 1024
# Answers to a ranged GET that may just mean "this server mishandles Range": 416 for an empty
# file, 400/405/501 from servers and WAFs that reject the header. Confirmed with a plain GET.
RANGE_TROUBLE = frozenset({400, 405, 416, 501})
# What a browser sends for <img>: CDNs that negotiate formats serve what a reader would get.
IMAGE_ACCEPT = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"


class ImageSink:
    """Feeds response bytes into an ImageProber at their absolute offset in the file."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.reset()

    def reset(self) -> None:
        """A redirect: the bytes of the next response belong to another file."""
        self.prober = ImageProber(max_bytes=self.max_bytes)
        self.offset = 0
        self.result: ImageProbe | None = None

    def __call__(self, chunk: bytes) -> bool:
        self.result = self.prober.feed_at(self.offset, chunk)
        self.offset += len(chunk)
        return self.result is not None


async def probe_image(link: Link, ctx: CheckContext, lease: Lease) -> HttpOutcome:
    """The image's format and size from its first bytes. For an image in `ctx.revalidate`,
    the request is conditional; a 304 that answers it comes back with `image` set to the kept
    probe (this run's `bytes_read`), the one case where a non-2xx outcome carries an image."""
    cached = ctx.revalidate.get(link.url) if ctx.revalidate else None
    conditional = conditional_headers(cached.validators) if cached is not None else {}
    out = await _probe(link.url, ctx, lease, conditional)
    if out.status != 304 or not conditional or cached is None:
        return out  # a 304 to a plain request is an odd status, judged as one
    if _same_image(out, cached, conditional):
        return replace(out, image=replace(cached.probe, bytes_read=out.body_bytes))
    # Only a date matched, and at another URL than last time: the date was another file's.
    again = await _probe(link.url, ctx, lease, {})
    return replace(again, elapsed=out.elapsed + again.elapsed)


def _same_image(out: HttpOutcome, cached: CachedImage, conditional: dict[str, str]) -> bool:
    """Does this 304 vouch for the kept probe? An ETag names the representation wherever the
    chain ends; a bare Last-Modified date only at the URL it came from."""
    if "If-None-Match" in conditional:
        return True
    return out.final_url == (cached.final_url or out.final_url)


async def _probe(
    url: str, ctx: CheckContext, lease: Lease, conditional: dict[str, str]
) -> HttpOutcome:
    config = ctx.config
    first = min(FIRST_IMAGE_RANGE, config.image_max_bytes)
    sink = ImageSink(config.image_max_bytes)
    headers = {"Range": f"bytes=0-{first - 1}", "Accept": IMAGE_ACCEPT, **conditional}
    out = await walk(url, "GET", ctx, lease, headers=headers, sink=sink)
    if out.status in RANGE_TROUBLE:  # the server mishandles Range: ask again without it
        sink.reset()
        headers = {"Accept": IMAGE_ACCEPT, **conditional}
        out = await walk(url, "GET", ctx, lease, headers=headers, sink=sink)
    if out.error_kind is not None or out.status is None or not 200 <= out.status < 300:
        return out
    extra, more = 0.0, 0
    if sink.result is None and out.status == 206:
        extra, more = await _continue_ranges(out, sink, ctx, lease)
    probe = _bomb_named(sink.result or sink.prober.finish(), out, config.image_max_bytes)
    # bytes_read is what crossed the wire (including a small tail read to keep the connection)
    probe = replace(probe, bytes_read=out.body_bytes + more)
    return replace(out, image=probe, elapsed=out.elapsed + extra, body_bytes=out.body_bytes + more)


def _bomb_named(probe: ImageProbe, out: HttpOutcome, limit: int) -> ImageProbe:
    """An encoded body (`Content-Encoding: gzip`, ...) whose first `limit` DECODED bytes held
    no image size: say it is a decompression bomb (the exchange decoded no further)."""
    if probe.error is not Reason.IMAGE_UNREADABLE or probe.bytes_read < limit:
        return probe
    coding = next((v for k, v in out.headers if k.lower() == "content-encoding"), "")
    if coding.strip().lower() in ("", "identity"):
        return probe
    wire = f"{out.body_bytes} bytes on the wire, Content-Encoding: {coding}"
    return replace(probe, detail=f"decompressed body exceeds {limit} bytes ({wire})")


async def _continue_ranges(
    out: HttpOutcome, sink: ImageSink, ctx: CheckContext, lease: Lease
) -> tuple[float, int]:
    """The first range did not hold the header: ask for more. When the parser knows where it
    must read next (past a large metadata segment), jump there with a small range; otherwise
    read on with ranges that double. Returns (time spent, body bytes received)."""
    total = content_range_total(out.headers)
    size = NEXT_IMAGE_RANGE
    spent, received = 0.0, 0
    host = host_of(out.final_url)
    while sink.result is None and sink.prober.bytes_read < ctx.config.image_max_bytes:
        wanted = sink.prober.wanted_offset()
        start = sink.offset if wanted is None else wanted
        length = size if wanted is None else JUMP_IMAGE_RANGE
        if total is not None and start >= total:
            break
        sink.offset = start
        try:
            permit = await lease.acquire(host)  # ahead of new links: this one is under way
        except HostDown:
            break
        before = sink.prober.bytes_read
        headers = {"Range": f"bytes={start}-{start + length - 1}", "Accept": IMAGE_ACCEPT}
        ex = await send_released(out.final_url, "GET", ctx, permit, headers, sink)
        spent += ex.elapsed
        received += ex.body_bytes
        if ex.status != 206 or sink.prober.bytes_read == before:
            break
        if wanted is None:
            size *= 2
    return spent, received
