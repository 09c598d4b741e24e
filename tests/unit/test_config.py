"""linkcheck.config: defaults < config file < flags, validation, host overrides."""

from __future__ import annotations

import os
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
    with pytest.raises(ConfigError, match=r"did you mean 'timeout'\?"):
        build_config({"timeuot": 1})


def test_unknown_host_key_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "c.toml", '[hosts."a.example"]\nconcurency = 2\n')
    with pytest.raises(ConfigError) as exc:
        build_config(NO_FLAGS, config_path=str(path))
    assert str(exc.value) == (
        f"{path}: unknown key 'concurency' in [hosts.\"a.example\"] "
        "(did you mean 'concurrency'? allowed: concurrency, rate, headers)"
    )


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ({"concurrency": 0}, "concurrency must be more than zero"),
        ({"retries": -1}, "retries must be zero or more"),
        ({"timeout": float("nan")}, "timeout must be more than zero"),
        ({"concurrency": 1.5}, "concurrency must be a whole number"),
        ({"host_rate": "fast"}, "--host-rate must be a number, got 'fast'"),
        ({"host_rate": "5"}, "write it without quotes"),
        ({"check_images": "yes"}, "check-images must be true or false"),
        ({"exclude": ["("]}, "not a valid regular expression"),
        ({"user_agent": " "}, "--user-agent must be a non-empty string"),
        ({"headers": {"X": 1}}, "--header must be a table"),
        ({"headers": ["X-No-Colon"]}, "is not of the form 'Name: value'"),
        (
            {"proxy": "proxy.example:3128"},
            "--proxy must be an http:// or https:// proxy URL such as",
        ),
        ({"ca_bundle": "/nonexistent/ca.pem"}, "--ca-bundle: no such file: /nonexistent/ca.pem"),
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
    with pytest.raises(ConfigError, match="hosts.a.example.rate must be at least 0.01"):
        build_config(NO_FLAGS, config_path=str(path))


# --------------------------------------------------------------------------- discovery


