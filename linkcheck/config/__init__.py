"""Settings: defaults < config file < flags, into one frozen `Config`."""

from linkcheck.config.load import (
    DEFAULT_GLOBS,
    DEFAULT_USER_AGENT,
    PROJECT_URL,
    Config,
    HostOverride,
    Tolerance,
    build_config,
    find_config_file,
    load_toml,
    parse_tolerance,
    values_from_mapping,
)
from linkcheck.errors import ConfigError

__all__ = [
    "DEFAULT_GLOBS",
    "DEFAULT_USER_AGENT",
    "PROJECT_URL",
    "Config",
    "ConfigError",
    "HostOverride",
    "Tolerance",
    "build_config",
    "find_config_file",
    "load_toml",
    "parse_tolerance",
    "values_from_mapping",
]
