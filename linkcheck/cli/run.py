"""`linkcheck run PATH...`: check a library, write the JSON report, print the summary."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, TextIO

import anyio

from linkcheck import __version__
from linkcheck.cli.helptext import DESCRIPTION, EXIT_CODES, EXIT_ERROR, help_formatter
from linkcheck.cli.options import add_setting_flags, flags_given
from linkcheck.cli.output import STDOUT, write_output
from linkcheck.cli.progress import ProgressLine
from linkcheck.cli.signals import cancel_on_signal
from linkcheck.config import Config, build_config
from linkcheck.formats import Formatter, RenderOptions, get_formatter
from linkcheck.models import Report

__all__ = ["HELP", "NAME", "add_parser", "run"]

NAME = "run"
HELP = "check the links of a content library"

EPILOG = f"""\
{EXIT_CODES}

settings: every flag is also a config file key (--host-rate 5 is host-rate = 5 in the file).
The file is linkcheck.toml, or [tool.linkcheck] in pyproject.toml, in the folder of the first
PATH or the nearest folder above it (up to the project root, the one holding .git), else in
the current directory; --config FILE names it instead. Flags win over the file.
Full documentation: README.md."""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        NAME, help=HELP, description=DESCRIPTION, epilog=EPILOG, formatter_class=help_formatter
    )
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="article files or folders (folders are searched recursively)",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="read settings from this TOML file instead of looking for linkcheck.toml or "
        "pyproject.toml from the first PATH upwards",
    )
    add_setting_flags(parser)
    return parser


def _outputs(config: Config, human: TextIO) -> list[tuple[Formatter, str | TextIO]]:
    """What to write where: the JSON report to a file (or stdout), the summary for people."""
    report_target: str | TextIO = sys.stdout if config.output == STDOUT else config.output
    outputs: list[tuple[Formatter, str | TextIO]] = [(get_formatter("json"), report_target)]
    if not config.quiet:
        outputs.append((get_formatter("text"), human))
    return outputs


def _write_error(formatter: Formatter, target: object, exc: OSError) -> str:
    what = "the report" if formatter.name == "json" else f"the {formatter.name} report"
    why = exc.strerror or str(exc)
    if not isinstance(target, str):
        return f"cannot write {what} to standard output: {why}"
    folder = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(folder):
        why = f"the folder {folder} does not exist"
    return f"cannot write {what} to {target}: {why}"


def run(args: argparse.Namespace) -> int:
    """Raises ConfigError / InputError (main() reports them); returns the exit code."""
    config, used = build_config(flags_given(args), config_path=args.config, inputs=args.paths)
    err = sys.stderr
    human = err if config.output == STDOUT else sys.stdout
    progress = ProgressLine(err) if not config.quiet and err.isatty() else None

    # imported here, not at the top: --help, --version and a config error stay instant
    from linkcheck.pipeline import run as run_pipeline

    async def check(scope: anyio.CancelScope) -> Report:
        return await run_pipeline(args.paths, config, on_progress=progress, cancel_scope=scope)

    try:
        report = anyio.run(cancel_on_signal, check)
    finally:
        if progress is not None:
            progress.clear()

    options = RenderOptions(
        tool_version=__version__,
        verbose=config.verbose,
        color=human.isatty() and "NO_COLOR" not in os.environ,
    )
    outputs = _outputs(config, human)
    # files first (a dashboard's report matters most), then what people read
    outputs.sort(key=lambda o: not isinstance(o[1], str))
    for formatter, target in outputs:
        try:
            write_output(formatter, report, target, options=options)
        except OSError as exc:
            print(f"linkcheck: {_write_error(formatter, target, exc)}", file=err)
            return EXIT_ERROR
    if not config.quiet:
        for formatter, target in outputs:
            if isinstance(target, str):
                human.write(f"\n{formatter.name.upper()} report: {target}\n")
        if used:
            human.write(f"settings from: {used}\n")
        human.flush()
    if report.run.interrupted:
        print(
            "linkcheck: the run was interrupted before it finished; the report covers what was "
            "done (links not checked are listed as skipped/not_checked)",
            file=err,
        )
    return report.exit_code
