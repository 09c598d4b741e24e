"""Command line: argv -> subcommand -> exit code. The only package that prints or exits.

`main(argv)` returns the exit code; it never raises SystemExit and never shows a traceback for
anything a user typed or configured. Exit codes: 0 no broken links, 1 broken links found, 2 the
run could not be done as asked (usage, config or input error, or interrupted); a finished run's
code is `Report.exit_code`, the one place it is decided.

Subcommands live in `COMMANDS`: a module with `NAME`, `HELP`, `add_parser(subparsers)` and
`run(args) -> int`. Adding one = one module + one line.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any, Protocol

from linkcheck import __version__
from linkcheck.cli import demo as demo_command
from linkcheck.cli import diff as diff_command
from linkcheck.cli import fix as fix_command
from linkcheck.cli import history as history_command
from linkcheck.cli import merge as merge_command
from linkcheck.cli import report as report_command
from linkcheck.cli import run as run_command
from linkcheck.cli.helptext import DESCRIPTION, EXIT_CODES, EXIT_ERROR, EXIT_OK, help_formatter
from linkcheck.cli.signals import noted_signals
from linkcheck.errors import ConfigError, InputError, LinkcheckError

__all__ = ["COMMANDS", "Subcommand", "build_parser", "main"]


class Subcommand(Protocol):
    NAME: str
    HELP: str

    def add_parser(self, subparsers: Any) -> argparse.ArgumentParser: ...

    def run(self, args: argparse.Namespace) -> int: ...


COMMANDS: dict[str, Subcommand] = {
    run_command.NAME: run_command,
    demo_command.NAME: demo_command,
    diff_command.NAME: diff_command,
    history_command.NAME: history_command,
    report_command.NAME: report_command,
    merge_command.NAME: merge_command,
    fix_command.NAME: fix_command,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="linkcheck",
        description=DESCRIPTION,
        epilog=EXIT_CODES + "\n\nlinkcheck COMMAND --help shows a command's options.",
        formatter_class=help_formatter,
    )
    parser.add_argument("--version", action="version", version=f"linkcheck {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS.values():
        command.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    with noted_signals() as seen:
        try:
            code = _main(argv)
        except KeyboardInterrupt:  # only if a handler was not ours: still no traceback
            print("linkcheck: interrupted", file=sys.stderr)
            code = EXIT_ERROR
    # a stop signal that came after the checking (while writing) still means "not as asked"
    return EXIT_ERROR if seen and code == EXIT_OK else code


def _main(argv: Sequence[str] | None) -> int:
    for stream in (sys.stdout, sys.stderr):  # never die on a terminal that cannot show "→"
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed usage/help/version
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR
    command = COMMANDS.get(args.command or "")
    if command is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        return command.run(args)
    except ConfigError as exc:
        print(f"linkcheck: configuration error: {exc}", file=sys.stderr)
    except (InputError, LinkcheckError) as exc:
        print(f"linkcheck: {exc}", file=sys.stderr)
    return EXIT_ERROR
