"""The settings table as command-line flags, and the flags given as settings.

Each row of `linkcheck.config.SETTINGS` with a flag becomes one argparse option in its group.
A flag that was not given stays None, so the config file's value (or the default) is kept.
"""

from __future__ import annotations

import argparse
from typing import Any

from linkcheck.config import SETTINGS, Setting
from linkcheck.config.settings import GROUPS
from linkcheck.config.values import Kind

__all__ = ["add_setting_flags", "flag_help", "flags_given"]


def flag_help(setting: Setting) -> str:
    """The help line of a flag: its text and, when there is one worth showing, its default."""
    shown = setting.default_shown()
    return f"{setting.help} (default: {shown})" if shown else setting.help


def _add(group: argparse._ArgumentGroup, setting: Setting) -> None:
    assert setting.flag is not None
    kwargs: dict[str, Any] = {
        "dest": setting.name,
        "default": None,
        "help": flag_help(setting).replace("%", "%%"),
    }
    if setting.flag_value is not None:
        kwargs.update(action="store_const", const=setting.flag_value)
    else:
        kwargs["metavar"] = setting.metavar
        if setting.repeatable:
            kwargs["action"] = "append"
        if setting.kind is Kind.INT:
            kwargs["type"] = int
        elif setting.kind is Kind.FLOAT:
            kwargs["type"] = float
    group.add_argument(*setting.flags, **kwargs)


def add_setting_flags(parser: argparse.ArgumentParser) -> None:
    """One option per flagged row of the table, grouped and ordered as in the table."""
    for name in GROUPS:
        rows = [s for s in SETTINGS if s.group == name and s.flag is not None]
        if rows:
            group = parser.add_argument_group(name)
            for setting in rows:
                _add(group, setting)


def flags_given(args: argparse.Namespace) -> dict[str, Any]:
    """The settings given on the command line, by Config field name (None: not given)."""
    return {s.name: getattr(args, s.name) for s in SETTINGS if s.flag is not None}
