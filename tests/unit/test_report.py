"""Unit tests of the report stage (pure functions, no I/O)."""

from __future__ import annotations

import pytest

from linkcheck.models import (
    ArticleProblem,
    CheckResult,
    DeclaredSize,
    ImageProbe,
    ImageSummary,
    Link,
    LinkKind,
    Occurrence,
    Outcome,
    ProblemReason,
    Reason,
    RunInfo,
    SizeVerdict,
    Source,
)
from linkcheck.report.build import (
    OUTCOMES,
    build_report,
    explain,
    image_matches,
    is_image_link,
    summarize,
    verdict_at,
)

RUN = RunInfo(
    started_at="2026-01-01T00:00:00Z",
    finished_at="2026-01-01T00:00:10Z",
    duration_s=10.0,
    inputs=("content",),
    options={},
)


def occ(
    url: str,
    file: str = "a.md",
    field: str = "webUrl",
    line: int | None = 1,
    kind: LinkKind = LinkKind.PAGE,
    declared: DeclaredSize | None = None,
) -> Occurrence:
    return Occurrence(
        text=url, kind=kind, source=Source(file, field, line, "Title"), declared=declared
    )


def result(
    url: str,
    outcome: Outcome = Outcome.OK,
    reason: Reason | None = None,
    *,
    kind: LinkKind = LinkKind.PAGE,
    occurrences: tuple[Occurrence, ...] | None = None,
    **kw: object,
) -> CheckResult:
    if occurrences is None:
        occurrences = (occ(url, kind=kind),)
    verdicts: tuple[SizeVerdict | None, ...] = kw.pop("verdicts", ())  # type: ignore[assignment]
    return CheckResult(
        link=Link(url, kind, occurrences).with_verdicts(verdicts),
        outcome=outcome,
        reason=reason,
        http_status=kw.pop("http_status", 200 if outcome is Outcome.OK else None),  # type: ignore[arg-type]
        final_url=url,
        **kw,  # type: ignore[arg-type]
    )


def probe(width: int = 1000, height: int = 652, bytes_read: int = 100) -> ImageProbe:
    return ImageProbe("jpeg", width, height, width, height, bytes_read)


def verdict(matches: bool | None, aspect: bool | None = None) -> SizeVerdict:
    return SizeVerdict(500, 326, matches, aspect)


def image_result(
    url: str,
    verdicts: tuple[SizeVerdict | None, ...],
    outcome: Outcome = Outcome.OK,
    reason: Reason | None = None,
    image: ImageProbe | None = None,
) -> CheckResult:
    occurrences = tuple(
        occ(url, field=f"images[{i}].url", line=i + 1, kind=LinkKind.IMAGE)
        for i in range(len(verdicts))
    )
    return result(
        url,
        outcome,
        reason,
        kind=LinkKind.IMAGE,
        occurrences=occurrences,
        image=image if image is not None else probe(),
        verdicts=verdicts,
    )


def report_of(results, problems=()):  # type: ignore[no-untyped-def]
    return build_report(run=RUN, files=3, articles=2, results=results, problems=problems)


# --------------------------------------------------------------------------- build_report


def test_build_report_sorts_results_by_url_and_accepts_iterables() -> None:
    urls = ["https://c.example/", "https://a.example/", "https://b.example/"]
    rep = build_report(
        run=RUN,
        files=1,
        articles=1,
        results=(result(u) for u in urls),
        problems=iter(()),
    )
    assert [r.link.url for r in rep.results] == sorted(urls)
    assert isinstance(rep.results, tuple)
    assert isinstance(rep.problems, tuple)
    assert rep.files == 1 and rep.articles == 1 and rep.run is RUN


