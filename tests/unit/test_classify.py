"""linkcheck.classify: the verdict tables (pure, table-driven)."""

from __future__ import annotations

import math

import pytest

from linkcheck.classify import (
    classify,
    declared_number,
    head_unreliable,
    is_transient,
    judge,
    size_verdict,
)
from linkcheck.config import Config, Tolerance
from linkcheck.images import probe_bytes
from linkcheck.models import (
    DeclaredSize,
    ErrorKind,
    HttpOutcome,
    Link,
    LinkKind,
    Occurrence,
    Outcome,
    Reason,
    Source,
)


def status(code: int, **kw: object) -> HttpOutcome:
    return HttpOutcome(status=code, final_url="http://example.test/", **kw)  # type: ignore[arg-type]


def error(kind: ErrorKind) -> HttpOutcome:
    return HttpOutcome(
        status=None,
        final_url="http://example.test/",
        error_kind=kind,
        error_detail=f"{kind} happened",
    )


@pytest.mark.parametrize(
    ("code", "outcome", "reason"),
    [
        (200, Outcome.OK, None),
        (204, Outcome.OK, None),
        (206, Outcome.OK, None),
        (301, Outcome.BROKEN, Reason.HTTP_STATUS),  # a redirect that could not be followed
        (400, Outcome.BROKEN, Reason.HTTP_STATUS),
        (404, Outcome.BROKEN, Reason.HTTP_STATUS),
        (410, Outcome.BROKEN, Reason.HTTP_STATUS),
        (401, Outcome.WARNING, Reason.BLOCKED),
        (403, Outcome.WARNING, Reason.BLOCKED),
        (451, Outcome.WARNING, Reason.BLOCKED),
        (999, Outcome.WARNING, Reason.BLOCKED),
        (429, Outcome.WARNING, Reason.RATE_LIMITED),
        (500, Outcome.BROKEN, Reason.HTTP_STATUS),
        (502, Outcome.BROKEN, Reason.HTTP_STATUS),
        (503, Outcome.BROKEN, Reason.HTTP_STATUS),
        (504, Outcome.BROKEN, Reason.HTTP_STATUS),
    ],
)
def test_classify_status(code: int, outcome: Outcome, reason: Reason | None) -> None:
    got_outcome, got_reason, detail = classify(status(code))
    assert (got_outcome, got_reason) == (outcome, reason)
    assert (detail == "") == (outcome is Outcome.OK)


def test_classify_details() -> None:
    assert classify(status(503, attempts=3))[2] == "HTTP 503 server error after 3 attempts"
    assert classify(status(500))[2] == "HTTP 500 server error"
    assert "wait 30 s" in classify(status(429, retry_after=30.0))[2]
    assert classify(status(404))[2] == "HTTP 404"


def test_challenge_503_is_blocked() -> None:
    challenge = status(503, headers=(("cf-mitigated", "challenge"),))
    assert classify(challenge)[:2] == (Outcome.WARNING, Reason.BLOCKED)


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        (ErrorKind.DNS, Reason.DNS),
        (ErrorKind.CONNECT, Reason.CONNECT),
        (ErrorKind.TLS, Reason.TLS),
        (ErrorKind.TIMEOUT, Reason.TIMEOUT),
        (ErrorKind.CONNECT_TIMEOUT, Reason.TIMEOUT),
        (ErrorKind.PROTOCOL, Reason.PROTOCOL_ERROR),
        (ErrorKind.REDIRECT_LOOP, Reason.REDIRECT_LOOP),
        (ErrorKind.TOO_MANY_REDIRECTS, Reason.TOO_MANY_REDIRECTS),
        (ErrorKind.INVALID_URL, Reason.INVALID_URL),
    ],
)
def test_classify_errors(kind: ErrorKind, reason: Reason) -> None:
    assert classify(error(kind)) == (Outcome.BROKEN, reason, f"{kind} happened")


def test_every_error_kind_is_classified() -> None:
    for kind in ErrorKind:
        expected = Outcome.SKIPPED if kind is ErrorKind.PRIVATE_ADDRESS else Outcome.BROKEN
        assert classify(error(kind))[0] is expected


def test_a_refused_private_address_is_skipped_with_its_reason() -> None:
    outcome, reason, detail = classify(error(ErrorKind.PRIVATE_ADDRESS))
    assert (outcome, reason) == (Outcome.SKIPPED, Reason.PRIVATE_ADDRESS)


