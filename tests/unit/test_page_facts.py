"""The page reader and parser (net/page.py): what the AMP and soft-404 checks read from the
first bytes of a page. Pure functions and a sink fed by hand: no server."""

from __future__ import annotations

import pytest

from linkcheck.models import PageFacts
from linkcheck.net.notfound import template_match
from linkcheck.net.page import (
    PAGE_READ_LIMIT,
    STOP_AT_HEAD,
    STOP_AT_HEADING,
    PageReader,
    is_html_type,
    parse_page,
    path_words,
    simhash,
    similarity,
    visible_words,
    with_simhash,
    without_echo,
)
from linkcheck.net.templates import probe_path

URL = "https://www.example.com/news/2024/story.html"


def facts(body: str | bytes, content_type: str | None = "text/html", url: str = URL) -> PageFacts:
    data = body.encode() if isinstance(body, str) else body
    return parse_page(data, content_type, url)


@pytest.mark.parametrize(
    "tag, amp",
    [
        ("<html amp>", True),
        ("<html ⚡ lang=en>", True),
        ('<html amp="">', True),
        ("<HTML AMP>", True),
        ("<html lang='en' amp>", True),
        ("<html lang=en>", False),
        ("<html ⚡4email>", False),  # AMP for email, not an AMP page
        ("<html class='amp'>", False),
        ("<html data-amp>", False),
    ],
)
def test_amp_markers(tag: str, amp: bool) -> None:
    assert facts(f"<!doctype html>{tag}<head><title>t</title></head></html>").amp is amp


def test_canonical_and_amphtml_resolved_against_the_final_url() -> None:
    page = facts(
        "<html><head>"
        "<link rel='stylesheet' href='/s.css'>"
        '<link rel="Canonical" href="../2024/story.html">'
        "<link rel='amphtml alternate' href='amp/story.html?x=1&amp;y=2'>"
        "</head></html>"
    )
    assert page.canonical == "https://www.example.com/news/2024/story.html"
    assert page.amphtml == "https://www.example.com/news/2024/amp/story.html?x=1&y=2"


def test_rel_with_several_tokens_and_the_first_link_wins() -> None:
    page = facts(
        "<head><link href=/a rel='alternate  canonical'><link rel=canonical href=/b>"
        "<link rel=amphtml href='//cdn.example.org/amp/x'></head>"
    )
    assert page.canonical == "https://www.example.com/a"
    assert page.amphtml == "https://cdn.example.org/amp/x"


def test_base_href_is_honoured_and_bad_hrefs_ignored() -> None:
    page = facts(
        "<head><base href='https://m.example.com/root/'><link rel=canonical href='page'>"
        "<link rel=amphtml href='javascript:alert(1)'></head>"
    )
    assert page.canonical == "https://m.example.com/root/page"
    assert page.amphtml is None
    assert facts("<link rel=canonical href=''><link rel=canonical>").canonical is None


def test_title_and_first_heading_text() -> None:
    page = facts(
        "<title>\n  Page &amp; not\tfound  </title><body><h1 class=x>Oops, <em>gone</em></h1>"
        "<h1>second</h1>"
    )
    assert page.title == "Page & not found"
    assert page.heading == "Oops, gone"


def test_scripts_comments_and_svg_are_not_content() -> None:
    page = facts(
        "<head><script>document.write('<title>fake</title><link rel=canonical href=/x>')"
        "</script><!-- <h1>commented</h1> --><title>Real</title></head>"
        "<body><svg><title>icon</title></svg><h1>Heading</h1><style>h1{}</style>text</body>"
    )
    assert (page.title, page.heading, page.canonical) == ("Real", "Heading", None)


@pytest.mark.parametrize(
    "body",
    [
        "<html><head><title>Cut in the mid",
        "<html amp><head><link rel=canonical href='/x",
        "<title>a</title><h1>never closed",
        "<<<>>><html <head =><title></title><h1></h1>",
        "\x00\x01\x02 not html at all",
        "",
    ],
)
def test_truncated_and_broken_html_never_raise(body: str) -> None:
    page = facts(body)
    assert page.bytes_read == len(body.encode())


def test_truncated_title_and_heading_keep_what_was_read() -> None:
    page = facts("<title>Page not fo")
    assert page.title == "Page not fo"
    assert facts("<h1>Seite nicht").heading == "Seite nicht"


def test_charset_from_content_type() -> None:
    body = "<title>Página no encontrada</title>".encode("latin-1")
    assert facts(body, "text/html; charset=ISO-8859-1").title == "Página no encontrada"


def test_charset_from_meta_and_bom() -> None:
    body = "<meta charset='windows-1251'><title>Страница не найдена</title>".encode("cp1251")
    assert facts(body, "text/html").title == "Страница не найдена"
    meta = '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-15">'
    assert facts((meta + "<h1>€uro</h1>").encode("iso-8859-15")).heading == "€uro"
    assert facts(b"\xef\xbb\xbf<title>caf\xc3\xa9</title>").title == "café"


def test_unknown_or_wrong_charset_falls_back_to_utf8_with_replacement() -> None:
    assert facts("<title>café</title>".encode(), "text/html; charset=x-klingon").title == "café"
    assert facts(b"<title>caf\xe9</title>", "text/html; charset=utf-8").title == "caf\ufffd"
    # an ASCII page claiming UTF-16 is not decoded as UTF-16
    assert facts(b"<title>ok</title>", "text/html; charset=utf-16").title == "ok"


