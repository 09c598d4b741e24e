"""Per-host politeness statistics as they cross into the report."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class HostStats:
    """Per-host politeness statistics, reported in the run section.

    The gate keeps one live, mutable copy per host while running; what crosses into the report
    is a snapshot (`hosts.Politeness.snapshot()`), never the live object."""

    host: str
    requests: int = 0
    retries: int = 0
    responses_429: int = 0
    waited_s: float = 0.0
    max_in_flight: int = 0
    rate_limit: float | None = None  # requests/s in force at the end of the run
    slowed_down: bool = False  # adaptive back-off kicked in (at least once)
    marked_down: str | None = None  # error kind when the host was declared unreachable
    short_circuited: int = 0  # URLs reported without a request because the host was down
    configured_rate: float | None = None  # requests/s asked for (--host-rate or [hosts] rate)
    min_rate: float | None = None  # the lowest rate adaptive back-off reached
    below_rate_s: float = 0.0  # seconds it ran below its configured rate (to its last answer)
