"""Tests for linkcheck.extract: front-matter fields and Markdown/HTML body links."""

from __future__ import annotations

from pathlib import Path

import pytest

from linkcheck.collect.extract import LINKIFY, extract
from linkcheck.collect.sources import read_article
from linkcheck.models import Article, DeclaredSize, LinkKind, ProblemReason

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "fixtures" / "content"

P, A, C, IMG, OTH = LinkKind.PAGE, LinkKind.AMP, LinkKind.AMP_CACHE, LinkKind.IMAGE, LinkKind.OTHER


def article(tmp_path: Path, text: str) -> Article:
    path = tmp_path / "a.md"
    path.write_text(text, encoding="utf-8")
    result = read_article(str(path))
    assert isinstance(result, Article), result
    return result


def rows(art: Article) -> list[tuple[str, LinkKind, str, int | None]]:
    links, _ = extract(art)
    return [(link.source.field, link.kind, link.text, link.source.line) for link in links]


def test_real_example_fields() -> None:
    art = read_article(str(CONTENT / "000_d93f22ead1913f7b.txt"))
    assert isinstance(art, Article)
    links, problems = extract(art)
    assert problems == ()
    got = [(link.source.field, link.kind, link.source.line) for link in links]
    assert got == [
        ("webUrl", P, 6),
        ("images[0].url", IMG, 21),
        ("related[0].webUrl", P, 31),
        ("related[0].ampWebUrl", A, 32),
        ("related[0].cdnAmpWebUrl", C, 33),
        ("related[0].images[0].url", IMG, 40),
        ("related[1].webUrl", P, 47),
        ("related[1].ampWebUrl", A, 48),
        ("related[1].cdnAmpWebUrl", C, 49),
        ("related[1].images[0].url", IMG, 56),
        ("related[2].webUrl", P, 63),
        ("related[2].images[0].url", IMG, 70),
    ]
    assert links[1].declared == DeclaredSize(500, 326)
    assert links[-1].declared == DeclaredSize(960, 1200)
    assert all(link.source.title == art.title for link in links)


FRONT = """---
title: T
webUrl: "not a url"
ampWebUrl: ""
cdnAmpWebUrl: null
provider:
  url: https://provider.example.com
  nested: {deep: ["x", "http://deep.example.com/a"]}
topics: [a, b, c, "https://topic.example.com/x", "see https://no.example.com", "ftp://f.example"]
images:
  - url: "https://img.example.com/1.jpg"
    width: abc
    height: 0
    link: "https://img.example.com/credit"
  - width: 3
  - url: 5
  - url: ""
  - "https://img.example.com/bare.jpg"
related:
  - webUrl: 7
    ampWebUrl: ["x"]
    images: "https://rel.example.com/i.jpg"
  - just a string
  - webUrl: "/relative"
    related: "https://nested-related.example.com/"
---
"""


def test_front_matter_fields_and_wrong_types(tmp_path: Path) -> None:
    art = article(tmp_path, FRONT)
    links, problems = extract(art)
    assert [(lk.source.field, lk.kind, lk.text, lk.source.line) for lk in links] == [
        ("webUrl", P, "not a url", 3),
        ("provider.url", OTH, "https://provider.example.com", 7),
        ("provider.nested.deep[1]", OTH, "http://deep.example.com/a", 8),
        ("topics[3]", OTH, "https://topic.example.com/x", 9),
        ("images[0].url", IMG, "https://img.example.com/1.jpg", 11),
        ("images[0].link", OTH, "https://img.example.com/credit", 14),
        ("images[4]", IMG, "https://img.example.com/bare.jpg", 18),
        ("related[0].images", IMG, "https://rel.example.com/i.jpg", 22),
        ("related[2].webUrl", P, "/relative", 24),
        ("related[2].related", OTH, "https://nested-related.example.com/", 25),
    ]
    assert links[4].declared == DeclaredSize("abc", 0)
    assert links[6].declared is None
    assert [(p.reason, p.field, p.line) for p in problems] == [
        (ProblemReason.WRONG_TYPE, "images[1]", 15),
        (ProblemReason.WRONG_TYPE, "images[2].url", 16),
        (ProblemReason.WRONG_TYPE, "images[3].url", 17),
        (ProblemReason.WRONG_TYPE, "images[4]", 18),
        (ProblemReason.WRONG_TYPE, "related[0].webUrl", 20),
        (ProblemReason.WRONG_TYPE, "related[0].ampWebUrl", 21),
        (ProblemReason.WRONG_TYPE, "related[0].images", 22),
        (ProblemReason.WRONG_TYPE, "related[1]", 23),
    ]
    messages = [p.message for p in problems]
    assert messages[0] == "images[1]: image has no url"
    assert messages[1] == "images[2].url: expected a URL string, got a number (5)"
    assert messages[4] == "related[0].webUrl: expected a URL string, got a number (7)"


