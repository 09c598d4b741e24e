"""AMP pairs (collect.pairs) and the article-level AMP findings (news.amp), with constructed
results carrying page facts: no server, no event loop."""

from __future__ import annotations

from dataclasses import replace

from linkcheck.collect.extract import extract
from linkcheck.collect.library import Collected, collect, parse_article
from linkcheck.collect.pairs import amp_pairs
from linkcheck.config import Config
from linkcheck.models import (
    Article,
    CheckResult,
    FindingCheck,
    Link,
    LinkKind,
    Outcome,
    PageFacts,
    PairField,
    Reason,
)
from linkcheck.news.amp import article_findings

WEB = "https://news.example/story"
AMP = "https://amp.news.example/story"
CACHE = "https://amp-news-example.cdn.ampproject.org/c/s/amp.news.example/story"

ARTICLE = f"""---
title: Top
webUrl: "{WEB}"
ampWebUrl: "{AMP}"
cdnAmpWebUrl: "{CACHE}"
related:
  - title: one
    webUrl: "https://other.example/one"
  - title: two
    webUrl: "https://other.example/two"
    ampWebUrl: "https://other.example/two/amp"
  - title: three
    cdnAmpWebUrl: "https://elsewhere.example/c/s/x"
---
Body with [a link](https://news.example/story).
"""


def _article(text: str = ARTICLE, name: str = "a.md") -> Article:
    article = parse_article(name, text)
    assert isinstance(article, Article)
    return article


def _pairs(text: str = ARTICLE, config: Config | None = None) -> list[PairField | None]:
    article = _article(text)
    links, _ = extract(article)
    out: list[PairField | None] = []
    for pair in amp_pairs(article, links, config or Config()):
        out.extend((pair.web, pair.amp, pair.cache))
    return out


# --------------------------------------------------------------------------- amp_pairs


def test_pairs_group_by_entry_and_skip_entries_without_amp() -> None:
    article = _article()
    links, _ = extract(article)
    pairs = amp_pairs(article, links, Config())
    assert len(pairs) == 3  # top, related[1], related[2]; related[0] has neither AMP URL
    top, two, three = pairs
    assert top.file == "a.md"
    assert top.web == PairField(WEB, WEB, "webUrl", 3)
    assert top.amp == PairField(AMP, AMP, "ampWebUrl", 4)
    assert top.cache is not None and top.cache.field == "cdnAmpWebUrl" and top.cache.line == 5
    assert two.web is not None and two.web.field == "related[1].webUrl"
    assert two.amp is not None and two.amp.normalized == "https://other.example/two/amp"
    assert two.cache is None
    assert three.web is None and three.amp is None
    assert three.cache is not None and three.cache.field == "related[2].cdnAmpWebUrl"


def test_pairs_keep_the_request_url_or_none() -> None:
    text = ARTICLE.replace(
        f'ampWebUrl: "{AMP}"', 'ampWebUrl: "HTTPS://AMP.News.Example:443/story#x"'
    )
    text = text.replace(f'cdnAmpWebUrl: "{CACHE}"', 'cdnAmpWebUrl: "not a url"')
    top = _pairs(text)[:3]
    assert top[1] is not None and top[1].url == "HTTPS://AMP.News.Example:443/story#x"
    assert top[1].normalized == AMP
    assert top[2] is not None and top[2].url == "not a url" and top[2].normalized is None


def test_pairs_use_link_kinds_and_the_related_name_from_the_field_mapping() -> None:
    from linkcheck.models import RawLink, Source  # noqa: PLC0415

    article = _article()

    def raw(text: str, kind: LinkKind, field: str) -> RawLink:
        return RawLink(text, kind, Source("a.md", field, 7, "t"))

    links = [
        raw(WEB, LinkKind.PAGE, "links.web"),
        raw(AMP, LinkKind.AMP, "links.amp"),
        raw("https://x.example/1", LinkKind.PAGE, "stories[0].url"),
        raw("https://x.example/1/amp", LinkKind.AMP, "stories[0].amp"),
        raw("https://x.example/ignored", LinkKind.OTHER, "stories[0].ampWebUrl"),
        raw("https://x.example/body", LinkKind.AMP, "body"),
    ]
    config = Config(fields={"related": "stories"})
    pairs = amp_pairs(article, links, config)
    assert [(p.web and p.web.field, p.amp and p.amp.field) for p in pairs] == [
        ("links.web", "links.amp"),
        ("stories[0].url", "stories[0].amp"),
    ]


