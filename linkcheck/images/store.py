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
    """Sparse bytes by absolute offset: sorted, disjoint, non-adjacent [start, data] runs."""

    def __init__(self) -> None:
        self.runs: list[tuple[int, bytearray]] = []
        self.eof: int | None = None

    def add(self, offset: int, data: bytes | bytearray) -> None:
        runs = self.runs
        i = bisect_right(runs, offset, key=lambda r: r[0])
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
        i = bisect_right(self.runs, offset, key=lambda r: r[0]) - 1
        if i >= 0 and offset < self.runs[i][0] + len(self.runs[i][1]):
            return self.runs[i][0] + len(self.runs[i][1])
        return offset

    def get(self, offset: int, size: int) -> bytes | None:
        if size <= 0:
            return b""
        if self.contiguous(offset) < offset + size:
            return None
        i = bisect_right(self.runs, offset, key=lambda r: r[0]) - 1
        start, run = self.runs[i]
        return bytes(run[offset - start : offset - start + size])

    def prune(self, keep: list[tuple[int, int]], start: int) -> None:
        """Drop bytes the parser neither read nor still needs (those before `start`).

        Parsers must therefore read forward: a re-run re-reads what was kept, and a jump back
        to skipped bytes becomes a need that only wanted_offset()/feed_at() can satisfy."""
        spans = sorted([*keep, (start, FAR_AWAY)])
        runs: list[tuple[int, bytearray]] = []
        for run_start, run in self.runs:
            run_end = run_start + len(run)
            for lo, hi in spans:
                lo, hi = max(lo, run_start), min(hi, run_end)
                if lo >= hi:
                    continue
                if runs and runs[-1][0] + len(runs[-1][1]) >= lo:
                    last_start, last = runs[-1]
                    last.extend(run[last_start + len(last) - run_start : hi - run_start])
                else:
                    runs.append((lo, bytearray(run[lo - run_start : hi - run_start])))
        self.runs = runs


class Reader:
    """A read/seek file over a `ByteStore`; a read past the fed bytes raises `Need`.

    `touched` lists the spans read (kept when the store is pruned); `fmt` is the format the
    parse has recognised so far (for messages); `hit_eof` says a read ran into the real end."""

    def __init__(self, store: ByteStore) -> None:
        self.store, self.pos, self.calls, self.hit_eof = store, 0, 0, False
        self.touched: list[tuple[int, int]] = []
        self.fmt: str | None = None

    def read(self, size: int = -1) -> bytes:
        self.calls += 1
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
        self.seek(offset)
        return self.read(size)

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
