"""The seam between reading and checking: links -> work.

Today: links that are never requested (unsupported scheme, excluded, invalid) become results
here, merged by URL like checked ones; the rest is the work for the checker. Later stages of the
weekly service (cache reuse, shard filter) belong here too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from linkcheck.collect.library import Collected
from linkcheck.models import CachedImage, CheckResult, Link, LinkKind, Occurrence, Reason, Skipped


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    to_check: tuple[Link, ...]  # links the checker will request
    settled: tuple[CheckResult, ...]  # results known without a request
    # images among to_check whose last ok verdict can be revalidated conditionally (by URL)
    revalidate: Mapping[str, CachedImage] = field(default_factory=dict)


def plan(collected: Collected) -> Plan:
    return Plan(to_check=tuple(collected.links), settled=tuple(skipped_results(collected.skipped)))


def skipped_results(skipped: Sequence[Skipped]) -> list[CheckResult]:
    """Links that are never requested, merged by URL like checked ones."""
    groups: dict[tuple[str, Reason], list[Skipped]] = {}
    for s in skipped:
        groups.setdefault((s.url, s.reason), []).append(s)
    out: list[CheckResult] = []
    for (url, reason), items in groups.items():
        occurrences = tuple(
            Occurrence(s.raw.text, s.raw.kind, s.raw.source, s.raw.declared) for s in items
        )
        kind = (
            LinkKind.IMAGE
            if any(o.kind is LinkKind.IMAGE for o in occurrences)
            else occurrences[0].kind
        )
        out.append(
            CheckResult(
                link=Link(url, kind, occurrences),
                outcome=items[0].outcome,
                reason=reason,
                http_status=None,
                final_url=None,
                detail=items[0].detail,
            )
        )
    return out
