"""TOML front matter (`+++` ... `+++`, as Hugo and Zola write it): the values from the standard
library's `tomllib`, the file line of every field from a small scanner of our own.

tomllib keeps no positions, so `_Lines` walks the text once, iteratively over the document
and recursively (bounded) inside inline values, and records the 0-based line where each field
path's value is written, with the same paths as the YAML loader (`images[0].url`,
`related[1].images[0].width`):

* `key = value` and dotted keys (`seo.canonical = "..."`), bare, "basic" and 'literal' keys;
* tables `[seo]`, arrays of tables `[[images]]` (each header opens the next index; a header
  below one, `[[related.images]]`, belongs to the last `related` entry);
* inline tables `{url = "...", width = 640}` and arrays, also spanning lines
  (`images = [\\n  {url = "..."},\\n]`: each element on its own line);
* strings of every kind, multi-line `\"\"\"` and `'''` included, and `#` comments.

Bounds, as for YAML: the scanner runs first and refuses (`Refused`) a front matter of more than
`MAX_YAML_NODES` values or nested deeper than `MAX_DEPTH` (tomllib recurses on nested inline
arrays and would otherwise meet Python's recursion limit). The size bound (1 MiB) is applied
by the caller before anything is parsed. Invalid TOML is whatever tomllib refuses; the scanner
never decides validity (on text it does not follow it stops, and only line numbers are lost).
"""

from __future__ import annotations

import json
import re
import tomllib

from linkcheck.collect.front_matter import (
    MAX_YAML_NODES,
    FrontMatter,
    Invalid,
    Refused,
    json_safe,
)

__all__ = ["MAX_DEPTH", "load_toml", "toml_lines"]

MAX_DEPTH = 100  # nested arrays / inline tables; a real front matter has 3 or 4
_BARE = re.compile(r"[A-Za-z0-9_-]+")
_BASIC = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_LITERAL = re.compile(r"'[^'\n]*'")
_ML_BASIC = re.compile(r'"""(?:[^\\]|\\.)*?""""{0,2}', re.DOTALL)
_ML_LITERAL = re.compile(r"'''.*?''''{0,2}", re.DOTALL)
_SCALAR = re.compile(r"[^,\]}#\n]*")
_WHERE = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)\s*$")


