"""Extraction stage: every URL an article cites, as `RawLink`s, plus per-field problems.

Pure: no I/O. Field names are the library's own (`Fields`, from the `[fields]` config table;
the seed's names by default, used below). Front matter rules (the same at the top level and
inside each related entry):

* `webUrl` (url) -> page, `ampWebUrl` (amp_url) -> amp, `cdnAmpWebUrl` (amp_cache_url) ->
  amp_cache. A string is emitted as written, even if it is not a URL (normalize reports it).
  `null`, an empty or a blank string means "not set" and is skipped silently. Any other type
  -> `wrong_type` problem. A dotted path (`seo.canonical`) whose mapping is something else
  (`seo: 5`) -> `wrong_type` on that field.
* `images`: a list of mappings (one mapping: a list of one); each `url` (image_url) -> image,
  with `DeclaredSize(width, height)` as written (`None` for a missing key). `images: null` /
  `[]` -> nothing. An entry without a usable url (missing, null, blank, not a string) ->
  `wrong_type`. A bare string as `images` or as an entry: with the seed's `images` field,
  `wrong_type`, and if the string is an absolute http(s) URL it is still emitted as an image
  (no declared size); with a mapped `images` field (`og_image = "..."`) it is an image with
  no declared size, relative or not.
* `related`: a list of mappings; anything else -> `wrong_type`.
* Every other string anywhere (nested mappings and lists too, and other fields inside images
  and related entries) that is an absolute http(s) URL without whitespace -> other, with its
  field path (`provider.url`, `topics[3]`).

Body: parsed with markdown-it-py (CommonMark + tables, HTML on, and linkify for bare
`http(s)://` / `www.` URLs when linkify-it-py is installed; fuzzy bare domains like
`Amazon.com` and bare e-mails are not linked). Emitted: inline and reference links and
images, autolinks, and `<a href>` / `<img src>` in HTML (parsed with html.parser). Images ->
image, links -> other, field "body", line = file line (the block's first line plus the line
breaks before the token inside the block). Links are emitted as written (entities and
backslash escapes decoded), including relative ones and non-http schemes, except empty ones,
pure in-page fragments (`#top`), which need no check, and template code (`{{< ref "x.md" >}}`,
`{{ .Site.BaseURL }}`, `{% link x.md %}`), which is not a link until the site is built.
normalize resolves relative links (see `normalize.Place`) or reports them.

Every `Source` of an article carries its `article_key` (the `key` field, by default `id`,
else `uuid`; else the article's URL), worked out once per article.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from html.parser import HTMLParser
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from linkcheck.collect.fields import DEFAULT_FIELDS, URL_ROLES, Fields, get_path
from linkcheck.collect.plain_body import plain_links
from linkcheck.models import (
    Article,
    ArticleProblem,
    DeclaredSize,
    LinkKind,
    ProblemReason,
    RawLink,
    Source,
)

__all__ = ["BodyLink", "Fields", "extract", "body_links", "article_key", "LINKIFY"]

_ABSOLUTE_HTTP = re.compile(r"https?://\S+", re.IGNORECASE)

try:  # optional: bare URLs in text are linked only when linkify-it-py is installed
    import linkify_it  # noqa: F401

    LINKIFY = True
except ImportError:  # pragma: no cover - depends on the environment
    LINKIFY = False


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "linkify": LINKIFY}).enable("table")
    if LINKIFY:
        md.enable("linkify")
        assert md.linkify is not None
        md.linkify.set({"fuzzy_link": False, "fuzzy_email": False})
    md.normalizeLink = lambda url: url  # type: ignore[method-assign]  # keep as written
    md.validateLink = lambda url: True  # type: ignore[method-assign]  # javascript: etc. too
    return md


_MD = _markdown()


#: A link found in a body: (url as written, kind, file line).
BodyLink = tuple[str, LinkKind, int]


def extract(
    article: Article,
    *,
    body: Sequence[BodyLink] | None = None,
    fields: Fields = DEFAULT_FIELDS,
) -> tuple[tuple[RawLink, ...], tuple[ArticleProblem, ...]]:
    """All links of one article (front matter first, then body, in document order).
    `body`: the body's links when already found (`body_links`, e.g. by a worker process that
    bounds the parse in time); by default the body is parsed here. `fields`: the library's
    names for the fields that mean something (`Fields.of(config.fields)`, built once)."""
    ex = _Extractor(article, fields)
    ex.entry(article.front_matter, "", top=True)
    found = body_links(article.body, article.body_line) if body is None else body
    for url, kind, line in found:
        ex.emit(url, kind, "body", line)
    return tuple(ex.links), tuple(ex.problems)


def body_links(body: str, first_line: int) -> list[BodyLink]:
    """The links of a Markdown body whose first line is file line `first_line`, in document
    order. Pure, and picklable in and out (it runs in a worker process for large bodies)."""
    found: list[BodyLink] = []
    if not body.strip():
        return found
    plain = plain_links(body, first_line)  # headings and prose: no parser needed
    if plain is not None:
        return plain
    for token in _MD.parse(body):
        if token.map is None:
            continue
        first = first_line + token.map[0]
        if token.type == "html_block":
            _html(found, token.content, first)
        elif token.type == "inline" and token.children:
            _inline(found, token.children, first)
    return found


def _body_link(found: list[BodyLink], url: str, kind: LinkKind, line: int) -> None:
    text = url.strip()
    # in-page anchors: nothing to check; template code (a Hugo `{{< ref "x.md" >}}` shortcode,
    # `{{ .Site.BaseURL }}`): not a link until the site is built
    if text and not text.startswith("#") and "{{" not in text and "{%" not in text:
        found.append((url, kind, line))


def _inline(found: list[BodyLink], children: list[Token], line: int) -> None:
    for tok in children:
        if tok.type == "link_open":
            href = tok.attrGet("href")
            if isinstance(href, str):
                _body_link(found, href, LinkKind.OTHER, line)
        elif tok.type == "image":
            src = tok.attrGet("src")
            if isinstance(src, str):
                _body_link(found, src, LinkKind.IMAGE, line)
            if tok.children:  # alt text cannot hold links, but keep the line count
                line += sum(c.type in ("softbreak", "hardbreak") for c in tok.children)
        elif tok.type == "html_inline":
            _html(found, tok.content, line)
        if tok.type in ("softbreak", "hardbreak"):
            line += 1
        elif tok.type in ("text", "code_inline", "html_inline"):
            line += tok.content.count("\n")


def _html(found: list[BodyLink], html: str, line: int) -> None:
    for kind, url, offset in _html_links(html):
        _body_link(found, url, kind, line + offset)


def article_key(front_matter: Mapping[Any, Any], fields: Fields = DEFAULT_FIELDS) -> str | None:
    """The article's own key, so report rows join to the CMS: its `key` field (`[fields]`),
    by default its `id`, else its `uuid` (a string, or a number written as text); else its
    URL (the `url` field, a string); else None. Blank strings, booleans, null, lists and
    mappings are no key."""
    return fields.article_key(front_matter)


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return f"a number ({value!r})"
    if isinstance(value, str):
        return f"a string ({value!r})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, set | frozenset):  # in-memory articles; sets have no stable order
        return f"a set of {len(value)}"
    return f"a {type(value).__name__} ({value!s})"


def _is_http_url(value: str) -> bool:
    return _ABSOLUTE_HTTP.fullmatch(value.strip()) is not None


def _join(prefix: str, key: object) -> str:
    return f"{prefix}.{key}" if prefix else str(key)


class _Extractor:
    def __init__(self, article: Article, fields: Fields) -> None:
        self.article = article
        self.fields = fields
        self.key = fields.article_key(article.front_matter)  # once per article
        self.file, self.title = article.path, article.title
        # by field path: its file line, and what a value made JSON-safe was (`front_matter`)
        self.lines: Mapping[str, int] = getattr(article.front_matter, "lines", {})
        self.converted: Mapping[str, str] = getattr(article.front_matter, "converted", {})
        self.links: list[RawLink] = []
        self.problems: list[ArticleProblem] = []

    # ---------------------------------------------------------------- helpers
    def emit(
        self,
        text: str,
        kind: LinkKind,
        path: str,
        line: int | None = None,
        declared: DeclaredSize | None = None,
    ) -> None:
        if line is None:
            line = self.lines.get(path)
        # interned: "webUrl", "related[0].images[0].url"... repeat in every article, and one
        # copy serves them all (each link keeps its field path until the report is written)
        src = Source(self.file, sys.intern(path), line, self.title, self.key)
        self.links.append(RawLink(text, kind, src, declared))

    def wrong(self, path: str, message: str) -> None:
        self.problems.append(
            ArticleProblem(
                self.article.path,
                ProblemReason.WRONG_TYPE,
                f"{path}: {message}",
                path,
                self.lines.get(path),
            )
        )

    def type_name(self, value: object, path: str) -> str:
        """What the value at `path` was written as (a date stays a date, though it is now
        JSON-safe text; see `front_matter`)."""
        was = self.converted.get(path)
        return f"{was} ({value})" if was else _type_name(value)

    def is_text(self, value: object, path: str) -> bool:
        return isinstance(value, str) and path not in self.converted

    # ---------------------------------------------------------------- front matter
    def walk(
        self,
        data: Mapping[Any, Any],
        prefix: str,
        roles: Mapping[str, str],
        inner: frozenset[str],
    ) -> None:
        """Every field below `data` in document order: a field at a role's path goes to that
        role, one on the way to a role's path (`seo` of `seo.canonical`) is walked into, any
        other is scanned for absolute URLs. Iterative: no depth limit."""
        if not inner:  # the usual case (no dotted role paths): one level, no stack
            for key, value in data.items():
                rel = key if isinstance(key, str) else str(key)
                path = f"{prefix}.{rel}" if prefix else rel
                role = roles.get(rel)
                if role is not None:
                    self.role(role, value, path)
                elif isinstance(value, str):
                    if _ABSOLUTE_HTTP.fullmatch(value.strip()):
                        self.emit(value, LinkKind.OTHER, path)
                elif isinstance(value, dict | list):
                    self.generic(value, path)
            return
        stack = [iter(data.items())]
        rels = [""]
        while stack:
            for key, value in stack[-1]:
                rel = _join(rels[-1], key)
                path = _join(prefix, rel)
                role = roles.get(rel)
                if role is not None:
                    self.role(role, value, path)
                elif rel in inner and isinstance(value, dict):
                    stack.append(iter(value.items()))
                    rels.append(rel)
                    break
                else:
                    if rel in inner and value is not None:
                        below = [p for p in roles if p.startswith(f"{rel}.")]
                        self.wrong(
                            path,
                            f"expected a mapping holding {below[0].removeprefix(rel + '.')} "
                            f"(the [fields] path {below[0]}), got {self.type_name(value, path)}",
                        )
                    self.generic(value, path)
            else:
                stack.pop()
                rels.pop()

    def entry(self, data: Mapping[Any, Any], prefix: str, *, top: bool) -> None:
        """A top-level front matter or one related entry."""
        f = self.fields
        if top:
            self.walk(data, prefix, f.top, f.top_inner)
        else:
            self.walk(data, prefix, f.nested, f.nested_inner)

    def role(self, role: str, value: object, path: str) -> None:
        if not role:  # a field another part of the extraction reads (an image's size)
            return
        if role == "images":
            self.images(value, path)
        elif role == "related":
            self.related(value, path)
        else:
            self.url_field(value, path, URL_ROLES[role])

    def url_field(self, value: object, path: str, kind: LinkKind) -> None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return
        if self.is_text(value, path):
            assert isinstance(value, str)
            self.emit(value, kind, path)
        else:
            self.wrong(path, f"expected a URL string, got {self.type_name(value, path)}")

    def bare_image(self, value: str, path: str, expected: str) -> None:
        """An image written as a string: with a mapped `images` field, an image with no
        declared size; in the seed's shape, also a wrong type (its export writes mappings)."""
        if "images" in self.fields.mapped:
            if value.strip() and self.is_text(value, path):
                self.emit(value, LinkKind.IMAGE, path)
            return
        self.wrong(path, f"expected {expected}, got {self.type_name(value, path)}")
        if _is_http_url(value):
            self.emit(value, LinkKind.IMAGE, path)

    def images(self, value: object, path: str) -> None:
        if value is None:
            return
        if isinstance(value, str):
            self.bare_image(value, path, "a list of images")
            return
        if isinstance(value, dict):  # one image where a list is expected: a list of one
            self.image(value, path)
            return
        if not isinstance(value, list):
            self.wrong(path, f"expected a list of images, got {self.type_name(value, path)}")
            self.generic(value, path)
            return
        for i, image in enumerate(value):
            ipath = f"{path}[{i}]"
            if isinstance(image, dict):
                self.image(image, ipath)
            elif isinstance(image, str):
                self.bare_image(image, ipath, f"an image mapping with a {self.fields.image_url}")
            else:
                got = self.type_name(image, ipath)
                name = self.fields.image_url
                self.wrong(ipath, f"expected an image mapping with a {name}, got {got}")

    def image(self, image: Mapping[Any, Any], path: str) -> None:
        f = self.fields
        name = f.image_url
        url = get_path(image, name)
        upath = f"{path}.{name}"
        if url is Fields.missing:
            self.wrong(path, f"image has no {name}")
        elif url is None or (isinstance(url, str) and not url.strip()):
            self.wrong(upath, f"image {name} is empty")
        elif not isinstance(url, str) or not self.is_text(url, upath):
            self.wrong(upath, f"expected a URL string, got {self.type_name(url, upath)}")
        else:
            width, height = get_path(image, f.image_width), get_path(image, f.image_height)
            declared = DeclaredSize(
                None if width is Fields.missing else width,
                None if height is Fields.missing else height,
            )
            self.emit(url, LinkKind.IMAGE, upath, declared=declared)
        self.walk(image, path, f.image_skip, f.image_inner)

    def related(self, value: object, path: str) -> None:
        if value is None:
            return
        if not isinstance(value, list):
            got = self.type_name(value, path)
            self.wrong(path, f"expected a list of related articles, got {got}")
            self.generic(value, path)
            return
        for j, rel in enumerate(value):
            rpath = f"{path}[{j}]"
            if isinstance(rel, dict):
                self.entry(rel, rpath, top=False)
            else:
                got = self.type_name(rel, rpath)
                self.wrong(rpath, f"expected a related-article mapping, got {got}")
                self.generic(rel, rpath)

    def generic(self, value: object, path: str) -> None:
        """Any absolute http(s) URL string anywhere below `value` -> other (iterative)."""
        stack: list[tuple[object, str]] = [(value, path)]
        while stack:
            val, p = stack.pop()
            if isinstance(val, str):
                if _is_http_url(val):
                    self.emit(val, LinkKind.OTHER, p)
            elif isinstance(val, dict):
                stack.extend((v, _join(p, k)) for k, v in reversed(list(val.items())))
            elif isinstance(val, list):
                stack.extend((val[i], f"{p}[{i}]") for i in range(len(val) - 1, -1, -1))


class _TagParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[LinkKind, str, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"a": ("href", LinkKind.OTHER), "img": ("src", LinkKind.IMAGE)}.get(tag)
        if wanted is None:
            return
        for name, value in attrs:
            if name == wanted[0] and value is not None:
                self.found.append((wanted[1], value, self.getpos()[0] - 1))

    handle_startendtag = handle_starttag


def _html_links(html: str) -> Iterator[tuple[LinkKind, str, int]]:
    """(kind, url as written, 0-based line offset) of each `<a href>` / `<img src>`."""
    parser = _TagParser()
    try:
        parser.feed(html)
        parser.close()
    except AssertionError:  # html.parser before 3.13 on `<![x`: keep the links before it
        pass
    yield from parser.found
