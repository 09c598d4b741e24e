"""The private-address guard from the command line: by default no request reaches a loopback,
private or metadata address in any spelling, directly or through a redirect; `--allow-private`
checks them as before; `--allow-net CIDR` lets in just that network.

These runs do not use FAST_FLAGS (which allow private addresses for the rest of the suite).
Tests that name addresses outside 127.0.0.0/8 run under `guardkit.OutsideConnections`, which
refuses (and records) any such connection before a packet leaves.
"""

from __future__ import annotations

import pytest
from e2ekit import LibraryFactory, RunCli, SitesFactory
from guardkit import OutsideConnections
from sitekit import Site

GUARDED = ("--timeout", "2", "--retries", "0", "--host-rate", "50")
SPELLINGS = [
    "127.0.0.1",
    "2130706433",
    "0177.0.0.1",
    "0x7f.1",
    "127.1",
    "127.0.0.1.",
    "[::1]",
    "[::ffff:127.0.0.1]",
    "0.0.0.0",
    "localhost",
]


@pytest.fixture
def outside(monkeypatch: pytest.MonkeyPatch) -> OutsideConnections:
    return OutsideConnections().install(monkeypatch)


def test_by_default_no_spelling_of_loopback_is_requested(
    run_cli: RunCli, site: Site, library: LibraryFactory, outside: OutsideConnections
) -> None:
    urls = [f"http://{host}:{site.port}/ok?n={i}" for i, host in enumerate(SPELLINGS)]
    folder = library([{"title": f"A{i}", "webUrl": url} for i, url in enumerate(urls)])
    r = run_cli(folder, *GUARDED, fast=False)
    assert site.log == []  # not one request, whatever the spelling
    assert outside.attempts == []
    assert r.code == 0  # a refused link is skipped, not broken
    assert len(r.links) == len(SPELLINGS)
    for link in r.links:
        # 0177.0.0.1 (octal) is no valid URL host for httpx: refused as invalid before that
        if "0177" in link["url"] and link["reason"] != "private_address":
            assert link["outcome"] == "broken" and link["reason"] == "invalid_url", link
            continue
        assert (link["outcome"], link["reason"]) == ("skipped", "private_address"), link
        assert "not requested (--allow-private, or --allow-net " in link["detail"], link
        assert link["http_status"] is None and link["attempts"] <= 1, link
    assert r.report is not None and r.report["run"]["network_down"] is None


def test_with_allow_private_they_are_checked_as_before(
    run_cli: RunCli, site: Site, library: LibraryFactory
) -> None:
    folder = library(
        [
            {"title": "a", "webUrl": site.url("/ok")},
            {"title": "b", "webUrl": f"http://localhost:{site.port}/ok?b"},
        ]
    )
    r = run_cli(folder, *GUARDED, "--allow-private", "--no-soft-404", "--no-amp-checks", fast=False)
    assert [link["outcome"] for link in r.links] == ["ok", "ok"], r.links
    assert len(site.log) == 2


def test_allow_net_allows_only_that_address_and_a_redirect_hop_is_refused(
    run_cli: RunCli, sites: SitesFactory, library: LibraryFactory
) -> None:
    a, b = sites(2)  # 127.0.0.2, 127.0.0.3
    hop = a.url(f"/redirect-to?url={b.url('/ok')}")
    folder = library([{"title": "A", "webUrl": hop}, {"title": "B", "webUrl": b.url("/ok?b")}])
    r = run_cli(folder, *GUARDED, "--allow-net", "127.0.0.2/32", fast=False)
    assert b.log == []  # neither the redirect's target nor the direct link reached it
    assert a.log != []
    redirected = r.link(hop)
    assert (redirected["outcome"], redirected["reason"]) == ("skipped", "private_address")
    assert redirected["detail"].startswith("127.0.0.3 is a loopback address: not requested")
    assert [h["url"] for h in redirected["redirects"]] == [hop]  # the chain so far
    direct = r.link(b.url("/ok?b"))
    assert (direct["outcome"], direct["reason"]) == ("skipped", "private_address")
    assert r.code == 0


def test_a_redirect_to_the_metadata_address_never_reaches_it(
    run_cli: RunCli, sites: SitesFactory, library: LibraryFactory, outside: OutsideConnections
) -> None:
    (a,) = sites(1)
    metadata = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"
    hop = a.url(f"/redirect-to?url={metadata}")
    folder = library([{"title": "A", "webUrl": hop}, {"title": "B", "webUrl": metadata}])
    r = run_cli(folder, *GUARDED, "--allow-net", "127.0.0.2/32", fast=False)
    assert outside.attempts == []
    redirected = r.link(hop)
    assert (redirected["outcome"], redirected["reason"]) == ("skipped", "private_address")
    assert "169.254.169.254 is the cloud metadata address" in redirected["detail"]
    assert [h["url"] for h in redirected["redirects"]] == [hop]
    assert r.link(metadata)["reason"] == "private_address"


def test_refused_literal_addresses_take_no_host_turn(
    run_cli: RunCli, site: Site, library: LibraryFactory, outside: OutsideConnections
) -> None:
    """Links to a literal private address are settled before checking: they neither wait for
    the host's rate (60 links at 1/s would take a minute) nor count as requests to it."""
    urls = [f"http://127.0.0.1:{site.port}/page/{i}" for i in range(60)]
    urls.append("http://169.254.169.254/latest/meta-data/")
    folder = library([{"title": f"A{i}", "webUrl": u} for i, u in enumerate(urls)])
    r = run_cli(folder, "--timeout", "2", "--retries", "0", "--host-rate", "1", fast=False)
    assert r.code == 0 and r.report is not None
    links = r.report["links"]
    assert len(links) == 61
    assert {(x["outcome"], x["reason"]) for x in links} == {("skipped", "private_address")}
    assert all(x["attempts"] == 0 for x in links)
    assert r.report["run"]["hosts"] == []  # no host was ever given a turn
    assert site.log == [] and outside.attempts == []
