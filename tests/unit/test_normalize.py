"""Tests for linkcheck.normalize: canonical URLs, skips, dedup and exclusion."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from linkcheck.collect.extract import extract
from linkcheck.collect.normalize import LinkCollector, base_for, collect, normalize
from linkcheck.collect.sources import discover, read_article
from linkcheck.models import (
    Article,
    DeclaredSize,
    LinkKind,
    Outcome,
    RawLink,
    Reason,
    Skipped,
    Source,
)

CONTENT = Path(__file__).resolve().parents[2] / "fixtures" / "content"


def raw(text: str, field: str = "webUrl", kind: LinkKind = LinkKind.PAGE, line: int = 1) -> RawLink:
    return RawLink(text, kind, Source("a.md", field, line, "T"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://example.com/a", "https://example.com/a"),
        ("HTTP://Example.COM:80/a b?x=1&a=2#frag", "http://example.com/a%20b?x=1&a=2"),
        ("  https://EXAMPLE.com:443  ", "https://example.com/"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("http://example.com:443/x", "http://example.com:443/x"),
        ("https://a.com/#x", "https://a.com/"),
        ("https://a.com/p?b=2&a=1", "https://a.com/p?b=2&a=1"),
        ("https://a.com:/x", "https://a.com/x"),
        ("https://bücher.de/ä", "https://xn--bcher-kva.de/%C3%A4"),
        ("https://BÜCHER.de/", "https://xn--bcher-kva.de/"),
        ("https://xn--bcher-kva.de/", "https://xn--bcher-kva.de/"),
        ("https://[::1]:8080/x", "https://[::1]:8080/x"),
        ("http://1.2.3.4/", "http://1.2.3.4/"),
        ("https://user:pw@Example.com/", "https://user:pw@example.com/"),
        ("https://example.com/%7Efoo?q=a b", "https://example.com/%7Efoo?q=a%20b"),
        ("https://a.com/a%2Fb", "https://a.com/a%2Fb"),
        ("https://a.com/x/../y", "https://a.com/y"),
        ("https://exam_ple.com/", "https://exam_ple.com/"),
    ],
)
def test_normalize_ok(text: str, expected: str) -> None:
    assert normalize(raw(text)) == expected


@pytest.mark.parametrize(
    ("text", "outcome", "reason", "detail"),
    [
        (
            "mailto:a@b.c",
            Outcome.SKIPPED,
            Reason.UNSUPPORTED_SCHEME,
            "mailto: URLs are not checked",
        ),
        ("tel:+123", Outcome.SKIPPED, Reason.UNSUPPORTED_SCHEME, "tel: URLs are not checked"),
        ("JavaScript:void(0)", Outcome.SKIPPED, Reason.UNSUPPORTED_SCHEME, "javascript: URLs"),
        ("data:image/png;base64,xx", Outcome.SKIPPED, Reason.UNSUPPORTED_SCHEME, "data: URLs"),
        ("ftp://x.com/", Outcome.SKIPPED, Reason.UNSUPPORTED_SCHEME, "ftp: URLs"),
        (
            "https://exa mple.com/",
            Outcome.BROKEN,
            Reason.INVALID_URL,
            "invalid host 'exa mple.com'",
        ),
        ("https://example.com:99999/", Outcome.BROKEN, Reason.INVALID_URL, "Port out of range"),
        ("https://example.com:abc/", Outcome.BROKEN, Reason.INVALID_URL, "'abc'"),
        ("http://1.2.3.4:0/", Outcome.BROKEN, Reason.INVALID_URL, "port 0 out of range"),
        ("https://", Outcome.BROKEN, Reason.INVALID_URL, "empty host"),
        ("http:///path", Outcome.BROKEN, Reason.INVALID_URL, "empty host"),
        ("/foo", Outcome.BROKEN, Reason.INVALID_URL, "relative URL '/foo' (no base URL)"),
        ("not a url", Outcome.BROKEN, Reason.INVALID_URL, "relative URL 'not a url' (no base URL)"),
        ("", Outcome.BROKEN, Reason.INVALID_URL, "empty URL"),
        ("https://ex\x00ample.com/", Outcome.BROKEN, Reason.INVALID_URL, "U+0000 at position 10"),
        ("https://a.com/a\tb", Outcome.BROKEN, Reason.INVALID_URL, "U+0009 at position 15"),
        ("https://example..com/", Outcome.BROKEN, Reason.INVALID_URL, "invalid host"),
        ("https://exa%20mple.com/", Outcome.BROKEN, Reason.INVALID_URL, "invalid host"),
        ("https://[zz]/", Outcome.BROKEN, Reason.INVALID_URL, "'zz'"),
        ("http:example.com", Outcome.BROKEN, Reason.INVALID_URL, "without '//host'"),
    ],
)
def test_normalize_skipped(text: str, outcome: Outcome, reason: Reason, detail: str) -> None:
    result = normalize(raw(text))
    assert isinstance(result, Skipped)
    assert (result.outcome, result.reason) == (outcome, reason)
    assert detail in result.detail
    assert result.raw.text == text


BASE = "https://news.example.com/a/b/c.html"


@pytest.mark.parametrize(
    ("text", "field", "expected"),
    [
        ("../x?y#z", "body", "https://news.example.com/a/x?y"),
        ("/root", "body", "https://news.example.com/root"),
        ("//cdn.example.com/i.jpg", "body", "https://cdn.example.com/i.jpg"),
        ("d.html", "body", "https://news.example.com/a/b/d.html"),
        ("/root", "webUrl", None),  # base applies to body links only
        ("/root", "related[0].webUrl", None),
    ],
)
def test_relative_with_base(text: str, field: str, expected: str | None) -> None:
    result = normalize(raw(text, field=field), base=BASE)
    if expected is None:
        assert isinstance(result, Skipped) and result.reason is Reason.INVALID_URL
    else:
        assert result == expected


@pytest.mark.parametrize(
    ("web_url", "expected"),
    [
        (BASE, BASE),
        (" https://x.example.com/ ", "https://x.example.com/"),
        ("/rel", None),
        ("not a url", None),
        ("mailto:a@b", None),
        (5, None),
        (None, None),
    ],
)
def test_base_for(web_url: object, expected: str | None) -> None:
    art = Article("a.md", "T", {"webUrl": web_url}, "", 3)
    assert base_for(art) == expected


def test_collect_dedups_and_keeps_every_occurrence() -> None:
    links = [
        raw("https://b.example.com/x", line=1),
        raw("HTTPS://B.example.com:443/x#frag", "body", LinkKind.OTHER, line=9),
        raw("https://b.example.com/x", "images[0].url", LinkKind.IMAGE, line=4),
        raw("https://a.example.com/", "related[0].webUrl", line=2),
        raw("mailto:x@y.z", "body", LinkKind.OTHER, line=10),
        RawLink(
            "https://b.example.com/x",
            LinkKind.IMAGE,
            Source("b.md", "images[0].url", 5, None),
            DeclaredSize(10, 20),
        ),
    ]
    result, skipped = collect(links)
    assert [lk.url for lk in result] == ["https://a.example.com/", "https://b.example.com/x"]
    b = result[1]
    assert b.kind is LinkKind.IMAGE  # any image occurrence makes the link an image
    assert [(o.text, o.kind, o.source.line) for o in b.occurrences] == [
        ("https://b.example.com/x", LinkKind.PAGE, 1),
        ("HTTPS://B.example.com:443/x#frag", LinkKind.OTHER, 9),
        ("https://b.example.com/x", LinkKind.IMAGE, 4),
        ("https://b.example.com/x", LinkKind.IMAGE, 5),
    ]
    assert b.occurrences[3].declared == DeclaredSize(10, 20)
    assert result[0].kind is LinkKind.PAGE
    assert [(s.raw.text, s.reason) for s in skipped] == [
        ("mailto:x@y.z", Reason.UNSUPPORTED_SCHEME)
    ]


@pytest.mark.parametrize(
    ("pattern", "text", "excluded"),
    [
        (r"^https://ads\.", "https://ads.example.com/x", True),
        (r"ADS", "https://ads.example.com/x", False),  # case-sensitive unless (?i)
        (r"(?i)ADS", "https://ads.example.com/x", True),
        (r":443", "https://ads.example.com:443/x", True),  # matches the original text
        (r"example\.com/$", "HTTPS://EXAMPLE.COM", True),  # matches the normalised URL
        (r"^mailto:", "mailto:x@y.z", True),  # exclusion wins over unsupported scheme
        (r"nothing", "https://ads.example.com/x", False),
    ],
)
def test_exclude(pattern: str, text: str, excluded: bool) -> None:
    result, skipped = collect([raw(text)], exclude=[re.compile(pattern)])
    if excluded:
        assert result == []
        assert [(s.outcome, s.reason) for s in skipped] == [(Outcome.SKIPPED, Reason.EXCLUDED)]
        assert pattern in skipped[0].detail
    else:
        assert len(result) + len(skipped) == 1
        assert all(s.reason is not Reason.EXCLUDED for s in skipped)


def test_fixture_library_end_to_end() -> None:
    collector = LinkCollector()
    for path in discover([str(CONTENT)]):
        art = read_article(path)
        if isinstance(art, Article):
            for link in extract(art)[0]:
                collector.add(link, base_for(art))
    by_url = {lk.url: lk for lk in collector.links()}
    ibm = by_url[
        "https://localnews8.com/money/2020/06/09/"
        "ibm-quits-facial-recognition-and-urges-debate-on-its-use-by-law-enforcement/"
    ]
    assert [(Path(o.source.file).name, o.source.field) for o in ibm.occurrences] == [
        ("000_d93f22ead1913f7b.txt", "webUrl"),
        ("002_ibm_facial_recognition_followup.md", "related[0].webUrl"),
        ("002_ibm_facial_recognition_followup.md", "body"),
    ]
    assert "https://www.ecmwf.int/en/forecasts" in by_url
    assert "https://www.nasa.gov/mission/mars-helicopter/" in by_url  # relative, via webUrl
    assert "https://www.bbc.co.uk/news/business-56234001" in by_url
    assert list(by_url) == sorted(by_url)
    assert [
        (Path(s.raw.source.file).name, s.raw.source.line, s.reason) for s in collector.skipped()
    ] == [
        ("001_eu_climate_summit.md", 37, Reason.UNSUPPORTED_SCHEME),
        ("003_mars_helicopter.md", 31, Reason.INVALID_URL),
    ]


def test_the_usual_url_shortcut_gives_the_full_canonical_form(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`_usual` (no urlsplit for a plain lowercase URL) agrees with the full path on every
    mix of scheme, user, host, port, path, query and fragment spellings."""
    import itertools
    import random

    from linkcheck.collect import normalize as module

    schemes = ["http", "https", "HTTP", "Https"]
    users = ["", "u@", "u:p@"]
    hosts = [
        "example.com", "Example.COM", "127.0.0.11", "0x7f.1", "2130706433", "0177.0.0.1",
        "127.0.0.1.", "256.1.1.1", "1.2.3.09", "example.1", "a..b", ".a", "a.", "-a", "a_b",
        "xn--bcher-kva.example", "bücher.example", "[::1]", "", "a b", "a%41", "4294967296",
    ]  # fmt: skip
    ports = ["", ":", ":0", ":80", ":443", ":8080", ":080", ":65535", ":65536", ":99999", ":x"]
    paths = [
        "", "/", "/a/b", "/a b", "/./a", "/a/../b", "/%2e%2E/", "/%zz", "/ä", "/a;b", "/a//b",
        "/.hidden", "/a/.", "/a%20b", "/a|b", "/~u/", "/a@b:c",
    ]  # fmt: skip
    queries = ["", "?", "?a=1&b=2", "?a b", "?a=%20", "??", "?a=/b?c", "?%"]
    fragments = ["", "#", "#x", "#x?y", "#a b", "#é"]
    every = list(itertools.product(schemes, users, hosts, ports, paths, queries, fragments))
    texts = [
        f"{s}://{u}{h}{p}{a}{q}{f}" for s, u, h, p, a, q, f in random.Random(3).sample(every, 20000)
    ]
    texts += [f"http://{h}{p}{a}" for h in hosts for p in ports for a in paths]
    fast = [normalize(raw(t)) for t in texts]
    monkeypatch.setattr(module, "_usual", lambda text: None)
    full = [normalize(raw(t)) for t in texts]
    for text, a, b in zip(texts, fast, full, strict=True):
        assert a == b, text
    # and the comparison means something: the shortcut itself read many of them
    assert sum(module._USUAL.fullmatch(t) is not None for t in texts) > 2000
