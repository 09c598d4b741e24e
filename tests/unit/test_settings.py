"""The settings table: the one place every setting is declared (issue #8)."""

from __future__ import annotations

from dataclasses import fields

import pytest

from linkcheck.config import SETTINGS, Config, Setting
from linkcheck.config.settings import GROUPS, by_key

FILE_ONLY = {"hosts", "fields", "bases", "soft_404_phrases"}  # tables and lists: no sensible flag


def test_every_config_field_has_exactly_one_row() -> None:
    names = [s.name for s in SETTINGS]
    assert len(names) == len(set(names))
    assert set(names) == {f.name for f in fields(Config)} - {"config_file"}


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_row_has_flag_key_help_and_the_default_of_config(setting: Setting) -> None:
    assert setting.config_key and setting.help.strip()
    assert setting.group in GROUPS
    assert setting.default == getattr(Config(), setting.name)
    if setting.name in FILE_ONLY:
        assert setting.flag is None
    else:
        assert setting.flag is not None and setting.flag.startswith("--")
        # a flag that takes a value shows what value; a switch sets a fixed one
        assert (setting.metavar is None) == (setting.flag_value is not None)


def test_flags_and_keys_are_unique() -> None:
    flags = [f for s in SETTINGS for f in s.flags]
    assert len(flags) == len(set(flags))
    keys = [s.config_key for s in SETTINGS]
    assert len(keys) == len(set(keys))
    spellings = by_key()
    for s in SETTINGS:  # the key, the field name and both separators all reach the row
        for key in (s.config_key, s.name, s.config_key.replace("-", "_")):
            assert spellings[key] is s


def test_flag_names_are_kept() -> None:
    """The flags are a contract with cron jobs and CI scripts: none may disappear."""
    flags = {f for s in SETTINGS for f in s.flags} | {"--config"}
    assert flags >= {
        "--concurrency", "--host-concurrency", "--host-rate", "--timeout", "--retries",
        "--max-redirects", "--retry-after-cap", "--image-max-bytes", "--max-time",
        "--user-agent", "--header", "--glob", "--exclude", "--no-images",
        "--dimension-tolerance", "--config", "-o", "--output", "-q", "--quiet", "-v",
        "--verbose", "--proxy", "--ca-bundle", "--no-env", "--connect-timeout",
        "--dead-host-after",
    }  # fmt: skip


def test_as_options_is_the_reported_rows() -> None:
    options = Config().as_options()
    assert list(options) == [s.name for s in SETTINGS if s.reported]
    assert options["dimension_tolerance"] == "0" and options["globs"] == [
        "*.md",
        "*.markdown",
        "*.txt",
    ]