@pytest.mark.parametrize(
    ("code", "kind", "expected"),
    [
        (429, None, True),
        (502, None, True),
        (503, None, True),
        (504, None, True),
        (500, None, False),
        (404, None, False),
        (410, None, False),
        (403, None, False),
        (200, None, False),
        (None, ErrorKind.CONNECT, True),
        (None, ErrorKind.TIMEOUT, True),
        (None, ErrorKind.CONNECT_TIMEOUT, True),
        (None, ErrorKind.PROTOCOL, True),
        (None, ErrorKind.DNS, False),
        (None, ErrorKind.TLS, False),
        (None, ErrorKind.REDIRECT_LOOP, False),
        (None, ErrorKind.TOO_MANY_REDIRECTS, False),
        (None, ErrorKind.INVALID_URL, False),
    ],
)
def test_is_transient(code: int | None, kind: ErrorKind | None, expected: bool) -> None:
    assert is_transient(code, kind) is expected


@pytest.mark.parametrize(
    ("code", "kind", "expected"),
    [
        (200, None, False),
        (301, None, False),
        (400, None, True),
        (403, None, True),
        (404, None, True),
        (405, None, True),
        (410, None, True),
        (429, None, False),  # retried as is, not confirmed with GET
        (500, None, True),
        (501, None, True),
        (503, None, True),
        (None, ErrorKind.TIMEOUT, True),  # a server hanging on HEAD
        (None, ErrorKind.PROTOCOL, True),  # a server resetting on HEAD
        (None, ErrorKind.CONNECT, False),
        (None, ErrorKind.DNS, False),
        (None, ErrorKind.REDIRECT_LOOP, False),
    ],
)
def test_head_unreliable(code: int | None, kind: ErrorKind | None, expected: bool) -> None:
    assert head_unreliable(code, kind) is expected


@pytest.mark.parametrize(
    ("value", "number", "problem"),
    [
        (500, 500, None),
        (500.0, 500, None),
        ("500", 500, None),
        (" 326 ", 326, None),
        (None, None, "missing"),
        (0, None, "zero (0)"),
        (-3, None, "negative (-3)"),
        (True, None, "not a number (True)"),
        (12.5, None, "not a whole number (12.5)"),
        ("abc", None, "not a whole number ('abc')"),
        ("", None, "not a whole number ('')"),
        (math.nan, None, "not a whole number (nan)"),
        ([1], None, "not a whole number ([1])"),
    ],
)
def test_declared_number(value: object, number: int | None, problem: str | None) -> None:
    assert declared_number(value) == (number, problem)


EXACT = Tolerance()


@pytest.mark.parametrize(
    ("declared", "actual", "tolerance", "matches", "aspect"),
    [
        ((1000, 652), (1000, 652), EXACT, True, True),
        ((500, 326), (1000, 652), EXACT, False, True),  # resized copy
        ((1000, 1000), (1000, 652), EXACT, False, False),  # different image
        ((65, 47), (64, 48), EXACT, False, False),
        ((65, 47), (64, 48), Tolerance(1), True, False),
        ((66, 48), (64, 48), Tolerance(1), False, False),
        ((1005, 652), (1000, 652), Tolerance(1, percent=True), True, True),
        ((1010, 1000), (1000, 1000), Tolerance(1, percent=True), True, False),
        ((1011, 652), (1000, 652), Tolerance(1, percent=True), False, False),
        (("1000", "652"), (1000, 652), EXACT, True, True),
    ],
)
def test_size_verdict(
    declared: tuple[object, object],
    actual: tuple[int, int],
    tolerance: Tolerance,
    matches: bool,
    aspect: bool,
) -> None:
    v = size_verdict(*declared, actual, tolerance)
    assert (v.matches, v.aspect_ratio_matches, v.problem) == (matches, aspect, None)


def test_size_verdict_unusable() -> None:
    bad = size_verdict("wide", 0, (10, 10), EXACT)
    assert (bad.matches, bad.aspect_ratio_matches) == (None, None)
    assert bad.problem == "width is not a whole number ('wide'); height is zero (0)"
    unknown = size_verdict(10, 10, None, EXACT)
    assert (unknown.matches, unknown.problem, unknown.declared_width) == (None, None, 10)


@pytest.mark.parametrize(
    ("svg", "declared"),
    [
        (b'<svg viewBox="0 0 300 150"/>', (300, 150)),  # the viewBox numbers are not pixels
        (b'<svg viewBox="0 0 300 150"/>', (10, 10)),
        (b'<svg width="20em" height="10em"/>', (20, 10)),  # nor are em lengths
    ],
)
def test_an_svg_without_intrinsic_size_is_never_a_size_mismatch(
    svg: bytes, declared: tuple[int, int]
) -> None:
    probe = probe_bytes(svg)
    occurrence = Occurrence(
        "/logo.svg",
        LinkKind.IMAGE,
        Source("a.md", "images[0].url", 3, "A"),
        DeclaredSize(*declared),
    )
    link = Link("http://127.0.0.1/logo.svg", LinkKind.IMAGE, (occurrence,))
    result = judge(link, HttpOutcome(200, link.url, image=probe), Config())
    assert (result.outcome, result.reason) == (Outcome.OK, None)
    assert result.detail.startswith("SVG has no intrinsic pixel size")
