"""Sharded runs: which links this process checks under `--shard K/N`.

Every shard reads the whole library (cheap) and checks only the links whose *registrable
domain* hashes to its K, so one publisher's hosts (`www.`, `amp.`, `cdn.`) are all checked by
one process and per-host politeness holds across the fleet with no coordination:

- the registrable domain comes from the public suffix list (tldextract's bundled snapshot,
  never fetched at run time): `www.bbc.co.uk` -> `bbc.co.uk`. A name under no known suffix
  (`.test`, `.localhost`, an intranet name) keeps its last two labels; an IP address and a
  one-label name (`localhost`) are their own domain;
- an AMP cache host (`www-example-com.cdn.ampproject.org`) goes with the publisher it serves
  (decoded from its first label); a cache host whose label cannot be decoded (the hashed form
  of long names) is its own domain;
- the hash is SHA-256 of the domain (never Python's `hash()`, which changes per process), so a
  host's shard is the same in every run, process and machine for a given N;
- links without a host (local files, unsupported schemes, invalid URLs) belong to shard 1
  only, so a merge sees each once.

Problems and article findings are per file: every shard reports them (merge deduplicates).
`resolve` works out the run's shard from the flags, the environment and the config file.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from linkcheck.collect.library import Collected
from linkcheck.config import Config
from linkcheck.config.values import Where
from linkcheck.config.values_extra import shard as parse_shard
from linkcheck.errors import ConfigError
from linkcheck.models import Reason

__all__ = [
    "AMP_CACHE_SUFFIX",
    "ENV_INDEX",
    "ENV_K8S_INDEX",
    "ENV_SHARD",
    "amp_cache_publisher",
    "registrable_domain",
    "resolve",
    "select",
    "shard_of",
    "shard_of_host",
]

AMP_CACHE_SUFFIX = ".cdn.ampproject.org"
ENV_SHARD = "LINKCHECK_SHARD"  # K/N, like --shard
ENV_K8S_INDEX = "JOB_COMPLETION_INDEX"  # a Kubernetes Indexed Job's pod: 0 .. N-1
ENV_INDEX = "LINKCHECK_SHARD_INDEX"  # a CI matrix's index: 1 .. N, like K
_HOSTLESS = frozenset({Reason.INVALID_URL, Reason.UNSUPPORTED_SCHEME})
_AMP_LABEL = re.compile(r"--|-")
# http(s)://host[:port] then a path, query, fragment or the end; anything else: urlsplit
_PLAIN = re.compile(r"https?://([^/?#@\[\]:\\\s]+)(?::[0-9]*)?(?=[/?#]|$)", re.IGNORECASE)


# --------------------------------------------------------------------------- the hash


@lru_cache(maxsize=1)
def _extractor() -> Any:
    import tldextract  # noqa: PLC0415 - 0.1 s to load: only sharded runs pay it

    # no suffix_list_urls and no cache_dir: the snapshot bundled with the package, no fetch
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def amp_cache_publisher(host: str) -> str | None:
    """The publisher host an AMP cache host serves (`www-example-com.cdn.ampproject.org` ->
    `www.example.com`), or None when `host` is not one or its label is the hashed form."""
    if not host.endswith(AMP_CACHE_SUFFIX):
        return None
    label = host[: -len(AMP_CACHE_SUFFIX)]
    if not label or "." in label:
        return None
    try:
        if label.startswith("xn--"):  # the cache label of an IDN is punycode itself
            label = label[4:].encode("ascii").decode("punycode")
        name = _AMP_LABEL.sub(lambda m: "-" if m.group() == "--" else ".", label)
        parts = name.split(".")
        if len(parts) < 2 or any(not p or p[0] == "-" or p[-1] == "-" for p in parts):
            return None
        return name.encode("idna").decode("ascii").lower()
    except (UnicodeError, ValueError):
        return None


@lru_cache(maxsize=65536)
def registrable_domain(host: str) -> str:
    """The domain a host's shard is decided by (see the module docstring)."""
    host = host.lower().strip("[]").rstrip(".")
    try:
        return ipaddress.ip_address(host).compressed
    except ValueError:
        pass
    if host.endswith(AMP_CACHE_SUFFIX):
        publisher = amp_cache_publisher(host)
        if publisher is None:
            return host  # the hashed form: spread by the cache host itself
        host = publisher
    try:
        parts = _extractor()(host)
    except (UnicodeError, ValueError):  # no such host reached it (fuzzed): never a traceback
        return ".".join(host.split(".")[-2:])
    if parts.ipv4:
        return str(parts.ipv4)
    if parts.suffix and parts.domain:
        return f"{parts.domain}.{parts.suffix}".lower()
    if parts.suffix:  # the host is a public suffix itself
        return host
    return ".".join(host.split(".")[-2:])  # no known suffix: .test, .localhost, intranet


