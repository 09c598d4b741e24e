"""Hostile URLs, hostile redirects and bugs never crash a run or become wrong verdicts, and
credentials never reach a report (issue #12). Real runs against loopback servers.

The IPv4 spellings below all name 127.0.0.2, where a real site listens: normalised to the dotted
form they become ONE link, checked once (the server's log says so).
"""

from __future__ import annotations

import base64
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
from e2ekit import FAST_FLAGS, LibraryFactory, RunCli, SitesFactory, only
from sitekit import Request, Response, Site

import linkcheck
from linkcheck.cli import main
from linkcheck.formats.registry import formatter_names


def page(url: str, title: str = "A page", **more: Any) -> dict[str, Any]:
    return {"title": title, "webUrl": url, **more}


# --------------------------------------------------------------------------- invalid hosts


def test_every_ipv4_spelling_is_a_verdict_and_the_run_completes(
    sites: SitesFactory, library: LibraryFactory, run_cli: RunCli
) -> None:
    (s,) = sites(1)  # 127.0.0.2
    assert s.host.startswith("127.0.0.2:")
    port = s.port
    jpeg = "/files/jpeg_baseline_pil.jpg"  # 64x48
    same = [  # WHATWG reads each as 127.0.0.2
        f"http://0177.0.0.2:{port}{jpeg}",
        f"http://0x7f.2:{port}{jpeg}",
        f"http://2130706434:{port}{jpeg}",
        f"http://127.0.0.02:{port}{jpeg}",
        f"http://0x7f000002:{port}{jpeg}",
        f"http://127.2:{port}{jpeg}",
        f"http://127.0.0.2.:{port}{jpeg}",
    ]
    invalid = [
        "http://256.1.1.1/",
        "http://4294967296/",
        "http://1.2.3.09/",
        "http://[::1",
        "http://[::1/x",
        "http://example.1/",
    ]
    articles = [
        page(same[0], "web", ampWebUrl=invalid[0], cdnAmpWebUrl=same[1]),
        page(
            invalid[1],
            "images",
            images=[{"url": same[2], "width": 64, "height": 48}, {"url": invalid[2]}],
            related=[{"webUrl": invalid[3]}, {"webUrl": same[3]}],
        ),
        page(
            "{s}" + jpeg,
            "body",
            _body="\n".join(f"[x{i}]({u})" for i, u in enumerate([*same[4:], *invalid[4:]])),
        ),
        # a real address on the internet, spelled with a leading zero: normalised, then
        # excluded by its dotted form (so the test sends it nowhere)
        page("http://1.2.3.04/article", "excluded"),
    ]
    folder = library(articles, s=s)
    r = run_cli(folder, "--exclude", r"^http://1\.2\.3\.4/")
    assert r.code == 1, r.err  # the invalid ones are broken; nothing crashed
    ok = r.link(f"http://127.0.0.2:{port}{jpeg}")
    assert ok["outcome"] == "ok", ok
    assert sorted(src["text"] for src in ok["sources"]) == sorted([*same, s.url(jpeg)])
    assert len(s.requests(jpeg)) == 1  # checked once
    for url in invalid:
        links = [lk for lk in r.links if lk["url"] == url]
        assert links, f"{url} missing from the report"
        for link in links:
            assert (link["outcome"], link["reason"]) == ("broken", "invalid_url"), link
            assert link["detail"]
    assert "IPv4" in r.link("http://256.1.1.1/")["detail"]
    excluded = r.link("http://1.2.3.4/article")
    assert (excluded["outcome"], excluded["reason"]) == ("skipped", "excluded")


def test_by_default_every_spelling_of_a_loopback_address_is_refused_unrequested(
    sites: SitesFactory, library: LibraryFactory, run_cli: RunCli
) -> None:
    (s,) = sites(1)  # 127.0.0.2
    spellings = ["0177.0.0.2", "0x7f.2", "2130706434", "127.0.0.02", "127.2", "127.0.0.2."]
    pages = [page(f"http://{host}:{s.port}/ok", host) for host in spellings]
    r = run_cli(library(pages), "--timeout", "2", "--retries", "0", fast=False)
    link = r.link(f"http://127.0.0.2:{s.port}/ok")
    assert (link["outcome"], link["reason"]) == ("skipped", "private_address"), link
    assert len(link["sources"]) == len(spellings)
    assert s.log == []


# --------------------------------------------------------------------------- bad Locations