def test_build_report_sorts_problems() -> None:
    p = [
        ArticleProblem("b.md", ProblemReason.INVALID_YAML, "m"),
        ArticleProblem("a.md", ProblemReason.WRONG_TYPE, "m", field="images", line=9),
        ArticleProblem("a.md", ProblemReason.INVALID_DECLARED_SIZE, "m", field="images", line=3),
        ArticleProblem("a.md", ProblemReason.NOT_UTF8, "m"),
        ArticleProblem("a.md", ProblemReason.INVALID_DECLARED_SIZE, "m", field="images", line=None),
    ]
    rep = report_of([], p)
    assert [(x.file, x.field, x.line, x.reason.value) for x in rep.problems] == [
        ("a.md", None, None, "not_utf8"),
        ("a.md", "images", None, "invalid_declared_size"),
        ("a.md", "images", 3, "invalid_declared_size"),
        ("a.md", "images", 9, "wrong_type"),
        ("b.md", None, None, "invalid_yaml"),
    ]


def test_build_report_orders_occurrences_and_keeps_verdicts_paired() -> None:
    url = "https://img.example/x.png"
    occurrences = (
        occ(url, file="b.md", field="images[0].url", line=4, kind=LinkKind.IMAGE),
        occ(url, file="a.md", field="body", line=30, kind=LinkKind.IMAGE),
        occ(url, file="a.md", field="images[0].url", line=2, kind=LinkKind.IMAGE),
    )
    v_b, v_a30, v_a2 = verdict(True, True), verdict(False, True), verdict(None)
    r = result(
        url,
        kind=LinkKind.IMAGE,
        occurrences=occurrences,
        image=probe(),
        verdicts=(v_b, v_a30, v_a2),
    )
    (out,) = report_of([r]).results
    assert [(o.source.file, o.source.line) for o in out.link.occurrences] == [
        ("a.md", 2),
        ("a.md", 30),
        ("b.md", 4),
    ]
    assert out.verdicts == (v_a2, v_a30, v_b)


def test_build_report_is_deterministic_regardless_of_input_order() -> None:
    rs = [result(f"https://h{i % 7}.example/{i}") for i in range(50)]
    a = report_of(rs)
    b = report_of(list(reversed(rs)))
    assert a == b


# --------------------------------------------------------------------------- helpers


def test_image_matches() -> None:
    assert image_matches(image_result("u", (verdict(True), verdict(True)))) is True
    assert image_matches(image_result("u", (verdict(True), verdict(False)))) is False
    assert image_matches(image_result("u", (verdict(None), None))) is None
    assert image_matches(image_result("u", (verdict(True), verdict(None)))) is True
    assert image_matches(result("u")) is None


def test_verdict_at_tolerates_short_verdicts() -> None:
    r = image_result("u", (verdict(True),))
    assert verdict_at(r, 0) is r.verdicts[0]
    assert verdict_at(r, 1) is None
    assert verdict_at(result("u"), 0) is None


def test_is_image_link() -> None:
    assert is_image_link(image_result("u", (verdict(True),)))
    assert not is_image_link(result("u"))
    mixed = result("u", occurrences=(occ("u"), occ("u", field="body", kind=LinkKind.IMAGE)))
    assert is_image_link(mixed)


def test_explain() -> None:
    assert explain(result("u", detail="ignored when ok")) == ""
    assert explain(result("u", Outcome.BROKEN, Reason.HTTP_STATUS, http_status=404)) == "HTTP 404"
    assert (
        explain(result("u", Outcome.BROKEN, Reason.DNS, detail="  no such host  "))
        == "no such host"
    )
    for reason in Reason:
        assert explain(result("u", Outcome.BROKEN, reason, http_status=None)), reason


# --------------------------------------------------------------------------- summarize