@lru_cache(maxsize=65536)
def shard_of_host(host: str, total: int) -> int:
    """The shard (1 .. total) of a host name or address."""
    digest = hashlib.sha256(registrable_domain(host).encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big") % total + 1


def shard_of(url: str, total: int) -> int:
    """The shard (1 .. total) of a URL: by its host's registrable domain for http(s), else 1."""
    if total <= 1:
        return 1
    plain = _PLAIN.match(url)  # the common shape without urlsplit (a third of the time)
    if plain is not None:
        return shard_of_host(plain.group(1).lower(), total)
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return 1
    if not host or parts.scheme.lower() not in ("http", "https"):
        return 1
    return shard_of_host(host, total)


def select(collected: Collected, config: Config) -> Collected:
    """The links of `collected` that belong to this run's shard (all of them unsharded)."""
    if config.shard is None or config.shard[1] <= 1:
        return collected
    k, n = config.shard
    links = [link for link in collected.links if shard_of(link.url, n) == k]
    skipped = [
        s for s in collected.skipped if (1 if s.reason in _HOSTLESS else shard_of(s.url, n)) == k
    ]
    return replace(collected, links=links, skipped=skipped)


# --------------------------------------------------------------------------- which shard


def _index(name: str, text: str, *, first: int, total: int) -> int:
    """K (1-based) from an index environment variable counting from `first`."""
    try:
        value = int(text.strip())
    except ValueError:
        raise ConfigError(f"{name}={text!r} is not a whole number (a shard index)") from None
    k = value - first + 1
    if not 1 <= k <= total:
        top = total - 1 + first
        raise ConfigError(
            f"{name}={value} is not a shard of {total}: it counts from {first} to {top}"
        )
    return k


def _shard_text(name: str, text: str) -> tuple[int, int]:
    return parse_shard(Where(f"the environment variable {name}"), text)


def resolve(
    config: Config, flags: Mapping[str, Any], env: Mapping[str, str]
) -> tuple[Config, str | None]:
    """`config` with its shard worked out, and where it came from (None: unsharded).

    Precedence: the --shard flag, then the environment (LINKCHECK_SHARD=K/N; or an index,
    JOB_COMPLETION_INDEX counting from 0 or LINKCHECK_SHARD_INDEX from 1, with N from
    --shards or the config file's `shards`), then the config file's `shard`. N given twice
    with two values, an index without N, or N without an index is a ConfigError."""
    flag_shard = flags.get("shard") is not None
    flag_total = flags.get("shards") is not None
    total = config.shards or None  # --shards, else the file's shards (0: not given)
    total_from = "--shards" if flag_total else "shards in the config file"

    def agree(shard: tuple[int, int], source: str) -> tuple[Config, str]:
        if total is not None and total != shard[1]:
            raise ConfigError(
                f"{source} says shard {shard[0]}/{shard[1]} but {total_from} says "
                f"{total} shards: give N once, or the same N"
            )
        return replace(config, shard=shard, shards=shard[1]), source

    if flag_shard and config.shard is not None:
        return agree(config.shard, "--shard")
    if env.get(ENV_SHARD, "").strip():
        return agree(_shard_text(ENV_SHARD, env[ENV_SHARD]), ENV_SHARD)
    indexes = [(n, f) for n, f in ((ENV_K8S_INDEX, 0), (ENV_INDEX, 1)) if env.get(n, "").strip()]
    if indexes and total is not None:
        found = {name: _index(name, env[name], first=f, total=total) for name, f in indexes}
        if len(set(found.values())) > 1:
            said = " and ".join(f"{n}={env[n].strip()}" for n in found)
            raise ConfigError(f"{said} name two different shards: set one of them")
        name = next(iter(found))
        k = found[name]
        return replace(config, shard=(k, total)), f"{name}={env[name].strip()} and {total_from}"
    if config.shard is not None:
        where = f"shard in {config.config_file}" if config.config_file else "shard"
        return agree(config.shard, where)
    if total is not None:
        raise ConfigError(
            f"{total_from} {total} needs this run's shard index: set {ENV_K8S_INDEX} (0 to "
            f"{total - 1}, a Kubernetes Indexed Job sets it), {ENV_INDEX} (1 to {total}) or "
            f"{ENV_SHARD}=K/{total}, or give --shard K/{total}"
        )
    return config, None
