"""One run's use of the state store, as the pipeline drives it:

    session = StateSession(path)          # nothing opened yet
    session.try_lock() / wait in a loop   # the lock first: one run per store
    session.begin(...)                    # open, migrate, mark killed runs, add this run
    session.load(urls)                    # one batched read: history and cache rows
    plan(collected, session.cache, ...)   # reuse / revalidate
    session.annotate(result)              # each result gains its History
    session.finish(status)                # ONE transaction: verdicts, link rows, run status
    session.close()                       # always: releases the lock

What is kept per run status: `complete` records every verdict and advances each link's history;
`interrupted` records the verdicts actually made (the cache benefits) but advances no history;
`network_down` and `failed` record no verdict at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from linkcheck.models import CheckResult, link_id
from linkcheck.state.cache import RowCache, latest_columns, past_of
from linkcheck.state.history import Past, advance, observes
from linkcheck.state.lock import StoreLock
from linkcheck.state.store import Store

__all__ = [
    "COMPLETE",
    "FAILED",
    "INTERRUPTED",
    "NETWORK_DOWN",
    "StateSession",
]

COMPLETE, INTERRUPTED, NETWORK_DOWN, FAILED = "complete", "interrupted", "network_down", "failed"


class StateSession:
    def __init__(self, path: str) -> None:
        self.path = path
        self.lock = StoreLock(path)
        self.store: Store | None = None
        self.run_id: int | None = None
        self.run_started = ""
        self.cache: RowCache = RowCache({})
        self._past: dict[str, Past] = {}
        self._ids: dict[str, str] = {}  # url -> link id, of the links loaded
        # per observed result: (verdict row, links row without history, history columns)
        self._rows: list[tuple[tuple[object, ...], tuple[object, ...], tuple[object, ...]]] = []
        self._totals: Counter[str] = Counter()
        self._history: Counter[str] = Counter()
        self.finished = False

    def try_lock(self) -> bool:
        return self.lock.try_acquire()

    def begin(
        self, started_at: str, tool_version: str, inputs: Iterable[str], options: object
    ) -> int:
        """Open the store (holding the lock) and add this run as `running`; its id."""
        assert self.lock.held, "begin() before the lock was taken"
        self.store = Store(self.path)
        self.run_started = started_at
        self.run_id = self.store.begin_run(started_at, tool_version, list(inputs), options)
        return self.run_id

    def knows_links(self) -> bool:
        """Whether the store holds any link's verdict (a first run's does not)."""
        assert self.store is not None
        return self.store.has_links()

    def load(self, urls: Iterable[str]) -> None:
        """Read what the store knows of these links (one batched query)."""
        assert self.store is not None
        rows: dict[str, Any] = {}
        ids = self._ids = {u: link_id(u) for u in urls}  # hashed once per run
        for row in self.store.load(ids.values()):
            rows[row[1]] = row  # by URL: what plan() asks with
            past = past_of(row)
            if past is not None:
                self._past[row[0]] = past
        self.cache = RowCache(rows)

    def planned(self) -> None:
        """The cache rows are no longer needed once the plan is made."""
        self.cache = RowCache({})

    def annotate(self, result: CheckResult) -> CheckResult:
        """`result` with its History (kept, to be recorded by finish())."""
        ident = self._ids.pop(result.link.url, None) or result.id
        checked_at = result.checked_at or self.run_started
        past = self._past.pop(ident, None)
        history, after = advance(
            past,
            result.outcome,
            result.reason,
            run_started=self.run_started,
            checked_at=checked_at,
        )
        self._totals[result.outcome.value] += 1
        self._history[history.status.value] += 1
        if result.cached:
            self._totals["cached"] += 1
        if observes(result.outcome, result.reason):
            url = result.link.url
            final = result.final_url if result.final_url != url else None
            verdict = (
                self.run_id,
                ident,
                result.outcome.value,
                result.reason.value if result.reason is not None else None,
                result.http_status,
                final,
                checked_at,
                int(result.cached),
                result.detail or None,
                history.status.value,
            )
            link = (ident, url, result.link.kind.value, self.run_id, *latest_columns(result))
            kept: tuple[object, ...] = ()
            if after is not None:
                kept = (
                    after.first_seen,
                    after.status.value,
                    after.broken_since,
                    after.failing_runs,
                    after.last_ok,
                    after.recent,
                )
            self._rows.append((verdict, link, kept))
        return replace(result, history=history)

    def totals(self) -> dict[str, object]:
        return {
            "links": sum(self._totals[k] for k in ("ok", "broken", "warning", "skipped")),
            "outcomes": {k: self._totals[k] for k in ("ok", "broken", "warning", "skipped")},
            "cached": self._totals["cached"],
            "history": dict(sorted(self._history.items())),
        }

    def finish(self, status: str, finished_at: str) -> None:
        """Record the run as `status` (see the module docstring for what each keeps)."""
        assert self.store is not None and self.run_id is not None
        rows = self._rows if status in (COMPLETE, INTERRUPTED) else []
        # in key order: B-tree appends instead of random inserts (faster, fuller pages)
        rows.sort(key=_link_key)
        history = status == COMPLETE
        self.store.end_run(
            self.run_id,
            status=status,
            finished_at=finished_at,
            totals=self.totals() if rows or status == NETWORK_DOWN else {},
            verdicts=(r[0] for r in rows),
            links=((*r[1], *r[2]) if history else r[1] for r in rows),
            with_history=history,
        )
        self._rows = []
        self.finished = True

    def close(self) -> None:
        try:
            if self.store is not None:
                self.store.close()
        finally:
            self.store = None
            self.lock.release()


def _link_key(row: tuple[tuple[object, ...], ...]) -> str:
    return str(row[1][0])
