"""Configuration: defaults < linkcheck.toml / [tool.linkcheck] in pyproject.toml < flags.

The result is one frozen `Config`. Every problem with a setting raises `ConfigError` with a message
that names the setting, the file and what was expected; the CLI turns it into exit code 2.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from linkcheck import __version__
from linkcheck.errors import ConfigError

PROJECT_URL = "https://github.com/newsroom-tools/linkcheck"
DEFAULT_USER_AGENT = f"linkcheck/{__version__} (+{PROJECT_URL})"
DEFAULT_GLOBS = ("*.md", "*.markdown", "*.txt")


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


@dataclass(frozen=True, slots=True)
class Config:
    concurrency: int = 50
    host_concurrency: int = 4
    host_rate: float = 10.0
    timeout: float = 20.0
    connect_timeout: float = 10.0
    retries: int = 2
    max_redirects: int = 10
    retry_after_cap: float = 120.0
    dead_host_after: int = 3
    image_max_bytes: int = 1024 * 1024
    dimension_tolerance: Tolerance = Tolerance()
    check_images: bool = True
    user_agent: str = DEFAULT_USER_AGENT
    headers: tuple[tuple[str, str], ...] = ()
    exclude: tuple[str, ...] = ()
    globs: tuple[str, ...] = DEFAULT_GLOBS
    max_time: float = 0.0  # 0: no limit on the whole run
    hosts: Mapping[str, HostOverride] = field(default_factory=dict)
    proxy: str | None = None  # every request through this proxy (overrides the environment)
    ca_bundle: str | None = None  # PEM file of CAs to trust
    use_env: bool = True  # honour HTTP(S)_PROXY / NO_PROXY / SSL_CERT_FILE
    # Not a setting: the config file actually used (set by the loader), reported as run.config_file.
    config_file: str | None = None

    def host_override(self, host: str) -> HostOverride:
        """Override for a host: "example.com" also matches "example.com:8080" and subdomains."""
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        for key in (host, name):
            if key in self.hosts:
                return self.hosts[key]
        parts = name.split(".")
        for i in range(1, len(parts) - 1):
            suffix = ".".join(parts[i:])
            if suffix in self.hosts:
                return self.hosts[suffix]
        return HostOverride()

    def as_options(self) -> dict[str, Any]:
        """The options as they go into the report's run.options (JSON-safe)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name == "config_file":
                continue
            value = getattr(self, f.name)
            if f.name == "hosts":
                value = {
                    h: {"concurrency": o.concurrency, "rate": o.rate, "headers": dict(o.headers)}
                    for h, o in sorted(value.items())
                }
            elif f.name == "headers":
                value = dict(value)
            elif isinstance(value, Tolerance):
                value = str(value)
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out


# ---------------------------------------------------------------------------------------------
# Parsing and validation of individual values (shared by the file loader and the CLI)


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


def _positive(name: str, value: Any, kind: type, *, allow_zero: bool = False) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{name} must be a number, got {value!r}")
    if kind is int and not float(value).is_integer():
        raise ConfigError(f"{name} must be a whole number, got {value!r}")
    value = kind(value)
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        raise ConfigError(
            f"{name} must be {'zero or more' if allow_zero else 'more than zero'}, got {value!r}"
        )
    return value


_NUMBERS: dict[str, tuple[type, bool]] = {
    "concurrency": (int, False),
    "host_concurrency": (int, False),
    "host_rate": (float, False),
    "timeout": (float, False),
    "connect_timeout": (float, False),
    "retries": (int, True),
    "max_redirects": (int, True),
    "retry_after_cap": (float, True),
    "dead_host_after": (int, False),
    "image_max_bytes": (int, False),
    "max_time": (float, True),
}


