"""Triage rules (report/triage.py): one test per severity rule, every permanent-redirect case,
per-citation outcomes and the summary counts."""

from __future__ import annotations

import pytest

from linkcheck.models import (
    CheckResult,
    History,
    HistoryStatus,
    Hop,
    Link,
    LinkKind,
    Occurrence,
    Outcome,
    Reason,
    SizeVerdict,
    Source,
)
from linkcheck.report.triage import (
    MANY_ARTICLES,
    TRANSIENT_RUNS,
    Severity,
    permanent_redirect,
    severity,
    source_outcome,
    triage_summary,
)

URL = "https://news.example/a"


def occ(
    field: str = "body",
    file: str = "a.md",
    kind: LinkKind = LinkKind.OTHER,
    key: str | None = None,
    verdict: SizeVerdict | None = None,
) -> Occurrence:
    return Occurrence(URL, kind, Source(file, field, 3, "T", key), verdict=verdict)


def res(
    outcome: Outcome = Outcome.BROKEN,
    reason: Reason | None = Reason.HTTP_STATUS,
    *,
    kind: LinkKind = LinkKind.OTHER,
    occurrences: tuple[Occurrence, ...] | None = None,
    status: int | None = 404,
    redirects: tuple[Hop, ...] = (),
    final_url: str | None = None,
    history: History | None = None,
) -> CheckResult:
    return CheckResult(
        link=Link(URL, kind, occurrences if occurrences is not None else (occ(kind=kind),)),
        outcome=outcome,
        reason=reason,
        http_status=status,
        final_url=final_url if final_url is not None else URL,
        redirects=redirects,
        history=history,
    )


def ok(**kw: object) -> CheckResult:
    return res(Outcome.OK, None, status=200, **kw)  # type: ignore[arg-type]


def mismatch(*verdicts: SizeVerdict | None) -> CheckResult:
    occurrences = tuple(
        occ("images[0].url", f"{i}.md", LinkKind.IMAGE, verdict=v) for i, v in enumerate(verdicts)
    )
    return res(
        Outcome.BROKEN,
        Reason.IMAGE_DIMENSION_MISMATCH,
        kind=LinkKind.IMAGE,
        occurrences=occurrences,
        status=200,
    )


def size(matches: bool | None, aspect: bool | None) -> SizeVerdict:
    return SizeVerdict(500, 300, matches, aspect)


def history(failing_runs: int) -> History:
    return History(HistoryStatus.STILL_BROKEN, "2026-01-01T00:00:00Z", None, failing_runs, None)


# --------------------------------------------------------------------------- severity rules


def test_severity_order_is_most_urgent_first() -> None:
    assert [s.value for s in Severity] == ["critical", "high", "medium", "low", "none"]


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (ok(), Severity.NONE),
        (res(Outcome.SKIPPED, Reason.EXCLUDED, status=None), Severity.NONE),
        (res(Outcome.WARNING, Reason.NOT_CHECKED, status=None), Severity.NONE),
        (res(Outcome.WARNING, Reason.BLOCKED, status=403), Severity.LOW),
        (res(Outcome.WARNING, Reason.RATE_LIMITED, status=429), Severity.LOW),
        (res(Outcome.WARNING, Reason.INTERNAL_ERROR, status=None), Severity.LOW),
        (
            ok(redirects=(Hop(URL, 301),), final_url="https://news.example/b"),
            Severity.LOW,
        ),
    ],
    ids=["ok", "skipped", "not_checked", "blocked", "rate_limited", "internal", "301"],
)
def test_not_broken(result: CheckResult, expected: Severity) -> None:
    assert severity(result) is expected


def test_dead_own_url_is_critical_wherever_else_it_is_cited() -> None:
    for field in ("webUrl", "ampWebUrl"):
        own = res(kind=LinkKind.PAGE, occurrences=(occ("body", "b.md"), occ(field)))
        assert severity(own) is Severity.CRITICAL
    # the same URL only cited as a related article's webUrl: medium
    related = res(kind=LinkKind.PAGE, occurrences=(occ("related[0].webUrl"),))
    assert severity(related) is Severity.MEDIUM


@pytest.mark.parametrize(
    ("kind", "reason", "expected"),
    [
        (LinkKind.IMAGE, Reason.HTTP_STATUS, Severity.HIGH),
        (LinkKind.IMAGE, Reason.NOT_AN_IMAGE, Severity.HIGH),
        (LinkKind.IMAGE, Reason.DNS, Severity.HIGH),
        (LinkKind.IMAGE, Reason.IMAGE_UNREADABLE, Severity.MEDIUM),
        (LinkKind.AMP_CACHE, Reason.HTTP_STATUS, Severity.HIGH),
        (LinkKind.OTHER, Reason.HTTP_STATUS, Severity.MEDIUM),
        (LinkKind.OTHER, Reason.REDIRECT_LOOP, Severity.MEDIUM),
        (LinkKind.PAGE, Reason.TLS, Severity.MEDIUM),  # not an own URL
    ],
)
def test_broken_by_kind_and_reason(kind: LinkKind, reason: Reason, expected: Severity) -> None:
    assert severity(res(reason=reason, kind=kind)) is expected


