"""JSON front matter (a file whose first non-blank line starts with `{`): python-frontmatter's
and Hugo's convention, the leading JSON object is the front matter, the rest of the file the
body (it starts on the line after the object's closing `}`).

The values come from the standard library's `json`; the file line of every field from
`json_lines`, an iterative scanner (an explicit stack, no recursion) that also finds where
the object ends and applies the same bounds as YAML before anything is decoded: at most
`MAX_FRONT_MATTER_BYTES` of text, `MAX_YAML_NODES` values, `MAX_DEPTH` levels of nesting (the
json module recurses and would meet Python's recursion limit).
"""

from __future__ import annotations

import json
import re

from linkcheck.collect.front_matter import (
    MAX_YAML_NODES,
    FrontMatter,
    Invalid,
    Refused,
    json_safe,
)

__all__ = ["MAX_DEPTH", "json_lines", "load_json"]

MAX_DEPTH = 100
_WS = re.compile(r"[ \t\r\n]*")
_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]|\\.)*"')
_SCALAR = re.compile(
    r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null|NaN|-?Infinity"
)


class _Stop(Exception):
    """The scanner met text that is not JSON: `json` says what and where."""


def load_json(text: str, max_chars: int) -> tuple[FrontMatter, int]:
    """The JSON object at the start of `text` (after blanks) as a JSON-safe `FrontMatter` with
    0-based field lines, and the index just past its closing `}`. Raises `Refused` (larger than
    `max_chars`, too many values, too deep) or `Invalid`."""
    try:
        lines, end = json_lines(text, max_chars)
    except _Stop:
        lines, end = {}, -1
    try:
        if end < 0:  # the scanner stopped: let json find the error (or the end) itself
            data, end = json.JSONDecoder().raw_decode(text, _WS.match(text).end())  # type: ignore[union-attr]
        else:
            data = json.loads(text[:end])
    except json.JSONDecodeError as exc:
        raise Invalid("JSON", exc.msg, exc.lineno - 1, exc.colno) from None
    except RecursionError:
        raise Refused(f"JSON nested deeper than {MAX_DEPTH} levels", None) from None
    if not isinstance(data, dict):  # pragma: no cover - the text starts with '{'
        raise Invalid("JSON", "the front matter is not an object", 0, 1)
    safe, converted = json_safe(data)
    return FrontMatter(safe, lines, converted), end


def json_lines(text: str, max_chars: int) -> tuple[dict[str, int], int]:
    """Field path -> 0-based line of its value, and the index just past the leading object.
    Raises `Refused` for bounds and `_Stop` for text that is not JSON."""
    lines: dict[str, int] = {}
    pos = _WS.match(text).end()  # type: ignore[union-attr]
    line = text.count("\n", 0, pos)
    seen = pos  # `line` is the line of index `seen`
    nodes = 0
    # each open container: [is_object, path, entries so far]
    stack: list[list[object]] = []
    path = ""
    while True:
        # ---- a value starts at pos, for `path`
        if pos > max_chars:
            raise Refused(f"front matter is larger than the {max_chars}-byte limit", line)
        line += text.count("\n", seen, pos)
        seen = pos
        nodes += 1
        if nodes > MAX_YAML_NODES:
            raise Refused(f"front matter has more than {MAX_YAML_NODES} values", line)
        if path:
            lines[path] = line
        c = text[pos : pos + 1]
        if c in ("{", "["):
            if len(stack) >= MAX_DEPTH:
                raise Refused(f"JSON nested deeper than {MAX_DEPTH} levels", line)
            stack.append([c == "{", path, 0])
            pos += 1
        else:
            found = (_STRING if c == '"' else _SCALAR).match(text, pos)
            if found is None or found.end() == pos:
                raise _Stop
            pos = found.end()
            if pos > max_chars:
                raise Refused(f"front matter is larger than the {max_chars}-byte limit", line)
        # ---- close containers, or find where the next value starts
        while True:
            if not stack:
                return lines, pos
            top = stack[-1]
            is_object, at, count = bool(top[0]), str(top[1]), int(top[2])  # type: ignore[call-overload]
            pos = _WS.match(text, pos).end()  # type: ignore[union-attr]
            c = text[pos : pos + 1]
            if c == ("}" if is_object else "]"):
                stack.pop()
                pos += 1
                continue
            if count:
                if c != ",":
                    raise _Stop
                pos = _WS.match(text, pos + 1).end()  # type: ignore[union-attr]
            top[2] = count + 1
            if is_object:
                key = _STRING.match(text, pos)
                if key is None:
                    raise _Stop
                name = json.loads(key.group())
                pos = _WS.match(text, key.end()).end()  # type: ignore[union-attr]
                if text[pos : pos + 1] != ":":
                    raise _Stop
                pos = _WS.match(text, pos + 1).end()  # type: ignore[union-attr]
                path = f"{at}.{name}" if at else name
            else:
                path = f"{at}[{count}]"
            break
