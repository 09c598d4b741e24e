"""`linkcheck fix`. (Skeleton: its helper fills it in.)"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from linkcheck.cli.helptext import EXIT_ERROR, help_formatter

__all__ = ["HELP", "NAME", "add_parser", "run"]

NAME = "fix"
HELP = "(not yet available)"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        NAME, help=HELP, description=HELP, formatter_class=help_formatter
    )
    return parser


def run(args: argparse.Namespace) -> int:
    print(f"linkcheck {NAME}: not available yet", file=sys.stderr)
    return EXIT_ERROR
