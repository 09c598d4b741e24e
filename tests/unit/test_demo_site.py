"""The demo web, route by route (no server, no socket): realistic enough for the news checks
that only the planted cases are soft 404s or AMP findings."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from linkcheck.cli.demo import _amp_findings
from linkcheck.demo import FINDINGS, SHOWCASE, DemoSite, write_library
from linkcheck.demo.site import NOT_AMP
from linkcheck.models import Finding, FindingCheck
from linkcheck.net.page import parse_page
from linkcheck.net.probe import phrases_for

ORIGINS = {
    "news": "http://127.0.0.1:1",
    "partner": "http://127.0.0.1:2",
    "cdn": "http://127.0.0.1:3",
}
NEWS_HOST = "127.0.0.1:1"
NOT_FOUND_PAGES = {("partner", "/archiv/hafenfest-2019/")}  # the planted soft 404 by title


def _answer(site: str, path: str) -> Any:
    return DemoSite().route(site, path)


def _facts(site: str, path: str) -> Any:
    answer = _answer(site, path)
    assert answer.status == 200, (site, path, answer.status)
    return parse_page(answer.body, answer.content_type, ORIGINS[site] + path)


def _library_pages(tmp_path: Path) -> set[tuple[str, str]]:
    """(site, path) of every page URL the demo library cites (not images, not the AMP cache)."""
    paths = write_library(tmp_path, ORIGINS)
    text = "".join(p.read_text(encoding="utf-8") for p in paths)
    by_origin = {origin: name for name, origin in ORIGINS.items()}
    found = set()
    for origin, path in re.findall(r"(http://127\.0\.0\.1:\d)(/[^\s\")]*)", text):
        if not path.startswith("/img/"):
            found.add((by_origin[origin], path))
    return found


def test_no_ok_page_of_the_demo_web_says_not_found(tmp_path: Path) -> None:
    phrases = phrases_for(())
    pages = _library_pages(tmp_path) | {("news", "/"), ("partner", "/"), ("cdn", "/")}
    said = set()
    for site, path in sorted(pages):
        answer = _answer(site, path)
        if answer.status != 200:
            continue
        facts = parse_page(answer.body, answer.content_type, ORIGINS[site] + path)
        assert facts.title, (site, path)
        if phrases.evidence(facts.title, facts.heading) is not None:
            said.add((site, path))
    assert said == NOT_FOUND_PAGES


@pytest.mark.parametrize("site", ["news", "partner", "cdn"])
def test_unknown_paths_answer_404(site: str) -> None:
    """A probe of a made-up path learns that this host has real 404s."""
    for path in ("/linkcheck-probe-0123456789ab", "/news/linkcheck-probe-0123456789ab"):
        if site != "cdn" and path.startswith("/news/"):
            continue  # any slug is an article on the news sites
        assert _answer(site, path).status == 404, (site, path)
    assert _answer("cdn", "/c/s/linkcheck-probe-0123456789ab").status == 404


def test_articles_and_their_amp_pages_name_each_other() -> None:
    article = _facts("news", "/news/city-council-budget/")
    amp = _facts("news", "/news/city-council-budget/amp/")
    assert article.amphtml == ORIGINS["news"] + "/news/city-council-budget/amp/"
    assert amp.amp is True and article.amp is False
    assert amp.canonical == ORIGINS["news"] + "/news/city-council-budget/"
    copy = _facts("cdn", f"/c/s/{NEWS_HOST}/news/city-council-budget/amp/")
    assert copy.amp is True and copy.canonical == ORIGINS["news"] + "/news/city-council-budget/"


def test_only_the_planted_amp_page_is_not_amp() -> None:
    assert {"school-meals"} == NOT_AMP
    assert _facts("news", "/news/school-meals/amp/").amp is False
    assert _facts("news", "/news/school-meals/").amphtml == (
        ORIGINS["news"] + "/news/school-meals/amp/"
    )


def test_the_retired_article_is_sent_to_the_home_page() -> None:
    answer = _answer("news", "/retired/ferry-strike-2019/")
    assert answer.status == 301 and dict(answer.headers)["Location"] == "/"


def test_every_showcase_link_has_a_distinct_url() -> None:
    urls = [item.url(ORIGINS) for item in SHOWCASE]
    assert len(set(urls)) == len(urls)


def _finding(file: str, field: str, check: FindingCheck) -> Finding:
    return Finding(
        check=check,
        file=file,
        line=1,
        field=field,
        url=None,
        expected=None,
        actual=None,
        severity="high",
    )


def test_the_printout_marks_missing_and_unexpected_findings() -> None:
    planted = [_finding(f.file, f.field, FindingCheck(f.check)) for f in FINDINGS]
    clean = _amp_findings(SimpleNamespace(findings=planted))  # type: ignore[arg-type]
    assert not any(line.startswith("! ") for line in clean)
    assert all(any(item.what in line for line in clean) for item in FINDINGS)

    extra = _finding("01_city_budget.md", "webUrl", FindingCheck.AMPHTML_MISSING)
    lines = _amp_findings(SimpleNamespace(findings=[*planted[1:], extra]))  # type: ignore[arg-type]
    flagged = [line for line in lines if line.startswith("! ")]
    assert len(flagged) == 2
    assert "not found" in flagged[0] and FINDINGS[0].file in flagged[0]
    assert "amphtml_missing" in flagged[1] and "not expected" in flagged[1]
