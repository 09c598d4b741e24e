"""What a run writes where: the JSON report, the summary for people, and every `--format`.

`planned_outputs` turns the settings into (formatter, target) pairs, a target being a file path
or an open stream; `write_error` words a failed write for a person.
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

from linkcheck.cli.output import STDOUT
from linkcheck.config import Config
from linkcheck.formats import Formatter, get_formatter

__all__ = ["Target", "planned_outputs", "write_error"]

Target = str | TextIO


def planned_outputs(config: Config, human: TextIO) -> list[tuple[Formatter, Target]]:
    """The JSON report to a file (or stdout), the summary for people (unless --quiet)."""
    report_target: Target = sys.stdout if config.output == STDOUT else config.output
    outputs: list[tuple[Formatter, Target]] = [(get_formatter("json"), report_target)]
    if not config.quiet:
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