BAD_LOCATIONS = {
    "/port": ("http://127.0.0.1:99999/x", "out of range"),
    "/zero-port": ("http://127.0.0.1:0/x", "out of range"),
    "/space": ("http://exa mple.com/x", "invalid host"),
    "/chars": ("http://ex<a>mple.com/", "invalid host"),
    "/file": ("file:///etc/passwd", "file: URLs cannot be followed"),
    "/ftp": ("ftp://example.com/x", "ftp: URLs cannot be followed"),
    "/js": ("javascript:alert(1)", "javascript: URLs cannot be followed"),
    "/empty": ("", "empty URL"),
    "/ipv6": ("http://[::1/x", "Invalid IPv6"),
    "/bad-ipv4": ("http://256.1.1.1/", "IPv4"),
    "/long": ("http://" + "a" * 300 + "<>" * 50 + "/", "cut at 200"),
}


def test_bad_locations_are_invalid_redirects_with_the_raw_value(
    site: Site, library: LibraryFactory, run_cli: RunCli
) -> None:
    for path, (location, _) in BAD_LOCATIONS.items():
        site.route(path, Response(302, [("Location", location)], b""))
        site.route(f"/via{path}", Response.redirect(path, 301))
    # control characters in a header: written by hand, as no HTTP library would send them
    site.route(
        "/control",
        Response.raw(
            b"HTTP/1.1 302 Found\r\nLocation: http://example.com/a\x01b\r\n"
            b"Content-Length: 0\r\nConnection: close\r\n\r\n"
        ),
    )
    paths = [*BAD_LOCATIONS, "/control"]
    folder = library([page("{s}" + p, p) for p in paths] + [page("{s}/via/port", "via")], s=site)
    r = run_cli(folder)
    assert r.code == 1
    for path, (location, why) in BAD_LOCATIONS.items():
        link = r.link(site.url(path))
        assert (link["outcome"], link["reason"]) == ("broken", "invalid_redirect"), link
        assert repr(location[:200]) in link["detail"], link["detail"]
        assert why in link["detail"], link["detail"]
        assert link["redirects"] == [{"url": site.url(path), "status": 302}]
    control = r.link(site.url("/control"))
    # the server broke HTTP itself (a control character in a header): whichever way the
    # transport reads it, it is a verdict on that answer, never a DNS error or a crash
    assert control["outcome"] == "broken"
    assert control["reason"] in ("invalid_redirect", "protocol_error"), control
    via = r.link(site.url("/via/port"))
    assert via["reason"] == "invalid_redirect"
    assert via["redirects"] == [
        {"url": site.url("/via/port"), "status": 301},
        {"url": site.url("/port"), "status": 302},
    ]
    # nothing was requested on the far side of a bad Location
    assert {e.path for e in site.log} <= {*paths, "/via/port"}


def test_a_location_in_another_spelling_is_followed_to_the_dotted_address(
    sites: SitesFactory, site: Site, library: LibraryFactory, run_cli: RunCli
) -> None:
    (target,) = sites(1)  # 127.0.0.2
    site.route("/hop", Response.redirect(f"http://0x7f.2:{target.port}/ok"))
    r = run_cli(library([page("{s}/hop")], s=site))
    link = r.link(site.url("/hop"))
    assert link["outcome"] == "ok", link
    assert link["final_url"] == f"http://127.0.0.2:{target.port}/ok"
    assert len(target.requests("/ok")) == 1


# --------------------------------------------------------------------------- internal errors


