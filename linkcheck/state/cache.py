"""Store rows <-> plain values: what plan() reads as a cache (`plan.CachedVerdict`), what the
history needs (`history.Past`), and the JSON of the cached image fields, or of a page's AMP
facts (the same `probe` column: a page has no image probe). Pure: no SQL here."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from linkcheck.models import (
    CheckResult,
    HistoryStatus,
    Hop,
    ImageProbe,
    Outcome,
    PageFacts,
    Reason,
    Validators,
)
from linkcheck.plan import CachedVerdict
from linkcheck.state.history import Past

__all__ = [
    "RowCache",
    "cached_verdict",
    "latest_columns",
    "past_of",
    "probe_from_json",
    "probe_json",
]

# positions in store.LINK_COLUMNS
(
    _ID,
    _URL,
    _KIND,
    _FIRST_SEEN,
    _STATUS,
    _BROKEN_SINCE,
    _FAILING,
    _LAST_OK,
    _RECENT,
    _OUTCOME,
    _REASON,
    _HTTP,
    _FINAL,
    _CHECKED_AT,
    _DETAIL,
    _REDIRECTS,
    _PROBE,
    _ETAG,
    _LAST_MODIFIED,
    _LENGTH,
) = range(20)


def _enum(kind: Any, value: object) -> Any:
    """The member of enum `kind` whose value is `value`; None for None or an unknown value
    (a store written by another version). A dict lookup: this runs for every stored link."""
    return kind._value2member_map_.get(value) if value is not None else None


def past_of(row: Sequence[Any]) -> Past | None:
    """The history summary of a `links` row; None when no complete run has seen the link."""
    status = _enum(HistoryStatus, row[_STATUS])
    if row[_FIRST_SEEN] is None or status is None:
        return None
    return Past(
        first_seen=row[_FIRST_SEEN],
        status=status,
        broken_since=row[_BROKEN_SINCE],
        failing_runs=int(row[_FAILING] or 0),
        last_ok=row[_LAST_OK],
        recent=row[_RECENT] or "",
    )


_PROBE_FIELDS = (
    "format",
    "width",
    "height",
    "displayed_width",
    "displayed_height",
    "bytes_read",
    "error",
    "detail",
    "orientation",
)


def probe_json(probe: ImageProbe | None) -> str | None:
    if probe is None:
        return None
    values = [getattr(probe, f) for f in _PROBE_FIELDS]
    values[6] = probe.error.value if probe.error is not None else None
    return json.dumps(values, separators=(",", ":"))


def probe_from_json(text: str | None) -> ImageProbe | None:
    if not text:
        return None
    try:
        v = json.loads(text)
        return ImageProbe(
            format=v[0],
            width=v[1],
            height=v[2],
            displayed_width=v[3],
            displayed_height=v[4],
            bytes_read=int(v[5] or 0),
            error=_enum(Reason, v[6]),
            detail=v[7] or "",
            orientation=v[8],
        )
    except (ValueError, TypeError, IndexError):
        return None


_PAGE = "page"  # the first item of a page's facts in the probe column ("probe" is a format)


def _page_json(page: PageFacts | None) -> str | None:
    """What a reused verdict must give the AMP checks back: amp, canonical, amphtml."""
    if page is None:
        return None
    return json.dumps([_PAGE, page.amp, page.canonical, page.amphtml], separators=(",", ":"))


def _probe_or_page(text: str | None) -> tuple[ImageProbe | None, PageFacts | None]:
    if not text or not text.startswith(f'["{_PAGE}"'):
        return probe_from_json(text), None
    try:
        _, amp, canonical, amphtml = json.loads(text)
        if not isinstance(amp, bool) or not all(
            v is None or isinstance(v, str) for v in (canonical, amphtml)
        ):
            return None, None
        return None, PageFacts(amp=amp, canonical=canonical, amphtml=amphtml)
    except (ValueError, TypeError):
        return None, None


def _redirects(text: str | None) -> tuple[Hop, ...]:
    if not text:
        return ()
    try:
        return tuple(Hop(str(u), int(s)) for u, s in json.loads(text))
    except (ValueError, TypeError):
        return ()


def cached_verdict(row: Sequence[Any]) -> CachedVerdict | None:
    """The latest verdict of a `links` row as plan() wants it (None: no usable verdict)."""
    outcome = _enum(Outcome, row[_OUTCOME])
    if outcome is None or row[_CHECKED_AT] is None:
        return None
    validators = None
    if row[_ETAG] is not None or row[_LAST_MODIFIED] is not None or row[_LENGTH] is not None:
        validators = Validators(row[_ETAG], row[_LAST_MODIFIED], row[_LENGTH])
    probe, page = _probe_or_page(row[_PROBE])
    return CachedVerdict(
        url=row[_URL],
        outcome=outcome,
        reason=_enum(Reason, row[_REASON]),
        http_status=row[_HTTP],
        final_url=row[_FINAL] or row[_URL],
        checked_at=row[_CHECKED_AT],
        detail=row[_DETAIL] or "",
        redirects=_redirects(row[_REDIRECTS]),
        probe=probe,
        validators=validators,
        page=page,
    )


class RowCache:
    """plan.VerdictCache over `links` rows already loaded (keyed by URL)."""

    def __init__(self, rows: Mapping[str, Sequence[Any]]) -> None:
        self.rows = rows

    def lookup(self, urls: Sequence[str]) -> dict[str, CachedVerdict]:
        found: dict[str, CachedVerdict] = {}
        for url in urls:
            row = self.rows.get(url)
            if row is None:
                continue
            verdict = cached_verdict(row)
            if verdict is not None:
                found[url] = verdict
        return found


def latest_columns(result: CheckResult) -> tuple[object, ...]:
    """The `links` latest-verdict columns of a result (store._LATEST order)."""
    url = result.link.url
    final = result.final_url if result.final_url != url else None
    redirects = (
        json.dumps([[h.url, h.status] for h in result.redirects], separators=(",", ":"))
        if result.redirects
        else None
    )
    v = result.validators
    return (
        result.outcome.value,
        result.reason.value if result.reason is not None else None,
        result.http_status,
        final,
        result.checked_at,
        result.detail or None,
        redirects,
        probe_json(result.image) if result.image is not None else _page_json(result.page),
        v.etag if v is not None else None,
        v.last_modified if v is not None else None,
        v.content_length if v is not None else None,
    )
