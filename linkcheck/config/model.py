"""`Config`: every setting of a run, frozen. Its fields are the rows of `settings.SETTINGS`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from linkcheck.config.settings import DEFAULT_CACHE_MAX_AGE, SETTINGS
from linkcheck.config.values import (
    DEFAULT_GLOBS,
    DEFAULT_OUTPUT,
    DEFAULT_USER_AGENT,
    HostOverride,
    Tolerance,
)

__all__ = ["Config"]


@dataclass(frozen=True, slots=True)
class Config:
    """The settings of a run. Defaults here equal the table's (a test pins it)."""

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
    allow_private: bool = False  # request private/loopback/link-local addresses too
    allow_net: tuple[str, ...] = ()  # CIDR networks allowed although not public
    # State between runs. The library API keeps state only when `state` names a file; the
    # command line resolves the default location (see settings.STATE_DEFAULT_TEXT).
    state: str | None = None
    use_state: bool = True
    cache_max_age: float = DEFAULT_CACHE_MAX_AGE  # seconds; 0: never reuse a verdict
    fail_after: int = 1
    wait_lock: bool = False
    # The library's shape: relative links and the front-matter field names.
    base_url: str | None = None
    root_dir: str | None = None
    fields: Mapping[str, str] = field(default_factory=dict)  # role -> dotted path
    bases: tuple[tuple[str, str], ...] = ()  # (folder/, base URL), longest folder first
    # News-page checks.
    soft_404: bool = True
    soft_404_phrases: tuple[str, ...] = ()  # added to the built-in phrase list
    amp_checks: bool = True
    # Sharded runs: check only the links of shard (K, N).
    shard: tuple[int, int] | None = None
    shards: int = 0  # N when K comes from the environment
    # Checking processes: 0 = automatic (one per core, at most 4, for large runs), 1 = this
    # process only. Each host's limits are divided between them (linkcheck.workers).
    workers: int = 0
    # How the command line presents the run (the library ignores these).
    output: str = DEFAULT_OUTPUT
    quiet: bool = False
    verbose: bool = False
    formats: tuple[str, ...] = ()  # "NAME" or "NAME=PATH"
    color: str = "auto"  # auto | always | never
    heartbeat: float = 60.0  # seconds between non-TTY progress lines; 0: none
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
        """The options as they go into the report's run.options (JSON-safe), in table order."""
        out: dict[str, Any] = {}
        for setting in SETTINGS:
            if setting.reported:
                out[setting.name] = _jsonable(setting.name, getattr(self, setting.name))
        return out


REDACTED = "***"  # what the report shows in place of a configured header value


def _jsonable(name: str, value: Any) -> Any:
    # header values are often credentials (Authorization, API keys): names only, values ***
    if name == "hosts":
        return {
            h: {
                "concurrency": o.concurrency,
                "rate": o.rate,
                "headers": dict.fromkeys(dict(o.headers), REDACTED),
            }
            for h, o in sorted(value.items())
        }
    if name == "headers":
        return dict.fromkeys(dict(value), REDACTED)
    if name == "proxy" and value:
        return _without_password(value)
    if isinstance(value, Tolerance):
        return str(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def _without_password(url: str) -> str:
    """A proxy URL for the report: a password in it is replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))
