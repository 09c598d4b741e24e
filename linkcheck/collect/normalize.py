"""Normalisation stage: one request URL per distinct link, every occurrence kept.

`normalize` is pure. Rules, in order:

1. Leading/trailing whitespace is stripped; an empty string, or one containing an ASCII
   control character (tab, newline, NUL, DEL...), is an invalid URL.
2. A scheme other than http/https (`mailto:`, `tel:`, `javascript:`, `data:`, `ftp:`...) ->
   skipped / unsupported_scheme.
3. A relative URL (no scheme, including `//host/path` and `#fragment`) is resolved against
   `base` when it is an absolute http(s) URL and the link may be relative (`relative`; by
   default body links only). With no usable base, a relative body link (or one the caller
   allows to be relative) is skipped / no_base_url (never broken: nothing says where it
   points); any other relative value (a front-matter URL field) is broken / invalid_url,
   "relative URL ... (no base URL)". `LinkCollector.add` with a `Place` works out the base of
   each link of an article and checks relative links as local files when there is no base
   (see `Place`).
4. Validation: the host must be non-empty and made of letters, digits, `-`, `_`, `.` (or
   non-ASCII, converted with IDNA/UTS-46 by the `idna` package, which httpx depends on;
   stdlib IDNA 2003 codec as a fallback), or an IP address; the port must be 1-65535.
   A host whose last label is a number is an IPv4 address, read as the WHATWG URL standard
   (and every browser) reads it: `0177.0.0.1`, `0x7f.1`, `2130706433` and `127.0.0.1.` are all
   `127.0.0.1` and are written so; one that standard rejects (`256.1.1.1`, `4294967296`,
   `1.2.3.09`, `example.1`) is an invalid URL, the reason in the detail.
5. Canonical form: lowercase scheme and host, punycode host, default port dropped, fragment
   dropped, empty path -> "/", path and query percent-encoded the way httpx sends them
   (httpx.URL also removes `.`/`..` path segments), query order kept.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Callable, Iterable, Sequence
from urllib.parse import urljoin, urlsplit

import httpx

from linkcheck.collect.places import Place
from linkcheck.models import (
    Article,
    Link,
    LinkKind,
    Occurrence,
    Outcome,
    RawLink,
    Reason,
    Skipped,
    Source,
)

try:
    import idna as _idna
except ImportError:  # pragma: no cover - httpx normally installs it
    _idna = None  # type: ignore[assignment]

__all__ = [
    "normalize",
    "base_for",
    "collect",
    "ipv4_host",
    "LinkCollector",
    "Place",
    "no_base",
    "resolve_location",
]

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_HOST_OK = re.compile(r"[a-z0-9_.\-]+")
_DEFAULT_PORT = {"http": 80, "https": 443}
# path + query made only of characters httpx sends as they are (RFC 3986 unreserved, sub-delims,
# ':', '@', '/', '?' and well-formed %XX escapes): such a URL needs no re-encoding
_PLAIN_TAIL = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*")
# The usual absolute URL: lowercase http(s), a lowercase ASCII host, maybe a port, a plain path
# and query (as _PLAIN_TAIL), maybe a fragment. Its canonical form needs no urlsplit.
_USUAL = re.compile(
    r"(https?)://([a-z0-9_.\-]+)(?::([0-9]{1,5}))?"
    r"(/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*)?"
    r"(\?(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*)?"
    r"(?:#.*)?",
    re.DOTALL,
)


def _invalid(raw: RawLink, url: str, detail: str) -> Skipped:
    return Skipped(raw, url, Outcome.BROKEN, Reason.INVALID_URL, detail)


def base_for(article: Article) -> str | None:
    """The base URL for the article's relative body links: its webUrl, if absolute http(s)."""
    web = article.front_matter.get("webUrl")
    if isinstance(web, str):
        candidate = web.strip()
        if _SCHEME.match(candidate) and urlsplit(candidate).scheme.lower() in _DEFAULT_PORT:
            return candidate
    return None