def load_toml(text: str) -> FrontMatter:
    """Parse front-matter TOML into a JSON-safe `FrontMatter` with 0-based field lines.
    Raises `Refused` (too many values, nested too deeply) or `Invalid` (not TOML)."""
    lines = toml_lines(text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _WHERE.search(message)
        line = column = None
        if found is not None:
            message = message[: found.start()]
            if found.group(1):
                line, column = int(found.group(1)) - 1, int(found.group(2))
            else:
                line = text.count("\n")
        raise Invalid("TOML", message, line, column) from None
    except RecursionError:  # pragma: no cover - the scanner refuses deep nesting first
        raise Refused(f"TOML nested deeper than {MAX_DEPTH} levels", None) from None
    safe, converted = json_safe(data)
    return FrontMatter(safe, lines, converted)


def toml_lines(text: str) -> dict[str, int]:
    """Field path -> 0-based line of its value (tables and arrays of tables: their header)."""
    scanner = _Lines(text)
    try:
        scanner.document()
    except Refused:
        raise
    except (IndexError, ValueError, RecursionError):
        pass  # text the scanner does not follow: tomllib tells what is wrong with it
    return scanner.lines


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class _Lines:
    def __init__(self, text: str) -> None:
        self.t, self.i, self.n, self.line = text, 0, len(text), 0
        self.lines: dict[str, int] = {}
        self.nodes = 0
        self.tables: dict[str, int] = {}  # array-of-tables path -> entries so far

    # ------------------------------------------------------------------ moving
    def _to(self, j: int) -> None:
        self.line += self.t.count("\n", self.i, j)
        self.i = j

    def _ws(self) -> None:
        while self.i < self.n and self.t[self.i] in " \t":
            self.i += 1

    def _trivia(self) -> None:
        """Spaces, newlines and comments."""
        while self.i < self.n:
            c = self.t[self.i]
            if c in " \t\r":
                self.i += 1
            elif c == "\n":
                self.i += 1
                self.line += 1
            elif c == "#":
                end = self.t.find("\n", self.i)
                self.i = self.n if end < 0 else end
            else:
                return

    def _line_end(self) -> None:
        end = self.t.find("\n", self.i)
        self.i = self.n if end < 0 else end

    def _expect(self, text: str) -> None:
        if not self.t.startswith(text, self.i):
            raise ValueError(f"expected {text!r}")
        self.i += len(text)

    def _count(self, depth: int) -> None:
        self.nodes += 1
        if self.nodes > MAX_YAML_NODES:
            raise Refused(f"front matter has more than {MAX_YAML_NODES} values", self.line)
        if depth > MAX_DEPTH:
            raise Refused(f"TOML nested deeper than {MAX_DEPTH} levels", self.line)

    # ------------------------------------------------------------------ structure
    def document(self) -> None:
        current = ""
        while True:
            self._trivia()
            if self.i >= self.n:
                return
            if self.t.startswith("[[", self.i):
                self.i += 2
                parts = self._key()
                self._expect("]]")
                prefix = self._resolve(parts[:-1])
                table = _join(prefix, parts[-1])
                count = self.tables.get(table, 0) + 1
                self.tables[table] = count
                self.lines.setdefault(table, self.line)
                current = f"{table}[{count - 1}]"
                self.lines[current] = self.line
                self._count(0)
            elif self.t[self.i] == "[":
                self.i += 1
                current = self._resolve(self._key())
                self._expect("]")
                self.lines.setdefault(current, self.line)
                self._count(0)
            else:
                self._pair(current, 0)
            self._line_end()

    def _resolve(self, parts: list[str]) -> str:
        """A table header's path: each array of tables on the way is its last entry."""
        path = ""
        for part in parts:
            path = _join(path, part)
            self.lines.setdefault(path, self.line)
            count = self.tables.get(path)
            if count:
                path = f"{path}[{count - 1}]"
        return path

    def _key(self) -> list[str]:
        parts: list[str] = []
        while True:
            self._ws()
            c = self.t[self.i]
            if c == '"':
                token = self._match(_BASIC)
                try:
                    parts.append(json.loads(token))
                except ValueError:  # a TOML escape JSON lacks (\U0001F600, \e): as written
                    parts.append(token[1:-1])
            elif c == "'":
                parts.append(self._match(_LITERAL)[1:-1])
            else:
                parts.append(self._match(_BARE))
            self._ws()
            if self.i < self.n and self.t[self.i] == ".":
                self.i += 1
                continue
            return parts

    def _match(self, pattern: re.Pattern[str]) -> str:
        found = pattern.match(self.t, self.i)
        if found is None:
            raise ValueError("unexpected text")
        self._to(found.end())
        return found.group()

    def _pair(self, table: str, depth: int) -> None:
        """`key = value` at the cursor, inside `table`."""
        parts = self._key()
        path = table
        for part in parts[:-1]:  # dotted keys make tables on the way
            path = _join(path, part)
            self.lines.setdefault(path, self.line)
        self._ws()
        self._expect("=")
        self._ws()
        self._value(_join(path, parts[-1]), depth)

    def _value(self, path: str, depth: int) -> None:
        self._count(depth)
        self.lines[path] = self.line
        t, i = self.t, self.i
        if t.startswith('"""', i):
            self._match(_ML_BASIC)
        elif t.startswith("'''", i):
            self._match(_ML_LITERAL)
        elif t[i] == '"':
            self._match(_BASIC)
        elif t[i] == "'":
            self._match(_LITERAL)
        elif t[i] == "[":
            self.i += 1
            index = 0
            while True:
                self._trivia()
                if t[self.i] == "]":
                    self.i += 1
                    return
                self._value(f"{path}[{index}]", depth + 1)
                index += 1
                self._trivia()
                if t[self.i] == ",":
                    self.i += 1
                elif t[self.i] != "]":
                    raise ValueError("expected ',' or ']'")
        elif t[i] == "{":
            self.i += 1
            while True:
                self._trivia()
                if t[self.i] == "}":
                    self.i += 1
                    return
                self._pair(path, depth + 1)
                self._trivia()
                if t[self.i] == ",":
                    self.i += 1
                elif t[self.i] != "}":
                    raise ValueError("expected ',' or '}'")
        else:
            self._match(_SCALAR)
