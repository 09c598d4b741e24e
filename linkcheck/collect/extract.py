"""Extraction stage: every URL an article cites, as `RawLink`s, plus per-field problems.

Pure: no I/O. Front matter rules (the same at the top level and inside each `related[j]`):

* `webUrl` -> page, `ampWebUrl` -> amp, `cdnAmpWebUrl` -> amp_cache. A string is emitted as
  written, even if it is not a URL (normalize reports it). `null`, an empty or a blank string
  means "not set" and is skipped silently. Any other type -> `wrong_type` problem.
* `images`: a list of mappings; each `url` -> image, with `DeclaredSize(width, height)` as
  written (`None` for a missing key). `images: null` / `[]` -> nothing. An entry without a
  usable `url` (missing, null, blank, not a string) -> `wrong_type`. `images` or an entry that
  is a bare string -> `wrong_type`, and if the string is an absolute http(s) URL it is still
  emitted as an image (no declared size) so that it gets checked.
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
backslash escapes decoded), including relative ones and non-http schemes, except empty ones
and pure in-page fragments (`#top`), which need no check. normalize resolves
relative body links against the article's webUrl (see `normalize.base_for`) or reports them.

Every `Source` of an article carries its `article_key` (`id`, else `uuid`, else `webUrl`),
worked out once per article.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from html.parser import HTMLParser
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from linkcheck.collect.front_matter import converted_from, field_line
from linkcheck.models import (
    Article,
    ArticleProblem,
    DeclaredSize,
    LinkKind,
    ProblemReason,
    RawLink,
    Source,
)

__all__ = ["BodyLink", "extract", "body_links", "article_key", "LINKIFY"]

_URL_FIELDS: dict[str, LinkKind] = {
    "webUrl": LinkKind.PAGE,
    "ampWebUrl": LinkKind.AMP,
    "cdnAmpWebUrl": LinkKind.AMP_CACHE,
}
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
    article: Article, *, body: Sequence[BodyLink] | None = None
) -> tuple[tuple[RawLink, ...], tuple[ArticleProblem, ...]]:
    """All links of one article (front matter first, then body, in document order).
    `body`: the body's links when already found (`body_links`, e.g. by a worker process that
    bounds the parse in time); by default the body is parsed here."""
    ex = _Extractor(article)
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
    if url.strip() and not url.strip().startswith("#"):  # in-page anchors: nothing to check
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


def article_key(front_matter: Mapping[Any, Any]) -> str | None:
    """The article's own key, so report rows join to the CMS: its `id`, else its `uuid` (a
    string, or a number written as text), else its `webUrl` (a string), else None. Blank
    strings, booleans, null, lists and mappings are no key."""
    for name in ("id", "uuid"):
        value = front_matter.get(name)
        if isinstance(value, str):
            if value.strip():
                return value.strip()
        elif isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
    url = front_matter.get("webUrl")
    return url.strip() if isinstance(url, str) and url.strip() else None


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
    def __init__(self, article: Article) -> None:
        self.article = article
        self.key = article_key(article.front_matter)  # once per article, on every occurrence
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
            line = field_line(self.article, path)
        src = Source(self.article.path, path, line, self.article.title, self.key)
        self.links.append(RawLink(text, kind, src, declared))

    def wrong(self, path: str, message: str) -> None:
        self.problems.append(
            ArticleProblem(
                self.article.path,
                ProblemReason.WRONG_TYPE,
                f"{path}: {message}",
                path,
                field_line(self.article, path),
            )
        )

    def type_name(self, value: object, path: str) -> str:
        """What the value at `path` was written as (a date stays a date, though it is now
        JSON-safe text; see `front_matter`)."""
        was = converted_from(self.article, path)
        return f"{was} ({value})" if was else _type_name(value)

    def is_text(self, value: object, path: str) -> bool:
        return isinstance(value, str) and converted_from(self.article, path) is None

    # ---------------------------------------------------------------- front matter
    def entry(self, data: dict[Any, Any], prefix: str, *, top: bool) -> None:
        """A top-level front matter or one `related[j]` entry."""
        for key, value in data.items():
            path = _join(prefix, key)
            if key in _URL_FIELDS:
                self.url_field(value, path, _URL_FIELDS[key])
            elif key == "images":
                self.images(value, path)
            elif key == "related" and top:
                self.related(value, path)
            else:
                self.generic(value, path)

    def url_field(self, value: object, path: str, kind: LinkKind) -> None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return
        if self.is_text(value, path):
            assert isinstance(value, str)
            self.emit(value, kind, path)
        else:
            self.wrong(path, f"expected a URL string, got {self.type_name(value, path)}")

    def images(self, value: object, path: str) -> None:
        if value is None:
            return
        if isinstance(value, str):
            self.wrong(path, f"expected a list of images, got {self.type_name(value, path)}")
            if _is_http_url(value):
                self.emit(value, LinkKind.IMAGE, path)
            return
        if not isinstance(value, list):
            self.wrong(path, f"expected a list of images, got {self.type_name(value, path)}")
            self.generic(value, path)
            return
        for i, image in enumerate(value):
            ipath = f"{path}[{i}]"
            if isinstance(image, dict):
                self.image(image, ipath)
            else:
                got = self.type_name(image, ipath)
                self.wrong(ipath, f"expected an image mapping with a url, got {got}")
                if isinstance(image, str) and _is_http_url(image):
                    self.emit(image, LinkKind.IMAGE, ipath)

    def image(self, image: dict[Any, Any], path: str) -> None:
        url = image.get("url")
        upath = f"{path}.url"
        if "url" not in image:
            self.wrong(path, "image has no url")
        elif url is None or (isinstance(url, str) and not url.strip()):
            self.wrong(upath, "image url is empty")
        elif not isinstance(url, str) or not self.is_text(url, upath):
            self.wrong(upath, f"expected a URL string, got {self.type_name(url, upath)}")
        else:
            declared = DeclaredSize(image.get("width"), image.get("height"))
            self.emit(url, LinkKind.IMAGE, upath, declared=declared)
        for key, val in image.items():
            if key not in ("url", "width", "height"):
                self.generic(val, _join(path, key))

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
    parser.feed(html)
    parser.close()
    yield from parser.found