def tree(root: Path, files: dict[str, str]) -> Path:
    """Write `files` (relative path -> text; a name ending in / is a folder) under `root`."""
    for rel, text in files.items():
        path = root / rel
        if rel.endswith("/"):
            path.mkdir(parents=True, exist_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return root


def test_discovery_walks_up_from_a_nested_input(tmp_path: Path) -> None:
    tree(
        tmp_path,
        {
            "srv/lib/linkcheck.toml": "retries = 5\n",
            "srv/lib/news/2026/a.md": "",
            "elsewhere/": "",
        },
    )
    lib = tmp_path / "srv" / "lib"
    for start in (lib / "news" / "2026", lib / "news" / "2026" / "a.md", lib):
        config, used = build_config(
            NO_FLAGS, inputs=[str(start)], search_dir=str(tmp_path / "elsewhere")
        )
        assert used == str(lib / "linkcheck.toml"), start
        assert config.retries == 5 and config.config_file == used


def test_discovery_nearest_folder_wins(tmp_path: Path) -> None:
    tree(
        tmp_path,
        {
            "linkcheck.toml": "retries = 1\n",
            "lib/pyproject.toml": "[tool.linkcheck]\nretries = 4\n",
            "lib/a/": "",
        },
    )
    config, used = build_config(NO_FLAGS, inputs=[str(tmp_path / "lib" / "a")])
    assert config.retries == 4
    assert used == str(tmp_path / "lib" / "pyproject.toml") + " [tool.linkcheck]"


def test_discovery_skips_pyproject_without_tool_table(tmp_path: Path) -> None:
    tree(
        tmp_path,
        {
            "linkcheck.toml": "retries = 1\n",
            "lib/pyproject.toml": "[project]\nname = 'site'\n[tool.black]\nline-length = 90\n",
            "lib/a/": "",
        },
    )
    config, used = build_config(NO_FLAGS, inputs=[str(tmp_path / "lib" / "a")])
    assert (config.retries, used) == (1, str(tmp_path / "linkcheck.toml"))


@pytest.mark.parametrize("marker", [".git", ".hg"])
def test_discovery_stops_at_the_project_root(tmp_path: Path, marker: str) -> None:
    tree(
        tmp_path,
        {
            "linkcheck.toml": "retries = 1\n",  # above the project root: not ours
            f"project/{marker}/": "",
            "project/content/a/": "",
            "cwd/": "",
        },
    )
    inputs = [str(tmp_path / "project" / "content" / "a")]
    config, used = build_config(NO_FLAGS, inputs=inputs, search_dir=str(tmp_path / "cwd"))
    assert (config, used) == (Config(), None)
    # the root folder itself is still searched
    (tmp_path / "project" / "linkcheck.toml").write_text("retries = 3\n", encoding="utf-8")
    config, used = build_config(NO_FLAGS, inputs=inputs, search_dir=str(tmp_path / "cwd"))
    assert (config.retries, used) == (3, str(tmp_path / "project" / "linkcheck.toml"))


def test_discovery_falls_back_to_the_current_directory(tmp_path: Path) -> None:
    tree(tmp_path, {"content/.git/": "", "content/a.md": "", "cwd/linkcheck.toml": "retries=0\n"})
    config, used = build_config(
        NO_FLAGS, inputs=[str(tmp_path / "content")], search_dir=str(tmp_path / "cwd")
    )
    assert (config.retries, used) == (0, str(tmp_path / "cwd" / "linkcheck.toml"))


def test_discovery_only_from_the_first_input(tmp_path: Path) -> None:
    tree(tmp_path, {"a/.git/": "", "b/linkcheck.toml": "retries = 7\n", "cwd/": ""})
    config, used = build_config(
        NO_FLAGS,
        inputs=[str(tmp_path / "a"), str(tmp_path / "b")],
        search_dir=str(tmp_path / "cwd"),
    )
    assert (config.retries, used) == (2, None)


def test_config_flag_overrides_discovery(tmp_path: Path) -> None:
    tree(tmp_path, {"lib/linkcheck.toml": "retries = 5\n", "other.toml": "retries = 0\n"})
    config, used = build_config(
        NO_FLAGS, config_path=str(tmp_path / "other.toml"), inputs=[str(tmp_path / "lib")]
    )
    assert (config.retries, used) == (0, str(tmp_path / "other.toml"))


def test_config_flag_naming_a_pyproject(tmp_path: Path) -> None:
    path = write(tmp_path, "pyproject.toml", "[tool.linkcheck]\nretries = 0\n")
    config, used = build_config(NO_FLAGS, config_path=str(path))
    assert (config.retries, used) == (0, f"{path} [tool.linkcheck]")
    path.write_text("[project]\nname = 'x'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"has no \[tool\.linkcheck\] table"):
        build_config(NO_FLAGS, config_path=str(path))


# --------------------------------------------------------------------------- file values


def test_unknown_key_suggestion_names_file(tmp_path: Path) -> None:
    path = write(tmp_path, "linkcheck.toml", "concurency = 8\n")
    with pytest.raises(ConfigError) as exc:
        build_config(NO_FLAGS, inputs=[str(tmp_path)])
    assert str(exc.value) == (
        f"unknown setting 'concurency' in {path} (did you mean 'concurrency'?)"
    )


def test_unknown_key_without_a_close_match_points_to_the_list(tmp_path: Path) -> None:
    path = write(tmp_path, "linkcheck.toml", "flavour = 'red'\n")
    with pytest.raises(ConfigError, match="settings are listed in README.md"):
        build_config(NO_FLAGS, config_path=str(path))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("concurrency = 0", "concurrency must be more than zero, got 0"),
        ("host-rate = 'fast'", "host-rate must be a number, got 'fast'"),
        ("retries = 1.5", "retries must be a whole number, got 1.5"),
        ("max_time = -1", "max_time must be zero or more, got -1"),
        ("quiet = 'yes'", "quiet must be true or false, got 'yes'"),
        ("glob = 3", "glob must be a list of strings, got 3"),
        ("exclude = ['(']", "pattern '(' is not a valid regular expression"),
        ("dimension-tolerance = 'big'", "dimension tolerance 'big' is not a number"),
        ("proxy = 'nope'", "proxy must be an http:// or https:// proxy URL"),
        ("ca-bundle = 'missing.pem'", "ca-bundle: no such file: "),
        ("headers = 'X'", "headers 'X' is not of the form 'Name: value'"),
    ],
)
def test_file_value_errors_name_file_and_key(tmp_path: Path, line: str, message: str) -> None:
    path = write(tmp_path, "linkcheck.toml", line + "\n")
    with pytest.raises(ConfigError) as exc:
        build_config(NO_FLAGS, inputs=[str(tmp_path)])
    assert str(path) in str(exc.value) and message in str(exc.value), str(exc.value)


