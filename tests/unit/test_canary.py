"""The network-down canary (report/canary.py): a pure rule over one run's results."""

from __future__ import annotations

import pytest

from linkcheck.models import CheckResult, Hop, Link, LinkKind, Outcome, Reason
from linkcheck.report.canary import MIN_HOSTS, network_down


def result(
    url: str,
    reason: Reason | None = None,
    status: int | None = None,
    *,
    attempts: int = 1,
    cached: bool = False,
    redirects: tuple[Hop, ...] = (),
) -> CheckResult:
    outcome = Outcome.OK if reason is None else Outcome.BROKEN
    link = Link(url, LinkKind.PAGE, ())
    return CheckResult(
        link, outcome, reason, status, url, redirects, attempts=attempts, cached=cached
    )


def failing(n: int, reason: Reason = Reason.CONNECT, first: int = 0) -> list[CheckResult]:
    return [result(f"https://h{first + i}.example/a", reason) for i in range(n)]


def answering(n: int, status: int = 200, first: int = 100) -> list[CheckResult]:
    return [result(f"https://h{first + i}.example/a", None, status) for i in range(n)]


@pytest.mark.parametrize("reason", [Reason.DNS, Reason.CONNECT, Reason.TIMEOUT, Reason.TLS])
def test_every_host_failing_to_connect_is_network_down(reason: Reason) -> None:
    why = network_down(failing(MIN_HOSTS, reason))
    assert why is not None
    assert f"none of the {MIN_HOSTS} hosts" in why and reason.value in why


def test_two_hosts_are_too_little_evidence() -> None:
    assert network_down(failing(2)) is None
    # many links on two hosts: still two hosts
    many = [result(f"https://h{i % 2}.example/{i}", Reason.DNS) for i in range(500)]
    assert network_down(many) is None


def test_two_of_twenty_hosts_down_is_an_ordinary_run() -> None:
    assert network_down(failing(2) + answering(18)) is None


def test_one_intranet_host_answering_among_twenty_is_still_down() -> None:
    why = network_down(failing(19) + answering(1))
    assert why is not None and "19 of the 20 hosts" in why


def test_the_share_is_of_hosts_not_links() -> None:
    # 3 hosts down each with many links, 2 hosts answering: 60 % of hosts
    links = [result(f"https://d{i % 3}.example/{i}", Reason.CONNECT) for i in range(300)]
    assert network_down(links + answering(2)) is None


def test_any_http_answer_means_the_host_was_reached() -> None:
    down = failing(10)
    # the same hosts answered another link with a 404, or with a redirect
    reached = [result(f"https://h{i}.example/other", Reason.HTTP_STATUS, 404) for i in range(5)]
    hop = (Hop("https://h5.example/b", 301),)
    redirected = [result("https://h5.example/b", Reason.TIMEOUT, None, redirects=hop)]
    assert network_down(down + reached + redirected) is None


def test_broken_mid_response_means_a_connection_was_made() -> None:
    broken = failing(10, Reason.PROTOCOL_ERROR)
    assert network_down(broken) is None


def test_reused_and_never_requested_verdicts_are_no_evidence() -> None:
    cached_ok = [
        result(f"https://c{i}.example/a", None, 200, attempts=0, cached=True) for i in range(50)
    ]
    invalid = [result(f"https://i{i}.example/a", Reason.INVALID_URL, attempts=0) for i in range(9)]
    why = network_down(failing(3) + cached_ok + invalid)
    assert why is not None and "none of the 3 hosts" in why


def test_no_results_no_verdict() -> None:
    assert network_down([]) is None


def test_ports_are_distinct_hosts() -> None:
    closed = [result(f"http://127.0.0.1:{port}/x", Reason.CONNECT) for port in (1, 2, 3)]
    assert network_down(closed) is not None
