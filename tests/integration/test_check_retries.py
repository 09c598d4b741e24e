"""check.py's retries through a real loopback server: how many attempts, the back-off between
them (tenacity's exponential wait: 0.5 s, then 1 s, plus up to 0.5 s of jitter), and what the
result adds up. Asserted from the server's log; the only times asserted are lower bounds the
back-off promises."""

from __future__ import annotations

from typing import Any

import sitekit
from sitekit import Response

from linkcheck.check import CheckContext, check_link, host_of
from linkcheck.config import Config
from linkcheck.hosts.dispatch import run_checks
from linkcheck.hosts.gate import Lease, Politeness
from linkcheck.models import CheckResult, Link, LinkKind, Outcome, Reason
from linkcheck.net.client import make_client

# the HTTP engine alone (HEAD, GET fallback): a page read for the news checks is one GET
HEAD_AS_BEFORE: dict[str, Any] = {"soft_404": False, "amp_checks": False}

SLACK = 0.05  # the server's clock reads a little after the client's sleep ended


async def _check(url: str, cfg: Config, *, dispatcher: bool) -> tuple[CheckResult, Politeness]:
    gate = Politeness(cfg)
    link = Link(url=url, kind=LinkKind.PAGE, occurrences=())
    results: list[CheckResult] = []
    async with make_client(cfg) as client:
        ctx = CheckContext(client=client, config=cfg, gate=gate)
        if not dispatcher:
            return await check_link(link, ctx), gate

        async def check(link: Link, lease: Lease) -> CheckResult:
            return await check_link(link, ctx, lease)

        await run_checks([link], check, results.append, gate=gate, host_of=host_of, concurrency=4)
    (result,) = results
    return result, gate


async def test_back_off_grows_between_attempts_and_waits_are_not_elapsed(
    site: sitekit.Site,
) -> None:
    site.route("/down", Response(503, body=b"down"))
    cfg = Config(timeout=5.0, retries=2, host_rate=100.0, allow_private=True, **HEAD_AS_BEFORE)
    result, gate = await _check(site.url("/down"), cfg, dispatcher=True)

    assert (result.outcome, result.reason, result.http_status) == (
        Outcome.BROKEN,
        Reason.HTTP_STATUS,
        503,
    )
    assert result.attempts == 3
    log = site.requests("/down")
    # each attempt: a HEAD, then the GET that confirms a failing HEAD
    assert [e.method for e in log] == ["HEAD", "GET"] * 3
    ends = [e.end for e in log if e.end is not None]
    assert len(ends) == 6
    assert log[2].start - ends[1] >= 0.5 - SLACK
    assert log[4].start - ends[3] >= 1.0 - SLACK
    # elapsed: the network time of every attempt added up, without the back-off waits
    served = sum(end - e.start for e, end in zip(log, ends, strict=True))
    assert served <= result.elapsed < (ends[-1] - log[0].start) - 1.5 + SLACK
    (stats,) = gate.snapshot()
    assert stats.retries == 2


async def test_retries_without_a_dispatcher_and_a_final_success(site: sitekit.Site) -> None:
    seen: list[int] = []

    def flaky(req: Any) -> Response:
        seen.append(1)
        return Response(503) if len(seen) <= 2 else Response(200, body=b"ok")  # HEAD, GET, then ok

    site.route("/flaky", flaky)
    cfg = Config(timeout=5.0, retries=1, host_rate=100.0, allow_private=True, **HEAD_AS_BEFORE)
    result, gate = await _check(site.url("/flaky"), cfg, dispatcher=False)
    assert (result.outcome, result.http_status, result.attempts) == (Outcome.OK, 200, 2)
    assert [e.method for e in site.requests("/flaky")] == ["HEAD", "GET", "HEAD"]
    (stats,) = gate.snapshot()
    assert stats.retries == 1


async def test_no_retry_when_retries_are_zero(site: sitekit.Site) -> None:
    site.route("/down", Response(503))
    result, gate = await _check(
        site.url("/down"),
        Config(timeout=5.0, retries=0, allow_private=True, **HEAD_AS_BEFORE),
        dispatcher=True,
    )
    assert (result.http_status, result.attempts) == (503, 1)
    assert len(site.requests("/down")) == 2  # one attempt: HEAD and its confirming GET
    (stats,) = gate.snapshot()
    assert stats.retries == 0