def no_base(raw: RawLink, text: str) -> Skipped:
    """A relative link nothing says the base of: skipped, never broken."""
    what = "root-relative" if text.startswith("/") and not text.startswith("//") else "relative"
    url = text.split("#", 1)[0] or text  # one row per page, whatever the fragment
    return Skipped(
        raw,
        url,
        Outcome.SKIPPED,
        Reason.NO_BASE_URL,
        f"{what} link {url!r} and no base URL: give --base-url (or [[bases]]) or --root-dir",
    )


def normalize(
    raw: RawLink, *, base: str | None = None, relative: bool | None = None
) -> str | Skipped:
    """The canonical absolute URL to request for `raw`, or why it will not be requested.
    `relative`: whether `raw` may be a relative link (default: body links only)."""
    text = raw.text.strip()
    if not text:
        return _invalid(raw, text, "empty URL")
    bad = _CONTROL.search(text)
    if bad:
        return _invalid(
            raw, text, f"control character U+{ord(bad.group()):04X} at position {bad.start()}"
        )
    scheme_match = _SCHEME.match(text)
    if scheme_match is None:
        may = raw.source.field == "body" if relative is None else relative
        if not may:
            return _invalid(raw, text, f"relative URL {text!r} (no base URL)")
        if base is None or not _SCHEME.match(base):
            return no_base(raw, text)
        assert base is not None
        text = urljoin(base.strip(), text)
        scheme_match = _SCHEME.match(text)
        assert scheme_match is not None
    scheme = scheme_match.group(1).lower()
    if scheme not in _DEFAULT_PORT:
        return Skipped(
            raw,
            text,
            Outcome.SKIPPED,
            Reason.UNSUPPORTED_SCHEME,
            f"{scheme}: URLs are not checked",
        )
    if not text[scheme_match.end() :].startswith("//"):
        return _invalid(raw, text, f"{scheme}: URL without '//host'")
    return _canonical(raw, text, scheme)


_LOCATION_SOURCE = Source("", "body", None, None)  # a Location resolves like a body link


def resolve_location(location: str, current: str) -> tuple[str | None, str]:
    """Where a redirect's raw `Location` value leads from `current` (an http(s) URL): the
    canonical absolute URL and "", or None and why it cannot be followed. The same rules as
    `normalize` (a relative Location resolves against `current`)."""
    result = normalize(RawLink(location, LinkKind.OTHER, _LOCATION_SOURCE), base=current)
    if isinstance(result, str):
        return result, ""
    if result.reason is Reason.UNSUPPORTED_SCHEME:
        scheme = result.detail.split(":", 1)[0]
        return None, f"{scheme}: URLs cannot be followed (only http: and https:)"
    return None, result.detail


def _usual(text: str) -> str | None:
    """The canonical form of a `_USUAL` URL (what `_canonical` gives), or None when it is
    not one or has anything to report (a bad host or port, a dot segment)."""
    match = _USUAL.fullmatch(text)
    if match is None:
        return None
    scheme, written, port, path, query = match.groups()
    host = _ascii_host(written)
    if host is None or (path is not None and "/." in path):
        return None
    if port is not None:
        number = int(port)
        if not 0 < number <= 65535:
            return None
        if number != _DEFAULT_PORT[scheme]:
            host = f"{host}:{number}"
    return f"{scheme}://{host}{path or '/'}{query or ''}"


def _canonical(raw: RawLink, text: str, scheme: str) -> str | Skipped:
    found = _usual(text)
    if found is not None:
        return found
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        return _invalid(raw, text, f"{exc} in {text!r}")
    netloc = parts.netloc
    userinfo, _, hostport = netloc.rpartition("@")
    host_written = hostport
    if hostport.startswith("["):
        host_written = hostport[: hostport.find("]") + 1]
    elif ":" in hostport:
        host_written = hostport.rsplit(":", 1)[0]
    if not host_written:
        return _invalid(raw, text, f"empty host in {text!r}")
    host = _ascii_host(host_written)
    if host is None:
        return _invalid(raw, text, _host_problem(host_written))
    if port is not None and not 0 < port <= 65535:
        return _invalid(raw, text, f"port {port} out of range 1-65535")
    authority = f"{userinfo}@" if userinfo else ""
    authority += host
    if port is not None and port != _DEFAULT_PORT[scheme]:
        authority += f":{port}"
    path = parts.path or "/"
    query = f"?{parts.query}" if parts.query or text.split("#", 1)[0].endswith("?") else ""
    if _PLAIN_TAIL.fullmatch(path + query) and "/." not in path:
        # nothing httpx would re-encode or resolve: skip its (slow, pure-Python) parser
        return f"{scheme}://{authority}{path}{query}"
    try:
        url = httpx.URL(f"{scheme}://{authority}{path}{query}")
    except httpx.InvalidURL as exc:
        return _invalid(raw, text, str(exc))
    return str(url)


