"""One run per state store: an exclusive `fcntl.flock` on a lock file beside the store.

The kernel drops the lock when its holder exits, however it exits (SIGKILL, power loss of the
process), so a killed run never leaves a stale lock behind. The holder writes its pid and start
time into the file so the next run can say who holds it.
"""

from __future__ import annotations

import fcntl
import os
from datetime import UTC, datetime

from linkcheck.errors import StateError, StateLockedError

__all__ = ["LOCK_SUFFIX", "StoreLock"]

LOCK_SUFFIX = ".lock"


class StoreLock:
    """The lock of the store at `store_path` (the file is `<store_path>.lock`)."""

    def __init__(self, store_path: str) -> None:
        self.store_path = store_path
        self.path = store_path + LOCK_SUFFIX
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def try_acquire(self) -> bool:
        """Take the lock if it is free (never blocks); False when another process holds it."""
        if self._fd is not None:
            return True
        folder = os.path.dirname(os.path.abspath(self.path))
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError as exc:
            why = "a file of that name is in the way" if os.path.isfile(folder) else exc.strerror
            raise StateError(
                f"cannot create the folder {folder} for the state store {self.store_path}: "
                f"{why or exc}; use --state elsewhere or --no-state"
            ) from exc
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise StateError(
                f"cannot create the lock file {self.path} of the state store: "
                f"{exc.strerror or exc}; use --state elsewhere or --no-state"
            ) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        except OSError as exc:
            os.close(fd)
            raise StateError(
                f"cannot lock {self.path} (the state store's lock file): "
                f"{exc.strerror or exc}; use --state elsewhere or --no-state"
            ) from exc
        self._fd = fd
        started = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"pid {os.getpid()} since {started}\n".encode())
        except OSError:
            pass  # the note is a courtesy; the lock itself is what matters
        return True

    def holder(self) -> str:
        """Who holds the lock, as its holder wrote it ("pid 123 since ..."), or ""."""
        try:
            with open(self.path, encoding="utf-8", errors="replace") as f:
                return f.read(200).strip()
        except OSError:
            return ""

    def locked_error(self, waited: bool = False) -> StateLockedError:
        who = self.holder()
        by = f" ({who})" if who else ""
        if waited:
            return StateLockedError(
                f"the state store {self.store_path} is still held by another linkcheck run{by}; "
                "stopped waiting for it"
            )
        return StateLockedError(
            f"the state store {self.store_path} is in use by another linkcheck run{by}. "
            "Run with --wait-lock to queue behind it, or --state another file"
        )

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)
