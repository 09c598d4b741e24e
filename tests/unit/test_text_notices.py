"""The text summary says, near the top, what a person must not miss: links refused as private
addresses (and how to check them), and links linkcheck could not judge because of a bug."""

from __future__ import annotations

from linkcheck.formats.text import render_summary
from linkcheck.models import (
    CheckResult,
    Link,
    LinkKind,
    Occurrence,
    Outcome,
    Reason,
    Report,
    RunInfo,
    Source,
)
from linkcheck.report import build_report


def result(url: str, outcome: Outcome, reason: Reason | None) -> CheckResult:
    occ = Occurrence(url, LinkKind.OTHER, Source("a.md", "body", 3, "A"))
    return CheckResult(Link(url, LinkKind.OTHER, (occ,)), outcome, reason, None, None)


def report(*results: CheckResult) -> Report:
    run = RunInfo(started_at="s", finished_at="f", duration_s=1.0, inputs=("c",), options={})
    return build_report(run=run, files=1, articles=1, results=results, problems=())


def head(text: str) -> list[str]:
    return text.split("\n\n")[0].splitlines()


def test_private_addresses_are_announced_with_the_way_out() -> None:
    text = render_summary(
        report(
            result("http://10.0.0.1/", Outcome.SKIPPED, Reason.PRIVATE_ADDRESS),
            result("http://192.168.1.1/", Outcome.SKIPPED, Reason.PRIVATE_ADDRESS),
            result("https://example.com/", Outcome.OK, None),
        )
    )
    notice = [line for line in head(text) if "not requested" in line]
    assert notice == [
        "  2 links not requested: private, loopback or link-local address "
        "(--allow-private, or --allow-net CIDR, to check them)"
    ]


def test_internal_errors_are_announced_as_bugs() -> None:
    text = render_summary(
        report(result("https://x.example/", Outcome.WARNING, Reason.INTERNAL_ERROR))
    )
    assert any("1 link could not be judged because of a bug" in line for line in head(text))


def test_an_ordinary_report_has_neither_notice() -> None:
    text = render_summary(report(result("https://example.com/", Outcome.OK, None)))
    assert "not requested" not in text and "bug in linkcheck" not in text
