"""`linkcheck diff OLD.json NEW.json`: what broke, what got fixed, what changed between two
JSON reports. Works from the two files alone (no state store), so any two reports compare:
last week's and this week's, before and after a fix, two machines'.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

from linkcheck.cli.helptext import EXIT_BROKEN, EXIT_ERROR, EXIT_OK, help_formatter
from linkcheck.cli.output import STDOUT, atomic_text_file
from linkcheck.cli.terminal import add_color_flag, use_color
from linkcheck.config import Config
from linkcheck.formats.json_read import load_report
from linkcheck.models import Outcome
from linkcheck.report.diff import CATEGORIES, LinkChange, ReportDiff, Verdict, diff_reports

__all__ = ["HELP", "NAME", "add_parser", "render_text", "run"]

NAME = "diff"
HELP = "compare two JSON reports: new broken, fixed, changed, new and vanished links"

DESCRIPTION = """\
Compare two JSON reports of linkcheck (schema_version 1 or 2) and list what changed from OLD
to NEW, joining links by their normalised URL:

  new broken       broken in NEW, not broken (or absent) in OLD
  fixed            broken in OLD, not broken in NEW (now ok, a warning, or skipped)
  changed          broken in both, but differently (404 -> 410, http_status -> dns, image size)
  still broken     broken in both, the same way
  verdict changed  broken in neither, but the verdict changed (ok -> warning, image size)
  not compared     one of the runs stopped before checking the link
  new links        absent from OLD;  vanished links: absent from NEW

The state store is not needed: the two files are enough."""

EPILOG = """\
exit codes (like diff(1), for scripts):
  0  nothing newly broke
  1  NEW has new broken links
  2  a report could not be read (missing, not JSON, not a linkcheck report, or a newer
     schema_version), or the output could not be written

