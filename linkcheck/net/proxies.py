"""Which proxy serves a URL: an explicit `--proxy`, or HTTP(S)_PROXY/ALL_PROXY/NO_PROXY.

Read once per run, like curl and other HTTP tools do: lower-case names win over upper-case,
`NO_PROXY` lists host names (a name also covers its subdomains; a leading dot or `*.` is the
same), IP addresses, CIDR blocks (`10.0.0.0/8`), optionally with `:port`, or `*` for all.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class _Bypass:
    """One NO_PROXY entry."""

    name: str | None = None  # a host name suffix (lower case), or an exact IP literal
    network: _Network | None = None
    port: int | None = None

    def matches(self, host: str, port: int | None) -> bool:
        if self.port is not None and port != self.port:
            return False
        if self.network is not None:
            try:
                return ipaddress.ip_address(host) in self.network
            except ValueError:
                return False
        assert self.name is not None
        return host == self.name or host.endswith("." + self.name)


@dataclass(frozen=True, slots=True)
class ProxyRules:
    """Proxy URL per scheme, and the hosts that bypass it."""

    http: str | None = None
    https: str | None = None
    bypass: tuple[_Bypass, ...] = ()
    bypass_all: bool = False

    @property
    def active(self) -> bool:
        return (self.http is not None or self.https is not None) and not self.bypass_all

    def proxy_for(self, url: httpx.URL) -> str | None:
        """The proxy URL for this request URL, or None to connect directly."""
        proxy = self.https if url.scheme == "https" else self.http
        if proxy is None or self.bypass_all:
            return None
        host = url.host.lower()
        port = url.port or (443 if url.scheme == "https" else 80)
        if any(entry.matches(host, port) for entry in self.bypass):
            return None
        return proxy

    @classmethod
    def explicit(cls, url: str) -> ProxyRules:
        """`--proxy`: every request through this proxy, whatever the environment says."""
        return cls(http=url, https=url)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> ProxyRules:
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(name.lower()) or env.get(name.upper())
            return (value.strip() or None) if value else None

        every = get("all_proxy")
        bypass, bypass_all = parse_no_proxy(get("no_proxy") or "")
        return cls(
            http=_with_scheme(get("http_proxy") or every),
            https=_with_scheme(get("https_proxy") or every),
            bypass=bypass,
            bypass_all=bypass_all,
        )


def _with_scheme(url: str | None) -> str | None:
    """`proxy.example:3128` means `http://proxy.example:3128`, as curl reads it."""
    if url is None or "://" in url:
        return url
    return f"http://{url}"


def parse_no_proxy(value: str) -> tuple[tuple[_Bypass, ...], bool]:
    """NO_PROXY entries, and whether it says `*` (bypass the proxy for every host)."""
    entries: list[_Bypass] = []
    for raw in value.replace(";", ",").split(","):
        item = raw.strip().lower()
        if not item:
            continue
        if item == "*":
            return (), True
        if "://" in item:
            item = item.split("://", 1)[1]
        item = item.rstrip("/")
        entries.append(_entry(item))
    return tuple(entries), False


def _entry(item: str) -> _Bypass:
    port: int | None = None
    if item.startswith("["):  # [v6]:port or [v6]
        host, _, rest = item[1:].partition("]")
        if rest.startswith(":") and rest[1:].isdigit():
            port = int(rest[1:])
        item = host
    elif item.count(":") == 1:
        host, _, maybe_port = item.partition(":")
        if maybe_port.isdigit():
            item, port = host, int(maybe_port)
    try:
        return _Bypass(network=ipaddress.ip_network(item, strict=False), port=port)
    except ValueError:
        pass
    return _Bypass(name=item.lstrip("*").lstrip("."), port=port)
