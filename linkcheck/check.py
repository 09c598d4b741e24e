"""Check one link: retries, redirects walked hop by hop, HEAD->GET fallback, image probing.

`check_link(link, ctx)` never raises: every failure becomes a `CheckResult`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_result, stop_after_attempt
from tenacity.wait import wait_exponential, wait_random

from linkcheck import classify
from linkcheck.config import Config
from linkcheck.http import Exchange, exchange
from linkcheck.images import ImageProber
from linkcheck.models import (
    CheckResult,
    ErrorKind,
    Hop,
    HttpOutcome,
    ImageProbe,
    Link,
    LinkKind,
    Outcome,
    Reason,
    SizeVerdict,
)
from linkcheck.politeness import HostDown, Permit, Politeness, pause

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
HEAD_TIMEOUT_SHARE = 0.5  # HEAD gets half the timeout: a server that hangs on HEAD still gets a GET


@dataclass(frozen=True, slots=True)
class CheckContext:
    client: httpx.AsyncClient
    config: Config
    gate: Politeness


def host_of(url: str) -> str:
    return httpx.URL(url).netloc.decode("ascii", "replace")


async def check_link(link: Link, ctx: CheckContext, permit: Permit | None = None) -> CheckResult:
    """Check one link. Never raises (cancellation excepted)."""
    try:
        outcome = await _fetch_with_retries(link, ctx, permit)
        return judge(link, outcome, ctx.config)
    except Exception as exc:  # noqa: BLE001 - a bug must not cancel the whole run
        return CheckResult(
            link=link,
            outcome=Outcome.WARNING,
            reason=Reason.INTERNAL_ERROR,
            http_status=None,
            final_url=None,
            detail=f"internal error while checking ({type(exc).__name__}: {exc}); please report it",
        )


def judge(link: Link, outcome: HttpOutcome, config: Config) -> CheckResult:
    """Turn what happened on the wire into a verdict (pure)."""
    result_outcome, reason, detail = classify.classify(outcome)
    verdicts: tuple[SizeVerdict | None, ...] = ()
    probe = outcome.image
    if link.kind is LinkKind.IMAGE and result_outcome is Outcome.OK and probe is not None:
        if probe.error is not None:
            result_outcome, reason, detail = Outcome.BROKEN, probe.error, probe.detail
        else:
            actual = None
            if probe.displayed_width is not None and probe.displayed_height is not None:
                actual = (probe.displayed_width, probe.displayed_height)
            verdicts = tuple(
                classify.size_verdict(
                    occ.declared.width, occ.declared.height, actual, config.dimension_tolerance
                )
                if occ.kind is LinkKind.IMAGE and occ.declared is not None
                else None
                for occ in link.occurrences
            )
            mismatched = [v for v in verdicts if v is not None and v.matches is False]
            if mismatched:
                result_outcome, reason = Outcome.BROKEN, Reason.IMAGE_DIMENSION_MISMATCH
                detail = _mismatch_detail(mismatched, actual, config)
            elif probe.detail:
                detail = probe.detail
    return CheckResult(
        link=link,
        outcome=result_outcome,
        reason=reason,
        http_status=outcome.status,
        final_url=outcome.final_url,
        redirects=outcome.redirects,
        attempts=outcome.attempts,
        elapsed=outcome.elapsed,
        detail=detail,
        image=probe,
        verdicts=verdicts,
    )


def _mismatch_detail(
    mismatched: list[SizeVerdict], actual: tuple[int, int] | None, config: Config
) -> str:
    v = mismatched[0]
    aw, ah = actual or (0, 0)
    kind = (
        "same aspect ratio: a resized copy; update the declared size"
        if v.aspect_ratio_matches
        else "different aspect ratio: possibly a different image"
    )
    more = f" (+{len(mismatched) - 1} more occurrences)" if len(mismatched) > 1 else ""
    tol = f", tolerance {config.dimension_tolerance}" if config.dimension_tolerance.value else ""
    return f"declared {v.declared_width}x{v.declared_height}, actual {aw}x{ah} ({kind}{tol}){more}"


# ---------------------------------------------------------------------------------------------
# Retries (tenacity) around one attempt


def _should_retry(config: Config):  # type: ignore[no-untyped-def]
    def predicate(outcome: HttpOutcome) -> bool:
        if outcome.host_down or not classify.is_transient(outcome.status, outcome.error_kind):
            return False
        if classify.is_challenge(outcome.headers):
            return False
        # a server asking us to stay away longer than we are willing to wait: report it now
        return outcome.retry_after is None or outcome.retry_after <= config.retry_after_cap

    return predicate


async def _fetch_with_retries(link: Link, ctx: CheckContext, permit: Permit | None) -> HttpOutcome:
    config = ctx.config
    spent, tries = 0.0, 0

    async def attempt() -> HttpOutcome:
        nonlocal spent, tries, permit
        tries += 1
        reserved, permit = permit, None  # the scheduler's permit serves the first attempt only
        out = await _attempt(link, ctx, reserved)
        spent += out.elapsed
        return out

    def before_sleep(state: RetryCallState) -> None:
        ctx.gate.note_retry(host_of(link.url))

    def last_result(state: RetryCallState) -> HttpOutcome:
        assert state.outcome is not None
        return state.outcome.result()  # type: ignore[no-any-return]

    retrying = AsyncRetrying(
        stop=stop_after_attempt(config.retries + 1),
        # 0.5 s, 1 s, 2 s... (at most 10 s) plus up to 0.5 s of jitter. Not wait_exponential_jitter:
        # its `initial` is deprecated in tenacity 9 and its replacement does not exist in 8.x.
        wait=wait_exponential(multiplier=0.5, max=10.0) + wait_random(0, 0.5),
        retry=retry_if_result(_should_retry(config)),
        retry_error_callback=last_result,
        before_sleep=before_sleep,
        sleep=pause,  # back-off waits give the global slot to hosts with work ready
        reraise=True,
    )
    outcome: HttpOutcome = await retrying(attempt)
    return _replace(outcome, attempts=tries, elapsed=spent)


def _replace(outcome: HttpOutcome, **changes: object) -> HttpOutcome:
    return replace(outcome, **changes)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# One attempt: HEAD (pages) or ranged GET (images), redirects walked hop by hop


async def _attempt(link: Link, ctx: CheckContext, permit: Permit | None) -> HttpOutcome:
    if link.kind is LinkKind.IMAGE and ctx.config.check_images:
        return await _probe_image(link, ctx, permit)
    host = host_of(link.url)
    state = ctx.gate.state(host)
    if state.head_ok is not False:
        head = await _walk(link.url, "HEAD", ctx, permit)
        if not classify.head_unreliable(head.status, head.error_kind) or head.host_down:
            return head
        if head.status in (405, 501) or head.error_kind is not None:
            state.head_ok = False  # this host mishandles HEAD: go straight to GET from now on
        permit = None
        get = await _walk(link.url, "GET", ctx, None)
        return _replace(get, elapsed=get.elapsed + head.elapsed)
    return await _walk(link.url, "GET", ctx, permit)


async def _walk(
    url: str,
    method: str,
    ctx: CheckContext,
    permit: Permit | None,
    *,
    headers: dict[str, str] | None = None,
    sink: ImageSink | None = None,
) -> HttpOutcome:
    """Follow redirects ourselves, every hop through its host's politeness gate."""
    config = ctx.config
    hops: list[Hop] = []
    seen: dict[str, int] = {url: 1}
    elapsed = 0.0
    while True:
        host = host_of(url)
        try:
            if permit is None:
                permit = await ctx.gate.acquire(host)
        except HostDown as down:
            return HttpOutcome(
                None, url, tuple(hops), down.kind, down.detail, elapsed=elapsed, host_down=True
            )
        ex = await _send_released(url, method, ctx, permit, headers, sink)
        permit = None
        elapsed += ex.elapsed
        if ex.error_kind is not None or not ex.is_redirect:
            return _outcome(ex, url, hops, elapsed)
        assert ex.status is not None and ex.location is not None
        hops.append(Hop(url, ex.status))
        target = ex.location
        if not target.startswith(("http://", "https://")):
            return _fail(url, hops, elapsed, ErrorKind.INVALID_URL, f"redirects to {target!r}")
        count = seen.get(target, 0) + 1
        sets_cookie = any(k.lower() == "set-cookie" for k, _ in ex.headers)
        if count > (2 if sets_cookie else 1):
            return _fail(
                url,
                hops,
                elapsed,
                ErrorKind.REDIRECT_LOOP,
                f"redirect loop: {target} was already visited in this chain",
            )
        if len(hops) > config.max_redirects:
            return _fail(
                url,
                hops,
                elapsed,
                ErrorKind.TOO_MANY_REDIRECTS,
                f"more than {config.max_redirects} redirects",
            )
        seen[target] = count
        url = target
        if sink is not None:
            sink.reset()


