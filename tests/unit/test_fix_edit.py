"""The edit engine of `linkcheck fix`: only the values asked for change, every other byte stays
(YAML block and flow style, quotes, comments, CRLF, BOM, TOML and JSON lines), and an edit that
cannot be made safely is skipped with its field, line and reason."""

from __future__ import annotations

import difflib

import pytest

from linkcheck.fix import FilePlan, SizeFix, UrlFix, edit_text
from linkcheck.fix.lines import Lines, in_text, key_values, whole_values


def size(url_field: str, actual: tuple[int, int], line: int | None = None) -> SizeFix:
    base = url_field.rsplit(".", 1)[0]
    return SizeFix(url_field, line, f"{base}.width", f"{base}.height", (None, None), actual)


def changed_lines(old: str, new: str) -> list[tuple[str, str]]:
    """(old line, new line) for each line that differs; the line count must not change."""
    a, b = old.split("\n"), new.split("\n")
    assert len(a) == len(b)
    return [(x, y) for x, y in zip(a, b, strict=True) if x != y]


YAML = """\
---
title: "A story"   # the headline
webUrl: 'https://news.test/old'
images:
  - url: "https://img.test/a.jpg"
    width: 500
    height: 326
    isCached: true
related:
  - webUrl: https://news.test/old
    images: [{url: "https://img.test/b.jpg", width: 1200, height: 630}]
---
Read [the story](https://news.test/old) or <https://news.test/old>; not https://news.test/old-2.
"""


def test_yaml_block_and_flow_sizes_and_urls_change_only_their_values() -> None:
    plan = FilePlan(
        "a.md",
        sizes=[size("images[0].url", (640, 418)), size("related[0].images[0].url", (1200, 600))],
        urls=[
            UrlFix("webUrl", 3, "https://news.test/old", "https://news.test/new"),
            UrlFix("related[0].webUrl", 10, "https://news.test/old", "https://news.test/new"),
            UrlFix("body", 13, "https://news.test/old", "https://news.test/new"),
            UrlFix("body", 13, "https://news.test/old", "https://news.test/new"),
        ],
    )
    out = edit_text("a.md", YAML, plan)
    assert out.skipped == []
    assert (out.sizes, out.urls) == (2, 4)
    assert changed_lines(YAML, out.text) == [
        ("webUrl: 'https://news.test/old'", "webUrl: 'https://news.test/new'"),
        ("    width: 500", "    width: 640"),
        ("    height: 326", "    height: 418"),
        ("  - webUrl: https://news.test/old", "  - webUrl: https://news.test/new"),
        (
            '    images: [{url: "https://img.test/b.jpg", width: 1200, height: 630}]',
            '    images: [{url: "https://img.test/b.jpg", width: 1200, height: 600}]',
        ),
        (
            "Read [the story](https://news.test/old) or <https://news.test/old>; "
            "not https://news.test/old-2.",
            "Read [the story](https://news.test/new) or <https://news.test/new>; "
            "not https://news.test/old-2.",
        ),
    ]


def test_only_the_mismatched_citation_is_changed_in_a_flow_list_of_two_images() -> None:
    text = (
        "---\nimages: [{url: http://i/a.png, width: 30, height: 20}, "
        "{url: http://i/a.png, width: 30, height: 20}]\n---\n"
    )
    out = edit_text("a.md", text, FilePlan("a.md", sizes=[size("images[1].url", (40, 20))]))
    assert out.skipped == [] and out.sizes == 1
    assert out.text == (
        "---\nimages: [{url: http://i/a.png, width: 30, height: 20}, "
        "{url: http://i/a.png, width: 40, height: 20}]\n---\n"
    )


def test_the_same_url_twice_on_one_flow_line_each_field_replaced() -> None:
    text = "---\nlinks: [https://a.test/old, 'https://a.test/old', https://a.test/old-x]\n---\n"
    plan = FilePlan(
        "a.md",
        urls=[
            UrlFix("links[1]", 2, "https://a.test/old", "https://a.test/new"),
            UrlFix("links[0]", 2, "https://a.test/old", "https://a.test/new"),
        ],
    )
    out = edit_text("a.md", text, plan)
    assert out.skipped == [] and out.urls == 2
    assert out.text == (
        "---\nlinks: [https://a.test/new, 'https://a.test/new', https://a.test/old-x]\n---\n"
    )


