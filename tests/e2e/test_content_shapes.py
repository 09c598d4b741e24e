"""Libraries beyond the seed's shape, run for real (issue #14): a Hugo-style docs tree (YAML and
TOML, relative and root-relative links, page bundles, a static/ folder, shortcodes), a JSON
front-matter export and a mapped-field library, served by loopback sites."""

from __future__ import annotations

import shutil
import struct
import zlib
from pathlib import Path
from typing import Any

from e2ekit import Run, RunCli
from sitekit import Response, Site

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
QUIET = ("--no-soft-404", "--no-amp-checks")  # only the requests the links themselves make


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (height * (1 + 3 * width)))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def library(tmp_path: Path, name: str, site: Site | None) -> Path:
    """A copy of fixtures/<name> with SITE replaced by the site's address."""
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root)
    for path in root.rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("SITE", site.base_url if site else "SITE"), encoding="utf-8")
    return root


def by_url(run: Run) -> dict[str, dict[str, Any]]:
    return {link["url"]: link for link in run.links}


def verdict(link: dict[str, Any]) -> tuple[str, str | None]:
    return link["outcome"], link["reason"]


# --------------------------------------------------------------------------- Hugo-style tree


def test_hugo_docs_without_a_base_check_files_on_disk_and_never_call_the_network(
    tmp_path: Path, site: Site, run_cli: RunCli
) -> None:
    content = library(tmp_path, "hugo-like", site) / "content"
    r = run_cli(content, "--exclude", "^http", "--format", "text", *QUIET)
    assert site.log == [], "a local link reached the network"
    assert r.report is not None and r.report["run"]["hosts"] == []
    links = by_url(r)
    # the docs shape: no relative link invalid, no root-relative link broken
    assert not [u for u, lk in links.items() if lk["reason"] == "invalid_url"]
    for url, link in links.items():
        if url.startswith("/"):
            assert verdict(link) == ("skipped", "no_base_url"), link
    assert sorted(u for u in links if u.startswith("/")) == [
        "/about/features/",  # and /about/features/#overview: one row per page
        "/getting-started/configuration/",
        "/images/logo.png",
    ]
    assert "3 root-relative links were not checked: give --base-url or --root-dir" in r.out
    # relative links are files next to the article: present, pretty URLs, folders, fragments
    for url in (
        "file:getting-started/",
        "file:getting-started/quick-start/",
        "file:about/features/",
        "file:about/features.md",
        "file:./",
        "file:getting-started/screenshot.png",
    ):
        assert verdict(links[url]) == ("ok", None), links[url]
    missing = links["file:getting-started/nowhere.md"]
    assert verdict(missing) == ("broken", "file_missing")
    assert str(content / "getting-started" / "nowhere.md") in missing["detail"]
    assert [(s["file"], s["field"], s["line"]) for s in missing["sources"]] == [
        ("about/features.md", "body", 24)
    ]
    cover = links["file:blog/first-post/cover.png"]  # declared 64x40 in TOML, 64x48 on disk
    assert verdict(cover) == ("broken", "image_dimension_mismatch")
    assert cover["image"]["actual"] == {"width": 64, "height": 48}
    first = cover["sources"][0]
    assert (first["field"], first["line"], first["kind"]) == ("images[0].url", 8, "image")
    # shortcodes are template code, not links
    assert not [u for u in links if "{{" in u or "ref" in u]
    assert r.code == 1


def test_hugo_docs_with_root_dir_check_root_relative_links_in_the_built_site(
    tmp_path: Path, run_cli: RunCli
) -> None:
    root = library(tmp_path, "hugo-like", None)
    r = run_cli(root / "content", "--root-dir", root / "public", "--exclude", "SITE", *QUIET)
    links = by_url(r)
    assert verdict(links["file:../public/about/features/"]) == ("ok", None)  # index.html
    logo = links["file:../public/images/logo.png"]  # declared 120x40, as on disk
    assert verdict(logo) == ("ok", None) and logo["image"]["actual"]["width"] == 120
    gone = links["file:../public/getting-started/configuration/"]
    assert verdict(gone) == ("broken", "file_missing")
    assert not [lk for lk in r.links if lk["reason"] in ("no_base_url", "invalid_url")]
    assert r.report is not None and r.report["run"]["hosts"] == []
    # by default (no --allow-private) local links are still files, never addresses to refuse
    default = run_cli(
        root / "content", "--root-dir", root / "public", "--exclude", "SITE", fast=False
    )
    assert [(lk["url"], verdict(lk)) for lk in default.links] == [
        (lk["url"], verdict(lk)) for lk in r.links
    ]