def test_output_quiet_verbose_from_the_config_file(tmp_path: Path) -> None:
    write(
        tmp_path, "linkcheck.toml", "output = 'reports/links.json'\nquiet = true\nverbose = true\n"
    )
    config, _ = build_config(NO_FLAGS, inputs=[str(tmp_path)])
    # a relative path in a config file is relative to that file, not to wherever cron started
    assert config.output == str(tmp_path / "reports" / "links.json")
    assert config.quiet is True and config.verbose is True
    config, _ = build_config({"output": "-", "quiet": None}, inputs=[str(tmp_path)])
    assert (config.output, config.quiet) == ("-", True)
    assert "output" not in config.as_options() and "quiet" not in config.as_options()


def test_proxy_ca_bundle_and_environment(tmp_path: Path) -> None:
    write(tmp_path, "ca.pem", "-----BEGIN CERTIFICATE-----\n")
    path = write(
        tmp_path,
        "linkcheck.toml",
        "proxy = 'http://user:secret@proxy.example:3128'\nca-bundle = 'ca.pem'\nuse-env = false\n",
    )
    config, _ = build_config(NO_FLAGS, inputs=[str(tmp_path)])
    assert config.proxy == "http://user:secret@proxy.example:3128"
    assert config.ca_bundle == str(tmp_path / "ca.pem")
    assert config.use_env is False and config.config_file == str(path)
    options = config.as_options()
    assert options["proxy"] == "http://user:***@proxy.example:3128"  # never the password
    assert options["ca_bundle"] == str(tmp_path / "ca.pem") and options["use_env"] is False
    assert "config_file" not in options
    flags = {"ca_bundle": str(tmp_path / "ca.pem"), "use_env": None, "proxy": None}
    assert build_config(flags, search_dir=str(tmp_path / "none"))[0].use_env is True


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_ca_bundle(tmp_path: Path) -> None:
    ca = write(tmp_path, "ca.pem", "x")
    ca.chmod(0)
    with pytest.raises(ConfigError, match=f"--ca-bundle: cannot read {ca}"):
        build_config({"ca_bundle": str(ca)}, search_dir=str(tmp_path / "none"))


@pytest.mark.parametrize("rate", [1e-9, 0.005, 0.0])
def test_a_host_rate_below_the_floor_is_refused_with_the_floor(rate: float) -> None:
    with pytest.raises(ConfigError, match=r"--host-rate must be at least 0\.01 requests per"):
        build_config({"host_rate": rate})


def test_a_host_override_rate_below_the_floor_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "linkcheck.toml", '[hosts."slow.example"]\nrate = 0.001\n')
    with pytest.raises(ConfigError, match=r"hosts\.slow\.example\.rate must be at least 0\.01"):
        build_config({}, config_path=str(path))


def test_the_floor_itself_is_accepted() -> None:
    config, _ = build_config({"host_rate": 0.01})
    assert config.host_rate == 0.01
