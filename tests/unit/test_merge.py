"""The merge rules (`linkcheck.report.merge`): shards' reports in, one report out."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from jsonschema import Draft202012Validator

from linkcheck.formats.json import dumps
from linkcheck.formats.json_read import report_from_dict
from linkcheck.models import (
    ArticleProblem,
    CheckResult,
    Finding,
    FindingCheck,
    HostStats,
    Link,
    LinkKind,
    Occurrence,
    Outcome,
    ProblemReason,
    Reason,
    Report,
    RunInfo,
    Source,
)
from linkcheck.report.merge import MergeError, merge_reports
from linkcheck.schema import load_schema
from linkcheck.shard import shard_of

N = 4
PROBLEM = ArticleProblem("bad.md", ProblemReason.INVALID_YAML, "line 3: not YAML")
FINDING = Finding(
    check=FindingCheck.AMP_CACHE_URL,
    file="a.md",
    line=4,
    field="cdnAmpWebUrl",
    url="https://x-example-com.cdn.ampproject.org/c/s/x.example.com/a",
    expected="https://x-example-com.cdn.ampproject.org/c/s/x.example.com/amp/a",
    actual=None,
    severity="medium",
)


def _url(k: int, i: int = 0) -> str:
    """An https URL of shard k of N (by its domain)."""
    for j in range(1000):
        url = f"https://www.site{j}.com/page{i}"
        if shard_of(url, N) == k:
            return url
    raise AssertionError("no URL found")


def _result(url: str, outcome: Outcome = Outcome.OK, status: int | None = 200) -> CheckResult:
    occurrence = Occurrence(url, LinkKind.PAGE, Source("a.md", "webUrl", 2, "A"))
    reason = None if outcome is Outcome.OK else Reason.HTTP_STATUS
    return CheckResult(
        Link(url, LinkKind.PAGE, (occurrence,)),
        outcome,
        reason,
        status,
        url,
        attempts=1,
        elapsed=0.1,
        checked_at="2026-11-30T10:00:00Z",
    )


def _shard(
    k: int,
    results: list[CheckResult] | None = None,
    *,
    n: int = N,
    hosts: tuple[HostStats, ...] = (),
    **run: object,
) -> Report:
    started = f"2026-11-30T10:0{k}:00Z"
    info = RunInfo(
        started_at=started,
        finished_at=f"2026-11-30T11:0{k}:00Z",
        duration_s=3600.0,
        inputs=("content",),
        options={"timeout": 10.0, "shard": [k, n], "shards": 0},
        hosts=hosts,
        shard=(k, n),
        **run,  # type: ignore[arg-type]
    )
    if results is None:
        results = [_result(_url(k)), _result(_url(k, 1), Outcome.BROKEN, 404)]
    return Report(
        run=info,
        files=3,
        articles=2,
        results=tuple(results),
        problems=(PROBLEM,),
        findings=(FINDING,),
        file_hashes={"a.md": "a" * 64, "bad.md": "b" * 64},
    )


def _all(n: int = N) -> list[tuple[str, Report]]:
    return [(f"shard-{k}.json", _shard(k)) for k in range(1, n + 1)]


def test_links_are_united_and_everything_per_file_deduplicated() -> None:
    merged = merge_reports(_all())
    report = merged.report
    assert merged.warnings == () and merged.missing == ()
    urls = [r.link.url for r in report.results]
    assert sorted(urls) == sorted(r.link.url for _, s in _all() for r in s.results)
    assert urls == sorted(urls)  # rebuilt: sorted like any report
    assert report.problems == (PROBLEM,)  # every shard reported it: once
    assert report.findings == (FINDING,)
    assert report.file_hashes == {"a.md": "a" * 64, "bad.md": "b" * 64}
    assert (report.files, report.articles) == (3, 2)
    assert report.exit_code == 1  # a broken link, as a single run would say
    run = report.run
    assert run.shard is None and not run.interrupted
    assert [m["index"] for m in run.merged_from] == [1, 2, 3, 4]
    assert run.merged_from[1]["report"] == "shard-2.json"
    assert run.merged_from[1]["links"] == 2
    assert run.started_at == "2026-11-30T10:01:00Z"
    assert run.finished_at == "2026-11-30T11:04:00Z"
    assert run.duration_s == 3780.0  # the fleet's span, first start to last finish
    assert run.options["shard"] is None and run.options["timeout"] == 10.0


def test_order_of_the_reports_does_not_matter() -> None:
    a = dumps(merge_reports(_all()).report, tool_version="t")
    b = dumps(merge_reports(list(reversed(_all()))).report, tool_version="t")
    assert a == b


def test_the_merged_report_validates_and_reads_back() -> None:
    report = merge_reports(_all()).report
    text = dumps(report, tool_version="t")
    doc = json.loads(text)
    errors = list(Draft202012Validator(load_schema()).iter_errors(doc))
    assert errors == []
    assert doc["run"]["shard"] is None
    assert [m["index"] for m in doc["run"]["merged_from"]] == [1, 2, 3, 4]
    assert doc["summary"]["unique_links"] == 8 and doc["summary"]["outcomes"]["broken"] == 4
    assert dumps(report_from_dict(doc), tool_version="t") == text  # round trip


def test_a_single_runs_report_has_no_merged_from() -> None:
    doc = json.loads(dumps(_shard(1), tool_version="t"))
    assert "merged_from" not in doc["run"] and doc["run"]["shard"] == {"index": 1, "total": 4}


def test_missing_shards_are_named() -> None:
    given = [r for r in _all() if r[0] != "shard-3.json"]
    with pytest.raises(MergeError, match=r"shard\(s\) 3/4 missing"):
        merge_reports(given)
    with pytest.raises(MergeError, match=r"2/4, 3/4 missing"):
        merge_reports(given[:1] + given[2:])


def test_allow_missing_marks_the_report_interrupted() -> None:
    given = [r for r in _all() if r[0] != "shard-3.json"]
    merged = merge_reports(given, allow_missing=True)
    assert merged.missing == (3,)
    assert merged.report.run.interrupted and merged.report.exit_code == 2
    assert [m["index"] for m in merged.report.run.merged_from] == [1, 2, 4]
    assert any("3 of 4 missing" in w for w in merged.warnings)


def test_the_same_shard_twice_is_an_error() -> None:
    given = [*_all(), ("again.json", _shard(2))]
    with pytest.raises(MergeError, match=r"shard 2/4 is given twice: shard-2.json and again"):
        merge_reports(given)


def test_different_totals_are_an_error() -> None:
    given = [("a.json", _shard(1)), ("b.json", _shard(2, [], n=3))]
    with pytest.raises(MergeError, match="different totals"):
        merge_reports(given)


def test_a_shard_that_does_not_exist_is_an_error() -> None:
    given = [*_all(), ("odd.json", _shard(5, []))]
    with pytest.raises(MergeError, match=r"odd.json says shard 5/4, which does not exist"):
        merge_reports(given)


def test_an_unsharded_report_is_an_error() -> None:
    plain = _shard(1)
    plain = replace(plain, run=replace(plain.run, shard=None))
    with pytest.raises(MergeError, match=r"plain.json is not a shard's report"):
        merge_reports([("plain.json", plain)])
    with pytest.raises(MergeError, match="no report"):
        merge_reports([])


def test_a_url_in_two_shards_identical_is_taken_once() -> None:
    shared = _result(_url(2))
    given = _all()
    one = _shard(1, [*_shard(1).results, replace(shared, elapsed=9.0, checked_at="x")])
    given[0] = ("shard-1.json", one)
    merged = merge_reports(given)
    assert [r.link.url for r in merged.report.results].count(shared.link.url) == 1
    assert any("same verdict" in w for w in merged.warnings)


def test_a_url_in_two_shards_with_two_verdicts_is_an_error() -> None:
    url = _url(2)
    given = _all()
    given[0] = ("shard-1.json", _shard(1, [_result(url, Outcome.BROKEN, 500)]))
    with pytest.raises(MergeError, match=r"1 URL\(s\) are reported by two shards") as caught:
        merge_reports(given)
    assert url in str(caught.value) and "shard-1.json" in str(caught.value)


def test_links_in_the_wrong_shard_are_warned_about() -> None:
    given = _all()
    given[0] = ("shard-1.json", _shard(1, [_result(_url(1)), _result(_url(3, 7))]))
    merged = merge_reports(given)
    assert any("1 link(s) of shard 1 (shard-1.json) belong to other" in w for w in merged.warnings)


def test_hosts_are_joined_and_shared_hosts_summed_with_a_warning() -> None:
    a = HostStats("www.site1.com", requests=10, retries=1, max_in_flight=2, rate_limit=5.0)
    b = HostStats("bit.ly", requests=3, waited_s=1.5, max_in_flight=1, rate_limit=2.0)
    c = HostStats("bit.ly", requests=4, waited_s=0.5, max_in_flight=2, rate_limit=1.0)
    given = _all()
    given[0] = ("shard-1.json", _shard(1, hosts=(a, b)))
    given[1] = ("shard-2.json", _shard(2, hosts=(c,)))
    merged = merge_reports(given)
    hosts = {h.host: h for h in merged.report.run.hosts}
    assert hosts["www.site1.com"] == a
    joined = hosts["bit.ly"]
    assert (joined.requests, joined.waited_s, joined.max_in_flight) == (7, 2.0, 2)
    assert joined.rate_limit == 1.0
    assert any("bit.ly (shard 1 (shard-1.json) and shard 2" in w for w in merged.warnings)
    assert b.requests == 3  # the inputs are not changed


def test_interrupted_network_down_and_state_errors_carry_over() -> None:
    given = _all()
    given[2] = ("shard-3.json", _shard(3, interrupted=True, state_error="disk full"))
    merged = merge_reports(given)
    run = merged.report.run
    assert run.interrupted and merged.report.exit_code == 2
    assert run.state_error == "shard 3 (shard-3.json): disk full"
    assert run.merged_from[2]["interrupted"] is True
    given[2] = ("shard-3.json", _shard(3, network_down="every request failed"))
    assert merge_reports(given).report.run.network_down == (
        "shard 3 (shard-3.json): every request failed"
    )


def test_different_libraries_and_changed_files_are_warned_about() -> None:
    given = _all()
    other = _shard(4)
    given[3] = ("shard-4.json", replace(other, files=4, file_hashes={"a.md": "c" * 64}))
    merged = merge_reports(given)
    assert merged.report.files == 4
    assert any("different libraries" in w for w in merged.warnings)
    assert any("1 file(s) changed while the shards read them (a.md)" in w for w in merged.warnings)


def test_a_merged_report_merges_with_the_other_shards() -> None:
    half = merge_reports(_all()[:2], allow_missing=True).report
    whole = merge_reports([("half.json", half), *_all()[2:]])
    assert half.run.interrupted  # shards 3 and 4 were missing from it, not from this one
    assert not whole.report.run.interrupted and whole.report.exit_code == 1
    assert [m["index"] for m in whole.report.run.merged_from] == [1, 2, 3, 4]
    assert len(whole.report.results) == 8
    with pytest.raises(MergeError, match="given twice"):
        merge_reports([("half.json", half), *_all()[1:]])
