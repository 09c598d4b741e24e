"""Input stage: find article files and read each into an `Article` (or an `ArticleProblem`).

`Discovery` walks folders and names each file for the report (relative to the input folder it
was found under, so the names do not depend on how the input was spelled); `read_article`
never raises. The text is split into front matter (YAML `---`, TOML `+++` or a JSON `{`
object) and body by `article_text.parse_text`.

Line endings: CRLF and lone CR are read as LF before anything else, so every line number
(YAML errors, `Article.body_line`, field lines) is a line number of the file as an editor
shows it. A UTF-8 BOM at the start is dropped.

Field lines: `Article.front_matter` is a `FrontMatter`, a plain `dict` subclass that also
knows the file line of each field (`field_line(article, "related[0].webUrl")`).
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import PurePath

from linkcheck.collect.article_text import MAX_FRONT_MATTER_BYTES, parse_text
from linkcheck.collect.front_matter import (
    MAX_YAML_NODES,
    FrontMatter,
    converted_from,
    field_line,
)
from linkcheck.errors import InputError
from linkcheck.models import Article, ArticleProblem, ProblemReason

__all__ = [
    "InputError",
    "Discovery",
    "FrontMatter",
    "MAX_YAML_NODES",
    "MAX_FRONT_MATTER_BYTES",
    "MAX_FILE_BYTES",
    "discover",
    "no_files_message",
    "read_article",
    "parse_article",
    "field_line",
    "converted_from",
    "parse_text",
]

DEFAULT_GLOBS: tuple[str, ...] = ("*.md", "*.markdown", "*.txt")
MAX_FILE_BYTES = 5 * 1024 * 1024  # a larger file is not read: `too_large`


# --------------------------------------------------------------------------- discovery


class Discovery:
    """The article files under `paths`, each with the name the report gives it.

    Iterating yields `(path to open, name)` pairs. Names are stable however the input was
    spelled (`lib`, `./lib/`, `/srv/lib` give the same names), with "/" as separator:

    * a file found in a folder given as input: its path relative to that folder (`x.md`,
      `sub/y.md`); when several folders are given, prefixed with the folder's name (`en/x.md`,
      `fr/x.md`), or with as many of its last path components as it takes to tell the folders
      apart (`/srv/en/content` and `/srv/fr/content` give `en/content/...`, `fr/content/...`);
    * a file given as input: its path relative to the current directory when it is below it,
      else its absolute path.

    Every path is checked when the Discovery is made: a missing path, one that is neither a
    regular file nor a folder, or a folder that cannot be listed raises `InputError`. Folders
    are walked in sorted order (a folder's files, then its sub-folders), following symlinks
    but never entering a folder twice (loops). Hidden entries (name starting with ".") are
    skipped inside walked folders. Globs match the file name case-insensitively. Each file is
    yielded once (the first input it is found under names it). A sub-folder that cannot be
    listed is yielded itself, so that `read_article` reports it as unreadable.

    After a complete iteration, `empty` lists the folders given in which no file matched.
    """

    def __init__(self, paths: Sequence[str], globs: Sequence[str] = DEFAULT_GLOBS) -> None:
        for path in paths:
            _check_input(path)
        self.paths = list(paths)
        self.globs = tuple(globs)
        self.labels = _root_labels([p for p in self.paths if os.path.isdir(p)])
        self.empty: list[str] = []

    def __iter__(self) -> Iterator[tuple[str, str]]:
        lowered = tuple(g.lower() for g in self.globs)
        seen_files: set[str] = set()
        seen_dirs: set[tuple[int, int]] = set()
        self.empty = []
        for path in self.paths:
            if not os.path.isdir(path):
                key = os.path.realpath(path)
                if key not in seen_files:
                    seen_files.add(key)
                    yield path, _file_name(path)
                continue
            label = self.labels.get(path, "")
            prefix = os.path.join(path, "")
            matched = 0
            for found in _walk(path, lowered, seen_dirs):
                matched += 1
                key = os.path.realpath(found)
                if key not in seen_files:
                    seen_files.add(key)
                    yield found, _name_under(found, path, prefix, label)
            if not matched and not _covered(path, seen_files):
                self.empty.append(path)


def discover(paths: Sequence[str], globs: Sequence[str] = DEFAULT_GLOBS) -> Iterator[str]:
    """Yield the article files to open (see `Discovery`; this is its paths without names).
    Raises `InputError` at once for an unusable input."""
    found = Discovery(paths, globs)
    return (path for path, _ in found)


def no_files_message(folders: Sequence[str], globs: Sequence[str]) -> str:
    """What to tell a person when folders given hold no article file at all."""
    shown = []
    for folder in folders:
        full = os.path.abspath(folder)
        shown.append(folder if os.path.normpath(folder) == full else f"{folder} ({full})")
    where = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
    them = "it" if len(shown) == 1 else "each"
    return (
        f"no article files ({', '.join(globs)}) found under {where}: is {them} mounted, and do "
        "its files match those patterns (--glob)? Nothing was checked."
    )


def _check_input(path: str) -> None:
    if not os.path.lexists(path):
        raise InputError(f"{path}: no such file or directory")
    if not os.path.exists(path):
        raise InputError(f"{path}: broken symbolic link")
    if os.path.isdir(path):
        try:
            with os.scandir(path):
                pass
        except OSError as exc:
            raise InputError(f"{path}: cannot list this folder: {exc.strerror or exc}") from None
    elif not os.path.isfile(path):
        raise InputError(f"{path}: not a regular file or directory")


def _posix(path: str) -> str:
    return path if os.sep == "/" else path.replace(os.sep, "/")


def _file_name(path: str) -> str:
    """A file given as input: relative to the current directory if below it, else absolute."""
    full = os.path.abspath(path)
    here = os.path.join(os.getcwd(), "")
    return _posix(full[len(here) :] if full.startswith(here) else full)


def _name_under(found: str, root: str, prefix: str, label: str) -> str:
    rel = found[len(prefix) :] if found.startswith(prefix) else os.path.relpath(found, root)
    rel = _posix(rel)
    return f"{label}/{rel}" if label else rel


def _root_labels(folders: Sequence[str]) -> dict[str, str]:
    """Folder as given -> the prefix of its files' names: none for a single folder; else the
    fewest last path components that tell every folder apart."""
    full = {f: os.path.abspath(f) for f in folders}
    distinct = set(full.values())
    if len(distinct) < 2:
        return {}
    parts = {p: PurePath(p).parts[1:] or (p,) for p in distinct}
    for k in range(1, max(len(v) for v in parts.values()) + 1):
        label = {p: "/".join(v[-k:]) for p, v in parts.items()}
        if len(set(label.values())) == len(distinct):
            break
    else:  # only folders whose paths are suffixes of each other: full paths tell them apart
        label = {p: _posix(p).lstrip("/") for p in distinct}
    return {f: label[p] for f, p in full.items()}


def _covered(folder: str, seen_files: set[str]) -> bool:
    """A folder already walked under an earlier input: does it hold a file found there?"""
    inside = os.path.join(os.path.realpath(folder), "")
    return any(f.startswith(inside) for f in seen_files)


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


def read_article(
    path: str, *, name: str | None = None, max_bytes: int = MAX_FILE_BYTES
) -> Article | ArticleProblem:
    """Read and parse one article. Never raises: every failure is an `ArticleProblem`.
    `name` is what the report calls the file (`Article.path`, `ArticleProblem.file`; see
    `Discovery`); by default `path` as given."""
    shown = path if name is None else name
    try:
        return _read(path, shown, max_bytes)
    except Exception as exc:  # noqa: BLE001 - the contract is "never raises"
        return ArticleProblem(
            shown, ProblemReason.UNREADABLE, f"unexpected error: {type(exc).__name__}: {exc}"
        )


def parse_article(name: str, text: str) -> Article | ArticleProblem:
    """An article held in memory, parsed exactly as a file called `name` holding `text` is read
    (a leading BOM dropped, CRLF and CR read as LF). Never raises."""
    try:
        return parse_text(
            name, text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        )
    except Exception as exc:  # noqa: BLE001 - the contract is "never raises"
        return ArticleProblem(
            name, ProblemReason.UNREADABLE, f"unexpected error: {type(exc).__name__}: {exc}"
        )


def _read(path: str, name: str, max_bytes: int) -> Article | ArticleProblem:
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > max_bytes:
                return _too_large(name, size, max_bytes)
            # the size fstat gave, and a byte more to see a file that grew since: asking for
            # max_bytes at once allocates that much for every file (a third of the reading I/O)
            data = fh.read(size + 1)
            if len(data) > size:
                data += fh.read(max_bytes + 1 - len(data))
    except OSError as exc:
        return ArticleProblem(name, ProblemReason.UNREADABLE, f"cannot read: {exc.strerror or exc}")
    if len(data) > max_bytes:
        return _too_large(name, len(data), max_bytes)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return ArticleProblem(
            name,
            ProblemReason.NOT_UTF8,
            f"not valid UTF-8: byte 0x{data[exc.start]:02x} at byte offset {exc.start} "
            f"(line {line}): {exc.reason}",
            line=line,
        )
    parsed = parse_article(name, text)
    if isinstance(parsed, Article):
        return replace(parsed, content_hash=hashlib.sha256(data).hexdigest())
    return parsed


def _too_large(path: str, size: int, max_bytes: int) -> ArticleProblem:
    return ArticleProblem(
        path,
        ProblemReason.TOO_LARGE,
        f"file is larger than the {max_bytes}-byte limit ({size} bytes or more)",
    )
