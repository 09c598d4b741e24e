"""Before any file is read or any request made: can every file output be written?

A run may take hours; an `--output` in a folder that does not exist, or that this user cannot
write, must stop it at once (exit 2), not after the whole run. Each file target's folder must
exist and take a new file: a temporary file is created beside the target (the way the report
is written: a temporary file renamed over the target) and removed again. Streams (standard
output) are not checked.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable

from linkcheck.cli.outputs import Target
from linkcheck.formats import Formatter

__all__ = ["unwritable", "why_unwritable"]


def why_unwritable(path: str) -> str | None:
    """Why a report could not be written to `path`, or None when it can."""
    target = os.path.abspath(path)
    folder, name = os.path.split(target)
    if not os.path.exists(folder):
        return f"the folder {folder} does not exist"
    if not os.path.isdir(folder):
        return f"{folder} is not a folder"
    if os.path.isdir(target):
        return "it is a folder"
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".check", dir=folder)
    except OSError as exc:
        return f"cannot create a file in {folder}: {exc.strerror or exc}"
    os.close(fd)
    try:
        os.unlink(tmp)
    except OSError as exc:  # created but not removable: writing would leave litter too
        return f"cannot remove a test file from {folder}: {exc.strerror or exc}"
    return None


def unwritable(outputs: Iterable[tuple[Formatter, Target]]) -> list[str]:
    """A line for each file output that cannot be written (none: all can)."""
    problems = []
    for formatter, target in outputs:
        if not isinstance(target, str):
            continue
        why = why_unwritable(target)
        if why is not None:
            what = "the report" if formatter.name == "json" else f"the {formatter.name} report"
            problems.append(f"cannot write {what} to {target}: {why}")
    return problems