A report of an interrupted run, or of a run that found the network down, makes the comparison
partial: a warning says so on standard error."""

LIMIT_DEFAULT = 10
_SECTIONS = {
    "new_broken": "New broken",
    "fixed": "Fixed",
    "changed": "Changed",
    "still_broken": "Still broken",
    "verdict_changed": "Verdict changed",
    "not_compared": "Not compared (not checked in one of the runs)",
    "new_links": "New links",
    "vanished_links": "Vanished links",
}
_ALWAYS_IN_FULL = frozenset({"new_broken", "fixed", "changed"})  # what someone must act on
_CITED_SHOWN = 3
_ARROW = "\u2192"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        NAME,
        help=HELP,
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=help_formatter,
    )
    parser.add_argument("old", metavar="OLD.json", help="the earlier JSON report")
    parser.add_argument("new", metavar="NEW.json", help="the later JSON report")
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text for people (default), or json: one object with old, new, partial, counts "
        "and a list per category",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        default=STDOUT,
        help="write the comparison to FILE (atomically) instead of standard output",
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help="text: list every link of every section (by default still broken, verdict "
        f"changed, new and vanished links show their first {LIMIT_DEFAULT})",
    )
    parser.add_argument(
        "--limit",
        type=_positive,
        default=LIMIT_DEFAULT,
        metavar="N",
        help=f"text: links shown in the shortened sections (default {LIMIT_DEFAULT})",
    )
    add_color_flag(parser, "the text")
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is less than 1")
    return value


def run(args: argparse.Namespace) -> int:
    """Raises InputError for an unreadable report (main() reports it, exit 2)."""
    to_file = args.output != STDOUT
    try:
        # the output file is opened first: an unwritable path fails before minutes of reading
        with atomic_text_file(args.output) if to_file else nullcontext(sys.stdout) as out:
            diff = diff_reports(load_report(args.old), load_report(args.new))
            _warn(diff, args)
            if args.format == "json":
                text = _json_text(diff, args)
            else:
                color = not to_file and use_color(Config(color=args.color), sys.stdout)
                limit = None if args.all else args.limit
                text = render_text(diff, args.old, args.new, limit=limit, color=color)
            out.write(text)
            out.flush()
    except OSError as exc:
        where = args.output if to_file else "standard output"
        print(
            f"linkcheck diff: cannot write the comparison to {where}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return EXIT_ERROR
    return EXIT_BROKEN if diff.new_broken else EXIT_OK


def _warn(diff: ReportDiff, args: argparse.Namespace) -> None:
    for note in diff.partial:
        print(f"linkcheck diff: warning: the comparison is partial, {note}", file=sys.stderr)
    for label, path, side in (("OLD", args.old, diff.old), ("NEW", args.new, diff.new)):
        if side.duplicates:
            print(
                f"linkcheck diff: warning: {label} ({path}) lists {side.duplicates} URL(s) "
                "more than once; the first row of each was compared",
                file=sys.stderr,
            )


def _json_text(diff: ReportDiff, args: argparse.Namespace) -> str:
    doc = diff.as_dict()
    for key, path in (("old", args.old), ("new", args.new)):
        about = doc[key]
        assert isinstance(about, dict)
        about["report"] = path
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- text


def _clean(value: object) -> str:
    """`value` as one line that cannot drive the terminal (control characters escaped)."""
    text = value if isinstance(value, str) else str(value)
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in text)


def _paint(color: bool) -> Callable[[str, str], str]:
    def paint(code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if color and text else text

    return paint


_BOLD, _RED, _GREEN, _YELLOW, _DIM = "1", "31", "32", "33", "2"


def _verdict_text(v: Verdict | None) -> str:
    if v is None:
        return "absent"
    parts = [v.outcome.value]
    if v.reason is not None:
        why = v.reason.value
        status = v.http_status
        if isinstance(status, int) and not 200 <= status < 300:  # 404, 429, 403: say which
            why += f" {status}"
        parts.append(f"({why})")
    if v.image_size is not None:
        w, h = v.image_size
        parts.append(f"actual {'?' if w is None else w}x{'?' if h is None else h}")
    return " ".join(parts)


def _cited_text(change: LinkChange) -> str:
    shown = change.cited[:_CITED_SHOWN]
    parts = []
    for c in shown:
        where = _clean(c.file) + (f":{c.line}" if isinstance(c.line, int) else "")
        parts.append(f"{where} {_clean(c.field)}")
    more = change.occurrences - len(shown)
    return "; ".join(parts) + (f" (+{more} more)" if more > 0 else "")


def _entry(change: LinkChange, paint: Callable[[str, str], str]) -> list[str]:
    old, new = _verdict_text(change.old), _verdict_text(change.new)
    if change.old is None:
        verdicts = new
    elif change.new is None:
        verdicts = f"was {old}"
    else:
        verdicts = f"{old} {_ARROW} {new}"
    lines = [f"  {_clean(change.url)}", f"      {change.kind.value}: {verdicts}"]
    side = change.new if change.new is not None else change.old
    if side is not None and side.detail and side.outcome is not Outcome.OK:
        lines.append(f"      {paint(_DIM, _clean(side.detail))}")
    if change.cited:
        label = "cited" if change.new is not None else "was cited"
        lines.append(f"      {label}: {_cited_text(change)}")
    return lines


def _side_line(label: str, path: str, diff: ReportDiff) -> str:
    side = diff.old if label == "OLD" else diff.new
    return (
        f"  {label}  {_clean(path)}  run {_clean(side.started_at)}: "
        f"{_plural(side.links, 'link')}, {side.broken:,} broken"
        + (" (partial)" if side.partial else "")
    )


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _headline(diff: ReportDiff, paint: Callable[[str, str], str]) -> str:
    counts = diff.counts
    parts = []
    for name in CATEGORIES:
        n = counts[name]
        if n:
            text = f"{n:,} {name.replace('_', ' ')}"
            if name == "new_broken":
                text = paint(_RED + ";" + _BOLD, text)
            elif name == "fixed":
                text = paint(_GREEN, text)
            parts.append(text)
    if not parts:
        return "linkcheck diff: no changes"
    return "linkcheck diff: " + ", ".join(parts)


def _section_note(name: str, diff: ReportDiff) -> str:
    if name == "new_links":
        broken = sum(
            1 for c in diff.new_links if c.new is not None and c.new.outcome is Outcome.BROKEN
        )
        return f", {broken:,} of them broken (listed above)" if broken else ""
    if name == "vanished_links":
        broken = sum(
            1 for c in diff.vanished_links if c.old is not None and c.old.outcome is Outcome.BROKEN
        )
        return f", {broken:,} of them were broken" if broken else ""
    return ""


def render_text(
    diff: ReportDiff, old_path: str, new_path: str, *, limit: int | None, color: bool = False
) -> str:
    """The comparison for people: a headline with the counts, both runs, then one section per
    non-empty category, most important first. `limit` (None: no limit) shortens the sections
    nobody has to act on (still broken, verdict changed, not compared, new, vanished)."""
    paint = _paint(color)
    lines = [
        _headline(diff, paint),
        _side_line("OLD", old_path, diff),
        _side_line("NEW", new_path, diff),
        f"  {_plural(diff.unchanged, 'link')} unchanged",
    ]
    for note in diff.partial:
        lines.append(paint(_YELLOW, f"  warning: the comparison is partial, {note}"))
    for name in CATEGORIES:
        changes = diff.category(name)
        if not changes:
            continue
        shown = changes
        if limit is not None and name not in _ALWAYS_IN_FULL:
            shown = changes[:limit]
        title = f"{_SECTIONS[name]} ({len(changes):,}{_section_note(name, diff)})"
        code = {"new_broken": _RED, "fixed": _GREEN, "changed": _YELLOW}.get(name, "")
        lines += ["", paint(_BOLD + (";" + code if code else ""), title)]
        for change in shown:
            lines += _entry(change, paint)
        if len(shown) < len(changes):
            rest = len(changes) - len(shown)
            lines.append(f"  ... and {rest:,} more (--all lists them)")
    return "\n".join(lines) + "\n"
