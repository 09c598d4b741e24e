"""Where the state store lives when `--state` does not say.

Beside the config file found (`<its folder>/.linkcheck/state.db`): a library with a
linkcheck.toml keeps its history next to it, whoever runs it. Without a config file, under
`$XDG_STATE_HOME/linkcheck/state.db` (default `~/.local/state/linkcheck/state.db`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from linkcheck.config.load import TABLE_SUFFIX

__all__ = ["STATE_DIR", "STATE_FILE", "default_state_path"]

STATE_DIR = ".linkcheck"
STATE_FILE = "state.db"


def default_state_path(config_file: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The default store for a run that used `config_file` (None: no config file)."""
    env = os.environ if environ is None else environ
    if config_file:
        folder = os.path.dirname(os.path.abspath(config_file.removesuffix(TABLE_SUFFIX)))
        return os.path.join(folder, STATE_DIR, STATE_FILE)
    base = env.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return os.path.join(base, "linkcheck", STATE_FILE)
