"""The links of a body written as plain prose, found without a Markdown parser.

Most article bodies are headings and paragraphs of ordinary text with inline links
(`[label](url)`, `![alt](src)`): for them, what markdown-it finds (`extract.body_links`) is
known line by line, and a regular expression finds it at a tenth of the cost. A body counts
as plain when every line is blank, or an ATX heading (`# ` to `###### `), or starts with an
ASCII letter; and is made only of letters, digits, spaces, `, . ; ' " ? ! ( ) -` and links
whose label is such text and whose destination is one run of URL characters. Nothing in it
can then open a block (list, quote, code, HTML, table, setext underline, link definition), an
inline construct (emphasis, code span, escape, entity, autolink, HTML) or a bare URL for
linkify (no `:` or `/` outside destinations). Any other body: None, and markdown-it reads it.
tests/unit/test_plain_body.py compares the two on every body of the fixtures and tests and on
thousands of generated ones.
"""

from __future__ import annotations

import re

from linkcheck.models import LinkKind

__all__ = ["plain_links"]

_TEXT = r"[A-Za-z0-9 ,.;'\"?!()\-]"
_LINK = r"(!?)\[([A-Za-z0-9 ,.;'\"?!()\-]+)\]\(([A-Za-z0-9\-._~:/?#@!$'*+,;=%]+)\)"
_LINE = re.compile(rf"(?:#{{1,6}} |(?=[A-Za-z]))(?:{_LINK}|{_TEXT})*")
_LINKS = re.compile(_LINK)


def plain_links(body: str, first_line: int) -> list[tuple[str, LinkKind, int]] | None:
    """(url as written, kind, file line) of each link of a plain body (see the module doc),
    in document order; None when the body is not plain."""
    found: list[tuple[str, LinkKind, int]] = []
    for i, line in enumerate(body.split("\n")):
        if not line:
            continue
        if _LINE.fullmatch(line) is None:
            return None
        if "[" in line:
            for match in _LINKS.finditer(line):
                url = match.group(3)
                if not url.startswith("#"):  # an in-page anchor needs no check
                    kind = LinkKind.IMAGE if match.group(1) else LinkKind.OTHER
                    found.append((url, kind, first_line + i))
    return found
