"""Tests for linkcheck.sources: discovery and reading articles."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from linkcheck.collect.sources import (
    InputError,
    converted_from,
    discover,
    field_line,
    parse_article,
    read_article,
)
from linkcheck.models import Article, ArticleProblem, ProblemReason

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "fixtures" / "content"
EXAMPLE = CONTENT / "000_d93f22ead1913f7b.txt"


def write(tmp_path: Path, name: str, content: str | bytes) -> str:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return str(path)


# ------------------------------------------------------------------ discover


def test_discover_sorted_recursive_skips_hidden_and_globs(tmp_path: Path) -> None:
    for name in [
        "b.md",
        "a.txt",
        "c.MARKDOWN",
        "notes.json",
        ".hidden.md",
        "sub/z.md",
        "sub/deeper/y.md",
        ".git/x.md",
        "a_dir/k.md",
    ]:
        write(tmp_path, name, "x")
    got = [os.path.relpath(p, tmp_path) for p in discover([str(tmp_path)])]
    assert got == ["a.txt", "b.md", "c.MARKDOWN", "a_dir/k.md", "sub/z.md", "sub/deeper/y.md"]


def test_discover_explicit_file_any_name_and_dedup(tmp_path: Path) -> None:
    data = write(tmp_path, "data.json", "x")
    md = write(tmp_path, "a.md", "x")
    got = list(discover([data, str(tmp_path), md]))
    assert got == [data, md]


def test_discover_custom_globs(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "x")
    write(tmp_path, "b.yaml", "x")
    assert [Path(p).name for p in discover([str(tmp_path)], ("*.yaml",))] == ["b.yaml"]


@pytest.mark.parametrize("name", ["missing", "missing/dir/"])
def test_discover_missing_path_raises(tmp_path: Path, name: str) -> None:
    with pytest.raises(InputError, match="no such file or directory"):
        discover([str(tmp_path / name)])


def test_discover_symlink_loop_terminates(tmp_path: Path) -> None:
    write(tmp_path, "d/a.md", "x")
    os.symlink(tmp_path / "d", tmp_path / "d" / "loop")
    got = [os.path.relpath(p, tmp_path) for p in discover([str(tmp_path)])]
    assert got == ["d/a.md"]


def test_discover_fixture_order() -> None:
    got = [os.path.relpath(p, CONTENT) for p in discover([str(CONTENT)])]
    assert got[0] == "000_d93f22ead1913f7b.txt"
    assert got == sorted(p for p in got if "/" not in p) + sorted(p for p in got if "/" in p)
    assert "007_heatwave_europe.markdown" in got
    assert len(got) == 15


# ------------------------------------------------------------------ read_article


def test_read_real_example() -> None:
    article = read_article(str(EXAMPLE))
    assert isinstance(article, Article)
    assert article.title == "IBM is canceling its facial recognition programs"
    assert article.body_line == 77
    assert article.body.strip() == ""
    assert article.front_matter["images"][0]["width"] == 500
    assert field_line(article, "webUrl") == 6
    assert field_line(article, "related[0].cdnAmpWebUrl") == 33
    assert field_line(article, "related[2].images[0].url") == 70


@pytest.mark.parametrize(
    ("content", "title", "body", "body_line"),
    [
        ("---\ntitle: T\n---\nbody\n", "T", "body\n", 4),
        ("\ufeff---\ntitle: T\n---\nbody", "T", "body", 4),
        ("---\r\ntitle: T\r\nx: 1\r\n---\r\n\r\nbody\r\n", "T", "\nbody\n", 5),
        ("\n\n---\ntitle: 5\n---\n", None, "", 6),
        ("---   \ntitle: T\n-----\n", "T", "", 4),
    ],
    ids=["plain", "bom", "crlf", "leading-blank-lines-and-non-string-title", "long-delimiters"],
)
def test_read_article_ok(
    tmp_path: Path, content: str, title: str | None, body: str, body_line: int
) -> None:
    article = read_article(write(tmp_path, "a.md", content))
    assert isinstance(article, Article)
    assert (article.title, article.body, article.body_line) == (title, body, body_line)


@pytest.mark.parametrize(
    ("content", "reason", "line", "message"),
    [
        ("hello\n---\n", ProblemReason.NO_FRONT_MATTER, 1, "first line is not '---'"),
        ("", ProblemReason.NO_FRONT_MATTER, None, "the file is empty"),
        ("---\ntitle: x\n", ProblemReason.NO_FRONT_MATTER, 1, "line 1 is never closed"),
        (
            "---\ntitle: x\nfoo: [1, 2\nbar: 3\n---\n",
            ProblemReason.INVALID_YAML,
            4,
            "at line 4, column 4",
        ),
        (
            "---\ntitle: x\n  foo: bar\n---\n",
            ProblemReason.INVALID_YAML,
            3,
            "at line 3, column 6: mapping values are not allowed",
        ),
        ("---\n- a\n- b\n---\n", ProblemReason.NOT_A_MAPPING, 2, "is a list"),
        ("---\njust text\n---\n", ProblemReason.NOT_A_MAPPING, 2, "is a string"),
        ("---\n---\n", ProblemReason.NOT_A_MAPPING, 2, "is empty"),
        ("---\nd: 2020-13-45\n---\n", ProblemReason.INVALID_YAML, None, "month must be in 1..12"),
        ("---\na: &a [*a]\n---\n", ProblemReason.TOO_LARGE, 2, "recursive YAML alias"),
        (b"---\ntitle: caf\xe9\n---\n", ProblemReason.NOT_UTF8, 2, "byte 0xe9 at byte offset 14"),
    ],
)
def test_read_article_problems(
    tmp_path: Path, content: str | bytes, reason: ProblemReason, line: int | None, message: str
) -> None:
    problem = read_article(write(tmp_path, "a.md", content))
    assert isinstance(problem, ArticleProblem)
    assert problem.reason is reason
    assert problem.line == line
    assert message in problem.message


def billion_laughs(levels: int = 9, width: int = 10, merge: bool = False) -> str:
    names = [f"l{i}" for i in range(levels + 1)]
    lines = [f"{names[0]}: &{names[0]} " + ("{k: v}" if merge else "[lol]")]
    for prev, name in zip(names, names[1:], strict=False):
        refs = ", ".join([f"*{prev}"] * width)
        lines.append(f"{name}: &{name} " + (f"{{<<: [{refs}]}}" if merge else f"[{refs}]"))
    return "---\n" + "\n".join(lines) + "\n---\n"


@pytest.mark.parametrize("merge", [False, True], ids=["aliases", "merge-keys"])
def test_alias_bomb_refused(tmp_path: Path, merge: bool) -> None:
    # 10**9 nodes if expanded: must be refused before construction, so this cannot hang.
    problem = read_article(write(tmp_path, "bomb.md", billion_laughs(merge=merge)))
    assert isinstance(problem, ArticleProblem)
    assert problem.reason is ProblemReason.TOO_LARGE
    assert "alias expansion" in problem.message


def test_small_aliases_allowed(tmp_path: Path) -> None:
    article = read_article(write(tmp_path, "a.md", billion_laughs(levels=2, width=3)))
    assert isinstance(article, Article)
    assert len(article.front_matter["l2"]) == 3


def test_too_large(tmp_path: Path) -> None:
    problem = read_article(
        write(tmp_path, "a.md", "---\ntitle: x\n---\n" + "x" * 100), max_bytes=50
    )
    assert isinstance(problem, ArticleProblem)
    assert problem.reason is ProblemReason.TOO_LARGE
    assert "50-byte limit" in problem.message


@pytest.mark.parametrize("target", ["missing.md", "."])
def test_unreadable(tmp_path: Path, target: str) -> None:
    problem = read_article(str(tmp_path / target))
    assert isinstance(problem, ArticleProblem)
    assert problem.reason is ProblemReason.UNREADABLE
    assert problem.message.startswith("cannot read: ")


EXPECTED_PROBLEMS = {
    "broken/invalid_yaml.md": (ProblemReason.INVALID_YAML, 3),
    "broken/no_front_matter.md": (ProblemReason.NO_FRONT_MATTER, 1),
    "broken/not_utf8.md": (ProblemReason.NOT_UTF8, 2),
    "broken/list_front_matter.md": (ProblemReason.NOT_A_MAPPING, 2),
}


@pytest.mark.parametrize(
    "rel", sorted(os.path.relpath(p, CONTENT) for p in discover([str(CONTENT)]))
)
def test_every_fixture_parses_or_gives_expected_problem(rel: str) -> None:
    result = read_article(str(CONTENT / rel))
    if rel in EXPECTED_PROBLEMS:
        assert isinstance(result, ArticleProblem)
        assert (result.reason, result.line) == EXPECTED_PROBLEMS[rel]
    else:
        assert isinstance(result, Article), result
        assert result.title
        assert isinstance(result.front_matter.get("webUrl"), str)


# ------------------------------------------------------------------ JSON-safe front matter

AWKWARD = """---
title: 2024-01-02
published: 2024-01-02 03:04:05+01:00
day: 2024-01-02
blob: !!binary aGVsbG8=
tags: !!set {zeta, alpha}
2: two
null: nothing
true: truth
3.5: float key
2020-01-01: date key
scores: [.nan, .inf, -.inf, 1.5]
nested:
  - {when: 2001-02-03, 7: seven}
