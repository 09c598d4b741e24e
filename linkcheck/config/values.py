"""The value types of settings, and the checks that turn a raw value into one.

A raw value comes from a TOML file (already an int, a list, a table...) or from a flag (a string,
or an int/float that argparse converted). Every check raises `ConfigError` with a message a tired
person can act on: which setting, where it came from, what was given, what is allowed.
"""

from __future__ import annotations

import difflib
import ipaddress
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from linkcheck import __version__
from linkcheck.errors import ConfigError

__all__ = [
    "DEFAULT_GLOBS",
    "DEFAULT_OUTPUT",
    "DEFAULT_USER_AGENT",
    "PROJECT_URL",
    "Bounds",
    "HostOverride",
    "Kind",
    "Tolerance",
    "Where",
    "check_value",
    "format_duration",
    "parse_duration",
    "parse_tolerance",
]

PROJECT_URL = "https://github.com/newsroom-tools/linkcheck"
DEFAULT_USER_AGENT = f"linkcheck/{__version__} (+{PROJECT_URL})"
DEFAULT_GLOBS = ("*.md", "*.markdown", "*.txt")
DEFAULT_OUTPUT = "linkcheck-report.json"
HOST_KEYS = ("concurrency", "rate", "headers")
PROXY_SCHEMES = ("http", "https")  # what the transports support


@dataclass(frozen=True, slots=True)
class HostOverride:
    """Per-host settings from the config file's [hosts."name"] tables."""

    concurrency: int | None = None
    rate: float | None = None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Tolerance:
    """How far an image's real size may be from the declared one and still match."""

    value: float = 0.0
    percent: bool = False

    def allows(self, declared: int, actual: int) -> bool:
        limit = declared * self.value / 100 if self.percent else self.value
        return abs(declared - actual) <= limit

    def __str__(self) -> str:
        return f"{self.value:g}%" if self.percent else f"{self.value:g}"


class Kind(StrEnum):
    """What a setting holds; decides how a raw value is checked and converted."""

    INT = "integer"
    FLOAT = "number"
    BOOL = "true/false"
    TEXT = "text"
    PATH = "path"  # a file to write; relative paths in a config file are relative to that file
    FILE = "file"  # an existing, readable file; relative paths as for PATH
    PROXY = "URL"
    GLOBS = "list of patterns"
    REGEXES = "list of regexes"
    HEADERS = "table of headers"
    TOLERANCE = "pixels or percent"
    HOSTS = "host tables"
    DURATION = "duration"  # "3d", "12h", "90m", "30s", "1w" or seconds; stored as seconds
    FORMATS = "list of NAME[=PATH]"  # output formats; names are checked by the CLI's registry
    CHOICE = "one of"  # one of `Setting.choices`
    NETWORKS = "list of CIDR networks"  # "10.20.0.0/16", "fd00::/8", "192.0.2.7"
    # checked in values_extra.py
    SHARD = "K/N"  # "2/4": shard 2 of 4, stored as (2, 4)
    BASE_URL = "absolute http(s) URL"
    FIELDS = "table of field paths"  # [fields] url = "canonical_url"
    BASES = "list of [[bases]] tables"  # [[bases]] path = "docs/" url = "https://..."
    TEXTS = "list of strings"


class Bounds(StrEnum):
    """The allowed range of a number, in the words an error message uses."""

    POSITIVE = "more than zero"
    NON_NEGATIVE = "zero or more"
    RATE = "at least 0.01 requests per second (one request every 100 s)"


MIN_RATE = 0.01  # requests/s: below it a run over a few hundred URLs would never end


@dataclass(frozen=True, slots=True)
class Where:
    """Where a raw value came from: a flag, or a key in a config file (and that file's folder)."""

    label: str  # "--timeout" or "timeout"
    file: str | None = None  # the config file as reported ("x/pyproject.toml [tool.linkcheck]")
    base_dir: str | None = None  # relative paths in that file are relative to this folder

    def __str__(self) -> str:
        return self.label if self.file is None else f"{self.file}: {self.label}"


def parse_tolerance(text: str) -> Tolerance:
    raw = str(text).strip()
    percent = raw.endswith("%")
    number = raw[:-1].strip() if percent else raw.removesuffix("px").strip()
    try:
        value = float(number)
    except ValueError:
        raise ConfigError(
            f"dimension tolerance {text!r} is not a number: "
            "use pixels like 2 or a percentage like 1%"
        ) from None
    if not math.isfinite(value) or value < 0:
        raise ConfigError(f"dimension tolerance {text!r} must be zero or more")
    return Tolerance(value, percent)


_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*", re.IGNORECASE)


