"""`linkcheck fix` end to end on real loopback servers: a library with mismatched image sizes
and permanent redirects -> `linkcheck run` -> `linkcheck fix --write` -> only the intended
values changed (old and new bytes compared line by line) -> a re-run finds those problems gone.
Also: a dry run changes nothing; a file changed after the report is skipped."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
import sitekit
from e2ekit import RunCli

from linkcheck.cli import main


def serve(site: sitekit.Site) -> None:
    site.put_file("wide.png", sitekit.png(64, 32))
    site.put_file("square.png", sitekit.png(20, 20))
    site.put_file("tall.png", sitekit.png(10, 30))
    for path in ("/new-1", "/new-2", "/new-3", "/mid"):
        site.route(path, sitekit.Response.html())
    site.route("/old-1", sitekit.Response.redirect(site.url("/new-1"), 301))
    site.route("/old-2", sitekit.Response.redirect(site.url("/new-2"), 308))
    site.route("/old-3", sitekit.Response.redirect(site.url("/mid"), 301))  # 301 then 302:
    site.route("/mid", sitekit.Response.redirect(site.url("/new-3"), 302))  # /mid is the URL
    site.route("/temp", sitekit.Response.redirect(site.url("/new-1"), 302))  # never replaced
    site.route("/moved.png", sitekit.Response.redirect(site.url("/files/square.png"), 301))


ARTICLE_1 = """\
---
title: "Sizes and a moved page"  # a comment stays
webUrl: '{s}/old-1'
images:
  - url: "{s}/files/wide.png"
    width: 640     # wrong: 64x32
    height: 320
    isCached: true
  - url: {s}/files/square.png
    width: 20
    height: 20
related:
  - webUrl: {s}/temp
    images: {flow}
