"""The AMP Cache URL of a publisher URL, computed offline (no request).

The published algorithm ("AMP Cache URL Format and Request Handling", amp.dev, and
https://developers.google.com/amp/cache/overview), with the extra fallback rules of its
reference implementation (amp-toolbox `cache-url`, `AmpCurlUrlGenerator.js`):

* domain prefix, basic algorithm: the host, lowercased, Punycode-decoded label by label; every
  `-` -> `--`; every `.` -> `-`; if the result has `-` at both positions 3 and 4, wrap it as
  `0-...-0` (an `ab--` label is reserved for IDNA); Punycode-encoded again.
* fallback (hashed): when that is not a valid DNS label (over 63 characters, not letters /
  digits / hyphens, starting or ending with a hyphen, or the Punycode step fails), and, as the
  reference implementation does, when the host has no dot, mixes right-to-left and
  left-to-right characters, or itself has `--` at positions 3-4 (not `xn--`): the SHA-256 of
  the host, base32 (RFC 4648, lowercase, the 4 padding `=` removed): 52 characters.
* the cache host is `<prefix>.<cache domain>`; the path is `/c` (a document; `/i` an image,
  `/r` a font, by the path's extension as the reference implementation decides), then `/s`
  when the publisher URL is https, then the publisher's host and path, then its query.

The specification has no rule of its own for IP-literal hosts: an IPv4 address goes through
the basic algorithm like any dotted name (`127.0.0.1` -> `127-0-0-1`); an IPv6 literal is not
a DNS label (`:`) and takes the fallback. A non-default port, which the published format
cannot express, is kept next to the host in the path (`/c/127.0.0.1:8080/...`): the
reference implementation drops it (`cache_url(..., keep_port=False)` gives that form).
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from urllib.parse import urlsplit

__all__ = [
    "GOOGLE",
    "KNOWN_CACHE_DOMAINS",
    "cache_domain_of",
    "cache_host",
    "cache_url",
    "domain_prefix",
    "fallback_prefix",
]

GOOGLE = "cdn.ampproject.org"
#: The AMP caches registered in amphtml's build-system/global-configs/caches.json
#: (`cacheDomain`): Google's and Bing's.
KNOWN_CACHE_DOMAINS: tuple[str, ...] = (GOOGLE, "www.bing-amp.com")

_MAX_LABEL = 63
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
# the reference implementation's character classes (AmpCurlUrlGenerator.js)
_LTR = re.compile(
    "[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02b8\u0300-\u0590\u0800-\u1fff"
    "\u200e\u2c00-\ufb1c\ufe00-\ufe6f\ufefd-\uffff]"
)
_RTL = re.compile("[\u0591-\u06ef\u06fa-\u07ff\u200f\ufb1d-\ufdff\ufe70-\ufefc]")
# amp-toolbox cache-url lib/ImageExtensions.js and lib/FontExtensions.js (the common ones)
_IMAGE_EXT = frozenset(
    ("apng", "avif", "bmp", "gif", "ico", "jpeg", "jpg", "png", "svg", "tif", "tiff")
    + ("webp", "jxr", "jp2", "heic", "heif")
)
_FONT_EXT = frozenset(["eot", "otf", "ttc", "ttf", "woff", "woff2"])


class _NotLabel(ValueError):
    """The basic algorithm gave no valid DNS label."""


def _to_unicode(host: str) -> str:
    labels = []
    for label in host.split("."):
        if label.startswith("xn--"):
            try:
                labels.append(label[4:].encode("ascii").decode("punycode"))
            except (UnicodeError, ValueError) as exc:
                raise _NotLabel(str(exc)) from None
        else:
            labels.append(label)
    return ".".join(labels)


def _to_ascii(label: str) -> str:
    if label.isascii():
        return label
    try:
        return "xn--" + label.encode("punycode").decode("ascii")
    except UnicodeError as exc:
        raise _NotLabel(str(exc)) from None


def _hyphen34(text: str) -> bool:
    return text[2:4] == "--"


def fallback_prefix(host: str) -> str:
    """The hashed domain prefix: base32 of SHA-256 of the host, lowercase, unpadded (52)."""
    digest = hashlib.sha256(host.encode("utf-8")).digest()
    return base64.b32encode(digest).decode("ascii").lower().rstrip("=")


def _basic(host: str) -> str:
    unicode = _to_unicode(host)
    prefix = unicode.replace("-", "--").replace(".", "-")
    if _hyphen34(prefix):
        prefix = f"0-{prefix}-0"
    encoded = _to_ascii(prefix).lower()
    if len(encoded) > _MAX_LABEL or not _LABEL.fullmatch(encoded):
        raise _NotLabel(encoded)
    if _LTR.search(unicode) and _RTL.search(unicode):
        raise _NotLabel("mixes right-to-left and left-to-right characters")
    return encoded


@lru_cache(maxsize=4096)  # a library cites a few thousand hosts, each many times
def domain_prefix(host: str) -> str:
    """The AMP cache domain prefix (the cache host's first label) of a publisher host."""
    host = host.lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    eligible = "." in host and len(host) <= _MAX_LABEL
    if eligible and not (_hyphen34(host) and not host.startswith("xn")):
        try:
            return _basic(host)
        except _NotLabel:
            pass
    return fallback_prefix(host)


def cache_host(host: str, cache_domain: str = GOOGLE) -> str:
    """The host on `cache_domain` that serves the publisher host's documents."""
    return f"{domain_prefix(host)}.{cache_domain}"


def _serving_type(path: str) -> str:
    ext = path.rsplit("/", 1)[-1].rpartition(".")[2].lower()
    if ext in _IMAGE_EXT:
        return "i"
    if ext in _FONT_EXT:
        return "r"
    return "c"


def cache_url(amp_url: str, cache_domain: str = GOOGLE, *, keep_port: bool = True) -> str:
    """The AMP Cache URL of an (absolute http/https) publisher URL on `cache_domain`.
    Raises ValueError for a URL that has no host or another scheme."""
    parts = urlsplit(amp_url.strip())
    scheme = parts.scheme.lower()
    host = parts.hostname
    if scheme not in ("http", "https") or not host:
        raise ValueError(f"not an absolute http(s) URL: {amp_url!r}")
    port = parts.port
    default = 443 if scheme == "https" else 80
    shown = f"[{host}]" if ":" in host else host
    if keep_port and port is not None and port != default:
        shown = f"{shown}:{port}"
    path = parts.path
    if path == "/" and not amp_url.strip().split("?", 1)[0].split("#", 1)[0].endswith("/"):
        path = ""
    tail = f"/{_serving_type(path)}{'/s' if scheme == 'https' else ''}/{shown}{path}"
    query = f"?{parts.query}" if parts.query else ""
    return f"https://{cache_host(host, cache_domain)}{tail}{query}"


def cache_domain_of(host: str) -> str | None:
    """The known AMP cache domain `host` is on (`www-example-com.cdn.ampproject.org` ->
    `cdn.ampproject.org`), or None."""
    host = host.lower().rstrip(".")
    for domain in KNOWN_CACHE_DOMAINS:
        if host.endswith("." + domain):
            return domain
    return None