---
"""


def test_front_matter_is_json_safe(tmp_path: Path) -> None:
    article = read_article(write(tmp_path, "a.md", AWKWARD))
    assert isinstance(article, Article)
    fm = article.front_matter
    text = json.dumps(fm, allow_nan=False, sort_keys=True)  # no TypeError, no NaN
    assert json.loads(text) == fm
    assert fm["published"] == "2024-01-02T03:04:05+01:00"
    assert (fm["day"], fm["blob"], fm["tags"]) == ("2024-01-02", "aGVsbG8=", ["alpha", "zeta"])
    assert (fm["2"], fm["null"], fm["true"], fm["3.5"], fm["2020-01-01"]) == (
        "two",
        "nothing",
        "truth",
        "float key",
        "date key",
    )
    assert fm["scores"] == [".nan", ".inf", "-.inf", 1.5]
    assert fm["nested"] == [{"when": "2001-02-03", "7": "seven"}]
    assert article.title is None  # a title must be written as text, not as a date


def test_converted_values_remember_what_they_were(tmp_path: Path) -> None:
    article = read_article(write(tmp_path, "a.md", AWKWARD))
    assert isinstance(article, Article)
    assert converted_from(article, "published") == "a date and time"
    assert converted_from(article, "day") == "a date"
    assert converted_from(article, "blob") == "binary data"
    assert converted_from(article, "tags") == "a set"
    assert converted_from(article, "scores[0]") == "a number"
    assert converted_from(article, "scores[3]") is None
    assert converted_from(article, "nested[0].when") == "a date"
    assert converted_from(article, "2") is None


def test_non_string_keys_keep_their_lines(tmp_path: Path) -> None:
    article = read_article(write(tmp_path, "a.md", AWKWARD))
    assert isinstance(article, Article)
    lines = {k: field_line(article, k) for k in ("2", "null", "true", "3.5", "2020-01-01")}
    assert lines == {"2": 7, "null": 8, "true": 9, "3.5": 10, "2020-01-01": 11}
    assert field_line(article, "nested[0].7") == 14


def test_keys_that_become_equal_keep_the_last_value(tmp_path: Path) -> None:
    article = read_article(write(tmp_path, "a.md", "---\n1: int\n'1': text\n---\n"))
    assert isinstance(article, Article)
    assert article.front_matter == {"1": "text"}


def test_deep_front_matter_is_converted_without_recursion(tmp_path: Path) -> None:
    depth = 900  # libyaml refuses more than 1000 levels
    article = read_article(write(tmp_path, "a.md", f"---\nx: {'[' * depth}1{']' * depth}\n---\n"))
    if isinstance(article, ArticleProblem):  # a pure-Python YAML parser recurses and refuses
        assert article.reason is ProblemReason.INVALID_YAML
        return
    value = article.front_matter["x"]
    for _ in range(depth):
        (value,) = value
    assert value == 1


@pytest.mark.parametrize(
    "content",
    ["\ufeff---\r\ntitle: T\r\nwebUrl: 2020-01-01\r\n---\r\nbody\r\n", "---\ntitle: [\n---\n", "x"],
    ids=["bom-crlf", "invalid-yaml", "no-front-matter"],
)
def test_parse_article_reads_text_like_a_file(tmp_path: Path, content: str) -> None:
    path = write(tmp_path, "a.md", content)
    from_file = read_article(path)
    if isinstance(from_file, Article):  # only a file read has the hash of its bytes
        assert from_file.content_hash is not None
        from_file = replace(from_file, content_hash=None)
    assert parse_article(path, content) == from_file


@pytest.mark.parametrize(("grown", "too_large"), [(30, False), (100, True)])
def test_a_file_that_grows_after_its_size_was_taken_is_read_whole_up_to_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, grown: int, too_large: bool
) -> None:
    """fstat's size (here 0, as for a /proc file, or stale) only sizes the first read."""
    import os as os_module

    real = os_module.fstat

    class Stale:
        def __init__(self, fd: int) -> None:
            self.st = real(fd)

        def __getattr__(self, name: str) -> object:
            return 0 if name == "st_size" else getattr(self.st, name)

    path = write(tmp_path, "a.md", "---\ntitle: x\n---\n" + "y" * grown)
    monkeypatch.setattr(os_module, "fstat", Stale)
    got = read_article(path, max_bytes=80)
    if too_large:
        assert isinstance(got, ArticleProblem) and got.reason is ProblemReason.TOO_LARGE
    else:
        assert isinstance(got, Article) and got.body == "y" * grown
