"""TOML (+++) and JSON ({) front matter: the same links, field paths and file lines as the
equivalent YAML, the same bounds, and clear problems for text that is not valid (issue #14)."""

from __future__ import annotations

import json

import pytest

from linkcheck.collect.extract import extract
from linkcheck.collect.front_matter import MAX_YAML_NODES
from linkcheck.collect.sources import MAX_FRONT_MATTER_BYTES, parse_article
from linkcheck.models import Article, ArticleProblem, LinkKind, ProblemReason

YAML = """---
id: "a-1"
title: "Harbour reopens"
webUrl: "https://news.example/harbour"
ampWebUrl: "https://amp.news.example/harbour"
cdnAmpWebUrl: "https://amp-news-example.cdn.ampproject.org/c/s/amp.news.example/harbour"
provider:
  url: "https://provider.example/"
images:
  - url: "https://img.example/a.jpg"
    width: 640
    height: 480
  - url: "https://img.example/b.jpg"
    width: 100
related:
  - webUrl: "https://other.example/x"
    images:
      - url: "https://img.example/c.jpg"
        width: 1
        height: 2
---
Body [link](https://body.example/) here.
"""

TOML = """+++
id = "a-1"
title = "Harbour reopens"
webUrl = "https://news.example/harbour"
ampWebUrl = "https://amp.news.example/harbour"
cdnAmpWebUrl = "https://amp-news-example.cdn.ampproject.org/c/s/amp.news.example/harbour"

[provider]
url = "https://provider.example/"  # a comment

[[images]]
url = "https://img.example/a.jpg"
width = 640
height = 480

[[images]]
url = "https://img.example/b.jpg"
width = 100

[[related]]
webUrl = "https://other.example/x"

[[related.images]]
url = "https://img.example/c.jpg"
width = 1
height = 2
+++
Body [link](https://body.example/) here.
"""

JSON = """{
  "id": "a-1",
  "title": "Harbour reopens",
  "webUrl": "https://news.example/harbour",
  "ampWebUrl": "https://amp.news.example/harbour",
  "cdnAmpWebUrl": "https://amp-news-example.cdn.ampproject.org/c/s/amp.news.example/harbour",
  "provider": {"url": "https://provider.example/"},
  "images": [
    {"url": "https://img.example/a.jpg",
     "width": 640,
     "height": 480},
    {"url": "https://img.example/b.jpg", "width": 100}
  ],
  "related": [
    {
      "webUrl": "https://other.example/x",
      "images": [{"url": "https://img.example/c.jpg", "width": 1, "height": 2}]
    }
  ]
}
Body [link](https://body.example/) here.
"""

# TOML's inline tables and arrays of them, one image per line
TOML_INLINE = """+++
id = "a-1"
title = "Harbour reopens"
webUrl = "https://news.example/harbour"
ampWebUrl = "https://amp.news.example/harbour"
cdnAmpWebUrl = "https://amp-news-example.cdn.ampproject.org/c/s/amp.news.example/harbour"
provider = { url = "https://provider.example/" }
images = [
  { url = "https://img.example/a.jpg", width = 640, height = 480 },
  { url = "https://img.example/b.jpg", width = 100 },
]
related = [
  { webUrl = "https://other.example/x", images = [
    { url = "https://img.example/c.jpg", width = 1, height = 2 },
  ] },
]
+++
Body [link](https://body.example/) here.
"""

FORMATS = {"yaml": YAML, "toml": TOML, "json": JSON, "toml-inline": TOML_INLINE}


def parsed(text: str, name: str = "a.md") -> Article:
    article = parse_article(name, text)
    assert isinstance(article, Article), article
    return article


