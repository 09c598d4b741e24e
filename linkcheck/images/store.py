"""The bytes an image prober has been fed, and the file-like view its parsers read through.

`ByteStore` keeps sparse runs of bytes by absolute offset (a ranged request can feed bytes far
ahead of the stream). `Reader` is a read/seek file over it that raises `Need` instead of hitting
a false end of file: a parse is simply re-run when the needed bytes arrive. Bytes a parser seeks
over are pruned, so a huge JPEG APPn segment is skipped, never buffered.
"""

from __future__ import annotations

import os
from bisect import bisect_right

__all__ = ["FAR_AWAY", "ByteStore", "Need", "Reader"]

FAR_AWAY = 1 << 62  # "to the end of the body": an offset no real body reaches


class Need(Exception):
    """The parser needs bytes [offset, offset + size) that have not been fed (yet)."""

    def __init__(self, offset: int, size: int) -> None:
        super().__init__(offset, size)
        self.offset, self.size = offset, size


class ByteStore:
    """Sparse bytes by absolute offset: sorted, disjoint, non-adjacent [start, data] runs.

    There are almost always one or two runs (the stream, and a range fed further on), so a
    lookup tries the last run first and bisects only when there are many."""

    def __init__(self) -> None:
        self.runs: list[tuple[int, bytearray]] = []
        self.eof: int | None = None

    def _index(self, offset: int) -> int:
        """Index of the last run starting at or before `offset` (-1: none)."""
        runs = self.runs
        n = len(runs)
        if n and runs[-1][0] <= offset:
            return n - 1
        if n < 8:
            i = n - 1
            while i >= 0 and runs[i][0] > offset:
                i -= 1
            return i
        return bisect_right(runs, offset, key=_start) - 1

    def add(self, offset: int, data: bytes | bytearray) -> None:
        runs = self.runs
        if runs and runs[-1][0] + len(runs[-1][1]) == offset:  # the stream goes on
            runs[-1][1].extend(data)
            return
        i = self._index(offset) + 1
        if i and runs[i - 1][0] + len(runs[i - 1][1]) >= offset:  # overlaps/extends run i - 1
            i -= 1
            start, buf = runs[i]
            buf.extend(data[start + len(buf) - offset :])
        else:
            start, buf = offset, bytearray(data)
            runs.insert(i, (start, buf))
        j = i + 1
        while j < len(runs) and runs[j][0] <= start + len(buf):  # absorb the runs it reaches
            buf.extend(runs[j][1][start + len(buf) - runs[j][0] :])
            j += 1
        del runs[i + 1 : j]

    def contiguous(self, offset: int) -> int:
        """End of the run holding `offset` (== offset when that byte is missing)."""
        i = self._index(offset)
        if i >= 0:
            start, run = self.runs[i]
            if offset < start + len(run):
                return start + len(run)
        return offset

    def get(self, offset: int, size: int) -> bytes | None:
        if size <= 0:
            return b""
        i = self._index(offset)
        if i < 0:
            return None
        start, run = self.runs[i]
        if offset + size > start + len(run):
            return None
        return bytes(run[offset - start : offset - start + size])

    def run_at(self, offset: int) -> tuple[int, bytearray] | None:
        """The run holding `offset`, as (start, bytes), or None."""
        i = self._index(offset)
        if i >= 0 and offset < self.runs[i][0] + len(self.runs[i][1]):
            return self.runs[i]
        return None

    def find(self, byte: int, offset: int) -> tuple[int, int]:
        """(offset of the first `byte` at or after `offset` in the run holding it, else -1;
        the end of that run, == offset when that byte is missing)."""
        i = self._index(offset)
        if i >= 0:
            start, run = self.runs[i]
            if offset < start + len(run):
                at = run.find(byte, offset - start)
                return (-1 if at < 0 else start + at), start + len(run)
        return -1, offset

    def prune(self, keep: list[tuple[int, int]], start: int) -> None:
        """Drop bytes the parser neither read nor still needs (those before `start`).

        Parsers must therefore read forward: a re-run re-reads what was kept, and a jump back
        to skipped bytes becomes a need that only wanted_offset()/feed_at() can satisfy."""
        spans = sorted([*keep, (start, FAR_AWAY)])
        runs: list[tuple[int, bytearray]] = []
        for run_start, run in self.runs:
            run_end, kept = run_start + len(run), len(runs)
            for lo, hi in spans:
                lo, hi = max(lo, run_start), min(hi, run_end)
                if lo >= hi:
                    continue
                if lo == run_start and hi == run_end and kept == len(runs):  # all of it: no copy
                    runs.append((lo, run))
                    break
                if runs and runs[-1][0] + len(runs[-1][1]) >= lo:
                    last_start, last = runs[-1]
                    last.extend(run[last_start + len(last) - run_start : hi - run_start])
                else:
                    runs.append((lo, bytearray(run[lo - run_start : hi - run_start])))
        self.runs = runs


def _start(run: tuple[int, bytearray]) -> int:
    return run[0]


class Reader:
    """A read/seek file over a `ByteStore`; a read past the fed bytes raises `Need`.

    `touched` lists the spans read (kept when the store is pruned); `fmt` is the format the
    parse has recognised so far (for messages); `hit_eof` says a read ran into the real end."""

    def __init__(self, store: ByteStore) -> None:
        self.store, self.pos, self.calls, self.hit_eof = store, 0, 0, False
        self.touched: list[tuple[int, int]] = []
        self.fmt: str | None = None
        # the run the last read came from: the store does not change while a parse runs
        self._start, self._run = 0, bytearray()

    def read(self, size: int = -1) -> bytes:
        self.calls += 1
        pos = self.pos
        at = pos - self._start
        if at >= 0 and size >= 0 and at + size <= len(self._run):  # within the fed bytes
            self.touched.append((pos, pos + size))
            self.pos = pos + size
            return bytes(self._run[at : at + size])
        found = self.store.run_at(pos)
        if found is not None:
            self._start, self._run = found
        end = self.store.eof
        if size < 0 or (end is not None and self.pos + size > end):
            if end is None:
                raise Need(self.pos, FAR_AWAY)
            self.hit_eof = True
            size = max(0, end - self.pos)
        data = self.store.get(self.pos, size)
        if data is None:
            raise Need(self.pos, size)
        self.touched.append((self.pos, self.pos + size))
        self.pos += size
        return data

    def read_at(self, offset: int, size: int) -> bytes:
        self.pos = max(0, offset)
        return self.read(size)

    def find(self, byte: int, offset: int) -> int:
        """Offset of the first `byte` at or after `offset` (one C-level search, not a read per
        byte); -1 when the real end comes first. Raises `Need` at the first missing byte."""
        self.calls += 1
        at, end = self.store.find(byte, offset)
        if at < 0:
            eof = self.store.eof
            if eof is None or end < eof:
                raise Need(end, 1)
            self.hit_eof = True
        self.touched.append((offset, end if at < 0 else at + 1))
        self.pos = end if at < 0 else at + 1
        return at

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_END:
            end = self.store.eof
            if end is None:
                raise Need(self.pos, FAR_AWAY)
            offset += end
        elif whence == os.SEEK_CUR:
            offset += self.pos
        self.pos = max(0, offset)
        return self.pos

    def tell(self) -> int:
        return self.pos
