"""State between runs: the SQLite store of every run's verdicts (history, cache, locking).

Importing this package stays cheap (the command line reads `default_state_path` for every
run, and `--help` must stay instant): the per-run session, which needs the planner and the
checker's judgement, loads only when one of its names is first used.
"""

from typing import Any

from linkcheck.state.location import default_state_path
from linkcheck.state.lock import StoreLock
from linkcheck.state.store import KEEP_LINK_RUNS, KEEP_VERDICT_RUNS, SCHEMA_VERSION, Store

__all__ = [
    "COMPLETE",
    "FAILED",
    "INTERRUPTED",
    "KEEP_LINK_RUNS",
    "KEEP_VERDICT_RUNS",
    "NETWORK_DOWN",
    "SCHEMA_VERSION",
    "StateSession",
    "Store",
    "StoreLock",
    "default_state_path",
]

_SESSION_NAMES = frozenset({"COMPLETE", "FAILED", "INTERRUPTED", "NETWORK_DOWN", "StateSession"})


def __getattr__(name: str) -> Any:
    if name in _SESSION_NAMES:
        from linkcheck.state import session

        return getattr(session, name)
    raise AttributeError(f"module 'linkcheck.state' has no attribute {name!r}")
