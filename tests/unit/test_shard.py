"""Which shard a link belongs to (`linkcheck.shard`): by registrable domain, stable everywhere."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
from collections import Counter
from urllib.parse import urlsplit

import pytest

from linkcheck import shard
from linkcheck.collect.library import Collected
from linkcheck.config import Config
from linkcheck.models import Link, LinkKind, Outcome, RawLink, Reason, Skipped, Source
from linkcheck.shard import (
    amp_cache_publisher,
    registrable_domain,
    select,
    shard_of,
    shard_of_host,
)


@pytest.mark.parametrize(
    ("host", "domain"),
    [
        ("www.example.com", "example.com"),
        ("amp.example.com", "example.com"),
        ("cdn.img.example.com", "example.com"),
        ("WWW.Example.COM.", "example.com"),  # case and the root dot
        ("www.bbc.co.uk", "bbc.co.uk"),  # a two-label public suffix
        ("news.bbc.co.uk", "bbc.co.uk"),
        ("co.uk", "co.uk"),  # a public suffix itself
        ("www.lemonde.fr", "lemonde.fr"),
        ("www.sub.example.com.au", "example.com.au"),
        ("127.0.0.2", "127.0.0.2"),  # an IP address is its own domain
        ("127.0.0.3", "127.0.0.3"),
        ("[::1]", "::1"),
        ("::1", "::1"),
        ("localhost", "localhost"),
        ("www.news-a.test", "news-a.test"),  # no known suffix: the last two labels
        ("amp.news-a.test", "news-a.test"),
        ("intranet", "intranet"),
        ("www-example-com.cdn.ampproject.org", "example.com"),  # the AMP cache: its publisher
        ("www-bbc-co-uk.cdn.ampproject.org", "bbc.co.uk"),
        ("cdn.ampproject.org", "ampproject.org"),
    ],
)
def test_registrable_domain(host: str, domain: str) -> None:
    assert registrable_domain(host) == domain


def test_one_publishers_hosts_share_a_shard_for_every_n() -> None:
    family = [
        "www.example.com",
        "amp.example.com",
        "cdn.example.com",
        "example.com",
        "www-example-com.cdn.ampproject.org",
        "amp-example-com.cdn.ampproject.org",
    ]
    for n in (2, 3, 4, 7, 16, 100):
        assert len({shard_of_host(h, n) for h in family}) == 1, n
    uk = ["www.bbc.co.uk", "news.bbc.co.uk", "www-bbc-co-uk.cdn.ampproject.org"]
    assert len({shard_of_host(h, 8) for h in uk}) == 1


def test_hosts_under_one_public_suffix_are_spread() -> None:
    # co.uk is a suffix, not a publisher: 200 publishers under it land on every one of 4 shards
    counts = Counter(shard_of_host(f"www.paper{i}.co.uk", 4) for i in range(200))
    assert set(counts) == {1, 2, 3, 4}
    assert min(counts.values()) > 20
    # the AMP cache is split by publisher, not one giant shard
    cache = Counter(shard_of_host(f"www-paper{i}-com.cdn.ampproject.org", 4) for i in range(200))
    assert set(cache) == {1, 2, 3, 4}


@pytest.mark.parametrize(
    ("host", "publisher"),
    [
        ("www-example-com.cdn.ampproject.org", "www.example.com"),
        ("my--site-example-com.cdn.ampproject.org", "my-site.example.com"),  # '-' is '--'
        ("a--b--c-example-org.cdn.ampproject.org", "a-b-c.example.org"),
        # an IDN: the label is the punycode of 'bücher-example-com'
        (
            "xn--" + "bücher-example-com".encode("punycode").decode() + ".cdn.ampproject.org",
            "xn--bcher-kva.example.com",
        ),
        ("www.example.com", None),  # not a cache host
        ("cdn.ampproject.org", None),
        ("a.b.cdn.ampproject.org", None),  # two labels: not the encoded form
        # the hashed form of names too long for one label: base32, no dot to decode
        ("v2kgbfthcxg5ok2ccjfmumvfsfvjbsakwjo2ovcmvbgtlbxdv5ea.cdn.ampproject.org", None),
        ("-example-com.cdn.ampproject.org", None),  # an empty label
    ],
)
def test_amp_cache_publisher(host: str, publisher: str | None) -> None:
    assert amp_cache_publisher(host) == publisher


def test_a_hashed_amp_cache_host_is_its_own_domain() -> None:
    host = "v2kgbfthcxg5ok2ccjfmumvfsfvjbsakwjo2ovcmvbgtlbxdv5ea.cdn.ampproject.org"
    assert registrable_domain(host) == host
    spread = {shard_of_host(f"{i}{host[1:]}", 4) for i in range(2, 8)}
    assert len(spread) > 1  # not all on ampproject.org's shard


def test_shard_of_urls() -> None:
    assert shard_of("https://www.example.com/a", 4) == shard_of("http://amp.example.com:8080/", 4)
    assert shard_of("https://www.example.com/a", 4) == shard_of_host("example.com", 4)
    # no host (or not http): shard 1, so a merge sees each once
    hostless = ("mailto:a@example.com", "ftp://example.com/f", "images/a.jpg", "/about/", "")
    for url in (*hostless, "file:///srv/content/a.jpg", "file://example.com/a", "::"):
        assert shard_of(url, 4) == 1, url
    assert shard_of("http://[::1/", 4) == 1  # urlsplit raises: still shard 1
    assert shard_of("https://www.example.com/", 1) == 1


@pytest.mark.parametrize(
    "url",
    [
        "https://WWW.Example.COM:8080/x",
        "http://a.b.co.uk",
        "HTTPS://X.ORG?q",
        "https://x.org#f",
        "https://user:pw@www.site9.com/",  # userinfo: the slow path
        "https://[::1]:80/",
        "https://www.site3.com:/p",
        "https://münchen.de/",
    ],
)
def test_the_fast_path_reads_the_host_as_urlsplit_does(url: str) -> None:
    host = urlsplit(url).hostname
    assert host is not None
    assert shard_of(url, 16) == shard_of_host(host, 16)


# Pinned: a host's shard must never change between versions for a given N (per-shard history
# stores and caches stay valid). Changing these is a breaking change to announce.
PINNED = {
    ("example.com", 4): 2,
    ("www.bbc.co.uk", 4): 2,
    ("127.0.0.2", 4): 2,
    ("www.pub1.test", 4): 3,
    ("example.com", 16): 6,
}


def test_the_hash_is_pinned() -> None:
    assert {key: shard_of_host(*key) for key in PINNED} == PINNED
    # the rule, spelled out: SHA-256 of the registrable domain, first 8 bytes, mod N, plus 1
    digest = hashlib.sha256(b"bbc.co.uk").digest()
    assert shard_of_host("news.bbc.co.uk", 9) == int.from_bytes(digest[:8], "big") % 9 + 1


def test_stable_across_processes() -> None:
    hosts = [f"www.site{i}.com" for i in range(50)] + ["127.0.0.9", "www.bbc.co.uk"]
    here = [shard_of_host(h, 7) for h in hosts]
    code = (
        "import json, sys; from linkcheck.shard import shard_of_host; "
        "print(json.dumps([shard_of_host(h, 7) for h in json.loads(sys.argv[1])]))"
    )
    for seed in ("1", "2"):  # another process, another str hash seed: the same shards
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", code, json.dumps(hosts)],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        assert json.loads(out.stdout) == here


def test_the_public_suffix_list_is_never_fetched(monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: list[object] = []

    def refuse(*args: object, **kw: object) -> None:
        attempts.append(args)
        raise OSError("no network in this test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    shard._extractor.cache_clear()
    registrable_domain.cache_clear()
    try:
        assert registrable_domain("www.theguardian.co.uk") == "theguardian.co.uk"
        extractor = shard._extractor()
        assert extractor.suffix_list_urls == () and extractor.fallback_to_snapshot
    finally:
        registrable_domain.cache_clear()
    assert attempts == []


def _src(n: int) -> Source:
    return Source(f"a{n}.md", "body", n, None)


def _collected(urls: list[str], skipped: list[tuple[str, Reason]]) -> Collected:
    links = [Link(u, LinkKind.PAGE, ()) for u in urls]
    skips = [
        Skipped(RawLink(u, LinkKind.PAGE, _src(i)), u, Outcome.SKIPPED, r, "")
        for i, (u, r) in enumerate(skipped)
    ]
    return Collected(files=3, articles=3, links=links, skipped=skips, problems=[])


def test_select_partitions_links_and_skipped() -> None:
    urls = [f"https://www.site{i}.com/p" for i in range(40)] + [
        "https://amp.site3.com/p",
        "http://127.0.0.5:8000/x",
    ]
    skipped = [
        ("mailto:x@site4.com", Reason.UNSUPPORTED_SCHEME),
        ("http://bad host.com/", Reason.INVALID_URL),  # has a host-like part: still shard 1
        ("https://www.site7.com/excluded", Reason.EXCLUDED),  # by its domain
    ]
    n = 4
    seen_links: list[str] = []
    seen_skipped: list[str] = []
    for k in range(1, n + 1):
        part = select(_collected(urls, skipped), Config(shard=(k, n)))
        assert part.files == 3 and part.articles == 3  # every shard read the whole library
        seen_links += [link.url for link in part.links]
        seen_skipped += [s.url for s in part.skipped]
        assert all(shard_of(link.url, n) == k for link in part.links)
        if k == 1:
            assert {"mailto:x@site4.com", "http://bad host.com/"} <= {s.url for s in part.skipped}
    assert sorted(seen_links) == sorted(urls)  # each link in exactly one shard
    assert sorted(seen_skipped) == sorted(u for u, _ in skipped)
    excluded = [k for k in range(1, 5) if shard_of("https://www.site7.com/excluded", 4) == k]
    assert excluded == [shard_of_host("site7.com", 4)]


def test_select_unsharded_keeps_everything() -> None:
    c = _collected(["https://a.com/", "https://b.com/"], [])
    assert select(c, Config()) is c
    assert select(c, Config(shard=(1, 1))) is c


def test_any_url_has_a_shard_and_nothing_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    import random
    import string

    rng = random.Random(3)
    alphabet = string.printable + "ü\u200b\udcff日本"
    for _ in range(2000):
        host = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        for url in (f"https://{host}/x", f"http://{host}", host):
            assert 1 <= shard_of(url, 4) <= 4

    def broken(host: str) -> object:
        raise ValueError("a suffix list that cannot read this host")

    monkeypatch.setattr(shard, "_extractor", lambda: broken)
    registrable_domain.cache_clear()
    try:
        assert registrable_domain("www.example.com") == "example.com"  # the last two labels
    finally:
        registrable_domain.cache_clear()
