"""The network-down canary: is this a run where the links failed, or where this machine could
reach nothing at all (DNS down, cable out, a firewall or proxy that changed)?

A report that calls every link broken because the machine was offline paints a dashboard with
a 100 % spike and would poison the history; such a run exits 2 and records nothing.

The rule, from the run's own evidence only: a run is "network down" when it tried at least
`MIN_HOSTS` hosts and at least `DOWN_SHARE` of them failed at the connection level: every
request to the host ended before any HTTP response (host name not found, connection refused or
unreachable, connect or answer timeout, TLS handshake failed) and none of its links got an
answer. A host that answered anything, even a 404 or a redirect, was reached.

* Hosts, not links: one dead host with 5,000 links is one host; a machine that is offline fails
  every host, whatever their share of the links.
* A share, not "all": with the upstream link down, an intranet host (the CMS, an image server
  on the LAN) may still answer while every outside host fails; 1 answering host out of 20 is
  still a network-down run. 2 hosts down out of 20 is an ordinary run (10 %).
* A minimum number of hosts: a run that tried 1 or 2 hosts cannot tell "this machine is
  offline" from "these two hosts are gone"; it reports them broken, as before.
* Verdicts reused from the state store (`cached`) and links never requested (skipped, invalid
  URLs) are no evidence either way: only what this run asked counts.
* Timeouts count as connection-level: a blackholed network (packets dropped by a firewall)
  shows up as connect timeouts, not as refusals. A host that accepted the connection and then
  hung would count too; with nearly every host doing it and no host answering, the run is
  worthless anyway.
* TLS failures count: a proxy or middlebox that breaks every handshake is this machine's
  problem, not the links'.

No active probe. Asking a well-known resolver or web site whether "the internet" works would
send traffic outside the library's own hosts from a tool also run on intranets and air-gapped
networks (where such a probe fails by design, and would call every run network-down), and it
would answer a different question: whether *that* host is reachable, not whether the hosts this
run needed were. The hosts this run tried are the best probe there is.
"""

from __future__ import annotations

from collections.abc import Iterable

from linkcheck.models import CheckResult, Reason
from linkcheck.net.redirects import host_of

__all__ = ["CONNECTION_REASONS", "DOWN_SHARE", "MIN_HOSTS", "network_down"]

#: Reasons that mean "no HTTP response at all from this host for this link".
CONNECTION_REASONS = frozenset({Reason.DNS, Reason.CONNECT, Reason.TLS, Reason.TIMEOUT})
MIN_HOSTS = 3  # fewer hosts tried than this is too little evidence to blame the machine
DOWN_SHARE = 0.9  # this share of the hosts tried failed at the connection level


def network_down(results: Iterable[CheckResult]) -> str | None:
    """Why this run looks like the machine was offline, or None. `results` are the run's."""
    answered: set[str] = set()
    failed: dict[str, set[Reason]] = {}
    for r in results:
        if r.cached or (r.attempts == 0 and r.http_status is None and not r.redirects):
            continue  # not asked in this run (reused verdict, skipped, invalid URL)
        host = host_of(r.link.url)
        if r.http_status is not None or r.redirects:
            answered.add(host)
        elif r.reason in CONNECTION_REASONS:
            failed.setdefault(host, set()).add(r.reason)
        else:
            answered.add(host)  # e.g. broken mid-response: a connection was made
    down = failed.keys() - answered
    tried = len(answered | failed.keys())
    if tried < MIN_HOSTS or len(down) < DOWN_SHARE * tried:
        return None
    reasons = sorted({reason.value for host in down for reason in failed[host]})
    if answered:
        which = f"{len(down)} of the {tried} hosts tried could not be reached"
    else:
        which = f"none of the {tried} hosts tried could be reached"
    return f"{which} ({', '.join(reasons)}; not one HTTP response from them)"
