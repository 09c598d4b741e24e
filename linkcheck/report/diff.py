"""What changed between two reports: a pure function of two `Report`s (no store, no I/O).

Links are joined by their normalised URL (`links[].url`, which is what `links[].id` hashes).
Every link present in both reports gets exactly one status:

- `new_broken`: broken now, not broken before (a link absent from OLD and broken in NEW is
  also new broken, with no old verdict);
- `fixed`: broken before, not broken now (its new outcome says whether it is now ok, a
  warning or skipped);
- `changed`: broken in both, but the failure changed: reason (`http_status` -> `dns`), HTTP
  status (404 -> 410) or the image's actual size;
- `still_broken`: broken in both, the same way;
- `verdict_changed`: broken in neither, but the verdict changed: outcome (ok -> warning),
  reason, or the image's actual size;
- `not_compared`: one of the two runs stopped before checking it (reason `not_checked`), so
  nothing can be said;
- unchanged: counted, not listed.

Besides, `new_links` lists every link absent from OLD and `vanished_links` every link absent
from NEW (whatever their verdicts). A hostile or hand-edited report may list a URL twice: the
first row wins and the others are counted in `duplicates`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from linkcheck.models import (
    CheckResult,
    LinkKind,
    Outcome,
    Reason,
    Report,
    Source,
    link_id,
)
from linkcheck.report.build import explain, is_image_link
from linkcheck.report.triage import Severity, severity

__all__ = [
    "CITED_MAX",
    "FORMAT_VERSION",
    "CATEGORIES",
    "Citation",
    "LinkChange",
    "ReportDiff",
    "RunSide",
    "Status",
    "Verdict",
    "diff_reports",
]

FORMAT_VERSION = 1  # of the `as_dict` object; bumped only when a field is removed or changes
CITED_MAX = 5  # citations kept per changed link (the total is in `occurrences`)


class Status(StrEnum):
    """A link's status between the two reports (exactly one per link in both)."""

    NEW_BROKEN = "new_broken"
    FIXED = "fixed"
    CHANGED = "changed"
    STILL_BROKEN = "still_broken"
    VERDICT_CHANGED = "verdict_changed"
    NOT_COMPARED = "not_compared"
    UNCHANGED = "unchanged"
    NEW_LINK = "new_link"  # absent from OLD, not broken in NEW
    VANISHED = "vanished"  # absent from NEW


#: The listed categories, most important first (the JSON keys and the text's sections).
CATEGORIES: tuple[str, ...] = (
    "new_broken",
    "fixed",
    "changed",
    "still_broken",
    "verdict_changed",
    "not_compared",
    "new_links",
    "vanished_links",
)


@dataclass(frozen=True, slots=True)
class Verdict:
    """One report's verdict on a link."""

    kind: LinkKind
    outcome: Outcome
    reason: Reason | None
    http_status: int | None
    detail: str
    image_size: tuple[int | None, int | None] | None  # the actual (stored) size, images only

    def as_dict(self) -> dict[str, object]:
        size = self.image_size
        return {
            "kind": self.kind.value,
            "outcome": self.outcome.value,
            "reason": None if self.reason is None else self.reason.value,
            "http_status": self.http_status,
            "detail": self.detail,
            "image_size": None if size is None else {"width": size[0], "height": size[1]},
        }


@dataclass(frozen=True, slots=True)
class Citation:
    file: str
    line: int | None
    field: str

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "field": self.field}


@dataclass(frozen=True, slots=True)
class LinkChange:
    """One link that is listed: its verdicts in OLD and NEW (None where absent) and where it
    is cited (in NEW; in OLD for a vanished link)."""

    url: str
    status: Status
    old: Verdict | None
    new: Verdict | None
    cited: tuple[Citation, ...]  # the first CITED_MAX, in report order
    occurrences: int

    @property
    def id(self) -> str:
        return link_id(self.url)

    @property
    def kind(self) -> LinkKind:
        side = self.new if self.new is not None else self.old
        assert side is not None  # a change always has at least one side
        return side.kind

    def as_dict(self) -> dict[str, object]:
        return {
            "url": self.url,
            "id": self.id,
            "kind": self.kind.value,
            "status": self.status.value,
            "old": None if self.old is None else self.old.as_dict(),
            "new": None if self.new is None else self.new.as_dict(),
            "cited": [c.as_dict() for c in self.cited],
            "occurrences": self.occurrences,
        }


