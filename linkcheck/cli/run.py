"""`linkcheck run PATH...`: check a library, write the JSON report, print the summary."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import anyio

from linkcheck import __version__
from linkcheck.cli.heartbeat import Heartbeat, with_heartbeat
from linkcheck.cli.helptext import DESCRIPTION, EXIT_CODES, EXIT_ERROR, help_formatter
from linkcheck.cli.options import add_setting_flags, flags_given
from linkcheck.cli.output import write_output
from linkcheck.cli.outputs import human_stream, planned_outputs, write_error
from linkcheck.cli.preflight import unwritable
from linkcheck.cli.progress import ProgressLine
from linkcheck.cli.signals import cancel_on_signal
from linkcheck.cli.terminal import use_color
from linkcheck.config import Config, build_config
from linkcheck.formats import RenderOptions
from linkcheck.models import Report
from linkcheck.state import default_state_path

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


def with_state(config: Config, paths: Sequence[str] = ()) -> Config:
    """The store this run uses: --state, else the default location (beside the config file
    found, else this library's own store under $XDG_STATE_HOME); none with --no-state.
    A shard's default store is its own (`...-shard-K-of-N.db`): shards of one library on one
    machine would otherwise wait for each other's lock, and a new N starts fresh stores."""
    if not config.use_state:
        return replace(config, state=None)
    if config.state is None:
        path = default_state_path(config.config_file, paths)
        if config.shard is not None:
            k, n = config.shard
            path = f"{path.removesuffix('.db')}-shard-{k}-of-{n}.db"
        return replace(config, state=path)
    return config


def run(args: argparse.Namespace) -> int:
    """Raises ConfigError / InputError (main() reports them); returns the exit code."""
    from linkcheck import shard  # noqa: PLC0415 - not at the top: --help stays instant

    flags = flags_given(args)
    config, used = build_config(flags, config_path=args.config, inputs=args.paths)
    config, shard_from = shard.resolve(config, flags, os.environ)  # flag > environment > file
    config = with_state(config, args.paths)
    err = sys.stderr
    if config.shard is not None and not config.quiet:
        k, n = config.shard
        print(f"linkcheck: checking shard {k}/{n} (from {shard_from})", file=err)
    human = human_stream(config)  # stderr when an output (-o -, a --format) takes stdout
    outputs = planned_outputs(config, human)
    # an output that cannot be written stops the run now, not after hours of checking
    cannot_write = unwritable(outputs)
    for problem in cannot_write:
        print(f"linkcheck: {problem}; nothing was checked", file=err)
    if cannot_write:
        return EXIT_ERROR
    progress = ProgressLine(err) if not config.quiet and err.isatty() else None
    heartbeat = None
    if progress is None and not config.quiet and config.heartbeat > 0:
        heartbeat = Heartbeat(err, config.heartbeat)  # cron, CI, a log file: never silent

    # imported here, not at the top: --help, --version and a config error stay instant
    from linkcheck.pipeline import run as run_pipeline

    async def check(scope: anyio.CancelScope) -> Report:
        job = run_pipeline(
            args.paths, config, on_progress=progress or heartbeat, cancel_scope=scope
        )
        return await with_heartbeat(progress or heartbeat, job)

    try:
        report = anyio.run(cancel_on_signal, check)
    finally:
        if progress is not None:
            progress.clear()

    if report.run.network_down:
        # Nothing is written: a report calling every link broken because this machine was
        # offline would paint the dashboards with a 100 % spike; last week's files stay.
        print(
            f"linkcheck: the network looks down: {report.run.network_down}. The links were "
            "not judged: no report was written (the previous files are left as they were) "
            "and nothing was recorded in the state store; exit 2",
            file=err,
        )
        return report.exit_code
    options = RenderOptions(
        tool_version=__version__,
        verbose=config.verbose,
        color=use_color(config, human),
    )
    # files first (a dashboard's report matters most), then what people read
    outputs.sort(key=lambda o: not isinstance(o[1], str))
    for formatter, target in outputs:
        try:
            write_output(formatter, report, target, options=options)
        except OSError as exc:
            print(f"linkcheck: {write_error(formatter, target, exc)}", file=err)
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
    if report.run.state_error:
        print(
            "linkcheck: the links were checked and the report written, but the run could not "
            f"be recorded in the state store: {report.run.state_error}; exit 2",
            file=err,
        )
    return report.exit_code
