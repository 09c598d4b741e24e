"""The demo library in fixtures/content parses (no network): the good files yield links with
provenance, the files in broken/ yield exactly the problems they are there to show."""

from __future__ import annotations

from pathlib import Path

import pytest

from linkcheck.collect.extract import extract
from linkcheck.collect.sources import discover, read_article
from linkcheck.config import Config
from linkcheck.models import Article, ArticleProblem
from linkcheck.pipeline import collect_links

CONTENT = Path(__file__).resolve().parents[2] / "fixtures" / "content"

BROKEN = {
    "bad_declared_size.md": ["invalid_declared_size", "invalid_declared_size"],
    "images_string.md": ["wrong_type"],
    "invalid_yaml.md": ["invalid_yaml"],
    "list_front_matter.md": ["not_a_mapping"],
    "no_front_matter.md": ["no_front_matter"],
    "not_utf8.md": ["not_utf8"],
}
GOOD = sorted(p for p in CONTENT.iterdir() if p.is_file())


def test_discovery_finds_every_fixture() -> None:
    found = {Path(p).relative_to(CONTENT).as_posix() for p in discover([str(CONTENT)])}
    assert {p.name for p in GOOD} | {f"broken/{name}" for name in BROKEN} == found


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_good_fixture_yields_links(path: Path) -> None:
    article = read_article(str(path))
    assert isinstance(article, Article), article
    raw_links, problems = extract(article)
    assert problems == ()
    assert raw_links, "no links extracted"
    assert any(r.source.field == "webUrl" for r in raw_links)
    for raw in raw_links:
        assert raw.source.file == str(path) and raw.source.title == article.title
        assert raw.source.line is not None and raw.source.line >= 1
    collected = collect_links([str(path)], Config())
    assert collected.problems == [] and collected.links


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_fixture_yields_its_problems(name: str) -> None:
    path = CONTENT / "broken" / name
    collected = collect_links([str(path)], Config())
    assert sorted(p.reason.value for p in collected.problems) == BROKEN[name]
    # a file given as input is named relative to the current directory when below it
    here = Path.cwd()
    name = path.relative_to(here).as_posix() if path.is_relative_to(here) else str(path)
    for problem in collected.problems:
        assert isinstance(problem, ArticleProblem)
        assert problem.file == name and problem.message


def test_whole_library_collects_without_network() -> None:
    collected = collect_links([str(CONTENT)], Config())
    assert collected.files == len(GOOD) + len(BROKEN)
    assert collected.articles == len(GOOD) + 2  # bad_declared_size and images_string still parse
    reasons = sorted(p.reason.value for p in collected.problems)
    assert reasons == sorted(r for rs in BROKEN.values() for r in rs)
