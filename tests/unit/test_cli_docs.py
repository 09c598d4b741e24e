"""README.md's option list and --help text are generated from the settings table and the parser;
these tests fail as soon as either drifts (regenerate with `python -m linkcheck.cli.docs`)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from linkcheck.cli.docs import help_text, options_markdown, render_readme
from linkcheck.cli.main import build_parser, main
from linkcheck.config import SETTINGS

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_block(name: str) -> str:
    text = README.read_text(encoding="utf-8")
    found = re.search(rf"<!-- {name}:start -->\n(.*?)<!-- {name}:end -->", text, re.S)
    assert found is not None, f"README.md has no {name} block"
    return found.group(1)


def test_readme_option_list_is_the_settings_table() -> None:
    assert readme_block("options") == options_markdown(), "run: python -m linkcheck.cli.docs"


def test_readme_is_current() -> None:
    text = README.read_text(encoding="utf-8")
    assert render_readme(text) == text, "run: python -m linkcheck.cli.docs"


def test_a_stale_readme_is_detected_and_regenerated() -> None:
    text = README.read_text(encoding="utf-8")
    stale = text.replace("| `--concurrency N` |", "| `--concurency N` |")
    assert stale != text
    assert render_readme(stale) == text


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_in_the_readme_and_help(setting: object) -> None:
    from linkcheck.config import Setting

    assert isinstance(setting, Setting)
    options = readme_block("options")
    assert f"`{setting.config_key}" in options or setting.name == "hosts"
    for flag in setting.flags:
        assert flag in options and flag in help_text()


def run_parser() -> argparse.ArgumentParser:
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            parser: argparse.ArgumentParser = action.choices["run"]
            return parser
    raise AssertionError("no run subcommand")


def test_every_flag_of_run_is_a_setting() -> None:
    """Every flag is also a config key: the only flags outside the table are -h and --config."""
    table = {f for s in SETTINGS for f in s.flags}
    parser_flags = {f for a in run_parser()._actions for f in a.option_strings}
    assert parser_flags - table == {"-h", "--help", "--config"}
    assert table <= parser_flags


def test_help_text_is_what_main_prints(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--help"]) == 0
    assert capsys.readouterr().out == help_text()