def test_resized_copy_is_low_and_another_shape_is_medium() -> None:
    assert severity(mismatch(size(False, True), size(True, True))) is Severity.LOW
    assert severity(mismatch(size(False, True), size(False, False))) is Severity.MEDIUM
    # a citation with another aspect ratio that still matches in size does not count
    assert severity(mismatch(size(False, True), size(None, None))) is Severity.LOW


def test_dead_web_url_beats_the_most_cited_resized_image() -> None:
    many = mismatch(*[size(False, True)] * (MANY_ARTICLES + 5))
    dead = res(kind=LinkKind.PAGE, occurrences=(occ("webUrl"),))
    order = list(Severity)
    assert order.index(severity(dead)) < order.index(severity(many))
    assert severity(many) is Severity.LOW  # size mismatches are never raised


@pytest.mark.parametrize(
    ("reason", "status"),
    [
        (Reason.TIMEOUT, None),
        (Reason.CONNECT, None),
        (Reason.PROTOCOL_ERROR, None),
        (Reason.HTTP_STATUS, 503),
        (Reason.HTTP_STATUS, 429),
    ],
)
def test_transient_failure_is_one_level_lower_until_it_repeats(
    reason: Reason, status: int | None
) -> None:
    own = (occ("webUrl"),)
    first = res(reason=reason, status=status, kind=LinkKind.PAGE, occurrences=own)
    assert severity(first) is Severity.HIGH
    again = res(
        reason=reason,
        status=status,
        kind=LinkKind.PAGE,
        occurrences=own,
        history=history(TRANSIENT_RUNS),
    )
    assert severity(again) is Severity.CRITICAL
    once = res(reason=reason, status=status, history=history(1))
    assert severity(once) is Severity.LOW  # medium, lowered; never below low


def test_definite_failures_are_not_discounted() -> None:
    for status in (404, 410, 403):
        assert severity(res(status=status, kind=LinkKind.IMAGE)) is Severity.HIGH


def test_many_articles_raise_one_level_up_to_high() -> None:
    n = MANY_ARTICLES
    body = tuple(occ("body", f"{i}.md") for i in range(n))
    assert severity(res(occurrences=body)) is Severity.HIGH
    one_short = tuple(occ("body", f"{i}.md") for i in range(n - 1))
    assert severity(res(occurrences=one_short)) is Severity.MEDIUM
    # many citations in ONE article are one fix: not raised
    same_article = tuple(occ("body", "a.md") for _ in range(n * 2))
    assert severity(res(occurrences=same_article)) is Severity.MEDIUM
    # articles are told apart by article_key first: two keys in one file are two articles
    keyed = tuple(occ("body", "all.md", key=f"k{i}") for i in range(n))
    assert severity(res(occurrences=keyed)) is Severity.HIGH
    # images go high -> high; an own URL stays critical (never above critical)
    images = tuple(occ("images[0].url", f"{i}.md", LinkKind.IMAGE) for i in range(n))
    assert severity(res(kind=LinkKind.IMAGE, occurrences=images)) is Severity.HIGH
    own = (occ("webUrl"), *body)
    assert severity(res(kind=LinkKind.PAGE, occurrences=own)) is Severity.CRITICAL
    # a transient failure in many articles: lowered, then raised again
    assert severity(res(reason=Reason.TIMEOUT, status=None, occurrences=body)) is Severity.MEDIUM


# --------------------------------------------------------------------------- permanent redirects

B = "https://news.example/b"
C = "https://news.example/c"


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ((301,), C),
        ((308,), C),
        ((301, 308), C),
        ((302,), None),
        ((307,), None),
        ((303,), None),
        ((302, 301), None),  # the first hop is temporary: the original URL is the stable one
        ((301, 302), B),  # moved permanently to B, which redirects temporarily onwards
        ((308, 307), B),
    ],
)
def test_permanent_redirect_chains(statuses: tuple[int, ...], expected: str | None) -> None:
    urls = [URL, B, C][: len(statuses)]
    hops = tuple(Hop(u, s) for u, s in zip(urls, statuses, strict=True))
    result = ok(redirects=hops, final_url=C)
    assert permanent_redirect(result) == expected
    assert severity(result) is (Severity.LOW if expected else Severity.NONE)


def test_no_redirect_no_suggestion() -> None:
    assert permanent_redirect(ok()) is None


def test_chain_ending_broken_suggests_nothing() -> None:
    dead = res(redirects=(Hop(URL, 301),), final_url=B, status=404)
    assert permanent_redirect(dead) is None
    warned = res(Outcome.WARNING, Reason.RATE_LIMITED, redirects=(Hop(URL, 301),), final_url=B)
    assert permanent_redirect(warned) is None