@functools.lru_cache(maxsize=4096)
def _ascii_host(host: str) -> str | None:
    """Lowercase ASCII (punycode) form of a written host, or None when it is not valid.
    Memoised: a library names few hosts, and an IPv4 one is costly to read."""
    if host.startswith("["):
        try:
            ip = ipaddress.IPv6Address(host[1:-1].split("%", 1)[0])
        except ValueError:
            return None
        return f"[{ip.compressed}]"
    lowered = host.lower()
    if lowered.isascii():
        if not _HOST_OK.fullmatch(lowered) or ".." in lowered or lowered.startswith("."):
            return None
        if _ends_in_number(lowered):
            return ipv4_host(lowered)
        return lowered
    if any(c.isspace() or c in '%<>"{}|\\^`@/?#[]' for c in host):
        return None
    if _idna is not None:
        try:
            return _idna.encode(host, uts46=True).decode("ascii")
        except _idna.IDNAError:
            pass
    try:
        return host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None


_NUMBER_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*")


def _ends_in_number(host: str) -> bool:
    """WHATWG "ends in a number": the last label (a trailing dot aside) is decimal or 0x hex."""
    labels = host.split(".")
    if labels[-1] == "" and len(labels) > 1:
        labels.pop()
    return bool(_NUMBER_LABEL.fullmatch(labels[-1]))


def _ipv4_number(label: str) -> int | None:
    """One label of an IPv4 host as WHATWG reads it: 0x hex, leading-zero octal, else decimal."""
    if label.startswith("0x"):
        digits, base = label[2:], 16
    elif len(label) > 1 and label.startswith("0"):
        digits, base = label[1:], 8
    else:
        digits, base = label, 10
    if not digits:
        return 0 if base != 10 else None
    try:
        return int(digits, base)
    except ValueError:
        return None


def ipv4_host(host: str) -> str | None:
    """The dotted-decimal form of a host that is an IPv4 address in any spelling the WHATWG URL
    parser accepts (decimal, octal, hex, 1 to 4 parts, trailing dot); None when it rejects it."""
    labels = host.split(".")
    if labels[-1] == "" and len(labels) > 1:
        labels.pop()
    if len(labels) > 4:
        return None
    numbers = [_ipv4_number(label) for label in labels]
    if any(n is None for n in numbers):
        return None
    values = [n for n in numbers if n is not None]
    if any(n > 255 for n in values[:-1]) or values[-1] >= 256 ** (5 - len(values)):
        return None
    address = values[-1]
    for i, n in enumerate(values[:-1]):
        address += n << (8 * (3 - i))
    return str(ipaddress.IPv4Address(address))


def _host_problem(host: str) -> str:
    """Why a written host is not valid, for the report's detail."""
    lowered = host.lower()
    if lowered.isascii() and _HOST_OK.fullmatch(lowered) and _ends_in_number(lowered):
        return (
            f"invalid host {host!r}: ends in a number, so it must be an IPv4 address, "
            "and it is not one (each part at most 255, the last at most what the parts "
            "before leave: 4 parts at most)"
        )
    return f"invalid host {host!r}"


