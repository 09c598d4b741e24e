"""Per-host politeness statistics as they cross into the report."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class HostStats:
    """Per-host politeness statistics, reported in the run section (mutable while running)."""

    host: str
    requests: int = 0
    retries: int = 0
    responses_429: int = 0
    waited_s: float = 0.0
    max_in_flight: int = 0
    rate_limit: float | None = None  # requests/s in force at the end of the run
    slowed_down: bool = False  # adaptive back-off kicked in
    marked_down: str | None = None  # error kind when the host was declared unreachable
    short_circuited: int = 0  # URLs reported without a request because the host was down
