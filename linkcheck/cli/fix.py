"""`linkcheck fix REPORT.json`: rewrite the article files from a report: declared image sizes
set to the real size, permanently redirected links replaced by where they lead. Dry run by
default (a unified diff on standard output); `--write` applies. The work is `linkcheck.fix`;
this module only prints and picks the exit code."""

from __future__ import annotations

import argparse
import re
import sys
from typing import TYPE_CHECKING, Any

from linkcheck.cli.helptext import EXIT_BROKEN, EXIT_ERROR, EXIT_OK, help_formatter
from linkcheck.cli.terminal import add_color_flag, is_terminal, use_color
from linkcheck.config import Config
from linkcheck.formats.json_read import load_report

if TYPE_CHECKING:  # the fix package loads the YAML and Markdown readers: only when run
    from linkcheck.fix import FixRun

__all__ = ["HELP", "NAME", "add_parser", "run"]

NAME = "fix"
HELP = "rewrite the article files from a report: real image sizes, permanent redirects"

DESCRIPTION = """\
Rewrite the article files a JSON report names, from what the report found:

  sizes      an image whose declared width/height is not its real size (image_dimension_mismatch,
             for that citation only): the declared numbers are set to the displayed size
  redirects  a link that moved permanently (301/308, ending at a working page): the URL as written
             is replaced by where it moved, in the front-matter field and on its body line;
             temporary redirects (302/307) are left alone

Only those values change: comments, key order, quoting, line endings, a BOM and every other byte
stay as they were. A dry run by default: the changes are shown as a unified diff on standard
output (a patch: `git apply`/`patch -p1` from the library folder), a summary on standard error.
--write applies them, each file replaced atomically. A file that changed since the report (its
SHA-256 differs from the report's file_hashes) is never touched: run linkcheck again."""

EPILOG = """\
exit codes (as linkcheck diff):
  0  nothing to fix, or (--write) every fix was made
  1  dry run: there are changes to make (shown as a diff)
  2  the report could not be read or its files not found, or a file or a fix was skipped
     (changed since the report, no content hash without --force, unreadable, unwritable, or
     a value not found where the report says); the other files are still fixed"""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        NAME, help=HELP, description=DESCRIPTION, epilog=EPILOG, formatter_class=help_formatter
    )
    parser.add_argument("report", metavar="REPORT.json", help="a JSON report of linkcheck run")
    parser.add_argument(
        "--only",
        choices=("sizes", "redirects"),
        default=None,
        help="fix only image sizes, or only redirects",
    )
    parser.add_argument(
        "--write", action="store_true", help="change the files (default: only show the diff)"
    )
    parser.add_argument(
        "--root",
        metavar="DIR",
        default=None,
        help="the folder the report's file names are relative to (default: worked out from the "
        "report's inputs, from the current folder or else the report's folder)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="also fix files the report has no content hash for (a report of an older "
        "linkcheck); a file that changed since the report is never fixed",
    )
    add_color_flag(parser, "the diff")
    return parser


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_COLOURS = (("+++", "1"), ("---", "1"), ("@@", "36"), ("+", "32"), ("-", "31"))


def _shown(line: str, *, terminal: bool, color: bool) -> str:
    """A diff line as written to stdout: exact for a file or pipe (a usable patch); on a
    terminal, control characters escaped (an article cannot drive the terminal)."""
    if not terminal:
        return line
    body, end = (line[:-2], "\r\n") if line.endswith("\r\n") else (line.rstrip("\n"), "\n")
    body = _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", body)
    if color:
        code = next((c for prefix, c in _COLOURS if body.startswith(prefix)), "")
        if code:
            body = f"\x1b[{code}m{body}\x1b[0m"
    return body + end


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "es" if noun.endswith("x") else "s")


def _summary(result: FixRun, write: bool) -> str:
    changed = result.changed
    if not changed:
        head = "nothing to fix" if not result.files else "no file to change"
    else:
        verb = "changed" if write else "would change"
        what = [
            _plural(result.count("sizes"), "image size"),
            _plural(result.count("urls"), "link"),
        ]
        head = f"{verb} {_plural(len(changed), 'file')}: {', '.join(what)}"
    notes = []
    if result.problems:
        notes.append(f"{_plural(len(result.problems), 'file')} skipped")
    skipped = sum(1 for _ in result.skipped)
    if skipped:
        notes.append(f"{_plural(skipped, 'fix')} skipped")
    if changed and not write:
        notes.append("dry run: --write applies")
    elif changed:
        notes.append("the report no longer matches these files: run linkcheck again")
    return f"linkcheck fix: {head}" + (f" ({'; '.join(notes)})" if notes else "")


def run(args: argparse.Namespace) -> int:
    """Raises InputError for an unreadable report or unfindable inputs (main(): exit 2)."""
    from linkcheck.fix import fix_library, unified_diff

    report = load_report(args.report)
    result = fix_library(
        report,
        report_path=args.report,
        root=args.root,
        only=args.only,
        write=args.write,
        force=args.force,
    )
    terminal = is_terminal(sys.stdout)
    color = use_color(Config(color=args.color), sys.stdout)
    try:
        for fix in result.changed:
            if args.write:
                if fix.written:
                    print(
                        f"fixed {fix.name}: {_plural(fix.sizes, 'image size')}, "
                        f"{_plural(fix.urls, 'link')}"
                    )
                continue
            sys.stdout.write(
                "".join(_shown(x, terminal=terminal, color=color) for x in unified_diff(fix))
            )
        sys.stdout.flush()
    except OSError as exc:
        print(
            f"linkcheck fix: cannot write to standard output: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return EXIT_ERROR
    for fix in result.problems:
        print(f"linkcheck fix: skipped {fix.name}: {fix.problem}", file=sys.stderr)
    for fix, skip in result.skipped:
        where = fix.name + (f":{skip.line}" if skip.line is not None else "")
        print(f"linkcheck fix: {where} {skip.field}: {skip.why}", file=sys.stderr)
    print(_summary(result, args.write), file=sys.stderr)
    if result.problems or any(True for _ in result.skipped):
        return EXIT_ERROR
    return EXIT_BROKEN if result.changed and not args.write else EXIT_OK
