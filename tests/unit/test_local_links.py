"""Relative links: resolved against a base URL, else checked as files on disk (issue #14)."""

from __future__ import annotations

import os
import struct
import zlib
from dataclasses import replace
from pathlib import Path

import pytest

from linkcheck.collect.library import collect, collect_links
from linkcheck.collect.places import Place, folder_base, names_root
from linkcheck.config import Config
from linkcheck.local import check_file, probe_file, settle_local
from linkcheck.models import (
    CheckResult,
    DeclaredSize,
    Link,
    LinkKind,
    Occurrence,
    Outcome,
    Reason,
    Source,
)
from linkcheck.plan import Plan, plan


def png(width: int, height: int, tail: bytes = b"") -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + tail


def write(root: Path, name: str, text: str | bytes) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


PLACE = Place(file="/srv/lib/posts/a.md", names_root="/srv/lib", root_dir="/srv/site")


@pytest.mark.parametrize(
    ("text", "url", "path"),
    [
        ("b.md", "file:posts/b.md", "/srv/lib/posts/b.md"),
        ("./b.md#part", "file:posts/b.md", "/srv/lib/posts/b.md"),
        ("img/a.png?v=2", "file:posts/img/a.png", "/srv/lib/posts/img/a.png"),
        ("../img/a.png", "file:img/a.png", "/srv/lib/img/a.png"),
        ("../other/", "file:other/", "/srv/lib/other/"),
        ("my%20file.md", "file:posts/my%20file.md", "/srv/lib/posts/my file.md"),
        ("../../../etc/passwd", "file:../../etc/passwd", "/etc/passwd"),
        ("/about/", "file:../site/about/", "/srv/site/about/"),
        ("/images/logo.png", "file:../site/images/logo.png", "/srv/site/images/logo.png"),
        ("#top", "file:posts/a.md", "/srv/lib/posts/a.md"),
    ],
)
def test_a_relative_link_with_no_base_is_a_file(text: str, url: str, path: str) -> None:
    assert PLACE.local(text) == (url, path)


@pytest.mark.parametrize(
    ("place", "text"),
    [
        (replace(PLACE, root_dir=None), "/about/"),  # root-relative, no --root-dir
        (replace(PLACE, file=None), "b.md"),  # an article in memory has no folder
        (PLACE, "//cdn.example.com/x.png"),  # protocol-relative
    ],
)
def test_nothing_says_where_some_relative_links_are(place: Place, text: str) -> None:
    assert place.local(text) is None


def test_names_root_and_folder_bases() -> None:
    assert names_root("/srv/lib/posts/a.md", "posts/a.md") == "/srv/lib"
    assert names_root("/srv/en/content/x.md", "en/content/x.md") == "/srv"
    assert names_root("/srv/lib/a.md", "/srv/lib/a.md") is None
    assert names_root("/srv/lib/a.md", "other/a.md") is None
    bases = (("docs/api/", "https://a.example/api/"), ("docs/", "https://a.example/docs/"))
    assert folder_base("docs/api/x.md", bases, None) == "https://a.example/api/"
    assert folder_base("docs/x.md", bases, "https://b.example/") == "https://a.example/docs/"
    assert folder_base("blog/x.md", bases, "https://b.example/") == "https://b.example/"
    assert folder_base("blog/x.md", (), None) is None


LIBRARY = {
    "posts/a.md": (
        "---\ntitle: A\n---\n"
        "[b](b.md) [gone](gone.md#x) [up](../pages/) [root](/about/) ![i](img/a.png)\n"
    ),
    "posts/b.md": "---\ntitle: B\n---\n",
    "pages/index.md": "---\ntitle: P\n---\n",
    "news/n.md": (
        "---\nwebUrl: https://news.example/world/n.html\nimages:\n  - url: img/n.png\n---\n"
        "[rel](../other.html) [root](/about/) [b](b.md)\n"
    ),
    "docs/d.md": "---\ntitle: D\n---\n[rel](guide/) [root](/about/)\n",
}


def library(root: Path) -> Path:
    for name, text in LIBRARY.items():
        write(root, name, text)
    return root


def urls_by_text(collected_links: list[Link]) -> dict[tuple[str, str], str]:
    return {(o.source.file, o.text): link.url for link in collected_links for o in link.occurrences}


