"""The HTML formatter without a browser: one self-contained page, the data blob safe inside
its <script> element whatever the report's strings hold, and written in small chunks."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from htmlkit import blob, html_text, synthetic_report

from linkcheck.formats import get_formatter
from linkcheck.formats.html import HtmlFormatter
from linkcheck.formats.json import dumps
from linkcheck.formats.json_read import load_report
from linkcheck.formats.registry import RenderOptions
from linkcheck.models import (
    CheckResult,
    DeclaredSize,
    Hop,
    Link,
    LinkKind,
    Occurrence,
    Outcome,
    Reason,
    Report,
    RunInfo,
    SizeVerdict,
    Source,
)

HOSTILE = [
    "</script><script>alert(1)</script>",
    "</SCRIPT ><!--<script>",
    "a\u2028b\u2029c",
    "\ud800lone surrogate \udcff",
    "<img src=x onerror=alert(1)>&amp;",
    "javascript:alert(1)",
]


def one_link_report(url: str, *, title: str, file: str, detail: str = "") -> Report:
    source = Source(file=file, field="webUrl", line=3, title=title, article_key=title)
    result = CheckResult(
        link=Link(url, LinkKind.PAGE, (Occurrence(url, LinkKind.PAGE, source),)),
        outcome=Outcome.BROKEN,
        reason=Reason.HTTP_STATUS,
        http_status=404,
        final_url=url,
        detail=detail,
    )
    run = RunInfo(
        started_at=title, finished_at="", duration_s=1.0, inputs=(file,), options={"x": title}
    )
    return Report(run=run, files=1, articles=1, results=(result,))


def test_registered_with_a_default_file() -> None:
    formatter = get_formatter("html")
    assert isinstance(formatter, HtmlFormatter)
    assert formatter.default_path == "linkcheck-report.html"


def test_self_contained_and_csp_allows_exactly_the_inline_script() -> None:
    page = html_text(synthetic_report(50))
    markup = re.sub(
        r'(<script type="application/json"[^>]*>).*?(</script>)', r"\1\2", page, flags=re.S
    )
    # nothing is loaded from anywhere: no src=, no stylesheet links, no @import or url()
    code = re.sub(r"<(script|style)>.*?</\1>", "", markup, flags=re.S)
    assert not re.search(r"\bsrc\s*=", code)
    assert "@import" not in markup and "url(" not in markup
    assert not re.search(r"https?://", markup)
    assert '<link rel="icon" href="data:,">' in markup
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', markup)
    assert csp is not None and "default-src 'none'" in csp.group(1)
    scripts = re.findall(r"<script>(.*?)</script>", markup, flags=re.S)
    styles = re.findall(r"<style>(.*?)</style>", markup, flags=re.S)
    assert len(scripts) == 1 and len(styles) == 1

    def digest(text: str) -> str:
        return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()

    assert f"script-src 'sha256-{digest(scripts[0])}'" in csp.group(1)
    assert f"style-src 'sha256-{digest(styles[0])}'" in csp.group(1)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_strings_cannot_leave_the_data_block(hostile: str, tmp_path: Path) -> None:
    url = "https://example.org/?q=" + hostile
    report = one_link_report(url, title=hostile, file=hostile + ".md", detail=hostile)
    page = html_text(report)
    # exactly two script elements end: the data and the code
    assert len(re.findall(r"</script", page, flags=re.I)) == 2
    assert page.count("<!--") == 0
    assert "\u2028" not in page and "\u2029" not in page
    # it encodes as UTF-8 (lone surrogates are escaped), and the data reads back exactly
    path = tmp_path / "r.html"
    path.write_bytes(page.encode("utf-8"))
    data = blob(page)
    strings = data["strings"]
    row = data["links"][0]
    assert row[0] == url
    assert strings[row[14][0][0]] == hostile + ".md"
    assert strings[row[14][0][3]] == hostile
    assert strings[row[8]] == hostile  # the detail
    assert data["run"]["options"] == {"x": hostile}


def test_rows_carry_sizes_redirects_history_and_severity() -> None:
    data = blob(html_text(synthetic_report(64)))
    s, links = data["strings"], data["links"]
    assert len(links) == 64
    mismatch = next(r for r in links if r[3] is not None and s[r[3]] == "image_dimension_mismatch")
    source = mismatch[14][0]
    assert source[6:10] == [600, 400, 0, 1]  # declared 600x400, no match, same shape
    assert source[11] == 1  # this citation is broken
    assert mismatch[10][1:3] == [1200, 800]  # the real size
    assert s[mismatch[7]] == "low"  # a resized copy
    moved = next(r for r in links if len(r) > 12 and r[12])
    assert moved[9][0][1] == 301 and moved[12] == moved[5]  # update to the final URL
    assert {s[r[11][0]] for r in links} >= {"newly_broken", "ok", "fixed"}
    assert data["summary"]["unique_links"] == 64
    assert len(data["hosts"]) == 200 and data["hosts"][0][0] == "news0.example.org"


def test_written_a_link_at_a_time() -> None:
    class Chunks(io.StringIO):
        sizes: list[int] = []

        def write(self, s: str) -> int:
            self.sizes.append(len(s))
            return super().write(s)

    report = synthetic_report(3000)
    stream = Chunks()
    HtmlFormatter().write(report, stream, options=RenderOptions(tool_version="t"))
    total = sum(stream.sizes)
    assert total > 500_000 and len(stream.sizes) > 3000
    # the largest piece is the template (code and style) or the string table, never the links
    assert max(stream.sizes) < 150_000


def test_empty_and_odd_values_render() -> None:
    empty = Report(
        run=RunInfo(started_at="", finished_at="", duration_s=float("nan"), inputs=(), options={}),
        files=0,
        articles=0,
        results=(),
    )
    data = blob(html_text(empty))
    assert data["links"] == [] and data["run"]["duration_s"] is None

    source = Source(file="a.md", field="images[0].url", line=None, title=None)
    odd = DeclaredSize(float("nan"), [1, {2: object()}])
    url = "https://example.org/i.png"
    result = CheckResult(
        link=Link(url, LinkKind.IMAGE, (Occurrence(url, LinkKind.IMAGE, source, odd),)),
        outcome=Outcome.OK,
        reason=None,
        http_status=200,
        final_url=url,
        redirects=(Hop(url, 999),),
    )
    data = blob(html_text(replace(empty, results=(result,))))
    src = data["links"][0][14][0]
    assert src[6] == "nan" and isinstance(src[7], str)


def test_a_report_read_back_from_json_renders_the_same_rows() -> None:
    report = synthetic_report(40)
    again = load_report(io.StringIO(dumps(report, tool_version="t")))
    assert blob(html_text(again))["links"] == blob(html_text(report))["links"]


def test_verdicts_shown_per_citation() -> None:
    url = "https://example.org/p.jpg"
    right = Source(file="right.md", field="images[0].url", line=4, title="R")
    wrong = Source(file="wrong.md", field="images[0].url", line=4, title="W")
    result = CheckResult(
        link=Link(
            url,
            LinkKind.IMAGE,
            (
                Occurrence(
                    url,
                    LinkKind.IMAGE,
                    right,
                    DeclaredSize(64, 48),
                    SizeVerdict(64, 48, True, True),
                ),
                Occurrence(
                    url,
                    LinkKind.IMAGE,
                    wrong,
                    DeclaredSize(64, 64),
                    SizeVerdict(64, 64, False, False),
                ),
            ),
        ),
        outcome=Outcome.BROKEN,
        reason=Reason.IMAGE_DIMENSION_MISMATCH,
        http_status=206,
        final_url=url,
    )
    report = one_link_report(url, title="t", file="f")
    data = blob(html_text(replace(report, results=(result,))))
    first, second = data["links"][0][14]
    assert len(first) < 12 or first[11] is None  # the right citation is not broken
    assert second[8:10] == [0, 0] and second[11] == 1
    assert data["triage"]["articles_affected"] == 1


def test_the_page_script_never_parses_report_strings_as_html() -> None:
    script = (Path(__file__).parents[2] / "linkcheck/formats/html_assets/report.js").read_text()
    code = re.sub(r"/\*.*?\*/|//[^\n]*", "", script, flags=re.S)
    for sink in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
        'setAttribute("style"',
        'setAttribute("href"',
    ):
        assert sink not in code, sink
    assert "</script" not in script.lower() and "<!--" not in script


def test_totals_agree_with_the_json_report() -> None:
    report = synthetic_report(200)
    summary = json.loads(dumps(report, tool_version="t"))["summary"]
    data = blob(html_text(report))
    assert data["triage"] == summary["triage"]
    assert data["summary"] == {k: v for k, v in summary.items() if k != "triage"}
