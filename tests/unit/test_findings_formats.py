"""AMP findings in the human and CI formats: the text summary's block, Markdown, GitHub
annotations, SARIF (validated against the official schema) and the HTML page's data."""

from __future__ import annotations

import dataclasses
import io
import json
import re
from pathlib import Path

from formats_kit import HOSTILE_FILE, sample_report
from jsonschema import Draft4Validator

from linkcheck.formats import RenderOptions, get_formatter
from linkcheck.formats.html import iter_data
from linkcheck.formats.text import render_summary
from linkcheck.formats.text_findings import SHOWN
from linkcheck.models import Finding, FindingCheck, Report

OPTIONS = RenderOptions(tool_version="0.0-test")
SARIF_SCHEMA = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "sarif-schema-2.1.0.json").read_text()
)


def _finding(
    check: FindingCheck, file: str, line: int | None, severity: str, i: int = 0
) -> Finding:
    return Finding(
        check=check,
        file=file,
        line=line,
        field="related[1].cdnAmpWebUrl",
        url=f"https://amp-x.cdn.ampproject.org/c/s/x/{i}",
        expected="https://x-example.cdn.ampproject.org/c/s/x.example/a",
        actual=f"https://amp-x.cdn.ampproject.org/c/s/x/{i}",
        severity=severity,
        message=f"finding number {i}\x1b[31m",
    )


def _report(*findings: Finding) -> Report:
    return dataclasses.replace(sample_report(), findings=findings)


FINDINGS = (
    _finding(FindingCheck.AMP_CANONICAL, "a.md", 7, "medium", 1),
    _finding(FindingCheck.AMP_CACHE_URL, "b.md", 12, "high", 2),
    _finding(FindingCheck.AMPHTML_MISSING, HOSTILE_FILE, None, "medium", 3),
)


def render(name: str, report: Report) -> str:
    out = io.StringIO()
    get_formatter(name).write(report, out, options=OPTIONS)
    return out.getvalue()


def test_text_summary_has_a_findings_block_most_urgent_first() -> None:
    text = render_summary(_report(*FINDINGS))
    assert text.splitlines()[0].endswith("3 AMP findings")
    block = text[text.index("AMP findings (3)") :].splitlines()
    assert block[0] == "AMP findings (3): 1 amp_cache_url, 1 amp_canonical, 1 amphtml_missing"
    assert block[1].startswith("  b.md:12 related[1].cdnAmpWebUrl: high amp_cache_url: finding")
    assert block[2].startswith("  a.md:7 related[1].cdnAmpWebUrl: medium amp_canonical")
    assert "\x1b" not in text.replace("\x1b[", "")  # the message's escape is shown, not sent
    assert "\\x1b[31m" in text
    assert "AMP findings" not in render_summary(sample_report())


def test_text_block_lists_a_few_unless_verbose() -> None:
    many = [_finding(FindingCheck.AMP_NOT_AMP, "a.md", i, "high", i) for i in range(1, 12)]
    text = render_summary(_report(*many))
    listed = [line for line in text.splitlines() if line.startswith("  a.md:")]
    assert len(listed) == SHOWN
    assert f"... and {11 - SHOWN} more findings" in text
    verbose = render_summary(_report(*many), verbose=True)
    assert len([line for line in verbose.splitlines() if line.startswith("  a.md:")]) == 11


def test_markdown_has_an_amp_findings_table() -> None:
    text = render("markdown", _report(*FINDINGS))
    table = text[text.index("### AMP findings") :]
    assert "| high | amp\\_cache\\_url | `b.md:12` (related\\[1\\].cdnAmpWebUrl) |" in table
    assert "### AMP findings" not in render("markdown", sample_report())


def test_github_annotations_at_the_findings_field() -> None:
    lines = render("github", _report(*FINDINGS)).splitlines()
    amp = [line for line in lines if "amp_" in line or "amphtml" in line]
    title = "title=linkcheck%3A"
    assert amp[0].startswith(f"::warning file=content/a.md,line=7,{title} amp_canonical::")
    assert amp[1].startswith(f"::error file=content/b.md,line=12,{title} amp_cache_url::")
    assert "line=" not in amp[2]  # no line known: the file only
    assert all(re.fullmatch(r"::\w+ [^\n]*::[^\n]*", line) for line in amp)


def test_sarif_results_for_findings_validate() -> None:
    doc = json.loads(render("sarif", _report(*FINDINGS)))
    Draft4Validator(SARIF_SCHEMA).validate(doc)
    run = doc["runs"][0]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    found = [r for r in run["results"] if r["ruleId"].startswith("amp")]
    assert [r["ruleId"] for r in found] == ["amp_canonical", "amp_cache_url", "amphtml_missing"]
    for r in found:
        assert ids[r["ruleIndex"]] == r["ruleId"]
    first = found[1]["locations"][0]["physicalLocation"]
    assert first == {
        "artifactLocation": {"uri": "content/b.md", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 12},
    }
    assert found[1]["level"] == "error" and found[0]["level"] == "warning"
    assert found[1]["properties"]["expected"].startswith("https://x-example.cdn")


def test_html_data_carries_the_findings() -> None:
    blob = json.loads("".join(iter_data(_report(*FINDINGS), tool_version="t")))
    assert blob["findings"][1] == [
        "b.md",
        12,
        "related[1].cdnAmpWebUrl",
        "amp_cache_url",
        "high",
        "finding number 2\x1b[31m",
    ]
    assert json.loads("".join(iter_data(sample_report(), tool_version="t")))["findings"] == []
