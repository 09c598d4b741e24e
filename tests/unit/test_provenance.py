"""Stable provenance: `sources[].file` and `problems[].file` do not depend on how an input was
spelled; every occurrence carries its article's own key; an input folder with no article file
is an error, not a clean run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from linkcheck.collect.extract import article_key, extract
from linkcheck.collect.library import collect, collect_links
from linkcheck.collect.sources import Discovery, parse_article
from linkcheck.config import Config
from linkcheck.errors import InputError
from linkcheck.models import Article

GOOD = "---\ntitle: T\nwebUrl: https://example.org/{name}\n---\nsee [x](https://example.org/b)\n"
BAD = "---\ntitle: [unclosed\n---\n"


def write(folder: Path, name: str, text: str | None = None) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(GOOD.format(name=name) if text is None else text, encoding="utf-8")


def names(paths: list[str], globs: tuple[str, ...] | None = None) -> list[str]:
    config = Config() if globs is None else Config(globs=globs)
    collected = collect_links(paths, config)
    files = {o.source.file for link in collected.links for o in link.occurrences}
    return sorted(files | {p.file for p in collected.problems})


@pytest.fixture
def lib(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "lib"
    write(folder, "x.md")
    write(folder, "sub/y.md")
    write(folder, "sub/bad.md", BAD)
    monkeypatch.chdir(tmp_path)
    return folder


def test_names_do_not_depend_on_how_the_folder_was_spelled(lib: Path) -> None:
    expected = ["sub/bad.md", "sub/y.md", "x.md"]  # problems named the same way
    for spelling in ("lib", "./lib", "lib/", str(lib), f"{lib}{os.sep}", "lib/../lib"):
        assert names([spelling]) == expected, spelling


def test_a_file_given_is_named_from_the_current_directory(
    lib: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for spelling in ("lib/sub/y.md", "./lib/sub/y.md", str(lib / "sub" / "y.md")):
        assert names([spelling]) == ["lib/sub/y.md"], spelling
    monkeypatch.chdir(lib / "sub")  # outside the current directory: the absolute path
    assert names(["../x.md"]) == [str(lib / "x.md")]


def test_several_folders_are_told_apart_by_their_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for folder in ("a", "b"):
        write(tmp_path / folder, "x.md")
    monkeypatch.chdir(tmp_path)
    assert names(["a", "./b"]) == ["a/x.md", "b/x.md"]
    assert names([str(tmp_path / "a"), "b/"]) == ["a/x.md", "b/x.md"]
    # same last name: as many parent names as it takes
    for lang in ("en", "fr"):
        write(tmp_path / lang / "content", "x.md")
    assert names(["en/content", "fr/content"]) == ["en/content/x.md", "fr/content/x.md"]


def test_a_file_found_under_two_inputs_is_read_once_named_by_the_first(lib: Path) -> None:
    found = list(Discovery(["lib", "lib/sub"]))
    assert [name for _, name in found] == ["lib/x.md", "lib/sub/bad.md", "lib/sub/y.md"]


# --------------------------------------------------------------------------- article_key


@pytest.mark.parametrize(
    ("front", "key"),
    [
        ({"id": "abc-1", "uuid": "u-1", "webUrl": "https://e.org/a"}, "abc-1"),
        ({"id": 12345, "webUrl": "https://e.org/a"}, "12345"),
        ({"uuid": "5f1c-77", "webUrl": "https://e.org/a"}, "5f1c-77"),
        ({"id": " ", "uuid": None, "webUrl": "https://e.org/a"}, "https://e.org/a"),
        ({"id": True, "uuid": ["x"], "webUrl": "https://e.org/a"}, "https://e.org/a"),
        ({"id": {"a": 1}, "webUrl": 42}, None),
        ({"title": "no key at all"}, None),
    ],
)
def test_article_key(front: dict[str, object], key: str | None) -> None:
    assert article_key(front) == key


def test_every_occurrence_carries_its_articles_key() -> None:
    text = (
        "---\nid: 981\nwebUrl: https://e.org/a\nimages:\n  - url: https://e.org/i.jpg\n"
        "related:\n  - id: 5\n    webUrl: https://e.org/r\n---\n[b](https://e.org/b)\n"
    )
    article = parse_article("a.md", text)
    assert isinstance(article, Article)
    links, _ = extract(article)
    assert [(r.source.field, r.source.article_key) for r in links] == [
        ("webUrl", "981"),
        ("images[0].url", "981"),
        ("related[0].webUrl", "981"),  # the citing article's key, not the related one's
        ("body", "981"),
    ]


# --------------------------------------------------------------------------- empty library


def test_an_empty_folder_is_an_error_naming_it_and_the_patterns(tmp_path: Path) -> None:
    empty = tmp_path / "content"
    empty.mkdir()
    (empty / "notes.json").write_text("{}", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        collect_links([str(empty)], Config())
    message = str(caught.value)
    assert f"no article files (*.md, *.markdown, *.txt) found under {empty}" in message
    assert "mounted" in message and "--glob" in message


def test_a_glob_that_matches_nothing_is_an_error(lib: Path) -> None:
    with pytest.raises(InputError, match=r"no article files \(\*\.rst\) found under lib "):
        names(["lib"], ("*.rst",))


def test_one_empty_folder_among_several_is_named(lib: Path, tmp_path: Path) -> None:
    (tmp_path / "mnt").mkdir()
    with pytest.raises(InputError, match=r"found under mnt \(.*mnt\): is it mounted"):
        names(["lib", "mnt"])


def test_a_folder_inside_another_input_is_not_empty(lib: Path) -> None:
    assert names(["lib", "lib/sub"]) == ["lib/sub/bad.md", "lib/sub/y.md", "lib/x.md"]


def test_a_folder_of_only_hidden_files_is_empty(tmp_path: Path) -> None:
    write(tmp_path / "lib", ".draft.md")
    with pytest.raises(InputError, match="no article files"):
        collect_links([str(tmp_path / "lib")], Config())


def test_articles_in_memory_need_no_path() -> None:
    collected = collect([], [("mem/a.md", GOOD.format(name="a"))], Config())
    assert collected.articles == 1
    assert {o.source.file for link in collected.links for o in link.occurrences} == {"mem/a.md"}


def test_the_api_refuses_an_empty_folder_too(tmp_path: Path) -> None:
    import linkcheck

    (tmp_path / "content").mkdir()
    config = Config(use_state=False)
    with pytest.raises(InputError, match="no article files"):
        linkcheck.run([tmp_path / "content"], config)
    report = linkcheck.run([("mem/a.md", "---\ntitle: A\n---\n")], config)
    assert report.files == 1  # in memory: no path, never "empty"
