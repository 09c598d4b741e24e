"""Command line: argv -> Config -> run -> write outputs -> exit code.

The only module that prints or exits. Exit codes: 0 no broken links, 1 broken links found,
2 the run could not be done as asked (usage, config or input error, or interrupted).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from collections.abc import Sequence
from typing import Any, TextIO

import anyio

from linkcheck import __version__
from linkcheck.config import Config, ConfigError, build_config
from linkcheck.errors import InputError
from linkcheck.formats import json as json_format
from linkcheck.formats import text as text_format
from linkcheck.models import Report
from linkcheck.pipeline import Progress, run

EXIT_OK, EXIT_BROKEN, EXIT_ERROR = 0, 1, 2
DEFAULT_OUTPUT = "linkcheck-report.json"
D = Config()

DESCRIPTION = """\
Check every link and image in a library of article files (Markdown or .txt with YAML front
matter): webUrl, ampWebUrl, cdnAmpWebUrl, images (with their declared width/height),
related articles, any other URL in the front matter, and links in the article bodies."""

EPILOG = """\
exit codes:
  0  no broken links (warnings such as 'blocked' or 'rate_limited' do not count)
  1  broken links found (see the summary and the JSON report)
  2  the run could not be done as asked: bad option or config, missing path, or interrupted

settings can also live in linkcheck.toml or [tool.linkcheck] in pyproject.toml
(command-line flags win). Full documentation: README.md."""


def _formatter(prog: str) -> argparse.HelpFormatter:
    # a fixed width keeps --help identical everywhere (the README embeds it, a test compares)
    return argparse.RawDescriptionHelpFormatter(prog, width=100, max_help_position=32)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="linkcheck",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=_formatter,
    )
    parser.add_argument("--version", action="version", version=f"linkcheck {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p = sub.add_parser(
        "run",
        help="check the links of a content library",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=_formatter,
    )
    p.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="article files or folders (folders are searched recursively)",
    )
    out = p.add_argument_group("output")
    out.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help=f"where to write the JSON report ('-' for stdout; default: {DEFAULT_OUTPUT})",
    )
    out.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print nothing but errors (the JSON report is still written)",
    )
    out.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="also list warnings (blocked, rate-limited) and per-host statistics",
    )
    sel = p.add_argument_group("what to check")
    sel.add_argument(
        "--glob",
        action="append",
        metavar="PATTERN",
        dest="globs",
        help="file name pattern of article files inside folders, repeatable "
        f"(default: {' '.join(D.globs)})",
    )
    sel.add_argument(
        "--exclude",
        action="append",
        metavar="REGEX",
        help="skip URLs matching this regular expression, repeatable (reported as "
        "skipped/excluded)",
    )
    sel.add_argument(
        "--no-images",
        dest="check_images",
        action="store_const",
        const=False,
        help="check images as plain links, without reading their pixel size",
    )
    sel.add_argument(
        "--dimension-tolerance",
        metavar="N|N%",
        help="how far an image's real size may differ from the declared width/height, "
        "in pixels (2) or percent (1%%) (default: 0, exact)",
    )
    net = p.add_argument_group("network and politeness")
    net.add_argument(
        "--concurrency",
        type=int,
        metavar="N",
        help=f"requests in flight at once, over all hosts (default: {D.concurrency})",
    )
    net.add_argument(
        "--host-concurrency",
        type=int,
        metavar="N",
        help=f"requests in flight at once to one host (default: {D.host_concurrency})",
    )
    net.add_argument(
        "--host-rate",
        type=float,
        metavar="R",
        help=f"requests per second to one host (default: {D.host_rate:g})",
    )
    net.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help=f"time limit for one request (default: {D.timeout:g})",
    )
    net.add_argument(
        "--retries",
        type=int,
        metavar="N",
        help="extra attempts after a transient failure: timeouts, connection errors, "
        f"429, 502, 503, 504 (default: {D.retries})",
    )
    net.add_argument(
        "--max-redirects",
        type=int,
        metavar="N",
        help=f"redirects to follow before giving up (default: {D.max_redirects})",
    )
    net.add_argument(
        "--retry-after-cap",
        type=float,
        metavar="SECONDS",
        help="longest Retry-After we wait for; beyond it the link is reported "
        f"rate_limited (default: {D.retry_after_cap:g})",
    )
    net.add_argument(
        "--image-max-bytes",
        type=int,
        metavar="BYTES",
        help=f"most bytes read from one image to find its size (default: {D.image_max_bytes})",
    )
    net.add_argument(
        "--max-time",
        type=float,
        metavar="SECONDS",
        help="stop checking after this long and report what was checked (default: 0, no limit)",
    )
    net.add_argument(
        "--user-agent", metavar="TEXT", help=f"User-Agent header (default: {D.user_agent})"
    )
    net.add_argument(
        "--header",
        action="append",
        metavar="'NAME: VALUE'",
        dest="header_list",
        help="extra request header for every host, repeatable",
    )
    p.add_argument(
        "--config",
        metavar="FILE",
        help="read settings from this TOML file (default: ./linkcheck.toml, or "
        "[tool.linkcheck] in ./pyproject.toml, if present)",
    )
    return parser


def _flags(args: argparse.Namespace) -> dict[str, Any]:
    keys = (
        "concurrency",
        "host_concurrency",
        "host_rate",
        "timeout",
        "retries",
        "max_redirects",
        "retry_after_cap",
        "image_max_bytes",
        "max_time",
        "user_agent",
        "exclude",
        "globs",
        "check_images",
        "dimension_tolerance",
    )
    flags = {k: getattr(args, k) for k in keys}
    if args.header_list:
        headers = {}
        for item in args.header_list:
            name, sep, value = item.partition(":")
            if not sep or not name.strip():
                raise ConfigError(f"--header {item!r} is not of the form 'Name: value'")
            headers[name.strip()] = value.strip()
        flags["headers"] = headers
    return flags


class _ProgressLine:
    """One self-overwriting status line on a terminal, at most ~8 updates a second."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.last = 0.0
        self.shown = False

    def __call__(self, p: Progress) -> None:
        now = time.monotonic()
        if now - self.last < 0.12 and p.checked < p.links_total:
            return
        self.last = now
        if p.phase == "reading":
            line = f"reading files… {p.files}"
        else:
            line = (
                f"checked {p.checked}/{p.links_total} links · {p.broken} broken · "
                f"{p.warnings} warnings"
            )
        self.stream.write("\r\x1b[2K" + line)
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()