def _headers(name: str, value: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ConfigError(f"{name} must be a table of header names to string values")
    return tuple(sorted(value.items()))


def _strings(name: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{name} must be a list of strings, got {value!r}")
    return tuple(value)


def _check_regexes(patterns: tuple[str, ...]) -> None:
    for p in patterns:
        try:
            re.compile(p)
        except re.error as exc:
            raise ConfigError(
                f"exclude pattern {p!r} is not a valid regular expression: {exc}"
            ) from None


def _host_override(host: str, table: Any, where: str) -> HostOverride:
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where}: [hosts.{host!r}] must be a table")
    unknown = sorted(set(table) - {"concurrency", "rate", "headers"})
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(unknown)} in [hosts.{host!r}]; "
            "allowed: concurrency, rate, headers"
        )
    return HostOverride(
        concurrency=_positive(f"hosts.{host}.concurrency", table["concurrency"], int)
        if "concurrency" in table
        else None,
        rate=_positive(f"hosts.{host}.rate", table["rate"], float) if "rate" in table else None,
        headers=_headers(f"hosts.{host}.headers", table.get("headers", {})),
    )


def _readable_file(name: str, value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where}: {name} must be a file path, got {value!r}")
    path = os.path.expanduser(value)
    if not os.path.isfile(path):
        raise ConfigError(f"{where}: {name}: no such file: {path}")
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise ConfigError(f"{where}: {name}: cannot read {path}: {exc.strerror or exc}") from None
    return path


def values_from_mapping(data: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Validate a config table (file or flags) into Config field values. Keys may use - or _."""
    known = {f.name for f in fields(Config)} - {"config_file"} | {"glob", "dimension-tolerance"}
    out: dict[str, Any] = {}
    for raw_key, value in data.items():
        key = raw_key.replace("-", "_")
        if key == "glob":
            key = "globs"
        if key not in known:
            close = sorted(k for k in known if k[:4] == key[:4])
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise ConfigError(f"{where}: unknown setting {raw_key!r}{hint}")
        if key in _NUMBERS:
            kind, zero = _NUMBERS[key]
            out[key] = _positive(key, value, kind, allow_zero=zero)
        elif key == "dimension_tolerance":
            out[key] = value if isinstance(value, Tolerance) else parse_tolerance(str(value))
        elif key in ("user_agent",):
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"{where}: user_agent must be a non-empty string")
            out[key] = value
        elif key in ("check_images", "use_env"):
            if not isinstance(value, bool):
                raise ConfigError(f"{where}: {key} must be true or false")
            out[key] = value
        elif key == "proxy":
            if not isinstance(value, str) or "://" not in value:
                raise ConfigError(
                    f"{where}: proxy must be a URL like http://proxy.example:3128, got {value!r}"
                )
            out[key] = value
        elif key == "ca_bundle":
            out[key] = _readable_file("ca_bundle (--ca-bundle)", value, where)
        elif key == "headers":
            out[key] = _headers("headers", value)
        elif key in ("exclude", "globs"):
            out[key] = _strings(key, value)
            if key == "exclude":
                _check_regexes(out[key])
        elif key == "hosts":
            if not isinstance(value, Mapping):
                raise ConfigError(f"{where}: hosts must be a table of host names")
            out[key] = {h.lower(): _host_override(h, t, where) for h, t in value.items()}
    return out


def find_config_file(start: str = ".") -> tuple[str, dict[str, Any]] | None:
    """linkcheck.toml, else [tool.linkcheck] in pyproject.toml, in the current directory."""
    own = os.path.join(start, "linkcheck.toml")
    if os.path.isfile(own):
        return own, load_toml(own)
    pyproject = os.path.join(start, "pyproject.toml")
    if os.path.isfile(pyproject):
        table = load_toml(pyproject).get("tool", {}).get("linkcheck")
        if isinstance(table, dict):
            return pyproject + " [tool.linkcheck]", table
    return None


def load_toml(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None


def build_config(
    flags: Mapping[str, Any], *, config_path: str | None = None, search_dir: str = "."
) -> tuple[Config, str | None]:
    """Merge defaults, the config file and the flags that were given (None means not given)."""
    values: dict[str, Any] = {}
    used: str | None = None
    if config_path is not None:
        table = load_toml(config_path)
        if os.path.basename(config_path) == "pyproject.toml":
            table = table.get("tool", {}).get("linkcheck", {})
        values.update(values_from_mapping(table, config_path))
        used = config_path
    else:
        found = find_config_file(search_dir)
        if found:
            used, table = found
            values.update(values_from_mapping(table, used))
    given = {k: v for k, v in flags.items() if v is not None}
    values.update(values_from_mapping(given, "command line"))
    return replace(Config(), **values, config_file=used), used
