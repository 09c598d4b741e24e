"""State between runs: the SQLite store of every run's verdicts (history, cache, locking)."""

from linkcheck.state.location import default_state_path

__all__ = ["default_state_path"]
