"""What a bounded read of an HTML page tells the news checks (soft 404s, AMP pairs). No I/O,
no package imports."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PageFacts"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PageFacts:
    """Facts from the first bytes (at most 64 KiB) of a page's final response. URLs are
    absolute (resolved against the page's final URL), as written otherwise."""

    title: str | None = None  # <title> text, whitespace collapsed
    heading: str | None = None  # the first <h1> text
    amp: bool = False  # <html amp> or <html ⚡> (the page declares itself AMP)
    canonical: str | None = None  # <link rel=canonical href>
    amphtml: str | None = None  # <link rel=amphtml href>
    text_length: int = 0  # visible text characters read
    simhash: int | None = None  # 64-bit simhash of the visible text's shingles
    bytes_read: int = 0
    complete: bool = True  # the whole page was read (False: cut at the read limit)
