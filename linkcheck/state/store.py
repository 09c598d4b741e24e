"""The SQLite state store: runs, per-run verdicts and one summary row per link.

Standard library `sqlite3` in WAL mode (`synchronous=NORMAL`: a crash may lose the last
transaction, never corrupt the file), schema migrations keyed by `PRAGMA user_version`.

Tables (schema version 1):

* `runs`: every run: id, started_at, finished_at, status (`running`, `complete`,
  `interrupted`, `network_down`, `incomplete` = killed before it finished, `failed` = stopped
  by an error before checking), tool version, inputs, options and totals (JSON).
* `verdicts`: per run, per link: outcome, reason, http_status, final_url (NULL when it is the
  link's own URL), checked_at, cached, detail, history status. Kept for the last
  `KEEP_VERDICT_RUNS` runs that recorded verdicts; older rows are deleted.
* `links`: per link (`models.link_id`): url, kind, the history summary (advanced by complete
  runs only) and the latest verdict with what a cache needs (image probe, validators). A link
  not seen in the last `KEEP_LINK_RUNS` recording runs is forgotten.

So the file stays bounded: about `KEEP_VERDICT_RUNS` × links verdict rows plus one row per
link, whatever the number of runs. Every write of a run is one transaction (executemany).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from linkcheck.errors import StateError

__all__ = [
    "KEEP_LINK_RUNS",
    "KEEP_VERDICT_RUNS",
    "LINK_COLUMNS",
    "SCHEMA_VERSION",
    "Store",
]

KEEP_VERDICT_RUNS = 12  # a quarter of a year of weekly runs: timelines and `history URL`
KEEP_LINK_RUNS = 52  # a link unseen for a year of weekly runs is forgotten (new if it returns)
_BATCH = 50_000  # rows per executemany call (bounded memory for huge runs)

_V1 = """
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    tool_version TEXT,
    inputs TEXT,
    options TEXT,
    totals TEXT
);
CREATE TABLE links (
    link_id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    kind TEXT,
    last_run INTEGER,
    first_seen TEXT,
    status TEXT,
    broken_since TEXT,
    failing_runs INTEGER NOT NULL DEFAULT 0,
    last_ok TEXT,
    recent TEXT,
    outcome TEXT,
    reason TEXT,
    http_status INTEGER,
    final_url TEXT,
    checked_at TEXT,
    detail TEXT,
    redirects TEXT,
    probe TEXT,
    etag TEXT,
    last_modified TEXT,
    content_length INTEGER
) WITHOUT ROWID;
CREATE TABLE verdicts (
    run_id INTEGER NOT NULL,
    link_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT,
    http_status INTEGER,
    final_url TEXT,
    checked_at TEXT,
    cached INTEGER NOT NULL,
    detail TEXT,
    history TEXT,
    PRIMARY KEY (run_id, link_id)
) WITHOUT ROWID;
"""

MIGRATIONS: tuple[str, ...] = (_V1,)  # MIGRATIONS[i] takes user_version i to i + 1
SCHEMA_VERSION = len(MIGRATIONS)

#: The `links` columns `load()` returns, in this order.
LINK_COLUMNS = (
    "link_id, url, kind, first_seen, status, broken_since, failing_runs, last_ok, recent, "
    "outcome, reason, http_status, final_url, checked_at, detail, redirects, probe, etag, "
    "last_modified, content_length"
)
_VERDICT_INSERT = "INSERT OR REPLACE INTO verdicts VALUES (?,?,?,?,?,?,?,?,?,?)"
_LATEST = (
    "outcome, reason, http_status, final_url, checked_at, detail, redirects, probe, etag, "
    "last_modified, content_length"
)
_HISTORY = "first_seen, status, broken_since, failing_runs, last_ok, recent"


def _upsert(columns: str) -> str:
    names = ["link_id", "url", "kind", "last_run", *(c.strip() for c in columns.split(","))]
    updates = ", ".join(f"{n} = excluded.{n}" for n in names[1:])
    marks = ",".join("?" * len(names))
    return (
        f"INSERT INTO links ({', '.join(names)}) VALUES ({marks}) "
        f"ON CONFLICT (link_id) DO UPDATE SET {updates}"
    )


_LINK_UPSERT_LATEST = _upsert(_LATEST)
_LINK_UPSERT_ALL = _upsert(f"{_LATEST}, {_HISTORY}")


def _problem(path: str, what: str, exc: BaseException) -> StateError:
    return StateError(
        f"the state store {path} {what}: {exc}. If the file is damaged, move it away or "
        "use --state elsewhere; --no-state runs without history and cache"
    )


class Store:
    """An open state store. Not thread-safe: use it from one thread at a time.
    `create=False` opens an existing store to read it (no migration, no write)."""

    def __init__(self, path: str, *, create: bool = True) -> None:
        self.path = path
        if not create and not os.path.exists(path):
            raise StateError(
                f"no state store at {path}: nothing has been recorded there yet "
                "(linkcheck run keeps one by default; --state FILE names another)"
            )
        try:
            folder = os.path.dirname(os.path.abspath(path))
            os.makedirs(folder, exist_ok=True)
            self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise _problem(path, "cannot be opened", exc) from exc
        try:
            self.db.execute("PRAGMA busy_timeout = 5000")
            version = int(self.db.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise StateError(
                    f"the state store {path} was written by a newer linkcheck (schema "
                    f"version {version}; this one knows up to {SCHEMA_VERSION}). Upgrade "
                    "linkcheck, or use --state elsewhere or --no-state"
                )
            if not create and version < SCHEMA_VERSION:  # a reader never writes
                raise StateError(
                    f"the state store {path} holds no runs of this linkcheck yet (schema "
                    f"version {version}); a `linkcheck run` with it creates or upgrades it"
                )
            if create:
                self.db.execute("PRAGMA journal_mode = WAL")
                self.db.execute("PRAGMA synchronous = NORMAL")
            if version < SCHEMA_VERSION:
                self._migrate(version)
        except StateError:
            self.db.close()
            raise
        except sqlite3.Error as exc:
            self.db.close()
            raise _problem(path, "cannot be read", exc) from exc

    # ---------------------------------------------------------------------------- plumbing

    def _migrate(self, version: int) -> None:
        for target, script in enumerate(MIGRATIONS[version:], start=version + 1):
            with self.transaction():
                for statement in script.split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {target}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE ... COMMIT; rolled back on any error)."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _problem(self.path, "cannot be written", exc) from exc
        try:
            yield self.db
        except BaseException as exc:
            self.db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise _problem(self.path, "cannot be written", exc) from exc
            raise
        else:
            try:
                self.db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise _problem(self.path, "cannot be written", exc) from exc

    def _read(self, sql: str, params: Sequence[object] = ()) -> list[Any]:
        try:
            return self.db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise _problem(self.path, "cannot be read", exc) from exc

    def has_links(self) -> bool:
        """Whether any link was ever recorded (none in a new store)."""
        return bool(self._read("SELECT 1 FROM links LIMIT 1"))

    def close(self) -> None:
        self.db.close()

    # ---------------------------------------------------------------------------- runs

    def begin_run(
        self, started_at: str, tool_version: str, inputs: Sequence[str], options: object
    ) -> int:
        """Mark runs left `running` by a killed process `incomplete` (only call this while
        holding the lock: then no other run is alive) and add this run; its id."""
        with self.transaction() as db:
            db.execute("UPDATE runs SET status = 'incomplete' WHERE status = 'running'")
            cursor = db.execute(
                "INSERT INTO runs (started_at, status, tool_version, inputs, options) "
                "VALUES (?, 'running', ?, ?, ?)",
                (started_at, tool_version, json.dumps(list(inputs)), json.dumps(options)),
            )
        run_id = cursor.lastrowid
        assert run_id is not None
        return run_id

    def end_run(
        self,
        run_id: int,
        *,
        status: str,
        finished_at: str,
        totals: Mapping[str, object],
        verdicts: Iterable[tuple[object, ...]] = (),
        links: Iterable[tuple[object, ...]] = (),
        with_history: bool = False,
    ) -> None:
        """Record a run's verdicts and link rows and close the run, in ONE transaction.
        `links` rows carry the history columns too when `with_history`."""
        upsert = _LINK_UPSERT_ALL if with_history else _LINK_UPSERT_LATEST
        with self.transaction() as db:
            recorded = False
            for batch in _batches(verdicts):
                db.executemany(_VERDICT_INSERT, batch)
                recorded = True
            for batch in _batches(links):
                db.executemany(upsert, batch)
            db.execute(
                "UPDATE runs SET status = ?, finished_at = ?, totals = ? WHERE id = ?",
                (status, finished_at, json.dumps(totals), run_id),
            )
            if recorded:
                self._prune(db, run_id)

    def _prune(self, db: sqlite3.Connection, run_id: int) -> None:
        """Verdicts of runs older than the last KEEP_VERDICT_RUNS that recorded verdicts
        (complete or interrupted) go; links unseen for KEEP_LINK_RUNS such runs go."""
        for keep, delete in (
            (KEEP_VERDICT_RUNS, "DELETE FROM verdicts WHERE run_id < ?"),
            (KEEP_LINK_RUNS, "DELETE FROM links WHERE last_run < ?"),
        ):
            oldest = db.execute(
                "SELECT id FROM runs WHERE status IN ('complete', 'interrupted') AND id <= ? "
                "ORDER BY id DESC LIMIT 1 OFFSET ?",
                (run_id, keep - 1),
            ).fetchone()
            if oldest is not None:
                db.execute(delete, (oldest[0],))

    def runs(self, limit: int) -> list[tuple[Any, ...]]:
        """The last `limit` runs, newest first: (id, started_at, finished_at, status,
        tool_version, inputs JSON, totals JSON)."""
        return self._read(
            "SELECT id, started_at, finished_at, status, tool_version, inputs, totals "
            "FROM runs ORDER BY id DESC LIMIT ?",
            (limit,),
        )

    # ---------------------------------------------------------------------------- links

    def load(self, link_ids: Iterable[str]) -> Iterator[tuple[Any, ...]]:
        """The `links` rows (LINK_COLUMNS) of these ids, in one query: a scan of `links` when
        the run wants most of them (the usual case), else a join with a temporary table of
        the wanted ids (a shard, a small run on a big store)."""
        wanted = set(link_ids)
        columns = ", ".join(f"l.{c.strip()}" for c in LINK_COLUMNS.split(","))
        try:
            total = int(self.db.execute("SELECT count(*) FROM links").fetchone()[0])
            if total <= 2 * len(wanted):
                for row in self.db.execute(f"SELECT {columns} FROM links l"):
                    if row[0] in wanted:
                        yield row
                return
            self.db.execute(
                "CREATE TEMP TABLE IF NOT EXISTS wanted (link_id TEXT PRIMARY KEY) WITHOUT ROWID"
            )
            with self.transaction() as db:
                db.execute("DELETE FROM temp.wanted")
                for batch in _batches((i,) for i in wanted):
                    db.executemany("INSERT OR IGNORE INTO temp.wanted VALUES (?)", batch)
            yield from self.db.execute(
                f"SELECT {columns} FROM temp.wanted w JOIN links l ON l.link_id = w.link_id"
            )
            self.db.execute("DELETE FROM temp.wanted")
        except sqlite3.Error as exc:
            raise _problem(self.path, "cannot be read", exc) from exc

    def find_links(self, key: str) -> list[tuple[str, str]]:
        """(link_id, url) of the links whose URL is `key`, or whose id starts with it."""
        rows = self._read("SELECT link_id, url FROM links WHERE url = ?", (key,))
        if rows or not key or any(c not in "0123456789abcdef" for c in key.lower()):
            return rows
        return self._read(
            "SELECT link_id, url FROM links WHERE link_id >= ? AND link_id < ? LIMIT 20",
            (key.lower(), key.lower() + "g"),
        )

    def timeline(self, link_id: str, limit: int) -> list[tuple[Any, ...]]:
        """A link's recorded verdicts, newest first: (run_id, run started_at, run status,
        checked_at, outcome, reason, http_status, final_url, history, cached, detail)."""
        return self._read(
            "SELECT v.run_id, r.started_at, r.status, v.checked_at, v.outcome, v.reason, "
            "v.http_status, v.final_url, v.history, v.cached, v.detail "
            "FROM verdicts v JOIN runs r ON r.id = v.run_id "
            "WHERE v.link_id = ? ORDER BY v.run_id DESC LIMIT ?",
            (link_id, limit),
        )

    def link_summary(self, link_id: str) -> tuple[Any, ...] | None:
        rows = self._read(f"SELECT {LINK_COLUMNS} FROM links WHERE link_id = ?", (link_id,))
        return rows[0] if rows else None


def _batches(rows: Iterable[tuple[object, ...]]) -> Iterator[list[tuple[object, ...]]]:
    batch: list[tuple[object, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch
