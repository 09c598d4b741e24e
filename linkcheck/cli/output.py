"""Writing a report through a formatter: to standard output, or atomically to a file.

A file is written to a temporary file in the same folder, flushed and fsynced, then renamed
over the target: a dashboard reading the target never sees half a report, and a failed write
leaves the previous report in place.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from typing import TextIO

from linkcheck.formats import Formatter, RenderOptions
from linkcheck.models import Report

__all__ = ["STDOUT", "atomic_text_file", "write_output"]

STDOUT = "-"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_text_file(path: str) -> Iterator[TextIO]:
    """A UTF-8 text file that replaces `path` only when the block completes without error.
    Raises OSError (e.g. the folder does not exist) before the block runs if it cannot start."""
    target = os.path.abspath(path)
    directory, name = os.path.split(target)
    try:
        mode = os.stat(target).st_mode & 0o7777
    except OSError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    try:
        # backslashreplace: a lone surrogate (an undecodable file name) can never fail the write
        with os.fdopen(
            fd, "w", encoding="utf-8", errors="backslashreplace", newline="\n", buffering=1 << 16
        ) as fh:
            with contextlib.suppress(OSError, AttributeError):  # fchmod is POSIX-only
                os.fchmod(fh.fileno(), mode)
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError, AttributeError):  # make the rename durable, if possible
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def write_output(
    formatter: Formatter, report: Report, target: str | TextIO, *, options: RenderOptions
) -> None:
    """Write `report` in `formatter`'s format to a path ("-": `stdout` is the caller's stream,
    so pass the stream itself) or an open stream. OSError is the caller's to report."""
    if isinstance(target, str):
        with atomic_text_file(target) as fh:
            formatter.write(report, fh, options=options)
    else:
        formatter.write(report, target, options=options)
        target.flush()
