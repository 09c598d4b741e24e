"""Configuration: defaults < the config file found (or named) < flags, into one frozen `Config`.

Discovery works like black's and ruff's: from the first input path (its folder if it is a file)
upwards, the first folder with `linkcheck.toml`, or with a `pyproject.toml` that has a
`[tool.linkcheck]` table, wins. The walk stops after the project root (a folder holding `.git`
or `.hg`) or at the filesystem root; if nothing is found, the current directory is tried.
`--config FILE` skips discovery. So `linkcheck run /srv/content` started by cron from `/` uses
`/srv/content/linkcheck.toml`.

Every problem raises `ConfigError` naming the setting, the file or flag, and what is allowed.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from linkcheck.config.model import Config
from linkcheck.config.settings import SETTINGS, by_key, by_name
from linkcheck.config.values import Where, check_value
from linkcheck.errors import ConfigError

__all__ = [
    "build_config",
    "discover_config",
    "find_config_file",
    "load_toml",
    "read_config_file",
    "values_from_mapping",
]

CONFIG_NAME = "linkcheck.toml"
PYPROJECT = "pyproject.toml"
PROJECT_ROOT_MARKERS = (".git", ".hg")
TABLE_SUFFIX = " [tool.linkcheck]"


def load_toml(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None


def _tool_table(path: str, data: Mapping[str, Any]) -> dict[str, Any] | None:
    tool = data.get("tool")
    table = tool.get("linkcheck") if isinstance(tool, Mapping) else None
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.linkcheck] must be a table")
    return table


def find_config_file(directory: str = ".") -> tuple[str, dict[str, Any]] | None:
    """linkcheck.toml, else [tool.linkcheck] in pyproject.toml, in this one directory.

    Returns (the name to report, the settings table), or None."""
    own = os.path.join(directory, CONFIG_NAME)
    if os.path.isfile(own):
        return own, load_toml(own)
    pyproject = os.path.join(directory, PYPROJECT)
    if os.path.isfile(pyproject):
        table = _tool_table(pyproject, load_toml(pyproject))
        if table is not None:
            return pyproject + TABLE_SUFFIX, table
    return None


def _upwards(start: str) -> Sequence[str]:
    """`start` and its parents, up to and including the project root (.git/.hg) or `/`."""
    here = os.path.abspath(start)
    chain: list[str] = []
    while True:
        chain.append(here)
        if any(os.path.exists(os.path.join(here, m)) for m in PROJECT_ROOT_MARKERS):
            return chain
        parent = os.path.dirname(here)
        if parent == here:
            return chain
        here = parent


def discover_config(
    inputs: Sequence[str] = (), cwd: str = "."
) -> tuple[str, dict[str, Any]] | None:
    """The config file for a run over `inputs`: from the first input upwards, then `cwd`."""
    folders: list[str] = []
    if inputs:
        first = os.path.abspath(os.path.expanduser(str(inputs[0])))
        folders.extend(_upwards(first if os.path.isdir(first) else os.path.dirname(first)))
    fallback = os.path.abspath(cwd)
    if fallback not in folders:
        folders.append(fallback)
    for folder in folders:
        found = find_config_file(folder)
        if found is not None:
            return found
    return None


def read_config_file(path: str) -> tuple[str, dict[str, Any]]:
    """An explicitly named config file (--config): linkcheck.toml-style, or a pyproject.toml."""
    data = load_toml(path)
    if os.path.basename(path) == PYPROJECT:
        table = _tool_table(path, data)
        if table is None:
            raise ConfigError(f"{path} has no [tool.linkcheck] table")
        return path + TABLE_SUFFIX, table
    return path, data


def _unknown(key: str, file: str | None) -> ConfigError:
    where = f"in {file}" if file else "given"
    known = sorted({s.config_key for s in SETTINGS})
    close = difflib.get_close_matches(key.replace("_", "-").lower(), known, n=1, cutoff=0.6)
    if close:
        hint = f" (did you mean {close[0]!r}?)"
    else:
        hint = "; the settings are listed in README.md and in linkcheck run --help"
    return ConfigError(f"unknown setting {key!r} {where}{hint}")


def values_from_mapping(
    data: Mapping[str, Any], where: str | None = None, *, base_dir: str | None = None
) -> dict[str, Any]:
    """Check a table of settings into Config field values.

    `where` is the config file the table came from (its keys may be spelt with - or _, and
    relative paths are relative to `base_dir`); None means flags or an API call, keyed by
    Config field name, where None values mean "not given"."""
    keys, names = by_key(), by_name()
    out: dict[str, Any] = {}
    for raw_key, value in data.items():
        key = str(raw_key)
        if where is None:
            if value is None:
                continue
            setting = names.get(key) or keys.get(key)
            if setting is None:
                raise _unknown(key, None)
            flag = setting.flag if setting.flag_value is None else None  # --no-images: no
            label = Where(flag or setting.config_key)
        else:
            setting = keys.get(key)
            if setting is None:
                raise _unknown(key, where)
            label = Where(key, where, base_dir)
        out[setting.name] = check_value(label, setting.kind, setting.bounds, value, setting.choices)
    return out


def build_config(
    flags: Mapping[str, Any],
    *,
    config_path: str | None = None,
    search_dir: str = ".",
    inputs: Sequence[str] = (),
) -> tuple[Config, str | None]:
    """Merge defaults, the config file and the flags that were given (None means not given).

    `config_path` names the file (no discovery); otherwise it is discovered from `inputs`
    upwards, then in `search_dir`. Returns the Config (its `config_file` says which file was
    used) and that same name, or None when no file was used."""
    if config_path is not None:
        found: tuple[str, dict[str, Any]] | None = read_config_file(config_path)
    else:
        found = discover_config(inputs, search_dir)
    values: dict[str, Any] = {}
    used: str | None = None
    if found is not None:
        used, table = found
        base_dir = os.path.dirname(os.path.abspath(used.removesuffix(TABLE_SUFFIX)))
        values.update(values_from_mapping(table, used, base_dir=base_dir))
    values.update(values_from_mapping(flags))
    return replace(Config(), **values, config_file=used), used
