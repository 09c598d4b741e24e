"""Where `--format NAME[=PATH]` writes (cli/outputs.py): default files, standard output (at most
one output there), clashes, and unknown names with a suggestion."""

from __future__ import annotations

import sys

import pytest

from linkcheck.cli.outputs import format_outputs, human_stream, parse_format, planned_outputs
from linkcheck.config import Config
from linkcheck.errors import ConfigError
from linkcheck.formats import FORMATTERS


def names_and_targets(config: Config) -> list[tuple[str, object]]:
    return [(f.name, t) for f, t in planned_outputs(config, sys.stdout)]


def test_every_format_is_registered() -> None:
    expected = {"json", "text", "ndjson", "csv", "markdown", "junit", "sarif", "github"}
    assert expected | {"prometheus"} <= set(FORMATTERS)


@pytest.mark.parametrize(
    ("spec", "name", "path"),
    [
        ("ndjson", "ndjson", "linkcheck-links.ndjson"),
        ("csv", "csv", "linkcheck-links.csv"),
        ("junit", "junit", "linkcheck-junit.xml"),
        ("sarif", "sarif", "linkcheck.sarif"),
        ("prometheus", "prometheus", "linkcheck.prom"),
        ("markdown", "markdown", "-"),
        ("github", "github", "-"),
        ("SARIF=out/x.sarif", "sarif", "out/x.sarif"),
        ("junit=-", "junit", "-"),
        ("csv=a=b.csv", "csv", "a=b.csv"),
    ],
)
def test_parse_format(spec: str, name: str, path: str) -> None:
    formatter, got = parse_format(spec)
    assert (formatter.name, got) == (name, path)


def test_unknown_name_suggests_the_closest() -> None:
    with pytest.raises(ConfigError, match="unknown format 'sarf': did you mean 'sarif'"):
        parse_format("sarf=x")
    with pytest.raises(ConfigError, match="nothing after '='"):
        parse_format("csv=")


def test_run_outputs_json_formats_and_summary() -> None:
    config = Config(formats=("ndjson", "junit=ci/junit.xml", "markdown=-"))
    got = names_and_targets(config)
    assert got == [
        ("json", "linkcheck-report.json"),
        ("ndjson", "linkcheck-links.ndjson"),
        ("junit", "ci/junit.xml"),
        ("markdown", sys.stdout),
        ("text", sys.stderr),  # stdout holds only the markdown
    ]
    assert human_stream(config) is sys.stderr
    assert human_stream(Config(formats=("ndjson",))) is sys.stdout


def test_at_most_one_output_on_stdout() -> None:
    with pytest.raises(ConfigError, match="only one output can go to standard output"):
        planned_outputs(Config(formats=("markdown", "github")), sys.stdout)
    with pytest.raises(ConfigError, match=r"json and csv would.*-o FILE"):
        planned_outputs(Config(output="-", formats=("csv=-",)), sys.stdout)
    with pytest.raises(ConfigError):
        human_stream(Config(formats=("markdown", "github")))


def test_same_file_twice() -> None:
    # the same output asked twice is written once
    config = Config(formats=("json", "ndjson", "ndjson=linkcheck-links.ndjson"))
    assert [n for n, _ in names_and_targets(config)] == ["json", "ndjson", "text"]
    with pytest.raises(ConfigError, match="already the ndjson output"):
        format_outputs(["ndjson=x.out", "csv=./x.out"])
    with pytest.raises(ConfigError, match="already the json output"):
        planned_outputs(Config(formats=("csv=linkcheck-report.json",)), sys.stdout)


def test_text_and_quiet() -> None:
    # --format text on stdout is the summary itself: not written twice
    assert names_and_targets(Config(formats=("text",))) == [
        ("json", "linkcheck-report.json"),
        ("text", sys.stdout),
    ]
    assert names_and_targets(Config(quiet=True, formats=("markdown",))) == [
        ("json", "linkcheck-report.json"),
        ("markdown", sys.stdout),
    ]
