"""Every output format of a report, by name: a `Formatter` protocol and the registry.

A formatter WRITES to a text stream instead of returning a string, so a large report (the JSON
of 100,000 links) is streamed a link at a time and never held whole in memory. Where the text
goes is the caller's business: the command line opens stdout, or a temporary file that replaces
the target only once it is complete (`linkcheck.cli.output`). Formatters never print.

Adding a format = one module with a formatter object, plus one line in `_BUILTIN` below.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol, TextIO, runtime_checkable

from linkcheck.config import DEFAULT_OUTPUT
from linkcheck.errors import ConfigError
from linkcheck.formats import json as json_format
from linkcheck.formats import text as text_format
from linkcheck.formats.csv_rows import CSV
from linkcheck.formats.github import GITHUB
from linkcheck.formats.html import HtmlFormatter
from linkcheck.formats.junit import JUNIT
from linkcheck.formats.markdown import MARKDOWN
from linkcheck.formats.ndjson import NDJSON
from linkcheck.formats.prometheus import PROMETHEUS
from linkcheck.formats.sarif import SARIF
from linkcheck.models import Report

__all__ = [
    "FORMATTERS",
    "Formatter",
    "RenderOptions",
    "formatter_names",
    "get_formatter",
    "register",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class RenderOptions:
    """What a formatter may need besides the report. Formats ignore what they do not use."""

    tool_version: str
    verbose: bool = False  # human formats: list warnings and per-host statistics too
    color: bool = False  # human formats: ANSI colours (the caller decides: TTY, NO_COLOR...)


@runtime_checkable
class Formatter(Protocol):
    @property
    def name(self) -> str:
        """The name users type (`json`, later `--format json`)."""

    @property
    def description(self) -> str:
        """One line for help texts and error messages."""

    @property
    def default_path(self) -> str | None:
        """The file written when none is named; None: standard output."""

    def write(self, report: Report, stream: TextIO, *, options: RenderOptions) -> None:
        """Write the whole report to `stream`. Never raises on odd report values."""


@dataclass(frozen=True, slots=True)
class _Json:
    name: str = "json"
    description: str = "the JSON report: the machine contract (report.schema.json)"
    default_path: str | None = DEFAULT_OUTPUT

    def write(self, report: Report, stream: TextIO, *, options: RenderOptions) -> None:
        json_format.write(report, stream, tool_version=options.tool_version)


@dataclass(frozen=True, slots=True)
class _Text:
    name: str = "text"
    description: str = "the summary for people: totals, then broken links by file"
    default_path: str | None = None

    def write(self, report: Report, stream: TextIO, *, options: RenderOptions) -> None:
        stream.write(
            text_format.render_summary(report, verbose=options.verbose, color=options.color)
        )


_BUILTIN: tuple[Formatter, ...] = (
    _Json(),
    HtmlFormatter(),
    _Text(),
    NDJSON,
    CSV,
    MARKDOWN,
    JUNIT,
    SARIF,
    GITHUB,
    PROMETHEUS,
)

FORMATTERS: dict[str, Formatter] = {f.name: f for f in _BUILTIN}


def register(formatter: Formatter) -> None:
    """Add a formatter (a plug-in, or a test's). A name may be registered only once."""
    if formatter.name in FORMATTERS:
        raise ValueError(f"a formatter named {formatter.name!r} is already registered")
    FORMATTERS[formatter.name] = formatter


def formatter_names(registry: Mapping[str, Formatter] | None = None) -> list[str]:
    return sorted(FORMATTERS if registry is None else registry)


def get_formatter(name: str) -> Formatter:
    """The formatter called `name`; ConfigError naming the known ones (and a close match)."""
    found = FORMATTERS.get(name.strip().lower())
    if found is not None:
        return found
    names = formatter_names()
    close = difflib.get_close_matches(name.strip().lower(), names, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise ConfigError(f"unknown format {name!r}: {hint}the formats are {', '.join(names)}")
