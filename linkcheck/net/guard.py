"""The private-address guard: which addresses a run may connect to, checked where it connects.

A content library links to servers nobody vetted, and a weekly job often runs inside a company
network next to cloud metadata endpoints and admin panels. So by default an address is allowed
only when it is globally routable: loopback, private (RFC 1918, unique-local), shared (CGNAT),
link-local (the cloud metadata address 169.254.169.254 among them), multicast, unspecified,
documentation and other reserved ranges are refused, and so are IPv6 addresses that carry such
an IPv4 address inside (IPv4-mapped and -translated, IPv4-compatible, NAT64 `64:ff9b::/96`,
6to4 `2002::/16`): those are judged by the IPv4 address they carry. `allow_private` allows every
address; `allow_net` allows just the networks it lists.

The check happens where the connection is made, never on the URL text alone: the transports
resolve a name ONCE (`Guard.resolve`), drop the addresses that are not allowed and connect to
the addresses that were checked, so every spelling (`2130706433`, `0x7f.1`, `127.1`, a trailing
dot), every redirect hop and a DNS answer that changes between two lookups are all covered.
A host that is an address literal (as the operating system reads it, without any lookup) is
checked before the request (`Guard.check_target`).

Through a proxy, the proxy resolves the target: only literal addresses and `localhost` names
can be checked then. The proxy's own address is never checked (a proxy on 10.x is normal).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "AddressPolicy",
    "AddressRefused",
    "Guard",
    "category",
    "literal_address",
    "refused_literal",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
AddrInfo = tuple[Any, ...]  # one getaddrinfo() row: (family, type, proto, canonname, sockaddr)
GetAddrInfo = Callable[..., list[AddrInfo]]  # socket.getaddrinfo's signature

_N = ipaddress.ip_network

# Ranges that are not public, with the words a refusal uses and the network `--allow-net` would
# need. First match wins (the metadata address before link-local). Whatever is not in this
# table is still refused when `ipaddress` does not call it global (see `category`).
_KNOWN: tuple[tuple[IPNetwork, str], ...] = (
    (_N("0.0.0.0/32"), "the unspecified address (it reaches this machine)"),
    (_N("0.0.0.0/8"), "a 'this network' address"),
    (_N("127.0.0.0/8"), "a loopback address"),
    (_N("10.0.0.0/8"), "a private (RFC 1918) address"),
    (_N("172.16.0.0/12"), "a private (RFC 1918) address"),
    (_N("192.168.0.0/16"), "a private (RFC 1918) address"),
    (_N("100.64.0.0/10"), "a shared (carrier-grade NAT) address"),
    (_N("169.254.169.254/32"), "the cloud metadata address (link-local)"),
    (_N("169.254.0.0/16"), "a link-local address"),
    (_N("192.0.2.0/24"), "a documentation address"),
    (_N("198.51.100.0/24"), "a documentation address"),
    (_N("203.0.113.0/24"), "a documentation address"),
    (_N("198.18.0.0/15"), "a benchmarking address"),
    (_N("224.0.0.0/4"), "a multicast address"),
    (_N("255.255.255.255/32"), "the broadcast address"),
    (_N("240.0.0.0/4"), "a reserved address"),
    (_N("::1/128"), "a loopback address"),
    (_N("::/128"), "the unspecified address (it reaches this machine)"),
    (_N("fd00:ec2::254/128"), "the cloud metadata address (unique-local)"),
    (_N("fc00::/7"), "a unique-local (private) address"),
    (_N("fe80::/10"), "a link-local address"),
    (_N("fec0::/10"), "a site-local address"),
    (_N("ff00::/8"), "a multicast address"),
    (_N("2001:db8::/32"), "a documentation address"),
    (_N("64:ff9b:1::/48"), "a local-use NAT64 address"),
)
_GLOBAL_UNICAST_V6 = _N("2000::/3")  # the only IPv6 space allocated for public unicast


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, if it is one of the forms that carry one:
    IPv4-mapped `::ffff:a.b.c.d`, IPv4-translated `::ffff:0:a.b.c.d`, IPv4-compatible
    `::a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`, 6to4 `2002:AABB:CCDD::`."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    value = int(address)
    high, low = value >> 32, ipaddress.IPv4Address(value & 0xFFFFFFFF)
    if high in (0xFFFF, 0xFFFF0000):  # mapped, translated
        return low
    if high == 0 and value > 1:  # IPv4-compatible (deprecated); `::` and `::1` are themselves
        return low
    if high == 0x0064FF9B << 64:  # NAT64 well-known prefix 64:ff9b::/96
        return low
    return address.sixtofour


def category(address: IPAddress) -> tuple[str, IPNetwork] | None:
    """Why an address is not public (the words a refusal uses, and the smallest well-known
    network that holds it, for `--allow-net`), or None when it is globally routable."""
    inner = embedded_ipv4(address)
    if inner is not None:
        found = category(inner)
        if found is None:
            return None
        words, network = found
        return f"{words} in IPv6 form ({inner})", network
    for network, words in _KNOWN:
        if address in network:
            return words, network
    public = address.is_global and not address.is_multicast and not address.is_reserved
    if isinstance(address, ipaddress.IPv6Address):
        public = public and address in _GLOBAL_UNICAST_V6 and not address.is_site_local
    if public:
        return None
    return "a reserved (non-public) address", ipaddress.ip_network(address)


def literal_address(host: str) -> IPAddress | None:
    """The address a host names with no lookup at all, as the operating system reads it
    (`2130706433`, `0177.0.0.1`, `0x7f.1` and `127.1` are all 127.0.0.1); None for a name.

    `[v6]` brackets, an IPv6 zone (`%eth0`) and one trailing dot are allowed for. This asks
    `getaddrinfo` with AI_NUMERICHOST, which never sends a DNS query.
    """
    text = host.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1]
    if not text or "\x00" in text:
        return None
    try:
        rows = socket.getaddrinfo(text, None, flags=socket.AI_NUMERICHOST)
    except (OSError, UnicodeError, ValueError):
        return None
    return _address_of(rows[0][4]) if rows else None


def _address_of(sockaddr: tuple[Any, ...]) -> IPAddress:
    return ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])


def is_localhost_name(host: str) -> bool:
    """`localhost` and its subdomains (RFC 6761): loopback, whatever any resolver says."""
    name = host.lower().rstrip(".")
    return name == "localhost" or name.endswith(".localhost")


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Which addresses may be connected to: public ones, plus `allow_net`, or all of them."""

    allow_private: bool = False
    allow_net: tuple[IPNetwork, ...] = ()

    @classmethod
    def of(cls, allow_private: bool, allow_net: Iterable[str]) -> AddressPolicy:
        """From the settings (`allow_net`: CIDR strings, as `Config.allow_net` holds them)."""
        nets = tuple(ipaddress.ip_network(n, strict=False) for n in allow_net)
        return cls(allow_private=allow_private, allow_net=nets)

    def refusal(self, address: IPAddress) -> tuple[str, IPNetwork] | None:
        """None when `address` may be connected to, else why not (see `category`)."""
        if self.allow_private:
            return None
        found = category(address)
        if found is None:
            return None
        inner = embedded_ipv4(address)
        for net in self.allow_net:
            if address in net or (inner is not None and inner in net):
                return None
        return found


