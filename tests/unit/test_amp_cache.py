"""The AMP Cache URL algorithm against its published examples.

Sources of the vectors:
  [spec]    amp.dev, "AMP Cache URL Format and Request Handling", Basic Algorithm examples
            (ampproject/amp.dev, .../learn/amp-caches-and-cors/amp-cache-urls.md)
  [toolbox] amp-toolbox packages/cache-url/spec/AmpUrlSpec.js (the reference implementation)
  [google]  developers.google.com/amp/cache/overview examples (as quoted by the Tor Project's
            snowflake common/amp/cache_test.go, which checked its fallback vectors against
            the toolbox)
"""

from __future__ import annotations

import re

import pytest

from linkcheck.news.amp_cache import (
    cache_domain_of,
    cache_host,
    cache_url,
    domain_prefix,
    fallback_prefix,
)

PREFIXES = [
    # [spec] basic algorithm table
    ("example.com", "example-com"),
    ("foo.example.com", "foo-example-com"),
    ("foo-example.com", "foo--example-com"),
    ("xn--57hw060o.com", "xn---com-p33b41770a"),  # ⚡😊.com
    ("\u26a1\U0001f60a.com", "xn---com-p33b41770a"),  # the same host written in Unicode
    ("en-us.example.com", "0-en--us-example-com-0"),  # '-' at positions 3 and 4
    # [toolbox] createCurlsSubdomain
    ("something.com", "something-com"),
    ("SOMETHING.COM", "something-com"),
    ("hello-world.com", "hello--world-com"),
    ("hello--world.com", "hello----world-com"),
    ("toplevelnohyphens", "qsgpfjzulvuaxb66z77vlhb5gu2irvcnyp6t67cz6tqo5ae6fysa"),  # no dot
    ("no-dot-domain", "4lxc7wqq7b25walg4rdiil62veijrmqui5z3ept2lyfqqwpowryq"),
    (
        "itwasadarkandstormynight.therainfellintorrents.exceptatoccasionalintervalswhenit"
        "wascheckedby.aviolentgustofwindwhichsweptupthestreets.com",
        "dgz4cnrxufaulnwku4ow5biptyqnenjievjht56hd7wqinbdbteq",  # too long: hashed
    ),
    ("xn--bcher-kva.ch", "xn--bcher-ch-65a"),  # bücher.ch
    # wholly right-to-left: stays readable
    ("xn--4gbrim.xn----rmckbbajlc6dj7bxne2c.xn--wgbh1c", "xn-------i5fvcbaopc6fkc0de0d9jybegt6cd"),
    # right-to-left mixed with left-to-right: hashed
    (
        "hello.xn--4gbrim.xn----rmckbbajlc6dj7bxne2c.xn--wgbh1c",
        "a6h5moukddengbsjm77rvbosevwuduec2blkjva4223o4bgafgla",
    ),
    # [google] via snowflake: 64-character hosts are hashed
    (
        "000000000000000000000000000000000000000000000000000000000000.com",
        "stejanx4hsijaoj4secyecy4nvqodk56kw72whwcmvdbtucibf5a",
    ),
    (
        "00000000000000000000000000000000000000000000000000000000000a.com",
        "jdcvbsorpnc3hcjrhst56nfm6ymdpovlawdbm2efyxpvlt4cpbya",
    ),
]


@pytest.mark.parametrize(("host", "prefix"), PREFIXES)
def test_domain_prefix_matches_the_published_examples(host: str, prefix: str) -> None:
    assert domain_prefix(host) == prefix


def test_fallback_is_52_lowercase_base32_characters() -> None:
    # [google] via snowflake: the fallback of example.com and of the empty string
    assert fallback_prefix("example.com") == "un42n5xov642kxrxrqiyanhcoupgql5lt4wtbkyt2ijflbwodfdq"
    assert fallback_prefix("") == "4oymiquy7qobjgx36tejs35zeqt24qpemsnzgtfeswmrw6csxbkq"
    assert re.fullmatch(r"[a-z2-7]{52}", fallback_prefix("a" * 200 + ".com"))


def test_label_of_63_is_kept_and_64_is_hashed() -> None:
    kept = "a" * 59 + ".com"  # -> 63 characters: a valid label
    assert domain_prefix(kept) == "a" * 59 + "-com"
    longer = "a" * 60 + ".com"  # -> 64
    assert domain_prefix(longer) == fallback_prefix(longer)


