"""`linkcheck run` end to end: real loopback HTTP servers, the CLI called in-process, the JSON
report parsed and validated against the shipped schema (see conftest.run_cli).

Each test gets its own Site (a fresh host), because some verdicts are remembered per host for
the rest of a run (a host that mishandles HEAD gets GET from then on; a host that refuses
connections three times is marked down).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from e2ekit import LibraryFactory, RunCli, SitesFactory, only
from sitekit import Response, Site, unused_address

from linkcheck.models import Link, LinkKind
from linkcheck.plan import scattered

# these tests pin the HTTP engine as it is without the news checks (a page read is a GET:
# tests/e2e/test_soft404.py); both off, pages get HEAD with a GET fallback, as before
HEAD_AS_BEFORE = ("--no-soft-404", "--no-amp-checks")


def page(url: str, title: str = "A page", **more: Any) -> dict[str, Any]:
    return {"title": title, "webUrl": url, **more}


def methods(site: Site, path: str) -> list[str]:
    return [e.method for e in site.requests(path)]


# --------------------------------------------------------------------------- statuses


def test_ok_404_410_500(site: Site, library: LibraryFactory, run_cli: RunCli) -> None:
    folder = library(
        [
            page("{s}/ok", "ok"),
            page("{s}/status/404", "gone"),
            page("{s}/status/410", "really gone"),
            page("{s}/status/500", "server error"),
        ],
        s=site,
    )
    r = run_cli(folder, *HEAD_AS_BEFORE)
    assert r.code == 1

    ok = r.link(site.url("/ok"))
    assert (ok["outcome"], ok["reason"], ok["http_status"], ok["attempts"]) == ("ok", None, 200, 1)
    assert ok["kind"] == "page" and ok["final_url"] == site.url("/ok") and ok["redirects"] == []
    assert methods(site, "/ok") == ["HEAD"]  # a page is checked with HEAD alone when it works

    for code in (404, 410):
        link = r.link(site.url(f"/status/{code}"))
        assert (link["outcome"], link["reason"], link["http_status"], link["attempts"]) == (
            "broken",
            "http_status",
            code,
            1,
        )
        # HEAD answered an error, so it was confirmed once with GET; never retried
        assert sorted(methods(site, f"/status/{code}")) == ["GET", "HEAD"]

    err = r.link(site.url("/status/500"))
    assert (err["outcome"], err["reason"], err["http_status"]) == ("broken", "http_status", 500)
    assert err["attempts"] == 1  # 500 is not transient
    assert methods(site, "/status/500").count("GET") == 1

    summary = r.report["summary"]
    assert summary["outcomes"] == {"ok": 1, "broken": 3, "warning": 0, "skipped": 0}
    assert summary["reasons"] == {"http_status": 3}
    assert summary["unique_links"] == 4 and summary["files"] == 4 and summary["articles"] == 4


@pytest.mark.parametrize("code", [502, 503])
def test_transient_5xx_retried_then_broken(
    code: int, site: Site, library: LibraryFactory, run_cli: RunCli
) -> None:
    folder = library([page(f"{{s}}/status/{code}")], s=site)
    r = run_cli(folder, "--retries", "2")
    assert r.code == 1
    link = r.link(site.url(f"/status/{code}"))
    assert (link["outcome"], link["reason"], link["http_status"], link["attempts"]) == (
        "broken",
        "http_status",
        code,
        3,
    )
    gets = site.requests(f"/status/{code}", "GET")
    assert len(gets) == 3  # one GET per attempt (each after a HEAD that also failed)
    host = only([h for h in r.report["run"]["hosts"] if h["host"] == site.host])
    assert host["retries"] == 2


def test_flaky_503_recovers(site: Site, library: LibraryFactory, run_cli: RunCli) -> None:
    folder = library([page("{s}/flaky/1/503", "one"), page("{s}/flaky/2/503", "two")], s=site)
    r = run_cli(folder, *HEAD_AS_BEFORE)
    assert r.code == 0
    # one 503 (to the HEAD): the confirming GET of the same attempt already gets 200
    one = r.link(site.url("/flaky/1/503"))
    assert (one["outcome"], one["http_status"], one["attempts"]) == ("ok", 200, 1)
    assert [(e.method, e.status) for e in site.requests("/flaky/1/503")] == [
        ("HEAD", 503),
        ("GET", 200),
    ]
    # two 503s (HEAD and GET): a second attempt is needed, and it succeeds
    two = r.link(site.url("/flaky/2/503"))
    assert (two["outcome"], two["reason"], two["http_status"], two["attempts"]) == (
        "ok",
        None,
        200,
        2,
    )
    assert [e.status for e in site.requests("/flaky/2/503")][:2] == [503, 503]
    assert site.requests("/flaky/2/503")[-1].status == 200


# --------------------------------------------------------------------------- redirects


def test_redirect_chain_recorded(site: Site, library: LibraryFactory, run_cli: RunCli) -> None:
    folder = library([page("{s}/redirect/3")], s=site)
    r = run_cli(folder)
    assert r.code == 0
    link = r.link(site.url("/redirect/3"))
    assert (link["outcome"], link["http_status"], link["attempts"]) == ("ok", 200, 1)
    assert link["redirects"] == [
        {"url": site.url("/redirect/3"), "status": 302},
        {"url": site.url("/redirect/2"), "status": 302},
        {"url": site.url("/redirect/1"), "status": 302},
    ]
    assert link["final_url"] == site.url("/ok")


def test_redirect_loop_and_limits(site: Site, library: LibraryFactory, run_cli: RunCli) -> None:
    folder = library(
        [
            page("{s}/loop/a", "a-b loop"),
            page("{s}/loop/self", "self loop"),
            page("{s}/redirect/3", "three"),
            page("{s}/redirect/2", "two"),
        ],
        s=site,
    )
    r = run_cli(folder, "--max-redirects", "2")
    assert r.code == 1
    loop = r.link(site.url("/loop/a"))
    assert (loop["outcome"], loop["reason"], loop["http_status"]) == (
        "broken",
        "redirect_loop",
        None,
    )
    assert [h["url"] for h in loop["redirects"]] == [site.url("/loop/a"), site.url("/loop/b")]
    assert r.link(site.url("/loop/self"))["reason"] == "redirect_loop"
    assert loop["attempts"] == 1  # a loop is not transient

    many = r.link(site.url("/redirect/3"))
    assert (many["outcome"], many["reason"]) == ("broken", "too_many_redirects")
    assert len(many["redirects"]) == 3
    two = r.link(site.url("/redirect/2"))  # exactly at the limit: fine
    assert (two["outcome"], two["final_url"], len(two["redirects"])) == ("ok", site.url("/ok"), 2)


def test_relative_and_cross_host_redirects(
    site: Site, sites: SitesFactory, library: LibraryFactory, run_cli: RunCli
) -> None:
    (other,) = sites(1)
    assert other.bind_host == "127.0.0.2"
    target = other.url("/ok")
    folder = library(
        [page("{s}/redirect-relative", "relative"), page(f"{{s}}/redirect-to?url={target}", "x")],
        s=site,
    )
    r = run_cli(folder)
    assert r.code == 0
    rel = r.link(site.url("/redirect-relative"))
    assert (rel["outcome"], rel["final_url"]) == ("ok", site.url("/ok"))
    assert rel["redirects"] == [{"url": site.url("/redirect-relative"), "status": 302}]

    cross = r.link(site.url(f"/redirect-to?url={target}"))
    assert (cross["outcome"], cross["http_status"], cross["final_url"]) == ("ok", 200, target)
    assert [h["status"] for h in cross["redirects"]] == [301]
    assert other.requests("/ok")  # the hop really went to the other host
    hosts = {h["host"] for h in r.report["run"]["hosts"]}
    assert {site.host, other.host} <= hosts


# --------------------------------------------------------------------------- HEAD quirks


@pytest.mark.parametrize("path", ["/ok-head-405", "/head-501", "/head-404"])
def test_head_mishandled_falls_back_to_get(
    path: str, site: Site, library: LibraryFactory, run_cli: RunCli
) -> None:
    folder = library([page("{s}" + path)], s=site)
    r = run_cli(folder, *HEAD_AS_BEFORE)
    assert r.code == 0
    link = r.link(site.url(path))
    assert (link["outcome"], link["reason"], link["http_status"], link["attempts"]) == (
        "ok",
        None,
        200,
        1,
    )
    assert methods(site, path) == ["HEAD", "GET"]


def test_head_hang_then_get_within_timeout(
    site: Site, library: LibraryFactory, run_cli: RunCli
) -> None:
    folder = library([page("{s}/head-hang")], s=site)
    r = run_cli(folder, *HEAD_AS_BEFORE, "--timeout", "2")
    assert r.code == 0
    link = r.link(site.url("/head-hang"))
    assert (link["outcome"], link["http_status"], link["attempts"]) == ("ok", 200, 1)
    assert link["elapsed_ms"] < 2000 + 500  # HEAD gets a share of the timeout, then GET
    assert methods(site, "/head-hang") == ["HEAD", "GET"]


def test_a_hanging_page_does_not_switch_its_host_from_head_to_get(
    site: Site, library: LibraryFactory, run_cli: RunCli
) -> None:
    # one global slot: the hanging page is done before the pages checked after it start (links
    # are checked in a scattered fixed order: three pages that come after it in that order)
    candidates = [Link(site.url(f"/ok?n={i}"), LinkKind.PAGE, ()) for i in range(30)]
    for v in range(100):  # a spelling of the hanging page with three pages after it
        hang = site.url(f"/hang?v={v}")
        order = [link.url for link in scattered([Link(hang, LinkKind.PAGE, ()), *candidates])]
        after = order[order.index(hang) + 1 :][:3]
        if len(after) == 3:
            break
    folder = library([page(hang), *(page(url) for url in after)])
    r = run_cli(folder, *HEAD_AS_BEFORE, "--timeout", "0.5", "--retries", "0", "--concurrency", "1")
    assert r.link(hang)["reason"] == "timeout"
    assert methods(site, "/hang") == ["HEAD", "GET"]
    hang_done = max(e.start for e in site.requests("/hang"))
    later = [e for e in site.requests("/ok") if e.start > hang_done]
    assert later, "the /ok pages were checked before the hang: the test proves nothing"
    assert {e.method for e in later} == {"HEAD"}


# --------------------------------------------------------------------------- transport failures


def test_slow_under_timeout_is_ok(site: Site, library: LibraryFactory, run_cli: RunCli) -> None:
    folder = library([page("{s}/slow?delay=0.3")], s=site)
    r = run_cli(folder, "--timeout", "2")
    link = r.link(site.url("/slow?delay=0.3"))
    assert (r.code, link["outcome"], link["http_status"]) == (0, "ok", 200)
    assert link["elapsed_ms"] >= 300


def test_hang_times_out(site: Site, library: LibraryFactory, run_cli: RunCli) -> None:
    folder = library([page("{s}/hang")], s=site)
    r = run_cli(folder, "--timeout", "0.6", "--retries", "0")
    assert r.code == 1
    link = r.link(site.url("/hang"))
    assert (link["outcome"], link["reason"], link["http_status"], link["attempts"]) == (
        "broken",
        "timeout",
        None,
        1,
    )
    assert r.report["run"]["duration_s"] < 5


@pytest.mark.parametrize("path", ["/reset", "/garbage", "/truncated"])
def test_broken_connections_are_protocol_errors(
    path: str, site: Site, library: LibraryFactory, run_cli: RunCli
) -> None:
    folder = library([page("{s}" + path)], s=site, name=path.strip("/"))
    r = run_cli(folder)
    link = r.link(site.url(path))
    if path == "/truncated":
        # the body is never read for a page: the headers (200) are all that matter
        assert (r.code, link["outcome"], link["http_status"]) == (0, "ok", 200)
        return
    assert r.code == 1
    assert (link["outcome"], link["reason"], link["http_status"]) == (
        "broken",
        "protocol_error",
        None,
    )
    assert link["attempts"] == 2  # a broken connection is transient: retried once
    assert link["detail"]


def test_connection_refused(library: LibraryFactory, run_cli: RunCli) -> None:
    host, port = unused_address("127.0.0.5")
    folder = library([page(f"http://{host}:{port}/x")])
    r = run_cli(folder)
    assert r.code == 1
    link = r.link(f"http://{host}:{port}/x")
    assert (link["outcome"], link["reason"], link["http_status"], link["attempts"]) == (
        "broken",
        "connect",
        None,
        2,
    )


# --------------------------------------------------------------------------- warnings


def test_blocked_and_rate_limited_are_warnings(
    site: Site, library: LibraryFactory, run_cli: RunCli
) -> None:
    folder = library(
        [page(f"{{s}}/status/{c}", str(c)) for c in (401, 403, 999)] + [page("{s}/status/429")],
        s=site,
    )
    r = run_cli(folder)
    assert r.code == 0  # warnings do not count as broken
    for code in (401, 403, 999):
        link = r.link(site.url(f"/status/{code}"))
        assert (link["outcome"], link["reason"], link["http_status"], link["attempts"]) == (
            "warning",
            "blocked",
            code,
            1,
        )
    limited = r.link(site.url("/status/429"))
    assert (limited["outcome"], limited["reason"], limited["http_status"]) == (
        "warning",
        "rate_limited",
        429,
    )
    assert limited["attempts"] == 2
    assert len(site.requests("/status/429")) == 2  # 429 is not confirmed with GET, only retried
    host = only(r.report["run"]["hosts"])
    assert host["responses_429"] == 2 and host["slowed_down"] is True
    assert r.report["summary"]["outcomes"]["warning"] == 4
    assert "4 warnings not listed" in r.out


# --------------------------------------------------------------------------- skipped / invalid


def test_skipped_and_invalid_urls(site: Site, library: LibraryFactory, run_cli: RunCli) -> None:
    body = (
        "Write [to us](mailto:desk@example.com) or [call](tel:+15551234567).\n"
        "[Click](javascript:alert(1)) ![pixel](data:image/png;base64,iVBORw0KGgo=)\n"
        "[skip me]({s}/excluded/page) and [check me]({s}/ok)\n"
    )
    folder = library(
        [
            {"title": "links", "webUrl": "{s}/ok", "_body": body},
            {"title": "bad host", "webUrl": "http://exa mple.com/page"},
            {"title": "bad port", "webUrl": "http://127.0.0.1:99999/page"},
        ],
        s=site,
    )
    r = run_cli(folder, *HEAD_AS_BEFORE, "--exclude", "/excluded/")
    assert r.code == 1  # invalid URLs are broken
    by_text = {src["text"]: lk for lk in r.links for src in lk["sources"]}
    for text in (
        "mailto:desk@example.com",
        "tel:+15551234567",
        "javascript:alert(1)",
        "data:image/png;base64,iVBORw0KGgo=",
    ):
        link = by_text[text]
        assert (link["outcome"], link["reason"], link["http_status"], link["attempts"]) == (
            "skipped",
            "unsupported_scheme",
            None,
            0,
        ), text
    assert by_text["data:image/png;base64,iVBORw0KGgo="]["kind"] == "image"
    excluded = r.link(site.url("/excluded/page"))
    assert (excluded["outcome"], excluded["reason"]) == ("skipped", "excluded")
    assert site.requests("/excluded/page") == []
    for text in ("http://exa mple.com/page", "http://127.0.0.1:99999/page"):
        link = by_text[text]
        assert (link["outcome"], link["reason"], link["http_status"]) == (
            "broken",
            "invalid_url",
            None,
        ), text
        assert only(link["sources"])["field"] == "webUrl"
    assert r.link(site.url("/ok"))["outcome"] == "ok"
    # nothing but /ok was ever requested
    assert {e.path for e in site.log} == {"/ok"}
    assert r.report["summary"]["reasons"]["unsupported_scheme"] == 4


# --------------------------------------------------------------------------- dedup


def test_same_url_three_spellings_one_request(
    site: Site, library: LibraryFactory, run_cli: RunCli
) -> None:
    spellings = [
        f"HTTP://{site.host}/dedup#intro",
        f"http://{site.host}/dedup",
        f"http://{site.host}/dedup#comments",
    ]
    site.route("/dedup", Response.html("<p>dedup</p>"))
    folder = library(
        {f"a{i}.md": {"title": f"Article {i}", "webUrl": text} for i, text in enumerate(spellings)}
    )
    r = run_cli(folder)
    assert r.code == 0
    link = r.link(site.url("/dedup"))
    assert link["outcome"] == "ok"
    assert len(site.requests("/dedup")) == 1
    assert [(Path(s["file"]).name, s["text"], s["title"]) for s in link["sources"]] == [
        ("a0.md", spellings[0], "Article 0"),
        ("a1.md", spellings[1], "Article 1"),
        ("a2.md", spellings[2], "Article 2"),
    ]
    assert r.report["summary"]["unique_links"] == 1
    assert r.report["summary"]["occurrences"] == 3


def test_default_port_spelling_dedups(library: LibraryFactory, run_cli: RunCli) -> None:
    try:
        site = Site("127.0.0.9", port=80).start()
    except OSError as exc:  # not root, or port 80 taken on 127.0.0.9
        pytest.skip(f"cannot listen on 127.0.0.9:80 ({exc})")
    try:
        folder = library(
            [page("http://127.0.0.9:80/ok", "explicit"), page("http://127.0.0.9/ok", "implied")]
        )
        r = run_cli(folder)
        link = r.link("http://127.0.0.9/ok")
        assert (r.code, link["outcome"], len(link["sources"])) == (0, "ok", 2)
        assert len(site.requests("/ok")) == 1
    finally:
        site.stop()


# --------------------------------------------------------------------------- provenance


ARTICLE = """\
---
title: "Provenance test"
webUrl: "{s}/ok"
images:
  - url: "{s}/files/png_pil.png"
    width: 64
    height: 48