def test_crlf_bom_trailing_spaces_and_no_final_newline_are_kept() -> None:
    text = (
        "\ufeff---\r\ntitle: A  \r\nimages:\r\n  - url: http://i/a.png\r\n"
        "    width: '30'\r\n    height: 20 \r\n---\r\nbody"
    )
    out = edit_text("a.md", text, FilePlan("a.md", sizes=[size("images[0].url", (40, 25))]))
    assert out.skipped == []
    assert out.text == text.replace("width: '30'", "width: '40'").replace(
        "height: 20 ", "height: 25 "
    )
    assert out.text.encode("utf-8").count(b"\r\n") == text.encode("utf-8").count(b"\r\n")


def test_lone_cr_line_endings_are_lines_too() -> None:
    text = "---\rwebUrl: http://a.test/old\r---\rbody\r"
    plan = FilePlan("a.md", urls=[UrlFix("webUrl", 2, "http://a.test/old", "http://a.test/new")])
    assert edit_text("a.md", text, plan).text == text.replace("/old", "/new")


def test_a_value_that_already_matches_is_not_rewritten() -> None:
    text = "---\nimages:\n  - url: http://i/a.png\n    width: 40\n    height: 10\n---\n"
    out = edit_text("a.md", text, FilePlan("a.md", sizes=[size("images[0].url", (40, 20))]))
    assert changed_lines(text, out.text) == [("    height: 10", "    height: 20")]


def test_a_url_in_a_comment_or_a_query_is_not_touched() -> None:
    text = (
        "---\n"
        "webUrl: https://a.test/old  # was https://a.test/old\n"
        "share: https://share.test/?u=https://a.test/old\n"
        "---\n"
    )
    plan = FilePlan("a.md", urls=[UrlFix("webUrl", 2, "https://a.test/old", "https://a.test/new")])
    out = edit_text("a.md", text, plan)
    assert out.skipped == []
    assert changed_lines(text, out.text) == [
        (
            "webUrl: https://a.test/old  # was https://a.test/old",
            "webUrl: https://a.test/new  # was https://a.test/old",
        )
    ]


def test_a_width_in_a_url_query_does_not_confuse_the_key_search() -> None:
    text = "---\nimages: [{url: 'http://i/a.png?width=30', width: 30, height: 20}]\n---\n"
    out = edit_text("a.md", text, FilePlan("a.md", sizes=[size("images[0].url", (40, 20))]))
    assert out.skipped == []
    assert out.text == text.replace("width: 30", "width: 40")


def test_a_new_url_that_would_not_read_back_is_skipped_with_the_reason() -> None:
    # a ", " inside a bare flow value would split it in two: the edit is undone
    text = "---\nlinks: [https://a.test/old, x]\n---\n"
    plan = FilePlan(
        "a.md", urls=[UrlFix("links[0]", 2, "https://a.test/old", "https://a.test/a, b")]
    )
    out = edit_text("a.md", text, plan)
    assert out.text == text and out.urls == 0
    [skip] = out.skipped
    assert (skip.field, skip.line) == ("links[0]", 2)
    assert "would not read back" in skip.why


def test_a_value_not_where_the_report_says_is_skipped() -> None:
    text = "---\nwebUrl: https://a.test/other\n---\n"
    plan = FilePlan("a.md", urls=[UrlFix("webUrl", 2, "https://a.test/old", "https://a.test/new")])
    out = edit_text("a.md", text, plan)
    assert out.text == text
    assert [(s.field, s.line) for s in out.skipped] == [("webUrl", 2)]
    assert "not the report's" in out.skipped[0].why


