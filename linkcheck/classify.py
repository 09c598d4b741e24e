"""Judgement: what an HTTP outcome means for a link. Pure tables, no I/O.

`classify(outcome)` -> (Outcome, Reason | None, detail)
`is_transient(status, error_kind)` -> should this attempt be retried?
`head_unreliable(status, error_kind)` -> should a HEAD answer be confirmed with GET?
`judge(link, outcome, config)` -> CheckResult; `judge_not_modified(...)` for an image a
conditional request found unchanged (304); `soft_404(result, evidence)` for a page that
answers but is gone (the evidence is found by `net/probe.py`).
"""

from __future__ import annotations

from dataclasses import replace

from linkcheck.config import Config, Tolerance
from linkcheck.models import (
    CachedImage,
    CheckResult,
    ErrorKind,
    HttpOutcome,
    Link,
    LinkKind,
    Outcome,
    Reason,
    SizeVerdict,
    Validators,
)

# Statuses that usually mean "a bot wall is in the way", not "the page is gone": 401/403 from
# WAFs and paywalls, 999 from LinkedIn, 451 from geo-blocking. The link may well be alive.
BLOCKED_STATUSES = frozenset({401, 403, 451, 999})
TRANSIENT_STATUSES = frozenset({429, 502, 503, 504})
TRANSIENT_ERRORS = frozenset(
    {ErrorKind.CONNECT, ErrorKind.TIMEOUT, ErrorKind.CONNECT_TIMEOUT, ErrorKind.PROTOCOL}
)

ERROR_REASONS: dict[ErrorKind, Reason] = {
    ErrorKind.DNS: Reason.DNS,
    ErrorKind.CONNECT: Reason.CONNECT,
    ErrorKind.TLS: Reason.TLS,
    ErrorKind.TIMEOUT: Reason.TIMEOUT,
    ErrorKind.CONNECT_TIMEOUT: Reason.TIMEOUT,
    ErrorKind.PROTOCOL: Reason.PROTOCOL_ERROR,
    ErrorKind.REDIRECT_LOOP: Reason.REDIRECT_LOOP,
    ErrorKind.TOO_MANY_REDIRECTS: Reason.TOO_MANY_REDIRECTS,
    ErrorKind.INVALID_URL: Reason.INVALID_URL,
    ErrorKind.INVALID_REDIRECT: Reason.INVALID_REDIRECT,
    ErrorKind.PRIVATE_ADDRESS: Reason.PRIVATE_ADDRESS,
}


def is_challenge(headers: tuple[tuple[str, str], ...]) -> bool:
    """A bot-challenge page (Cloudflare and similar) rather than a real error."""
    return any(k.lower() == "cf-mitigated" and v.lower() == "challenge" for k, v in headers)


def is_transient(status: int | None, error: ErrorKind | None) -> bool:
    if error is not None:
        return error in TRANSIENT_ERRORS
    return status in TRANSIENT_STATUSES


def head_unreliable(status: int | None, error: ErrorKind | None) -> bool:
    """Servers mishandle HEAD in many ways (405, 501, 404/403/500 for HEAD only, hangs, resets):
    any HEAD answer that is not a success or a redirect is confirmed with a GET."""
    if error is not None:
        return error in (ErrorKind.TIMEOUT, ErrorKind.PROTOCOL)
    return status is not None and status >= 400 and status != 429


def classify(outcome: HttpOutcome) -> tuple[Outcome, Reason | None, str]:
    """What a finished check (after retries and redirects) means."""
    if outcome.error_kind is ErrorKind.PRIVATE_ADDRESS:  # refused by policy: no request made
        return Outcome.SKIPPED, Reason.PRIVATE_ADDRESS, outcome.error_detail
    if outcome.error_kind is not None:
        return Outcome.BROKEN, ERROR_REASONS[outcome.error_kind], outcome.error_detail
    status = outcome.status
    assert status is not None
    if 200 <= status < 300:
        return Outcome.OK, None, ""
    if 300 <= status < 400:
        return (
            Outcome.BROKEN,
            Reason.HTTP_STATUS,
            f"HTTP {status} redirect without a usable Location",
        )
    if status == 429:
        wait = f" (server asked to wait {outcome.retry_after:g} s)" if outcome.retry_after else ""
        return Outcome.WARNING, Reason.RATE_LIMITED, f"HTTP 429 Too Many Requests{wait}"
    if status in BLOCKED_STATUSES or (status in (403, 503) and is_challenge(outcome.headers)):
        return Outcome.WARNING, Reason.BLOCKED, f"HTTP {status}: access blocked (link may be alive)"
    if status >= 500:
        tries = f" after {outcome.attempts} attempts" if outcome.attempts > 1 else ""
        return Outcome.BROKEN, Reason.HTTP_STATUS, f"HTTP {status} server error{tries}"
    return Outcome.BROKEN, Reason.HTTP_STATUS, f"HTTP {status}"