---
Read [the old page]({s}/old-1) or <{s}/old-2>; temporary: {s}/temp.
<img src="{s}/files/wide.png" width="640" height="320"> (a body image's size is never changed)
"""

FLOW = (  # one flow-style line holding two images: only the first is mismatched
    '[{{url: "{s}/files/tall.png", width: 10, height: 99}}, '
    '{{url: "{s}/moved.png", width: 20, height: 20}}]'
)
ARTICLE_1 = ARTICLE_1.replace("{flow}", FLOW)

ARTICLE_2 = (
    "\ufeff---\r\n"
    "title: Same image, right size\r\n"
    'webUrl: "{s}/old-3"\r\n'
    "images:\r\n"
    "  - url: {s}/files/wide.png\r\n"
    "    width: 64\r\n"
    "    height: 32\r\n"
    "  - url: {s}/files/tall.png\r\n"
    "    width: '30'   \r\n"
    "    height: 10\r\n"
    "---\r\n"
    "Body line with [a link]({s}/old-2).\r\n"
)


def write(folder: Path, files: dict[str, str], site: sitekit.Site) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.format(s=site.base_url).encode("utf-8"))


def fix(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["fix", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def changes(old: bytes, new: bytes) -> list[tuple[str, str]]:
    """(old line, new line) of every line that differs, line endings included; the files
    must have the same lines otherwise."""
    a = old.decode("utf-8").splitlines(keepends=True)
    b = new.decode("utf-8").splitlines(keepends=True)
    assert len(a) == len(b)
    return [(x, y) for x, y in zip(a, b, strict=True) if x != y]


def triage(report: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(URLs with a size mismatch, URLs with a permanent redirect) of a report."""
    links = report["links"]
    sizes = [lk["url"] for lk in links if lk["reason"] == "image_dimension_mismatch"]
    moved = [lk["url"] for lk in links if lk["permanent_redirect"]]
    return sorted(sizes), sorted(moved)


@pytest.fixture
def lib(tmp_path: Path, site: sitekit.Site) -> Path:
    serve(site)
    folder = tmp_path / "library"
    write(folder, {"news/one.md": ARTICLE_1, "two.md": ARTICLE_2}, site)
    return folder


def test_fix_write_changes_only_the_intended_values_and_a_rerun_is_clean(
    run_cli: RunCli, lib: Path, site: sitekit.Site, capsys: pytest.CaptureFixture[str]
) -> None:
    s = site.base_url
    one, two = lib / "news" / "one.md", lib / "two.md"
    before = {p: p.read_bytes() for p in (one, two)}
    two.chmod(0o640)
    first = run_cli(str(lib))
    assert first.report is not None and first.report_path is not None
    assert triage(first.report) == (
        [f"{s}/files/tall.png", f"{s}/files/wide.png"],
        [f"{s}/moved.png", f"{s}/old-1", f"{s}/old-2", f"{s}/old-3"],
    )

    code, out, err = fix(capsys, str(first.report_path), "--write")
    assert code == 0, err
    assert "linkcheck fix: changed 2 files: 3 image sizes, 6 links (the report no longer" in err
    assert out.splitlines() == [
        "fixed news/one.md: 2 image sizes, 4 links",
        "fixed two.md: 1 image size, 2 links",
    ]
    assert changes(before[one], one.read_bytes()) == [
        (f"webUrl: '{s}/old-1'\n", f"webUrl: '{s}/new-1'\n"),
        ("    width: 640     # wrong: 64x32\n", "    width: 64     # wrong: 64x32\n"),
        ("    height: 320\n", "    height: 32\n"),
        (
            f'    images: [{{url: "{s}/files/tall.png", width: 10, height: 99}}, '
            f'{{url: "{s}/moved.png", width: 20, height: 20}}]\n',
            f'    images: [{{url: "{s}/files/tall.png", width: 10, height: 30}}, '
            f'{{url: "{s}/files/square.png", width: 20, height: 20}}]\n',
        ),
        (
            f"Read [the old page]({s}/old-1) or <{s}/old-2>; temporary: {s}/temp.\n",
            f"Read [the old page]({s}/new-1) or <{s}/new-2>; temporary: {s}/temp.\n",
        ),
    ]
    assert changes(before[two], two.read_bytes()) == [
        (f'webUrl: "{s}/old-3"\r\n', f'webUrl: "{s}/mid"\r\n'),
        ("    width: '30'   \r\n", "    width: '10'   \r\n"),
        ("    height: 10\r\n", "    height: 30\r\n"),
        (
            f"Body line with [a link]({s}/old-2).\r\n",
            f"Body line with [a link]({s}/new-2).\r\n",
        ),
    ]
    assert two.read_bytes().startswith("\ufeff---\r\n".encode())
    assert stat.S_IMODE(two.stat().st_mode) == 0o640
    assert not [p for p in lib.rglob("*") if p.name.startswith(".")]  # no temporary file left

    again = run_cli(str(lib))
    assert again.report is not None
    assert triage(again.report) == ([], [])
    temp = again.link(f"{s}/temp")  # the temporary redirect is still cited, and still one
    assert temp["redirects"][0]["status"] == 302 and len(temp["sources"]) == 2


def test_dry_run_prints_a_patch_and_changes_nothing(
    run_cli: RunCli, lib: Path, site: sitekit.Site, capsys: pytest.CaptureFixture[str]
) -> None:
    first = run_cli(str(lib))
    assert first.report_path is not None
    files = sorted(lib.rglob("*.md"))
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files}
    code, out, err = fix(capsys, str(first.report_path))
    assert code == 1
    assert "would change 2 files: 3 image sizes, 6 links (dry run: --write applies)" in err
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files} == before
    lines = out.splitlines()
    assert lines[:2] == ["--- a/news/one.md", "+++ b/news/one.md"]
    assert "--- a/two.md" in lines and "\x1b" not in out  # not a terminal: no colour
    assert f"-webUrl: '{site.base_url}/old-1'" in lines
    assert f"+webUrl: '{site.base_url}/new-1'" in lines

    code, out, err = fix(capsys, str(first.report_path), "--only", "sizes")
    assert code == 1 and "3 image sizes, 0 links" in err
    assert "/new-1" not in out and "+    height: 32" in out.splitlines()