class AddressRefused(OSError):
    """A connection the address policy refused: nothing was sent to `address`."""

    def __init__(
        self, host: str, address: IPAddress, words: str, network: IPNetwork, *, looked_up: bool
    ) -> None:
        self.host = host
        self.address = address
        if looked_up:
            said = f"{host} resolves to {address}, {words}"
        elif _same_address(host, address) or is_localhost_name(host):
            said = f"{host} is {words}"
        else:  # a literal in another spelling (`2130706433`, `0x7f.1`), or a localhost name
            said = f"{host} means {address}, {words}"
        super().__init__(f"{said}: not requested (--allow-private, or --allow-net {network})")

    def __str__(self) -> str:
        return str(self.args[0])

    def __reduce__(self) -> tuple[Any, ...]:  # an OSError pickles by args: keep ours whole
        return (_refused_again, (self.args[0], self.host, str(self.address)))


def _same_address(host: str, address: IPAddress) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]").rstrip(".")) == address
    except ValueError:
        return False


def _refused_again(text: str, host: str, address: str) -> AddressRefused:
    exc = AddressRefused.__new__(AddressRefused)
    OSError.__init__(exc, text)
    exc.host, exc.address = host, ipaddress.ip_address(address)
    return exc


class Guard:
    """The policy of a run, applied where connections are made.

    `getaddrinfo` is the lookup (socket.getaddrinfo's signature; tests inject one); it is called
    once per connection the transport opens, and only the addresses it returned AND the policy
    allowed are handed back for connecting. `exempt` are the (host, port) pairs of the run's
    proxies: they are resolved but never refused.
    """

    def __init__(
        self,
        policy: AddressPolicy,
        *,
        getaddrinfo: GetAddrInfo = socket.getaddrinfo,
        exempt: Iterable[tuple[str, int]] = (),
    ) -> None:
        self.policy = policy
        self._getaddrinfo = getaddrinfo
        self._exempt = frozenset((h.lower().strip("[]"), p) for h, p in exempt)
        # host -> (the literal address it is, or None for a name; why it is refused, or None)
        self._targets: dict[str, tuple[IPAddress | None, tuple[str, IPNetwork] | None]] = {}

    def check_target(self, host: str) -> IPAddress | None:
        """Refuse (raise `AddressRefused`) a host that is a literal address the policy does not
        allow, or a `localhost` name; else return the literal address the host is (None for a
        name: names are judged by `resolve`, at connection time). Remembered per host."""
        try:
            address, refused = self._targets[host]
        except KeyError:
            address, refused = self._judge_target(host)
            if len(self._targets) >= 4096:
                self._targets.clear()
            self._targets[host] = address, refused
        if refused is not None:
            assert address is not None
            raise AddressRefused(host, address, *refused, looked_up=False)
        return None if is_localhost_name(host) else address

    def _judge_target(self, host: str) -> tuple[IPAddress | None, tuple[str, IPNetwork] | None]:
        address = literal_address(host)
        if address is not None:
            return address, self.policy.refusal(address)
        if not is_localhost_name(host):
            return None, None
        loopback = ipaddress.IPv4Address("127.0.0.1")
        refused = self.policy.refusal(loopback)
        return loopback, None if refused is None else ("a loopback name", refused[1])

    def resolve(self, host: str, port: int, family: int = socket.AF_UNSPEC) -> list[AddrInfo]:
        """Look `host` up once; the rows whose address the policy allows, in the resolver's
        order. Raises `AddressRefused` (naming the first address) when none is allowed, and
        the lookup's own `socket.gaierror` when the name does not resolve."""
        rows = self._getaddrinfo(host, port, family, socket.SOCK_STREAM, 0, socket.AI_ADDRCONFIG)
        return self.checked(host, port, rows)

    def checked(self, host: str, port: int, rows: Iterable[AddrInfo]) -> list[AddrInfo]:
        """`rows` (getaddrinfo's answer for `host`) without the addresses the policy refuses;
        `AddressRefused` when that leaves none."""
        if (host.lower().strip("[]"), port) in self._exempt:
            return list(rows)
        kept: list[AddrInfo] = []
        first: AddressRefused | None = None
        for row in rows:
            address = _address_of(row[4])
            refused = self.policy.refusal(address)
            if refused is None:
                kept.append(row)
            elif first is None:
                first = AddressRefused(host, address, *refused, looked_up=True)
        if not kept and first is not None:
            raise first
        return kept


def refused_literal(url: str, guard: Guard) -> str | None:
    """Why `url` is refused before any work is queued for it (its host is a literal address
    or a `localhost` name the guard's policy does not allow), else None. Names are judged only
    at connection time; this spares refused literals a host permit and a rate slot. One
    `guard` for a whole run: it remembers its judgement per host."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    try:
        guard.check_target(host)
    except AddressRefused as exc:
        return str(exc)
    return None
