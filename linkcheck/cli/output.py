"""Writing a report through a formatter: to standard output, or atomically to a file.

A file is written to a temporary file in the same folder, flushed and fsynced, then renamed
over the target: a dashboard reading the target never sees half a report, and a failed write
leaves the previous report in place.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from typing import TextIO

from linkcheck.formats import Formatter, RenderOptions
from linkcheck.formats.atomic import atomic_file
from linkcheck.models import Report

__all__ = ["STDOUT", "atomic_text_file", "write_output"]

STDOUT = "-"


@contextlib.contextmanager
def atomic_text_file(path: str) -> Iterator[TextIO]:
    """A UTF-8 text file that replaces `path` only when the block completes without error
    (`formats.atomic.atomic_file`). Raises OSError before the block runs if it cannot start."""
    with atomic_file(path) as raw:
        # backslashreplace: a lone surrogate (an undecodable file name) can never fail the write
        fh = io.TextIOWrapper(raw, encoding="utf-8", errors="backslashreplace", newline="\n")
        try:
            yield fh
            fh.flush()
        finally:
            fh.detach()  # the binary file is flushed, fsynced and closed by atomic_file


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
