"""File names of the report mapped back to paths for CI tools (formats/paths.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from linkcheck.collect.library import collect_links
from linkcheck.config import Config
from linkcheck.formats.paths import SourcePaths

ARTICLE = "---\ntitle: T\nwebUrl: https://example.com/{name}\n---\nbody\n"


def write(folder: Path, name: str) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ARTICLE.format(name=name), encoding="utf-8")


def names(inputs: list[str]) -> set[str]:
    collected = collect_links(inputs, Config())
    return {o.source.file for link in collected.links for o in link.occurrences}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("content/news/a.md", "content/news/deep/b.md", "content/sport/c.md", "x.md"):
        write(tmp_path, name)
    write(tmp_path / "elsewhere", "news/d.md")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        (["content/news"], {"content/news/a.md", "content/news/deep/b.md"}),
        (["./content/news/"], {"content/news/a.md", "content/news/deep/b.md"}),
        (
            ["content/news", "content/sport", "x.md"],
            {"content/news/a.md", "content/news/deep/b.md", "content/sport/c.md", "x.md"},
        ),
        (["content"], {"content/news/a.md", "content/news/deep/b.md", "content/sport/c.md"}),
        (
            ["."],
            {
                "content/news/a.md",
                "content/news/deep/b.md",
                "content/sport/c.md",
                "x.md",
                "elsewhere/news/d.md",
            },
        ),
    ],
)
def test_names_map_back_to_paths_from_the_current_folder(
    repo: Path, inputs: list[str], expected: set[str]
) -> None:
    paths = SourcePaths(inputs)
    assert {paths(name) for name in names(inputs)} == expected
    for path in expected:
        assert (repo / path).is_file()


def test_two_folders_with_the_same_name(repo: Path) -> None:
    inputs = ["content/news", "elsewhere/news"]
    paths = SourcePaths(inputs)
    got = {paths(name) for name in names(inputs)}
    assert got == {"content/news/a.md", "content/news/deep/b.md", "elsewhere/news/d.md"}


def test_folders_outside_the_current_folder_give_absolute_paths(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo / "elsewhere")
    inputs = [str(repo / "content" / "sport")]
    (name,) = names(inputs)
    assert SourcePaths(inputs)(name) == (repo / "content/sport/c.md").as_posix()
    assert SourcePaths(inputs)("/abs/already.md") == "/abs/already.md"


def test_a_report_rendered_where_its_folders_do_not_exist() -> None:
    paths = SourcePaths(["site/content"])
    assert paths("a/b.md") == "site/content/a/b.md"
    assert SourcePaths([])("a.md") == "a.md"
    assert os.sep == "/" or paths("a.md").count("\\") == 0
