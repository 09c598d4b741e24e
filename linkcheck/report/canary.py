"""The network-down canary: is this a run where the links failed, or where this machine could
reach nothing at all (DNS down, cable out, a firewall that changed)?

A report that calls every link broken because the machine was offline paints a dashboard with a
100 % spike and would poison the history; such a run exits 2 and records nothing. The rule is
deliberately narrow: a run is "network down" only when it tried several hosts and nearly all of
them failed at the connection level (DNS, connect, TLS handshake never reached, connect
timeout) with not a single HTTP response from any host.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from linkcheck.models import CheckResult, Reason

__all__ = ["CONNECTION_REASONS", "DOWN_SHARE", "MIN_HOSTS", "network_down"]

CONNECTION_REASONS = frozenset({Reason.DNS, Reason.CONNECT})
MIN_HOSTS = 3  # fewer hosts than this is too little evidence to blame the machine
DOWN_SHARE = 0.9  # this share of the hosts tried failed to connect


def network_down(results: Iterable[CheckResult]) -> str | None:
    """Why this run looks like the machine was offline, or None. `results` are the run's."""
    answered: set[str] = set()
    failed: set[str] = set()
    for r in results:
        if r.http_status is not None or r.redirects:
            answered.add(urlsplit(r.link.url).netloc)
        elif r.reason in CONNECTION_REASONS:
            failed.add(urlsplit(r.link.url).netloc)
    tried = len(answered | failed)
    if answered or tried < MIN_HOSTS or len(failed) < DOWN_SHARE * tried:
        return None
    return (
        f"none of the {tried} hosts tried could be reached (DNS or connection failures "
        "only, not one HTTP response): the network of this machine looks down"
    )
