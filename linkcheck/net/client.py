"""The one HTTP client of a run: pooled connections, timeouts, an honest User-Agent."""

from __future__ import annotations

import httpx

from linkcheck.config import Config
from linkcheck.net.exchange import BAD_LOCATION


def make_client(config: Config) -> httpx.AsyncClient:
    """One client for the whole run: pooled connections, timeouts, an honest User-Agent."""
    timeout = httpx.Timeout(config.timeout, connect=config.connect_timeout, pool=None)
    limits = httpx.Limits(
        max_connections=config.concurrency + 10,
        # httpcore's pool upkeep costs (idle connections x all connections) on every request:
        # with 50 idle it was 60 % of the checker's CPU; 10 keeps reuse and costs little
        max_keepalive_connections=10,
        keepalive_expiry=15.0,
    )
    headers = {
        "User-Agent": config.user_agent,
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/*;q=0.8,*/*;q=0.5",
        "Accept-Language": "en;q=0.9,*;q=0.5",
    }
    headers.update(dict(config.headers))
    return httpx.AsyncClient(
        event_hooks={"response": [_set_aside_bad_location]},
        timeout=timeout,
        limits=limits,
        headers=headers,
        follow_redirects=False,
        http2=False,
        trust_env=False,
    )


async def _set_aside_bad_location(response: httpx.Response) -> None:
    """httpx raises RemoteProtocolError for an unparseable Location even when not following.

    That would be indistinguishable from a broken connection, so an invalid Location is moved
    aside before httpx looks at it, and reported as `invalid_url` by `exchange`.
    """
    location = response.headers.get("location")
    if location is None or not response.is_redirect:
        return
    try:
        httpx.URL(location)
    except httpx.InvalidURL:
        del response.headers["location"]
        response.headers[BAD_LOCATION] = location
