"""`linkcheck merge REPORT... -o OUT`: one JSON report from the reports of a sharded run's
shards (`linkcheck run --shard K/N`), optionally recorded in a state store (`--record`)."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from linkcheck import __version__
from linkcheck.cli.helptext import EXIT_ERROR, help_formatter
from linkcheck.cli.output import STDOUT
from linkcheck.errors import StateError
from linkcheck.models import Outcome

if TYPE_CHECKING:
    from linkcheck.models import Report

__all__ = ["HELP", "NAME", "add_parser", "record", "run"]

NAME = "merge"
HELP = "merge the JSON reports of a sharded run (--shard K/N) into one report"

DESCRIPTION = """\
Merge the JSON reports of the N shards of one run (`linkcheck run --shard K/N`, or --shards N
with the index from the environment) into one report, as if one process had checked the whole
library: links united (each URL comes from one shard; a URL two reports list differently is an
error), problems and findings deduplicated, per-host statistics joined, the summary worked out
again. The merged report says shard null and lists the shards' runs in run.merged_from; it
feeds every format (linkcheck report merged.json --format ...) and linkcheck diff.

Every shard 1..N must be given once: a missing shard, two reports of one shard, or reports of
different N are errors (a merged report may itself be merged with the rest)."""

EPILOG = """\
exit codes (those of linkcheck run, for the merged report):
  0  no broken links
  1  broken links found (with --fail-after N: broken in N runs in a row)
  2  the reports could not be merged (unreadable, not shards of one run, a shard missing or
     given twice, a URL with two verdicts), the output or the store could not be written, or
     the merged report is incomplete (a shard was interrupted, or missing with --allow-missing)

history: merge first, then record: --record adds the merged report to the state store as one
run, so linkcheck history and --fail-after work as for an unsharded run. See docs/shards.md."""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        NAME, help=HELP, description=DESCRIPTION, epilog=EPILOG, formatter_class=help_formatter
    )
    parser.add_argument(
        "reports", nargs="+", metavar="REPORT", help="the shards' JSON reports, any order"
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        required=True,
        help="write the merged JSON report to FILE (atomically; '-' for standard output)",
    )
    parser.add_argument(
        "--allow-missing",
        action="store_true",
        help="merge even when some shards have no report: the merged report names them in a "
        "warning, lists the shards it has in run.merged_from and is marked interrupted (exit 2)",
    )
    parser.add_argument(
        "--record",
        action="store_true",
        help="also record the merged report in the state store as one run (history, "
        "--fail-after, the cache of ok verdicts), as an unsharded run would have",
    )
    parser.add_argument(
        "--state",
        metavar="FILE",
        help="with --record: the state store to record into (required: the shards' default "
        "stores are on their own machines; linkcheck history --state FILE reads it)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print only warnings and errors")
    return parser


def record(report: Report, path: str) -> Report:
    """`report` recorded in the store at `path` as one run (StateError when the store cannot
    be used or is locked): its links gain their history, its run the run id."""
    from linkcheck.state.session import COMPLETE, INTERRUPTED, StateSession  # noqa: PLC0415

    session = StateSession(path)
    if not session.try_lock():
        raise session.lock.locked_error()
    try:
        run = report.run
        session.begin(run.started_at, __version__, run.inputs, run.options)
        session.load(r.link.url for r in report.results)
        results = tuple(session.annotate(r) for r in report.results)
        session.finish(INTERRUPTED if run.interrupted else COMPLETE, run.finished_at)
        run_id = session.run_id
    finally:
        session.close()
    info = replace(run, run_id=run_id, state_file=os.path.abspath(path))
    return replace(report, run=info, results=results)


def run(args: argparse.Namespace) -> int:
    """Raises InputError (unreadable reports, MergeError); main() reports it (exit 2)."""
    # imported here, not at the top: --help stays instant (the merge hashes domains)
    from linkcheck.formats.json import write, write_report  # noqa: PLC0415
    from linkcheck.formats.json_read import load_report  # noqa: PLC0415
    from linkcheck.report.merge import merge_reports  # noqa: PLC0415

    err = sys.stderr
    if args.record and not args.state:
        print("linkcheck merge: --record needs --state FILE, the store to record into", file=err)
        return EXIT_ERROR
    loaded = [(path, load_report(path)) for path in args.reports]
    merged = merge_reports(loaded, allow_missing=args.allow_missing)
    for warning in merged.warnings:
        print(f"linkcheck merge: warning: {warning}", file=err)
    report = merged.report
    if args.record:
        try:
            report = record(report, args.state)
        except StateError as exc:  # the merged report is still written, and says why
            report = replace(report, run=replace(report.run, state_error=str(exc)))
            print(f"linkcheck merge: not recorded in the state store: {exc}", file=err)
    try:
        if args.output == STDOUT:
            write(report, sys.stdout, tool_version=__version__)
            sys.stdout.flush()
        else:
            write_report(args.output, report, tool_version=__version__)
    except OSError as exc:
        where = "standard output" if args.output == STDOUT else args.output
        print(
            f"linkcheck merge: cannot write the merged report to {where}: {exc.strerror or exc}",
            file=err,
        )
        return EXIT_ERROR
    if not args.quiet:
        broken = sum(1 for r in report.results if r.outcome is Outcome.BROKEN)
        shards = len(report.run.merged_from)
        total = int(str(report.run.merged_from[0]["total"])) if shards else 0
        target = "standard output" if args.output == STDOUT else args.output
        recorded = f", recorded as run {report.run.run_id}" if args.record else ""
        print(
            f"linkcheck merge: {shards} of {total} shards, {len(report.results):,} links, "
            f"{broken:,} broken -> {target}{recorded}",
            file=err,
        )
    return report.exit_code
