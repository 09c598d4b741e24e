"""Settings: defaults < config file (found from the inputs upwards) < flags, into one frozen
`Config`. `settings.SETTINGS` is the one table every setting is declared in."""

from linkcheck.config.load import (
    build_config,
    discover_config,
    find_config_file,
    load_toml,
    read_config_file,
    values_from_mapping,
)
from linkcheck.config.model import Config
from linkcheck.config.settings import SETTINGS, Setting
from linkcheck.config.values import (
    DEFAULT_GLOBS,
    DEFAULT_OUTPUT,
    DEFAULT_USER_AGENT,
    PROJECT_URL,
    HostOverride,
    Tolerance,
    parse_tolerance,
)
from linkcheck.errors import ConfigError

__all__ = [
    "DEFAULT_GLOBS",
    "DEFAULT_OUTPUT",
    "DEFAULT_USER_AGENT",
    "PROJECT_URL",
    "SETTINGS",
    "Config",
    "ConfigError",
    "HostOverride",
    "Setting",
    "Tolerance",
    "build_config",
    "discover_config",
    "find_config_file",
    "load_toml",
    "parse_tolerance",
    "read_config_file",
    "values_from_mapping",
]
