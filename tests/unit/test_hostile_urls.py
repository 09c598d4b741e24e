"""Hostile URLs and Locations become verdicts (never tracebacks), credentials never reach a
report, and header values can come from the environment (issue #12)."""

from __future__ import annotations

from pathlib import Path

import pytest

from linkcheck import Config, load_config
from linkcheck.collect.credentials import redact
from linkcheck.collect.normalize import ipv4_host, normalize, resolve_location
from linkcheck.config.values import Where, expand_env
from linkcheck.errors import ConfigError
from linkcheck.models import (
    CheckResult,
    Hop,
    Link,
    LinkKind,
    Occurrence,
    Outcome,
    RawLink,
    Reason,
    RunInfo,
    Skipped,
    Source,
)
from linkcheck.report import build_report

SRC = Source("a.md", "webUrl", 2, "A")


def raw(text: str) -> RawLink:
    return RawLink(text, LinkKind.PAGE, SRC)


# ------------------------------------------------------------------ IPv4 in every spelling


@pytest.mark.parametrize(
    ("host", "dotted"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),  # octal
        ("0x7f.1", "127.0.0.1"),  # hex, two parts
        ("0x7f.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),  # one decimal number
        ("0x7f000001", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.0.1.", "127.0.0.1"),  # trailing dot
        ("1.2.3.04", "1.2.3.4"),  # leading zero: octal 04
        ("1.2.3", "1.2.0.3"),
        ("0", "0.0.0.0"),
        ("0x", "0.0.0.0"),
        ("4294967295", "255.255.255.255"),
        ("169.254.169.254", "169.254.169.254"),
    ],
)
def test_ipv4_spellings_the_whatwg_parser_accepts_become_dotted(host: str, dotted: str) -> None:
    assert ipv4_host(host) == dotted
    assert normalize(raw(f"http://{host}:8080/p")) == f"http://{dotted}:8080/p"


@pytest.mark.parametrize(
    "host",
    ["256.1.1.1", "4294967296", "1.2.3.09", "1.2.3.4.5", "example.1", "1.256.1.1", "0x1g.1"],
)
def test_ipv4_spellings_the_whatwg_parser_rejects_are_invalid_urls(host: str) -> None:
    assert ipv4_host(host) is None
    result = normalize(raw(f"http://{host}/"))
    assert isinstance(result, Skipped)
    assert (result.outcome, result.reason) == (Outcome.BROKEN, Reason.INVALID_URL)
    assert host in result.detail and "IPv4" in result.detail


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://[::1", "Invalid IPv6"),
        ("http://[::1/x", "Invalid IPv6"),
        ("http://[zz::1]/", "does not appear to be an IPv4 or IPv6 address"),
        ("http://example.com:99999/", "out of range"),
        ("http://exa mple.com/", "invalid host"),
    ],
)
def test_other_malformed_hosts_are_invalid_urls(url: str, expected: str) -> None:
    result = normalize(raw(url))
    assert isinstance(result, Skipped) and result.reason is Reason.INVALID_URL
    assert expected in result.detail


def test_names_that_only_look_numeric_are_names() -> None:
    assert normalize(raw("http://1e3.example/")) == "http://1e3.example/"
    assert normalize(raw("http://123.example.com/")) == "http://123.example.com/"


# ------------------------------------------------------------------ Location values


@pytest.mark.parametrize(
    ("location", "why"),
    [
        ("http://127.0.0.1:99999/x", "out of range"),
        ("http://exa mple.com/x", "invalid host"),
        ("http://ex<a>mple.com/", "invalid host"),
        ("http://example.com/\x01x", "control character U+0001"),
        ("file:///etc/passwd", "file: URLs cannot be followed"),
        ("ftp://example.com/x", "ftp: URLs cannot be followed"),
        ("javascript:alert(1)", "javascript: URLs cannot be followed"),
        ("", "empty URL"),
        ("http://[::1/x", "Invalid IPv6"),
        ("http://256.1.1.1/", "IPv4"),
        ("http:///x", "empty host"),
    ],
)
def test_bad_locations_say_why(location: str, why: str) -> None:
    target, detail = resolve_location(location, "http://a.example/dir/page")
    assert target is None
    assert why in detail


@pytest.mark.parametrize(
    ("location", "target"),
    [
        ("/b?q=1", "http://a.example/b?q=1"),
        ("next", "http://a.example/dir/next"),
        ("//other.example/x", "http://other.example/x"),
        ("https://B.Example:443/x#frag", "https://b.example/x"),
        ("http://0177.0.0.1/", "http://127.0.0.1/"),
        ("/a b", "http://a.example/a%20b"),  # as browsers do: a space in a path is encoded
    ],
)
def test_good_locations_resolve_to_canonical_urls(location: str, target: str) -> None:
    assert resolve_location(location, "http://a.example/dir/page") == (target, "")


