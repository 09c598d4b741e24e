"""The [fields] mapping: a library's own field names get the meaning of the seed's (issue #14)."""

from __future__ import annotations

from pathlib import Path

import pytest

from linkcheck.collect.extract import Fields, article_key, extract
from linkcheck.collect.library import collect_links
from linkcheck.collect.sources import parse_article
from linkcheck.config import Config
from linkcheck.config.values import Where
from linkcheck.config.values_extra import FIELD_ROLES, field_map
from linkcheck.errors import ConfigError
from linkcheck.models import Article, DeclaredSize, LinkKind, ProblemReason

GALLERY = Fields.of(
    {
        "url": "canonical_url",
        "amp_url": "amp_url",
        "amp_cache_url": "amp_cache",
        "images": "gallery",
        "image_url": "src",
        "image_width": "w",
        "image_height": "h",
        "key": "post_id",
    }
)

MAPPED = """---
post_id: 881
title: Harbour reopens
canonical_url: https://news.example/harbour
amp_url: https://amp.news.example/harbour
amp_cache: https://amp-news-example.cdn.ampproject.org/c/s/amp.news.example/harbour
webUrl: https://not-the-url.example/
gallery:
  - src: https://img.example/a.jpg
    w: 640
    h: 480
    caption: https://caption.example/
  - src: https://img.example/b.jpg
    w: 100
related:
  - canonical_url: https://other.example/x
    amp_url: https://amp.other.example/x
    gallery:
      - {src: https://img.example/c.jpg, w: 1, h: 2}
---
"""

SEED = """---
id: 881
title: Harbour reopens
webUrl: https://news.example/harbour
ampWebUrl: https://amp.news.example/harbour
cdnAmpWebUrl: https://amp-news-example.cdn.ampproject.org/c/s/amp.news.example/harbour
images:
  - url: https://img.example/a.jpg
    width: 640
    height: 480
  - url: https://img.example/b.jpg
    width: 100
related:
  - webUrl: https://other.example/x
    ampWebUrl: https://amp.other.example/x
    images:
      - {url: https://img.example/c.jpg, width: 1, height: 2}
---
"""


def parsed(text: str) -> Article:
    article = parse_article("a.md", text)
    assert isinstance(article, Article), article
    return article


def test_the_default_fields_are_the_seeds_names() -> None:
    fields = Fields.of()
    assert dict(fields.names) == dict(FIELD_ROLES)
    assert fields.top == {
        "webUrl": "url",
        "ampWebUrl": "amp_url",
        "cdnAmpWebUrl": "amp_cache_url",
        "images": "images",
        "related": "related",
    }


def test_a_mapped_library_gets_the_seeds_meaning_under_its_own_names() -> None:
    mapped, problems = extract(parsed(MAPPED), fields=GALLERY)
    seed, seed_problems = extract(parsed(SEED))
    assert problems == seed_problems == ()
    semantic = [(r.text, r.kind, r.declared, r.source.article_key) for r in mapped]
    caption = ("https://caption.example/", LinkKind.OTHER, None, "881")
    stray = ("https://not-the-url.example/", LinkKind.OTHER, None, "881")
    assert [s for s in semantic if s not in (caption, stray)] == [
        (r.text, r.kind, r.declared, r.source.article_key) for r in seed
    ]
    fields = [r.source.field for r in mapped]
    assert fields == [
        "canonical_url",
        "amp_url",
        "amp_cache",
        "webUrl",  # not the url field here: an ordinary URL
        "gallery[0].src",
        "gallery[0].caption",
        "gallery[1].src",
        "related[0].canonical_url",
        "related[0].amp_url",
        "related[0].gallery[0].src",
    ]
    by_field = {r.source.field: r for r in mapped}
    assert by_field["gallery[1].src"].declared == DeclaredSize(100, None)
    assert by_field["gallery[0].src"].source.line == 9
    assert by_field["related[0].gallery[0].src"].source.line == 19


def test_dotted_paths_and_a_single_mapping_as_the_image_list() -> None:
    fields = Fields.of(
        {
            "url": "seo.canonical",
            "images": "hero",
            "image_url": "file.src",
            "image_width": "file.width",
            "image_height": "file.height",
        }
    )
    text = (
        "---\n"
        "seo:\n"
        "  canonical: https://news.example/a\n"
        "  description: also https://desc.example/ is not a URL field\n"
        "  og: https://og.example/\n"
        "hero:\n"
        "  alt: A hero\n"
        "  file: {src: img/hero.png, width: 1200, height: 630}\n"
        "---\n"
    )
    links, problems = extract(parsed(text), fields=fields)
    assert problems == ()
    assert [(r.source.field, r.kind, r.source.line) for r in links] == [
        ("seo.canonical", LinkKind.PAGE, 3),
        ("seo.og", LinkKind.OTHER, 5),
        ("hero.file.src", LinkKind.IMAGE, 8),
    ]
    assert links[2].declared == DeclaredSize(1200, 630)
    assert article_key(parsed(text).front_matter, fields) == "https://news.example/a"


