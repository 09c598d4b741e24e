"""Atomic file writing, shared by every format and the CLI (one implementation)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from typing import BinaryIO

__all__ = ["atomic_file"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_file(path: str) -> Iterator[BinaryIO]:
    """A binary file that replaces `path` only when the block completes without error.

    Written to a temporary file in the same folder, flushed and fsynced, then renamed over
    the target: a reader of the target never sees half a file, and a failed write leaves the
    previous file in place. Raises OSError before the block runs if it cannot start."""
    if path == "-":
        raise ValueError('atomic_file() writes files; the caller handles "-" (stdout)')
    target = os.path.abspath(path)
    directory, name = os.path.split(target)
    try:
        mode = os.stat(target).st_mode & 0o7777
    except OSError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb", buffering=1 << 16) as f:
            with contextlib.suppress(OSError, AttributeError):  # fchmod is POSIX-only
                os.fchmod(f.fileno(), mode)
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    # Make the rename itself durable (best effort; not possible on every platform).
    with contextlib.suppress(OSError, AttributeError):
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
