"""Unit tests of `linkcheck.report.diff` (pure: two hand-built Reports -> a ReportDiff) and of
the text rendering of `linkcheck diff`."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from linkcheck.cli.diff import render_text
from linkcheck.models import (
    CheckResult,
    ImageProbe,
    Link,
    LinkKind,
    Occurrence,
    Outcome,
    Reason,
    Report,
    RunInfo,
    Source,
    link_id,
)
from linkcheck.report.diff import CATEGORIES, CITED_MAX, ReportDiff, Status, diff_reports

RUN = RunInfo(
    started_at="2026-01-01T00:00:00Z",
    finished_at="2026-01-01T00:00:10Z",
    duration_s=10.0,
    inputs=("content",),
    options={},
)
U = "https://example.com/"


def res(
    path: str,
    outcome: Outcome = Outcome.OK,
    reason: Reason | None = None,
    status: int | None = 200,
    *,
    kind: LinkKind = LinkKind.PAGE,
    size: tuple[int, int] | None = None,
    cited: int = 1,
    field: str = "body",
) -> CheckResult:
    url = U + path
    occurrences = tuple(
        Occurrence(url, kind, Source(f"a{i}.md", field, i + 1, "T")) for i in range(cited)
    )
    image = None
    if size is not None:
        image = ImageProbe("png", size[0], size[1], size[0], size[1], 100)
    return CheckResult(
        link=Link(url, kind, occurrences),
        outcome=outcome,
        reason=reason,
        http_status=status,
        final_url=url,
        image=image,
    )


def broken(path: str, status: int | None = 404, reason: Reason = Reason.HTTP_STATUS, **kw: object):  # type: ignore[no-untyped-def]
    return res(path, Outcome.BROKEN, reason, status, **kw)  # type: ignore[arg-type]


def report(*results: CheckResult, **run: object) -> Report:
    return Report(run=replace(RUN, **run), files=1, articles=1, results=results)  # type: ignore[arg-type]


def urls(diff: ReportDiff, category: str) -> list[str]:
    return [c.url.removeprefix(U) for c in diff.category(category)]


def categories(diff: ReportDiff) -> dict[str, list[str]]:
    return {name: urls(diff, name) for name in CATEGORIES if diff.category(name)}


# --------------------------------------------------------------------------- categories


def test_every_category() -> None:
    old = report(
        res("same"),
        res("will-break"),
        broken("will-be-fixed"),
        broken("stays-404"),
        broken("404-to-410"),
        broken("404-to-dns"),
        res("ok-to-warning"),
        res("vanishes"),
        broken("vanishes-broken"),
    )
    new = report(
        res("same"),
        broken("will-break"),
        res("will-be-fixed"),
        broken("stays-404"),
        broken("404-to-410", 410),
        broken("404-to-dns", None, Reason.DNS),
        res("ok-to-warning", Outcome.WARNING, Reason.RATE_LIMITED, 429),
        res("new-ok"),
        broken("new-broken"),
    )
    d = diff_reports(old, new)
    assert categories(d) == {
        "new_broken": ["new-broken", "will-break"],
        "fixed": ["will-be-fixed"],
        "changed": ["404-to-410", "404-to-dns"],
        "still_broken": ["stays-404"],
        "verdict_changed": ["ok-to-warning"],
        "new_links": ["new-broken", "new-ok"],
        "vanished_links": ["vanishes", "vanishes-broken"],
    }
    assert d.unchanged == 1
    assert d.counts == {
        "new_broken": 2,
        "fixed": 1,
        "changed": 2,
        "still_broken": 1,
        "verdict_changed": 1,
        "not_compared": 0,
        "new_links": 2,
        "vanished_links": 2,
        "unchanged": 1,
    }
    assert (d.old.links, d.old.broken, d.new.links, d.new.broken) == (9, 5, 9, 5)


def test_each_change_carries_both_verdicts() -> None:
    d = diff_reports(
        report(broken("x"), res("y"), broken("gone")),
        report(broken("x", 410), broken("y", None, Reason.TIMEOUT), broken("new")),
    )
    (changed,) = d.changed
    assert changed.status is Status.CHANGED
    assert changed.old is not None and changed.new is not None
    assert (changed.old.http_status, changed.new.http_status) == (404, 410)
    assert changed.new.detail  # explain(): never empty for a broken link
    (newly, fresh) = sorted(d.new_broken, key=lambda c: c.url)
    assert fresh.url == U + "y" and fresh.old is not None and fresh.old.outcome is Outcome.OK
    assert fresh.new is not None and fresh.new.reason is Reason.TIMEOUT
    assert newly.url == U + "new" and newly.old is None and newly.status is Status.NEW_BROKEN
    (gone,) = d.vanished_links
    assert gone.new is None and gone.old is not None and gone.old.outcome is Outcome.BROKEN
    assert gone.kind is LinkKind.PAGE and gone.id == link_id(U + "gone")


@pytest.mark.parametrize(
    ("outcome", "reason"),
    [
        (Outcome.OK, None),
        (Outcome.WARNING, Reason.BLOCKED),
        (Outcome.SKIPPED, Reason.EXCLUDED),
    ],
)
def test_fixed_says_what_it_is_now(outcome: Outcome, reason: Reason | None) -> None:
    d = diff_reports(report(broken("x")), report(res("x", outcome, reason)))
    (fixed,) = d.fixed
    assert fixed.new is not None and (fixed.new.outcome, fixed.new.reason) == (outcome, reason)
    assert not d.new_broken


def test_image_resized_while_broken_is_changed() -> None:
    mismatch = Reason.IMAGE_DIMENSION_MISMATCH
    old = report(broken("i.png", 200, mismatch, kind=LinkKind.IMAGE, size=(800, 600)))
    new = report(broken("i.png", 200, mismatch, kind=LinkKind.IMAGE, size=(400, 300)))
    d = diff_reports(old, new)
    assert urls(d, "changed") == ["i.png"]
    (c,) = d.changed
    assert c.old is not None and c.new is not None
    assert (c.old.image_size, c.new.image_size) == ((800, 600), (400, 300))
    # the same size in both runs: still broken, not changed
    assert urls(diff_reports(old, old), "still_broken") == ["i.png"]


def test_image_resized_while_ok_is_a_verdict_change() -> None:
    old = report(res("i.png", kind=LinkKind.IMAGE, size=(800, 600)))
    new = report(res("i.png", kind=LinkKind.IMAGE, size=(801, 600)))
    assert categories(diff_reports(old, new)) == {"verdict_changed": ["i.png"]}


def test_ok_to_resized_image_is_new_broken() -> None:
    old = report(res("i.png", kind=LinkKind.IMAGE, size=(800, 600)))
    new = report(
        broken("i.png", 200, Reason.IMAGE_DIMENSION_MISMATCH, kind=LinkKind.IMAGE, size=(80, 60))
    )
    assert categories(diff_reports(old, new)) == {"new_broken": ["i.png"]}


def test_a_new_success_status_is_no_change() -> None:
    d = diff_reports(report(res("a", status=200)), report(res("a", status=203)))
    assert categories(d) == {} and d.unchanged == 1


def test_identical_reports_have_no_changes() -> None:
    r = report(res("a"), broken("b"), res("c", Outcome.WARNING, Reason.BLOCKED, 403))
    d = diff_reports(r, r)
    assert categories(d) == {"still_broken": ["b"]}
    assert d.unchanged == 2 and not d.partial


# --------------------------------------------------------------------------- edges


def test_empty_reports() -> None:
    d = diff_reports(report(), report())
    assert all(n == 0 for n in d.counts.values())
    assert d.as_dict()["counts"] == d.counts
    d = diff_reports(report(), report(res("a"), broken("b")))
    assert categories(d) == {"new_broken": ["b"], "new_links": ["a", "b"]}
    d = diff_reports(report(res("a"), broken("b")), report())
    assert categories(d) == {"vanished_links": ["a", "b"]}


def test_same_url_different_kind_is_one_link() -> None:
    """The join is by URL (linkcheck checks a URL once); the kind may change between runs."""
    old = report(res("x", kind=LinkKind.PAGE))
    new = report(broken("x", kind=LinkKind.IMAGE))
    d = diff_reports(old, new)
    assert categories(d) == {"new_broken": ["x"]}
    (c,) = d.new_broken
    assert c.old is not None and c.new is not None
    assert (c.old.kind, c.new.kind, c.kind) == (LinkKind.PAGE, LinkKind.IMAGE, LinkKind.IMAGE)


def test_duplicate_urls_in_a_hostile_report_first_row_wins() -> None:
    old = report(res("x"), broken("x"), res("x"))
    new = report(broken("x"), res("x"))
    d = diff_reports(old, new)
    assert (d.old.duplicates, d.new.duplicates) == (2, 1)
    assert (d.old.links, d.new.links) == (1, 1)
    assert categories(d) == {"new_broken": ["x"]}  # first old row ok, first new row broken


def test_a_non_string_url_does_not_break_sorting() -> None:
    odd = res("x")
    odd = replace(odd, link=replace(odd.link, url=123))  # type: ignore[arg-type]
    d = diff_reports(report(res("a")), report(res("a"), odd))
    assert [c.url for c in d.new_links] == ["123"]


def test_not_checked_links_are_not_compared() -> None:
    old = report(broken("a"), res("b"))
    new = report(
        res("a", Outcome.WARNING, Reason.NOT_CHECKED, None),
        res("b", Outcome.WARNING, Reason.NOT_CHECKED, None),
        interrupted=True,
    )
    d = diff_reports(old, new)
    assert categories(d) == {"not_compared": ["a", "b"]}  # never "fixed" by an interruption
    assert d.partial == ("NEW: the run was interrupted before every link was checked",)


def test_network_down_makes_it_partial() -> None:
    d = diff_reports(report(network_down="no host answered"), report())
    assert d.partial == ("OLD: the network was down (no host answered)",)
    assert d.as_dict()["partial"] == list(d.partial)


def test_citations_are_capped_and_counted() -> None:
    d = diff_reports(report(), report(broken("x", cited=CITED_MAX + 3)))
    (c,) = d.new_broken
    assert len(c.cited) == CITED_MAX and c.occurrences == CITED_MAX + 3
    assert (c.cited[0].file, c.cited[0].line, c.cited[0].field) == ("a0.md", 1, "body")


def test_vanished_links_are_cited_from_old() -> None:
    d = diff_reports(report(res("x", cited=2)), report())
    (c,) = d.vanished_links
    assert [x.file for x in c.cited] == ["a0.md", "a1.md"]


def test_new_broken_puts_a_dead_article_url_first() -> None:
    new = report(
        broken("a-body-link", field="body"),
        broken("z-article", field="webUrl"),
        broken("m-image", kind=LinkKind.IMAGE, field="images[0].url"),
    )
    assert urls(diff_reports(report(), new), "new_broken") == [
        "z-article",
        "m-image",
        "a-body-link",
    ]


def test_as_dict_is_json_and_complete() -> None:
    d = diff_reports(report(broken("a")), report(res("a"), broken("b")))
    doc = json.loads(json.dumps(d.as_dict()))
    assert doc["format"] == "linkcheck-diff" and doc["format_version"] == 1
    assert list(doc)[:6] == ["format", "format_version", "old", "new", "partial", "counts"]
    assert [k for k in doc if k in CATEGORIES] == list(CATEGORIES)
    (fixed,) = doc["fixed"]
    assert fixed == {
        "url": U + "a",
        "id": link_id(U + "a"),
        "kind": "page",
        "status": "fixed",
        "old": {
            "kind": "page",
            "outcome": "broken",
            "reason": "http_status",
            "http_status": 404,
            "detail": fixed["old"]["detail"],
            "image_size": None,
        },
        "new": {
            "kind": "page",
            "outcome": "ok",
            "reason": None,
            "http_status": 200,
            "detail": "",
            "image_size": None,
        },
        "cited": [{"file": "a0.md", "line": 1, "field": "body"}],
        "occurrences": 1,
    }
    assert doc["old"]["started_at"] == RUN.started_at and doc["old"]["inputs"] == ["content"]


# --------------------------------------------------------------------------- text


def test_text_sections_in_order_and_limited() -> None:
    old = report(*(broken(f"still-{i:02}") for i in range(15)), broken("fix"))
    new = report(*(broken(f"still-{i:02}") for i in range(15)), res("fix"), broken("new"))
    d = diff_reports(old, new)
    text = render_text(d, "old.json", "new.json", limit=3)
    assert text.splitlines()[0] == (
        "linkcheck diff: 1 new broken, 1 fixed, 15 still broken, 1 new links"
    )
    assert text.index("New broken (1") < text.index("Fixed (1)") < text.index("Still broken (15)")
    assert "still-02" in text and "still-03" not in text
    assert "... and 12 more (--all lists them)" in text
    assert "ok (http_status" not in text and "broken (http_status 404) \u2192 ok" in text
    full = render_text(d, "old.json", "new.json", limit=None)
    assert "still-14" in full and "more (--all" not in full
    assert "\x1b[" not in full
    assert "\x1b[" in render_text(d, "old.json", "new.json", limit=None, color=True)


def test_text_escapes_control_characters() -> None:
    evil = broken("x\x1b]0;pwned\x07")
    text = render_text(diff_reports(report(), report(evil)), "o", "n", limit=None)
    assert "\x1b" not in text and "\x07" not in text
    assert "\\u001b" in text


def test_text_of_no_changes() -> None:
    r = report(res("a"))
    text = render_text(diff_reports(r, r), "o", "n", limit=10)
    assert text.startswith("linkcheck diff: no changes\n")
    assert "1 link unchanged" in text