def parse_duration(text: object) -> float:
    """Seconds in a duration: "3d", "12h", "90m", "30s", "1w", a bare number of seconds, or
    several parts ("1d12h"). Raises ConfigError (without saying which setting)."""
    if isinstance(text, bool):
        raise ConfigError(f"{text!r} is not a duration")
    if isinstance(text, int | float):
        seconds = float(text)
    else:
        raw = str(text).strip()
        seconds, pos = 0.0, 0
        while pos < len(raw):
            m = _DURATION.match(raw, pos)
            if m is None or m.end() == pos:
                raise ConfigError(
                    f"{text!r} is not a duration: write it like 3d, 12h, 90m, 30s or 0"
                )
            seconds += float(m.group(1)) * _DURATION_UNITS[(m.group(2) or "s").lower()]
            pos = m.end()
        if not raw:
            raise ConfigError("an empty duration: write it like 3d, 12h, 90m, 30s or 0")
    if not math.isfinite(seconds) or seconds < 0:
        raise ConfigError(f"duration {text!r} must be zero or more")
    return seconds


def format_duration(seconds: float) -> str:
    """The shortest exact spelling of a duration ("3d", "36h", "90s", "0")."""
    if seconds == 0:
        return "0"
    for unit in ("w", "d", "h", "m"):
        size = _DURATION_UNITS[unit]
        if seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


_FORMAT_SPEC = re.compile(r"^[a-z][a-z0-9_-]*(=.+)?$")


def format_specs(where: Where, value: Any) -> tuple[str, ...]:
    """Output format requests, each "NAME" or "NAME=PATH" (PATH '-' is stdout). Relative
    paths in a config file are relative to that file. Whether NAME exists is the CLI's check."""
    out: list[str] = []
    for spec in strings(where, value):
        spec = spec.strip()
        if not _FORMAT_SPEC.match(spec):
            raise ConfigError(
                f"{where}: {spec!r} is not NAME or NAME=PATH (for example html=report.html)"
            )
        name, sep, path = spec.partition("=")
        if sep and path != "-":
            path = _path(where, path)
        out.append(f"{name}={path}" if sep else name)
    return tuple(out)


def networks(where: Where, value: Any) -> tuple[str, ...]:
    """IP networks in CIDR form ("10.20.0.0/16", a bare address is its /32 or /128), kept as
    their canonical text. Host bits set ("10.1.2.3/16") are refused: that is usually a typo."""
    out: list[str] = []
    for item in strings(where, value):
        try:
            out.append(str(ipaddress.ip_network(item.strip(), strict=True)))
        except ValueError as exc:
            raise ConfigError(
                f"{where}: {item!r} is not a network in CIDR form such as 10.20.0.0/16 or "
                f"fd00::/8 ({exc})"
            ) from None
    return tuple(out)


def number(where: Where, value: Any, kind: Kind, bounds: Bounds | None) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        hint = " (write it without quotes)" if isinstance(value, str) and _numeric(value) else ""
        raise ConfigError(f"{where} must be a number, got {value!r}{hint}")
    if kind is Kind.INT and not float(value).is_integer():
        raise ConfigError(f"{where} must be a whole number, got {value!r}")
    converted: int | float = int(value) if kind is Kind.INT else float(value)
    ok = math.isfinite(converted)
    if bounds is Bounds.POSITIVE:
        ok = ok and converted > 0
    elif bounds is Bounds.NON_NEGATIVE:
        ok = ok and converted >= 0
    elif bounds is Bounds.RATE:
        ok = ok and converted >= MIN_RATE
    if not ok:
        raise ConfigError(f"{where} must be {bounds or 'a finite number'}, got {value!r}")
    return converted


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def headers(where: Where, value: Any) -> tuple[tuple[str, str], ...]:
    """A table {name: value} (config file, API), or 'Name: value' strings (repeated --header)."""
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        table: dict[str, str] = {}
        for item in value:
            name, sep, text = item.partition(":")
            if not sep or not name.strip():
                raise ConfigError(f"{where} {item!r} is not of the form 'Name: value'")
            table[name.strip()] = text.strip()
        value = table
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ConfigError(
            f"{where} must be a table of header names to string values, "
            'like { "Accept-Language" = "en" }'
        )
    return tuple(sorted((k, expand_env(where, k, v)) for k, v in value.items()))


_ENV_REFERENCE = re.compile(r"\$(?:\$|\{([^}]*)\}?)")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def expand_env(where: Where, header: str, text: str) -> str:
    """A header value with every `${NAME}` replaced by that environment variable, so a token
    need not sit in a config file or on a command line; `$$` is a literal `$` (any other `$`
    is kept as written). An unset variable or a malformed reference is a ConfigError."""
    if "$" not in text:
        return text

    def substitute(match: re.Match[str]) -> str:
        if match.group() == "$$":
            return "$"
        name = match.group(1)
        if not match.group().endswith("}") or not _ENV_NAME.fullmatch(name):
            raise ConfigError(
                f"{where}: header {header}: {match.group()!r} is not a valid reference to an "
                "environment variable: write ${NAME} (letters, digits, _), or $$ for a $"
            )
        found = os.environ.get(name)
        if found is None:
            raise ConfigError(
                f"{where}: header {header}: environment variable {name} is not set "
                f"(its value is read from ${{{name}}})"
            )
        return found

    return _ENV_REFERENCE.sub(substitute, text)


