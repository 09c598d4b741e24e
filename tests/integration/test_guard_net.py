"""The private-address guard through real sockets, on both transports.

Every test that names an address outside 127.0.0.0/8 runs under `guardkit.OutsideConnections`:
a connection attempt to such an address is refused by the test before any packet leaves, and
recorded, so a broken guard fails the test without ever reaching 169.254.169.254 or 10.0.0.1.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from guardkit import OutsideConnections
from sitekit import Site

from linkcheck.config import Config
from linkcheck.models import ErrorKind
from linkcheck.net.client import Backend, make_client, make_transport
from linkcheck.net.exchange import Exchange, exchange

BACKENDS: list[Backend] = ["aiohttp", "httpx"]
GUARDED = Config(timeout=3, connect_timeout=2, retries=0)  # the default: private refused


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Backend:
    value: Backend = request.param
    return value


@pytest.fixture
def outside(monkeypatch: pytest.MonkeyPatch) -> OutsideConnections:
    return OutsideConnections().install(monkeypatch)


@pytest.fixture(autouse=True)
def _no_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


async def get(
    backend: Backend,
    url: str,
    config: Config = GUARDED,
    getaddrinfo: Callable[..., list[Any]] | None = None,
) -> Exchange:
    transport = make_transport(config, backend=backend, getaddrinfo=getaddrinfo)
    async with make_client(config, transport=transport) as client:
        return await exchange(client, "GET", url, timeout=config.timeout)


SPELLINGS = [
    "127.0.0.1",
    "2130706433",
    "0x7f.1",
    "0x7f000001",
    "127.1",
    "127.0.0.1.",
    "[::1]",
    "[::ffff:127.0.0.1]",
    "0.0.0.0",
    "localhost",
    "LOCALHOST.",
]


async def test_every_spelling_of_loopback_is_refused_without_a_request(
    backend: Backend, site: Site, outside: OutsideConnections
) -> None:
    for host in SPELLINGS:
        ex = await get(backend, f"http://{host}:{site.port}/ok")
        assert ex.error_kind is ErrorKind.PRIVATE_ADDRESS, (host, ex)
        assert "not requested (--allow-private, or --allow-net " in ex.error_detail
    assert site.log == []
    assert outside.attempts == []


async def test_with_allow_private_loopback_is_checked_as_before(
    backend: Backend, site: Site
) -> None:
    config = replace(GUARDED, allow_private=True)
    for host in ("127.0.0.1", "localhost"):
        ex = await get(backend, f"http://{host}:{site.port}/ok", config)
        assert ex.status == 200, (host, ex)
    assert len(site.log) == 2


@pytest.mark.parametrize(
    "host", ["169.254.169.254", "10.0.0.1", "[fd00::1]", "100.64.0.1", "2852039166", "[fe80::1]"]
)
async def test_private_addresses_are_refused_before_any_socket(
    backend: Backend, outside: OutsideConnections, host: str
) -> None:
    ex = await get(backend, f"http://{host}/latest/meta-data/")
    assert ex.error_kind is ErrorKind.PRIVATE_ADDRESS, ex
    assert outside.attempts == []


async def test_a_name_resolving_to_a_private_address_is_refused(
    backend: Backend, outside: OutsideConnections
) -> None:
    lookup = Lookups("169.254.169.254")
    ex = await get(backend, "http://metadata.example/latest/", getaddrinfo=lookup)
    assert ex.error_kind is ErrorKind.PRIVATE_ADDRESS, ex
    assert ex.error_detail.startswith("metadata.example resolves to 169.254.169.254, the cloud")
    assert lookup.hosts == ["metadata.example"]
    assert outside.attempts == []


async def test_allow_net_lets_just_that_network_in(backend: Backend, sites: Any) -> None:
    a, b = sites(2)  # 127.0.0.2, 127.0.0.3
    config = replace(GUARDED, allow_net=("127.0.0.2/32",))
    assert (await get(backend, a.url("/ok"), config)).status == 200
    refused = await get(backend, b.url("/ok"), config)
    assert refused.error_kind is ErrorKind.PRIVATE_ADDRESS
    assert refused.error_detail.startswith("127.0.0.3 is a loopback address")
    assert len(a.log) == 1 and b.log == []


async def test_a_name_is_looked_up_by_the_system_and_its_allowed_addresses_used(
    backend: Backend, site: Site
) -> None:
    """`localhost` through the real getaddrinfo: 127.0.0.1 is allowed by --allow-net, ::1 (if
    the system answers it too) is dropped, and the request reaches the site."""
    config = replace(GUARDED, allow_net=("127.0.0.0/8",))
    ex = await get(backend, f"http://localhost:{site.port}/ok", config)
    assert ex.status == 200, ex
    assert len(site.log) == 1


async def test_a_rebinding_name_connects_to_the_address_that_was_checked(
    backend: Backend, sites: Any
) -> None:
    """The first answer (127.0.0.2, allowed) is the one connected to; the next (127.0.0.3,
    refused) would be reached only by a second lookup, which must not happen."""
    (allowed,) = sites(1)
    with Site("127.0.0.3", allowed.port) as forbidden:
        lookup = Lookups("127.0.0.2", "127.0.0.3")
        config = replace(GUARDED, allow_net=("127.0.0.2/32",))
        url = f"http://rebind.example:{allowed.port}/ok"
        ex = await get(backend, url, config, getaddrinfo=lookup)
        assert ex.status == 200, ex
        assert lookup.hosts == ["rebind.example"]  # one lookup for the one connection
        assert len(allowed.log) == 1 and forbidden.log == []
        # a new connection looks up again: now the answer is refused, and nothing is sent
        again = await get(backend, url, config, getaddrinfo=lookup)
        assert again.error_kind is ErrorKind.PRIVATE_ADDRESS, again
        assert again.error_detail.startswith("rebind.example resolves to 127.0.0.3")
        assert forbidden.log == []


async def test_through_a_proxy_only_literals_and_localhost_are_checked(
    backend: Backend, site: Site, outside: OutsideConnections
) -> None:
    """The proxy resolves names; its own address (here loopback, named `localhost`) is never
    refused. A literal private target, or `localhost`, is refused before it reaches the proxy."""
    config = replace(GUARDED, proxy=f"http://localhost:{site.port}")
    ok = await get(backend, "http://news.example/ok", config)
    assert ok.status == 200, ok
    assert [e.target for e in site.log] == ["http://news.example/ok"]
    for target in ("http://169.254.169.254/latest/", "http://localhost/admin", "http://[::1]/"):
        ex = await get(backend, target, config)
        assert ex.error_kind is ErrorKind.PRIVATE_ADDRESS, (target, ex)
    assert len(site.log) == 1
    assert outside.attempts == []


class Lookups:
    """A getaddrinfo that answers `answers[0]` first, then `answers[1]`, ... (the last one
    again and again), and records the names it was asked."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.hosts: list[str] = []

    def __call__(self, host: str, port: int, *rest: Any) -> list[tuple[Any, ...]]:
        self.hosts.append(host)
        address = self.answers[min(len(self.hosts), len(self.answers)) - 1]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port or 80))]
