"""Bodies without a binary signature: an SVG's size from its root element, or what else it is.

Needs `<svg` (after an optional XML prolog: `<?xml?>`, comments, a DOCTYPE with an internal
subset) and reads the root's attributes from its start tag, so only the first bytes are needed.
Anything else is named ("HTML document", "JSON document", "PDF document", ...) as not an image;
real images whose size linkcheck cannot read (JPEG XL, PSD, QOI) are unreadable instead.

An SVG has an intrinsic pixel size only through absolute `width`/`height` (px, in, cm, mm,
Q, pt, pc or unitless). A viewBox gives an aspect ratio, never a size; `%` gives nothing, and
`em`/`ex` depend on a font size the image does not know: such a size is left unknown (None),
so no size mismatch is ever reported from viewBox numbers or from `em` read as pixels.
"""

from __future__ import annotations

import re
from math import gcd

from linkcheck.images.sizes import Size, Verdict, unreadable
from linkcheck.images.store import Need, Reader
from linkcheck.models import Reason

__all__ = ["sniff_text", "svg_size"]

_OTHER_BINARY = {
    b"%PDF": "PDF document",
    b"PK\x03\x04": "ZIP archive",
    b"\x1f\x8b": "gzip data",
    b"\x00\x00\x00\x0cjP  ": "JPEG 2000 image (not supported by browsers)",
}
# Real images whose size this prober cannot read: reported as unreadable, never "not an image".
_UNREAD_IMAGES = {
    b"\xff\x0a": "JPEG XL image",
    b"\x00\x00\x00\x0cJXL \r\n\x87\n": "JPEG XL image",
    b"8BPS": "Photoshop document",
    b"qoif": "QOI image",
}
_HTML_TAGS = frozenset(
    {"html", "head", "body", "title", "meta", "link", "script", "style", "div", "p", "span", "a"}
    | {"h1", "h2", "h3", "table", "form", "br", "pre", "center", "iframe", "noscript", "main"}
)
_UNITS = {
    "": 1.0,
    "px": 1.0,
    "in": 96.0,
    "cm": 96 / 2.54,
    "mm": 96 / 25.4,
    "q": 96 / 101.6,
    "pt": 96 / 72,
    "pc": 16.0,
}
_LENGTH = re.compile(r"\s*\+?(\d+\.?\d*(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?)\s*([a-z%]*)\s*$", re.I)
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?", re.I)
_TAG = re.compile(r"""<([\w:.-]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*/?>""")
_ATTR = re.compile(r"""([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_DOCTYPE = re.compile(r"<!doctype\s+([^\s>\[]+)", re.I)


def _length(value: str | None) -> tuple[float | None, str]:
    """An SVG width/height attribute in CSS pixels; (None, why) for relative or bad values."""
    if value is None:
        return None, ""
    m = _LENGTH.match(value)
    if m and m.group(2) == "%":
        return None, f"percentage length {value.strip()!r}"
    if not m or m.group(2).lower() not in _UNITS:
        return None, f"relative or unknown length {value.strip()!r}"
    return float(m.group(1)) * _UNITS[m.group(2).lower()], ""


def _left_to_ratio(value: str | None) -> bool:
    """A missing or percentage width/height: a browser sizes it from the other one and the
    aspect ratio (an em/ex length is a real size that we cannot know)."""
    return value is None or value.strip().endswith("%")


def _ratio_text(w: float, h: float) -> str:
    if w.is_integer() and h.is_integer():
        d = gcd(int(w), int(h))
        return f"aspect ratio {int(w) // d}:{int(h) // d} (viewBox {w:g}x{h:g})"
    return f"aspect ratio {w / h:.4g}:1 (viewBox {w:g}x{h:g})"


def svg_size(attrs: dict[str, str]) -> Size:
    """The intrinsic size of an SVG from its root element's attributes (see the module doc)."""
    w_attr, h_attr = attrs.get("width"), attrs.get("height")
    (width, why_w), (height, why_h) = _length(w_attr), _length(h_attr)
    box = [float(v) for v in _NUMBER.findall(attrs.get("viewBox", ""))]
    has_box = len(box) == 4 and box[2] > 0 and box[3] > 0
    notes = [why for why in (why_w, why_h) if why]
    if width is None and height is None:
        what = "no absolute width/height" if notes else "no width/height"
        where = "viewBox only" if has_box else "no viewBox"
        notes.insert(0, f"SVG has no intrinsic pixel size ({what}, {where})")
        if has_box:
            notes.append(_ratio_text(box[2], box[3]))
        return Size(None, None, detail="; ".join(notes))
    if width is None or height is None:
        if has_box and _left_to_ratio(h_attr if height is None else w_attr):
            ratio = box[2] / box[3]
            if height is None and width is not None:
                height = width / ratio
            elif width is None and height is not None:
                width = height * ratio
            notes.append("SVG size partly derived from the viewBox aspect ratio")
        elif _left_to_ratio(h_attr if height is None else w_attr):
            notes.append("SVG declares only one of width/height")
    return Size(
        None if width is None else int(width + 0.5),
        None if height is None else int(height + 0.5),
        detail="; ".join(notes),
    )


def sniff_text(r: Reader) -> Size:
    """No binary signature: SVG (root element reader), or say what the document is."""
    data = r.read_at(0, r.store.contiguous(0))
    at_eof = r.store.eof is not None and len(data) >= r.store.eof
    more = Need(len(data), max(len(data), 512))
    if not data:
        raise more if not at_eof else Verdict(Reason.NOT_AN_IMAGE, "empty body, not an image")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data[: len(data) // 2 * 2].decode("utf-16", "replace")
    else:
        text = data.decode("utf-8", "replace").removeprefix("\ufeff")
    probe = text[:512]
    if "\x00" in probe or sum(c < " " and c not in "\t\n\r\f" for c in probe) > len(probe) // 20:
        raise _binary_verdict(data)
    pos = len(text) - len(text.lstrip())
    if pos == len(text):
        raise more if not at_eof else Verdict(Reason.NOT_AN_IMAGE, "blank text, not an image")
    if text[pos] in "{[":
        raise Verdict(Reason.NOT_AN_IMAGE, "JSON document, not an image")
    if text[pos] != "<":
        raise Verdict(Reason.NOT_AN_IMAGE, "plain text, not an image")
    pos = _after_prolog(text, pos, at_eof, more)
    root = re.match(r"<([\w:.-]+)", text[pos : pos + 256])
    if root is None or (root.end() == len(text) - pos and not at_eof):
        if pos + 1 < len(text) or at_eof:
            raise Verdict(Reason.NOT_AN_IMAGE, "markup without a root element, not an image")
        raise more
    name = root.group(1)
    if name.lower() in _HTML_TAGS:
        raise Verdict(Reason.NOT_AN_IMAGE, "HTML document, not an image")
    if name.rpartition(":")[2] != "svg":
        raise Verdict(Reason.NOT_AN_IMAGE, f"XML document with root <{name}>, not an image")
    r.fmt = "svg"
    tag = _TAG.match(text, pos)
    if not tag:
        r.hit_eof = at_eof
        raise more if not at_eof else ValueError("<svg> start tag malformed or cut short")
    attrs = {
        m.group(1).rpartition(":")[2]: m.group(2) if m.group(2) is not None else m.group(3)
        for m in _ATTR.finditer(tag.group(2))
    }
    return svg_size(attrs)


def _binary_verdict(data: bytes) -> Verdict:
    image = next((v for k, v in _UNREAD_IMAGES.items() if data.startswith(k)), None)
    if image:
        return Verdict(Reason.IMAGE_UNREADABLE, f"{image}: linkcheck cannot read its size")
    kind = next((v for k, v in _OTHER_BINARY.items() if data.startswith(k)), None)
    return Verdict(
        Reason.NOT_AN_IMAGE,
        (kind or "unrecognised binary data")
        + ", not an image"
        + ("" if kind else f" (starts with {data[:8].hex(' ')})"),
    )


def _after_prolog(text: str, pos: int, at_eof: bool, more: Need) -> int:
    """Skip <?xml?>, <?pi?>, comments and a DOCTYPE (with an internal subset): the offset of
    the root element's '<'."""
    while True:
        pos = len(text) - len(text[pos:].lstrip())
        skip = 1
        if text.startswith(("<?", "<!--"), pos):
            token = "?>" if text[pos + 1] == "?" else "-->"
            close, skip = text.find(token, pos + 2), len(token)
        elif text.startswith("<!", pos):
            doctype = _DOCTYPE.match(text, pos)
            if doctype and doctype.group(1).lower() == "html":
                raise Verdict(Reason.NOT_AN_IMAGE, "HTML document, not an image")
            bracket, close = text.find("[", pos), text.find(">", pos)
            if 0 <= bracket < close:
                close = text.find("]", bracket)
                close = text.find(">", close) if close >= 0 else -1
        else:
            return pos
        if close < 0:
            raise more if not at_eof else unreadable("truncated XML prolog, no root element")
        pos = close + skip