def test_a_folded_value_on_another_line_is_skipped_not_guessed() -> None:
    text = "---\nimages:\n  - url: http://i/a.png\n    width:\n      30\n    height: 20\n---\n"
    out = edit_text("a.md", text, FilePlan("a.md", sizes=[size("images[0].url", (40, 20))]))
    assert out.text == text
    [skip] = out.skipped
    assert skip.field == "images[0].width" and skip.line == 5


def test_a_body_url_written_with_entities_is_replaced_with_entities() -> None:
    text = '---\ntitle: A\n---\n<a href="https://a.test/old?x=1&amp;y=2">story</a>\n'
    plan = FilePlan(
        "a.md", urls=[UrlFix("body", 4, "https://a.test/old?x=1&y=2", "https://a.test/n?x=1&y=2")]
    )
    out = edit_text("a.md", text, plan)
    assert out.skipped == []
    assert out.text == text.replace("old?x=1&amp;y=2", "n?x=1&amp;y=2")


def test_a_body_line_without_that_link_is_skipped() -> None:
    text = "---\ntitle: A\n---\nno link here\n"
    plan = FilePlan("a.md", urls=[UrlFix("body", 4, "https://a.test/old", "https://a.test/new")])
    out = edit_text("a.md", text, plan)
    assert out.text == text
    assert out.skipped[0].field == "body" and "no such link" in out.skipped[0].why


def test_a_file_that_no_longer_reads_as_an_article_skips_every_edit() -> None:
    plan = FilePlan("a.md", sizes=[size("images[0].url", (1, 1), 3)])
    out = edit_text("a.md", "no front matter\n", plan)
    assert out.text == "no front matter\n"
    assert "does not read as an article" in out.skipped[0].why


# ------------------------------------------------------------------ TOML and JSON lines


@pytest.mark.parametrize(
    ("line", "key", "values"),
    [
        ("width = 500", "width", ["500"]),
        ('images = [{url = "http://i/a", width = 500, height = 300}]', "height", ["300"]),
        ('"width": 500,', "width", ["500"]),
        ('{"url": "http://i/a", "width": "500", "height": 3}', "width", ["500"]),
        ("image.width = 500  # px", "width", ["500"]),
        ("url: 'http://i/a.png?width=30'", "width", []),
        ("[{w: 1, width: 2}, {width: 3}]", "width", ["2", "3"]),
    ],
)
def test_key_values_in_yaml_toml_and_json(line: str, key: str, values: list[str]) -> None:
    assert [line[t.start : t.end] for t in key_values(line, key)] == values


@pytest.mark.parametrize(
    ("line", "quotes"),
    [
        ('webUrl = "https://a.test/old"', ['"']),
        ("webUrl = 'https://a.test/old'  # literal", ["'"]),
        ('  "webUrl": "https://a.test/old",', ['"']),
        (
            '"links": ["https://a.test/old", "https://a.test/old-2", "https://a.test/old"]',
            ['"', '"'],
        ),
        ('note = "see https://a.test/old"', []),
        ("u: https://a.test/?to=https://a.test/old ", []),
    ],
)
def test_whole_values_in_toml_and_json(line: str, quotes: list[str]) -> None:
    assert [t.quote for t in whole_values(line, "https://a.test/old")] == quotes


@pytest.mark.parametrize(
    ("line", "count"),
    [
        ("[a](https://a.test/old) and <https://a.test/old>.", 2),
        ("https://a.test/old-2 https://a.test/old/x https://a.test/old?x", 0),
        ("See https://a.test/old. Then", 1),
        ("See https://a.test/old.html", 0),
    ],
)
def test_in_text_finds_a_url_only_where_it_stands_alone(line: str, count: int) -> None:
    assert len(in_text(line, "https://a.test/old")) == count


