"""The CI formats: JUnit XML, SARIF 2.1.0 (validated against the official schema), GitHub
workflow annotations and the Markdown job summary, with hostile values in every field."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from formats_kit import (
    HOSTILE_FILE,
    HOSTILE_TITLE,
    HOSTILE_URL,
    broken_citations,
    occ,
    result,
    run_info,
    sample_report,
)
from jsonschema import Draft4Validator

from linkcheck.formats import RenderOptions, get_formatter
from linkcheck.formats import github as gh
from linkcheck.formats import markdown as md
from linkcheck.formats.sarif import artifact_uri
from linkcheck.models import Outcome, Reason, Report

OPTIONS = RenderOptions(tool_version="0.0-test")
SARIF_SCHEMA = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "sarif-schema-2.1.0.json").read_text()
)


def render(name: str, report: Report) -> str:
    out = io.StringIO()
    get_formatter(name).write(report, out, options=OPTIONS)
    return out.getvalue()


def empty_report() -> Report:
    return Report(run=run_info(), files=0, articles=0, results=())


def many_broken(n: int) -> Report:
    results = tuple(
        result(
            f"https://ok.example/dead/{i:05d}",
            Outcome.BROKEN,
            Reason.HTTP_STATUS,
            (occ(f"https://ok.example/dead/{i:05d}", f"f{i % 7}.md", "body", i + 1),),
            http_status=404,
        )
        for i in range(n)
    )
    return Report(run=run_info(), files=7, articles=7, results=results)


# --------------------------------------------------------------------------- junit


def test_junit_parses_with_one_case_per_broken_citation_grouped_by_file() -> None:
    report = sample_report()
    root = ET.fromstring(render("junit", report).encode("utf-8"))
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == broken_citations(report) == 6
    assert int(root.get("tests", "-1")) == len(cases) == int(root.get("failures", "-1"))
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {"a.md", "b.md", "c.md", "d.md", HOSTILE_FILE, "(no source file)"}
    for suite in suites.values():
        assert int(suite.get("tests", "-1")) == len(suite.findall("testcase"))
    # the size mismatch fails only where the declared size is wrong (c.md, not a.md)
    a_cases = [c.get("name", "") for c in suites["a.md"].findall("testcase")]
    assert not any("photo.jpg" in name for name in a_cases)
    (c_case,) = suites["c.md"].findall("testcase")
    failure = c_case.find("failure")
    assert failure is not None and failure.get("type") == "image_dimension_mismatch"
    assert c_case.get("line") == "7"


def test_junit_keeps_hostile_values_and_drops_nothing() -> None:
    root = ET.fromstring(render("junit", sample_report()).encode("utf-8"))
    (case,) = [s for s in root.findall("testsuite") if s.get("name") == HOSTILE_FILE][0]
    assert case.get("file") == f"content/{HOSTILE_FILE}"  # the path, for CI tools
    assert HOSTILE_URL in (case.get("name") or "")
    failure = case.find("failure")
    assert failure is not None and failure.text is not None
    # XML cannot hold NUL or ESC: they are shown as \x00 / \x1b; the rest is kept exactly
    assert 'title: Line one\nline two "quoted" <b>&amp;</b> \\x00\\x1b[31m' in failure.text
    assert "<html>\\x00\r\n%0A::warning::" in (failure.get("message") or "")


# --------------------------------------------------------------------------- sarif


def test_sarif_validates_against_the_2_1_0_schema_with_file_and_line() -> None:
    doc = json.loads(render("sarif", sample_report()))
    errors = list(Draft4Validator(SARIF_SCHEMA).iter_errors(doc))
    assert not errors, [e.message for e in errors[:5]]
    assert doc["version"] == "2.1.0" and len(doc["runs"]) == 1
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids)) and "http_status" in ids and "permanent_redirect" in ids
    assert all(r["helpUri"].startswith("https://") and r["fullDescription"]["text"] for r in rules)
    results = run["results"]
    for r in results:
        assert ids[r["ruleIndex"]] == r["ruleId"]
    dead = [r for r in results if r["properties"]["url"] == "https://ok.example/dead"]
    assert {r["level"] for r in dead} == {"error"}  # critical
    places = {
        (
            loc["physicalLocation"]["artifactLocation"]["uri"],
            loc["physicalLocation"].get("region", {}).get("startLine"),
        )
        for r in dead
        for loc in r["locations"]
    }
    # paths for code scanning: the input folder (run.inputs: "content") joined with the name
    assert places == {("content/b.md", 2), ("content/a.md", 9)}
    kinds = {r["ruleId"] for r in results}
    assert {"image_dimension_mismatch", "rate_limited", "permanent_redirect"} <= kinds
    assert "unsupported_scheme" not in kinds  # skipped links are not findings
    fingerprints = [r["partialFingerprints"]["linkcheckCitation/v1"] for r in results]
    assert len(fingerprints) == len(set(fingerprints))


def test_sarif_of_nothing_broken_is_valid_and_empty() -> None:
    doc = json.loads(render("sarif", empty_report()))
    assert not list(Draft4Validator(SARIF_SCHEMA).iter_errors(doc))
    assert doc["runs"][0]["results"] == []


@pytest.mark.parametrize(
    ("file", "uri", "relative"),
    [
        ("content/a b.md", "content/a%20b.md", True),
        ("we#ird?.md", "we%23ird%3F.md", True),
        ("/srv/c/x.md", "file:///srv/c/x.md", False),
        ("caf\udce9.md", "caf%E9.md", True),  # the file's real bytes, undecodable as UTF-8
        ("café.md", "caf%C3%A9.md", True),
    ],
)
def test_sarif_artifact_uris(file: str, uri: str, relative: bool) -> None:
    assert artifact_uri(file) == (uri, relative)


# --------------------------------------------------------------------------- github


def test_github_annotations_one_line_each_escaped() -> None:
    report = sample_report()
    lines = render("github", report).splitlines()
    commands = [line.split(" ", 1)[0] for line in lines]
    assert commands.count("::error") == 2  # the dead webUrl, cited twice (critical)
    assert "::notice" in commands  # the permanent redirect
    hostile = [line for line in lines if HOSTILE_FILE.split("/")[0] in line]
    assert hostile and all(line.startswith("::warning file=content/odd dir/we") for line in hostile)
    for line in lines:
        head, sep, message = line.partition("::")[2].partition("::")
        assert sep, line
        props = head.split(" ", 1)[1] if " " in head else ""
        assert "\n" not in message and "\r" not in message
        # in properties, ':' and ',' only separate: a value's own are escaped
        for prop in props.split(","):
            key, _, value = prop.partition("=")
            assert key in {"file", "line", "title"} and ":" not in value
    (first,) = [line for line in hostile if "line=3" in line]
    assert 'file=content/odd dir/we"ird%2Cna%3A%3Ame <x>%25.md,line=3,' in first
    assert "%0D%0A%250A::warning::" in first  # CR LF and % of the detail escaped


def test_github_escaping_rules() -> None:
    assert gh.escape_data("50%\r\nx::y") == "50%25%0D%0Ax::y"
    assert gh.escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert gh.escape_data("\x1b[31m") == "\\x1b[31m"


def test_github_caps_the_lines_with_a_final_notice() -> None:
    out = io.StringIO()
    gh.write(many_broken(30), out, max_lines=10)
    lines = out.getvalue().splitlines()
    assert len(lines) == 11
    assert lines[-1].startswith("::notice title=linkcheck::20 more not annotated")


# --------------------------------------------------------------------------- markdown


def test_markdown_totals_and_the_broken_table() -> None:
    text = render("markdown", sample_report())
    assert text.startswith("## linkcheck: 4 broken links\n")
    assert "| broken | 4 |" in text
    table = text.split("### Broken links", 1)[1].split("###", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    assert rows[0] == "| severity | url | reason | where |"
    assert rows[1].startswith("| critical | `https://ok.example/dead` |")
    assert len(rows) - 1 == 4  # one row per broken link
    assert "Links to update (permanent redirects)" in text
    assert "`https://ok.example/new`" in text


def test_markdown_escapes_what_could_break_the_table_or_inject_html() -> None:
    report = sample_report()
    hostile = dataclasses.replace(
        report.results[-2], detail="a|b <script>x</script> `tick` \n next"
    )
    results = (*report.results[:-2], hostile, report.results[-1])
    text = render("markdown", dataclasses.replace(report, results=results))
    row = next(line for line in text.splitlines() if "evil.example" in line)
    assert row.count(" | ") == 3  # four cells: no raw | split a cell
    assert "<script>" not in text and "\\<script\\>" in row
    assert "\\x0a" in row  # the newline shown, not breaking the row
    assert HOSTILE_TITLE not in text  # titles are not in the table at all


@pytest.mark.parametrize("cap", [2_000, 5_000, md.MAX_BYTES])
def test_markdown_is_capped_by_bytes_and_says_how_many_more(cap: int) -> None:
    out = io.StringIO()
    md.render(many_broken(2_000), out, max_bytes=cap)
    text = out.getvalue()
    assert len(text.encode("utf-8")) <= cap
    shown = len(re.findall(r"^\| medium \| ", text, flags=re.M))
    assert 0 < shown < 2_000
    assert f"… and {2_000 - shown} more broken links: see the full report." in text


def test_markdown_when_nothing_is_broken() -> None:
    text = render("markdown", empty_report())
    assert text.startswith("## linkcheck: no broken links")
    assert "### Broken links" not in text