def test_a_file_changed_after_the_report_is_skipped_and_the_others_are_fixed(
    run_cli: RunCli, lib: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = run_cli(str(lib))
    assert first.report_path is not None
    two = lib / "two.md"
    edited = two.read_bytes() + b"An editor added a line.\r\n"
    two.write_bytes(edited)
    code, out, err = fix(capsys, str(first.report_path), "--write")
    assert code == 2
    assert "skipped two.md: " in err and "changed since the report: run linkcheck again" in err
    assert out.splitlines() == ["fixed news/one.md: 2 image sizes, 4 links"]
    assert two.read_bytes() == edited


def test_files_are_found_from_labelled_folders_and_an_old_report_needs_force(
    run_cli: RunCli, tmp_path: Path, site: sitekit.Site, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(site)
    en, fr = tmp_path / "sites" / "en", tmp_path / "sites" / "fr"
    write(en, {"a.md": ARTICLE_2}, site)
    write(fr, {"a.md": ARTICLE_2}, site)
    first = run_cli(str(en), str(fr))
    assert first.report is not None and first.report_path is not None
    assert sorted(first.report["file_hashes"]) == ["en/a.md", "fr/a.md"]
    code, _, err = fix(capsys, str(first.report_path), "--write")
    assert code == 0, err
    assert b"/mid" in (en / "a.md").read_bytes() and b"/mid" in (fr / "a.md").read_bytes()

    # a report without content hashes (linkcheck 0.2): refused unless --force
    write(en, {"a.md": ARTICLE_2}, site)
    old = json.loads(first.report_path.read_text(encoding="utf-8"))
    old.pop("file_hashes")
    old_path = tmp_path / "old-report.json"
    old_path.write_text(json.dumps(old), encoding="utf-8")
    code, _, err = fix(capsys, str(old_path), "--write")
    assert code == 2 and "no content hash" in err and "--force" in err
    assert b"/old-3" in (en / "a.md").read_bytes()
    code, _, err = fix(capsys, str(old_path), "--write", "--force")
    assert code == 2  # fr/a.md was fixed already: its values are no longer the report's
    assert b"/mid" in (en / "a.md").read_bytes()
    assert "fr/a.md:3 webUrl: holds" in err


def test_unfindable_files_and_an_unreadable_report_are_clear_errors(
    run_cli: RunCli, lib: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = run_cli(str(lib))
    assert first.report_path is not None
    moved = tmp_path / "elsewhere"
    os.rename(lib, moved)
    code, _, err = fix(capsys, str(first.report_path))
    assert code == 2 and "cannot be found from the current folder" in err and "--root" in err
    code, out, err = fix(capsys, str(first.report_path), "--root", str(moved))
    assert code == 1 and "--- a/two.md" in out
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    code, _, err = fix(capsys, str(bad))
    assert code == 2 and "is not a JSON report" in err


TOML_ARTICLE = """\
+++\r
title = "TOML"   # Hugo style\r
webUrl = '{s}/old-1'\r
[[media]]\r
src = "{s}/files/wide.png"\r
w = 640\r
h = 32\r
+++\r
Body: [moved]({s}/old-2)\r
"""

JSON_ARTICLE = """\
{{
  "title": "JSON",
  "webUrl": "{s}/old-3",
  "media": {media}
}}
Body with <{s}/old-1>.
"""


JSON_ARTICLE = JSON_ARTICLE.replace(
    "{media}",
    '[{{"src": "{s}/files/tall.png", "w": 10, "h": 300}}, '
    '{{"src": "{s}/files/tall.png", "w": 10, "h": 30}}]',
)


def test_toml_and_json_front_matter_with_the_librarys_own_field_names(
    run_cli: RunCli, tmp_path: Path, site: sitekit.Site, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(site)
    s = site.base_url
    folder = tmp_path / "hugo"
    write(folder, {"a.md": TOML_ARTICLE, "b.md": JSON_ARTICLE}, site)
    (folder / "linkcheck.toml").write_text(
        '[fields]\nimages = "media"\nimage_url = "src"\nimage_width = "w"\nimage_height = "h"\n',
        encoding="utf-8",
    )
    before = {p.name: p.read_bytes() for p in folder.glob("*.md")}
    first = run_cli(str(folder))
    assert first.report is not None and first.report_path is not None
    assert first.report["run"]["options"]["fields"]["image_width"] == "w"
    assert triage(first.report)[0] == [f"{s}/files/tall.png", f"{s}/files/wide.png"]
    code, _, err = fix(capsys, str(first.report_path), "--write")
    assert code == 0, err
    assert changes(before["a.md"], (folder / "a.md").read_bytes()) == [
        (f"webUrl = '{s}/old-1'\r\n", f"webUrl = '{s}/new-1'\r\n"),
        ("w = 640\r\n", "w = 64\r\n"),
        (f"Body: [moved]({s}/old-2)\r\n", f"Body: [moved]({s}/new-2)\r\n"),
    ]
    assert changes(before["b.md"], (folder / "b.md").read_bytes()) == [
        (f'  "webUrl": "{s}/old-3",\n', f'  "webUrl": "{s}/mid",\n'),
        (
            f'  "media": [{{"src": "{s}/files/tall.png", "w": 10, "h": 300}}, '
            f'{{"src": "{s}/files/tall.png", "w": 10, "h": 30}}]\n',
            f'  "media": [{{"src": "{s}/files/tall.png", "w": 10, "h": 30}}, '
            f'{{"src": "{s}/files/tall.png", "w": 10, "h": 30}}]\n',
        ),
        (f"Body with <{s}/old-1>.\n", f"Body with <{s}/new-1>.\n"),
    ]
    again = run_cli(str(folder))
    assert again.report is not None and triage(again.report) == ([], [])