def line_of(text: str, value: str, after: int = 0) -> int:
    """The 1-based line of the first line at or after `after` that holds `value`."""
    lines = text.split("\n")
    return next(i + 1 for i in range(after, len(lines)) if value in lines[i])


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_gives_the_links_of_the_yaml_and_the_line_each_is_written_on(
    fmt: str,
) -> None:
    text = FORMATS[fmt]
    article = parsed(text)
    assert article.format == fmt.split("-")[0]
    links, problems = extract(article)
    assert problems == ()
    expected = [
        (r.text, r.kind, r.source.field, r.declared, r.source.article_key)
        for r in extract(parsed(YAML))[0]
    ]
    assert [
        (r.text, r.kind, r.source.field, r.declared, r.source.article_key) for r in links
    ] == expected
    for link in links:  # each value on the file line where it is written
        assert link.source.line == line_of(text, link.text), link
    kinds = {r.source.field: r.kind for r in links}
    assert kinds["webUrl"] is LinkKind.PAGE and kinds["cdnAmpWebUrl"] is LinkKind.AMP_CACHE
    assert kinds["related[0].images[0].url"] is LinkKind.IMAGE


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_field_path_knows_its_line_for_edits(fmt: str) -> None:
    """`linkcheck fix` edits values at the recorded lines: widths and heights too."""
    text = FORMATS[fmt]
    lines = parsed(text).front_matter.lines
    a_line = line_of(text, "img.example/a.jpg")
    assert lines["images[0].url"] == a_line
    assert lines["images[0].width"] == line_of(text, "640", a_line - 1)
    assert lines["images[0].height"] == line_of(text, "480", a_line - 1)
    assert lines["images[1].width"] == line_of(text, "100", a_line)
    c_line = line_of(text, "img.example/c.jpg")
    assert lines["related[0].images[0].height"] == line_of(text, "height", c_line - 1)
    assert lines["title"] == line_of(text, "Harbour reopens")


def test_body_starts_after_the_front_matter_in_every_format() -> None:
    for fmt, text in FORMATS.items():
        article = parsed(text)
        assert article.body.startswith("Body [link]"), fmt
        assert article.body_line == line_of(text, "Body [link]"), fmt
        body = [r for r in extract(article)[0] if r.source.field == "body"]
        assert [r.source.line for r in body] == [line_of(text, "Body [link]")]


def test_toml_strings_of_every_kind_and_comments() -> None:
    text = (
        "+++\n"
        'title = "a # not a comment"\n'
        "note = '''\n"
        "a literal\n"
        "with [brackets] and = signs\n"
        "'''\n"
        'story = """multi\n'
        'line with \\""" quotes"""\n'
        '"quoted key" = "https://q.example/"\n'
        "site.seo.canonical = 'https://c.example/'  # dotted keys\n"
        "when = 2024-03-01T10:00:00Z\n"
        'webUrl = "https://x.example/#frag"\n'
        "+++\n"
    )
    article = parsed(text)
    fm = article.front_matter
    assert fm["title"] == "a # not a comment" and fm["site"]["seo"]["canonical"]
    lines = fm.lines
    assert lines["quoted key"] == 9 and lines["site.seo.canonical"] == 10
    assert lines["site"] == 10 and lines["when"] == 11 and lines["webUrl"] == 12
    assert fm["when"] == "2024-03-01T10:00:00+00:00"  # JSON-safe, and what it was is kept
    assert fm.converted["when"] == "a date and time"
    links = {r.source.field: r for r in extract(article)[0]}
    assert links["quoted key"].source.line == 9
    assert links["site.seo.canonical"].source.line == 10
    assert links["webUrl"].source.line == 12


def test_a_toml_date_where_a_url_belongs_is_the_wrong_type() -> None:
    article = parsed("+++\nwebUrl = 2020-01-01\n+++\n")
    links, problems = extract(article)
    assert links == ()
    assert [(p.reason, p.field, p.line) for p in problems] == [
        (ProblemReason.WRONG_TYPE, "webUrl", 2)
    ]
    assert "a date" in problems[0].message


def test_json_strings_with_braces_quotes_and_escapes() -> None:
    text = (
        '\n{"title": "a } and a \\" and \\u00e9",\n'
        ' "nested": {"deep": [1, {"url": "https://n.example/}"}]},\n'
        ' "webUrl": "https://x.example/"}\n'
        "# Body\n[x](https://b.example/)\n"
    )
    article = parsed(text)
    assert article.front_matter["title"] == 'a } and a " and \u00e9'
    assert article.front_matter.lines["nested.deep[1].url"] == 3
    assert article.front_matter.lines["webUrl"] == 4
    assert article.body_line == 5
    assert [(r.source.field, r.source.line) for r in extract(article)[0]] == [
        ("nested.deep[1].url", 3),
        ("webUrl", 4),
        ("body", 6),
    ]


