"""The few fatal errors. Everything else (a broken link, a malformed article, a hostile server)
is a value in the report, never an exception.

    LinkcheckError
     ├── ConfigError   a setting is invalid (flag, config file, environment)
     └── InputError    an input path does not exist or cannot be used at all
"""

from __future__ import annotations

__all__ = ["ConfigError", "InputError", "LinkcheckError"]


class LinkcheckError(Exception):
    """Base class of linkcheck's fatal errors. The message is written for the user."""


class ConfigError(LinkcheckError):
    """A setting is invalid; the message names the setting, where it came from, what is allowed."""


class InputError(LinkcheckError):
    """An input path is missing or unusable as a whole (per-file problems are report rows)."""