def test_moved_image_with_a_wrong_declared_size_still_suggests_the_new_url() -> None:
    moved = mismatch(size(False, True))
    moved = CheckResult(
        link=moved.link,
        outcome=moved.outcome,
        reason=moved.reason,
        http_status=200,
        final_url=B,
        redirects=(Hop(URL, 301),),
    )
    assert permanent_redirect(moved) == B


def test_redirect_back_to_itself_suggests_nothing() -> None:
    assert permanent_redirect(ok(redirects=(Hop(URL, 301),), final_url=URL)) is None


# --------------------------------------------------------------------------- per-citation outcome


def test_source_outcome_follows_the_link_except_for_size_verdicts() -> None:
    dead = res()
    assert source_outcome(dead, dead.link.occurrences[0]) is Outcome.BROKEN
    fine = ok()
    assert source_outcome(fine, fine.link.occurrences[0]) is Outcome.OK
    mixed = mismatch(size(False, True), size(True, True), None, size(None, None))
    assert [source_outcome(mixed, o) for o in mixed.link.occurrences] == [
        Outcome.BROKEN,
        Outcome.OK,  # its own declared size is right
        Outcome.OK,  # declared no size (e.g. a body <img>): the image itself loads
        Outcome.OK,  # declared size unusable (an input problem, reported there)
    ]
    warned = res(Outcome.WARNING, Reason.BLOCKED, status=403)
    assert source_outcome(warned, warned.link.occurrences[0]) is Outcome.WARNING


# --------------------------------------------------------------------------- summary


def test_triage_summary_counts() -> None:
    dead_page = res(kind=LinkKind.PAGE, occurrences=(occ("webUrl", "a.md", key="A"),))
    dead_body = res(occurrences=(occ("body", "a.md", key="A"), occ("body", "b.md", key="B")))
    resized = mismatch(size(False, True), size(True, True))  # 0.md broken, 1.md fine
    moved = ok(redirects=(Hop(URL, 308),), final_url=B)
    moved_image = CheckResult(
        link=mismatch(size(True, True)).link,
        outcome=Outcome.OK,
        reason=None,
        http_status=200,
        final_url=C,
        redirects=(Hop(URL, 301),),
    )
    temporary = ok(redirects=(Hop(URL, 302),), final_url=B)
    blocked = res(Outcome.WARNING, Reason.BLOCKED, occurrences=(occ("body", "w.md"),))
    summary = triage_summary(
        [dead_page, dead_body, resized, moved, moved_image, temporary, blocked]
    )
    assert summary.as_dict() == {
        "severities": {"critical": 1, "high": 0, "medium": 1, "low": 4, "none": 1},
        "permanent_redirects": 2,
        "articles_affected": 3,  # A (two broken links, one article), B, and 0.md
        "files_affected": 3,  # a.md, b.md, 0.md; not 1.md (its size is right), not w.md
    }
    assert list(summary.as_dict()["severities"]) == [s.value for s in Severity]  # type: ignore[call-overload]


def test_triage_summary_of_nothing() -> None:
    assert triage_summary([]).as_dict() == {
        "severities": {"critical": 0, "high": 0, "medium": 0, "low": 0, "none": 0},
        "permanent_redirects": 0,
        "articles_affected": 0,
        "files_affected": 0,
    }


def test_articles_fall_back_to_files_without_a_key() -> None:
    results = [
        res(occurrences=(occ("body", "a.md"), occ("related[0].webUrl", "a.md"))),
        res(occurrences=(occ("body", "b.md", key="K"), occ("body", "c.md", key="K"))),
    ]
    summary = triage_summary(results)
    assert (summary.articles_affected, summary.files_affected) == (2, 3)


def test_plain_strings_and_odd_history_are_judged_like_enums() -> None:
    """Results built by hand (or read from an odd report) may hold plain strings."""
    plain = CheckResult(
        link=Link(URL, "image", (occ("images[0].url", kind="image"),)),  # type: ignore[arg-type]
        outcome="broken",  # type: ignore[arg-type]
        reason="timeout",  # type: ignore[arg-type]
        http_status=None,
        final_url=None,
        history=History(HistoryStatus.STILL_BROKEN, "x", None, "3", None),  # type: ignore[arg-type]
    )
    assert severity(plain) is Severity.MEDIUM  # a broken image (high), transient: one lower
    assert source_outcome(plain, plain.link.occurrences[0]) == Outcome.BROKEN
    ok_plain = CheckResult(
        link=Link(URL, "other", (occ(),)),  # type: ignore[arg-type]
        outcome="ok",  # type: ignore[arg-type]
        reason=None,
        http_status=200,
        final_url=B,
        redirects=(Hop(URL, 301),),
    )
    assert severity(ok_plain) is Severity.LOW and permanent_redirect(ok_plain) == B
