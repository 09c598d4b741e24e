"""Where the state store lives when `--state` does not say.

Beside the config file found (`<its folder>/.linkcheck/state.db`): a library with a
linkcheck.toml keeps its history next to it, whoever runs it. Without a config file, one store
per library under `$XDG_STATE_HOME/linkcheck/libraries/` (default `~/.local/state/...`), named
after the input folders: two libraries never share a store, so neither their cache nor their
lock (two cron jobs on two libraries run side by side), and `lib`, `./lib` and `/srv/lib` are
the same library.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping, Sequence

from linkcheck.config.load import TABLE_SUFFIX

__all__ = [
    "LIBRARIES_DIR",
    "STATE_DIR",
    "STATE_FILE",
    "default_state_path",
    "library_stores",
    "state_home",
]

STATE_DIR = ".linkcheck"
STATE_FILE = "state.db"
LIBRARIES_DIR = "libraries"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def state_home(environ: Mapping[str, str] | None = None) -> str:
    """`$XDG_STATE_HOME/linkcheck` (default `~/.local/state/linkcheck`)."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return os.path.join(base, "linkcheck")


def _library_name(inputs: Sequence[str]) -> str:
    """`<first input's name>-<12 hex digits of the inputs' real paths>.db`."""
    real = sorted(os.path.realpath(p) for p in inputs)
    digest = hashlib.sha256("\0".join(real).encode("utf-8", "surrogateescape")).hexdigest()[:12]
    first = os.path.basename(os.path.normpath(real[0])) or "root"
    return f"{_UNSAFE.sub('_', first)[:40]}-{digest}.db"


def default_state_path(
    config_file: str | None,
    inputs: Sequence[str] = (),
    environ: Mapping[str, str] | None = None,
) -> str:
    """The default store for a run that used `config_file` (None: no config file) on `inputs`
    (the paths given; none: the shared store `$XDG_STATE_HOME/linkcheck/state.db`)."""
    if config_file:
        folder = os.path.dirname(os.path.abspath(config_file.removesuffix(TABLE_SUFFIX)))
        return os.path.join(folder, STATE_DIR, STATE_FILE)
    if inputs:
        return os.path.join(state_home(environ), LIBRARIES_DIR, _library_name(inputs))
    return os.path.join(state_home(environ), STATE_FILE)


def library_stores(environ: Mapping[str, str] | None = None) -> list[str]:
    """The per-library stores under `$XDG_STATE_HOME/linkcheck/libraries`, newest first."""
    folder = os.path.join(state_home(environ), LIBRARIES_DIR)
    try:
        names = [n for n in os.listdir(folder) if n.endswith(".db")]
    except OSError:
        return []
    paths = [os.path.join(folder, n) for n in names]
    return sorted(paths, key=lambda p: os.stat(p).st_mtime, reverse=True)