def test_no_pairs_kept_when_amp_checks_are_off() -> None:
    article = _article()
    links, _ = extract(article)
    assert amp_pairs(article, links, Config(amp_checks=False)) == []


def test_collect_gathers_pairs_for_every_article() -> None:
    collected = collect([], [("a.md", ARTICLE), ("b.md", ARTICLE)], Config())
    assert [p.file for p in collected.pairs] == ["a.md"] * 3 + ["b.md"] * 3


# --------------------------------------------------------------------------- findings


def _result(
    url: str,
    kind: LinkKind = LinkKind.PAGE,
    *,
    page: PageFacts | None = None,
    outcome: Outcome = Outcome.OK,
    status: int = 200,
    final: str | None = None,
) -> CheckResult:
    reason = None if outcome is Outcome.OK else Reason.HTTP_STATUS
    return CheckResult(Link(url, kind, ()), outcome, reason, status, final or url, page=page)


def _amp_page(canonical: str | None = WEB, amp: bool = True) -> PageFacts:
    return PageFacts(amp=amp, canonical=canonical)


def _web_page(amphtml: str | None = AMP) -> PageFacts:
    return PageFacts(amp=False, canonical=WEB, amphtml=amphtml)


TOP_ONLY = f"""---
title: Top
webUrl: "{WEB}"
ampWebUrl: "{AMP}"
cdnAmpWebUrl: "{CACHE}"
---
"""


def _findings(
    results: list[CheckResult], text: str = TOP_ONLY, config: Config | None = None
) -> list[tuple[str, str | None, int | None, str | None, str | None]]:
    config = config or Config()
    collected: Collected = collect([], [("a.md", text)], config)
    return [
        (f.check.value, f.field, f.line, f.expected, f.actual)
        for f in article_findings(collected, results, config)
    ]


def _healthy() -> list[CheckResult]:
    return [
        _result(WEB, page=_web_page()),
        _result(AMP, LinkKind.AMP, page=_amp_page()),
        _result(CACHE, LinkKind.AMP_CACHE),
    ]


def test_a_healthy_pair_has_no_findings() -> None:
    assert _findings(_healthy()) == []


def test_wrong_cache_url_is_found_offline() -> None:
    wrong = "https://amp-news-example.cdn.ampproject.org/c/s/amp.news.example/other"
    text = TOP_ONLY.replace(CACHE, wrong)
    assert _findings([], text) == [("amp_cache_url", "cdnAmpWebUrl", 5, CACHE, wrong)]
    # the wrong host on the cache is found too; a cache URL on another host is not judged
    bad_host = CACHE.replace("amp-news-example", "news-example")
    assert _findings([], TOP_ONLY.replace(CACHE, bad_host))[0][4] == bad_host
    assert _findings([], TOP_ONLY.replace(CACHE, "https://cache.example/c/s/x")) == []


def test_cache_url_accepts_equivalent_spellings() -> None:
    for spelling in (
        CACHE.replace("https://amp-news-example.cdn", "HTTPS://AMP-NEWS-EXAMPLE.CDN"),
        CACHE + "#top",
    ):
        assert _findings([], TOP_ONLY.replace(CACHE, spelling)) == [], spelling
    root = TOP_ONLY.replace(AMP, "https://amp.news.example/").replace(
        CACHE, "https://amp-news-example.cdn.ampproject.org/c/s/amp.news.example"
    )
    assert _findings([], root) == []  # a root path with or without its "/"


def test_cache_url_of_a_bing_cache_uses_that_cache() -> None:
    bing = "https://amp-news-example.www.bing-amp.com/c/s/amp.news.example/story"
    assert _findings([], TOP_ONLY.replace(CACHE, bing)) == []
    wrong = bing.replace("/story", "/x")
    assert _findings([], TOP_ONLY.replace(CACHE, wrong)) == [
        ("amp_cache_url", "cdnAmpWebUrl", 5, bing, wrong)
    ]


def test_amp_page_that_is_not_amp() -> None:
    results = _healthy()
    results[1] = _result(AMP, LinkKind.AMP, page=_amp_page(amp=False))
    assert _findings(results) == [
        ("amp_not_amp", "ampWebUrl", 4, "<html amp> or <html \u26a1>", "no amp attribute on <html>")
    ]