@dataclass(frozen=True, slots=True)
class RunSide:
    """What the diff says about one of the two reports."""

    started_at: str
    finished_at: str
    inputs: tuple[str, ...]
    links: int
    broken: int
    interrupted: bool
    network_down: str | None
    duplicates: int  # rows whose URL an earlier row of the same report already had

    @property
    def partial(self) -> str | None:
        """Why this report's verdicts are incomplete, if they are."""
        if self.network_down:
            return f"the network was down ({self.network_down})"
        if self.interrupted:
            return "the run was interrupted before every link was checked"
        return None

    def as_dict(self) -> dict[str, object]:
        return {
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "inputs": list(self.inputs),
            "links": self.links,
            "broken": self.broken,
            "interrupted": self.interrupted,
            "network_down": self.network_down,
            "duplicates": self.duplicates,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportDiff:
    old: RunSide
    new: RunSide
    new_broken: tuple[LinkChange, ...]
    fixed: tuple[LinkChange, ...]
    changed: tuple[LinkChange, ...]
    still_broken: tuple[LinkChange, ...]
    verdict_changed: tuple[LinkChange, ...]
    not_compared: tuple[LinkChange, ...]
    new_links: tuple[LinkChange, ...]
    vanished_links: tuple[LinkChange, ...]
    unchanged: int

    def category(self, name: str) -> tuple[LinkChange, ...]:
        """The list of one of `CATEGORIES`."""
        if name not in CATEGORIES:
            raise KeyError(name)
        changes: tuple[LinkChange, ...] = getattr(self, name)
        return changes

    @property
    def counts(self) -> dict[str, int]:
        """Links per category, in `CATEGORIES` order, then `unchanged`."""
        out = {name: len(self.category(name)) for name in CATEGORIES}
        out["unchanged"] = self.unchanged
        return out

    @property
    def partial(self) -> tuple[str, ...]:
        """Why the comparison is incomplete ("OLD: ..."), empty when both runs were whole."""
        notes = []
        for label, side in (("OLD", self.old), ("NEW", self.new)):
            if side.partial:
                notes.append(f"{label}: {side.partial}")
        return tuple(notes)

    def as_dict(self) -> dict[str, object]:
        """The `linkcheck diff --format json` object, keys in a stable order."""
        out: dict[str, object] = {
            "format": "linkcheck-diff",
            "format_version": FORMAT_VERSION,
            "old": self.old.as_dict(),
            "new": self.new.as_dict(),
            "partial": list(self.partial),
            "counts": self.counts,
        }
        for name in CATEGORIES:
            out[name] = [c.as_dict() for c in self.category(name)]
        return out


# --------------------------------------------------------------------------- building


def _image_size(result: CheckResult) -> tuple[int | None, int | None] | None:
    probe = result.image
    if probe is None or not is_image_link(result):
        return None
    return (probe.width, probe.height)


def _verdict(result: CheckResult) -> Verdict:
    return Verdict(
        kind=result.link.kind,
        outcome=result.outcome,
        reason=result.reason,
        http_status=result.http_status,
        detail=explain(result),
        image_size=_image_size(result),
    )


def _citations(result: CheckResult) -> tuple[Citation, ...]:
    sources: Iterable[Source] = (o.source for o in result.link.occurrences[:CITED_MAX])
    return tuple(Citation(s.file, s.line, s.field) for s in sources)


def _change(status: Status, old: CheckResult | None, new: CheckResult | None) -> LinkChange:
    cited_in = new if new is not None else old
    assert cited_in is not None
    return LinkChange(
        url=_key(cited_in),
        status=status,
        old=None if old is None else _verdict(old),
        new=None if new is None else _verdict(new),
        cited=_citations(cited_in),
        occurrences=len(cited_in.link.occurrences),
    )


def _key(result: CheckResult) -> str:
    url = result.link.url
    return url if isinstance(url, str) else str(url)  # a hand-edited report may hold anything


def _by_url(report: Report) -> dict[str, CheckResult]:
    """The report's results keyed by URL; the first row of a URL wins."""
    table: dict[str, CheckResult] = {}
    for result in report.results:
        table.setdefault(_key(result), result)
    return table


def _side(report: Report, table: Mapping[str, CheckResult]) -> RunSide:
    run = report.run
    return RunSide(
        started_at=str(run.started_at),
        finished_at=str(run.finished_at),
        inputs=tuple(str(i) for i in run.inputs),
        links=len(table),
        broken=sum(1 for r in table.values() if r.outcome is Outcome.BROKEN),
        interrupted=bool(run.interrupted),
        network_down=None if run.network_down is None else str(run.network_down),
        duplicates=len(report.results) - len(table),
    )


def _resized(old: CheckResult, new: CheckResult) -> bool:
    """Both runs measured the image, and its actual size differs."""
    if old.image is None or new.image is None:
        return False
    before, after = _image_size(old), _image_size(new)
    return before is not None and after is not None and before != after


def _status(old: CheckResult, new: CheckResult) -> Status:
    """The status of a link present in both reports."""
    if old.reason is Reason.NOT_CHECKED or new.reason is Reason.NOT_CHECKED:
        return Status.NOT_COMPARED
    was, now = old.outcome is Outcome.BROKEN, new.outcome is Outcome.BROKEN
    if was is not now:
        return Status.NEW_BROKEN if now else Status.FIXED
    if was:  # and now: the same failure?
        same = old.reason is new.reason and old.http_status == new.http_status
        return Status.STILL_BROKEN if same and not _resized(old, new) else Status.CHANGED
    same = old.outcome is new.outcome and old.reason is new.reason
    return Status.UNCHANGED if same and not _resized(old, new) else Status.VERDICT_CHANGED


_URGENCY = {level: i for i, level in enumerate(Severity)}


def _by_urgency(
    pairs: list[tuple[CheckResult, LinkChange]],
) -> tuple[LinkChange, ...]:
    """Most urgent first (a dead webUrl before a resized image), then by URL."""
    pairs.sort(key=lambda p: (_URGENCY[severity(p[0])], p[1].url))
    return tuple(change for _, change in pairs)


def _by_url_order(changes: list[LinkChange]) -> tuple[LinkChange, ...]:
    return tuple(sorted(changes, key=lambda c: c.url))


def diff_reports(old: Report, new: Report) -> ReportDiff:
    """What changed from `old` to `new` (see the module docstring). Lists are sorted by URL,
    except the broken ones (new, changed, still), which put the most urgent first."""
    old_by_url = _by_url(old)
    new_by_url = _by_url(new)
    urgent: dict[Status, list[tuple[CheckResult, LinkChange]]] = {
        Status.NEW_BROKEN: [],
        Status.CHANGED: [],
        Status.STILL_BROKEN: [],
    }
    plain: dict[Status, list[LinkChange]] = {
        Status.FIXED: [],
        Status.VERDICT_CHANGED: [],
        Status.NOT_COMPARED: [],
    }
    new_links: list[LinkChange] = []
    unchanged = 0
    for url, now in new_by_url.items():
        before = old_by_url.get(url)
        if before is None:
            broken = now.outcome is Outcome.BROKEN
            change = _change(Status.NEW_BROKEN if broken else Status.NEW_LINK, None, now)
            new_links.append(change)
            if broken:
                urgent[Status.NEW_BROKEN].append((now, change))
            continue
        status = _status(before, now)
        if status is Status.UNCHANGED:
            unchanged += 1
        elif status in urgent:
            urgent[status].append((now, _change(status, before, now)))
        else:
            plain[status].append(_change(status, before, now))
    vanished = [
        _change(Status.VANISHED, before, None)
        for url, before in old_by_url.items()
        if url not in new_by_url
    ]
    return ReportDiff(
        old=_side(old, old_by_url),
        new=_side(new, new_by_url),
        new_broken=_by_urgency(urgent[Status.NEW_BROKEN]),
        fixed=_by_url_order(plain[Status.FIXED]),
        changed=_by_urgency(urgent[Status.CHANGED]),
        still_broken=_by_urgency(urgent[Status.STILL_BROKEN]),
        verdict_changed=_by_url_order(plain[Status.VERDICT_CHANGED]),
        not_compared=_by_url_order(plain[Status.NOT_COMPARED]),
        new_links=_by_url_order(new_links),
        vanished_links=_by_url_order(vanished),
        unchanged=unchanged,
    )