def test_summarize_counts() -> None:
    page_ok = result(
        "https://a.example/",
        occurrences=(occ("https://a.example/"), occ("https://a.example", file="b.md")),
    )
    page_404 = result("https://b.example/", Outcome.BROKEN, Reason.HTTP_STATUS, http_status=404)
    amp_timeout = result("https://c.example/", Outcome.BROKEN, Reason.TIMEOUT, kind=LinkKind.AMP)
    blocked = result("https://d.example/", Outcome.WARNING, Reason.BLOCKED, http_status=403)
    skipped = result(
        "mailto:x@example.com", Outcome.SKIPPED, Reason.UNSUPPORTED_SCHEME, kind=LinkKind.OTHER
    )
    img_ok = image_result(
        "https://i.example/ok.png", (verdict(True, True),), image=probe(bytes_read=10)
    )
    img_resized = image_result(
        "https://i.example/resized.png",
        (verdict(True, True), verdict(False, True), verdict(False, False)),
        Outcome.BROKEN,
        Reason.IMAGE_DIMENSION_MISMATCH,
        image=probe(bytes_read=20),
    )
    img_other = image_result(
        "https://i.example/other.png",
        (verdict(False, False),),
        Outcome.BROKEN,
        Reason.IMAGE_DIMENSION_MISMATCH,
        image=probe(bytes_read=30),
    )
    img_unreadable = image_result(
        "https://i.example/bad.png",
        (verdict(None),),
        Outcome.BROKEN,
        Reason.IMAGE_UNREADABLE,
        image=ImageProbe(None, None, None, None, None, 40, error=Reason.IMAGE_UNREADABLE),
    )
    img_html = image_result(
        "https://i.example/html.png",
        (None,),
        Outcome.BROKEN,
        Reason.NOT_AN_IMAGE,
        image=ImageProbe(None, None, None, None, None, 50, error=Reason.NOT_AN_IMAGE),
    )
    img_unprobed = CheckResult(
        link=Link(
            "https://i.example/dns.png",
            LinkKind.IMAGE,
            (occ("https://i.example/dns.png", kind=LinkKind.IMAGE),),
        ),
        outcome=Outcome.BROKEN,
        reason=Reason.DNS,
        http_status=None,
        final_url=None,
    )
    rep = report_of(
        [
            page_ok,
            page_404,
            amp_timeout,
            blocked,
            skipped,
            img_ok,
            img_resized,
            img_other,
            img_unreadable,
            img_html,
            img_unprobed,
        ],
        [ArticleProblem("x.md", ProblemReason.INVALID_YAML, "bad")],
    )
    summary = summarize(rep)
    assert isinstance(summary.images, ImageSummary) and summary.outcomes["ok"] == 2
    s = summary.as_dict()
    assert list(s) == [
        "files",
        "articles",
        "unique_links",
        "occurrences",
        "outcomes",
        "reasons",
        "kinds",
        "problems",
        "images",
        "history",  # schema_version 2
    ]
    assert s["history"] is None  # no result carries history: the run kept no state
    assert s["files"] == 3 and s["articles"] == 2
    assert s["unique_links"] == 11
    assert s["occurrences"] == 2 + 1 + 1 + 1 + 1 + 1 + 3 + 1 + 1 + 1 + 1
    assert s["outcomes"] == {"ok": 2, "broken": 7, "warning": 1, "skipped": 1}
    assert list(s["outcomes"]) == list(OUTCOMES)
    assert s["reasons"] == {
        "blocked": 1,
        "dns": 1,
        "http_status": 1,
        "image_dimension_mismatch": 2,
        "image_unreadable": 1,
        "not_an_image": 1,
        "timeout": 1,
        "unsupported_scheme": 1,
    }
    assert list(s["reasons"]) == sorted(s["reasons"])
    assert list(s["kinds"]) == ["amp", "image", "other", "page"]
    assert s["kinds"]["image"] == {"total": 6, "ok": 1, "broken": 5, "warning": 0, "skipped": 0}
    assert s["kinds"]["page"] == {"total": 3, "ok": 1, "broken": 1, "warning": 1, "skipped": 0}
    assert list(s["kinds"]["amp"]) == ["total", "ok", "broken", "warning", "skipped"]
    assert s["problems"] == 1
    assert s["images"] == {
        "checked": 5,
        "mismatches": 2,
        "aspect_preserving_mismatches": 1,
        "unreadable": 1,
        "not_an_image": 1,
        "bytes_read": 150,
    }
    assert rep.exit_code == 1


