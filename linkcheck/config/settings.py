"""THE table of settings: one row per setting, and everything else is derived from it.

The command-line parser (`linkcheck.cli.options`), the config-file loader (`load.py`),
`Config.as_options()` (the report's `run.options`) and the README's option list all read this
table; a test keeps `Config`'s defaults equal to the ones here. To add a setting: add a field
to `Config` and a row here.

Every flag is also a config key (`--host-rate 5` is `host-rate = 5` in linkcheck.toml), except
`--config` itself, which says where the keys are. `hosts` is the one key without a flag.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from linkcheck.config.setting import Setting
from linkcheck.config.settings_extra import CONTENT, EXTRA_SETTINGS, NEWS, SHARDS
from linkcheck.config.values import (
    DEFAULT_GLOBS,
    DEFAULT_OUTPUT,
    DEFAULT_USER_AGENT,
    Bounds,
    Kind,
    Tolerance,
)

__all__ = ["GROUPS", "SETTINGS", "Setting", "by_key", "by_name"]

# Help sections, in order.
OUTPUT, STATE, SELECT, NETWORK, PROXY, FILE_ONLY = (
    "output",
    "state between runs (history, cache, locking)",
    "what to check",
    "network and politeness",
    "proxy and TLS",
    "config file only",
)
GROUPS = (OUTPUT, STATE, SELECT, CONTENT, NEWS, SHARDS, NETWORK, PROXY, FILE_ONLY)

#: Where the state store lives unless --state names it (resolved by the CLI).
STATE_DEFAULT_TEXT = (
    ".linkcheck/state.db beside the config file found, else one store per library under "
    "$XDG_STATE_HOME/linkcheck/libraries/ (~/.local/state/linkcheck/libraries/)"
)
DEFAULT_CACHE_MAX_AGE = 3 * 86400.0  # a daily run reuses ok verdicts; a weekly run rechecks all


SETTINGS: tuple[Setting, ...] = (
    # ---- output
    Setting(
        name="output",
        kind=Kind.PATH,
        default=DEFAULT_OUTPUT,
        group=OUTPUT,
        flag="--output",
        short="-o",
        metavar="FILE",
        help="where to write the JSON report, '-' for stdout",
        reported=False,
    ),
    Setting(
        name="quiet",
        kind=Kind.BOOL,
        default=False,
        group=OUTPUT,
        flag="--quiet",
        short="-q",
        flag_value=True,
        help="print nothing but errors (the JSON report is still written)",
        reported=False,
    ),
    Setting(
        name="verbose",
        kind=Kind.BOOL,
        default=False,
        group=OUTPUT,
        flag="--verbose",
        short="-v",
        flag_value=True,
        help="also list warnings (blocked, rate-limited) and per-host statistics",
        reported=False,
    ),
    Setting(
        name="formats",
        kind=Kind.FORMATS,
        default=(),
        group=OUTPUT,
        flag="--format",
        metavar="NAME[=PATH]",
        repeatable=True,
        key="format",
        aliases=("formats",),
        default_text="",
        help="also write the report in this format, to PATH or to standard output; "
        "repeatable (names: see linkcheck report --help)",
        reported=False,
    ),
    Setting(
        name="color",
        kind=Kind.CHOICE,
        default="auto",
        group=OUTPUT,
        flag="--color",
        metavar="WHEN",
        choices=("auto", "always", "never"),
        help="colour in the summary: auto (on a terminal, unless NO_COLOR is set or "
        "TERM=dumb; FORCE_COLOR forces it), always or never",
        reported=False,
    ),
    Setting(
        name="heartbeat",
        kind=Kind.FLOAT,
        bounds=Bounds.NON_NEGATIVE,
        default=60.0,
        group=OUTPUT,
        flag="--heartbeat",
        metavar="SECONDS",
        default_text="60; 0 turns it off",
        help="when standard error is not a terminal (cron, CI), print a one-line progress "
        "report to it this often",
        reported=False,
    ),
    # ---- state between runs
    Setting(
        name="state",
        kind=Kind.PATH,
        default=None,
        group=STATE,
        flag="--state",
        metavar="FILE",
        default_text=STATE_DEFAULT_TEXT,
        help="the SQLite state store that keeps every run's verdicts (history, cache, "
        "--fail-after)",
        reported=False,
    ),
    Setting(
        name="use_state",
        kind=Kind.BOOL,
        default=True,
        group=STATE,
        flag="--no-state",
        flag_value=False,
        help="keep no state: no history, no cache, no lock (every run stands alone)",
    ),
    Setting(
        name="cache_max_age",
        kind=Kind.DURATION,
        default=DEFAULT_CACHE_MAX_AGE,
        group=STATE,
        flag="--cache-max-age",
        metavar="AGE",
        help="reuse an ok verdict younger than this without a request (3d, 12h, 90m; 0 "
        "rechecks everything); broken and warning verdicts are always rechecked",
    ),
    Setting(
        name="fail_after",
        kind=Kind.INT,
        bounds=Bounds.POSITIVE,
        default=1,
        group=STATE,
        flag="--fail-after",
        metavar="N",
        help="exit 1 only for links broken in N runs in a row (the report still lists "
        "every broken link, with its failing_runs)",
    ),
    Setting(
        name="wait_lock",
        kind=Kind.BOOL,
        default=False,
        group=STATE,
        flag="--wait-lock",
        flag_value=True,
        help="if another run holds the state store, wait for it to finish instead of "
        "exiting 2 at once",
        reported=False,
    ),
    # ---- what to check
    Setting(
        name="globs",
        kind=Kind.GLOBS,
        default=DEFAULT_GLOBS,
        group=SELECT,
        flag="--glob",
        metavar="PATTERN",
        repeatable=True,
        key="glob",
        aliases=("globs",),
        help="file name pattern of article files inside folders, repeatable",
    ),
    Setting(
        name="exclude",
        kind=Kind.REGEXES,
        default=(),
        group=SELECT,
        flag="--exclude",
        metavar="REGEX",
        repeatable=True,
        help="skip URLs matching this regular expression, repeatable (reported as "
        "skipped/excluded)",
    ),
    Setting(
        name="check_images",
        kind=Kind.BOOL,
        default=True,
        group=SELECT,
        flag="--no-images",
        flag_value=False,
        help="check images as plain links, without reading their pixel size",
    ),
    Setting(
        name="dimension_tolerance",
        kind=Kind.TOLERANCE,
        default=Tolerance(),
        group=SELECT,
        flag="--dimension-tolerance",
        metavar="N|N%",
        default_text="0, exact",
        help="how far an image's real size may differ from the declared width/height, "
        "in pixels (2) or percent (1%)",
    ),
    # ---- network and politeness
    Setting(
        name="concurrency",
        kind=Kind.INT,
        bounds=Bounds.POSITIVE,
        default=50,
        group=NETWORK,
        flag="--concurrency",
        metavar="N",
        help="requests in flight at once, over all hosts",
    ),
    Setting(
        name="host_concurrency",
        kind=Kind.INT,
        bounds=Bounds.POSITIVE,
        default=4,
        group=NETWORK,
        flag="--host-concurrency",
        metavar="N",
        help="requests in flight at once to one host",
    ),
    Setting(
        name="host_rate",
        kind=Kind.FLOAT,
        bounds=Bounds.RATE,
        default=10.0,
        group=NETWORK,
        flag="--host-rate",
        metavar="R",
        help="requests per second to one host",
    ),
    Setting(
        name="timeout",
        kind=Kind.FLOAT,
        bounds=Bounds.POSITIVE,
        default=20.0,
        group=NETWORK,
        flag="--timeout",
        metavar="SECONDS",
        help="seconds to wait for each response; a whole link (HEAD, GET, redirects, retries "
        "and waits) is cut off after (retries + 1) x 2 x timeout + 10 s per retry",
    ),
    Setting(
        name="connect_timeout",
        kind=Kind.FLOAT,
        bounds=Bounds.POSITIVE,
        default=10.0,
        group=NETWORK,
        flag="--connect-timeout",
        metavar="SECONDS",
        help="time limit for opening a connection",
    ),
    Setting(
        name="retries",
        kind=Kind.INT,
        bounds=Bounds.NON_NEGATIVE,
        default=2,
        group=NETWORK,
        flag="--retries",
        metavar="N",
        help="extra attempts after a transient failure: timeouts, connection errors, "
        "429, 502, 503, 504",
    ),
    Setting(
        name="max_redirects",
        kind=Kind.INT,
        bounds=Bounds.NON_NEGATIVE,
        default=10,
        group=NETWORK,
        flag="--max-redirects",
        metavar="N",
        help="redirects to follow before giving up",
    ),
    Setting(
        name="retry_after_cap",
        kind=Kind.FLOAT,
        bounds=Bounds.NON_NEGATIVE,
        default=120.0,
        group=NETWORK,
        flag="--retry-after-cap",
        metavar="SECONDS",
        help="longest Retry-After we wait for; beyond it the link is reported rate_limited",
    ),
    Setting(
        name="dead_host_after",
        kind=Kind.INT,
        bounds=Bounds.POSITIVE,
        default=3,
        group=NETWORK,
        flag="--dead-host-after",
        metavar="N",
        help="connection failures or timeouts in a row after which a host is marked down and "
        "its remaining URLs are reported without being requested",
    ),
    Setting(
        name="image_max_bytes",
        kind=Kind.INT,
        bounds=Bounds.POSITIVE,
        default=1024 * 1024,
        group=NETWORK,
        flag="--image-max-bytes",
        metavar="BYTES",
        help="most bytes read from one image to find its size",
    ),
    Setting(
        name="max_time",
        kind=Kind.FLOAT,
        bounds=Bounds.NON_NEGATIVE,
        default=0.0,
        group=NETWORK,
        flag="--max-time",
        metavar="SECONDS",
        default_text="0, no limit",
        help="stop checking after this long and report what was checked",
    ),
    Setting(
        name="user_agent",
        kind=Kind.TEXT,
        default=DEFAULT_USER_AGENT,
        group=NETWORK,
        flag="--user-agent",
        metavar="TEXT",
        help="User-Agent header",
    ),
    Setting(
        name="headers",
        kind=Kind.HEADERS,
        default=(),
        group=NETWORK,
        flag="--header",
        metavar="'NAME: VALUE'",
        repeatable=True,
        default_text="",
        help="extra request header for every host, repeatable (in the config file: a "
        "[headers] table)",
    ),
    Setting(
        name="allow_private",
        kind=Kind.BOOL,
        default=False,
        group=NETWORK,
        flag="--allow-private",
        flag_value=True,
        help="also request hosts that are (or resolve to) private, loopback, link-local or "
        "other non-public addresses; by default they are reported skipped/private_address "
        "without a request",
    ),
    Setting(
        name="allow_net",
        kind=Kind.NETWORKS,
        default=(),
        group=NETWORK,
        flag="--allow-net",
        metavar="CIDR",
        repeatable=True,
        default_text="",
        help="allow just this non-public network (10.20.0.0/16, fd00::/8), repeatable: a "
        "library that links to an intranet",
    ),
    # ---- proxy and TLS
    Setting(
        name="proxy",
        kind=Kind.PROXY,
        default=None,
        group=PROXY,
        flag="--proxy",
        metavar="URL",
        help="send every request through this http:// or https:// proxy (overrides "
        "HTTP(S)_PROXY and NO_PROXY)",
    ),
    Setting(
        name="ca_bundle",
        kind=Kind.FILE,
        default=None,
        group=PROXY,
        flag="--ca-bundle",
        metavar="FILE",
        help="also trust the certificate authorities in this PEM file (an internal CA, a "
        "TLS-inspecting proxy)",
    ),
    Setting(
        name="use_env",
        kind=Kind.BOOL,
        default=True,
        group=PROXY,
        flag="--no-env",
        flag_value=False,
        help="ignore the HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY, SSL_CERT_FILE and "
        "SSL_CERT_DIR environment variables (honoured by default)",
    ),
    # ---- config file only
    Setting(
        name="hosts",
        kind=Kind.HOSTS,
        default={},
        group=FILE_ONLY,
        flag=None,
        default_text="",
        help='per-host concurrency, rate and headers: [hosts."cdn.example.com"] tables; a '
        "name also matches its subdomains",
    ),
) + EXTRA_SETTINGS


def by_name() -> Mapping[str, Setting]:
    return {s.name: s for s in SETTINGS}


def _spellings(s: Setting) -> Iterator[str]:
    for key in (s.config_key, s.name, *s.aliases):
        yield key
        yield key.replace("_", "-")
        yield key.replace("-", "_")


def by_key() -> Mapping[str, Setting]:
    """Every accepted spelling of every config key ("host-rate", "host_rate", ...)."""
    return {key: s for s in SETTINGS for key in _spellings(s)}
