"""host_of reads the common URL shape with a regex: it must spell every host exactly as httpx."""

from __future__ import annotations

import httpx
import pytest

from linkcheck.check import host_of

URLS = [
    "http://example.com/",
    "https://Example.COM/a?b#c",
    "http://example.com:80/x",
    "https://example.com:443",
    "https://example.com:80/x",
    "http://example.com:8080?x=1",
    "http://example.com#frag",
    "HTTP://example.com/",
    "http://a.com./x",
    "http://a.com:/x",
    "http://127.0.0.2:8000/p/1",
    "http://127.0.0.1/",
    "http://10.0.0.255:65535/",
    "http://127.000.0.1:8000/",
    "http://1.2.3/",
    "http://0x7f.1/",
    "https://bücher.de/a",
    "https://user:pw@a.com/",
    "http://[::1]:80/",
    "http://[::1]:8080/",
    "http://a.com:080/",
    "http://xn--bcher-kva.de/",
    "http://a_b.example/",
    "http://sub.domain-with-dash.example.org:1/",
]


@pytest.mark.parametrize("url", URLS)
def test_host_of_spells_hosts_as_httpx_does(url: str) -> None:
    try:
        expected = httpx.URL(url).netloc.decode("ascii", "replace")
    except httpx.InvalidURL:
        with pytest.raises(httpx.InvalidURL):
            host_of(url)
        return
    assert host_of(url) == expected
