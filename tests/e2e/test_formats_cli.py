"""Every format from one real run against a loopback site (ok, 404, a permanent redirect, an
image declared at the wrong size, hostile file names and titles), and the same formats
rendered again from the saved JSON report with `linkcheck report`."""

from __future__ import annotations

import csv
import io
import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from e2ekit import LibraryFactory, RunCli
from jsonschema import Draft4Validator
from prometheus_client.parser import text_string_to_metric_families
from sitekit import Site

from linkcheck.cli import main
from linkcheck.formats.rows import COLUMNS

NAMES = [c.name for c in COLUMNS]
SARIF_SCHEMA = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "sarif-schema-2.1.0.json").read_text()
)
HOSTILE_FILE = 'we"ird::na,me <x>%.md'
HOSTILE_TITLE = 'Title "one" <b>&</b>\x07::error::\nline two, =1+2'
FILES = {
    "ndjson": "links.ndjson",
    "csv": "links.csv",
    "junit": "junit.xml",
    "sarif": "out.sarif",
    "github": "annotations.txt",
    "prometheus": "linkcheck.prom",
    "markdown": "summary.md",
}


def make_library(library: LibraryFactory, site: Site) -> Path:
    jpeg = "{s}/files/jpeg_baseline_pil.jpg"  # 64x48
    return library(
        {
            "a.md": {
                "title": "A",
                "webUrl": "{s}/ok",
                "images": [{"url": jpeg, "width": 64, "height": 48}],
                "related": [{"webUrl": "{s}/status/404"}],
                "_body": "See [moved]({s}/redirect-to?url={s}/ok&status=301).\n",
            },
            "b.md": {
                "title": "B",
                "webUrl": "{s}/status/404",
                "images": [{"url": jpeg, "width": 32, "height": 24}],  # a resized copy
            },
            HOSTILE_FILE: {
                "title": HOSTILE_TITLE,
                "webUrl": "{s}/ok?x=1",
                "_body": "Dead: {s}/status/410?a::b,c%25d\n",
            },
        },
        s=site,
    )


def formats_args(folder: Path) -> list[str]:
    return [a for name, file in FILES.items() for a in ("--format", f"{name}={folder / file}")]


def broken_citations(report: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (link["url"], source["file"])
        for link in report["links"]
        for source in link["sources"]
        if source["outcome"] == "broken"
    ]


def check_outputs(folder: Path, report: dict[str, Any]) -> None:
    """Every format in `folder` loads with its users' tools and agrees with the JSON report."""
    occurrences = report["summary"]["occurrences"]
    broken = broken_citations(report)
    assert len(broken) == 4  # 404 as webUrl and related, the resized image in b.md, the 410

    # ndjson and csv: one row per citation, in DuckDB and pandas
    con = duckdb.connect()
    for source in (
        f"read_json_auto('{folder / FILES['ndjson']}')",
        f"read_csv_auto('{folder / FILES['csv']}')",
    ):
        assert [d[0] for d in con.execute(f"SELECT * FROM {source} LIMIT 0").description] == NAMES
        assert con.execute(f"SELECT count(*) FROM {source}").fetchall() == [(occurrences,)]
        rows = con.execute(
            f"SELECT url, file FROM {source} WHERE source_outcome = 'broken' ORDER BY url, file"
        ).fetchall()
        assert rows == sorted(broken)
    nd = pd.read_json(folder / FILES["ndjson"], lines=True)
    cs = pd.read_csv(folder / FILES["csv"])
    for df in (nd, cs):
        assert list(df.columns) == NAMES and len(df) == occurrences
        assert sorted(df["outcome"].unique()) == ["broken", "ok"]
    assert HOSTILE_TITLE in set(nd["title"])
    csv_text = (folder / FILES["csv"]).read_text(encoding="utf-8")
    csv_titles = {row["title"] for row in csv.DictReader(io.StringIO(csv_text, newline=""))}
    assert HOSTILE_TITLE in csv_titles  # starts with a letter: not touched by the formula guard

    # junit: one case per broken citation, a suite per file
    root = ET.parse(folder / FILES["junit"]).getroot()
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == len(broken)
    assert sorted(s.get("name", "") for s in root.findall("testsuite")) == sorted(
        {file for _, file in broken}
    )

    # sarif: valid 2.1.0, results with the file and line of each broken citation
    sarif = json.loads((folder / FILES["sarif"]).read_text(encoding="utf-8"))
    assert not list(Draft4Validator(SARIF_SCHEMA).iter_errors(sarif))
    results = sarif["runs"][0]["results"]
    errors = [r for r in results if r["ruleId"] != "permanent_redirect"]
    assert len(errors) == len(broken)
    for r in errors:
        physical = r["locations"][0]["physicalLocation"]
        assert physical["region"]["startLine"] >= 1
    assert any(r["ruleId"] == "permanent_redirect" for r in results)

    # github: one annotation per broken citation, plus a notice for the redirect
    lines = (folder / FILES["github"]).read_text(encoding="utf-8").splitlines()
    assert len([x for x in lines if x.startswith(("::error ", "::warning "))]) == len(broken)
    assert any(x.startswith("::notice ") and "moved permanently" in x for x in lines)
    assert any('we"ird%3A%3Ana%2Cme <x>%25.md' in x for x in lines)

    # prometheus: parses, and agrees with the summary
    text = (folder / FILES["prometheus"]).read_text(encoding="utf-8")
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    assert samples[("linkcheck_broken_links", ())] == report["summary"]["outcomes"]["broken"]
    assert samples[("linkcheck_links", (("outcome", "ok"),))] == report["summary"]["outcomes"]["ok"]

    # markdown: totals and the broken table
    md = (folder / FILES["markdown"]).read_text(encoding="utf-8")
    assert md.startswith(f"## linkcheck: {report['summary']['outcomes']['broken']} broken links")
    assert "/status/404" in md and "### Links to update" in md