def test_a_toml_front_matter_line_is_edited_in_place() -> None:
    text = (
        "+++\r\n"
        'title = "A"\r\n'
        'webUrl = "https://a.test/old"  # canonical\r\n'
        "[[images]]\r\n"
        "url = 'http://i/a.png'\r\n"
        "width = 30\r\n"
        "height = 20\r\n"
        "+++\r\n"
        "body\r\n"
    )
    plan = FilePlan(
        "a.md",
        sizes=[size("images[0].url", (40, 20))],
        urls=[UrlFix("webUrl", 3, "https://a.test/old", "https://a.test/new")],
    )
    out = edit_text("a.md", text, plan)
    assert out.skipped == []
    assert out.text == text.replace("/old", "/new").replace("width = 30", "width = 40")


def test_a_json_front_matter_line_is_edited_in_place() -> None:
    text = (
        "{\n"
        '  "title": "A",\n'
        '  "webUrl": "https://a.test/old",\n'
        '  "images": [{"url": "http://i/a.png", "width": 30, "height": 20}]\n'
        "}\n"
        "body\n"
    )
    plan = FilePlan(
        "a.md",
        sizes=[size("images[0].url", (40, 20))],
        urls=[UrlFix("webUrl", 3, "https://a.test/old", "https://a.test/new")],
    )
    out = edit_text("a.md", text, plan)
    assert out.skipped == []
    assert out.text == text.replace("/old", "/new").replace('"width": 30', '"width": 40')


def test_lines_join_back_to_the_same_text() -> None:
    for text in ("", "a", "a\n", "a\r\nb\rc\n\n", "\ufeff---\r\n"):
        assert str(Lines(text)) == text
    assert Lines("a\r\nb")[2] == "b"


def test_diff_of_an_edit_shows_only_the_changed_value_lines() -> None:
    plan = FilePlan("a.md", sizes=[size("images[0].url", (640, 418))])
    out = edit_text("a.md", YAML, plan)
    diff = [
        line
        for line in difflib.unified_diff(YAML.splitlines(), out.text.splitlines(), lineterm="")
        if line[:1] in "+-" and line[:3] not in ("---", "+++")
    ]
    assert diff == ["-    width: 500", "-    height: 326", "+    width: 640", "+    height: 418"]


def test_one_body_edit_that_would_break_its_link_is_dropped_and_the_others_kept() -> None:
    text = "---\ntitle: A\n---\n[a](https://a.test/old)\n[b](https://b.test/old)\n"
    plan = FilePlan(
        "a.md",
        urls=[
            UrlFix("body", 4, "https://a.test/old", "https://a.test/new"),
            UrlFix("body", 5, "https://b.test/old", "https://b.test/a new"),  # a space: no link
        ],
    )
    out = edit_text("a.md", text, plan)
    assert out.text == text.replace("a.test/old", "a.test/new") and out.urls == 1
    [skip] = out.skipped
    assert (skip.field, skip.line) == ("body", 5) and "would not read back" in skip.why


def test_one_front_matter_edit_that_fails_is_dropped_and_the_others_kept() -> None:
    text = "---\nwebUrl: https://a.test/old\nlinks: [https://b.test/old]\n---\n"
    plan = FilePlan(
        "a.md",
        urls=[
            UrlFix("webUrl", 2, "https://a.test/old", "https://a.test/new"),
            UrlFix("links[0]", 3, "https://b.test/old", "https://b.test/x, y"),
        ],
    )
    out = edit_text("a.md", text, plan)
    assert out.text == text.replace("a.test/old", "a.test/new") and out.urls == 1
    assert [(s.field, s.line) for s in out.skipped] == [("links[0]", 3)]


def test_a_reference_style_link_is_fixed_at_its_definition() -> None:
    text = (
        "---\ntitle: A\n---\n"
        "See [the story][s] and [again][s], or https://a.test/old.\n"
        "\n"
        "Later [once more][s].\n"
        "\n"
        '[s]: https://a.test/old "The story"\n'
    )
    plan = FilePlan(
        "a.md",
        urls=[UrlFix("body", 4, "https://a.test/old", "https://a.test/new")] * 3
        + [UrlFix("body", 6, "https://a.test/old", "https://a.test/new")],
    )
    out = edit_text("a.md", text, plan)
    assert out.skipped == [] and out.urls == 4
    assert out.text == text.replace("https://a.test/old", "https://a.test/new")
