"""Check one link: retries around one attempt (HEAD, GET fallback, or an image probe).

`check_link(link, ctx)` never raises: every failure becomes a `CheckResult`.
"""

from __future__ import annotations

from dataclasses import replace

from tenacity import AsyncRetrying, RetryCallState, retry_if_result, stop_after_attempt
from tenacity.wait import wait_exponential, wait_random

from linkcheck import classify
from linkcheck.classify import judge
from linkcheck.config import Config
from linkcheck.hosts.gate import Permit, pause
from linkcheck.images.fetch import probe_image
from linkcheck.models import CheckResult, HttpOutcome, Link, LinkKind, Outcome, Reason
from linkcheck.net.redirects import CheckContext, host_of, walk

__all__ = ["CheckContext", "check_link", "host_of"]


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
        return await probe_image(link, ctx, permit)
    host = host_of(link.url)
    state = ctx.gate.state(host)
    if state.head_ok is not False:
        head = await walk(link.url, "HEAD", ctx, permit)
        if not classify.head_unreliable(head.status, head.error_kind) or head.host_down:
            return head
        if head.status in (405, 501) or head.error_kind is not None:
            state.head_ok = False  # this host mishandles HEAD: go straight to GET from now on
        permit = None
        get = await walk(link.url, "GET", ctx, None)
        return _replace(get, elapsed=get.elapsed + head.elapsed)
    return await walk(link.url, "GET", ctx, permit)