@pytest.mark.parametrize(
    ("yaml", "field", "message"),
    [
        ("images: 3", "images", "expected a list of images, got a number (3)"),
        # one image mapping where a list is expected is a list of one (issue #14)
        ("images: {url: 5}", "images.url", "expected a URL string, got a number (5)"),
        ("related: {webUrl: x}", "related", "expected a list of related articles, got a mapping"),
        ("webUrl: true", "webUrl", "expected a URL string, got a boolean"),
        (
            "cdnAmpWebUrl: 2020-01-01",
            "cdnAmpWebUrl",
            "expected a URL string, got a date (2020-01-01)",
        ),
        (
            "webUrl: 2020-01-01 10:00:00Z",
            "webUrl",
            "expected a URL string, got a date and time (2020-01-01T10:00:00+00:00)",
        ),
        ("ampWebUrl: !!binary aGk=", "ampWebUrl", "expected a URL string, got binary data (aGk=)"),
        ("webUrl: .nan", "webUrl", "expected a URL string, got a number (.nan)"),
        ("webUrl: -.inf", "webUrl", "expected a URL string, got a number (-.inf)"),
        ("webUrl: !!set {b, a}", "webUrl", "expected a URL string, got a set (['a', 'b'])"),
        ("webUrl: [a]", "webUrl", "expected a URL string, got a list"),
        (
            "images: [{url: 2021-02-03}]",
            "images[0].url",
            "expected a URL string, got a date (2021-02-03)",
        ),
        (
            "images: [2021-02-03]",
            "images[0]",
            "expected an image mapping with a url, got a date (2021-02-03)",
        ),
        (
            "related: [{webUrl: .inf}]",
            "related[0].webUrl",
            "expected a URL string, got a number (.inf)",
        ),
    ],
)
def test_wrong_type_messages(tmp_path: Path, yaml: str, field: str, message: str) -> None:
    links, problems = extract(article(tmp_path, f"---\ntitle: T\n{yaml}\n---\n"))
    assert [(p.field, p.message, p.line) for p in problems] == [(field, f"{field}: {message}", 3)]
    assert [link.source.field for link in links] == []  # a wrong type is never requested


BODY = """---
title: T
webUrl: https://news.example.com/a/b.html
---
Intro https://bare.example.com/x and Amazon.com said, write to a@b.example.

See [a](https://a.example.com/x "t") and ![img](https://i.example.com/p.jpg)
second <https://auto.example.com> [ref][r] ![iref][r] [top](#top) [empty]()
third <a href="https://html.example.com?a=1&amp;b=2">x</a> [rel](../other.html) [m](mailto:x@y.z)

<div>
<p>para</p>
<img src="https://block.example.com/i.png">
</div>

| a | b |
|---|---|
| [t](https://table.example.com) | x |

- item
  [li](https://li.example.com) and [esc](https://esc.example.com/a\\_b)

```
[no](https://code.example.com)
```

    [indented](https://indented-code.example.com)

[![badge](https://badge.example.com/b.svg)](https://ci.example.com/)
[js](javascript:alert(1))

[r]: https://ref.example.com/y
"""


