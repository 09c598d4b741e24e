"""`linkcheck diff` end to end: two real `linkcheck run`s against a loopback site whose routes
change between the runs, then `linkcheck diff` on the two reports, which must list exactly
those changes (text and JSON); and the bad inputs a tired person will give it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from e2ekit import LibraryFactory, RunCli
from sitekit import Response, Site, png

from linkcheck.cli import main

NO_CACHE = ("--cache-max-age", "0")  # the second run must request everything again


def articles(body_link: str) -> list[dict[str, Any]]:
    return [
        {"_file": "one.md", "title": "One", "webUrl": "{s}/a", "_body": f"[x]({body_link})"},
        {"_file": "two.md", "title": "Two", "webUrl": "{s}/b", "related": [{"webUrl": "{s}/c"}]},
        {
            "_file": "three.md",
            "title": "Three",
            "webUrl": "{s}/d",
            "ampWebUrl": "{s}/e",
            "images": [{"url": "{s}/files/photo.png", "width": 64, "height": 48}],
        },
    ]


def diff(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["diff", *(str(a) for a in args)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err, err
    return code, out, err


@pytest.fixture
def two_reports(site: Site, library: LibraryFactory, run_cli: RunCli) -> tuple[Path, Path]:
    """Run 1 and run 2 of the same library; between them the site and one article change."""
    for path in ("/a", "/e"):
        site.route(path, Response(200, body=b"<p>ok</p>"))
    for path in ("/b", "/c", "/d"):
        site.route(path, Response(404))
    site.route("/old-body-link", Response(200, body=b"<p>ok</p>"))
    site.put_file("photo.png", png(64, 48), "image/png")
    folder = library(articles("{s}/old-body-link"), name="lib", s=site)
    first = run_cli(folder, *NO_CACHE)
    assert first.code == 1 and first.report_path is not None

    site.route("/a", Response(404))  # ok -> 404: new broken
    site.route("/b", Response(200, body=b"<p>back</p>"))  # 404 -> ok: fixed
    site.route("/c", Response(410))  # 404 -> 410: changed
    # /d stays 404 (still broken), /e stays ok (unchanged)
    site.put_file("photo.png", png(128, 96), "image/png")  # resized: new broken
    site.route("/new-body-link", Response(200, body=b"<p>ok</p>"))
    library(articles("{s}/new-body-link"), name="lib", s=site)  # one.md rewritten
    second = run_cli(folder, *NO_CACHE)
    assert second.code == 1 and second.report_path is not None
    return first.report_path, second.report_path


def test_diff_lists_exactly_the_changes_as_json(
    site: Site, two_reports: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = two_reports
    code, out, err = diff(capsys, old, new, "--format", "json")
    assert code == 1, err  # something newly broke
    assert err == ""
    doc = json.loads(out)

    def urls(category: str) -> list[str]:
        return [c["url"] for c in doc[category]]

    photo = site.url("/files/photo.png")
    assert sorted(urls("new_broken")) == sorted([site.url("/a"), photo])
    assert urls("fixed") == [site.url("/b")]
    assert urls("changed") == [site.url("/c")]
    assert urls("still_broken") == [site.url("/d")]
    assert urls("verdict_changed") == urls("not_compared") == []
    assert urls("new_links") == [site.url("/new-body-link")]
    assert urls("vanished_links") == [site.url("/old-body-link")]
    assert doc["counts"]["unchanged"] == 1  # /e
    assert doc["partial"] == []
    assert (doc["old"]["report"], doc["new"]["report"]) == (str(old), str(new))
    assert doc["old"]["links"] == doc["new"]["links"] == 7

    a = next(c for c in doc["new_broken"] if c["url"] == site.url("/a"))
    assert (a["old"]["outcome"], a["new"]["outcome"], a["new"]["http_status"]) == (
        "ok",
        "broken",
        404,
    )
    assert a["cited"] == [{"file": "one.md", "line": a["cited"][0]["line"], "field": "webUrl"}]
    resized = next(c for c in doc["new_broken"] if c["url"] == photo)
    assert resized["old"]["image_size"] == {"width": 64, "height": 48}
    assert resized["new"]["image_size"] == {"width": 128, "height": 96}
    assert resized["new"]["reason"] == "image_dimension_mismatch"
    (c,) = doc["changed"]
    assert (c["old"]["http_status"], c["new"]["http_status"]) == (404, 410)
    assert c["cited"][0]["field"] == "related[0].webUrl"
    (b,) = doc["fixed"]
    assert (b["old"]["outcome"], b["new"]["outcome"]) == ("broken", "ok")
    (gone,) = doc["vanished_links"]
    assert gone["new"] is None and gone["cited"][0] == {
        "file": "one.md",
        "line": 5,
        "field": "body",
    }


def test_diff_text_and_output_file(
    site: Site, two_reports: tuple[Path, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    old, new = two_reports
    code, out, _ = diff(capsys, old, new)
    assert code == 1
    assert out.splitlines()[0] == (
        "linkcheck diff: 2 new broken, 1 fixed, 1 changed, 1 still broken, "
        "1 new links, 1 vanished links"
    )
    sections = [line for line in out.splitlines() if line and not line.startswith(" ")]
    assert [s.split(" (")[0] for s in sections[1:]] == [
        "New broken",
        "Fixed",
        "Changed",
        "Still broken",
        "New links",
        "Vanished links",
    ]
    assert "broken (http_status 404) \u2192 broken (http_status 410)" in out
    assert "cited: one.md:" in out and "\x1b[" not in out  # not a terminal: no colour

    target = tmp_path / "out" / "diff.txt"
    target.parent.mkdir()
    code, out2, _ = diff(capsys, old, new, "-o", target)
    assert code == 1 and out2 == ""
    assert target.read_text(encoding="utf-8") == out

    # the same report twice: nothing newly broke
    code, out3, _ = diff(capsys, new, new)
    assert code == 0
    assert out3.startswith("linkcheck diff: 4 still broken\n")


def test_diff_reverse_is_the_mirror(
    site: Site, two_reports: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = two_reports
    code, out, _ = diff(capsys, new, old, "--format", "json")
    doc = json.loads(out)
    assert code == 1
    assert [c["url"] for c in doc["fixed"]] == sorted(
        [site.url("/a"), site.url("/files/photo.png")]
    )
    assert [c["url"] for c in doc["new_broken"]] == [site.url("/b")]


def test_partial_report_warns(
    tmp_path: Path, two_reports: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = two_reports
    doc = json.loads(new.read_text(encoding="utf-8"))
    doc["run"]["interrupted"] = True
    cut = tmp_path / "interrupted.json"
    cut.write_text(json.dumps(doc), encoding="utf-8")
    code, out, err = diff(capsys, old, cut)
    assert code == 1
    assert "warning: the comparison is partial, NEW: the run was interrupted" in err
    assert "partial" in out


def test_a_version_1_report_is_read(
    tmp_path: Path, two_reports: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = two_reports
    doc = json.loads(old.read_text(encoding="utf-8"))
    doc["schema_version"] = 1
    for key in ("run_id", "state_file", "fail_after", "network_down"):
        doc["run"].pop(key, None)
    doc["summary"].pop("history", None)
    for link in doc["links"]:
        for key in ("id", "checked_at", "cached", "history"):
            link.pop(key)
        for source in link["sources"]:
            source.pop("article_key")
    v1 = tmp_path / "v1.json"
    v1.write_text(json.dumps(doc), encoding="utf-8")
    code_v1, out_v1, _ = diff(capsys, v1, new, "--format", "json")
    code_v2, out_v2, _ = diff(capsys, old, new, "--format", "json")
    from_v1, from_v2 = json.loads(out_v1), json.loads(out_v2)
    assert from_v1["old"].pop("report") == str(v1)
    from_v2["old"].pop("report")
    assert (code_v1, from_v1) == (code_v2, from_v2)


# --------------------------------------------------------------------------- bad input


@pytest.fixture
def good_report(tmp_path: Path, site: Site, library: LibraryFactory, run_cli: RunCli) -> Path:
    r = run_cli(library([{"title": "T", "webUrl": "{s}/ok"}], s=site), "--no-state")
    assert r.code == 0 and r.report_path is not None
    return r.report_path


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read the report {path}: No such file or directory"),
        ("this is not JSON {", "{path} is not a JSON report"),
        ('{"hello": "world"}', "{path} is not a linkcheck JSON report"),
        (
            '{"schema_version": 99, "links": []}',
            "{path} has schema_version 99; this linkcheck reads up to 2",
        ),
        ('{"schema_version": 2, "links": [{}]}', "{path} is not a valid linkcheck report"),
        ("[" * 100_000 + "]" * 100_000, "{path} is not a JSON report"),  # json's recursion
    ],
    ids=["missing", "not-json", "not-a-report", "newer-schema", "truncated-link", "deep"],
)
@pytest.mark.parametrize("side", ["old", "new"])
def test_bad_input_exits_2_naming_the_file(
    side: str,
    content: str | None,
    message: str,
    tmp_path: Path,
    good_report: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad = tmp_path / "bad.json"
    if content is not None:
        bad.write_text(content, encoding="utf-8")
    args = (bad, good_report) if side == "old" else (good_report, bad)
    code, out, err = diff(capsys, *args)
    assert code == 2
    assert out == ""
    assert err.startswith("linkcheck: " + message.format(path=bad)), err


def test_unwritable_output_exits_2(
    tmp_path: Path, good_report: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "no-such-folder" / "diff.json"
    code, out, err = diff(capsys, good_report, good_report, "-o", target)
    assert code == 2 and out == ""
    assert f"cannot write the comparison to {target}" in err
    assert not target.exists()
    # checked before reading anything: a bad output path is the first thing said
    code, _, err = diff(capsys, tmp_path / "missing.json", good_report, "-o", target)
    assert code == 2 and "cannot write the comparison" in err and "missing.json" not in err


def test_bad_input_leaves_an_existing_output_alone(
    tmp_path: Path, good_report: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "diff.json"
    target.write_text("last week's comparison", encoding="utf-8")
    code, _, err = diff(capsys, good_report, tmp_path / "missing.json", "-o", target)
    assert code == 2 and "missing.json" in err
    assert target.read_text(encoding="utf-8") == "last week's comparison"
    assert sorted(p.name for p in tmp_path.iterdir() if "diff" in p.name) == ["diff.json"]


def test_usage_errors_exit_2(good_report: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert diff(capsys, good_report)[0] == 2  # NEW missing
    assert diff(capsys, good_report, good_report, "--format", "xml")[0] == 2
    assert diff(capsys, good_report, good_report, "--limit", "0")[0] == 2


def test_help_documents_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = diff(capsys, "--help")
    assert code == 0
    assert "1  NEW has new broken links" in out and "0  nothing newly broke" in out