@pytest.mark.parametrize(
    ("text", "reason", "line", "message"),
    [
        ("+++\ntitle = \n+++\n", ProblemReason.INVALID_TOML, 2, "invalid TOML at line 2"),
        ("+++\na = 1\na = 2\n+++\n", ProblemReason.INVALID_TOML, 3, "Cannot overwrite"),
        ("+++\na = [1,\n  2,,]\nb = 1\n+++\n", ProblemReason.INVALID_TOML, 3, "line 3, column"),
        ("+++\ntitle = 'x'\n", ProblemReason.NO_FRONT_MATTER, 1, "'+++' on line 1 is never"),
        ('{\n "a": 1,\n}\nbody\n', ProblemReason.INVALID_JSON, 3, "invalid JSON at line 3"),
        ('{"a": 1} tail\n', ProblemReason.INVALID_JSON, 1, "text after the closing '}'"),
        ('{"a": "never closed\n', ProblemReason.INVALID_JSON, 1, "invalid JSON at line 1"),
        ('\n\n{"a": [1, 2}\n', ProblemReason.INVALID_JSON, 3, "column 12"),
        ("# Title\n", ProblemReason.NO_FRONT_MATTER, 1, "'---' (YAML), '+++' (TOML) or a '{'"),
        ("{{< note >}}\nhi\n", ProblemReason.NO_FRONT_MATTER, 1, "no front matter"),
        ("+++\n+++\n", ProblemReason.NOT_A_MAPPING, None, ""),
    ],
)
def test_invalid_front_matter_names_the_format_and_the_line(
    text: str, reason: ProblemReason, line: int | None, message: str
) -> None:
    problem = parse_article("a.md", text)
    if reason is ProblemReason.NOT_A_MAPPING:  # empty TOML is an empty table: no fields
        assert isinstance(problem, Article) and problem.front_matter == {}
        return
    assert isinstance(problem, ArticleProblem), problem
    assert problem.reason is reason
    assert problem.line == line
    assert message in problem.message


@pytest.mark.parametrize(
    "text",
    [
        "+++\na = " + "[" * 150 + "]" * 150 + "\n+++\n",
        '{"a": ' + "[" * 150 + "]" * 150 + "}\n",
        "+++\na = [" + "1," * (MAX_YAML_NODES + 1) + "]\n+++\n",
        '{"a": [' + ",".join(["1"] * (MAX_YAML_NODES + 1)) + "]}\n",
        '{"a": "' + "x" * (MAX_FRONT_MATTER_BYTES + 10) + '"}\n',
        "+++\na = '" + "x" * (MAX_FRONT_MATTER_BYTES + 10) + "'\n+++\n",
    ],
    ids=["toml-deep", "json-deep", "toml-nodes", "json-nodes", "json-size", "toml-size"],
)
def test_the_yaml_bounds_hold_for_toml_and_json(text: str) -> None:
    problem = parse_article("a.md", text)
    assert isinstance(problem, ArticleProblem)
    assert problem.reason is ProblemReason.TOO_LARGE, problem


def test_json_front_matter_round_trips_what_json_dumps_writes() -> None:
    data = {"webUrl": "https://x.example/", "images": [{"url": "https://i.example/a.png"}]}
    text = json.dumps(data, indent=2) + "\nbody\n"
    article = parsed(text)
    assert dict(article.front_matter) == data
    assert article.front_matter.lines["images[0].url"] == line_of(text, "i.example/a.png")


TRICKY_TOML = """+++
[ a . b ]  # a comment with a "quote
c = 1_000
"d" = 0xff
f = inf
g = 07:32:00
h = 1979-05-27 07:32:00Z
s = \"\"\"one \\
    two\"\"\"
arr = [
  1, # one
  [2, 3],
  {x = 'y'},
]
[[t]]
k = true
[t.sub]
m = 'n'
[[t.list]]
z = 1
[[t]]
k = false
[[t.list]]
z = 2
+++
"""


def value_paths(value: object, path: str = "") -> list[str]:
    out: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else key
            out += [child, *value_paths(item, child)]
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out += [f"{path}[{i}]", *value_paths(item, f"{path}[{i}]")]
    return out


@pytest.mark.parametrize("text", [TRICKY_TOML, *FORMATS.values()], ids=lambda t: t[:3])
def test_every_value_of_the_front_matter_has_a_line(text: str) -> None:
    front = parsed(text).front_matter
    assert [p for p in value_paths(dict(front)) if p not in front.lines] == []
    assert not [p for p in front.lines if p not in value_paths(dict(front))]


def test_tricky_toml_lines() -> None:
    lines = parsed(TRICKY_TOML).front_matter.lines
    assert (lines["a.b"], lines["a.b.c"], lines["a.b.s"], lines["a.b.arr"]) == (2, 3, 8, 10)
    assert (lines["a.b.arr[1][1]"], lines["a.b.arr[2].x"]) == (12, 13)
    assert (lines["t[0].sub.m"], lines["t[0].list[0].z"], lines["t[1].k"]) == (18, 20, 22)
    assert lines["t[1].list[0].z"] == 24
