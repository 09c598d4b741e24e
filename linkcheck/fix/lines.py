"""A file as lines whose bytes are kept exactly, and the tokens of one line that an edit may
change (pure text functions, no I/O).

`Lines` splits on LF, CRLF and lone CR, as `collect.sources` counts lines, and keeps every
line's own ending, so joining gives the original text back byte for byte (a BOM stays at the
start of line 1, trailing whitespace stays, a file without a final newline keeps none).

The token finders work on one line of front matter in any of the three syntaxes the reader
knows, block or flow style:

    width: 500            YAML block          images: [{url: x, width: 500}]   YAML flow
    width = 500           TOML                "width": 500,                     JSON

`key_values(line, key)` finds `key` (bare or quoted) followed by `:` or `=` and its scalar
value; `whole_values(line, text)` finds `text` written as a whole scalar value (bare or quoted,
never as part of a longer value, a URL's query or a comment); `in_text(line, text)` finds `text`
in a body line where it is not part of a longer URL.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "MISSING",
    "Lines",
    "Token",
    "get_path",
    "in_text",
    "comment_start",
    "key_values",
    "set_path",
    "whole_values",
    "written",
]

_ENDINGS = re.compile(r"\r\n|\r|\n")
_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
MISSING: Any = object()  # get_path: no value at that path


class Lines:
    """`text` as 1-based lines (content without its ending); `str(lines)` joins them back."""

    def __init__(self, text: str) -> None:
        self.content: list[str] = []
        self.endings: list[str] = []
        start = 0
        for m in _ENDINGS.finditer(text):
            self.content.append(text[start : m.start()])
            self.endings.append(m.group())
            start = m.end()
        self.content.append(text[start:])
        self.endings.append("")

    def __len__(self) -> int:
        return len(self.content)

    def __getitem__(self, number: int) -> str:
        return self.content[number - 1]

    def __setitem__(self, number: int, value: str) -> None:
        self.content[number - 1] = value

    def __str__(self) -> str:
        return "".join(c + e for c, e in zip(self.content, self.endings, strict=True))

    def has(self, number: int | None) -> bool:
        return isinstance(number, int) and 1 <= number <= len(self.content)


@dataclass(frozen=True, slots=True)
class Token:
    """A value written on a line: `line[start:end]` is the value without its quotes; `quote`
    is the quote character around it ('' for a bare value)."""

    start: int
    end: int
    quote: str

    def replaced(self, line: str, new: str) -> str:
        return line[: self.start] + new + line[self.end :]


# a key starts the line or follows whitespace, "{", "," or "." (a TOML dotted key); quoted or not
_BEFORE_KEY = r"(?:^|(?<=[\s{,.]))"
_VALUE = r"""(?:"(?P<dq>[^"\\\r\n]*)"|'(?P<sq>[^'\r\n]*)'|(?P<bare>[^\s,}\]#"']+))"""
# after a value: spaces, then the end, a separator or a comment
_AFTER_VALUE = r"(?=[ \t]*(?:$|[,}\]]|#))"


def comment_start(line: str) -> int:
    """Where a `#` comment starts on a front-matter line (len(line) if none): a `#` at the start
    or after whitespace, outside a quoted value (a quote opens a value only where a value can
    start, so an apostrophe inside a bare value does not)."""
    quote = ""
    i = 0
    while i < len(line):
        ch = line[i]
        if quote:
            if ch == "\\" and quote == '"':
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "\"'" and (i == 0 or line[i - 1] in _OPENERS):
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            return i
        i += 1
    return len(line)


_OPENERS = " \t:=[{,"


