"""cli.main: the subcommand table, and user errors as exit code 2 without a traceback."""

from __future__ import annotations

import argparse
import types
from typing import Any

import pytest

from linkcheck.cli.main import COMMANDS, main
from linkcheck.errors import ConfigError, InputError, LinkcheckError


def test_every_command_has_the_subcommand_interface() -> None:
    assert "run" in COMMANDS
    for name, command in COMMANDS.items():
        assert name == command.NAME and command.HELP
        assert callable(command.add_parser) and callable(command.run)


def fake_command(behaviour: BaseException | int) -> types.SimpleNamespace:
    def add_parser(subparsers: Any) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = subparsers.add_parser("fake", help="a test command")
        parser.add_argument("x", nargs="?")
        return parser

    def run(args: argparse.Namespace) -> int:
        if isinstance(behaviour, BaseException):
            raise behaviour
        return behaviour

    return types.SimpleNamespace(NAME="fake", HELP="a test command", add_parser=add_parser, run=run)


@pytest.mark.parametrize(
    ("behaviour", "code", "err"),
    [
        (0, 0, ""),
        (1, 1, ""),
        (ConfigError("--concurrency must be more than zero"), 2,
         "linkcheck: configuration error: --concurrency must be more than zero\n"),
        (InputError("no such file or directory: /srv/x"), 2,
         "linkcheck: no such file or directory: /srv/x\n"),
        (LinkcheckError("network unreachable"), 2, "linkcheck: network unreachable\n"),
        (KeyboardInterrupt(), 2, "linkcheck: interrupted\n"),
    ],
)  # fmt: skip
def test_a_command_s_errors_become_exit_codes(
    behaviour: BaseException | int,
    code: int,
    err: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setitem(COMMANDS, "fake", fake_command(behaviour))
    assert main(["fake"]) == code
    captured = capsys.readouterr()
    assert captured.err == err and "Traceback" not in captured.out


def test_no_command_or_an_unknown_one_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "run       check the links of a content library" in capsys.readouterr().err
    assert main(["rnu", "lib"]) == 2
    assert "invalid choice: 'rnu'" in capsys.readouterr().err


def test_top_level_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for name, command in COMMANDS.items():
        assert f"{name}" in out and command.HELP in out
