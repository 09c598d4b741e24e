"""JSON text with `indent=2`, as `json.dumps(value, indent=2, ensure_ascii=False)` writes it,
about three times faster.

CPython's C encoder is used only without `indent`; with it, `json` falls back to a pure-Python
generator chain that was most of the CPU of writing a report. The report's values are plain
dicts, lists, strings, numbers, booleans and None: those are written here directly (strings
through json's own C escaper); anything else (a non-string key, an object needing `default`)
is handed to `json.dumps` for that subtree, so the text is the same in every case.
"""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Callable

__all__ = ["dumps_indented"]

_escape: Callable[[str], str] = json.encoder.encode_basestring  # the C one when available
_INF = float("inf")


def dumps_indented(value: object, depth: int = 0, default: Callable[[object], object] = str) -> str:
    """`json.dumps(value, indent=2, ensure_ascii=False, default=default)`, every line after
    the first indented by `depth` more levels (as if nested that deep in a larger document)."""
    return _text(value, "\n" + "  " * depth, default)


def _text(value: object, pad: str, default: Callable[[object], object]) -> str:
    # the order of json's own checks: str, None, True, False, int, float, list/tuple, dict
    if isinstance(value, str):
        return _escape(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        inner = pad + "  "
        return "[" + ",".join([inner + _text(v, inner, default) for v in value]) + pad + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = pad + "  "
        parts = []
        for key, item in value.items():
            if type(key) is not str:
                return _slow(value, pad, default)
            kind = type(item)  # the common leaves inline: most of a report's values
            if kind is str:
                parts.append(f"{inner}{_escape(key)}: {_escape(item)}")
            elif item is None:
                parts.append(f"{inner}{_escape(key)}: null")
            elif kind is int:
                parts.append(f"{inner}{_escape(key)}: {int.__repr__(item)}")
            else:
                parts.append(f"{inner}{_escape(key)}: {_text(item, inner, default)}")
        return "{" + ",".join(parts) + pad + "}"
    return _slow(value, pad, default)


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == _INF:
        return "Infinity"
    if value == -_INF:
        return "-Infinity"
    return float.__repr__(value)


def _slow(value: object, pad: str, default: Callable[[object], object]) -> str:
    text = json.dumps(value, indent=2, ensure_ascii=False, default=default)
    return text.replace("\n", pad)
