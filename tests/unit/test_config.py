"""linkcheck.config: defaults < config file < flags, validation, host overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from linkcheck.config import (
    Config,
    ConfigError,
    HostOverride,
    Tolerance,
    build_config,
    parse_tolerance,
)

NO_FLAGS: dict[str, object] = {}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_any_file(tmp_path: Path) -> None:
    config, used = build_config(NO_FLAGS, search_dir=str(tmp_path))
    assert (config, used) == (Config(), None)
    assert config.host_concurrency == 4 and config.host_rate == 10.0 and config.retries == 2


def test_precedence_defaults_file_flags(tmp_path: Path) -> None:
    path = write(tmp_path, "linkcheck.toml", "concurrency = 7\nhost-rate = 2.5\ntimeout = 9\n")
    config, used = build_config(
        {"timeout": 3.0, "concurrency": None, "retries": None}, search_dir=str(tmp_path)
    )
    assert used == str(path)
    assert config.concurrency == 7  # file (flag not given: None)
    assert config.host_rate == 2.5  # file, dash spelling
    assert config.timeout == 3.0  # flag wins
    assert config.retries == 2  # default


def test_pyproject_tool_table(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[project]\nname = 'x'\n[tool.linkcheck]\nretries = 0\n")
    config, used = build_config(NO_FLAGS, search_dir=str(tmp_path))
    assert config.retries == 0 and used is not None and used.endswith("[tool.linkcheck]")


def test_linkcheck_toml_wins_over_pyproject(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[tool.linkcheck]\nretries = 0\n")
    write(tmp_path, "linkcheck.toml", "retries = 5\n")
    config, _ = build_config(NO_FLAGS, search_dir=str(tmp_path))
    assert config.retries == 5


def test_explicit_config_path(tmp_path: Path) -> None:
    path = write(tmp_path, "other.toml", "max_redirects = 3\nexclude = '^mailto:'\n")
    write(tmp_path, "linkcheck.toml", "max_redirects = 9\n")
    config, used = build_config(NO_FLAGS, config_path=str(path), search_dir=str(tmp_path))
    assert (config.max_redirects, config.exclude, used) == (3, ("^mailto:",), str(path))


@pytest.mark.parametrize("key", ["timeuot", "host-concurency", "colour"])
def test_unknown_key_is_named(tmp_path: Path, key: str) -> None:
    path = write(tmp_path, "linkcheck.toml", f"{key} = 1\n")
    with pytest.raises(ConfigError) as exc:
        build_config(NO_FLAGS, config_path=str(path))
    assert repr(key) in str(exc.value) and str(path) in str(exc.value)


def test_unknown_key_suggests() -> None:
    with pytest.raises(ConfigError, match=r"did you mean timeout\?"):
        build_config({"timeuot": 1})


def test_unknown_host_key_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "c.toml", '[hosts."a.example"]\nconcurency = 2\n')
    with pytest.raises(ConfigError, match="concurency"):
        build_config(NO_FLAGS, config_path=str(path))


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ({"concurrency": 0}, "concurrency must be more than zero"),
        ({"retries": -1}, "retries must be zero or more"),
        ({"timeout": float("nan")}, "timeout must be more than zero"),
        ({"concurrency": 1.5}, "concurrency must be a whole number"),
        ({"host_rate": "fast"}, "host_rate must be a number"),
        ({"check_images": "yes"}, "check_images must be true or false"),
        ({"exclude": ["("]}, "not a valid regular expression"),
        ({"user_agent": " "}, "user_agent must be a non-empty string"),
        ({"headers": {"X": 1}}, "headers must be a table"),
    ],
)
def test_invalid_values(flags: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        build_config(flags, search_dir="/nonexistent-dir-for-linkcheck-tests")


def test_invalid_toml(tmp_path: Path) -> None:
    path = write(tmp_path, "c.toml", "concurrency = = 1\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        build_config(NO_FLAGS, config_path=str(path))


@pytest.mark.parametrize(
    ("text", "tolerance"),
    [
        ("0", Tolerance(0.0, False)),
        ("2", Tolerance(2.0, False)),
        ("2px", Tolerance(2.0, False)),
        (" 1.5 ", Tolerance(1.5, False)),
        ("1%", Tolerance(1.0, True)),
        ("0.5 %", Tolerance(0.5, True)),
    ],
)
def test_parse_tolerance(text: str, tolerance: Tolerance) -> None:
    assert parse_tolerance(text) == tolerance


@pytest.mark.parametrize("text", ["abc", "", "%", "-1", "-2%", "inf", "nan%"])
def test_parse_tolerance_rejects(text: str) -> None:
    with pytest.raises(ConfigError, match="dimension tolerance"):
        parse_tolerance(text)


def test_tolerance_from_file_and_flag(tmp_path: Path) -> None:
    write(tmp_path, "linkcheck.toml", 'dimension-tolerance = "1%"\n')
    config, _ = build_config(NO_FLAGS, search_dir=str(tmp_path))
    assert config.dimension_tolerance == Tolerance(1.0, True)
    assert config.as_options()["dimension_tolerance"] == "1%"
    config, _ = build_config({"dimension_tolerance": "3"}, search_dir=str(tmp_path))
    assert config.dimension_tolerance == Tolerance(3.0, False)
    assert Tolerance(1.0, True).allows(200, 202) and not Tolerance(1.0, True).allows(200, 203)


HOSTS_TOML = """\
concurrency = 50

[headers]
"Accept-Language" = "en"

[hosts."cdn.example.com"]
concurrency = 32
rate = 100

[hosts."Fragile.Example.org"]
concurrency = 1
rate = 0.5

[hosts."paywalled.example.net"]
headers = { "Cookie" = "bypass=our-crawler" }
"""


def test_host_overrides_and_subdomains(tmp_path: Path) -> None:
    path = write(tmp_path, "linkcheck.toml", HOSTS_TOML)
    config, _ = build_config(NO_FLAGS, config_path=str(path))
    assert config.headers == (("Accept-Language", "en"),)
    cdn = HostOverride(concurrency=32, rate=100.0)
    assert config.host_override("cdn.example.com") == cdn
    assert config.host_override("cdn.example.com:8443") == cdn  # port ignored
    assert config.host_override("img.cdn.example.com") == cdn  # subdomain
    assert config.host_override("a.b.cdn.example.com") == cdn
    assert config.host_override("example.com") == HostOverride()  # parent: no
    assert config.host_override("notcdn.example.com") == HostOverride()  # not a label boundary
    assert config.host_override("fragile.example.org").rate == 0.5  # names are lower-cased
    paywalled = config.host_override("www.paywalled.example.net")
    assert paywalled.headers == (("Cookie", "bypass=our-crawler"),)
    assert paywalled.concurrency is None and paywalled.rate is None
    options = config.as_options()["hosts"]
    assert options["cdn.example.com"] == {"concurrency": 32, "rate": 100.0, "headers": {}}


def test_host_override_values_validated(tmp_path: Path) -> None:
    path = write(tmp_path, "c.toml", '[hosts."a.example"]\nrate = 0\n')
    with pytest.raises(ConfigError, match="hosts.a.example.rate must be more than zero"):
        build_config(NO_FLAGS, config_path=str(path))
