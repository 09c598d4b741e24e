"""Credentials in URLs (`https://user:password@host/`), hidden wherever a URL is shown.

Pure and light (no HTTP stack): the report builder and the checker's debug log both use it.
"""

from __future__ import annotations

import re

__all__ = ["redact"]

# scheme://userinfo@ : the userinfo runs to the LAST "@" before the authority ends ("/", "?",
# "#", whitespace), as URL parsers read it, so a password containing "@" is covered whole
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)([^/?#\s]*)@")


def _hide(match: re.Match[str]) -> str:
    user, colon, _ = match.group(2).partition(":")
    return f"{match.group(1)}{user}:***@" if colon else f"{match.group(1)}***@"


def redact(text: str) -> str:
    """`text` with the credentials of every URL in it hidden: `https://user:***@host/`, and
    `https://***@host/` for a token written as the user name alone."""
    return _USERINFO.sub(_hide, text) if "@" in text else text