def test_body_links(tmp_path: Path) -> None:
    got = rows(article(tmp_path, BODY))
    bare = [("body", OTH, "https://bare.example.com/x", 5)] if LINKIFY else []
    assert got[1:] == bare + [
        ("body", OTH, "https://a.example.com/x", 7),
        ("body", IMG, "https://i.example.com/p.jpg", 7),
        ("body", OTH, "https://auto.example.com", 8),
        ("body", OTH, "https://ref.example.com/y", 8),
        ("body", IMG, "https://ref.example.com/y", 8),
        ("body", OTH, "https://html.example.com?a=1&b=2", 9),
        ("body", OTH, "../other.html", 9),
        ("body", OTH, "mailto:x@y.z", 9),
        ("body", IMG, "https://block.example.com/i.png", 13),
        ("body", OTH, "https://table.example.com", 18),
        ("body", OTH, "https://li.example.com", 21),
        ("body", OTH, "https://esc.example.com/a_b", 21),
        ("body", OTH, "https://ci.example.com/", 29),
        ("body", IMG, "https://badge.example.com/b.svg", 29),
        ("body", OTH, "javascript:alert(1)", 30),
    ]


def test_linkify_bare_urls(tmp_path: Path) -> None:
    """Only URLs with a scheme: fuzzy `www.x.com` / `Amazon.com` are too noisy in news text."""
    pytest.importorskip("linkify_it")
    got = rows(
        article(
            tmp_path,
            "---\ntitle: T\n---\n\ntext\nsee www.example.com and https://x.example.com/a.\n",
        )
    )
    assert got == [
        ("body", OTH, "https://x.example.com/a", 6),
    ]


def test_html_multiline_lines(tmp_path: Path) -> None:
    text = '---\ntitle: T\n---\n<div>\n<p>\n<a\n  href="https://x.example.com/">x</a>\n<img src="https://y.example.com/i.gif"/>\n</p>\n</div>\n'
    assert rows(article(tmp_path, text)) == [
        ("body", OTH, "https://x.example.com/", 6),
        ("body", IMG, "https://y.example.com/i.gif", 8),
    ]


def test_crlf_body_lines(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"---\r\ntitle: T\r\n---\r\n\r\nx\r\ny [l](https://l.example.com)\r\n")
    art = read_article(str(path))
    assert isinstance(art, Article)
    assert rows(art) == [("body", OTH, "https://l.example.com", 6)]


def test_fixture_library_extracts() -> None:
    art = read_article(str(CONTENT / "broken" / "bad_declared_size.md"))
    assert isinstance(art, Article)
    links, problems = extract(art)
    assert problems == ()
    assert [lk.declared for lk in links if lk.kind is IMG] == [
        DeclaredSize("abc", 600),
        DeclaredSize(0, 400),
    ]
    art = read_article(str(CONTENT / "broken" / "images_string.md"))
    assert isinstance(art, Article)
    links, problems = extract(art)
    assert [(p.reason, p.field, p.line) for p in problems] == [
        (ProblemReason.WRONG_TYPE, "images", 6)
    ]


def test_field_paths_are_one_string_across_articles(tmp_path: Path) -> None:
    """A library repeats its field paths in every article: each link keeps an interned
    one (one copy for 20,000 articles), so the reader needs no second pass to share them."""
    text = (
        "---\nwebUrl: https://a.example/{n}\nrelated:\n  - images:\n"
        "      - url: https://img.example/{n}.jpg\n---\n"
    )
    first, second = (extract(article(tmp_path, text.format(n=n)))[0] for n in (1, 2))
    assert [link.source.field for link in first] == ["webUrl", "related[0].images[0].url"]
    for a, b in zip(first, second, strict=True):
        assert a.source.field is b.source.field


def test_a_marked_section_html_parser_refuses_is_not_a_crash() -> None:
    """`<![x` made html.parser raise AssertionError (Python < 3.13), and the whole read with it."""
    from linkcheck.collect.extract import body_links

    body = '<a href="http://a.example/">a</a> <![x](y)\n\nThen [z](http://z.example/)\n'
    got = body_links(f"<div>{body}", 5)
    assert ("http://z.example/", OTH, 7) in got