related:
  - title: "Related one"
    webUrl: "{s}/status/404"
    images:
      - url: "{s}/files/jpeg_baseline_pil.jpg"
        width: 64
        height: 48
provider:
  url: "{s}/redirect/1"
---
Intro paragraph.

See [the gone page]({s}/status/410) for details.
"""


def test_provenance_fields_lines_titles(
    site: Site, library: LibraryFactory, run_cli: RunCli
) -> None:
    folder = library({"story.md": ARTICLE}, s=site)
    r = run_cli(folder)
    assert r.code == 1
    file = "story.md"  # relative to the input folder

    def src(url: str) -> dict[str, Any]:
        s = only(r.link(url)["sources"])
        assert s["file"] == file and s["title"] == "Provenance test"
        return s

    assert (src(site.url("/ok"))["field"], src(site.url("/ok"))["line"]) == ("webUrl", 3)
    img = src(site.url("/files/png_pil.png"))
    assert (img["field"], img["line"], img["kind"]) == ("images[0].url", 5, "image")
    assert img["declared"] == {"width": 64, "height": 48} and img["matches"] is True
    rel = src(site.url("/status/404"))
    assert (rel["field"], rel["line"], rel["kind"]) == ("related[0].webUrl", 10, "page")
    rel_img = src(site.url("/files/jpeg_baseline_pil.jpg"))
    assert (rel_img["field"], rel_img["line"]) == ("related[0].images[0].url", 12)
    other = src(site.url("/redirect/1"))
    assert (other["field"], other["line"], other["kind"]) == ("provider.url", 16, "other")
    body = src(site.url("/status/410"))
    assert (body["field"], body["line"], body["kind"]) == ("body", 20, "other")

    # the text summary shows broken links under their file with field path and line
    assert f"{file}\n" in r.out
    assert "related[0].webUrl:10" in r.out and "body:20" in r.out
    assert "webUrl:3 " not in r.out  # ok links are not listed


# --------------------------------------------------------------------------- the run section


def test_report_names_the_settings_file_and_reads_back(
    site: Site, library: LibraryFactory, run_cli: RunCli
) -> None:
    """Run from another directory: the library's own linkcheck.toml is used and named in the
    report, and the JSON report reads back into the same Report (load_report)."""
    import linkcheck
    from linkcheck.formats import json as jsonfmt

    folder = library([page("{s}/ok"), page("{s}/status/404")], s=site)
    (folder / "linkcheck.toml").write_text("max_redirects = 7\n")
    r = run_cli(folder)
    assert r.code == 1
    assert r.report is not None and r.report_path is not None
    assert r.report["run"]["config_file"] == str(folder / "linkcheck.toml")
    assert r.report["run"]["options"]["max_redirects"] == 7
    back = linkcheck.load_report(r.report_path)
    assert back.exit_code == r.code and back.run.config_file == str(folder / "linkcheck.toml")
    text = r.report_path.read_text(encoding="utf-8")
    assert jsonfmt.dumps(back, tool_version=r.report["tool"]["version"]) == text
