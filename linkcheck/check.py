"""Check one link: retries around one attempt (HEAD, GET fallback, or an image probe), within
one time budget for the whole link.

`check_link(link, ctx, lease)` never raises: every failure becomes a `CheckResult`. Every
request goes through the `Lease` (hosts/): its first one uses the permit the dispatcher
reserved, and the rest (redirect hops, the GET after a HEAD, retries, image ranges) go ahead
of new links for their host.

An image's result carries its validators (ETag, Last-Modified, full length) for a later run;
an image in `ctx.revalidate` answered 304 is judged from its kept probe against this run's
declared sizes (`classify.judge_not_modified`).
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import replace

import anyio
from tenacity import AsyncRetrying, RetryCallState, stop_after_attempt, stop_after_delay
from tenacity.stop import stop_base
from tenacity.wait import wait_base, wait_exponential, wait_random

from linkcheck import classify
from linkcheck.classify import judge
from linkcheck.collect.credentials import redact
from linkcheck.config import Config
from linkcheck.hosts.gate import Lease
from linkcheck.images.fetch import probe_image
from linkcheck.models import CheckResult, ErrorKind, HttpOutcome, Link, LinkKind, Outcome, Reason
from linkcheck.net.page import STOP_AT_HEAD, STOP_AT_HEADING, PageReader
from linkcheck.net.probe import page_facts, soft_404_evidence
from linkcheck.net.redirects import CheckContext, host_of, walk
from linkcheck.net.templates import origin_of
from linkcheck.net.validators import refreshed, validators_of

__all__ = [
    "BACKOFF_CAP",
    "CheckContext",
    "check_link",
    "host_of",
    "internal_error",
    "link_budget",
]

# a bug's traceback (the report only carries its one-line summary): logger "linkcheck", DEBUG
_log = logging.getLogger("linkcheck")

BACKOFF_CAP = 10.0  # the longest back-off between two attempts, seconds (plus ≤ 0.5 s jitter)


def link_budget(config: Config) -> float:
    """The most time one link may take in all (HEAD, GET fallback, redirect hops, retries,
    back-off and Retry-After waits): (retries + 1) × 2 × timeout + 10 s per retry."""
    return (config.retries + 1) * 2 * config.timeout + config.retries * BACKOFF_CAP


async def check_link(link: Link, ctx: CheckContext, lease: Lease | None = None) -> CheckResult:
    """Check one link. Never raises (cancellation excepted)."""
    if lease is None:
        lease = ctx.gate.lease()
    try:
        outcome, evidence = await _within_budget(link, ctx, lease)
        if outcome.image is None or link.kind is not LinkKind.IMAGE:
            result = judge(link, outcome, ctx.config)
            if evidence is not None:
                result = classify.soft_404(result, evidence)
            if result.page is not None and not _keeps_page(link, ctx.config):
                result = replace(result, page=None)  # only the AMP checks read it later
            return result
        return _judge_image(link, outcome, ctx)
    except Exception as exc:  # noqa: BLE001 - a bug must not cancel the whole run
        if _log.isEnabledFor(logging.DEBUG):  # credentials hidden, as in the report
            trace = redact("".join(traceback.format_exception(exc)))
            _log.debug("internal error while checking %s:\n%s", redact(link.url), trace)
        return internal_error(
            link, f"internal error while checking ({type(exc).__name__}: {exc}); please report it"
        )


def internal_error(link: Link, detail: str) -> CheckResult:
    """A link that a bug (ours) kept from being judged: a warning saying so, never a verdict."""
    return CheckResult(
        link=link,
        outcome=Outcome.WARNING,
        reason=Reason.INTERNAL_ERROR,
        http_status=None,
        final_url=None,
        detail=detail,
    )


def _judge_image(link: Link, outcome: HttpOutcome, ctx: CheckContext) -> CheckResult:
    """An image that was probed (or revalidated), with the validators a later run can send."""
    cached = ctx.revalidate.get(link.url) if outcome.status == 304 else None
    if cached is not None:  # probe_image set `image` on a 304: the answer to our condition
        kept = refreshed(cached.validators, outcome.headers)
        return classify.judge_not_modified(link, outcome, cached, kept, ctx.config)
    result = judge(link, outcome, ctx.config)
    probe = outcome.image
    if probe is None or probe.error is not None:
        return result  # nothing worth revalidating: the next run probes it again anyway
    validators = validators_of(outcome.status, outcome.headers)
    return result if validators is None else replace(result, validators=validators)


async def _within_budget(
    link: Link, ctx: CheckContext, lease: Lease
) -> tuple[HttpOutcome, str | None]:
    """The link's outcome and, for a page that answered, the evidence that it is a soft 404."""
    budget = link_budget(ctx.config)
    tries = [0]
    reading = _Reading()
    with anyio.move_on_after(budget) as scope:
        outcome = await _fetch_with_retries(link, ctx, lease, budget, tries, reading)
        evidence = None
        if _soft_404_applies(link, outcome, ctx.config):
            evidence = await soft_404_evidence(link.url, outcome, reading.reader, ctx, lease)
        return outcome, evidence
    assert scope.cancelled_caught
    return HttpOutcome(
        None,
        link.url,
        error_kind=ErrorKind.TIMEOUT,
        error_detail=(
            f"gave up after {budget:g} s, this link's time budget "
            "((retries + 1) × 2 × timeout + 10 s per retry)"
        ),
        attempts=tries[0],
        elapsed=budget,
    ), None