def test_hugo_docs_with_a_base_url_request_root_relative_links_from_the_site(
    tmp_path: Path, site: Site, run_cli: RunCli
) -> None:
    for path in ("/about/features/", "/getting-started/", "/getting-started/quick-start/"):
        site.route(path, Response(200, body=b"<title>page</title>"))
    site.route("/images/logo.png", Response(200, [("Content-Type", "image/png")], png(120, 40)))
    content = library(tmp_path, "hugo-like", site) / "content"
    r = run_cli(content, "--base-url", site.url("/"), *QUIET)
    links = by_url(r)
    assert verdict(links[site.url("/about/features/")]) == ("ok", None)
    assert verdict(links[site.url("/images/logo.png")]) == ("ok", None)
    assert verdict(links[site.url("/getting-started/configuration/")]) == ("broken", "http_status")
    # a relative link of an article without a URL resolves against the base URL
    assert verdict(links[site.url("/getting-started/")]) == ("ok", None)
    assert not [u for u in links if u.startswith("file:")]
    assert site.requests("/about/features/") and site.requests("/images/logo.png")


# --------------------------------------------------------------------------- JSON export


def serve_news(site: Site) -> None:
    for path in (
        "/news/ai-chips",
        "/amp/news/ai-chips",
        "/news/older-story",
        "/amp/news/older-story",
        "/news/harbour",
        "/amp/news/harbour",
        "/news/single",
        "/news/further/reading/",
        "/news/inner-harbour/",
    ):
        site.route(path, Response(200, body=b"<title>story</title>"))
    site.put_file("hero.png", png(640, 480))
    site.put_file("thumb.png", png(120, 90))


def rows(run: Run, file: str) -> list[tuple[str, str, str, int, str | None]]:
    """(url, kind, field, line, image verdict) of every occurrence in `file`, in order."""
    out = []
    for link in run.links:
        for s in link["sources"]:
            if s["file"] == file:
                out.append((link["url"], s["kind"], s["field"], s["line"], s.get("matches")))
    return sorted(out, key=lambda row: (row[3], row[2]))


def test_json_toml_and_yaml_exports_give_the_same_links_each_at_its_own_line(
    tmp_path: Path, site: Site, run_cli: RunCli
) -> None:
    serve_news(site)
    root = library(tmp_path, "json-export", site)
    r = run_cli(root, *QUIET)
    assert r.problems == []
    shapes = {}
    for name in ("ai-chips.md", "ai-chips-yaml.md", "ai-chips-toml.md"):
        file = f"2024/05/{name}"
        lines = (root / file).read_text().split("\n")
        found = rows(r, file)
        for url, _kind, field, line, _ in found:  # every value on the line it is written
            tail = url.removeprefix(site.base_url)
            assert tail.rstrip("/").split("/")[-1] in lines[line - 1] or field == "body", (
                file,
                field,
                line,
            )
        shapes[name] = [(url, kind, field, size) for url, kind, field, _, size in found]
    assert shapes["ai-chips.md"] == shapes["ai-chips-yaml.md"] == shapes["ai-chips-toml.md"]
    links = by_url(r)
    thumb = links[site.url("/files/thumb.png")]  # 120x90: declared 100x100 once, 120x90 once
    assert verdict(thumb) == ("broken", "image_dimension_mismatch")
    matches = {(s["file"], s["field"]): s["matches"] for s in thumb["sources"]}
    assert matches[("2024/05/ai-chips.md", "images[1].url")] is False
    assert matches[("2024/05/ai-chips.md", "related[0].images[0].url")] is True
    assert verdict(links[site.url("/files/hero.png")]) == ("ok", None)
    # the body's relative link resolves against the article's own webUrl
    assert verdict(links[site.url("/news/further/reading/")]) == ("ok", None)
    kinds = {s["field"]: s["kind"] for s in links[site.url("/news/ai-chips")]["sources"]}
    assert kinds == {"webUrl": "page"}
    keys = {s["file"]: s["article_key"] for s in links[site.url("/amp/news/ai-chips")]["sources"]}
    assert keys == {
        "2024/05/ai-chips.md": "wp-1042",
        "2024/05/ai-chips-yaml.md": "wp-1042-yaml",
        "2024/05/ai-chips-toml.md": "wp-1042-toml",
    }


