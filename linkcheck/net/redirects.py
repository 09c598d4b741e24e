"""Walk redirects ourselves, one hop at a time, every hop through its own host's gate.

httpx is told never to follow redirects (`follow_redirects=False`): each hop is recorded and
waits for a permit of the host it goes to, so a chain across hosts respects every host's limits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

import httpx

from linkcheck.collect.normalize import resolve_location
from linkcheck.config import Config
from linkcheck.hosts.gate import HostDown, Lease, Permit, Politeness
from linkcheck.models import CachedImage, ErrorKind, Hop, HttpOutcome
from linkcheck.net.exchange import Exchange, exchange
from linkcheck.net.templates import Templates

HEAD_TIMEOUT_SHARE = 0.5  # HEAD gets half the timeout: a server that hangs on HEAD still gets a GET


@dataclass(frozen=True, slots=True)
class CheckContext:
    client: httpx.AsyncClient
    config: Config
    gate: Politeness
    # images whose last ok verdict may be revalidated with a conditional request (by URL)
    revalidate: Mapping[str, CachedImage] = field(default_factory=dict)
    # each host's not-found page, learned once per run (soft-404 detection)
    templates: Templates = field(default_factory=Templates)


# The common shape of a URL's authority: plain ASCII name, optional port without leading zeros.
_PLAIN_AUTHORITY = re.compile(
    r"(https?)://([a-z0-9][a-z0-9.-]*)(?::([1-9][0-9]{0,4}))?(?=[/?#]|$)", re.IGNORECASE
)
_DEFAULT_PORT = {"http": "80", "https": "443"}


def host_of(url: str) -> str:
    """The host (and port, unless it is the scheme's default) a URL goes to, spelled exactly
    as httpx spells `URL.netloc`. Called several times per request, so the common shape is
    read with one regex; anything else (IDNA, IPv6, userinfo, IPv4 needing validation) goes
    through httpx's parser."""
    m = _PLAIN_AUTHORITY.match(url)
    if m is not None:
        scheme, name, port = m.groups()
        if not name.replace(".", "").isdigit() or _plain_ipv4(name):
            name = name.lower()
            if port is None or port == _DEFAULT_PORT[scheme.lower()]:
                return name
            return f"{name}:{port}"
    return httpx.URL(url).netloc.decode("ascii", "replace")


def _plain_ipv4(name: str) -> bool:
    parts = name.split(".")
    return len(parts) == 4 and all(p == "0" or (p[0] != "0" and int(p) < 256) for p in parts)


class ResettableSink(Protocol):
    """A body sink that must forget what it saw when a redirect moves to another resource."""

    def __call__(self, chunk: bytes) -> bool: ...

    def reset(self) -> None: ...


async def walk(
    url: str,
    method: str,
    ctx: CheckContext,
    lease: Lease,
    *,
    headers: dict[str, str] | None = None,
    sink: ResettableSink | None = None,
    host: str | None = None,
) -> HttpOutcome:
    """Follow redirects ourselves, every hop through its host's politeness gate.

    Every request's permit comes through the link's `lease`: the first uses the permit the
    dispatcher reserved, later hops go ahead of new links for their host. `host`, when the
    caller knows it, is `host_of(url)` (spares parsing the first URL again)."""
    config = ctx.config
    hops: list[Hop] = []
    seen: dict[str, int] = {url: 1}
    elapsed = 0.0
    while True:
        if host is None:
            host = host_of(url)
        try:
            permit = await lease.acquire(host)
        except HostDown as down:
            return HttpOutcome(
                None, url, tuple(hops), down.kind, down.detail, elapsed=elapsed, host_down=True
            )
        ex = await send_released(url, method, ctx, permit, headers, sink)
        elapsed += ex.elapsed
        if ex.error_kind is not None or not ex.is_redirect:
            return _outcome(ex, url, hops, elapsed)
        assert ex.status is not None and ex.location is not None
        hops.append(Hop(url, ex.status))
        target, why = resolve_location(ex.location, url)
        if target is None:
            return _fail(url, hops, elapsed, ErrorKind.INVALID_REDIRECT, _bad_location(ex, why))
        count = seen.get(target, 0) + 1
        sets_cookie = any(k.lower() == "set-cookie" for k, _ in ex.headers)
        if count > (2 if sets_cookie else 1):
            return _fail(
                url,
                hops,
                elapsed,
                ErrorKind.REDIRECT_LOOP,
                f"redirect loop: {target} was already visited in this chain",
            )
        if len(hops) > config.max_redirects:
            return _fail(
                url,
                hops,
                elapsed,
                ErrorKind.TOO_MANY_REDIRECTS,
                f"more than {config.max_redirects} redirects",
            )
        seen[target] = count
        url = target
        host = None
        if sink is not None:
            sink.reset()


LOCATION_SHOWN = 200  # characters of a bad Location value quoted in the detail


def _bad_location(ex: Exchange, why: str) -> str:
    """The detail of an `invalid_redirect`: the raw value (escaped, cut) and what is wrong."""
    raw = ex.location or ""
    shown = repr(raw[:LOCATION_SHOWN]) + (
        f" (cut at {LOCATION_SHOWN} of {len(raw)} characters)" if len(raw) > LOCATION_SHOWN else ""
    )
    return f"HTTP {ex.status} redirect to Location {shown}, which cannot be followed: {why}"


def _fail(url: str, hops: list[Hop], elapsed: float, kind: ErrorKind, detail: str) -> HttpOutcome:
    return HttpOutcome(None, url, tuple(hops), kind, detail, elapsed=elapsed)


def _outcome(ex: Exchange, url: str, hops: list[Hop], elapsed: float) -> HttpOutcome:
    return HttpOutcome(
        status=ex.status,
        final_url=url,
        redirects=tuple(hops),
        error_kind=ex.error_kind,
        error_detail=ex.error_detail,
        elapsed=elapsed,
        headers=ex.headers,
        method=ex.method,
        retry_after=ex.retry_after,
        body_bytes=ex.body_bytes,
    )


async def send_released(
    url: str,
    method: str,
    ctx: CheckContext,
    permit: Permit,
    headers: dict[str, str] | None,
    sink: Callable[[bytes], bool] | None,
) -> Exchange:
    """One exchange under a permit; the permit is returned whatever happens (even cancellation)."""
    ex: Exchange | None = None
    try:
        extra = ctx.gate.headers_for(permit.host)  # the host's own headers, then the request's
        if headers:
            extra.update(headers)
        timeout = ctx.config.timeout * (HEAD_TIMEOUT_SHARE if method == "HEAD" else 1.0)
        ex = await exchange(
            ctx.client,
            method,
            url,
            headers=extra or None,
            sink=sink,
            max_body=ctx.config.image_max_bytes,
            timeout=timeout,
        )
    finally:
        if ex is None:
            ctx.gate.release(permit)
        else:
            ctx.gate.release(
                permit,
                status=ex.status,
                error=ex.error_kind,
                detail=ex.error_detail,
                retry_after=ex.retry_after,
            )
    return ex