def _fail(url: str, hops: list[Hop], elapsed: float, kind: ErrorKind, detail: str) -> HttpOutcome:
    return HttpOutcome(None, url, tuple(hops), kind, detail, elapsed=elapsed)


def _outcome(ex: Exchange, url: str, hops: list[Hop], elapsed: float) -> HttpOutcome:
    return HttpOutcome(
        status=ex.status,
        final_url=url,
        redirects=tuple(hops),
        error_kind=ex.error_kind,
        error_detail=ex.error_detail,
        elapsed=elapsed,
        headers=ex.headers,
        method=ex.method,
        retry_after=ex.retry_after,
        body_bytes=ex.body_bytes,
    )


async def _send_released(
    url: str,
    method: str,
    ctx: CheckContext,
    permit: Permit,
    headers: dict[str, str] | None,
    sink: Callable[[bytes], bool] | None,
) -> Exchange:
    """One exchange under a permit; the permit is returned whatever happens (even cancellation)."""
    ex: Exchange | None = None
    try:
        ex = await _send(url, method, ctx, headers, sink)
    finally:
        if ex is None:
            ctx.gate.release(permit)
        else:
            ctx.gate.release(
                permit,
                status=ex.status,
                error=ex.error_kind,
                detail=ex.error_detail,
                retry_after=ex.retry_after,
            )
    return ex


