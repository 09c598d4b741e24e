"""`linkcheck demo`: a first run that needs no network. A bundled library is checked against
bundled sites started on 127.0.0.1, every format is written into a folder, and the summary says
what each showcase link demonstrates.

Exit codes: 0 the demo ran (it finds broken links on purpose: they do not make it fail);
2 it could not run (the folder cannot be written, the loopback interface is down, interrupted).
"""

from __future__ import annotations

import argparse
import os
import select
import shlex
import sys
from pathlib import Path
from typing import Any, TextIO

import anyio

from linkcheck import __version__
from linkcheck.cli.helptext import EXIT_ERROR, EXIT_OK, help_formatter
from linkcheck.cli.output import write_output
from linkcheck.cli.signals import cancel_on_signal
from linkcheck.cli.terminal import use_color
from linkcheck.errors import InputError
from linkcheck.formats import RenderOptions, get_formatter
from linkcheck.models import Report

__all__ = ["DEFAULT_DIR", "HELP", "NAME", "add_parser", "rerun_command", "run"]

NAME = "demo"
HELP = "check a bundled demo library against bundled local sites (no network needed)"
DEFAULT_DIR = "linkcheck-demo"

DESCRIPTION = """\
A first run that needs no network: starts three small web sites on 127.0.0.1 (a news site, a
rate-limited partner site and an image CDN), writes a demo library of articles whose links
point at them, checks it like `linkcheck run` does, and writes the report in every format
into a folder. The sites show ok pages and AMP pages, a 404, a 410, a permanent redirect
(301), a chain of 302s, a redirect loop, a 503 that recovers when retried, a 429 with
Retry-After, a paywall (403), images of the declared size, a resized copy, a different image,
an HTML page served at an image URL, soft 404s (a retired article redirected to the home
page, a "page not found" page served with 200) and AMP findings (an AMP page that is not AMP,
a wrong AMP cache URL). Then `linkcheck fix` on its report shows how the library would be
repaired."""

EPILOG = """\
exit codes:
  0  the demo ran (it finds broken links on purpose; they do not make it fail)
  2  it could not run: the folder cannot be written, 127.0.0.1 is unreachable, or interrupted

Then check a real library (needs the internet): linkcheck run fixtures/content"""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        NAME, help=HELP, description=DESCRIPTION, epilog=EPILOG, formatter_class=help_formatter
    )
    parser.add_argument(
        "--output-dir",
        metavar="DIR",
        default=DEFAULT_DIR,
        help=f"where to write the demo library and the reports (default: ./{DEFAULT_DIR})",
    )
    parser.add_argument(
        "--keep-serving",
        action="store_true",
        help="keep the demo sites up after the run, to open their pages or run "
        "`linkcheck run` on DIR/library yourself (the command is printed); Enter (or Ctrl-C) "
        "stops them",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    from linkcheck.demo import DemoSite, check_library, demo_config, write_library

    folder = Path(args.output_dir)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"--output-dir {folder}: this exists and is not a folder")
    out = sys.stdout
    config = demo_config()
    with DemoSite() as site:
        problem = site.unreachable()
        if problem is not None:
            print(
                f"linkcheck demo: {problem}. The demo needs the loopback interface "
                "(127.0.0.1) and nothing else; is it up?",
                file=sys.stderr,
            )
            return EXIT_ERROR
        try:
            paths = write_library(folder / "library", site.origins)
        except OSError as exc:
            print(
                f"linkcheck demo: cannot write the demo library to {folder}: {_why(exc)}",
                file=sys.stderr,
            )
            return EXIT_ERROR
        out.write(_intro(len(paths), site.origins))
        out.flush()

        async def check(scope: anyio.CancelScope) -> Report:
            return await check_library([folder / "library"], config, cancel_scope=scope)

        report = anyio.run(cancel_on_signal, check)
        written = _write_formats(report, folder)
        if written is None:
            return EXIT_ERROR
        options = RenderOptions(tool_version=__version__, color=use_color(config, out))
        get_formatter("text").write(report, out, options=options)
        out.write(_showcase(report, site.origins))
        out.write(_files(folder, written, len(paths)))
        if report.run.interrupted:
            print("linkcheck demo: interrupted before the checks finished", file=sys.stderr)
            return EXIT_ERROR
        out.write(_closing(folder, written))
        out.flush()
        if args.keep_serving:
            _serve(site.origins, folder, out)
    return EXIT_OK


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _intro(articles: int, origins: dict[str, str]) -> str:
    sites = "".join(f"  {name:<8} {origin}\n" for name, origin in origins.items())
    return (
        f"linkcheck demo: checking {articles} demo articles against three sites on this "
        f"machine (no network needed):\n{sites}\n"
    )


def _write_formats(report: Report, folder: Path) -> list[tuple[str, Path]] | None:
    """Every registered format into `folder` (atomically); None after saying why it failed."""
    from linkcheck.demo import output_files

    options = RenderOptions(tool_version=__version__)
    written = []
    for formatter, path in output_files(folder):
        try:
            write_output(formatter, report, str(path), options=options)
        except OSError as exc:
            print(
                f"linkcheck demo: cannot write the {formatter.name} report to {path}: {_why(exc)}",
                file=sys.stderr,
            )
            return None
        written.append((formatter.name, path))
    return written