# --------------------------------------------------------------------------- mapped fields


def seed_twin(root: Path, twin: Path) -> Path:
    """The harbour article in the seed's own names, to compare with (out of the mapped
    library, so its linkcheck.toml is not found)."""
    twin.mkdir()
    text = (root / "news" / "harbour.md").read_text()
    for mine, seed in (
        ("post_id:", "id:"),
        ("canonical_url:", "webUrl:"),
        ("amp_url:", "ampWebUrl:"),
        ("gallery:", "images:"),
        ("src:", "url:"),
        (" w:", " width:"),
        (" h:", " height:"),
    ):
        text = text.replace(mine, seed)
    (twin / "harbour.md").write_text(text)
    return twin


def test_a_mapped_library_gets_size_verdicts_and_url_semantics_as_the_seed_shape(
    tmp_path: Path, site: Site, run_cli: RunCli
) -> None:
    serve_news(site)
    root = library(tmp_path, "mapped-fields", site)
    twin = seed_twin(root, tmp_path / "seed-twin")
    r = run_cli(root / "news", "--config", root / "linkcheck.toml", *QUIET)
    seed = run_cli(twin, *QUIET)

    def semantic(run: Run, file: str) -> list[tuple[str, str, bool | None, str | None]]:
        return sorted(
            (link["url"], s["kind"], s.get("matches"), s["article_key"])
            for link in run.links
            for s in link["sources"]
            if s["file"] == file
        )

    assert semantic(r, "harbour.md") == semantic(seed, "harbour.md")
    links = by_url(r)
    fields = {(s["file"], s["field"]): s["line"] for lk in r.links for s in lk["sources"]}
    assert fields[("harbour.md", "gallery[0].src")] == 10
    assert fields[("harbour.md", "related[0].gallery[0].src")] == 21
    assert fields[("single-image.md", "gallery.src")] == 5  # one mapping: a list of one
    page = links[site.url("/news/harbour")]
    assert [(s["field"], s["kind"]) for s in page["sources"]] == [("canonical_url", "page")]
    assert page["sources"][0]["article_key"] == "881"
    amp = links[site.url("/amp/news/older-story")]
    assert [(s["field"], s["kind"]) for s in amp["sources"]] == [("related[0].amp_url", "amp")]
    thumb = links[site.url("/files/thumb.png")]
    assert verdict(thumb) == ("broken", "image_dimension_mismatch")
    assert {s["field"]: s["matches"] for s in thumb["sources"]} == {
        "gallery[1].src": False,
        "related[0].gallery[0].src": True,
    }
    problems = sorted((p["file"], p["field"], p["reason"], p["line"]) for p in r.problems)
    assert problems == [
        ("wrong-type.md", "canonical_url", "wrong_type", 4),
        ("wrong-type.md", "gallery[0].src", "wrong_type", 6),
    ]


def test_every_format_shows_local_links(tmp_path: Path, run_cli: RunCli) -> None:
    root = library(tmp_path, "hugo-like", None)
    for fmt in ("text", "csv", "html", "sarif", "markdown", "github", "junit", "ndjson"):
        out = tmp_path / f"report.{fmt}"
        r = run_cli(root / "content", "--exclude", "SITE", "--format", fmt, output=out)
        assert r.code == 1, (fmt, r.err)
        shown = out.read_text(encoding="utf-8")
        assert "getting-started/nowhere.md" in shown, fmt