def test_an_amp_url_redirecting_to_a_page_that_is_not_amp_says_so() -> None:
    results = _healthy()
    results[1] = _result(AMP, LinkKind.AMP, page=_amp_page(amp=False), final=WEB)
    collected = collect([], [("a.md", TOP_ONLY)], Config())
    (finding,) = article_findings(collected, results, Config())
    assert finding.check is FindingCheck.AMP_NOT_AMP
    assert f"ampWebUrl (it redirects to {WEB}) is not AMP" in finding.message


def test_canonical_elsewhere_or_missing() -> None:
    results = _healthy()
    results[1] = _result(AMP, LinkKind.AMP, page=_amp_page("https://news.example/other"))
    assert _findings(results) == [
        ("amp_canonical", "ampWebUrl", 4, WEB, "https://news.example/other")
    ]
    results[1] = _result(AMP, LinkKind.AMP, page=_amp_page(None))
    assert _findings(results) == [("amp_canonical", "ampWebUrl", 4, WEB, None)]


def test_canonical_compared_normalised_and_after_the_web_redirect() -> None:
    results = _healthy()
    results[1] = _result(AMP, LinkKind.AMP, page=_amp_page("HTTPS://NEWS.example:443/story#c"))
    assert _findings(results) == []
    home = "https://www.news.example/2020/story"
    results[0] = _result(WEB, page=_web_page(), final=home)
    results[1] = _result(AMP, LinkKind.AMP, page=_amp_page(home))
    assert _findings(results) == []


def test_tracking_parameters_do_not_count() -> None:
    tracked = f"{WEB}?utm_source=feed&id=7&fbclid=x"
    text = TOP_ONLY.replace(f'webUrl: "{WEB}"', f'webUrl: "{tracked}"')
    results = _healthy()
    results[0] = _result(tracked, page=_web_page())
    results[1] = _result(AMP, LinkKind.AMP, page=_amp_page(f"{WEB}?id=7"))
    assert _findings(results, text) == []
    results[1] = _result(AMP, LinkKind.AMP, page=_amp_page(WEB))  # id=7 is no tracking
    assert [f[0] for f in _findings(results, text)] == ["amp_canonical"]


def test_amphtml_missing_or_elsewhere() -> None:
    results = _healthy()
    results[0] = _result(WEB, page=_web_page(None))
    assert _findings(results) == [("amphtml_missing", "webUrl", 3, AMP, None)]
    results[0] = _result(WEB, page=_web_page("https://amp.news.example/old"))
    assert _findings(results) == [
        ("amphtml_missing", "webUrl", 3, AMP, "https://amp.news.example/old")
    ]
    moved = "https://amp.news.example/v2/story"  # the AMP URL redirects there: accepted
    results[0] = _result(WEB, page=_web_page(moved))
    results[1] = _result(AMP, LinkKind.AMP, page=_amp_page(), final=moved)
    assert _findings(results) == []


def test_dead_or_unread_pages_are_not_judged_again() -> None:
    not_amp = _result(AMP, LinkKind.AMP, page=_amp_page(None, amp=False))
    no_amphtml = _result(WEB, page=_web_page(None))
    for web, amp in (
        (replace(no_amphtml, page=None), replace(not_amp, page=None)),  # heads not read
        (
            replace(no_amphtml, outcome=Outcome.BROKEN, reason=Reason.HTTP_STATUS),
            replace(not_amp, outcome=Outcome.BROKEN, reason=Reason.HTTP_STATUS),
        ),
        (
            replace(no_amphtml, outcome=Outcome.WARNING, http_status=403),
            replace(not_amp, outcome=Outcome.WARNING, http_status=403),
        ),
    ):
        assert _findings([web, amp]) == []
    # a dead AMP page: the article page is not blamed for a missing amphtml link
    dead_amp = replace(not_amp, outcome=Outcome.BROKEN, reason=Reason.HTTP_STATUS)
    assert _findings([no_amphtml, dead_amp]) == []
    # a dead article page: the AMP page's canonical is not judged against it
    odd = _result(AMP, LinkKind.AMP, page=_amp_page("https://elsewhere.example/"))
    dead_web = replace(_result(WEB), outcome=Outcome.BROKEN, reason=Reason.HTTP_STATUS)
    assert _findings([dead_web, odd]) == []


