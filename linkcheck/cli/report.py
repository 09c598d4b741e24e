"""`linkcheck report REPORT.json --format NAME[=PATH] ...`: render a saved JSON report in any
format (the same registry as `run --format`), so a format never needs a re-run."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from linkcheck import __version__
from linkcheck.cli.helptext import EXIT_ERROR, EXIT_OK, help_formatter
from linkcheck.cli.output import STDOUT, write_output
from linkcheck.cli.outputs import format_outputs, write_error
from linkcheck.cli.terminal import add_color_flag, use_color
from linkcheck.config import Config
from linkcheck.formats import FORMATTERS, RenderOptions, formatter_names

__all__ = ["HELP", "NAME", "add_parser", "run"]

NAME = "report"
HELP = "render a saved JSON report in other formats (markdown, junit, sarif, csv, ...)"

DESCRIPTION = """\
Read a JSON report written by `linkcheck run` (schema_version 1 or 2; '-' reads standard
input) and write it in the formats asked for, without checking anything again. With no
--format, the summary for people is printed."""

_RULES = """\
--format NAME[=PATH], repeatable (the same rules as linkcheck run --format):
  NAME=PATH  writes to PATH (atomically); NAME=- writes to standard output
  NAME       writes to the format's default file, or to standard output if it has none
  at most one format may go to standard output; two formats may not share a file

exit codes:
  0  every format was written
  2  the report could not be read (missing, not JSON, not a linkcheck report, a newer
     schema_version), a format name is unknown, or an output could not be written"""


def _format_list() -> str:
    width = max(len(n) for n in formatter_names())
    lines = ["formats (written to their default file, or to standard output, without =PATH):"]
    for name in formatter_names():
        f = FORMATTERS[name]
        lines.append(f"  {name.ljust(width)}  {f.description}")
        lines.append(f"  {'':{width}}  -> {f.default_path or 'standard output'}")
    return "\n".join(lines)


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        NAME,
        help=HELP,
        description=DESCRIPTION,
        epilog=f"{_format_list()}\n\n{_RULES}",
        formatter_class=help_formatter,
    )
    parser.add_argument("report", metavar="REPORT.json", help="a JSON report of linkcheck run")
    parser.add_argument(
        "--format",
        dest="formats",
        action="append",
        default=[],
        metavar="NAME[=PATH]",
        help="write the report in this format (repeatable; see the list below)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="text format: also list warnings and per-host statistics",
    )
    add_color_flag(parser, "the text format")
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="do not say which files were written"
    )
    return parser


def run(args: argparse.Namespace) -> int:
    """Raises ConfigError / InputError (main() reports them, exit 2); returns the exit code."""
    # imported here: --help stays instant
    from linkcheck.formats.json_read import load_report

    specs = list(args.formats) or ["text"]
    outputs = format_outputs(specs)  # an unknown name fails before the report is read
    report = load_report(sys.stdin.buffer if args.report == STDOUT else args.report)
    err = sys.stderr
    to_stdout = any(path == STDOUT for _, path in outputs)
    note = err if to_stdout else sys.stdout
    for formatter, path in outputs:
        target = sys.stdout if path == STDOUT else path
        # colour only on a terminal (auto), never in a file unless --color always
        color = (
            use_color(Config(color=args.color), sys.stdout)
            if path == STDOUT
            else (args.color == "always")
        )
        options = RenderOptions(tool_version=__version__, verbose=args.verbose, color=color)
        try:
            write_output(formatter, report, target, options=options)
        except OSError as exc:
            print(f"linkcheck: {write_error(formatter, target, exc)}", file=err)
            return EXIT_ERROR
        if path != STDOUT and not args.quiet:
            note.write(f"{formatter.name.upper()} report: {path}\n")
    return EXIT_OK
