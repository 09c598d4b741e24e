"""Time budgets that hold, through the command line (issue #12): a library whose links meet a
host that never answers, a Retry-After of a day, a stalled body and an https URL on a
plain-HTTP port is checked in seconds, with the right verdicts; requests are counted from the
servers' logs."""

from __future__ import annotations

import time
from typing import Any

from e2ekit import LibraryFactory, RunCli, SitesFactory
from sitekit import Request, Response

from linkcheck.net.exchange import PLAIN_HTTP_DETAIL


def articles(urls: list[str]) -> list[dict[str, Any]]:
    return [{"title": f"Article {i}", "webUrl": u} for i, u in enumerate(urls)]


def test_hostile_hosts_cost_seconds_not_timeouts_times_links(
    run_cli: RunCli, sites: SitesFactory, library: LibraryFactory
) -> None:
    hanging, limited, stalling = sites(3)
    hangs = [hanging.url(f"/hang?n={i}") for i in range(20)]
    far = limited.url("/status/429?retry_after=86400")
    after_far = [limited.url(f"/ok?n={i}") for i in range(3)]
    body = Response.html(b"<p>" + b"x" * 4000, chunk_size=100, chunk_delay=30)

    def refuse_head(req: Request) -> Response:  # checked with a GET, whose body stalls
        return Response(405, {"Allow": "GET"}) if req.method == "HEAD" else body

    stalling.route("/stall", refuse_head)
    stalled = stalling.url("/stall")
    tls = f"https://{stalling.host}/ok"
    folder = library(articles([*hangs, far, *after_far, stalled, tls]))

    began = time.monotonic()
    run = run_cli(
        folder,
        "--timeout",
        "0.5",
        "--retries",
        "1",
        "--dead-host-after",
        "3",
        "--retry-after-cap",
        "5",
        "--host-concurrency",
        "1",
        "--no-state",
    )
    spent = time.monotonic() - began
    requests = len(hanging.log)
    print(f"\nrun: {spent:.2f} s; the hanging host saw {requests} requests for {len(hangs)} links")

    assert run.code == 1  # broken links found
    for url in hangs:
        link = run.link(url)
        assert (link["outcome"], link["reason"]) == ("broken", "timeout")
    assert sum("stopped answering" in run.link(u)["detail"] for u in hangs) >= len(hangs) - 2
    assert requests < len(hangs) * 2 * 2 // 4  # (retries + 1) x (HEAD + GET) per link before
    assert run.report is not None
    host = next(h for h in run.report["run"]["hosts"] if h["host"] == hanging.host)
    assert host["marked_down"] == "timeout"

    assert (run.link(far)["outcome"], run.link(far)["reason"]) == ("warning", "rate_limited")
    assert all(run.link(u)["outcome"] == "ok" for u in after_far)
    assert len(limited.requests("/ok")) == len(after_far)

    stalled_link = run.link(stalled)
    assert (stalled_link["outcome"], stalled_link["http_status"]) == ("ok", 200), stalled_link
    tls_link = run.link(tls)
    assert (tls_link["outcome"], tls_link["reason"]) == ("broken", "tls")
    assert tls_link["detail"] == PLAIN_HTTP_DETAIL
    # generous: before, the 429 alone paused its host for the 5 s cap, and the hanging host
    # cost 20 links x 2 attempts x (0.25 + 0.5) s of timeouts
    assert spent < 10.0
