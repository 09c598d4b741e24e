"""Front matter: YAML text in, a JSON-safe mapping that knows each field's file line out.
(TOML and JSON front matter: `front_matter_toml`, `front_matter_json`, which build the same
`FrontMatter` with the same field paths and bounds.)

Parsed with python-frontmatter's safe loader (libyaml's `CSafeLoader` when PyYAML was built
with it), subclassed to refuse alias bombs: after composing the node graph (shared nodes for
aliases, nothing expanded yet) we count the nodes the document would expand to, memoised per
node, before constructing any Python object. Recursive aliases are refused too.

JSON-safe: YAML can construct values that JSON (and the later stages) have no place for. They
are converted where the YAML enters, so nothing downstream meets them:

* keys become strings (`1` -> "1", `null` -> "null", `true` -> "true", a date -> "2024-01-02");
* dates and timestamps become ISO 8601 text, `!!binary` its base64 text, `.nan`/`.inf`/`-.inf`
  those spellings, and a `!!set` the sorted list of its members (sets have no order).

What each converted value was is kept (`FrontMatter.converted`, field path -> "a date", ...),
so a URL field written as a date is still reported as the wrong type, not as a bad URL.

One pass: a node tree without shared (aliased) nodes, made of plain mappings, sequences and
core scalars, is walked once into the JSON-safe dict, its field lines and its `converted` map,
without PyYAML's constructor for string scalars (almost every value). Anything else (merge
keys, `!!set`/`!!omap`/`!!pairs`, other tags, aliases, repeated keys or field paths, an
error) is read again by PyYAML's constructor, `json_safe` and `_field_lines`: the same result.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any

import yaml
from frontmatter.default_handlers import SafeLoader, YAMLHandler

from linkcheck.models import Article

__all__ = [
    "MAX_YAML_NODES",
    "FrontMatter",
    "Invalid",
    "Refused",
    "converted_from",
    "field_line",
    "json_safe",
    "load",
]

MAX_YAML_NODES = 100_000  # nodes after alias expansion; a real article has a few hundred
_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
# scalars whose SafeConstructor gives a finished value of (tag, text) alone
_CORE_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float", "binary", "timestamp")
)


class FrontMatter(dict[str, Any]):
    """The parsed, JSON-safe front-matter mapping, plus, by field path (`images[0].url`), the
    1-based file line of each field and what each converted value was written as."""

    lines: dict[str, int]
    converted: dict[str, str]

    def __init__(
        self,
        data: Mapping[str, Any],
        lines: dict[str, int] | None = None,
        converted: dict[str, str] | None = None,
    ) -> None:
        super().__init__(data)
        self.lines = lines or {}
        self.converted = converted or {}


def field_line(article: Article, path: str) -> int | None:
    """The file line where front-matter field `path` (e.g. `images[0].url`) is written."""
    lines: Mapping[str, int] = getattr(article.front_matter, "lines", {})
    return lines.get(path)


def converted_from(article: Article, path: str) -> str | None:
    """What the YAML value at `path` was before it was made JSON-safe ("a date", "binary data",
    ...); None when it was already a JSON value."""
    converted: Mapping[str, str] = getattr(article.front_matter, "converted", {})
    return converted.get(path)


class Refused(Exception):
    """The front matter is too large once its aliases are expanded, or contains itself."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line  # 0-based within the front matter


class Invalid(Exception):
    """Front matter that is not valid TOML or JSON (YAML errors are PyYAML's own)."""

    def __init__(self, fmt: str, message: str, line: int | None, column: int | None = None):
        super().__init__(message)
        self.format = fmt  # "TOML" or "JSON"
        self.line = line  # 0-based within the front matter
        self.column = column  # 1-based


def load(text: str) -> object:
    """Parse front-matter YAML: a `FrontMatter` for a mapping, else whatever the document is.
    Raises `Refused`, or PyYAML's (and its constructors') errors for invalid YAML."""
    loader = _BoundedLoader if "*" in text else _AliasFreeLoader
    return YAMLHandler().load(text, Loader=loader)


# --------------------------------------------------------------------------- JSON-safe values


