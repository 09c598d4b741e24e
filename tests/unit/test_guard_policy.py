"""The address policy of the private-address guard, as a table: which addresses (in which
spellings) a run may connect to, what a refusal says, and how the guard filters a lookup."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import httpx
import pytest

from linkcheck.models import ErrorKind
from linkcheck.net.exchange import map_error
from linkcheck.net.guard import (
    AddressPolicy,
    AddressRefused,
    Guard,
    category,
    embedded_ipv4,
    literal_address,
)

# address -> the words of the refusal (None: public, allowed)
TABLE: list[tuple[str, str | None]] = [
    ("127.0.0.1", "a loopback address"),
    ("127.255.255.254", "a loopback address"),
    ("0.0.0.0", "the unspecified address"),
    ("0.1.2.3", "a 'this network' address"),
    ("10.0.0.1", "a private (RFC 1918) address"),
    ("172.16.0.1", "a private (RFC 1918) address"),
    ("172.31.255.255", "a private (RFC 1918) address"),
    ("192.168.1.1", "a private (RFC 1918) address"),
    ("100.64.0.1", "a shared (carrier-grade NAT) address"),  # is_global says no, is_private no
    ("100.127.255.254", "a shared (carrier-grade NAT) address"),
    ("169.254.169.254", "the cloud metadata address"),
    ("169.254.0.1", "a link-local address"),
    ("192.0.0.1", "a reserved (non-public) address"),  # IETF protocol assignments
    ("192.0.2.1", "a documentation address"),
    ("198.51.100.7", "a documentation address"),
    ("203.0.113.9", "a documentation address"),
    ("198.18.0.1", "a benchmarking address"),
    ("224.0.0.1", "a multicast address"),  # ipaddress calls it global
    ("239.255.255.250", "a multicast address"),
    ("240.0.0.1", "a reserved address"),
    ("255.255.255.255", "the broadcast address"),
    ("::1", "a loopback address"),
    ("::", "the unspecified address"),
    ("fd00::1", "a unique-local (private) address"),
    ("fc00::1", "a unique-local (private) address"),
    ("fd00:ec2::254", "the cloud metadata address"),
    ("fe80::1", "a link-local address"),
    ("fec0::1", "a site-local address"),  # ipaddress calls it global
    ("ff02::1", "a multicast address"),  # ipaddress calls it global
    ("2001:db8::1", "a documentation address"),
    ("64:ff9b:1::1", "a local-use NAT64 address"),  # ipaddress calls it global
    ("100::1", "a reserved (non-public) address"),
    ("4000::1", "a reserved (non-public) address"),  # outside 2000::/3
    # IPv6 forms that carry an IPv4 address are judged by it
    ("::ffff:127.0.0.1", "a loopback address in IPv6 form (127.0.0.1)"),
    ("::ffff:0:a00:1", "a private (RFC 1918) address in IPv6 form (10.0.0.1)"),  # translated
    ("::127.0.0.1", "a loopback address in IPv6 form (127.0.0.1)"),  # ipaddress: global
    ("::a9fe:a9fe", "the cloud metadata address (link-local) in IPv6 form (169.254.169.254)"),
    ("64:ff9b::7f00:1", "a loopback address in IPv6 form (127.0.0.1)"),  # NAT64
    (
        "64:ff9b::a9fe:a9fe",
        "the cloud metadata address (link-local) in IPv6 form (169.254.169.254)",
    ),
    ("2002:7f00:1::", "a loopback address in IPv6 form (127.0.0.1)"),  # 6to4
    ("2002:a00:1::1", "a private (RFC 1918) address in IPv6 form (10.0.0.1)"),
    # public
    ("8.8.8.8", None),
    ("1.1.1.1", None),
    ("93.184.215.14", None),
    ("100.63.255.255", None),  # just below 100.64/10
    ("100.128.0.1", None),  # just above
    ("172.32.0.1", None),  # just above 172.16/12
    ("192.0.0.9", None),  # a global anycast in the IETF block
    ("2606:4700::1111", None),
    ("2a00:1450:4001::200e", None),
    ("::ffff:8.8.8.8", None),
    ("64:ff9b::808:808", None),
    ("2002:808:808::1", None),
]


@pytest.mark.parametrize(("text", "words"), TABLE)
def test_the_policy_table(text: str, words: str | None) -> None:
    address = ipaddress.ip_address(text)
    found = category(address)
    if words is None:
        assert found is None, found
        assert AddressPolicy().refusal(address) is None
    else:
        assert found is not None and found[0].startswith(words), found
        assert address in found[1] or embedded_ipv4(address) in found[1]  # the way out works
        assert AddressPolicy().refusal(address) == found
        assert AddressPolicy(allow_private=True).refusal(address) is None
        assert AddressPolicy(allow_net=(found[1],)).refusal(address) is None


# How the operating system reads a host with no lookup (inet_aton's forms included).
SPELLINGS: list[tuple[str, str | None]] = [
    ("127.0.0.1", "127.0.0.1"),
    ("2130706433", "127.0.0.1"),
    ("0177.0.0.1", "127.0.0.1"),
    ("0x7f.1", "127.0.0.1"),
    ("0x7f000001", "127.0.0.1"),
    ("127.1", "127.0.0.1"),
    ("127.0.1", "127.0.0.1"),
    ("017700000001", "127.0.0.1"),
    ("127.0.0.1.", "127.0.0.1"),  # trailing dot
    ("[::1]", "::1"),
    ("::1", "::1"),
    ("[::ffff:127.0.0.1]", "::ffff:127.0.0.1"),
    ("0.0.0.0", "0.0.0.0"),
    ("0", "0.0.0.0"),
    ("169.254.169.254", "169.254.169.254"),
    ("0xa9.0xfe.0xa9.0xfe", "169.254.169.254"),
    ("2852039166", "169.254.169.254"),
    ("[fd00::1]", "fd00::1"),
    ("fe80::1%lo", "fe80::1"),
    ("example.com", None),
    ("localhost", None),  # a name (see test_localhost_names_are_loopback)
    ("127.0.0.1..", None),
    ("4294967296", None),  # out of range: a name, which no DNS has
    ("", None),
    ("1.2.3.4\x00", None),
]


@pytest.mark.parametrize(("host", "address"), SPELLINGS)
def test_literal_addresses_are_read_as_the_system_reads_them(
    host: str, address: str | None
) -> None:
    expected = None if address is None else ipaddress.ip_address(address)
    assert literal_address(host) == expected


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "2130706433", "0177.0.0.1", "0x7f.1", "127.1", "127.0.0.1.", "[::1]",
     "[::ffff:127.0.0.1]", "0.0.0.0", "localhost", "LOCALHOST.", "api.localhost",
     "169.254.169.254", "2852039166", "10.0.0.1", "[fd00::1]", "100.64.0.1"],
)  # fmt: skip
def test_every_spelling_of_a_private_target_is_refused(host: str) -> None:
    guard = Guard(AddressPolicy(), getaddrinfo=_no_lookup)
    with pytest.raises(AddressRefused) as refused:
        guard.check_target(host)
    text = str(refused.value)
    assert text.startswith(f"{host} ") and "not requested (--allow-private, or --allow-net " in text


def test_public_literals_and_names_pass_the_target_check() -> None:
    guard = Guard(AddressPolicy(), getaddrinfo=_no_lookup)
    for host in ("8.8.8.8", "[2606:4700::1111]", "example.com", "localhost.example.com"):
        guard.check_target(host)  # names are judged when they are looked up


def test_the_refusal_names_the_address_and_the_way_out() -> None:
    guard = Guard(AddressPolicy(), getaddrinfo=_answers("127.0.0.1"))
    with pytest.raises(AddressRefused) as refused:
        guard.resolve("intranet.example", 80)
    assert str(refused.value) == (
        "intranet.example resolves to 127.0.0.1, a loopback address: not requested "
        "(--allow-private, or --allow-net 127.0.0.0/8)"
    )
    with pytest.raises(AddressRefused) as literal:
        guard.check_target("2130706433")
    assert str(literal.value).startswith("2130706433 means 127.0.0.1, a loopback address: ")
    with pytest.raises(AddressRefused) as plain:
        guard.check_target("169.254.169.254")
    assert str(plain.value) == (
        "169.254.169.254 is the cloud metadata address (link-local): not requested "
        "(--allow-private, or --allow-net 169.254.169.254/32)"
    )


def test_allow_net_allows_just_its_networks() -> None:
    policy = AddressPolicy.of(False, ["10.20.0.0/16", "fd00::/8"])
    assert policy.refusal(ipaddress.ip_address("10.20.3.4")) is None
    assert policy.refusal(ipaddress.ip_address("::ffff:10.20.3.4")) is None  # the same address
    assert policy.refusal(ipaddress.ip_address("fd00::5")) is None
    assert policy.refusal(ipaddress.ip_address("10.21.0.1")) is not None
    assert policy.refusal(ipaddress.ip_address("127.0.0.1")) is not None
    guard = Guard(policy, getaddrinfo=_no_lookup)
    guard.check_target("10.20.0.1")
    with pytest.raises(AddressRefused):
        guard.check_target("localhost")


def test_a_lookup_keeps_only_allowed_addresses_and_is_made_once() -> None:
    calls: list[str] = []
    lookup = _answers("10.0.0.5", "93.184.215.14", "::1", "2606:4700::1111", calls=calls)
    rows = Guard(AddressPolicy(), getaddrinfo=lookup).resolve("mixed.example", 443)
    assert [row[4][0] for row in rows] == ["93.184.215.14", "2606:4700::1111"]
    assert calls == ["mixed.example"]


def test_a_lookup_with_no_allowed_address_is_refused_naming_the_first() -> None:
    lookup = _answers("169.254.169.254", "10.0.0.1")
    with pytest.raises(AddressRefused) as refused:
        Guard(AddressPolicy(), getaddrinfo=lookup).resolve("metadata.example", 80)
    assert refused.value.address == ipaddress.ip_address("169.254.169.254")


def test_a_name_that_does_not_resolve_keeps_its_dns_error() -> None:
    def fail(*args: Any) -> list[Any]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with pytest.raises(socket.gaierror):
        Guard(AddressPolicy(), getaddrinfo=fail).resolve("nowhere.invalid", 80)


def test_a_proxy_is_never_refused() -> None:
    guard = Guard(AddressPolicy(), getaddrinfo=_answers("10.1.2.3"), exempt=[("proxy.corp", 3128)])
    assert [row[4][0] for row in guard.resolve("proxy.corp", 3128)] == ["10.1.2.3"]
    with pytest.raises(AddressRefused):
        guard.resolve("proxy.corp", 80)  # the proxy's address, but not the proxy
    with pytest.raises(AddressRefused):
        guard.resolve("intranet.corp", 3128)


def test_a_refusal_maps_to_private_address_wherever_it_is_in_the_chain() -> None:
    refused = AddressRefused(
        "x.example",
        ipaddress.ip_address("10.0.0.1"),
        "a private (RFC 1918) address",
        ipaddress.ip_network("10.0.0.0/8"),
        looked_up=True,
    )
    assert map_error(refused) == (ErrorKind.PRIVATE_ADDRESS, str(refused))
    try:
        try:
            raise refused
        except AddressRefused as exc:
            raise httpx.ConnectError("wrapped") from exc
    except httpx.ConnectError as outer:
        assert map_error(outer) == (ErrorKind.PRIVATE_ADDRESS, str(refused))


def _no_lookup(*args: Any) -> list[Any]:
    raise AssertionError(f"no lookup expected: {args}")


def _answers(*addresses: str, calls: list[str] | None = None) -> Any:
    def getaddrinfo(host: str, port: int, *rest: Any) -> list[tuple[Any, ...]]:
        if calls is not None:
            calls.append(host)
        rows = []
        for a in addresses:
            if ":" in a:
                rows.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (a, port, 0, 0)))
            else:
                rows.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)))
        return rows

    return getaddrinfo
