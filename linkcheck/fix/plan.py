"""What a report asks to change, file by file (pure: no I/O).

Two kinds of change, each tied to one citation of one link (`Occurrence`):

* a size fix (`SizeFix`): an image cited in the front matter whose OWN size verdict is a
  mismatch (`image_dimension_mismatch`, `verdict.matches is False`): its declared width and
  height are set to the size the image is displayed at (after EXIF rotation). Other citations
  of the same URL whose declared size was right are left alone. Body images (`<img width>`)
  never carry a declared size in the report, so they are never changed.
* a URL fix (`UrlFix`): a link whose redirect chain starts with permanent redirects (301/308)
  and ends at a working resource (`report.triage.permanent_redirect`): the URL as written
  (`Occurrence.text`) is replaced by where the permanent hops lead, in the front-matter field
  or on the body line where it was cited. Temporary redirects (302/307) are never followed.

The image fields are named by the run's `fields` option (roles `image_url`, `image_width`,
`image_height`; seed names url, width, height), so a library with its own names is fixed in
its own names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from linkcheck.errors import InputError
from linkcheck.models import CheckResult, LinkKind, Occurrence, Reason, Report
from linkcheck.report.triage import permanent_redirect

__all__ = ["BODY", "FilePlan", "SizeFix", "UrlFix", "plan_fixes", "WHAT"]

BODY = "body"
WHAT = ("sizes", "redirects")
_SEED = {"image_url": "url", "image_width": "width", "image_height": "height"}


@dataclass(frozen=True, slots=True)
class SizeFix:
    """Set the declared size of the image cited at `url_field` (e.g. `images[0].url`)."""

    url_field: str
    line: int | None  # the report's line of the url field
    width_field: str  # e.g. images[0].width
    height_field: str
    declared: tuple[int | None, int | None]  # as the report read it
    actual: tuple[int, int]  # the displayed size


@dataclass(frozen=True, slots=True)
class UrlFix:
    """Replace `old` (the URL as written) by `new` in `field` (a front-matter path or BODY)."""

    field: str
    line: int | None
    old: str
    new: str


@dataclass(slots=True)
class FilePlan:
    """Every fix the report asks of one file (report name)."""

    name: str
    sizes: list[SizeFix] = field(default_factory=list)
    urls: list[UrlFix] = field(default_factory=list)
    # (field, line, why): citations the report names that cannot become a fix at all
    unusable: list[tuple[str, int | None, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.sizes and not self.urls and not self.unusable


def _names(options: Mapping[str, object]) -> dict[str, str]:
    """The library's image field names (role -> dotted path), the seed's by default."""
    names = dict(_SEED)
    mapping = options.get("fields") if isinstance(options, Mapping) else None
    if isinstance(mapping, Mapping):
        for role in _SEED:
            value = mapping.get(role)
            if isinstance(value, str) and value.strip():
                names[role] = value.strip()
    return names


def _displayed(result: CheckResult) -> tuple[int, int] | None:
    probe = result.image
    if probe is None:
        return None
    w = probe.displayed_width if probe.displayed_width is not None else probe.width
    h = probe.displayed_height if probe.displayed_height is not None else probe.height
    if isinstance(w, int) and isinstance(h, int) and w > 0 and h > 0:
        return w, h
    return None


def _size_fix(occ: Occurrence, actual: tuple[int, int], names: Mapping[str, str]) -> SizeFix | str:
    """The fix of one mismatched citation, or why there is none."""
    url_field = occ.source.field
    suffix = "." + names["image_url"]
    if url_field == BODY or not url_field.endswith(suffix):
        return f"an image cited in {url_field!r}, not in an image's {names['image_url']!r} field"
    base = url_field[: -len(suffix)]
    verdict = occ.verdict
    declared = (verdict.declared_width, verdict.declared_height) if verdict else (None, None)
    return SizeFix(
        url_field=url_field,
        line=occ.source.line,
        width_field=f"{base}.{names['image_width']}",
        height_field=f"{base}.{names['image_height']}",
        declared=declared,
        actual=actual,
    )


def _target_text(occ: Occurrence, link_url: str, target: str) -> str:
    """What to write instead of `occ.text`: the target, keeping the fragment the text had (the
    report's URLs have none), and written relative to the host when the text was (`/old`)."""
    text = occ.text.strip()
    fragment = text.partition("#")[2] if "#" in text else None
    new = target
    if fragment is not None and "#" not in target:
        new = f"{target}#{fragment}"
    if text.startswith("/") and not text.startswith("//"):
        old_parts, new_parts = urlsplit(link_url), urlsplit(new)
        if (old_parts.scheme, old_parts.netloc) == (new_parts.scheme, new_parts.netloc):
            rest = new[len(f"{new_parts.scheme}://{new_parts.netloc}") :]
            if rest.startswith("/"):
                new = rest
    return new


def _plan_result(
    result: CheckResult,
    only: str | None,
    names: Mapping[str, str],
    plan_of: Callable[[str], FilePlan],
) -> None:
    if only != "redirects" and result.reason == Reason.IMAGE_DIMENSION_MISMATCH:
        actual = _displayed(result)
        for occ in result.link.occurrences:
            verdict = occ.verdict
            if occ.kind is not LinkKind.IMAGE or verdict is None or verdict.matches is not False:
                continue
            plan = plan_of(occ.source.file)
            fix = None if actual is None else _size_fix(occ, actual, names)
            if isinstance(fix, SizeFix):
                plan.sizes.append(fix)
            else:
                why = fix or "the report does not know the image's real size"
                plan.unusable.append((occ.source.field, occ.source.line, why))
    if only != "sizes":
        target = permanent_redirect(result)
        if not isinstance(target, str) or not target:
            return
        for occ in result.link.occurrences:
            if not isinstance(occ.source.field, str):
                raise TypeError(f"a citation's field is {occ.source.field!r}")
            if not isinstance(occ.text, str) or not occ.text.strip():
                continue  # a report edited by hand: nothing as written to replace
            new = _target_text(occ, result.link.url, target)
            if new != occ.text:
                fix_ = UrlFix(occ.source.field, occ.source.line, occ.text, new)
                plan_of(occ.source.file).urls.append(fix_)


def plan_fixes(report: Report, only: str | None = None) -> dict[str, FilePlan]:
    """Report file name -> its `FilePlan` (only files with something to do), in name order.
    `only`: "sizes" or "redirects" to plan one kind of fix."""
    names = _names(report.run.options)
    plans: dict[str, FilePlan] = {}

    def plan_of(name: str) -> FilePlan:
        if not isinstance(name, str) or not name:
            raise TypeError(f"a citation's file is {name!r}")
        found = plans.get(name)
        if found is None:
            found = plans[name] = FilePlan(name)
        return found

    for result in report.results:
        try:
            _plan_result(result, only, names, plan_of)
        except (AttributeError, TypeError, ValueError) as exc:  # a report edited by hand
            raise InputError(
                f"the report's link {result.link.url!r} is not as linkcheck writes it: {exc}"
            ) from None
    return {name: plans[name] for name in sorted(plans)}