def test_no_base_at_all_relative_links_are_files_and_root_relative_ones_skipped(
    tmp_path: Path,
) -> None:
    collected = collect_links([str(library(tmp_path))], Config())
    urls = urls_by_text(collected.links)
    assert urls[("posts/a.md", "b.md")] == "file:posts/b.md"
    assert urls[("posts/a.md", "gone.md#x")] == "file:posts/gone.md"
    assert urls[("posts/a.md", "../pages/")] == "file:pages/"
    assert urls[("posts/a.md", "img/a.png")] == "file:posts/img/a.png"
    assert urls[("docs/d.md", "guide/")] == "file:docs/guide/"
    # an article with its own URL: its relative links are pages of that site
    assert urls[("news/n.md", "../other.html")] == "https://news.example/other.html"
    assert urls[("news/n.md", "/about/")] == "https://news.example/about/"
    assert urls[("news/n.md", "img/n.png")] == "https://news.example/world/img/n.png"
    assert collected.local_files["file:posts/gone.md"] == str(tmp_path / "posts" / "gone.md")
    skipped = [(s.raw.source.file, s.url, s.outcome, s.reason) for s in collected.skipped]
    assert sorted(skipped) == [
        ("docs/d.md", "/about/", Outcome.SKIPPED, Reason.NO_BASE_URL),
        ("posts/a.md", "/about/", Outcome.SKIPPED, Reason.NO_BASE_URL),
    ]
    assert not any(s.reason is Reason.INVALID_URL for s in collected.skipped)


def test_base_url_and_folder_bases_resolve_articles_without_a_url(tmp_path: Path) -> None:
    config = Config(
        base_url="https://site.example/",
        bases=(("docs/", "https://site.example/docs/"),),
    )
    collected = collect_links([str(library(tmp_path))], config)
    urls = urls_by_text(collected.links)
    assert urls[("posts/a.md", "b.md")] == "https://site.example/b.md"
    assert urls[("posts/a.md", "/about/")] == "https://site.example/about/"
    assert urls[("docs/d.md", "guide/")] == "https://site.example/docs/guide/"
    assert urls[("news/n.md", "b.md")] == "https://news.example/world/b.md"  # its own URL wins
    assert collected.local_files == {} and collected.skipped == []


def test_root_dir_checks_root_relative_links_as_files(tmp_path: Path) -> None:
    collected = collect_links(
        [str(library(tmp_path / "lib"))], Config(root_dir=str(tmp_path / "pub"))
    )
    urls = urls_by_text(collected.links)
    assert urls[("posts/a.md", "/about/")] == "file:../pub/about/"
    assert collected.local_files["file:../pub/about/"] == os.path.join(
        tmp_path / "pub" / "about", ""
    )


def test_front_matter_url_fields_are_never_files(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "---\nwebUrl: /a/\nrelated:\n  - webUrl: x.html\n---\n")
    collected = collect_links([str(tmp_path)], Config())
    assert [(s.raw.source.field, s.reason) for s in collected.skipped] == [
        ("webUrl", Reason.INVALID_URL),
        ("related[0].webUrl", Reason.INVALID_URL),
    ]
    based = collect_links([str(tmp_path)], Config(base_url="https://s.example/p/"))
    assert sorted(link.url for link in based.links) == [
        "https://s.example/a/",
        "https://s.example/p/x.html",
    ]


def test_articles_in_memory_have_no_folder(tmp_path: Path) -> None:
    collected = collect([], [("mem.md", "---\ntitle: M\n---\n[x](x.md) ![i](/i.png)\n")], Config())
    assert [(s.url, s.reason) for s in collected.skipped] == [
        ("x.md", Reason.NO_BASE_URL),
        ("/i.png", Reason.NO_BASE_URL),
    ]


# --------------------------------------------------------------------------- on disk


def local_link(url: str, *, image: bool = False, declared: DeclaredSize | None = None) -> Link:
    kind = LinkKind.IMAGE if image else LinkKind.OTHER
    source = Source("a.md", "images[0].url" if declared else "body", 3, "T")
    return Link(url, kind, (Occurrence(url, kind, source, declared),))


def test_a_missing_file_is_broken_naming_the_resolved_path(tmp_path: Path) -> None:
    path = str(tmp_path / "gone.md")
    result = check_file(local_link("file:gone.md"), path, Config())
    assert (result.outcome, result.reason) == (Outcome.BROKEN, Reason.FILE_MISSING)
    assert path in result.detail
    assert result.http_status is None and result.attempts == 0


@pytest.mark.parametrize(
    ("files", "target"),
    [
        (["b.md"], "b.md"),
        (["about/x.txt"], "about/"),
        (["about.md"], "about/"),  # a pretty URL: /about/ is about.md
        (["about/_index.md"], "about"),
        (["about/index.html"], "about/"),
        (["guide.html"], "guide"),
        (["functions/Append.md"], "functions/append/"),  # Hugo lower-cases its URLs
        (["Methods/Page/_index.md"], "methods/page/"),
    ],
)
def test_an_existing_file_or_folder_is_ok(tmp_path: Path, files: list[str], target: str) -> None:
    for name in files:
        write(tmp_path, name, "x")
    path = str(tmp_path / target) + ("/" if target.endswith("/") else "")
    result = check_file(local_link(f"file:{target}"), path, Config())
    assert (result.outcome, result.reason) == (Outcome.OK, None)


