"""State between runs: the SQLite store of every run's verdicts (history, cache, locking)."""

from linkcheck.state.location import default_state_path
from linkcheck.state.lock import StoreLock
from linkcheck.state.session import (
    COMPLETE,
    FAILED,
    INTERRUPTED,
    NETWORK_DOWN,
    StateSession,
)
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
