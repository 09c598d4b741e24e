"""The seam between reading and checking: links -> work.

Links that are never requested (unsupported scheme, excluded, invalid) become results here,
merged by URL like checked ones. With a cache (the state store's verdicts, handed in as plain
data through `VerdictCache`, so this stage knows nothing of SQLite): an `ok` verdict younger
than `config.cache_max_age` is reused without a request (`cached=True`, its original
`checked_at`; an image's size is judged again against this run's declared sizes), and an image
whose last probe can be revalidated conditionally goes to `Plan.revalidate`. Broken and warning
verdicts are never reused.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

from linkcheck.classify import judge
from linkcheck.collect.library import Collected
from linkcheck.config import Config
from linkcheck.models import (
    CachedImage,
    CheckResult,
    Hop,
    HttpOutcome,
    ImageProbe,
    Link,
    LinkKind,
    Occurrence,
    Outcome,
    PageFacts,
    Reason,
    Skipped,
    Validators,
)

__all__ = ["CachedVerdict", "Plan", "VerdictCache", "plan", "reusable", "skipped_results"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    to_check: tuple[Link, ...]  # links the checker will request
    settled: tuple[CheckResult, ...]  # results known without a request
    # images among to_check whose last ok verdict can be revalidated conditionally (by URL)
    revalidate: Mapping[str, CachedImage] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CachedVerdict:
    """The latest recorded verdict of a URL, as a cache sees it."""

    url: str
    outcome: Outcome
    reason: Reason | None
    http_status: int | None
    final_url: str | None
    checked_at: str  # ISO-8601 UTC, when the verdict was made
    detail: str = ""
    redirects: tuple[Hop, ...] = ()
    probe: ImageProbe | None = None
    validators: Validators | None = None
    page: PageFacts | None = None  # what the AMP checks read of the page (amp, head links)


class VerdictCache(Protocol):
    """Where plan() finds earlier verdicts: one batched lookup for all the run's URLs."""

    def lookup(self, urls: Sequence[str]) -> Mapping[str, CachedVerdict]: ...


def plan(
    collected: Collected,
    cache: VerdictCache | None = None,
    config: Config | None = None,
    *,
    now: float | None = None,
) -> Plan:
    """The work of a run: `cache` and `config` together turn on reuse and revalidation;
    `now` (epoch seconds, default the clock) is when the verdicts' ages are measured."""
    settled = skipped_results(collected.skipped)
    if cache is None or config is None:
        return Plan(to_check=scattered(collected.links), settled=tuple(settled))
    found = cache.lookup([link.url for link in collected.links])
    when = datetime.now().timestamp() if now is None else now
    to_check: list[Link] = []
    revalidate: dict[str, CachedImage] = {}
    for link in collected.links:
        cached = found.get(link.url)
        if cached is None:
            to_check.append(link)
        elif reusable(cached, link, config, when):
            settled.append(reuse(link, cached, config))
        else:
            to_check.append(link)
            image = revalidation(cached, link, config)
            if image is not None:
                revalidate[link.url] = image
    return Plan(to_check=scattered(to_check), settled=tuple(settled), revalidate=revalidate)


def scattered(links: Sequence[Link]) -> tuple[Link, ...]:
    """The links in a fixed order unrelated to their spelling (by a CRC-32 of the URL). Sorted
    by URL, one section of a site, one kind of page, came in a burst: a host whose search
    pages answer 429 met them one after another, which looked like a host-wide rate limit and
    cut its rate for the rest of the run. The same order on every run and machine."""
    return tuple(sorted(links, key=lambda link: zlib.crc32(link.url.encode("utf-8", "replace"))))


def age_of(checked_at: str, now: float) -> float | None:
    """Seconds since `checked_at` (ISO-8601), None when it cannot be read."""
    try:
        return now - datetime.fromisoformat(checked_at).timestamp()
    except (ValueError, OverflowError):
        return None


def _probed_image(link: Link, config: Config) -> bool:
    return link.kind is LinkKind.IMAGE and config.check_images


def reusable(cached: CachedVerdict, link: Link, config: Config, now: float) -> bool:
    """An ok verdict younger than the cache age (an image's only with its probe). A local
    file's (a `file:` URL) never: looking at the disk again costs less than trusting it."""
    if cached.outcome is not Outcome.OK or config.cache_max_age <= 0:
        return False
    if link.url.startswith("file:"):
        return False
    if _probed_image(link, config) and (cached.probe is None or cached.probe.error):
        return False
    age = age_of(cached.checked_at, now)
    return age is not None and age < config.cache_max_age


def revalidation(cached: CachedVerdict, link: Link, config: Config) -> CachedImage | None:
    """What a conditional recheck of an image needs: its validators and the probe they vouch
    for. Only a probe that read a real image (a verdict `ok`, or `broken` for a declared-size
    mismatch alone, which is judged again) is worth revalidating."""
    validators, probe = cached.validators, cached.probe
    if not _probed_image(link, config) or validators is None or probe is None or probe.error:
        return None
    if validators.etag is None and validators.last_modified is None:
        return None
    if cached.outcome is not Outcome.OK and cached.reason is not Reason.IMAGE_DIMENSION_MISMATCH:
        return None
    return CachedImage(
        validators=validators,
        probe=probe,
        http_status=cached.http_status,
        final_url=cached.final_url,
        checked_at=cached.checked_at,
    )


def reuse(link: Link, cached: CachedVerdict, config: Config) -> CheckResult:
    """The cached verdict as this run's result. An image is judged again, with the probe as
    measured, against this run's declared sizes (an edited width is still caught)."""
    if _probed_image(link, config) and cached.probe is not None:
        outcome = HttpOutcome(
            cached.http_status,
            cached.final_url or link.url,
            redirects=cached.redirects,
            attempts=0,
            image=cached.probe,
        )
        return replace(
            judge(link, outcome, config),
            attempts=0,
            checked_at=cached.checked_at,
            cached=True,
            validators=cached.validators,
        )
    return CheckResult(
        link,
        Outcome.OK,
        None,
        cached.http_status,
        cached.final_url or link.url,
        redirects=cached.redirects,
        detail=cached.detail,
        checked_at=cached.checked_at,
        cached=True,
        validators=cached.validators,
        page=cached.page,
    )


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
