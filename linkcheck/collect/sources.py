"""Input stage: find article files and read each into an `Article` (or an `ArticleProblem`).

`discover` walks folders; `read_article` never raises. Front matter is YAML between a first
line `---` and the next `---` line, parsed with python-frontmatter's YAML handler and its
safe loader (libyaml's `CSafeLoader` when PyYAML was built with it), subclassed to refuse
alias bombs: after composing the node graph (shared nodes for aliases, nothing expanded yet)
we count the nodes the document would expand to, memoised per node, before constructing any
Python object. Recursive aliases are refused too.

Line endings: CRLF and lone CR are read as LF before anything else, so every line number
(YAML errors, `Article.body_line`, field lines) is a line number of the file as an editor
shows it. A UTF-8 BOM at the start is dropped.

Field lines: `Article.front_matter` is a `FrontMatter`, a plain `dict` subclass that also
knows the file line of each scalar field (`field_line(article, "related[0].webUrl")`).
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import yaml
from frontmatter.default_handlers import SafeLoader, YAMLHandler

from linkcheck.errors import InputError
from linkcheck.models import Article, ArticleProblem, ProblemReason

__all__ = [
    "InputError",
    "FrontMatter",
    "MAX_YAML_NODES",
    "discover",
    "read_article",
    "field_line",
]

DEFAULT_GLOBS: tuple[str, ...] = ("*.md", "*.markdown", "*.txt")
MAX_YAML_NODES = 100_000  # nodes after alias expansion; a real article has a few hundred
_DELIMITER = re.compile(r"-{3,}[ \t]*")


class FrontMatter(dict):  # type: ignore[type-arg]
    """The parsed front-matter mapping, plus the 1-based file line of each scalar field path."""

    lines: dict[str, int]

    def __init__(self, data: Mapping[Any, Any], lines: dict[str, int] | None = None) -> None:
        super().__init__(data)
        self.lines = lines or {}


def field_line(article: Article, path: str) -> int | None:
    """The file line where front-matter field `path` (e.g. `images[0].url`) is written."""
    lines: Mapping[str, int] = getattr(article.front_matter, "lines", {})
    return lines.get(path)


# --------------------------------------------------------------------------- discovery


def discover(paths: Sequence[str], globs: Sequence[str] = DEFAULT_GLOBS) -> Iterator[str]:
    """Yield article files: explicit files as given, folders walked recursively.

    Every path is checked before anything is yielded: a missing path, or one that is neither a
    regular file nor a folder, raises `InputError`. Folders are walked in sorted order (a
    folder's files, then its sub-folders), following symlinks but never entering a folder
    twice (loops). Hidden entries (name starting with ".") are skipped inside walked folders.
    Globs match the file name case-insensitively. Each file is yielded once. A sub-folder that
    cannot be listed is yielded itself, so that `read_article` reports it as unreadable.
    """
    for path in paths:
        if not os.path.lexists(path):
            raise InputError(f"{path}: no such file or directory")
        if not os.path.exists(path):
            raise InputError(f"{path}: broken symbolic link")
        if not (os.path.isdir(path) or os.path.isfile(path)):
            raise InputError(f"{path}: not a regular file or directory")
    lowered = tuple(g.lower() for g in globs)
    return _walk_all(list(paths), lowered)


def _walk_all(paths: list[str], globs: tuple[str, ...]) -> Iterator[str]:
    seen_files: set[str] = set()
    seen_dirs: set[tuple[int, int]] = set()
    for path in paths:
        if os.path.isdir(path):
            for found in _walk(path, globs, seen_dirs):
                key = os.path.realpath(found)
                if key not in seen_files:
                    seen_files.add(key)
                    yield found
        else:
            key = os.path.realpath(path)
            if key not in seen_files:
                seen_files.add(key)
                yield path


def _walk(top: str, globs: tuple[str, ...], seen_dirs: set[tuple[int, int]]) -> Iterator[str]:
    try:
        st = os.stat(top)
    except OSError:
        yield top
        return
    ident = (st.st_dev, st.st_ino)
    if ident in seen_dirs:
        return
    seen_dirs.add(ident)
    try:
        with os.scandir(top) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError:
        yield top
        return
    subdirs: list[str] = []
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            if entry.is_dir():  # follows symlinks
                subdirs.append(entry.path)
                continue
            mode = entry.stat().st_mode
        except OSError:
            continue  # vanished or a broken symlink
        name = entry.name.lower()
        if stat.S_ISREG(mode) and any(fnmatch.fnmatchcase(name, g) for g in globs):
            yield entry.path
    for sub in subdirs:
        yield from _walk(sub, globs, seen_dirs)


# --------------------------------------------------------------------------- YAML


class _BoundedLoader(SafeLoader):  # type: ignore[misc,valid-type]
    """python-frontmatter's safe loader, refusing documents that expand past MAX_YAML_NODES."""

    check_aliases = True

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        if self.check_aliases:
            _check_expansion(node)
        data = self.construct_document(node)
        if isinstance(data, dict):
            return FrontMatter(data, _field_lines(node))
        return data


class _AliasFreeLoader(_BoundedLoader):
    """For front matter without a '*' anywhere: it cannot contain an alias, so it cannot expand
    (the expansion walk costs as much as parsing; most articles have no aliases at all)."""

    check_aliases = False


class _Refused(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line  # 0-based within the front matter


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_expansion(root: yaml.Node) -> None:
    """Count the nodes `root` expands to, memoised per node (iterative: no recursion limit)."""
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
                raise _Refused(
                    f"front matter expands to more than {MAX_YAML_NODES} nodes "
                    "(YAML alias expansion)",
                    node.start_mark.line,
                )
            sizes[key] = total
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise _Refused("recursive YAML alias (a node contains itself)", node.start_mark.line)
        on_path.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) not in sizes:
                if id(child) in on_path:
                    raise _Refused(
                        "recursive YAML alias (a node contains itself)", child.start_mark.line
                    )
                stack.append((child, False))


def _field_lines(root: yaml.Node) -> dict[str, int]:
    """Field path -> 0-based line of every node in the tree (collections: their first line)."""
    lines: dict[str, int] = {}
    stack: list[tuple[str, yaml.Node]] = [("", root)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            for key, value in reversed(node.value):
                name = str(key.value) if isinstance(key, yaml.ScalarNode) else "?"
                stack.append((f"{path}.{name}" if path else name, value))
        elif isinstance(node, yaml.SequenceNode):
            for i in range(len(node.value) - 1, -1, -1):
                stack.append((f"{path}[{i}]", node.value[i]))
        if path:
            lines.setdefault(path, node.start_mark.line)
    return lines


# --------------------------------------------------------------------------- reading


def read_article(path: str, *, max_bytes: int = 5 * 1024 * 1024) -> Article | ArticleProblem:
    """Read and parse one article. Never raises: every failure is an `ArticleProblem`."""
    try:
        return _read(path, max_bytes)
    except Exception as exc:  # noqa: BLE001 - the contract is "never raises"
        return ArticleProblem(
            path, ProblemReason.UNREADABLE, f"unexpected error: {type(exc).__name__}: {exc}"
        )


def _read(path: str, max_bytes: int) -> Article | ArticleProblem:
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > max_bytes:
                return _too_large(path, size, max_bytes)
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        return ArticleProblem(path, ProblemReason.UNREADABLE, f"cannot read: {exc.strerror or exc}")
    if len(data) > max_bytes:
        return _too_large(path, len(data), max_bytes)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return ArticleProblem(
            path,
            ProblemReason.NOT_UTF8,
            f"not valid UTF-8: byte 0x{data[exc.start]:02x} at byte offset {exc.start} "
            f"(line {line}): {exc.reason}",
            line=line,
        )
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return _parse(path, text)


def _too_large(path: str, size: int, max_bytes: int) -> ArticleProblem:
    return ArticleProblem(
        path,
        ProblemReason.TOO_LARGE,
        f"file is larger than the {max_bytes}-byte limit ({size} bytes or more)",
    )


def _parse(path: str, text: str) -> Article | ArticleProblem:
    lines = text.split("\n")
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1  # python-frontmatter tolerates leading blank lines; so do we
    if start == len(lines) or not _DELIMITER.fullmatch(lines[start]):
        return ArticleProblem(
            path,
            ProblemReason.NO_FRONT_MATTER,
            "no front matter: the first line is not '---'"
            if start < len(lines)
            else "no front matter: the file is empty",
            line=start + 1 if start < len(lines) else None,
        )
    end = next((i for i in range(start + 1, len(lines)) if _DELIMITER.fullmatch(lines[i])), None)
    if end is None:
        return ArticleProblem(
            path,
            ProblemReason.NO_FRONT_MATTER,
            f"front matter opened with '---' on line {start + 1} is never closed",
            line=start + 1,
        )
    fm_first = start + 2  # file line of the first front-matter line
    fm_text = "\n".join(lines[start + 1 : end])
    try:
        loader = _BoundedLoader if "*" in fm_text else _AliasFreeLoader
        data = YAMLHandler().load(fm_text, Loader=loader)
    except _Refused as exc:
        line = None if exc.line is None else exc.line + fm_first
        return ArticleProblem(path, ProblemReason.TOO_LARGE, f"{exc} (line {line})", line=line)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = None if mark is None else mark.line + fm_first
        where = "" if mark is None else f" at line {line}, column {mark.column + 1}"
        what = " ".join(p for p in (exc.context, exc.problem) if p) or str(exc)
        return ArticleProblem(
            path, ProblemReason.INVALID_YAML, f"invalid YAML{where}: {what}", line=line
        )
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        # e.g. a timestamp like 2020-13-45 fails in the constructor with a ValueError
        return ArticleProblem(
            path, ProblemReason.INVALID_YAML, f"invalid YAML: {type(exc).__name__}: {exc}"
        )
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {_yaml_type(data)}"
        return ArticleProblem(
            path,
            ProblemReason.NOT_A_MAPPING,
            f"front matter (lines {start + 1}-{end + 1}) is {kind}, expected a mapping of fields",
            line=start + 2,
        )
    fm_lines = getattr(data, "lines", {})
    front = FrontMatter(data, {k: v + fm_first for k, v in fm_lines.items()})
    title = front.get("title")
    return Article(
        path=path,
        title=title if isinstance(title, str) else None,
        front_matter=front,
        body="\n".join(lines[end + 1 :]),
        body_line=end + 2,
    )


def _yaml_type(value: object) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__
