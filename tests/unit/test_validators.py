"""HTTP validators (net/validators.py) and the judgement of a 304 (classify.judge_not_modified):
pure functions, table-driven."""

from __future__ import annotations

import pytest

from linkcheck.classify import judge_not_modified
from linkcheck.config import Config
from linkcheck.models import (
    CachedImage,
    DeclaredSize,
    HttpOutcome,
    ImageProbe,
    Link,
    LinkKind,
    Occurrence,
    Outcome,
    Reason,
    Source,
    Validators,
)
from linkcheck.net.validators import (
    conditional_headers,
    content_range_total,
    refreshed,
    validators_of,
)

DATE = "Mon, 23 Nov 2026 03:00:00 GMT"


@pytest.mark.parametrize(
    ("status", "headers", "expected"),
    [
        (
            200,
            [("ETag", '"abc"'), ("Last-Modified", DATE), ("Content-Length", "1234")],
            Validators('"abc"', DATE, 1234),
        ),
        (
            206,
            [("etag", 'W/"w"'), ("content-length", "8192"), ("content-range", "bytes 0-8191/9000")],
            Validators('W/"w"', None, 9000),
        ),
        (206, [("content-range", "bytes 0-9/*")], None),  # total unknown, nothing else
        (200, [("content-length", "12x")], None),
        (200, [("Content-Type", "image/png")], None),
        (304, [("ETag", '"abc"')], None),  # not an answer with a body to describe
        (404, [("ETag", '"abc"')], None),
        (None, [], None),
        (200, [("ETag", "  "), ("Last-Modified", "a\r\nb")], None),  # nothing fit to send back
        (200, [("ETag", '"' + "x" * 600 + '"')], None),
    ],
)
def test_validators_of(
    status: int | None, headers: list[tuple[str, str]], expected: Validators | None
) -> None:
    assert validators_of(status, headers) == expected


def test_content_range_total() -> None:
    assert content_range_total([("Content-Range", "bytes 0-9/10")]) == 10
    assert content_range_total([("content-range", "bytes */77")]) == 77
    assert content_range_total([("content-range", "bytes 0-9/*")]) is None
    assert content_range_total([]) is None


@pytest.mark.parametrize(
    ("validators", "expected"),
    [
        (Validators('"a"', DATE, 5), {"If-None-Match": '"a"', "If-Modified-Since": DATE}),
        (Validators('"a"', None, None), {"If-None-Match": '"a"'}),
        (Validators(None, DATE, None), {"If-Modified-Since": DATE}),
        (Validators(None, None, 5), {}),  # a length alone cannot be asked about
        (Validators("bad\nvalue", None, None), {}),  # never a header injection
        (Validators('"caf\u00e9"', DATE, None), {"If-Modified-Since": DATE}),  # not ASCII
    ],
)
def test_conditional_headers(validators: Validators, expected: dict[str, str]) -> None:
    assert conditional_headers(validators) == expected


def test_refreshed_takes_new_validators_from_a_304_and_keeps_the_length() -> None:
    old = Validators('"a"', DATE, 100)
    assert refreshed(old, []) is old
    assert refreshed(old, [("etag", '"a"')]) is old
    newer = "Tue, 24 Nov 2026 03:00:00 GMT"
    assert refreshed(old, [("etag", '"b"'), ("last-modified", newer)]) == Validators(
        '"b"', newer, 100
    )
    assert refreshed(old, [("content-length", "5"), ("etag", "")]) is old


def _link(*declared: tuple[object, object]) -> Link:
    return Link(
        "http://img.test/a.jpg",
        LinkKind.IMAGE,
        tuple(
            Occurrence(
                "http://img.test/a.jpg",
                LinkKind.IMAGE,
                Source(f"a{i}.md", "images[0].url", 2, None),
                DeclaredSize(w, h),
            )
            for i, (w, h) in enumerate(declared)
        ),
    )


PROBE = ImageProbe("jpeg", 64, 48, 64, 48, 0)
CACHED = CachedImage(Validators('"a"', DATE, 900), PROBE, 206, "http://img.test/a.jpg", "T0")
NOT_MODIFIED = HttpOutcome(304, "http://img.test/a.jpg", image=PROBE)


def test_judge_not_modified_reuses_the_kept_probe() -> None:
    v = Validators('"b"', DATE, 900)
    r = judge_not_modified(_link((64, 48)), NOT_MODIFIED, CACHED, v, Config())
    assert (r.outcome, r.reason, r.http_status, r.cached) == (Outcome.OK, None, 206, True)
    assert r.detail == "not modified since T0 (304)"
    assert r.image == PROBE and r.validators == v
    assert r.verdicts[0] is not None and r.verdicts[0].matches is True


def test_judge_not_modified_judges_this_runs_declared_sizes() -> None:
    r = judge_not_modified(
        _link((64, 48), (32, 24)), NOT_MODIFIED, CACHED, CACHED.validators, Config()
    )
    assert (r.outcome, r.reason, r.cached) == (
        Outcome.BROKEN,
        Reason.IMAGE_DIMENSION_MISMATCH,
        True,
    )
    assert r.detail.startswith("declared 32x24, actual 64x48 (same aspect ratio")
    assert r.detail.endswith("; not modified since T0 (304)")


def test_judge_not_modified_keeps_a_probe_note() -> None:
    svg = ImageProbe("svg", None, None, None, None, 0, detail="SVG has no intrinsic size")
    cached = CachedImage(Validators('"s"'), svg, 200, None, "T0")
    outcome = HttpOutcome(304, "http://img.test/a.jpg", image=svg)
    r = judge_not_modified(_link((10, 10)), outcome, cached, cached.validators, Config())
    assert r.outcome is Outcome.OK
    assert r.detail == "SVG has no intrinsic size; not modified since T0 (304)"