def test_visible_text_length() -> None:
    page = facts("<head><title>T</title></head><body><p>one  two</p><script>x()</script></body>")
    assert page.text_length == len("T one two")


def test_is_html_type() -> None:
    assert is_html_type("text/html; charset=utf-8") and is_html_type("application/xhtml+xml")
    assert is_html_type(None) and is_html_type("")
    assert not is_html_type("application/pdf") and not is_html_type("text/plain")


# --------------------------------------------------------------------------------- the reader


def test_reader_stops_after_the_first_heading_even_across_chunks() -> None:
    reader = PageReader(stop_at=STOP_AT_HEADING)
    assert reader(b"<html><head><title>x</title></head><body><h1>Title</") is False
    assert reader(b"H1><p>rest") is True
    assert reader.stopped_early and reader.body().endswith(b"rest")


def test_reader_for_amp_stops_at_the_end_of_head() -> None:
    reader = PageReader(stop_at=STOP_AT_HEAD)
    assert reader(b"<html amp><head><link rel=canonical href=/a></HEAD><body>") is True


def test_reader_keeps_at_most_the_limit() -> None:
    reader = PageReader()
    assert reader(b"<" + b"a" * (PAGE_READ_LIMIT - 10)) is False
    assert reader(b"b" * 100) is True
    assert reader.size == PAGE_READ_LIMIT == len(reader.body())


def test_reader_refuses_what_is_not_html_at_once() -> None:
    reader = PageReader()
    assert reader(b"%PDF-1.7 ...") is True
    assert reader.not_html and reader.body() == b""
    blank = PageReader()
    assert blank(b"  \n") is False and blank(b"\xef\xbb\xbf <!doctype html>") is False
    assert not blank.not_html


def test_reader_reset_forgets_a_redirects_body() -> None:
    reader = PageReader(stop_at=STOP_AT_HEADING)
    reader(b"<p>moved</p>")
    reader.reset()
    assert reader.size == 0 and reader.body() == b"" and not reader.stopped_early


# ---------------------------------------------------------------------------- the fingerprint


def test_simhash_near_duplicates_are_close_and_different_pages_far() -> None:
    layout = " ".join(f"menu item {i} of the site" for i in range(60))
    a = f"<p>{layout} we could not find /news/a sorry</p>"
    b = f"<p>{layout} we could not find /politics/b sorry</p>"
    story = " ".join(f"w{i * 7 % 101} v{i % 17}" for i in range(300))
    c = f"<p>{layout} {story}</p>"
    ha, hb, hc = (simhash(visible_words(x.encode(), None)) for x in (a, b, c))
    assert ha is not None and hb is not None and hc is not None
    assert similarity(ha, hb) >= 0.85
    assert similarity(ha, hc) < 0.85
    assert similarity(ha, ha) == 1.0 and similarity(0, 2**64 - 1) == 0.0


def test_simhash_is_deterministic_and_needs_a_few_words() -> None:
    words = ["the", "quick", "brown", "fox", "jumps", "over", "the", "lazy", "dog"]
    assert simhash(words) == 0x7566F07CE82FB177  # BLAKE2b: the same in every process
    assert simhash(["two", "words"]) is None
    page = with_simhash(facts("<p>a b c d e</p>"), b"<p>a b c d e</p>", None)
    assert page.simhash == simhash(["a", "b", "c", "d", "e"])


def test_reader_keeps_nothing_past_the_marker_of_a_big_chunk() -> None:
    reader = PageReader(stop_at=STOP_AT_HEADING)
    assert reader(b"<html><head></head><body><h1>Title</h1>" + b"y" * 60000) is True
    assert reader.body() == b"<html><head></head><body><h1>Title</h1>" + b"y" * 7
    assert facts(reader.body()).heading == "Title"


def test_a_template_echoing_the_path_matches_on_every_port() -> None:
    # A catch-all host's page for /x and its page for the probe differ only by the echoed
    # path. Before the echo was left out, whether they matched depended on the hashes of the
    # probe token's words, so on the port: about 1 port in 15 missed.
    layout = " ".join(f"Section {i} of the paper, news and analysis" for i in range(40))

    def body(path: str) -> bytes:
        return (
            f"<title>Example Daily</title><h1>Sorry about that</h1><p>{layout}</p><p>We looked "
            f"everywhere for {path} but it is not here any more. Try the search box above.</p>"
        ).encode()

    missed = []
    for port in range(41000, 41200):
        origin = f"http://127.0.0.2:{port}"
        probe = origin + probe_path(origin)
        template = with_simhash(facts(body(probe[len(origin) :])), body(probe), None, probe)
        gone = with_simhash(facts(body("/x")), body("/x"), None, origin + "/x")
        if template_match(gone, origin + "/x", template, probe) is None:
            missed.append(port)
    assert missed == []


def test_without_echo_drops_each_run_of_the_path_words_only() -> None:
    words = ["we", "looked", "for", "news", "2019", "gone", "story", "in", "news", "today"]
    assert without_echo(words, path_words("https://a.example/news/2019/gone-story")) == (
        ["we", "looked", "for", "in", "news", "today"]
    )
    assert without_echo(words, path_words("https://a.example/")) == words
    assert path_words("https://a.example/caf%C3%A9/Menu") == ["café", "menu"]
