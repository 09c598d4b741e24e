"""The Prometheus textfile-collector format, read back with prometheus_client's own parser."""

from __future__ import annotations

import io

from formats_kit import occ, result, run_info, sample_report
from prometheus_client.parser import text_string_to_metric_families

from linkcheck.formats import prometheus as prom
from linkcheck.models import HostStats, Outcome, Reason, Report


def families(report: Report) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    out = io.StringIO()
    prom.write(report, out)
    parsed: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(out.getvalue()):
        assert family.type == "gauge" and family.documentation, family.name
        for sample in family.samples:
            key = tuple(sorted(sample.labels.items()))
            parsed.setdefault(sample.name, {})[key] = sample.value
    return parsed


def test_totals_by_outcome_reason_kind_and_severity() -> None:
    m = families(sample_report())
    assert m["linkcheck_links"] == {
        (("outcome", "ok"),): 3,
        (("outcome", "broken"),): 4,
        (("outcome", "warning"),): 1,
        (("outcome", "skipped"),): 1,
    }
    assert m["linkcheck_links_by_reason"][(("reason", "http_status"),)] == 2
    assert m["linkcheck_links_by_kind"][(("kind", "image"), ("outcome", "broken"))] == 1
    assert m["linkcheck_links_by_severity"][(("severity", "critical"),)] == 1
    assert m["linkcheck_broken_links"][()] == 4
    assert m["linkcheck_occurrences"][()] == 11
    assert m["linkcheck_permanent_redirects"][()] == 1
    assert m["linkcheck_articles_affected"][()] == 5
    assert m["linkcheck_run_duration_seconds"][()] == 65.5
    assert m["linkcheck_run_finish_timestamp_seconds"][()] == 1767236465.0  # 03:01:05Z
    assert m["linkcheck_run_start_timestamp_seconds"][()] == 1767236400.0
    assert m["linkcheck_run_interrupted"][()] == 0


def test_links_and_requests_by_host() -> None:
    m = families(sample_report())
    links = m["linkcheck_host_links"]
    assert links[(("host", "ok.example"), ("outcome", "broken"))] == 2
    assert links[(("host", "(none)"), ("outcome", "skipped"))] == 1  # mailto:
    assert m["linkcheck_host_requests"][(("host", "img.example"),)] == 2


def test_host_labels_are_bounded_and_the_rest_summed() -> None:
    n = prom.MAX_HOSTS + 15
    results = tuple(
        result(
            f"https://h{i:03d}.example/x",
            Outcome.BROKEN if i >= n - 3 else Outcome.OK,
            Reason.HTTP_STATUS if i >= n - 3 else None,
            (occ(f"https://h{i:03d}.example/x"),),
        )
        for i in range(n)
    )
    hosts = tuple(HostStats(f"h{i:03d}.example", requests=1) for i in range(n))
    m = families(Report(run=run_info(hosts=hosts), files=1, articles=1, results=results))
    names = {dict(k)["host"] for k in m["linkcheck_host_links"]}
    assert len(names) == prom.MAX_HOSTS + 1 and "(other)" in names
    # the hosts with broken links are the ones kept
    assert {f"h{i:03d}.example" for i in range(n - 3, n)} <= names
    assert sum(m["linkcheck_host_links"].values()) == n
    assert sum(m["linkcheck_host_requests"].values()) == n
    assert m["linkcheck_host_requests"][(("host", "(other)"),)] == 15


def test_label_values_are_escaped() -> None:
    hostile = 'a"b\\c\nd'
    report = Report(
        run=run_info(hosts=(HostStats(hostile, requests=7),)), files=0, articles=0, results=()
    )
    m = families(report)
    assert m["linkcheck_host_requests"] == {(("host", hostile),): 7}
    assert prom.label_value(hostile) == 'a\\"b\\\\c\\nd'