# ------------------------------------------------------------------ credentials


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("https://user:s3cret@host/x", "https://user:***@host/x"),
        ("https://t0ken@host/x", "https://***@host/x"),
        ("http://u:p@ss@host/", "http://u:***@host/"),  # password with an "@"
        ("see 'https://u:p@h/a', then ftp://a:b@c", "see 'https://u:***@h/a', then ftp://a:***@c"),
        ("https://host/@user?x=a@b", "https://host/@user?x=a@b"),  # no userinfo
        ("mail me: a@b.example", "mail me: a@b.example"),
    ],
)
def test_redact_hides_userinfo(text: str, shown: str) -> None:
    assert redact(text) == shown


def test_build_report_redacts_every_url_field() -> None:
    url = "https://editor:hunter2@cms.example/a"
    link = Link(url, LinkKind.PAGE, (Occurrence(url, LinkKind.PAGE, SRC),))
    result = CheckResult(
        link,
        Outcome.BROKEN,
        Reason.HTTP_STATUS,
        404,
        "https://editor:hunter2@cms.example/b",
        redirects=(Hop(url, 301),),
        detail=f"HTTP 404 at {url}",
    )
    plain = Link("https://cms.example/p", LinkKind.PAGE, (Occurrence("x", LinkKind.PAGE, SRC),))
    ok = CheckResult(plain, Outcome.OK, None, 200, plain.url)
    run = RunInfo(
        started_at="2026-01-01T00:00:00Z",
        finished_at="2026-01-01T00:00:01Z",
        duration_s=1.0,
        inputs=("lib",),
        options={},
    )
    report = build_report(run=run, files=1, articles=1, results=[result, ok], problems=[])
    shown = next(r for r in report.results if r.outcome is Outcome.BROKEN)
    assert "hunter2" not in repr(
        (shown.link, shown.final_url, shown.redirects, shown.detail, shown.link.occurrences)
    )
    assert shown.link.url == "https://editor:***@cms.example/a"
    assert shown.final_url == "https://editor:***@cms.example/b"
    assert shown.redirects == (Hop("https://editor:***@cms.example/a", 301),)
    assert ok in report.results and any(r is ok for r in report.results)  # nothing to hide


# ------------------------------------------------------------------ configured headers


def test_header_values_are_hidden_in_run_options() -> None:
    config = load_config(
        headers={"Authorization": "Bearer abc123", "Accept-Language": "en"},
        hosts={"cms.example": {"headers": {"X-Api-Key": "k3y"}}},
    )
    assert dict(config.headers)["Authorization"] == "Bearer abc123"  # still sent
    options = config.as_options()
    assert options["headers"] == {"Accept-Language": "***", "Authorization": "***"}
    assert options["hosts"]["cms.example"]["headers"] == {"X-Api-Key": "***"}
    assert "abc123" not in repr(options) and "k3y" not in repr(options)


def test_header_values_expand_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSROOM_TOKEN", "t0k3n")
    config = load_config(
        headers=["Authorization: Bearer ${NEWSROOM_TOKEN}", "X-Price: 5$$ and $5"],
        hosts={"cms.example": {"headers": {"X-Key": "${NEWSROOM_TOKEN}"}}},
    )
    assert dict(config.headers) == {"Authorization": "Bearer t0k3n", "X-Price": "5$ and $5"}
    assert dict(config.hosts["cms.example"].headers) == {"X-Key": "t0k3n"}
    assert Config().headers == ()  # nothing leaks into the defaults


def test_an_unset_variable_is_a_config_error_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSROOM_TOKEN", raising=False)
    with pytest.raises(ConfigError) as caught:
        load_config(headers={"Authorization": "Bearer ${NEWSROOM_TOKEN}"})
    message = str(caught.value)
    assert "header Authorization: environment variable NEWSROOM_TOKEN is not set" in message
    assert message.startswith("--header:")  # the setting it came from


def test_an_unset_variable_in_the_config_file_names_the_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("CMS_KEY", raising=False)
    toml = tmp_path / "linkcheck.toml"
    toml.write_text('[hosts."cms.example".headers]\n"X-Api-Key" = "${CMS_KEY}"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(toml)
    message = str(caught.value)
    assert "linkcheck.toml" in message and "hosts.cms.example.headers" in message
    assert "header X-Api-Key: environment variable CMS_KEY is not set" in message
    monkeypatch.setenv("CMS_KEY", "v")
    assert dict(load_config(toml).hosts["cms.example"].headers) == {"X-Api-Key": "v"}


@pytest.mark.parametrize("value", ["${}", "${1ABC}", "${NEWSROOM_TOKEN", "${A-B}"])
def test_a_malformed_reference_is_a_config_error(value: str) -> None:
    with pytest.raises(ConfigError, match=r"not a valid reference .* \$\{NAME\}"):
        expand_env(Where("--header"), "Authorization", value)
