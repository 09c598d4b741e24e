"""Text for a terminal: escaping of untrusted values and optional ANSI styles.

Values coming from articles or servers go through `clean` so they cannot emit terminal
control codes (or disguise a URL with bidirectional overrides). Styles are plain SGR codes, on
only when the caller decided colour is wanted (`RenderOptions.color`: --color, NO_COLOR...).
"""

from __future__ import annotations

__all__ = ["Style", "clean", "line_number", "plural"]

# Characters that must not reach a terminal raw: C0/C1 controls, DEL, lone surrogates, line and
# paragraph separators and the bidirectional overrides/isolates (they can disguise a URL).
_EXTRA = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029")


def _unsafe(ch: str) -> bool:
    o = ord(ch)
    return o < 0x20 or 0x7F <= o <= 0x9F or 0xD800 <= o <= 0xDFFF or ch in _EXTRA


def line_number(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def clean(value: object) -> str:
    """`value` as one safe line of text."""
    if value is None:
        return ""
    if not isinstance(value, str):
        try:
            value = str(value)
        except Exception:
            value = object.__repr__(value)
    if value.isprintable():  # fast path: nothing to escape
        return value
    out = []
    for ch in value:
        if _unsafe(ch):
            o = ord(ch)
            if 0xDC80 <= o <= 0xDCFF:  # an undecodable byte (os.fsdecode / surrogateescape)
                out.append(f"\\x{o - 0xDC00:02x}")
            else:
                out.append(f"\\x{o:02x}" if o <= 0xFF else f"\\u{o:04x}")
        else:
            out.append(ch)
    return "".join(out)


class Style:
    def __init__(self, color: bool) -> None:
        self.color = color

    def _wrap(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color and text else text

    def bold(self, t: str) -> str:
        return self._wrap("1", t)

    def dim(self, t: str) -> str:
        return self._wrap("2", t)

    def red(self, t: str) -> str:
        return self._wrap("31", t)

    def bold_red(self, t: str) -> str:
        return self._wrap("1;31", t)

    def green(self, t: str) -> str:
        return self._wrap("32", t)

    def yellow(self, t: str) -> str:
        return self._wrap("33", t)

    def cyan(self, t: str) -> str:
        return self._wrap("36", t)


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"