def test_ip_literal_hosts() -> None:
    # no rule of its own in the specification: IPv4 goes through the basic algorithm,
    # an IPv6 literal is no DNS label and is hashed
    assert domain_prefix("127.0.0.2") == "127-0-0-2"
    assert domain_prefix("[::1]") == fallback_prefix("::1")


def test_every_prefix_is_a_dns_label() -> None:
    for host in ("a b.c", "-x.com", "x-.com", "xn---.com", "ab--c.com", "\u0314example.com"):
        assert re.fullmatch(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", domain_prefix(host)), host


URLS = [
    # [toolbox] createCacheUrl
    ("https://www.example.com", "https://www-example-com.cdn.ampproject.org/c/s/www.example.com"),
    ("http://www.example.com", "https://www-example-com.cdn.ampproject.org/c/www.example.com"),
    (
        "https://www.example.com/index.html",
        "https://www-example-com.cdn.ampproject.org/c/s/www.example.com/index.html",
    ),
    (
        "http://www.example.com/index.html",
        "https://www-example-com.cdn.ampproject.org/c/www.example.com/index.html",
    ),
    (
        "https://www.example.com/image.png",
        "https://www-example-com.cdn.ampproject.org/i/s/www.example.com/image.png",
    ),
    (
        "http://www.example.com/font.woff2",
        "https://www-example-com.cdn.ampproject.org/r/www.example.com/font.woff2",
    ),
    (
        "https://example.com/g?value=Hello%20World",
        "https://example-com.cdn.ampproject.org/c/s/example.com/g?value=Hello%20World",
    ),
    ("https://點看.com", "https://xn---com-k47jg78q.cdn.ampproject.org/c/s/點看.com"),
    # [google] via snowflake
    (
        "https://example.com/amp_document.html",
        "https://example-com.cdn.ampproject.org/c/s/example.com/amp_document.html",
    ),
    (
        "http://example.com/logo.png",
        "https://example-com.cdn.ampproject.org/i/example.com/logo.png",
    ),
    # the article in /work/shared/examples (a real library): its cdnAmpWebUrl values
    (
        "https://amp.scmp.com/tech/big-tech/article/3088133/ibm-turns-away",
        "https://amp-scmp-com.cdn.ampproject.org/c/s/amp.scmp.com/tech/big-tech/article/3088133/ibm-turns-away",
    ),
    (
        "https://knowtechie.com/ibm-ditches/amp/?p=121777",
        "https://knowtechie-com.cdn.ampproject.org/c/s/knowtechie.com/ibm-ditches/amp/?p=121777",
    ),
]


@pytest.mark.parametrize(("url", "expected"), URLS)
def test_cache_url_matches_the_published_examples(url: str, expected: str) -> None:
    assert cache_url(url) == expected


def test_port_kept_in_the_path_unless_asked_not_to() -> None:
    url = "http://127.0.0.2:8080/a/amp?x=1#frag"
    assert cache_url(url) == "https://127-0-0-2.cdn.ampproject.org/c/127.0.0.2:8080/a/amp?x=1"
    assert cache_url(url, keep_port=False) == (
        "https://127-0-0-2.cdn.ampproject.org/c/127.0.0.2/a/amp?x=1"
    )
    assert cache_url("https://example.com:443/") == (
        "https://example-com.cdn.ampproject.org/c/s/example.com/"
    )


def test_other_cache_domain() -> None:
    assert cache_host("example.com", "www.bing-amp.com") == "example-com.www.bing-amp.com"
    assert cache_url("https://example.com/a", "www.bing-amp.com") == (
        "https://example-com.www.bing-amp.com/c/s/example.com/a"
    )


@pytest.mark.parametrize("bad", ["ftp://example.com/", "/relative", "https:///nohost", ""])
def test_not_an_http_url_is_a_value_error(bad: str) -> None:
    with pytest.raises(ValueError, match="not an absolute"):
        cache_url(bad)


def test_known_cache_domains() -> None:
    assert cache_domain_of("www-example-com.cdn.ampproject.org") == "cdn.ampproject.org"
    assert cache_domain_of("EXAMPLE-COM.CDN.AMPPROJECT.ORG.") == "cdn.ampproject.org"
    assert cache_domain_of("example-com.www.bing-amp.com") == "www.bing-amp.com"
    assert cache_domain_of("cdn.ampproject.org") is None  # the cache itself, no prefix
    assert cache_domain_of("example-com.cdn.ampproject.org.evil.example") is None
    assert cache_domain_of("amp.example.com") is None