def test_every_format_from_one_run_and_again_from_the_saved_report(
    site: Site,
    library: LibraryFactory,
    run_cli: RunCli,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    lib = make_library(library, site)
    from_run = tmp_path / "from-run"
    from_run.mkdir()
    r = run_cli(lib, *formats_args(from_run))
    assert r.code == 1, r.err
    assert r.report is not None and r.report_path is not None
    check_outputs(from_run, r.report)
    for name, file in FILES.items():  # each file named in the summary
        assert f"{name.upper()} report: {from_run / file}" in r.out

    from_report = tmp_path / "from-report"
    from_report.mkdir()
    capsys.readouterr()
    code = main(["report", str(r.report_path), *formats_args(from_report)])
    out, err = capsys.readouterr()
    assert code == 0, err
    check_outputs(from_report, r.report)
    for name in ("ndjson", "csv", "sarif", "github", "markdown"):
        run_text = (from_run / FILES[name]).read_text(encoding="utf-8")
        assert (from_report / FILES[name]).read_text(encoding="utf-8") == run_text, name


def test_a_format_on_stdout_gets_stdout_alone(
    site: Site, library: LibraryFactory, run_cli: RunCli
) -> None:
    r = run_cli(make_library(library, site), "--format", "github")
    assert r.code == 1
    lines = r.out.splitlines()
    assert lines and all(line.startswith("::") for line in lines), r.out
    assert "broken" in r.err  # the summary for people went to stderr


def test_report_renders_json_and_text_and_rejects_bad_input(
    site: Site,
    library: LibraryFactory,
    run_cli: RunCli,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    r = run_cli(make_library(library, site))
    assert r.report_path is not None
    capsys.readouterr()
    assert main(["report", str(r.report_path)]) == 0
    assert capsys.readouterr().out.startswith("linkcheck: ")  # the text summary
    copy = tmp_path / "copy.json"
    assert main(["report", str(r.report_path), "--format", f"json={copy}"]) == 0
    assert json.loads(copy.read_text(encoding="utf-8"))["links"] == r.report["links"]  # type: ignore[index]

    # '-' reads the report from standard input
    capsys.readouterr()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(r.report_path.read_bytes())))
    assert main(["report", "-", "--format", "junit=-"]) == 0
    cases = ET.fromstring(capsys.readouterr().out).findall("./testsuite/testcase")
    assert len(cases) == len(broken_citations(r.report))  # type: ignore[arg-type]

    not_json = tmp_path / "notes.txt"
    not_json.write_text("hello", encoding="utf-8")
    for argv, message in (
        (["report", str(tmp_path / "missing.json")], "cannot read the report"),
        (["report", str(not_json)], "is not a JSON report"),
        (["report", str(r.report_path), "--format", "sarf"], "did you mean 'sarif'"),
        (["report", str(r.report_path), "--format", "markdown", "--format", "github"], "only one"),
        (
            ["report", str(r.report_path), "--format", f"csv={tmp_path / 'no' / 'x.csv'}"],
            "does not exist",
        ),
    ):
        capsys.readouterr()
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, (argv, err)


def test_unknown_format_fails_before_any_request(
    site: Site, library: LibraryFactory, run_cli: RunCli
) -> None:
    r = run_cli(make_library(library, site), "--format", "junitt")
    assert r.code == 2
    assert "unknown format 'junitt': did you mean 'junit'" in r.err
    assert site.log == []


def test_formats_from_the_config_file(
    site: Site, library: LibraryFactory, run_cli: RunCli, tmp_path: Path
) -> None:
    lib = make_library(library, site)
    rows = tmp_path / "rows.ndjson"
    (lib / "linkcheck.toml").write_text(f'format = ["ndjson={rows}", "junit"]\n', "utf-8")
    r = run_cli(lib)
    assert r.code == 1, r.err
    assert r.report is not None
    lines = rows.read_text(encoding="utf-8").splitlines()
    assert len(lines) == r.report["summary"]["occurrences"]
    assert (Path.cwd() / "linkcheck-junit.xml").is_file()  # NAME alone: its default file
