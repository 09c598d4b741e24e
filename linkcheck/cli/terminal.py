"""What the terminal can show: colour or not (--color, NO_COLOR, FORCE_COLOR, TERM=dumb)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TextIO

from linkcheck.config import Config

__all__ = ["use_color"]


def use_color(config: Config, stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Whether to colour what goes to `stream`: --color always/never wins; auto means a
    terminal, unless NO_COLOR is set to a non-empty value or TERM is dumb; FORCE_COLOR (non-empty)
    turns it on even when the stream is not a terminal."""
    env = os.environ if environ is None else environ
    if config.color == "always":
        return True
    if config.color == "never":
        return False
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    if env.get("TERM") == "dumb":
        return False
    return stream.isatty()