def key_values(line: str, key: str) -> list[Token]:
    """Every `key: value` / `key = value` on `line` whose value is one scalar (in order),
    comments left out."""
    k = re.escape(key)
    pattern = re.compile(
        rf"""{_BEFORE_KEY}(?:"{k}"|'{k}'|{k})[ \t]*[:=][ \t]*{_VALUE}{_AFTER_VALUE}"""
    )
    found = []
    for m in pattern.finditer(line, 0, comment_start(line)):
        for group, quote in (("dq", '"'), ("sq", "'"), ("bare", "")):
            if m.group(group) is not None:
                found.append(Token(m.start(group), m.end(group), quote))
                break
    return found


# a whole value: a quoted one follows a separator, a list/flow opener, a comma, a list dash or
# the start; a bare one the same but never straight after ":" or "=" (`?to=http://...`)
_BEFORE_QUOTED = r"(?:^|(?<=[\s:=\[{,]))"
_BEFORE_BARE = r"(?:^|(?<=[\s\[{,]))"


def whole_values(line: str, text: str) -> list[Token]:
    """Every place `text` is written on `line` as a whole scalar value, bare or quoted, in
    order, comments left out."""
    t = re.escape(text)
    end = comment_start(line)
    found = []
    quoted = re.compile(rf"""{_BEFORE_QUOTED}(?P<q>["']){t}(?P=q){_AFTER_VALUE}""")
    for m in quoted.finditer(line, 0, end):
        start = m.start() + 1
        found.append(Token(start, start + len(text), m.group("q")))
    bare = re.compile(rf"{_BEFORE_BARE}{t}{_AFTER_VALUE}")
    found += [Token(m.start(), m.end(), "") for m in bare.finditer(line, 0, end)]
    return sorted(found, key=lambda token: token.start)


_URL_CHAR = re.compile(r"[\w/~%\-?&=#+@:$*!']")
_PUNCT = ".,;"


def in_text(line: str, text: str) -> list[Token]:
    """Every place `text` is written in a body line and is not part of a longer URL: the
    character before it cannot be in a URL, nor the one after it (sentence punctuation such as
    a final '.' is allowed when a space or the end of the line follows it)."""
    found = []
    start = line.find(text)
    while start >= 0 and text:
        end = start + len(text)
        before = line[start - 1] if start else ""
        after = line[end] if end < len(line) else ""
        ok = not (before and (_URL_CHAR.match(before) or before in _PUNCT))
        if ok and after:
            if after in _PUNCT:
                nxt = line[end + 1] if end + 1 < len(line) else ""
                ok = not nxt or nxt.isspace() or nxt in ")]>\"'"
            else:
                ok = not _URL_CHAR.match(after)
        if ok:
            found.append(Token(start, end, ""))
        start = line.find(text, start + 1)
    return found


def written(value: int, token: Token, line: str) -> bool:
    """Whether `token` on `line` reads as the number `value` (500, "500", 500.0)."""
    raw = line[token.start : token.end].strip()
    try:
        return float(raw) == float(value)
    except ValueError:
        return False


@functools.lru_cache(maxsize=4096)  # the same paths recur in every article of a library
def _parts(path: str) -> tuple[str | int, ...]:
    return tuple(_scan(path))


def _scan(path: str) -> Iterator[str | int]:
    pos = 0
    for m in _PATH_PART.finditer(path):
        if m.start() not in (pos, pos + 1):  # only "." between parts
            raise KeyError(path)
        pos = m.end()
        yield m.group(1) if m.group(1) is not None else int(m.group(2))
    if pos != len(path):
        raise KeyError(path)


def get_path(data: Any, path: str) -> Any:
    """The value at a field path (`related[0].images[1].width`); `MISSING` if there is none."""
    node = data
    try:
        for part in _parts(path):
            if isinstance(part, int):
                if not isinstance(node, Sequence) or isinstance(node, str):
                    return MISSING
                node = node[part]
            else:
                if not isinstance(node, dict):
                    return MISSING
                node = node[part]
    except (KeyError, IndexError):
        return MISSING
    return node


def set_path(data: Any, path: str, value: Any) -> None:
    """Set the value at an existing field path (in place)."""
    parts = _parts(path)
    node = data
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = value
