"""origin_of reads the common URL shape with one regex: it must give urlsplit's answer for
every URL, plain or not (case, ports, userinfo, IPv6, whitespace, non-ASCII, no host)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from linkcheck.net.templates import origin_of


def by_urlsplit(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if not parts.scheme or not parts.netloc:
        return ""
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


@pytest.mark.parametrize(
    "url",
    [
        "http://a.com",
        "HTTP://News.Example.COM:8080/x/y",
        "https://a-b.c.d:8443/p?q#f",
        "http://a.com?x",
        "http://a.com#frag",
        "http://127.0.0.2:37748/ok/1/story",
        "http://a.com\t/x",
        "http://a.com/path\twith a tab",
        " http://a.com/",
        "http://user:pw@a.com/",
        "http://[::1]:80/",
        "http://[::1/",
        "http://a.com:/x",
        "http://",
        "http:///x",
        "http://é.example/",
        "ftp://a.com/",
        "mailto:someone@a.com",
        "/relative/path",
        "",
    ],
)
def test_origin_is_what_urlsplit_says(url: str) -> None:
    assert origin_of(url) == by_urlsplit(url)