def _showcase(report: Report, origins: dict[str, str]) -> str:
    """Each showcase link with the verdict this run gave it (flagged when unexpected)."""
    from linkcheck.demo import SHOWCASE

    verdicts = {r.link.url: r for r in report.results}
    lines = ["", "What the demo shows (each line is one link of the demo sites):"]
    surprises = 0
    for item in SHOWCASE:
        result = verdicts.get(item.url(origins))
        if result is None:
            got = "not in the report"
        else:
            reason = f" ({result.reason.value})" if result.reason is not None else ""
            got = f"{result.outcome.value}{reason}"
        expected = item.outcome + (f" ({item.reason})" if item.reason else "")
        mark = "  " if got == expected else "! "
        surprises += got != expected
        note = "" if got == expected else f"  [the demo expects {expected}]"
        lines.append(f"{mark}{got:<33} {item.what}{note}")
    if surprises:
        lines.append(
            f"! {surprises} showcase links did not get the verdict the demo expects "
            "(a slow or busy machine?); the reports show why"
        )
    return "\n".join(lines + _amp_findings(report)) + "\n"


def _amp_findings(report: Report) -> list[str]:
    """The planted AMP findings, each marked found or not, and any other (unexpected) one."""
    from linkcheck.demo import FINDINGS

    found = {(Path(f.file).name, f.field, f.check.value) for f in report.findings}
    lines = ["", "AMP findings (about an article, not a link: they do not change a verdict):"]
    for item in FINDINGS:
        key = (item.file, item.field, item.check)
        mark, got = ("  ", item.check) if key in found else ("! ", "not found")
        lines.append(f"{mark}{got:<33} {item.what}  [{item.file} {item.field}]")
        found.discard(key)
    for file, field, check in sorted(found):
        lines.append(f"! {check:<33} not expected by the demo  [{file} {field}]")
    return lines


def _files(folder: Path, written: list[tuple[str, Path]], articles: int) -> str:
    lines = [f"\nFiles in {folder}{os.sep}:", f"  {'library':<12} {folder / 'library'}{os.sep}"]
    lines[-1] += f"  ({articles} demo articles)"
    lines += [f"  {name:<12} {path}" for name, path in written]
    return "\n".join(lines) + "\n"


def _closing(folder: Path, written: list[tuple[str, Path]]) -> str:
    pages = [path for _, path in written if path.suffix == ".html"]
    look = f"Open {pages[0]} in a browser" if pages else f"Look at the reports in {folder}{os.sep}"
    reports = [path for name, path in written if name == "json"]
    fix = (
        f"See how the library would be repaired (a dry run: it changes nothing):\n"
        f"  linkcheck fix {reports[0]}\n"
        "shows the diff that would set the real image sizes and replace the moved link.\n"
        if reports
        else ""
    )
    return (
        "\nThe broken links above are there on purpose: the demo itself worked (exit code 0;\n"
        "`linkcheck run` exits 1 when it finds broken links).\n"
        f"{fix}"
        f"{look}, then check a real library (needs the internet):\n"
        "  linkcheck run fixtures/content\n"
    )


def rerun_command(folder: Path) -> str:
    """`linkcheck run` on the demo library with what the demo's own config adds: its address
    allowed (the address guard refuses loopback by default) and the AMP cache excluded (the
    demo's one URL that is not on this machine)."""
    from linkcheck.demo import AMP_CACHE_EXCLUDE, DEMO_NETWORK

    return shlex.join(
        ["linkcheck", "run", str(folder / "library"), "--allow-net", DEMO_NETWORK]
        + ["--exclude", AMP_CACHE_EXCLUDE]
    )


def _serve(origins: dict[str, str], folder: Path, out: TextIO) -> None:
    """Keep the sites up until Enter (on a terminal) or Ctrl-C / SIGTERM."""
    sites = ", ".join(origins.values())
    out.write(
        f"\nThe demo sites stay up: {sites}\n"
        f"Check them again with: {rerun_command(folder)}\n"
        "Press Enter to stop them (or Ctrl-C).\n"
    )
    out.flush()

    async def wait(scope: anyio.CancelScope) -> None:
        with scope:
            while not _enter_pressed():
                await anyio.sleep(0.2)

    anyio.run(cancel_on_signal, wait)


def _enter_pressed() -> bool:
    """A line typed on the terminal. Not a terminal (a pipe, /dev/null, a service): never,
    only a signal stops the sites then."""
    stdin = sys.stdin
    try:
        if stdin is None or not stdin.isatty():
            return False
        ready, _, _ = select.select([stdin], [], [], 0)
    except (OSError, ValueError):  # no select() on this stream (Windows consoles)
        return False
    if ready:
        stdin.readline()
        return True
    return False