async def _send(
    url: str,
    method: str,
    ctx: CheckContext,
    headers: dict[str, str] | None,
    sink: Callable[[bytes], bool] | None,
) -> Exchange:
    host_headers = ctx.gate.headers_for(host_of(url))
    if headers:
        host_headers.update(headers)
    timeout = ctx.config.timeout * (HEAD_TIMEOUT_SHARE if method == "HEAD" else 1.0)
    return await exchange(
        ctx.client,
        method,
        url,
        headers=host_headers or None,
        sink=sink,
        max_body=ctx.config.image_max_bytes,
        timeout=timeout,
    )


# ---------------------------------------------------------------------------------------------
# Images: a ranged GET for the first bytes; more only when the header lies further in


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


async def _probe_image(link: Link, ctx: CheckContext, permit: Permit | None) -> HttpOutcome:
    config = ctx.config
    first = min(FIRST_IMAGE_RANGE, config.image_max_bytes)
    sink = ImageSink(config.image_max_bytes)
    headers = {"Range": f"bytes=0-{first - 1}", "Accept": IMAGE_ACCEPT}
    out = await _walk(link.url, "GET", ctx, permit, headers=headers, sink=sink)
    if out.status in RANGE_TROUBLE:  # the server mishandles Range: ask again without it
        sink.reset()
        out = await _walk(link.url, "GET", ctx, None, headers={"Accept": IMAGE_ACCEPT}, sink=sink)
    if out.error_kind is not None or out.status is None or not 200 <= out.status < 300:
        return out
    extra, more = 0.0, 0
    if sink.result is None and out.status == 206:
        extra, more = await _continue_ranges(out, sink, ctx)
    probe = sink.result or sink.prober.finish()
    # bytes_read is what crossed the wire (including a small tail read to keep the connection)
    probe = replace(probe, bytes_read=out.body_bytes + more)
    return _replace(out, image=probe, elapsed=out.elapsed + extra, body_bytes=out.body_bytes + more)


async def _continue_ranges(
    out: HttpOutcome, sink: ImageSink, ctx: CheckContext
) -> tuple[float, int]:
    """The first range did not hold the header: ask for more. When the parser knows where it
    must read next (past a large metadata segment), jump there with a small range; otherwise
    read on with ranges that double. Returns (time spent, body bytes received)."""
    total = _content_range_total(out.headers)
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
            permit = await ctx.gate.acquire(host)
        except HostDown:
            break
        before = sink.prober.bytes_read
        headers = {"Range": f"bytes={start}-{start + length - 1}", "Accept": IMAGE_ACCEPT}
        ex = await _send_released(out.final_url, "GET", ctx, permit, headers, sink)
        spent += ex.elapsed
        received += ex.body_bytes
        if ex.status != 206 or sink.prober.bytes_read == before:
            break
        if wanted is None:
            size *= 2
    return spent, received


def _content_range_total(headers: tuple[tuple[str, str], ...]) -> int | None:
    for k, v in headers:
        if k.lower() == "content-range" and "/" in v:
            total = v.rsplit("/", 1)[1].strip()
            return int(total) if total.isdigit() else None
    return None
