"""The human-readable report: a short summary, then what is broken, file by file.

Written for someone woken up at 3 a.m.: the first line says whether anything is broken, and
each broken link is shown where it must be fixed (file, field path, line) with the reason.
Values coming from articles or servers are escaped so they cannot emit terminal control codes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable

from linkcheck.formats.text_findings import findings_block
from linkcheck.formats.text_style import Style, clean, line_number, plural
from linkcheck.formats.text_triage import (
    fix_first,
    severity_counts,
    triage_head,
    update_links,
)
from linkcheck.models import (
    CheckResult,
    HostStats,
    Occurrence,
    Outcome,
    Reason,
    Report,
    SizeVerdict,
)
from linkcheck.report import enum_value, explain, summarize, verdict_at
from linkcheck.report.triage import permanent_redirect, severity, triage_summary

__all__ = ["render_summary"]

_ARROW = "\u2192"
_NO_FILE = "(no source file)"


def _duration(seconds: object) -> str:
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        return "unknown"
    s = float(seconds)
    if not math.isfinite(s) or s < 0:
        return "unknown"
    if s < 60:
        return f"{s:.1f} s"
    total = round(s)
    h, rest = divmod(total, 3600)
    m, sec = divmod(rest, 60)
    return f"{h} h {m:02d} min" if h else f"{m} min {sec:02d} s"


def _counts(items: Iterable[tuple[str, int]]) -> str:
    parts = [f"{k} {v}" for k, v in items]
    return ", ".join(parts) if parts else "none"


def _size(width: object, height: object) -> str:
    def one(v: object) -> str:
        return "?" if v is None else clean(v)

    return f"{one(width)}x{one(height)}"


def _mismatch_text(result: CheckResult, occurrence: Occurrence, verdict: SizeVerdict) -> str:
    declared_w: object = verdict.declared_width
    declared_h: object = verdict.declared_height
    if declared_w is None and declared_h is None and occurrence.declared is not None:
        declared_w, declared_h = occurrence.declared.width, occurrence.declared.height
    probe = result.image
    actual = "unknown"
    if probe is not None:
        if probe.displayed_width is not None and probe.displayed_height is not None:
            actual = _size(probe.displayed_width, probe.displayed_height)
            if (probe.displayed_width, probe.displayed_height) != (probe.width, probe.height):
                actual += f" as displayed (stored {_size(probe.width, probe.height)}"
                if probe.orientation is not None:
                    actual += f", EXIF orientation {clean(probe.orientation)}"
                actual += ")"
        else:
            actual = _size(probe.width, probe.height)
    text = f"declared {_size(declared_w, declared_h)}, actual {actual}"
    if verdict.aspect_ratio_matches is True:
        text += " (same aspect ratio: resized copy)"
    elif verdict.aspect_ratio_matches is False:
        text += " (different aspect ratio: different image?)"
    return text


def _general_text(result: CheckResult) -> str:
    parts: list[str] = []
    status = result.http_status
    raw = result.detail.strip() if isinstance(result.detail, str) else clean(result.detail)
    # A bare status says it all ("404"); the generic explanation is for when there is neither.
    detail = clean(raw) if raw or status is not None else clean(explain(result))
    if status is not None:
        status_text = clean(status)
        # the detail often already says "HTTP 404 ..." or "404 ..."; do not repeat the status
        if not (detail.startswith(status_text) or detail.startswith(f"HTTP {status_text}")):
            parts.append(status_text)
    if detail:
        parts.append(detail)
    final = result.final_url
    if result.redirects and final and final != result.link.url:
        parts.append(f"after {plural(len(result.redirects), 'redirect')} to {clean(final)}")
    return f" ({', '.join(parts)})" if parts else ""


def _listed_occurrences(result: CheckResult) -> list[tuple[Occurrence, SizeVerdict | None]]:
    """The occurrences to show for a listed result: for a size mismatch only the citations
    whose declared size is wrong (the others are fine), otherwise all of them."""
    pairs = [(o, verdict_at(result, i)) for i, o in enumerate(result.link.occurrences)]
    if enum_value(result.reason) == Reason.IMAGE_DIMENSION_MISMATCH.value:
        wrong: list[tuple[Occurrence, SizeVerdict | None]] = [
            (o, v) for o, v in pairs if v is not None and v.matches is False
        ]
        if wrong:
            return wrong
    return pairs


def _rate_note(h: HostStats) -> str:
    """Adaptive back-off in one phrase: final rate, lowest rate, time below the asked rate."""
    note = f"slowed to {_rate(h.rate_limit)}"
    if h.configured_rate is not None:
        lowest = h.rate_limit if h.min_rate is None else h.min_rate
        note += (
            f" (lowest {_rate(lowest)}, {h.below_rate_s:.1f} s below {_rate(h.configured_rate)})"
        )
    return note


def _rate(value: float | None) -> str:
    return "?/s" if value is None else f"{value:g}/s"


def _render_group(
    results: Iterable[CheckResult], st: Style, paint_reason: Callable[[str], str]
) -> list[str]:
    """Lines for `results` grouped by file (sorted), one line per occurrence."""
    by_file: dict[str, list[tuple[tuple[int, str, str], str, str]]] = {}
    for r in results:
        reason = clean(enum_value(r.reason) or enum_value(r.outcome))
        general = None
        url = clean(r.link.url)
        pairs = _listed_occurrences(r)
        if not pairs:
            rest = f"{url}  {_ARROW} {paint_reason(reason)}{_general_text(r)}"
            by_file.setdefault(_NO_FILE, []).append(((0, "", url), "", rest))
            continue
        for occurrence, verdict in pairs:
            src = occurrence.source
            line = line_number(src.line)
            field = clean(src.field)
            label = field if line is None else f"{field}:{line}"
            if verdict is not None and verdict.matches is False:
                tail = f": {_mismatch_text(r, occurrence, verdict)}"
            else:
                if general is None:
                    general = _general_text(r)
                tail = general
            rest = f"{url}  {_ARROW} {paint_reason(reason)}{tail}"
            key = (line or 0, field, url)
            by_file.setdefault(clean(src.file) or _NO_FILE, []).append((key, label, rest))

    lines: list[str] = []
    for file in sorted(by_file):
        entries = by_file[file]
        entries.sort(key=lambda e: e[0])
        width = min(max(len(e[1]) for e in entries), 40)
        lines.append(st.bold(file))
        for _, label, rest in entries:
            lines.append(f"  {st.cyan(label.ljust(width))}  {rest}")
        lines.append("")
    return lines


def render_summary(report: Report, *, verbose: bool = False, color: bool = False) -> str:
    """The report for people: summary, broken links by file, warnings (verbose), problems."""
    st = Style(color)
    s = summarize(report)
    outcomes = s.outcomes
    broken, warnings = outcomes.get("broken", 0), outcomes.get("warning", 0)
    images = s.images
    run = report.run

    levels = [severity(r) for r in report.results]
    broken_value = Outcome.BROKEN.value
    ranked = [
        (level, r)
        for level, r in zip(levels, report.results, strict=True)
        if enum_value(r.outcome) == broken_value
    ]
    broken_results = [r for _, r in ranked]
    # ---- headline: the one line that matters; how urgent it is comes right under it
    if broken:
        head = st.bold_red(f"{plural(broken, 'broken link')}")
    else:
        head = st.green("no broken links")
    extras = []
    if warnings:
        extras.append(st.yellow(plural(warnings, "warning")))
    if s.problems:
        extras.append(plural(s.problems, "input problem"))
    if report.findings:
        extras.append(plural(len(report.findings), "AMP finding"))
    lines = [f"linkcheck: {head}" + (f", {', '.join(extras)}" if extras else "")]
    if run.interrupted:
        lines.append(st.bold_red("INTERRUPTED: the run was stopped early; results are incomplete."))
    private = s.reasons.get(Reason.PRIVATE_ADDRESS.value, 0)
    if private:
        lines.append(
            st.yellow(
                f"  {plural(private, 'link')} not requested: private, loopback or link-local "
                "address (--allow-private, or --allow-net CIDR, to check them)"
            )
        )
    no_base = s.reasons.get(Reason.NO_BASE_URL.value, 0)
    if no_base:
        were = "was" if no_base == 1 else "were"
        lines.append(
            st.yellow(
                f"  {plural(no_base, 'root-relative link')} {were} not checked: "
                "give --base-url or --root-dir"
            )
        )
    internal = s.reasons.get(Reason.INTERNAL_ERROR.value, 0)
    if internal:
        lines.append(
            st.bold_red(
                f"  {plural(internal, 'link')} could not be judged because of a bug in "
                "linkcheck (internal_error): please report it"
            )
        )
    triage = triage_summary(report, levels)
    lines.extend(triage_head(triage, severity_counts(ranked, st), s.history))

    # ---- summary block
    lines.append(
        f"  {plural(s.files, 'file')}, {plural(s.articles, 'article')}, "
        f"{plural(s.unique_links, 'unique link')}, {plural(s.occurrences, 'occurrence')}"
    )
    lines.append(f"  outcomes:  {_counts(outcomes.items())}")
    lines.append(f"  reasons:   {_counts(s.reasons.items())}")
    mismatches = plural(images.mismatches, "size mismatch", "size mismatches")
    img = f"  images:    {images.checked} checked, {mismatches}"
    if images.aspect_preserving_mismatches:
        img += f" ({images.aspect_preserving_mismatches} with the same aspect ratio)"
    if images.unreadable:
        img += f", {images.unreadable} unreadable"
    if images.not_an_image:
        img += f", {images.not_an_image} not an image"
    lines.append(img)
    lines.append(f"  problems:  {s.problems}")
    lines.append(f"  duration:  {_duration(run.duration_s)}")
    down = [h for h in sorted(run.hosts, key=lambda h: clean(h.host)) if h.marked_down]
    if down:
        listed = ", ".join(
            f"{clean(h.host)} ({clean(h.marked_down)}, "
            f"{plural(h.short_circuited or 0, 'URL')} not requested)"
            for h in down
        )
        lines.append(f"  hosts down: {listed}")
    lines.append("")

    # ---- what to fix first, and links to update
    lines.extend(fix_first(ranked, st))
    moved = [(r, t) for r in report.results if (t := permanent_redirect(r)) is not None]
    lines.extend(update_links(moved, verbose, st))

    # ---- broken links, by file
    if broken_results:
        lines.append(st.bold_red(f"Broken links ({broken}), by file:"))
        lines.append("")
        lines.extend(_render_group(broken_results, st, st.red))

    # ---- article-level findings (AMP pairs)
    lines.extend(findings_block(report.findings, st, verbose=verbose))

    # ---- warnings: listed only on request
    if warnings:
        if verbose:
            warning_results = [
                r for r in report.results if enum_value(r.outcome) == Outcome.WARNING.value
            ]
            lines.append(st.yellow(f"Warnings ({warnings}), by file:"))
            lines.append("")
            lines.extend(_render_group(warning_results, st, st.yellow))
        else:
            lines.append(
                st.yellow(plural(warnings, "warning")) + " not listed (use --verbose to list them)"
            )
            lines.append("")

    # ---- per-host politeness statistics: on request
    if verbose and run.hosts:
        lines.append(st.bold(f"Hosts ({len(run.hosts)}):"))
        for h in sorted(run.hosts, key=lambda h: (-h.requests, clean(h.host))):
            notes = []
            if h.responses_429:
                notes.append(f"{h.responses_429} x 429")
            if h.slowed_down:
                notes.append(_rate_note(h))
            if h.marked_down:
                notes.append(f"down ({clean(h.marked_down)})")
            lines.append(
                f"  {clean(h.host)}: {h.requests} requests, {h.retries} retries, "
                f"max {h.max_in_flight} in flight, waited {h.waited_s:.1f} s"
                + (f" — {', '.join(notes)}" if notes else "")
            )
        lines.append("")

    # ---- input problems
    if report.problems:
        lines.append(st.bold(f"Input problems ({len(report.problems)}):"))
        for p in report.problems:
            where = clean(p.field)
            line = line_number(p.line)
            if line is not None:
                where = f"{where}:{line}" if where else f"line {line}"
            if not p.field and line is not None and re.search(rf"\bline {line}\b", p.message):
                where = ""  # the message already says where ("invalid YAML at line 3, ...")
            suffix = f" ({where})" if where else ""
            lines.append(
                f"  {clean(p.file)}: {clean(enum_value(p.reason))}: {clean(p.message)}{suffix}"
            )
        lines.append("")

    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"