def test_a_local_image_is_measured_on_disk_and_its_declared_size_checked(tmp_path: Path) -> None:
    write(tmp_path, "a.png", png(640, 480))
    path = str(tmp_path / "a.png")
    wrong = check_file(
        local_link("file:a.png", image=True, declared=DeclaredSize(640, 400)), path, Config()
    )
    assert (wrong.outcome, wrong.reason) == (Outcome.BROKEN, Reason.IMAGE_DIMENSION_MISMATCH)
    assert "declared 640x400, actual 640x480" in wrong.detail
    assert wrong.image is not None and (wrong.image.width, wrong.image.height) == (640, 480)
    assert wrong.verdicts[0] is not None and wrong.verdicts[0].matches is False
    right = check_file(
        local_link("file:a.png", image=True, declared=DeclaredSize(640, 480)), path, Config()
    )
    assert (right.outcome, right.reason) == (Outcome.OK, None)
    unchecked = check_file(
        local_link("file:a.png", image=True, declared=DeclaredSize(1, 1)),
        path,
        Config(check_images=False),
    )
    assert unchecked.outcome is Outcome.OK and unchecked.image is None


def test_a_local_file_that_is_not_an_image(tmp_path: Path) -> None:
    write(tmp_path, "a.png", "<html><body>not found</body></html>")
    result = check_file(local_link("file:a.png", image=True), str(tmp_path / "a.png"), Config())
    assert (result.outcome, result.reason) == (Outcome.BROKEN, Reason.NOT_AN_IMAGE)


def test_only_the_first_bytes_of_a_large_image_are_read(tmp_path: Path) -> None:
    write(tmp_path, "big.png", png(3000, 2000, tail=os.urandom(4 * 1024 * 1024)))
    probe = probe_file(str(tmp_path / "big.png"), 1024 * 1024)
    assert (probe.width, probe.height) == (3000, 2000)
    assert probe.bytes_read <= 16 * 1024


def test_settle_local_takes_every_local_link_out_of_the_work(tmp_path: Path) -> None:
    write(tmp_path, "b.md", "x")
    remote = Link("https://x.example/", LinkKind.OTHER, ())
    here, gone = local_link("file:b.md"), local_link("file:gone.md")
    cached = CheckResult(local_link("file:old.md"), Outcome.OK, None, None, None, cached=True)
    work = Plan(to_check=(remote, here, gone), settled=(cached,))
    files = {
        "file:b.md": str(tmp_path / "b.md"),
        "file:gone.md": str(tmp_path / "gone.md"),
        "file:old.md": str(tmp_path / "old.md"),
    }
    settled = settle_local(work, Config(), files)
    assert settled.to_check == (remote,)
    verdicts = {r.link.url: (r.outcome, r.reason, r.cached) for r in settled.settled}
    assert verdicts == {
        "file:b.md": (Outcome.OK, None, False),
        "file:gone.md": (Outcome.BROKEN, Reason.FILE_MISSING, False),
        # a cached verdict of a local file is never reused: the file was deleted since
        "file:old.md": (Outcome.BROKEN, Reason.FILE_MISSING, False),
    }


def test_collect_then_plan_then_settle_needs_no_network(tmp_path: Path) -> None:
    lib = library(tmp_path)
    write(lib, "posts/img/a.png", png(10, 10))
    collected = collect_links([str(lib)], Config())
    work = settle_local(plan(collected), Config(), collected.local_files)
    assert all(not link.url.startswith("file:") for link in work.to_check)
    verdicts = {r.link.url: r.reason for r in work.settled if r.link.url.startswith("file:")}
    assert verdicts == {
        "file:posts/b.md": None,
        "file:posts/gone.md": Reason.FILE_MISSING,
        "file:pages/": None,
        "file:posts/img/a.png": None,
        "file:docs/guide/": Reason.FILE_MISSING,
    }


@pytest.mark.parametrize("name", ["a%00b.png", "x" * 5000 + ".png", "dir.png/"])
def test_odd_paths_are_verdicts_not_errors(tmp_path: Path, name: str) -> None:
    write(tmp_path, "dir.png/x", "x")
    place = Place(file=str(tmp_path / "a.md"), names_root=str(tmp_path))
    found = place.local(name)
    assert found is not None
    url, path = found
    result = check_file(local_link(url, image=True), path, Config())
    assert result.outcome in (Outcome.BROKEN, Outcome.OK), result


def test_only_pretty_urls_match_whatever_the_letter_case(tmp_path: Path) -> None:
    write(tmp_path, "img/Logo.png", png(1, 1))
    write(tmp_path, "Guide.md", "x")
    if (tmp_path / "img" / "logo.png").exists():
        pytest.skip("a case-insensitive file system")
    result = check_file(
        local_link("file:img/logo.png"), str(tmp_path / "img" / "logo.png"), Config()
    )
    assert (result.outcome, result.reason) == (Outcome.BROKEN, Reason.FILE_MISSING)
    pretty = check_file(local_link("file:guide/"), str(tmp_path / "guide") + "/", Config())
    assert (pretty.outcome, pretty.reason) == (Outcome.OK, None)
    assert pretty.detail == f"found {tmp_path / 'Guide.md'}"