@pytest.mark.parametrize(
    ("yaml", "field", "message"),
    [
        ("canonical_url: 5", "canonical_url", "expected a URL string, got a number (5)"),
        ("gallery: 3", "gallery", "expected a list of images, got a number (3)"),
        ("gallery: [{w: 1}]", "gallery[0]", "image has no src"),
        ("gallery: [{src: 7}]", "gallery[0].src", "expected a URL string, got a number (7)"),
        ("gallery: [5]", "gallery[0]", "expected an image mapping with a src, got a number"),
        ("seo: just text", "seo", "expected a mapping holding canonical"),
        ("related: [{canonical_url: [1]}]", "related[0].canonical_url", "got a list"),
    ],
)
def test_a_mapping_pointing_at_the_wrong_type_names_the_librarys_field(
    yaml: str, field: str, message: str
) -> None:
    fields = Fields.of({**GALLERY.names, "url": "seo.canonical"}) if "seo" in yaml else GALLERY
    links, problems = extract(parsed(f"---\ntitle: T\n{yaml}\n---\n"), fields=fields)
    assert [(p.reason, p.field, p.line) for p in problems] == [(ProblemReason.WRONG_TYPE, field, 3)]
    assert problems[0].message.startswith(f"{field}: ") and message in problems[0].message
    assert links == ()


def test_a_bare_string_image_under_a_mapped_field_is_an_image_without_a_size() -> None:
    fields = Fields.of({"images": "featured_image"})
    text = "---\nfeatured_image: /uploads/2024/05/hero.jpg\nimages: https://x.example/i.png\n---\n"
    links, problems = extract(parsed(text), fields=fields)
    assert problems == ()  # `images` is not the image field here: an ordinary URL
    assert [(r.text, r.kind, r.declared) for r in links] == [
        ("/uploads/2024/05/hero.jpg", LinkKind.IMAGE, None),
        ("https://x.example/i.png", LinkKind.OTHER, None),
    ]


@pytest.mark.parametrize(
    ("front", "key"),
    [
        ("post_id: 881\ncanonical_url: https://a.example/", "881"),
        ("post_id: ' '\ncanonical_url: https://a.example/", "https://a.example/"),
        ("id: 5\ncanonical_url: https://a.example/", "https://a.example/"),  # key is post_id
        ("post_id: true", None),
    ],
)
def test_article_key_uses_the_key_field_then_the_url(front: str, key: str | None) -> None:
    assert article_key(parsed(f"---\n{front}\n---\n").front_matter, GALLERY) == key


def test_the_default_key_is_id_then_uuid_then_the_url() -> None:
    assert article_key({"uuid": "u", "webUrl": "https://a/"}) == "u"
    assert article_key({"id": 3, "uuid": "u"}) == "3"
    assert article_key({"webUrl": " https://a/ "}) == "https://a/"


def test_collect_reports_declared_size_problems_at_the_mapped_image(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(
        "---\ncanonical_url: https://news.example/a\n"
        "gallery:\n  - src: https://img.example/a.jpg\n    w: 0\n    h: 10\n---\n"
    )
    config = Config(fields=dict(GALLERY.names))
    collected = collect_links([str(tmp_path)], config)
    assert [(p.reason, p.field, p.line) for p in collected.problems] == [
        (ProblemReason.INVALID_DECLARED_SIZE, "gallery[0]", 4)
    ]
    kinds = {link.url: link.kind for link in collected.links}
    assert kinds == {
        "https://news.example/a": LinkKind.PAGE,
        "https://img.example/a.jpg": LinkKind.IMAGE,
    }
    occurrence = next(link for link in collected.links if link.kind is LinkKind.IMAGE).occurrences[
        0
    ]
    assert occurrence.source.article_key == "https://news.example/a"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"link": "x"}, "unknown field role 'link'"),
        ({"urls": "x"}, "did you mean 'url'?"),
        ({"url": "a..b"}, "must be a dotted field path"),
        ({"url": 5}, "must be a dotted field path"),
        ({"images": "gallery", "url": "gallery.src"}, "overlap"),
        ({"amp_url": "webUrl"}, "amp_url = 'webUrl' and url = 'webUrl' overlap"),
        ({"image_width": "size", "image_height": "size"}, "overlap"),
    ],
)
def test_unusable_field_tables_are_refused_naming_the_role(
    table: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError, match="linkcheck.toml") as err:
        field_map(Where("[fields]", "linkcheck.toml"), table)
    assert message in str(err.value)


def test_a_fields_table_in_the_config_file_reaches_extraction(tmp_path: Path) -> None:
    from linkcheck import load_config

    (tmp_path / "linkcheck.toml").write_text(
        '[fields]\nurl = "canonical_url"\nimages = "gallery"\nimage_url = "src"\n'
    )
    (tmp_path / "a.md").write_text(
        "---\ncanonical_url: https://news.example/a\ngallery: [{src: https://i.example/a.png}]\n---\n"
    )
    config = load_config(inputs=[tmp_path])
    assert config.fields == {"url": "canonical_url", "images": "gallery", "image_url": "src"}
    collected = collect_links([str(tmp_path)], config)
    assert {(link.url, link.kind) for link in collected.links} == {
        ("https://news.example/a", LinkKind.PAGE),
        ("https://i.example/a.png", LinkKind.IMAGE),
    }