# ---------------------------------------------------------------------------------------------
# Image sizes: the declared size is judged per occurrence (each article declares its own).

ASPECT_TOLERANCE = 0.01  # 1 %: a declared 500x326 for a 1000x652 image is "the same aspect ratio"


MAX_DECLARED_PX = 2**31 - 1  # PNG's limit; no real image declared in an article is larger


def declared_number(value: object) -> tuple[int | None, str | None]:
    """A declared width/height as an int, or why it is not usable."""
    if value is None:
        return None, "missing"
    if isinstance(value, bool):
        return None, f"not a number ({value!r})"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int):
        return None, f"not a whole number ({value!r})"
    if value <= 0:
        return None, f"{'zero' if value == 0 else 'negative'} ({value})"
    if value > MAX_DECLARED_PX:  # 1e308, 10**30: no image is that large
        shown = value if value < 10**12 else f"a number of {len(str(value))} digits"
        return None, f"too large ({shown}; at most {MAX_DECLARED_PX})"
    return value, None


def declared_size_problem(
    width: object, height: object
) -> tuple[int | None, int | None, str | None]:
    w, wp = declared_number(width)
    h, hp = declared_number(height)
    problems = [f"{name} is {why}" for name, why in (("width", wp), ("height", hp)) if why]
    return w, h, "; ".join(problems) or None


def size_verdict(
    width: object, height: object, actual: tuple[int, int] | None, tolerance: Tolerance
) -> SizeVerdict:
    """Compare one occurrence's declared size with the displayed size of the image."""
    w, h, problem = declared_size_problem(width, height)
    if problem or actual is None or w is None or h is None:
        return SizeVerdict(w, h, None, None, problem)
    aw, ah = actual
    matches = tolerance.allows(w, aw) and tolerance.allows(h, ah)
    aspect = aw > 0 and ah > 0 and abs(w / h - aw / ah) <= ASPECT_TOLERANCE * (aw / ah)
    return SizeVerdict(w, h, matches, aspect, None)


def judge(link: Link, outcome: HttpOutcome, config: Config) -> CheckResult:
    """Turn what happened on the wire into a verdict (pure)."""
    result_outcome, reason, detail = classify(outcome)
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
                size_verdict(
                    occ.declared.width, occ.declared.height, actual, config.dimension_tolerance
                )
                if occ.kind is LinkKind.IMAGE and occ.declared is not None
                else None
                for occ in link.occurrences
            )
            if any(v is not None for v in verdicts):  # each verdict travels with its citation
                link = replace(
                    link,
                    occurrences=tuple(
                        replace(o, verdict=v)
                        for o, v in zip(link.occurrences, verdicts, strict=True)
                    ),
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
        page=outcome.page,
    )


def soft_404(result: CheckResult, evidence: str) -> CheckResult:
    """An ok result whose page is gone for a reader: broken, `soft_404`, the evidence said."""
    if result.outcome is not Outcome.OK:
        return result
    return replace(
        result, outcome=Outcome.BROKEN, reason=Reason.SOFT_404, detail=f"soft 404: {evidence}"
    )


def judge_not_modified(
    link: Link,
    outcome: HttpOutcome,
    cached: CachedImage,
    validators: Validators,
    config: Config,
) -> CheckResult:
    """An image a conditional request found unchanged (304): its kept probe (`outcome.image`,
    this run's bytes_read) judged exactly as a fresh one, so each citation's declared size of
    THIS run is compared with the kept size. The result is `cached` and keeps the
    validators for the next run. Its `http_status` is the kept one (the status the verdict
    rests on, 200 or 206), so a later reuse of this verdict judges it as it was made; the
    detail says a 304 vouched for it."""
    kept = cached.http_status if cached.http_status is not None else 200
    status = kept if 200 <= kept < 300 else 200
    result = judge(link, replace(outcome, status=status), config)
    note = f"not modified since {cached.checked_at} (304)"
    return replace(
        result,
        detail=f"{result.detail}; {note}" if result.detail else note,
        cached=True,
        validators=validators,
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