async def _run_with_signals(paths: Sequence[str], config: Config, progress: Any) -> Report:
    """Run; SIGINT/SIGTERM stop the checking and the partial report is still returned."""
    scope = anyio.CancelScope()

    async def watch_signals() -> None:
        # The handlers are plain Python ones (`_note_signal`), installed for the whole of main():
        # asyncio's own signal handling would put the defaults back when the loop closes, and a
        # second, impatient SIGTERM would then kill the process before its report is written.
        while not _signals_seen:
            await anyio.sleep(0.1)
        scope.cancel()

    report: Report | None = None
    error: InputError | None = None
    async with anyio.create_task_group() as tg:
        tg.start_soon(watch_signals)
        try:
            report = await run(paths, config, on_progress=progress, cancel_scope=scope)
        except InputError as exc:  # re-raised outside, or it would come wrapped in a group
            error = exc
        tg.cancel_scope.cancel()
    if error is not None:
        raise error
    assert report is not None
    return report


_signals_seen: list[int] = []


def _note_signal(signum: int, frame: object) -> None:
    """SIGINT/SIGTERM are only noted here: the run's watcher stops the checking within 0.1 s,
    and the report is always written, whenever (and however often) a signal comes."""
    _signals_seen.append(signum)


def _note_signals() -> dict[int, Any]:
    """Route SIGINT/SIGTERM to `_note_signal`; returns the handlers replaced ({} off the main
    thread, where signals cannot be handled)."""
    previous: dict[int, Any] = {}
    try:
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, _note_signal)
    except ValueError:
        return {}
    return previous


def main(argv: Sequence[str] | None = None) -> int:
    _signals_seen.clear()
    previous = _note_signals()
    try:
        code = _main(argv)
    except KeyboardInterrupt:  # only if a handler was not ours: still no traceback
        print("linkcheck: interrupted", file=sys.stderr)
        code = EXIT_ERROR
    for signum, handler in previous.items():
        # After a stop signal, ignore impatient repeats: the report is written and we are about
        # to exit, but Python's finalisation would put SIG_DFL back and a repeat would then
        # turn exit code 2 into "killed by SIGTERM".
        signal.signal(signum, signal.SIG_IGN if _signals_seen else handler)
    return EXIT_ERROR if _signals_seen and code == EXIT_OK else code


def _main(argv: Sequence[str] | None) -> int:
    for stream in (sys.stdout, sys.stderr):  # never die on a terminal that cannot show "→"
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed usage/help/version
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR
    if args.command != "run":
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    err = sys.stderr
    try:
        config, used = build_config(_flags(args), config_path=args.config)
    except ConfigError as exc:
        print(f"linkcheck: configuration error: {exc}", file=err)
        return EXIT_ERROR
    output = args.output or DEFAULT_OUTPUT
    human = sys.stderr if output == "-" else sys.stdout
    progress = None
    if not args.quiet and err.isatty():
        progress = _ProgressLine(err)
    try:
        report = anyio.run(_run_with_signals, args.paths, config, progress)
    except InputError as exc:
        if progress:
            progress.clear()
        print(f"linkcheck: {exc}", file=err)
        return EXIT_ERROR
    if progress:
        progress.clear()
    text = json_format.dumps(report, tool_version=__version__)
    try:
        if output == "-":
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            json_format.write_atomic(output, text)
    except OSError as exc:
        print(f"linkcheck: cannot write the report to {output}: {exc.strerror or exc}", file=err)
        return EXIT_ERROR
    if not args.quiet:
        color = human.isatty() and "NO_COLOR" not in os.environ
        human.write(text_format.render_summary(report, verbose=args.verbose, color=color))
        if output != "-":
            human.write(f"\nJSON report: {output}\n")
        if used:
            human.write(f"settings from: {used}\n")
        human.flush()
    if report.run.interrupted:
        print(
            "linkcheck: the run was interrupted before it finished; the report covers what was "
            "done (links not checked are listed as skipped/not_checked)",
            file=err,
        )
        return EXIT_ERROR
    return report.exit_code
