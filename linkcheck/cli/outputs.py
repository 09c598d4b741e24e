"""What a run writes where: the JSON report, the summary for people, and every `--format`.

`planned_outputs` turns the settings into (formatter, target) pairs, a target being a file path
or an open stream; `write_error` words a failed write for a person.

The rules of `--format NAME[=PATH]` (repeatable; `format = ["NAME", "NAME=PATH"]` in the
config file), also used by `linkcheck report`:

- `NAME=PATH` writes that format to PATH (atomically: a temporary file renamed over it);
  `NAME=-` writes it to standard output.
- `NAME` alone writes to the format's default file when it has one (`ndjson`:
  linkcheck-links.ndjson, `csv`: linkcheck-links.csv, `junit`: linkcheck-junit.xml, `sarif`:
  linkcheck.sarif, `prometheus`: linkcheck.prom, `json`: linkcheck-report.json, `html`: its
  own), else to standard output (`markdown`, `github`, `text`).
- At most one output may go to standard output (the JSON report with `-o -` counts): two are
  a configuration error, raised before anything is checked. When one does, the summary for
  people goes to standard error instead, so standard output holds only that format.
- Two different formats may not write the same file. Asking for an output that is already
  planned (e.g. `--format json` with the default `--output`) writes it once.
- An unknown NAME is a configuration error naming the known ones (and the closest match).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from typing import TextIO

from linkcheck.cli.output import STDOUT
from linkcheck.config import Config
from linkcheck.errors import ConfigError
from linkcheck.formats import Formatter, get_formatter

__all__ = [
    "Target",
    "format_outputs",
    "human_stream",
    "parse_format",
    "planned_outputs",
    "write_error",
]

Target = str | TextIO


def parse_format(spec: str) -> tuple[Formatter, str]:
    """`NAME` or `NAME=PATH` -> (formatter, path); the path is "-" for standard output."""
    name, has_path, path = spec.partition("=")
    formatter = get_formatter(name)  # ConfigError with the known names and a suggestion
    if has_path and not path.strip():
        raise ConfigError(
            f"--format {spec}: nothing after '='; write --format {formatter.name}=FILE, "
            f"--format {formatter.name}=- for standard output, or --format {formatter.name}"
        )
    if not has_path:
        path = formatter.default_path or STDOUT
    return formatter, path


def format_outputs(
    specs: Iterable[str], planned: Sequence[tuple[Formatter, str]] = ()
) -> list[tuple[Formatter, str]]:
    """`planned` (formatter, path) pairs plus one per `--format` spec, checked: at most one to
    standard output, no file claimed by two formats, no duplicate. Raises ConfigError."""
    result: list[tuple[Formatter, str]] = list(planned)
    for spec in specs:
        formatter, path = parse_format(spec)
        key = path if path == STDOUT else os.path.abspath(path)
        clash = None
        for other, other_path in result:
            other_key = other_path if other_path == STDOUT else os.path.abspath(other_path)
            if other_key == key:
                clash = other
                break
        if clash is not None and clash.name == formatter.name:
            continue  # asked twice: written once
        if clash is not None and path != STDOUT:
            raise ConfigError(
                f"--format {spec}: {path} is already the {clash.name} output; "
                "give each format its own file"
            )
        result.append((formatter, path))
    to_stdout = [f.name for f, p in result if p == STDOUT]
    if len(to_stdout) > 1:
        rest = to_stdout[-1]
        raise ConfigError(
            f"only one output can go to standard output, and {' and '.join(to_stdout)} would: "
            f"give the others a file, e.g. --format {rest}={rest}.out"
            + (" (or -o FILE for the JSON report)" if "json" in to_stdout else "")
        )
    return result


def _stdout_outputs(config: Config) -> list[tuple[Formatter, str]]:
    return format_outputs(config.formats, [(get_formatter("json"), config.output)])


def human_stream(config: Config) -> TextIO:
    """Where the summary for people goes: standard output, unless an output (the JSON report
    with -o -, or a --format) goes there; then standard error. Raises ConfigError for
    --format values that cannot be honoured (see `format_outputs`)."""
    if any(p == STDOUT for _, p in _stdout_outputs(config)):
        return sys.stderr
    return sys.stdout


def planned_outputs(config: Config, human: TextIO) -> list[tuple[Formatter, Target]]:
    """The JSON report to a file (or stdout), every --format, and the summary for people
    (unless --quiet, or --format text sends it to standard output). Raises
    ConfigError for an unknown format name or outputs that clash: call it before checking."""
    pairs = _stdout_outputs(config)
    outputs: list[tuple[Formatter, Target]] = [
        (f, sys.stdout if p == STDOUT else p) for f, p in pairs
    ]
    text_to_stdout = any(f.name == "text" and p == STDOUT for f, p in pairs)
    if not config.quiet and not text_to_stdout:
        if any(p == STDOUT for _, p in pairs) and human is sys.stdout:
            human = sys.stderr  # standard output holds only the one format asked for
        outputs.append((get_formatter("text"), human))
    return outputs


def write_error(formatter: Formatter, target: object, exc: OSError) -> str:
    what = "the report" if formatter.name == "json" else f"the {formatter.name} report"
    why = exc.strerror or str(exc)
    if not isinstance(target, str):
        return f"cannot write {what} to standard output: {why}"
    folder = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(folder):
        why = f"the folder {folder} does not exist"
    return f"cannot write {what} to {target}: {why}"
