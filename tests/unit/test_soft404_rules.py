"""Soft-404 judgement without a network: the phrase matcher, the home-page rule, the template
comparison (net/notfound.py) and the cross-link pass (news/soft404.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from linkcheck.config import Config
from linkcheck.models import CheckResult, Hop, Link, LinkKind, Outcome, PageFacts, Reason
from linkcheck.net.notfound import NotFoundPhrases, home_redirect, is_home_path, template_match
from linkcheck.news.soft404 import reclassify

PHRASES = NotFoundPhrases()


@pytest.mark.parametrize(
    "title",
    [
        "Page not found",
        "Page Not Found | The Example Times",
        "404 - Page not found",
        "404 Not Found",
        "Error 404 (Not Found)!!1",
        "Oops! That page can’t be found. – Example Blog",
        "Example News :: Error 404",
        "Página no encontrada - El Diario",
        "Page introuvable | Le Quotidien",
        "Fehler 404 – Seite nicht gefunden",
        "Pagina non trovata - Il Giornale",
        "Pagina niet gevonden",
        "Página não encontrada | Folha",
        "Erreur 404",
        "Страница не найдена",
        "ページが見つかりません",
        "PAGINA NO ENCONTRADA",  # accents optional, case ignored
    ],
)
def test_titles_that_say_not_found(title: str) -> None:
    assert PHRASES.evidence(title, None) == f'title says "{title}"'


@pytest.mark.parametrize(
    "title",
    [
        "404 Day: how the web forgets | Example News",
        "Why 404 pages matter",
        "The 404: a podcast about lost things",
        "Page not found: the web's memory hole | Example News",
        "Not found - the search for the missing hikers goes on after three days in the snow",
        "Error",
        "Example News",
        "404 things to do in Berlin",
        "Lost | Example News",
        "",
    ],
)
def test_titles_that_do_not(title: str) -> None:
    assert PHRASES.evidence(title, None) is None


def test_heading_counts_unless_the_title_is_a_story() -> None:
    assert PHRASES.evidence("Example News", "Seite nicht gefunden") == (
        'first heading says "Seite nicht gefunden"'
    )
    assert PHRASES.evidence(None, "Page not found") == 'first heading says "Page not found"'
    story = "How the council lost the budget vote after a long night of talks"
    assert PHRASES.evidence(story, "Page not found") is None


def test_bare_404_needs_both_title_and_heading() -> None:
    assert PHRASES.evidence("404 | Example", None) is None
    assert PHRASES.evidence("404", "Story") is None
    assert PHRASES.evidence("404 | Example", "404") == 'title and first heading say "404 | Example"'


def test_configured_phrases_are_added() -> None:
    mine = NotFoundPhrases(("Artikel nicht mehr verfügbar",))
    assert mine.evidence("Artikel nicht mehr verfugbar | Zeitung", None) is not None
    assert PHRASES.evidence("Artikel nicht mehr verfügbar | Zeitung", None) is None


def test_long_titles_are_cut_in_the_evidence() -> None:
    title = "Page not found - " + "X" * 100  # a one-word (if long) site name
    assert PHRASES.evidence(title, None) == f'title says "{title[:79]}…"'


# ------------------------------------------------------------------------- home-page redirects


@pytest.mark.parametrize(
    "path",
    ["/", "", "/index.html", "/index.php", "/default.aspx", "/en/", "/pt-br/", "/de/index.html"],
)
def test_home_paths(path: str) -> None:
    assert is_home_path(path)


@pytest.mark.parametrize(
    "path", ["/news/", "/news", "/en/news/", "/2024/05/a", "/eng/", "/ok", "/ok/", "/en", "/xx/"]
)
def test_not_home_paths(path: str) -> None:
    assert not is_home_path(path)


def test_home_redirect() -> None:
    assert home_redirect("https://a.example/2019/story", "https://a.example/")
    assert home_redirect("https://old.example/story", "https://www.new.example/?ref=old")
    assert not home_redirect("https://a.example/", "https://www.a.example/")
    assert not home_redirect("https://a.example/en", "https://a.example/en/")
    assert not home_redirect("https://a.example/story", "https://a.example/news/")
    # a wall that carries where to go back is no home page
    assert not home_redirect(
        "https://a.example/story", "https://consent.example/?continue=https://a.example/story"
    )


# ----------------------------------------------------------------------------- the template


def _facts(title: str, heading: str, length: int, fingerprint: int) -> PageFacts:
    return PageFacts(title=title, heading=heading, text_length=length, simhash=fingerprint)


TEMPLATE_URL = "https://a.example/linkcheck-probe-abc"


def test_template_match_needs_title_heading_length_and_fingerprint() -> None:
    template = _facts("Not here | A", "Sorry", 1000, 0b1011)
    same = _facts("Not here | A", "Sorry", 990, 0b1010)
    score = template_match(same, "https://a.example/news/x", template, TEMPLATE_URL)
    assert score == pytest.approx(1 - 1 / 64)
    for other in (
        _facts("A story | A", "Sorry", 990, 0b1010),  # another title
        _facts("Not here | A", "A story", 990, 0b1010),  # another heading
        _facts("Not here | A", "Sorry", 500, 0b1010),  # much shorter
        _facts("Not here | A", "Sorry", 1000, 0b1011 ^ (2**20 - 1)),  # 20 bits apart
        PageFacts(title="Not here | A", heading="Sorry", text_length=1000),  # no fingerprint
    ):
        assert template_match(other, "https://a.example/x", template, TEMPLATE_URL) is None


def test_template_echoing_the_path_still_matches() -> None:
    template = _facts("linkcheck probe abc not found | A", "Sorry", 1000, 7)
    page = _facts("gone story not found | A", "Sorry", 1000, 7)
    assert template_match(page, "https://a.example/gone-story", template, TEMPLATE_URL) == 1.0


def test_an_app_shell_template_is_never_used() -> None:
    shell = _facts("App", "", 40, 7)  # "You need to enable JavaScript": every page looks alike
    assert (
        template_match(_facts("App", "", 40, 7), "https://a.example/x", shell, TEMPLATE_URL) is None
    )


# ------------------------------------------------------------------------ the cross-link pass


def _redirected(url: str, final: str, kind: LinkKind = LinkKind.PAGE) -> CheckResult:
    return CheckResult(
        link=Link(url, kind, ()),
        outcome=Outcome.OK,
        reason=None,
        http_status=200,
        final_url=final,
        redirects=(Hop(url, 301),),
    )


FRONT = "https://a.example/news/"


def test_many_links_landing_on_one_section_front() -> None:
    results = [_redirected(f"https://a.example/news/2019/{n}", FRONT) for n in "abc"]
    out = reclassify(results, Config())
    assert [r.reason for r in out] == [Reason.SOFT_404] * 3
    assert out[0].outcome is Outcome.BROKEN
    assert out[0].detail == (
        "soft 404: redirects to the section front https://a.example/news/ (1 hop), "
        "where 2 other links also land"
    )


@pytest.mark.parametrize(
    "results",
    [
        [_redirected(f"https://a.example/news/2019/{n}", FRONT) for n in "ab"],  # only two
        [_redirected(f"https://a.example/{n}", FRONT) for n in "abc"],  # not deeper
        [_redirected(f"https://a.example/x/y?id={n}", "https://a.example/x/") for n in "abc"],
        [_redirected(f"https://a.example/p/{n}/x", "https://a.example/login/") for n in "abc"],
        [_redirected(f"https://a.example/i/{n}/x.jpg", FRONT, LinkKind.IMAGE) for n in "abc"],
        # old spellings of ONE article, all moved to its new (shallower) address
        [
            _redirected(old, "https://a.example/news/brexit-vote")
            for old in (
                "https://a.example/news/2019/05/brexit-vote.html",
                "https://a.example/amp/news/2019/05/brexit-vote/amp",
                "https://a.example/news/uk/politics/brexit-vote/",
            )
        ],
        # three citations of one retired story, each spelt differently, and one other story
        [
            _redirected(f"https://a.example/news/{d}/{slug}", FRONT)
            for d, slug in (("2019", "storm"), ("2019/05", "storm.html"), ("x", "other"))
        ],
    ],
)
def test_no_section_front_without_clear_evidence(results: list[CheckResult]) -> None:
    assert all(r.outcome is Outcome.OK for r in reclassify(results, Config()))


def test_links_of_one_redirect_chain_are_one_witness() -> None:
    # /r/3 -> /r/2 -> /r/1 -> /ok: three cited links, one chain
    chain = [f"https://a.example/r/{n}" for n in (1, 2, 3)]
    results = [
        replace(
            _redirected(url, "https://a.example/ok"),
            redirects=tuple(Hop(u, 302) for u in reversed(chain[: n + 1])),
        )
        for n, url in enumerate(chain)
    ]
    assert all(r.outcome is Outcome.OK for r in reclassify(results, Config()))


def test_the_pass_is_off_with_no_soft_404() -> None:
    results = [_redirected(f"https://a.example/news/2019/{n}", FRONT) for n in "abc"]
    assert reclassify(results, Config(soft_404=False)) == results
