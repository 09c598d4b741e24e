"""The few fatal errors. Everything else (a broken link, a malformed article, a hostile server)
is a value in the report, never an exception.

    LinkcheckError
     ├── ConfigError   a setting is invalid (flag, config file, environment)
     ├── InputError    an input path does not exist or cannot be used at all
     └── StateError    the state store cannot be used (unreadable, newer schema)
          └── StateLockedError   another run holds the store's lock
"""

from __future__ import annotations

__all__ = ["ConfigError", "InputError", "LinkcheckError", "StateError", "StateLockedError"]


class LinkcheckError(Exception):
    """Base class of linkcheck's fatal errors. The message is written for the user."""


class ConfigError(LinkcheckError):
    """A setting is invalid; the message names the setting, where it came from, what is allowed."""


class InputError(LinkcheckError):
    """An input path is missing or unusable as a whole (per-file problems are report rows)."""


class StateError(LinkcheckError):
    """The state store (SQLite) cannot be opened, read or written; the message says which
    file and what to do (--state elsewhere, or --no-state)."""


class StateLockedError(StateError):
    """Another run holds the state store's lock (--wait-lock waits for it instead)."""
