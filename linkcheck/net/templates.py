"""Each host's not-found page, learned once per run: the cache behind soft-404 rule (c).

A host that answers a made-up path with 404/410 is well behaved (no page of it is compared).
A host that answers it with a 200 page ("catch-all") has a template: its pages are compared
with it. The cache is single-flight: the first link that needs a host's template requests it
(through its own lease, so the probe counts against the host's politeness like any request);
the others wait for that answer instead of probing again. No I/O here (`net/probe.py` makes
the request).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import anyio

from linkcheck.models import PageFacts

__all__ = ["MAX_SECTIONS", "Template", "Templates", "origin_of", "probe_path", "section_of"]

MAX_SECTIONS = 8  # per-section probes per catch-all host, at most
PROBE_PREFIX = "linkcheck-probe-"


@dataclass(frozen=True, slots=True)
class Template:
    """What a host answered for a made-up path."""

    url: str  # the probe URL
    status: int | None  # its final status (None: no answer)
    page: PageFacts | None  # the 200 HTML page it served (fingerprinted), if it served one

    @property
    def catch_all(self) -> bool:
        return self.page is not None


# The common shape of a URL's start: http(s), then a plain ASCII authority up to the path
# (nothing urlsplit would strip, unquote or validate), read by one regex instead of urlsplit.
_PLAIN_ORIGIN = re.compile(r"(https?://[a-z0-9.:-]+)(?=[/?#]|\Z)", re.IGNORECASE)


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL ("" when it has none)."""
    plain = _PLAIN_ORIGIN.match(url)
    if plain is not None:  # once per page link: the same answer as urlsplit's, for less
        return plain.group(1).lower()
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if not parts.scheme or not parts.netloc:
        return ""
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def section_of(url: str) -> str | None:
    """The first path segment of a URL whose path has more than one (`/news/a` -> "news")."""
    try:
        segments = [s for s in urlsplit(url).path.split("/") if s]
    except ValueError:
        return None
    return segments[0] if len(segments) > 1 else None


def probe_path(origin: str, section: str | None = None) -> str:
    """The made-up path asked of a host: the same for a host in every run (reports stay
    comparable), unlikely to exist anywhere."""
    token = hashlib.blake2b(f"{origin}/{section or ''}".encode(), digest_size=6).hexdigest()
    return f"/{section}/{PROBE_PREFIX}{token}" if section else f"/{PROBE_PREFIX}{token}"


Wait = Callable[[anyio.Event], Awaitable[None]]


class Templates:
    """One run's learned templates, by origin (and origin/section)."""

    def __init__(self) -> None:
        self._known: dict[str, Template | None] = {}
        self._pending: dict[str, anyio.Event] = {}
        self._sections: dict[str, int] = {}
        self.probes = 0  # probe requests made this run

    def may_compare(self, origin: str) -> bool:
        """Could a page of this origin still need comparing (not known to be well behaved)?"""
        if origin not in self._known:
            return True
        found = self._known[origin]
        return found is not None and found.catch_all

    def section_allowed(self, origin: str, section: str) -> bool:
        """May this catch-all host be probed for one more section?"""
        key = f"{origin}/{section}"
        if key in self._known or key in self._pending:
            return True
        return self._sections.get(origin, 0) < MAX_SECTIONS

    async def get(
        self, key: str, learn: Callable[[], Awaitable[Template | None]], wait: Wait
    ) -> Template | None:
        """The template for `key`, learned by `learn()` the first time (once per run, even
        when many links ask at once; a probe cut short leaves the key unknown for good)."""
        while key not in self._known:
            event = self._pending.get(key)
            if event is None:
                break
            await wait(event)
        else:
            return self._known[key]
        event = self._pending[key] = anyio.Event()
        if key.count("/") > 2:  # origin/section: one more of this host's section probes
            origin = key.rsplit("/", 1)[0]
            self._sections[origin] = self._sections.get(origin, 0) + 1
        learned: Template | None = None
        try:
            self.probes += 1
            learned = await learn()
        finally:
            self._known[key] = learned
            del self._pending[key]
            event.set()
        return learned