# ---------------------------------------------------------------------------------------------
# Retries around one attempt: tenacity's wait and stop strategies, driven by a small loop.
# (tenacity's own AsyncRetrying inspects its callbacks on every call, several times per
# request: a measurable share of the CPU of a whole run for nothing the loop below lacks.)

# 0.5 s, 1 s, 2 s... (at most 10 s) plus up to 0.5 s of jitter. Not wait_exponential_jitter:
# its `initial` is deprecated in tenacity 9 and its replacement does not exist in 8.x.
_BACKOFF: wait_base = wait_exponential(multiplier=0.5, max=BACKOFF_CAP) + wait_random(0, 0.5)
_RETRYING = AsyncRetrying(wait=_BACKOFF)  # only to name the owner of each RetryCallState


def _worth_retrying(outcome: HttpOutcome, config: Config, deadline: float) -> bool:
    if outcome.host_down or not classify.is_transient(outcome.status, outcome.error_kind):
        return False
    if classify.is_challenge(outcome.headers):
        return False
    if outcome.retry_after is None:
        return True
    # a server asking us to stay away longer than we are willing (or have time left) to
    # wait: report it now
    left = deadline - anyio.current_time()
    return outcome.retry_after <= min(config.retry_after_cap, left)


async def _fetch_with_retries(
    link: Link,
    ctx: CheckContext,
    lease: Lease,
    budget: float,
    tries: list[int],
    reading: _Reading,
) -> HttpOutcome:
    """Attempts until one is final, the retries are used up or the budget is spent; the
    last outcome, with every attempt counted and every attempt's time summed.

    The same steps as tenacity's AsyncRetrying(stop=after `retries + 1` attempts or `budget`
    seconds, wait=_BACKOFF, retry=_worth_retrying, before_sleep=note the retry, sleep=the
    lease's pause, retry_error_callback=the last outcome)."""
    config = ctx.config
    deadline = anyio.current_time() + budget
    first = lease.first
    host = first.host if first is not None else host_of(link.url)
    state = RetryCallState(_RETRYING, None, (), {})
    stop: stop_base | None = None
    spent = 0.0
    while True:
        tries[0] += 1
        outcome = await _attempt(link, ctx, lease, host, reading)
        spent += outcome.elapsed
        if outcome.error_kind is ErrorKind.TIMEOUT and not outcome.host_down:
            # a host that keeps timing out is given up on like an unreachable one
            ctx.gate.note_timeout(host_of(outcome.final_url or link.url), outcome.error_detail)
        if not _worth_retrying(outcome, config, deadline):
            break
        state.set_result(outcome)
        pause = _BACKOFF(state)
        if outcome.retry_after is not None:  # this link waits at least that long, whatever
            pause = max(pause, outcome.retry_after)  # the rest of its host does (gate.py)
        if stop is None:
            stop = stop_after_attempt(config.retries + 1) | stop_after_delay(budget)
        if stop(state):
            break
        state.idle_for += pause
        ctx.gate.note_retry(host)
        await lease.pause(pause)  # back-off waits lend the global slot to hosts with work ready
        state.prepare_for_next_attempt()
    if outcome.attempts == tries[0] and outcome.elapsed == spent:
        return outcome  # one attempt: nothing to add up
    return _replace(outcome, attempts=tries[0], elapsed=spent)


