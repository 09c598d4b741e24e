"""What the terminal can show: colour or not (--color, NO_COLOR, FORCE_COLOR, TERM=dumb).

The rules, first match wins (the flag is a per-run choice, so it beats the environment, as
no-color.org asks):

1. `--color always` / `--color never` (or `color` in the config file);
2. `NO_COLOR` set to anything but the empty string: no colour (https://no-color.org);
3. `FORCE_COLOR` set to anything but the empty string, "0", "false" or "no": colour, even into
   a pipe or a file (CI logs that render ANSI). "0"/"false"/"no" force nothing: the Node
   tools read FORCE_COLOR=0 as "off", so it is never taken as "on" here;
4. `TERM=dumb`: no colour;
5. otherwise colour exactly when the stream is a terminal.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from typing import TextIO

from linkcheck.config import Config

__all__ = ["add_color_flag", "is_terminal", "use_color"]

_NOT_FORCED = frozenset({"", "0", "false", "no"})


def is_terminal(stream: TextIO) -> bool:
    """Whether `stream` is a terminal; False for anything odd (closed, no isatty)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def use_color(config: Config, stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Whether to colour what goes to `stream` (the rules are in the module docstring)."""
    env = os.environ if environ is None else environ
    choice = getattr(config, "color", "auto")
    if choice == "always":
        return True
    if choice == "never":
        return False
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR", "").strip().lower() not in _NOT_FORCED:
        return True
    if env.get("TERM") == "dumb":
        return False
    return is_terminal(stream)


def add_color_flag(parser: argparse.ArgumentParser, what: str) -> None:
    """The `--color WHEN` option of a subcommand that reads a report (`diff`, `fix`,
    `report`); `run` takes it from the settings table. `what`: what is coloured."""
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        metavar="WHEN",
        help=f"colour in {what}: auto (on a terminal, unless NO_COLOR is set or TERM=dumb; "
        "FORCE_COLOR forces it), always or never (default: auto)",
    )