def test_self_canonical_amp_page_needs_no_amphtml() -> None:
    text = TOP_ONLY.replace(f'ampWebUrl: "{AMP}"', f'ampWebUrl: "{WEB}"').replace(
        CACHE, "https://news-example.cdn.ampproject.org/c/s/news.example/story"
    )
    page = PageFacts(amp=True, canonical=WEB, amphtml=None)
    assert _findings([_result(WEB, page=page)], text) == []


def test_findings_carry_file_line_field_severity_and_a_message() -> None:
    results = _healthy()
    results[1] = _result(AMP, LinkKind.AMP, page=_amp_page(amp=False))
    collected = collect([], [("dir/a.md", TOP_ONLY)], Config())
    (finding,) = article_findings(collected, results, Config())
    assert (finding.check, finding.file, finding.line) == (FindingCheck.AMP_NOT_AMP, "dir/a.md", 4)
    assert finding.url == AMP and finding.severity == "high"
    assert "ampWebUrl" in finding.message and "not AMP" in finding.message


def test_related_entries_are_judged_with_their_own_fields() -> None:
    text = ARTICLE.replace(
        'ampWebUrl: "https://other.example/two/amp"',
        'ampWebUrl: "https://other.example/two/amp"\n    cdnAmpWebUrl: "https://other-example.cdn.ampproject.org/c/s/other.example/two"',
    )
    results = [*_healthy(), _result("https://other.example/two", page=PageFacts(amphtml=None))]
    found = _findings(results, text)
    assert found == [
        (
            "amp_cache_url",
            "related[1].cdnAmpWebUrl",
            12,
            "https://other-example.cdn.ampproject.org/c/s/other.example/two/amp",
            "https://other-example.cdn.ampproject.org/c/s/other.example/two",
        ),
        ("amphtml_missing", "related[1].webUrl", 10, "https://other.example/two/amp", None),
    ]


def test_no_findings_when_amp_checks_are_off() -> None:
    results = _healthy()
    results[1] = _result(AMP, LinkKind.AMP, page=_amp_page(amp=False))
    off = Config(amp_checks=False)
    assert _findings(results, TOP_ONLY.replace(CACHE, CACHE + "x"), off) == []
    # pairs gathered with the checks on are still not judged when they are off
    collected = collect([], [("a.md", TOP_ONLY)], Config())
    assert article_findings(collected, results, off) == []


def test_request_url_agrees_with_normalize() -> None:
    from linkcheck.collect.normalize import normalize  # noqa: PLC0415
    from linkcheck.collect.pairs import request_url  # noqa: PLC0415
    from linkcheck.models import RawLink, Source  # noqa: PLC0415

    urls = [
        WEB,
        CACHE,
        "https://knowtechie.com/ibm-ditches/amp/?p=121777",
        "https://a.example/x?",
        "https://a.example/p%2fq?x=%41",
        "https://a.example",
        "HTTPS://A.Example/x",
        "https://a.example:443/x",
        "https://a.example:8443/x",
        "https://user@a.example/x",
        "https://a.example/./x/../y",
        "https://a.example/x#frag",
        "https://a.example/ä?q=ü",
        "https://bücher.example/x",
        "https://127.0.0.1/x",
        "https://0x7f.1/x",
        "https://example.1/x",
        "https://[::1]/x",
        "https://a.example/x y",
        " https://a.example/x ",
        "http://a_b.example/x",
        "https://-a.example/x",
        "ftp://a.example/x",
        "not a url",
    ]
    for url in urls:
        written = normalize(RawLink(url, LinkKind.AMP, Source("a.md", "ampWebUrl", 1, None)))
        assert request_url(url) == (written if isinstance(written, str) else None), url


def test_page_facts_survive_the_state_store_row() -> None:
    from linkcheck.state.cache import cached_verdict, latest_columns  # noqa: PLC0415

    def round_trip(result: CheckResult) -> PageFacts | None:
        head = (result.id, result.link.url, result.link.kind.value, None, None, None, 0, None, None)
        verdict = cached_verdict((*head, *latest_columns(result)))
        assert verdict is not None and verdict.probe is None
        return verdict.page

    facts = PageFacts(amp=True, canonical=WEB, amphtml=None, title="dropped", text_length=9)
    stored = round_trip(replace(_result(AMP, LinkKind.AMP, page=facts), checked_at="2026-01-01"))
    assert stored == PageFacts(amp=True, canonical=WEB, amphtml=None)
    assert round_trip(replace(_result(WEB), checked_at="2026-01-01")) is None