class _Buggy(httpx.AsyncBaseTransport):
    """Answers 200, except where linkcheck's own code would blow up (a bug, not a network
    failure): /zero raises ZeroDivisionError, /key raises KeyError."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/zero":
            _ = 1 / 0
        if request.url.path == "/key":
            raise KeyError("no such thing")
        return httpx.Response(200, content=b"ok", request=request)


def test_a_bug_is_an_internal_error_never_a_broken_link(
    library: LibraryFactory, caplog: pytest.LogCaptureFixture
) -> None:
    folder = library(
        [
            page("http://news.invalid/zero", "zero"),
            page("http://news.invalid/key", "key"),
            page("http://news.invalid/fine", "fine"),
        ]
    )
    config = linkcheck.load_config(retries=1, allow_private=True, use_state=False)
    with caplog.at_level(logging.DEBUG, logger="linkcheck"):
        report = linkcheck.run([str(folder)], config, transport=_Buggy())
    by_url = {r.link.url: r for r in report.results}
    for path in ("/zero", "/key"):
        result = by_url[f"http://news.invalid{path}"]
        assert (result.outcome.value, result.reason and result.reason.value) == (
            "warning",
            "internal_error",
        )
        assert "please report it" in result.detail
    assert by_url["http://news.invalid/fine"].outcome.value == "ok"
    assert report.exit_code == 0  # a bug is no broken link
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "linkcheck")
    assert "Traceback" in logged and "ZeroDivisionError" in logged and "KeyError" in logged

    from linkcheck.formats.text import render_summary

    text = render_summary(report)
    assert "2 links could not be judged because of a bug in linkcheck" in text
    assert "please report it" in text


def test_odd_declared_sizes_are_input_problems_not_internal_errors(
    site: Site, library: LibraryFactory, run_cli: RunCli
) -> None:
    image = "{s}/files/jpeg_baseline_pil.jpg"  # 64x48
    odd: list[Any] = [
        10**30,
        1e308,
        -0.0,
        True,
        "100px",
        float("nan"),
        float("inf"),
        -64,
        [64],
        {"px": 64},
        "",
        2**63,
    ]
    images = [{"url": image, "width": w, "height": 48} for w in odd]
    images += [{"url": image, "width": 64, "height": h} for h in (1e308, False, "48.0e")]
    folder = library([page("{s}/ok", "odd sizes", images=images)], s=site)
    r = run_cli(folder)
    assert r.report is not None
    assert "internal_error" not in r.report["summary"]["reasons"], r.report["summary"]
    img = r.link(site.url("/files/jpeg_baseline_pil.jpg"))
    assert img["reason"] != "internal_error"
    sizes = [p for p in r.problems if p["reason"] == "invalid_declared_size"]
    assert len(sizes) == len(images), [p["message"] for p in r.problems]


# --------------------------------------------------------------------------- secrets


SECRET = "hunter2-s3cret"
TOKEN = "t0k3n-from-the-environment"


def test_credentials_reach_the_server_and_no_output_of_any_format(
    site: Site,
    library: LibraryFactory,
    run_cli: RunCli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    basic = "Basic " + base64.b64encode(f"editor:{SECRET}".encode()).decode()

    def guarded(req: Request) -> Response:
        if req.headers.get("authorization") != basic:
            return Response.text("who are you?", 401)
        return Response.redirect("/private/final", 301)

    site.route("/private/start", guarded)
    site.route("/private/final", Response.text("secret page", 404))  # broken: listed everywhere
    monkeypatch.setenv("NEWSROOM_TOKEN", TOKEN)
    authority = f"editor:{SECRET}@{site.host}"
    folder = library(
        [
            page(
                f"http://{authority}/private/start",
                "with a password",
                related=[{"webUrl": f"http://{TOKEN}@{site.host}/status/404"}],
            )
        ]
    )
    outputs = tmp_path / "from-run"
    outputs.mkdir()
    names = [n for n in formatter_names() if n != "json"]
    spec = [f"--format={n}={outputs / n}" for n in names]
    # the news checks off: this test follows the HEAD of a page through its redirects
    r = run_cli(
        folder,
        "--header",
        "X-Api-Key: ${NEWSROOM_TOKEN}",
        *spec,
        "--no-soft-404",
        "--no-amp-checks",
    )
    assert r.code == 1, r.err
    # the requests carried the credentials
    (start,) = [e for e in site.log if e.path == "/private/start" and e.method == "HEAD"]
    assert start.headers["authorization"] == basic
    assert all(e.headers.get("x-api-key") == TOKEN for e in site.log)
    assert site.requests("/private/final")
    # ... and nothing shows them
    link = r.link(f"http://editor:***@{site.host}/private/start")
    assert link["final_url"] == f"http://editor:***@{site.host}/private/final"
    assert link["redirects"][0]["url"] == link["url"]
    r.link(f"http://***@{site.host}/status/404")
    assert r.report is not None and r.report["run"]["options"]["headers"]["X-Api-Key"] == "***"
    assert r.report_path is not None
    again = tmp_path / "from-report"
    again.mkdir()
    capsys.readouterr()
    code = main(["report", str(r.report_path), *[f"--format={n}={again / n}" for n in names]])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    files = [r.report_path, *outputs.iterdir(), *again.iterdir()]
    assert len(files) == 1 + 2 * len(names)
    for path in files:
        data = path.read_bytes()
        assert data, path
        for secret in (SECRET, TOKEN, base64.b64encode(f"editor:{SECRET}".encode()).decode()):
            assert secret.encode() not in data, f"{secret} in {path.name}"
    for text in (r.out, r.err, printed.out, printed.err):
        assert SECRET not in text and TOKEN not in text


def test_an_unset_header_variable_stops_the_run_before_any_request(
    site: Site, library: LibraryFactory, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NEWSROOM_TOKEN", raising=False)
    folder = library([page("{s}/ok")], s=site)
    r = run_cli(folder, "--header", "Authorization: Bearer ${NEWSROOM_TOKEN}")
    assert r.code == 2
    assert "environment variable NEWSROOM_TOKEN is not set" in r.err
    assert site.log == []


def test_fast_flags_allow_the_loopback_servers() -> None:
    assert "--allow-private" in FAST_FLAGS  # every test above talks to 127.0.0.x
    assert only([f for f in FAST_FLAGS if f == "--allow-private"])
