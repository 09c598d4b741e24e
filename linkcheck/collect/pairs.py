"""An article's AMP pairs (its URL, AMP URL and AMP cache URL, top level and per related
entry), gathered while reading, for the AMP checks run once every link has its verdict.

Entries are told apart by the field path's related prefix (`related[2].ampWebUrl` belongs to
`related[2]`; anything else to the top level), with the library's own name for `related`
(`[fields] related = ...`). What a field is comes from the link's KIND (page, amp, amp_cache),
never from its name, so renamed fields work the same. Memory: one small `AmpPair` per entry
that has an AMP or AMP cache URL; entries with neither keep nothing."""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Sequence

from linkcheck.collect.normalize import normalize
from linkcheck.config import Config
from linkcheck.models import AmpPair, Article, LinkKind, PairField, RawLink, Source

__all__ = ["amp_pairs", "request_url"]

_ROLES = {LinkKind.PAGE: 0, LinkKind.AMP: 1, LinkKind.AMP_CACHE: 2}
_SOURCE = Source("", "url", None, None)  # not "body": never resolved against a base
# A URL already in the form `normalize` gives (lowercase http(s) scheme and DNS name whose last
# label starts with a letter, no port or user, a path, nothing httpx would re-encode, no dot
# segment, no fragment) is its own request URL: most URLs of a library are, and this check
# costs a tenth of a full normalisation (tests/unit/test_amp_findings.py pins the agreement).
_ALREADY_CANONICAL = re.compile(
    r"https?://(?:[a-z0-9-]+\.)+[a-z][a-z0-9-]*"
    r"/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*"
    r"(?:\?(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*)?"
)


@functools.lru_cache(maxsize=1 << 16)
def request_url(text: str) -> str | None:
    """The request URL of an absolute URL as written (`normalize`), or None if invalid."""
    if _ALREADY_CANONICAL.fullmatch(text) and "/." not in text:
        return text
    result = normalize(RawLink(text, LinkKind.OTHER, _SOURCE))
    return result if isinstance(result, str) else None


def _entry(field: str, related: str) -> str:
    """`related[2]` for `related[2].ampWebUrl`, "" (top level) otherwise."""
    if field.startswith(related) and field[len(related) : len(related) + 1] == "[":
        end = field.find("]", len(related))
        if end != -1:
            return field[: end + 1]
    return ""


def _pair_field(raw: RawLink) -> PairField:
    return PairField(raw.text, request_url(raw.text), sys.intern(raw.source.field), raw.source.line)


def amp_pairs(article: Article, links: Sequence[RawLink], config: Config) -> list[AmpPair]:
    """The AMP pairs of one article, from its links as extracted (none when the AMP checks
    are off). Pure; never raises for a bad URL (its `normalized` is None)."""
    if not config.amp_checks:
        return []
    related = config.fields.get("related", "related") if config.fields else "related"
    entries: dict[str, list[RawLink | None]] = {}
    for raw in links:
        role = _ROLES.get(raw.kind)
        if role is None or raw.source.field == "body":
            continue
        slots = entries.setdefault(_entry(raw.source.field, related), [None, None, None])
        if slots[role] is None:  # the first of a kind in an entry is the one that counts
            slots[role] = raw
    pairs: list[AmpPair] = []
    for web, amp, cache in entries.values():
        if amp is None and cache is None:
            continue
        pairs.append(
            AmpPair(
                article.path,
                None if web is None else _pair_field(web),
                None if amp is None else _pair_field(amp),
                None if cache is None else _pair_field(cache),
            )
        )
    return pairs