def strings(where: Where, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of strings, got {value!r}")
    return tuple(value)


def regexes(where: Where, value: Any) -> tuple[str, ...]:
    patterns = strings(where, value)
    for p in patterns:
        try:
            re.compile(p)
        except re.error as exc:
            raise ConfigError(
                f"{where}: pattern {p!r} is not a valid regular expression: {exc}"
            ) from None
    return patterns


def _path(where: Where, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where} must be a file path, got {value!r}")
    path = os.path.expanduser(value)
    if where.base_dir is not None and path != "-" and not os.path.isabs(path):
        path = os.path.join(where.base_dir, path)
    return path


def readable_file(where: Where, value: Any) -> str:
    path = _path(where, value)
    if not os.path.isfile(path):
        raise ConfigError(f"{where}: no such file: {path}")
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read {path}: {exc.strerror or exc}") from None
    return path


def proxy_url(where: Where, value: Any) -> str:
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme.lower() not in PROXY_SCHEMES or not parts.hostname:
        raise ConfigError(
            f"{where} must be an http:// or https:// proxy URL such as "
            f"http://proxy.example:3128, got {value!r}"
        )
    return str(value)


def host_overrides(where: Where, value: Any) -> dict[str, HostOverride]:
    if not isinstance(value, Mapping):
        raise ConfigError(f'{where} must be tables like [hosts."cdn.example.com"]')
    out: dict[str, HostOverride] = {}
    for host, table in value.items():
        if isinstance(table, HostOverride):  # from the API
            out[str(host).lower()] = table
            continue
        if not isinstance(table, Mapping):
            raise ConfigError(f'{where}: [hosts."{host}"] must be a table')
        for key in table:
            if key not in HOST_KEYS:
                close = difflib.get_close_matches(str(key), HOST_KEYS, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                raise ConfigError(
                    f'{where.file or where.label}: unknown key {key!r} in [hosts."{host}"] '
                    f"({hint}allowed: {', '.join(HOST_KEYS)})"
                )

        out[str(host).lower()] = _host_override(where, str(host), table)
    return out


def _host_override(where: Where, host: str, table: Mapping[str, Any]) -> HostOverride:
    def at(key: str) -> Where:
        return Where(f"hosts.{host}.{key}", where.file, where.base_dir)

    concurrency, rate = table.get("concurrency"), table.get("rate")
    if concurrency is not None:
        concurrency = int(number(at("concurrency"), concurrency, Kind.INT, Bounds.POSITIVE))
    if rate is not None:
        rate = float(number(at("rate"), rate, Kind.FLOAT, Bounds.RATE))
    return HostOverride(concurrency, rate, headers(at("headers"), table.get("headers", {})))


def check_value(
    where: Where,
    kind: Kind,
    bounds: Bounds | None,
    value: Any,
    choices: tuple[str, ...] = (),
) -> object:
    """Check one raw value of a setting of `kind` and return it converted."""
    if kind is Kind.DURATION:
        try:
            return parse_duration(value)
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    if kind is Kind.FORMATS:
        return format_specs(where, value)
    if kind is Kind.NETWORKS:
        return networks(where, value)
    if kind is Kind.CHOICE:
        if not isinstance(value, str) or value.strip().lower() not in choices:
            raise ConfigError(f"{where} must be one of {', '.join(choices)}, got {value!r}")
        return value.strip().lower()
    if kind in (Kind.INT, Kind.FLOAT):
        return number(where, value, kind, bounds)
    if kind is Kind.BOOL:
        if not isinstance(value, bool):
            raise ConfigError(f"{where} must be true or false, got {value!r}")
        return value
    if kind is Kind.TEXT:
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{where} must be a non-empty string, got {value!r}")
        return value
    if kind is Kind.PATH:
        return _path(where, value)
    if kind is Kind.FILE:
        return readable_file(where, value)
    if kind is Kind.PROXY:
        return proxy_url(where, value)
    if kind is Kind.GLOBS:
        return strings(where, value)
    if kind is Kind.REGEXES:
        return regexes(where, value)
    if kind is Kind.HEADERS:
        return headers(where, value)
    if kind is Kind.TOLERANCE:
        if isinstance(value, Tolerance):
            return value
        try:
            return parse_tolerance(str(value))
        except ConfigError as exc:
            if where.file is None:
                raise
            raise ConfigError(f"{where.file}: {exc}") from None
    if kind is Kind.HOSTS:
        return host_overrides(where, value)
    from linkcheck.config import values_extra  # noqa: PLC0415 - it imports this module

    if kind in values_extra.CHECKS:
        return values_extra.CHECKS[kind](where, value)
    raise AssertionError(f"unhandled setting kind {kind!r}")