def test_summarize_empty_report_has_all_keys() -> None:
    s = summarize(report_of([])).as_dict()
    assert s["outcomes"] == {"ok": 0, "broken": 0, "warning": 0, "skipped": 0}
    assert s["reasons"] == {} and s["kinds"] == {}
    assert s["unique_links"] == 0 and s["occurrences"] == 0
    assert set(s["images"].values()) == {0}
    assert report_of([]).exit_code == 0


def test_summarize_tolerates_odd_values() -> None:
    weird = CheckResult(
        link=Link("u", LinkKind.IMAGE, (occ("u", kind=LinkKind.IMAGE),)),
        outcome=Outcome.OK,
        reason=None,
        http_status=200,
        final_url="u",
        image=ImageProbe("png", 1, 1, 1, 1, bytes_read=float("nan")),  # type: ignore[arg-type]
    )
    rep = build_report(
        run=RUN,
        files=float("inf"),
        articles=None,  # type: ignore[arg-type]
        results=[weird],
        problems=[],
    )
    s = summarize(rep).as_dict()
    assert s["files"] == 0 and s["articles"] == 0
    assert s["images"]["bytes_read"] == 0 and s["images"]["checked"] == 1


@pytest.mark.parametrize("outcome", list(Outcome))
def test_exit_code(outcome: Outcome) -> None:
    rep = report_of([result("u", outcome)])
    assert rep.exit_code == (1 if outcome is Outcome.BROKEN else 0)


def test_report_repr_stays_short_however_many_results() -> None:
    # asyncio formats the repr of a finished main task's result when its loop closes: a full
    # dataclass repr of a large report would cost seconds and hundreds of MB at the end of a run
    report = report_of([result(f"https://example.org/{i}") for i in range(2000)])
    text = repr(report)
    assert len(text) < 200
    assert "results=<2000>" in text
    assert "example.org" not in text


# --------------------------------------------------------------------------- triage counts


def test_triage_summary_of_a_built_report_follows_each_citation() -> None:
    """build_report reorders occurrences; each keeps its own verdict, so the per-citation
    outcome (and the articles affected) are the same in any input order."""
    from linkcheck.report.triage import source_outcome, triage_summary

    url = "https://img.example/p.jpg"
    mixed = image_result(
        url,
        (verdict(True, True), verdict(False, True), verdict(False, False)),
        Outcome.BROKEN,
        Reason.IMAGE_DIMENSION_MISMATCH,
    )
    # given in reverse: images[2] (wrong, f2.md), images[1] (wrong, f1.md), images[0] (right,
    # f0.md); build_report sorts them back by file
    reversed_occurrences = tuple(
        Occurrence(
            o.text, o.kind, Source(f"f{2 - i}.md", o.source.field, 1, None), verdict=o.verdict
        )
        for i, o in enumerate(reversed(mixed.link.occurrences))
    )
    shuffled = CheckResult(
        link=Link(url, LinkKind.IMAGE, reversed_occurrences),
        outcome=mixed.outcome,
        reason=mixed.reason,
        http_status=200,
        final_url=url,
        image=probe(),
    )
    dead = result("https://gone.example/", Outcome.BROKEN, Reason.HTTP_STATUS, http_status=404)
    report = report_of([shuffled, dead])
    built = next(r for r in report.results if r.link.url == url)
    assert [(o.source.file, source_outcome(built, o).value) for o in built.link.occurrences] == [
        ("f0.md", "ok"),
        ("f1.md", "broken"),
        ("f2.md", "broken"),
    ]
    summary = triage_summary(report)
    assert summary == triage_summary(report.results)
    assert (summary.articles_affected, summary.files_affected) == (3, 3)  # f1, f2 and a.md
    assert summary.severities["critical"] == 1  # the dead webUrl
    assert summary.severities["medium"] == 1  # the image: one citation has another shape
    assert summarize(report).outcomes["broken"] == 2  # the link counts stay per link
