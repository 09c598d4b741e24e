"""The flat citation rows (`formats.rows`) and the two formats that write them, `ndjson` and
`csv`, loaded back the way their users load them: DuckDB and pandas."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from formats_kit import FORMULA_TITLE, HOSTILE_FILE, HOSTILE_TITLE, HOSTILE_URL, sample_report

from linkcheck.formats import RenderOptions, get_formatter
from linkcheck.formats.csv_rows import cell
from linkcheck.formats.rows import COLUMNS, host_label, iter_rows
from linkcheck.models import Report

NAMES = [c.name for c in COLUMNS]
OPTIONS = RenderOptions(tool_version="0.0-test")


def render(name: str, report: Report) -> str:
    out = io.StringIO()
    get_formatter(name).write(report, out, options=OPTIONS)
    return out.getvalue()


def written(tmp_path: Path, name: str, report: Report, suffix: str) -> Path:
    path = tmp_path / f"rows.{suffix}"
    path.write_text(render(name, report), encoding="utf-8", newline="")
    return path


def test_one_row_per_citation_and_a_row_for_a_link_without_one() -> None:
    report = sample_report()
    rows = [dict(zip(NAMES, values, strict=True)) for values in iter_rows(report)]
    expected = sum(max(len(r.link.occurrences), 1) for r in report.results)
    assert len(rows) == expected == 12
    orphan = [r for r in rows if r["url"] == "https://ok.example/orphan"]
    assert len(orphan) == 1 and orphan[0]["file"] is None and orphan[0]["outcome"] == "broken"


def test_row_values_are_typed_and_per_citation() -> None:
    rows = [dict(zip(NAMES, v, strict=True)) for v in iter_rows(sample_report())]
    types = {"string": str, "integer": int, "boolean": bool}
    for row in rows:
        for column in COLUMNS:
            value = row[column.name]
            assert value is None or type(value) is types[column.type], (column.name, value)
    photo = {r["file"]: r for r in rows if r["url"].endswith("photo.jpg")}
    # the size verdict and the citation's outcome are per article
    assert photo["a.md"]["matches"] is True and photo["a.md"]["source_outcome"] == "ok"
    assert photo["c.md"]["matches"] is False and photo["c.md"]["source_outcome"] == "broken"
    assert (photo["c.md"]["declared_width"], photo["c.md"]["real_width"]) == (32, 64)
    # a rotated image: the real size is the displayed one (stored 48x32, EXIF 6)
    rotated = next(r for r in rows if r["url"].endswith("rotated.jpg"))
    assert (rotated["real_width"], rotated["real_height"]) == (32, 48)
    assert rotated["cached"] is True
    moved = next(r for r in rows if r["url"] == "http://ok.example/moved")
    assert moved["permanent_redirect"] == "https://ok.example/new"
    assert moved["severity"] == "low" and moved["redirects"] == 1
    dead = next(r for r in rows if r["url"].endswith("/dead") and r["file"] == "b.md")
    assert dead["severity"] == "critical" and dead["article_key"] == "b-key"
    assert (dead["history_status"], dead["failing_runs"], dead["http_status"]) == (
        "newly_broken",
        1,
        404,
    )
    assert dead["link_id"] == sample_report().results[1].id
    assert next(r for r in rows if r["url"].startswith("mailto:"))["host"] is None


def test_ndjson_lines_parse_back_with_every_column_in_order() -> None:
    report = sample_report()
    lines = render("ndjson", report).splitlines()
    parsed = [json.loads(line) for line in lines]
    assert len(parsed) == 12
    assert all(list(p) == NAMES for p in parsed)
    hostile = [p for p in parsed if p["url"] == HOSTILE_URL]
    assert {p["file"] for p in hostile} == {HOSTILE_FILE, "d.md"}
    assert {p["title"] for p in hostile} == {HOSTILE_TITLE, FORMULA_TITLE}


def test_ndjson_survives_an_undecodable_file_name() -> None:
    report = sample_report()
    bad = report.results[0].link.occurrences[0].source
    object.__setattr__(bad, "file", "caf\udce9.md")  # os.fsdecode of a Latin-1 name
    text = render("ndjson", report)
    text.encode("utf-8")  # encodable: the surrogate was \u-escaped
    assert json.loads(text.splitlines()[0])["file"] == "caf\udce9.md"


def test_csv_is_rfc4180_with_a_header_and_the_same_rows() -> None:
    text = render("csv", sample_report())
    assert text.startswith(",".join(NAMES) + "\r\n")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == NAMES and len(rows) == 13
    by_title = {r[NAMES.index("title")]: r for r in rows[1:]}
    # a multi-line title stays one quoted cell; a formula is defused with a leading '
    assert "'" + FORMULA_TITLE in by_title
    assert any(t.startswith("Line one\nline two") for t in by_title)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (True, "true"),
        (False, "false"),
        (404, "404"),
        ("=1+2", "'=1+2"),
        ("+cmd", "'+cmd"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("https://a/=b", "https://a/=b"),
        ("a\x00b", "a\\x00b"),
        ("", ""),
        ("x\ny", '"x\ny"'),
    ],
)
def test_csv_cells(value: object, expected: str) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([cell(value), "end"])
    assert out.getvalue() == expected + ",end\r\n"


def test_ndjson_and_csv_load_in_duckdb_as_one_row_per_citation(tmp_path: Path) -> None:
    report = sample_report()
    nd = written(tmp_path, "ndjson", report, "ndjson")
    cs = written(tmp_path, "csv", report, "csv")
    con = duckdb.connect()

    def query(sql: str) -> list[tuple[object, ...]]:
        return con.execute(sql).fetchall()

    for source in (f"read_json_auto('{nd}')", f"read_csv_auto('{cs}')"):
        columns = [d[0] for d in con.execute(f"SELECT * FROM {source} LIMIT 0").description]
        assert columns == NAMES
        assert query(f"SELECT count(*) FROM {source}") == [(12,)]
        broken = query(f"SELECT count(*) FROM {source} WHERE source_outcome = 'broken'")
        assert broken == [(6,)]
        numbers = query(f"SELECT max(http_status), sum(declared_width) FROM {source}")
        assert numbers == [(500, 64 + 32 + 32)]  # numbers, not text
        dead = query(
            f"SELECT severity, line FROM {source} WHERE url = 'https://ok.example/dead' "
            "ORDER BY line"
        )
        assert dead == [("critical", 2), ("critical", 9)]
        flags = query(f"SELECT cached, matches FROM {source} WHERE url LIKE '%rotated.jpg'")
        assert flags == [(True, True)]  # booleans, not text


def test_ndjson_and_csv_load_in_pandas(tmp_path: Path) -> None:
    report = sample_report()
    frames = [
        pd.read_json(written(tmp_path, "ndjson", report, "ndjson"), lines=True),
        pd.read_csv(written(tmp_path, "csv", report, "csv")),
    ]
    for df in frames:
        assert list(df.columns) == NAMES and len(df) == 12
        assert set(df["outcome"]) == {"ok", "broken", "warning", "skipped"}
        assert df["http_status"].max() == 500
        assert HOSTILE_URL in set(df["url"])
        assert HOSTILE_FILE in set(df["file"])


@pytest.mark.parametrize(
    "url",
    [
        "https://Example.COM/x",
        "http://a.example:80/",
        "https://a.example:8443/p?q",
        "http://127.0.0.1:36697/s",
        "http://[::1]:8080/x",
        "https://xn--bcher-kva.example/",
        "http://user:pw@h.example:81/",
    ],
)
def test_host_label_spells_hosts_as_the_host_statistics_do(url: str) -> None:
    from linkcheck.net.redirects import host_of

    assert host_label(url) == host_of(url)


@pytest.mark.parametrize("url", ["mailto:x@example.com", "http:///no-host", "https://a:99999/"])
def test_host_label_of_urls_without_a_host(url: str) -> None:
    assert host_label(url) is None