def _float_text(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    return repr(value) if math.isfinite(value) else (".inf" if value > 0 else "-.inf")


def _scalar(value: object) -> tuple[object, str | None]:
    """(JSON-safe value, what it was when converted)."""
    if value is None or isinstance(value, str | bool | int):
        return value, None
    if isinstance(value, float):
        return (value, None) if math.isfinite(value) else (_float_text(value), "a number")
    if isinstance(value, datetime):
        return value.isoformat(), "a date and time"
    if isinstance(value, date):
        return value.isoformat(), "a date"
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii"), "binary data"
    return str(value), f"a {type(value).__name__}"


def key_text(key: object) -> str:
    """A mapping key as the string a JSON object (and a field path) uses."""
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, bool):
        return {None: "null", True: "true", False: "false"}[key]
    if isinstance(key, float):
        return _float_text(key)
    if isinstance(key, frozenset | tuple):
        return str(sorted(key_text(k) for k in key))
    return str(_scalar(key)[0])


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def json_safe(data: Mapping[Any, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """A JSON-safe copy of `data` (see the module doc) and {field path: what a converted value
    was}. Iterative, so the depth of the YAML is no limit. Keys that become equal ("1" and 1)
    keep the value written last, like a repeated YAML key."""
    converted: dict[str, str] = {}
    root: dict[str, Any] = {}
    stack: list[tuple[Mapping[Any, Any] | list[Any], dict[str, Any] | list[Any], str]] = [
        (data, root, "")
    ]
    while stack:
        source, target, path = stack.pop()
        pairs: list[tuple[str, str, Any]]
        if isinstance(source, Mapping):
            pairs = [(_join(path, key_text(k)), key_text(k), v) for k, v in source.items()]
        else:
            pairs = [(f"{path}[{i}]", "", v) for i, v in enumerate(source)]
        for child_path, key, value in pairs:
            new: Any
            if isinstance(value, Mapping):
                new = {}
                stack.append((value, new, child_path))
            elif isinstance(value, list):
                new = []
                stack.append((value, new, child_path))
            elif isinstance(value, set | frozenset):
                new = sorted((_scalar(v)[0] for v in value), key=lambda v: (str(type(v)), v))
                converted[child_path] = "a set"
            else:
                new, was = _scalar(value)
                if was is not None:
                    converted[child_path] = was
            if isinstance(target, dict):
                target[key] = new
            else:
                target.append(new)
    return root, converted


# --------------------------------------------------------------------------- YAML loading


class _BoundedLoader(SafeLoader):  # type: ignore[misc,valid-type]
    """python-frontmatter's safe loader, refusing documents that expand past MAX_YAML_NODES;
    a mapping comes back as a JSON-safe `FrontMatter`."""

    check_aliases = True
    one_pass = True  # the tests turn it off to compare with PyYAML's constructor

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        tree = True
        if self.check_aliases:
            tree = _check_expansion(node)
        if tree and self.one_pass:
            try:
                return self.one_pass_data(node)
            except Exception:  # noqa: BLE001 - anything unusual: PyYAML's own path below
                # a failed construction leaves its node marked as under way (a "recursive node")
                self.constructed_objects: dict[yaml.Node, Any] = {}
                self.recursive_objects: dict[yaml.Node, None] = {}
        data = self.construct_document(node)
        if isinstance(data, dict):
            safe, converted = json_safe(data)
            return FrontMatter(safe, self._field_lines(node), converted)
        return data

    def one_pass_data(self, root: yaml.Node) -> FrontMatter:
        """What the constructor, `json_safe` and `_field_lines` make of a tree `root`, in one
        walk (in document order, like `_field_lines`); raises `_Unusual` (or the constructor's
        error) where only they can tell."""
        if type(root) is not yaml.MappingNode or root.tag != _MAP_TAG:
            raise _Unusual
        mapping, sequence, scalar = yaml.MappingNode, yaml.SequenceNode, yaml.ScalarNode
        lines: dict[str, int] = {}
        converted: dict[str, str] = {}
        data = FrontMatter({})
        stack = [(self._one_pass_items(root, data, ""), data)]
        while stack:
            items, target = stack[-1]
            for key, child_path, child in items:
                kind = type(child)
                value: Any
                if kind is scalar:
                    tag = child.tag
                    if tag == _STR_TAG:
                        value = child.value
                    else:
                        value, was = self._one_pass_scalar(child, tag)
                        if was is not None:
                            converted[child_path] = was
                elif kind is mapping and child.tag == _MAP_TAG:
                    value = {}
                elif kind is sequence and child.tag == _SEQ_TAG:
                    value = []
                else:
                    raise _Unusual
                target[key] = value
                if child_path:
                    if child_path in lines:  # two fields, one path (a key "a.b" beside a: {b})
                        raise _Unusual
                    lines[child_path] = child.start_mark.line
                if kind is not scalar:
                    stack.append((self._one_pass_items(child, value, child_path), value))
                    break
            else:
                stack.pop()
        data.lines, data.converted = lines, converted
        return data

    def _one_pass_items(
        self, node: yaml.Node, target: Any, path: str
    ) -> Iterator[tuple[Any, str, yaml.Node]]:
        """(key or index in `target`, field path, node) of each child of a collection node;
        `target` gets its keys in order (mapping) or its length (list) at once."""
        if type(node) is not yaml.MappingNode:
            target.extend([None] * len(node.value))
            return iter([(i, f"{path}[{i}]", child) for i, child in enumerate(node.value)])
        items = []
        python_keys: set[object] = set()
        for key_node, child in node.value:
            if type(key_node) is yaml.ScalarNode and key_node.tag == _STR_TAG:
                key = key_node.value
            else:
                key = self._one_pass_key(key_node, python_keys)
            if key in target:  # a repeated key: the last value, but the first line
                raise _Unusual
            target[key] = None  # its place in the mapping's order
            items.append((key, f"{path}.{key}" if path else key, child))
        return iter(items)

    def _one_pass_key(self, node: yaml.Node, python_keys: set[object]) -> str:
        """A core scalar key (1, null, true, a date) as `json_safe` names it."""
        if type(node) is not yaml.ScalarNode or node.tag not in _CORE_TAGS:
            raise _Unusual
        key = self.construct_object(node)
        if key in python_keys:  # 1, 1.0 and true are one key to PyYAML
            raise _Unusual
        python_keys.add(key)
        return key_text(key)

    def _one_pass_scalar(self, node: yaml.Node, tag: str) -> tuple[object, str | None]:
        """(JSON-safe value, what it was) of a core scalar, memoised by its tag and text."""
        memo = _SCALARS.get((tag, node.value))
        if memo is None:
            if tag not in _CORE_TAGS:
                raise _Unusual
            memo = _scalar(self.construct_object(node))
            if len(_SCALARS) >= _SCALARS_MAX:
                _SCALARS.clear()
            _SCALARS[tag, node.value] = memo
        return memo

    def _key(self, node: yaml.Node) -> str:
        if not isinstance(node, yaml.ScalarNode):
            return "?"
        if node.tag == _STR_TAG:
            return str(node.value)
        try:  # 1, null, true, a date: the same text as the JSON-safe key
            return key_text(self.construct_object(node))
        except Exception:  # noqa: BLE001 - a key we cannot name only loses its line number
            return "?"

    def _field_lines(self, root: yaml.Node) -> dict[str, int]:
        """Field path -> 0-based line of every node in the tree (collections: first line)."""
        lines: dict[str, int] = {}
        stack: list[tuple[str, yaml.Node]] = [("", root)]
        while stack:
            path, node = stack.pop()
            if isinstance(node, yaml.MappingNode):
                for key, value in reversed(node.value):
                    stack.append((_join(path, self._key(key)), value))
            elif isinstance(node, yaml.SequenceNode):
                for i in range(len(node.value) - 1, -1, -1):
                    stack.append((f"{path}[{i}]", node.value[i]))
            if path:
                lines.setdefault(path, node.start_mark.line)
        return lines


class _Unusual(Exception):
    """A node tree the one-pass walk leaves to PyYAML's constructor."""


# (tag, text) -> (JSON-safe value, what it was) for core scalars: widths, flags, dates repeat
_SCALARS: dict[tuple[str, str], tuple[object, str | None]] = {}
_SCALARS_MAX = 10_000


class _AliasFreeLoader(_BoundedLoader):
    """For front matter without a '*' anywhere: it cannot contain an alias, so it cannot expand
    (the expansion walk costs as much as parsing; most articles have no aliases at all)."""

    check_aliases = False


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_expansion(root: yaml.Node) -> bool:
    """Count the nodes `root` expands to, memoised per node (iterative: no recursion limit).
    True when no node is reached twice (a tree: no alias)."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            total = 1 + sum(sizes[id(c)] for c in _children(node))
            if total > MAX_YAML_NODES:
                raise Refused(
                    f"front matter expands to more than {MAX_YAML_NODES} nodes "
                    "(YAML alias expansion)",
                    node.start_mark.line,
                )
            sizes[key] = total
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise Refused("recursive YAML alias (a node contains itself)", node.start_mark.line)
        on_path.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) not in sizes:
                if id(child) in on_path:
                    raise Refused(
                        "recursive YAML alias (a node contains itself)", child.start_mark.line
                    )
                stack.append((child, False))
    return sizes[id(root)] == len(sizes)