def _replace(outcome: HttpOutcome, **changes: object) -> HttpOutcome:
    return replace(outcome, **changes)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# One attempt: HEAD (pages) or ranged GET (images), redirects walked hop by hop


async def _attempt(
    link: Link, ctx: CheckContext, lease: Lease, host: str, reading: _Reading
) -> HttpOutcome:
    if link.kind is LinkKind.IMAGE and ctx.config.check_images:
        return await probe_image(link, ctx, lease)
    reader = reading.reader = _page_reader(link, ctx)
    if reader is not None:  # the news checks read the page: one bounded GET, no HEAD
        page = await walk(link.url, "GET", ctx, lease, host=host, sink=reader)
        facts = page_facts(page, reader)
        return page if facts is None else _replace(page, page=facts)
    if ctx.gate.head_ok(host):
        head = await walk(link.url, "HEAD", ctx, lease, host=host)
        if not classify.head_unreliable(head.status, head.error_kind) or head.host_down:
            return head
        get = await walk(link.url, "GET", ctx, lease, host=host)
        # From now on, straight to GET on this host: when it refuses HEAD, or when HEAD broke
        # or hung where GET then got an answer. A URL that fails both ways (a hanging page)
        # says nothing about how the host treats HEAD.
        if head.status in (405, 501) or (
            head.error_kind is not None and get.error_kind is None and get.status is not None
        ):
            ctx.gate.learn_head_mishandled(host)
        return _replace(get, elapsed=get.elapsed + head.elapsed)
    return await walk(link.url, "GET", ctx, lease, host=host)


# ---------------------------------------------------------------------------------------------
# Page reads for the news checks (soft 404s, AMP pairs)


class _Reading:
    """The page reader of a link's last attempt: its bytes feed the soft-404 fingerprint."""

    __slots__ = ("reader",)

    def __init__(self) -> None:
        self.reader: PageReader | None = None


_AMP_KINDS = frozenset({LinkKind.PAGE, LinkKind.AMP})


def _page_reader(link: Link, ctx: CheckContext) -> PageReader | None:
    """A reader when a news check needs this link's page, else None (HEAD, GET fallback).

    Soft 404s read every link but images; the AMP checks read webUrl and ampWebUrl pages. The
    read stops after the first </h1> (title, head links, first heading) unless the page may
    have to be compared with its host's not-found page (host not known to answer 404 for
    made-up paths): then up to 64 KiB; AMP checks alone stop after </head>."""
    config = ctx.config
    soft = config.soft_404 and link.kind is not LinkKind.IMAGE
    if soft:
        full = ctx.templates.may_compare(origin_of(link.url))
        return PageReader(stop_at=None if full else STOP_AT_HEADING)
    if config.amp_checks and link.kind in _AMP_KINDS:
        return PageReader(stop_at=STOP_AT_HEAD)
    return None


def _soft_404_applies(link: Link, outcome: HttpOutcome, config: Config) -> bool:
    return (
        config.soft_404
        and link.kind is not LinkKind.IMAGE
        and outcome.error_kind is None
        and outcome.status is not None
        and 200 <= outcome.status < 300
    )


def _keeps_page(link: Link, config: Config) -> bool:
    return config.amp_checks and link.kind in _AMP_KINDS
