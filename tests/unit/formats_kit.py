"""A small report with every kind of row the machine and CI formats must handle, hostile
values included (newlines, quotes, `<`, control characters, `::`, `,` and `%` in URLs, titles
and file names), for the tests of `linkcheck.formats` (test_formats_*.py)."""

from __future__ import annotations

from linkcheck.models import (
    CheckResult,
    DeclaredSize,
    History,
    HistoryStatus,
    Hop,
    HostStats,
    ImageProbe,
    Link,
    LinkKind,
    Occurrence,
    Outcome,
    Reason,
    Report,
    RunInfo,
    SizeVerdict,
    Source,
)

HOSTILE_URL = 'https://evil.example/a::b,c%25d?q="x"&<y>'
HOSTILE_TITLE = 'Line one\nline two "quoted" <b>&amp;</b> \x00\x1b[31m::error::=1+2'
HOSTILE_FILE = 'odd dir/we"ird,na::me <x>%.md'
FORMULA_TITLE = '=HYPERLINK("http://x")'


def occ(
    url: str,
    file: str = "a.md",
    field: str = "webUrl",
    line: int | None = 1,
    kind: LinkKind = LinkKind.PAGE,
    *,
    title: str | None = "A title",
    key: str | None = None,
    declared: DeclaredSize | None = None,
    verdict: SizeVerdict | None = None,
) -> Occurrence:
    return Occurrence(
        text=url,
        kind=kind,
        source=Source(file, field, line, title, key),
        declared=declared,
        verdict=verdict,
    )


def result(
    url: str,
    outcome: Outcome,
    reason: Reason | None,
    occurrences: tuple[Occurrence, ...],
    kind: LinkKind = LinkKind.PAGE,
    **kw: object,
) -> CheckResult:
    defaults: dict[str, object] = {
        "http_status": 200 if outcome is Outcome.OK else None,
        "final_url": url,
        "attempts": 1,
        "elapsed": 0.0123,
        "checked_at": "2026-01-01T03:00:30Z",
    }
    defaults.update(kw)
    return CheckResult(Link(url, kind, occurrences), outcome, reason, **defaults)  # type: ignore[arg-type]


def run_info(**kw: object) -> RunInfo:
    base: dict[str, object] = {
        "started_at": "2026-01-01T03:00:00Z",
        "finished_at": "2026-01-01T03:01:05Z",
        "duration_s": 65.5,
        "inputs": ("content",),
        "options": {"timeout": 10.0},
        "hosts": (
            HostStats("ok.example", requests=5),
            HostStats("img.example", requests=2, responses_429=1),
            HostStats("evil.example", requests=1),
        ),
    }
    base.update(kw)
    return RunInfo(**base)  # type: ignore[arg-type]


def resized_verdict(w: int, h: int, matches: bool, aspect: bool | None) -> SizeVerdict:
    return SizeVerdict(
        declared_width=w, declared_height=h, matches=matches, aspect_ratio_matches=aspect
    )


def sample_results() -> tuple[CheckResult, ...]:
    img = "https://img.example/photo.jpg"
    probe = ImageProbe("jpeg", 64, 48, 64, 48, 4096)
    rotated = ImageProbe("jpeg", 48, 32, 32, 48, 2048, orientation=6)
    return (
        result("https://ok.example/", Outcome.OK, None, (occ("https://ok.example/"),)),
        result(
            "https://ok.example/dead",
            Outcome.BROKEN,
            Reason.HTTP_STATUS,
            (
                occ("https://ok.example/dead", "b.md", "webUrl", 2, key="b-key"),
                occ("https://ok.example/dead", "a.md", "related[0].webUrl", 9),
            ),
            http_status=404,
            detail="HTTP 404",
            history=History(
                HistoryStatus.NEWLY_BROKEN, "2026-01-01T03:00:00Z", "2026-01-01T03:00:00Z", 1, None
            ),
        ),
        result(
            img,
            Outcome.BROKEN,
            Reason.IMAGE_DIMENSION_MISMATCH,
            (
                occ(
                    img,
                    "a.md",
                    "images[0].url",
                    5,
                    LinkKind.IMAGE,
                    declared=DeclaredSize(64, 48),
                    verdict=resized_verdict(64, 48, True, True),
                ),
                occ(
                    img,
                    "c.md",
                    "images[0].url",
                    7,
                    LinkKind.IMAGE,
                    declared=DeclaredSize(32, 24),
                    verdict=resized_verdict(32, 24, False, True),
                ),
            ),
            LinkKind.IMAGE,
            http_status=206,
            detail="declared 32x24, actual 64x48",
            image=probe,
        ),
        result(
            "https://img.example/rotated.jpg",
            Outcome.OK,
            None,
            (
                occ(
                    "https://img.example/rotated.jpg",
                    "a.md",
                    "images[1].url",
                    6,
                    LinkKind.IMAGE,
                    declared=DeclaredSize(32, 48),
                    verdict=resized_verdict(32, 48, True, True),
                ),
            ),
            LinkKind.IMAGE,
            http_status=206,
            image=rotated,
            cached=True,
        ),
        result(
            "http://ok.example/moved",
            Outcome.OK,
            None,
            (occ("http://ok.example/moved", "a.md", "body", 20, LinkKind.OTHER),),
            LinkKind.OTHER,
            final_url="https://ok.example/new",
            redirects=(Hop("http://ok.example/moved", 301),),
        ),
        result(
            "https://ok.example/busy",
            Outcome.WARNING,
            Reason.RATE_LIMITED,
            (occ("https://ok.example/busy", "a.md", "body", 21, LinkKind.OTHER),),
            LinkKind.OTHER,
            http_status=429,
        ),
        result(
            "mailto:someone@example.com",
            Outcome.SKIPPED,
            Reason.UNSUPPORTED_SCHEME,
            (occ("mailto:someone@example.com", "a.md", "body", 22, LinkKind.OTHER),),
            LinkKind.OTHER,
        ),
        result(
            HOSTILE_URL,
            Outcome.BROKEN,
            Reason.HTTP_STATUS,
            (
                occ(HOSTILE_URL, HOSTILE_FILE, "body", 3, LinkKind.OTHER, title=HOSTILE_TITLE),
                occ(HOSTILE_URL, "d.md", "body", None, LinkKind.OTHER, title=FORMULA_TITLE),
            ),
            LinkKind.OTHER,
            http_status=500,
            detail="server said: <html>\x00\r\n%0A::warning::",
        ),
        result("https://ok.example/orphan", Outcome.BROKEN, Reason.TIMEOUT, ()),
    )


def sample_report(**run: object) -> Report:
    return Report(run=run_info(**run), files=5, articles=5, results=sample_results())


def broken_citations(report: Report) -> int:
    """Citations that are broken: every citation of a broken link, except for a size mismatch
    only those whose declared size is wrong; a broken link with no citation counts once."""
    n = 0
    for r in report.results:
        if r.outcome is not Outcome.BROKEN:
            continue
        if r.reason is Reason.IMAGE_DIMENSION_MISMATCH:
            n += sum(1 for o in r.link.occurrences if o.verdict and o.verdict.matches is False)
        else:
            n += max(len(r.link.occurrences), 1)
    return n
