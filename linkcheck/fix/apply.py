"""`fix_library`: a report's fixes, file by file: locate, check the hash, edit, and (when asked)
write. Never prints; every file-level failure is a value (`FileFix.problem`)."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass, field

from linkcheck.errors import InputError
from linkcheck.fix.edit import Skip, edit_text
from linkcheck.fix.files import Locator, read_file, sha256, write_file
from linkcheck.fix.lines import Lines
from linkcheck.fix.plan import FilePlan, plan_fixes
from linkcheck.models import Report

__all__ = ["FileFix", "FixRun", "fix_library", "unified_diff"]

CHANGED_SINCE = "changed since the report: run linkcheck again"


@dataclass(slots=True)
class FileFix:
    """What happened to one file the report asks to fix."""

    name: str  # as the report names it
    path: str | None = None  # where it was found
    old: str = ""
    new: str = ""
    sizes: int = 0
    urls: int = 0
    skipped: list[Skip] = field(default_factory=list)
    problem: str | None = None  # why the whole file was left alone
    written: bool = False

    @property
    def changed(self) -> bool:
        return self.problem is None and self.new != self.old


@dataclass(slots=True)
class FixRun:
    files: list[FileFix]

    @property
    def changed(self) -> list[FileFix]:
        return [f for f in self.files if f.changed]

    @property
    def problems(self) -> list[FileFix]:
        return [f for f in self.files if f.problem is not None]

    @property
    def skipped(self) -> Iterator[tuple[FileFix, Skip]]:
        return ((f, s) for f in self.files for s in f.skipped)

    def count(self, what: str) -> int:
        return sum(getattr(f, what) for f in self.files if f.changed)


def _fix_one(
    plan: FilePlan, locate: Locator, hashes: dict[str, str], *, write: bool, force: bool
) -> FileFix:
    out = FileFix(plan.name)
    try:
        out.path = locate(plan.name)
    except InputError as exc:
        out.problem = str(exc)
        return out
    try:
        data = read_file(out.path)
    except OSError as exc:
        out.problem = f"cannot read {out.path}: {exc.strerror or exc}"
        return out
    expected = hashes.get(plan.name)
    if expected is None and not force:
        out.problem = (
            "the report has no content hash for this file (a report of linkcheck 0.2 or "
            "older): run linkcheck again, or pass --force to fix it anyway"
        )
        return out
    if expected is not None and sha256(data) != expected:
        out.problem = f"{out.path}: {CHANGED_SINCE}"
        return out
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        out.problem = f"{out.path} is not valid UTF-8"
        return out
    try:
        edited = edit_text(plan.name, text, plan)
    except Exception as exc:  # noqa: BLE001 - a bug here must not stop the other files
        out.problem = (
            f"internal error while editing (please report it): {type(exc).__name__}: {exc}"
        )
        return out
    out.old, out.new = text, edited.text
    out.sizes, out.urls, out.skipped = edited.sizes, edited.urls, edited.skipped
    if write and out.changed:
        try:
            write_file(out.path, out.new.encode("utf-8"))
            out.written = True
        except OSError as exc:
            out.problem = f"cannot write {out.path}: {exc.strerror or exc}"
    return out


def fix_library(
    report: Report,
    *,
    report_path: str | None = None,
    root: str | None = None,
    only: str | None = None,
    write: bool = False,
    force: bool = False,
) -> FixRun:
    """Plan the report's fixes and make them in memory (and on disk with `write`). Raises
    `InputError` when the report's files cannot be located at all."""
    plans = plan_fixes(report, only)
    if not plans:
        return FixRun([])
    locate = Locator(report.run.inputs, report_path=report_path, root=root)
    hashes = dict(report.file_hashes)
    return FixRun([_fix_one(p, locate, hashes, write=write, force=force) for p in plans.values()])


def unified_diff(fix: FileFix) -> list[str]:
    """The change of one file as unified-diff lines (`a/<name>`, `b/<name>`), each ending in
    a newline; a last line without one is marked as diff(1) and git do."""
    lines: list[str] = []
    for line in difflib.unified_diff(
        _with_endings(fix.old),
        _with_endings(fix.new),
        f"a/{fix.name}",
        f"b/{fix.name}",
    ):
        if line.endswith("\n"):
            lines.append(line)
        else:
            lines += [line + "\n", "\\ No newline at end of file\n"]
    return lines


def _with_endings(text: str) -> list[str]:
    """Lines as the reader counts them (LF, CRLF, CR; not str.splitlines' other breaks)."""
    lines = Lines(text)
    return [c + e for c, e in zip(lines.content, lines.endings, strict=True) if c or e]
