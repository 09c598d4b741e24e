"""Input stage: find article files and read each into an `Article` (or an `ArticleProblem`).

`discover` walks folders; `read_article` never raises. Front matter is YAML between a first
line `---` and the next `---` line, parsed by `front_matter.load` (safe loader, alias bombs
refused, values made JSON-safe, the file line of every field kept).

Line endings: CRLF and lone CR are read as LF before anything else, so every line number
(YAML errors, `Article.body_line`, field lines) is a line number of the file as an editor
shows it. A UTF-8 BOM at the start is dropped.

Field lines: `Article.front_matter` is a `FrontMatter`, a plain `dict` subclass that also
knows the file line of each field (`field_line(article, "related[0].webUrl")`).
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from collections.abc import Iterator, Sequence

import yaml

from linkcheck.collect.front_matter import (
    MAX_YAML_NODES,
    FrontMatter,
    Refused,
    converted_from,
    field_line,
    load,
)
from linkcheck.errors import InputError
from linkcheck.models import Article, ArticleProblem, ProblemReason

__all__ = [
    "InputError",
    "FrontMatter",
    "MAX_YAML_NODES",
    "discover",
    "read_article",
    "parse_article",
    "field_line",
    "converted_from",
]

DEFAULT_GLOBS: tuple[str, ...] = ("*.md", "*.markdown", "*.txt")
_DELIMITER = re.compile(r"-{3,}[ \t]*")


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


# --------------------------------------------------------------------------- reading


def read_article(path: str, *, max_bytes: int = 5 * 1024 * 1024) -> Article | ArticleProblem:
    """Read and parse one article. Never raises: every failure is an `ArticleProblem`."""
    try:
        return _read(path, max_bytes)
    except Exception as exc:  # noqa: BLE001 - the contract is "never raises"
        return ArticleProblem(
            path, ProblemReason.UNREADABLE, f"unexpected error: {type(exc).__name__}: {exc}"
        )


def parse_article(name: str, text: str) -> Article | ArticleProblem:
    """An article held in memory, parsed exactly as a file called `name` holding `text` is read
    (a leading BOM dropped, CRLF and CR read as LF). Never raises."""
    try:
        return _parse(name, text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n"))
    except Exception as exc:  # noqa: BLE001 - the contract is "never raises"
        return ArticleProblem(
            name, ProblemReason.UNREADABLE, f"unexpected error: {type(exc).__name__}: {exc}"
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
    return parse_article(path, text)


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
        data = load(fm_text)
    except Refused as exc:
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
    if not isinstance(data, FrontMatter):
        kind = "empty" if data is None else f"a {_yaml_type(data)}"
        return ArticleProblem(
            path,
            ProblemReason.NOT_A_MAPPING,
            f"front matter (lines {start + 1}-{end + 1}) is {kind}, expected a mapping of fields",
            line=start + 2,
        )
    front = FrontMatter(data, {k: v + fm_first for k, v in data.lines.items()}, data.converted)
    title = front.get("title")
    return Article(
        path=path,
        title=title if isinstance(title, str) and "title" not in front.converted else None,
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
