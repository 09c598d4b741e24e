"""Output formats of the report, by name (see `registry`): `json` (the machine contract) and
`text` (for people)."""

from linkcheck.formats.registry import (
    FORMATTERS,
    Formatter,
    RenderOptions,
    formatter_names,
    get_formatter,
    register,
)

__all__ = [
    "FORMATTERS",
    "Formatter",
    "RenderOptions",
    "formatter_names",
    "get_formatter",
    "register",
]