class LinkCollector:
    """Incremental dedup: `add` raw links one by one, then read `links()` and `skipped()`.

    Links are keyed by normalised URL; every occurrence is kept, in insertion order. A raw
    link whose original text or normalised URL matches any `exclude` pattern (`re.search`)
    is skipped / excluded, whatever else is wrong with it. Memory: one list of Occurrences
    per distinct URL; `Link` objects are only built by `links()`.
    """

    def __init__(self, *, exclude: Sequence[re.Pattern[str]] = ()) -> None:
        self._exclude = tuple(exclude)
        self._occurrences: dict[str, list[Occurrence]] = {}
        self._skipped: list[Skipped] = []
        self._seen: dict[tuple[str, str | None, bool | None], str] = {}
        # a local link's file: URL -> the file's absolute path (see `places.Place.local`)
        self.local_files: dict[str, str] = {}
        # told of each URL the first time it is added, with that occurrence (early checks)
        self.on_new: Callable[[str, Occurrence], None] | None = None

    def add(self, raw: RawLink, base: str | Place | None = None) -> str | Skipped:
        """Record one raw link; returns its normalised URL or the Skipped record made.
        `base`: the base URL of a body link, or the `Place` of the link's article (which
        works out each link's base, and reads a relative link with no base as a file)."""
        if isinstance(base, Place):
            if raw.text.startswith(("https://", "http://")):  # no base, relative or file
                result = self._normalized(raw, None, None)
            else:
                result = self._placed(raw, base)
        else:
            result = self._normalized(raw, base if raw.source.field == "body" else None, None)
        url = result.url if isinstance(result, Skipped) else result
        for pattern in self._exclude:
            if pattern.search(url) or pattern.search(raw.text):
                skipped = Skipped(
                    raw,
                    url,
                    Outcome.SKIPPED,
                    Reason.EXCLUDED,
                    f"matches exclude pattern /{pattern.pattern}/",
                )
                self._skipped.append(skipped)
                return skipped
        if isinstance(result, Skipped):
            self._skipped.append(result)
            return result
        occurrence = Occurrence(raw.text, raw.kind, raw.source, raw.declared)
        seen = self._occurrences.get(result)
        if seen is not None:
            seen.append(occurrence)
        else:
            self._occurrences[result] = [occurrence]
            if self.on_new is not None:
                self.on_new(result, occurrence)
        return result

    def _normalized(self, raw: RawLink, base: str | None, relative: bool | None) -> str | Skipped:
        # the same spelling recurs across a library (related articles, shared images): normalise
        # each (text, base) once; Skipped results carry their source, so they are not cached
        # (an absolute URL does not depend on the base: one entry however many articles cite it)
        text = raw.text
        absolute = text.startswith(("https://", "http://"))
        key = (text, None, None) if absolute else (text, base, relative)
        result: str | Skipped | None = self._seen.get(key)
        if result is None:
            result = normalize(raw, base=base, relative=relative)
            if isinstance(result, str):
                self._seen[key] = result
        return result

    def _placed(self, raw: RawLink, place: Place) -> str | Skipped:
        base, relative, local = place.route(raw)
        text = raw.text.strip()
        if not local or base is not None or not text or _SCHEME.match(text):
            return self._normalized(raw, base, relative)
        if _CONTROL.search(text):
            return normalize(raw)  # invalid, saying which character
        found = place.local(text)
        if found is None:
            return no_base(raw, text)
        url, path = found
        self.local_files[url] = path
        return url

    def links(self) -> list[Link]:
        """Distinct links sorted by URL; kind image if any occurrence is an image."""
        out: list[Link] = []
        for url in sorted(self._occurrences):
            occ = self._occurrences[url]
            kind = LinkKind.IMAGE if any(o.kind is LinkKind.IMAGE for o in occ) else occ[0].kind
            out.append(Link(url, kind, tuple(occ)))
        return out

    def skipped(self) -> list[Skipped]:
        """Every skipped raw link, in insertion order (not deduplicated)."""
        return list(self._skipped)

    def __len__(self) -> int:
        return len(self._occurrences)


def collect(
    articles_links: Iterable[RawLink], *, exclude: Sequence[re.Pattern[str]] = ()
) -> tuple[list[Link], list[Skipped]]:
    """Normalise and deduplicate raw links without a base URL (see `LinkCollector`)."""
    collector = LinkCollector(exclude=exclude)
    for raw in articles_links:
        collector.add(raw)
    return collector.links(), collector.skipped()
