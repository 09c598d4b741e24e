"""Colour decisions (cli/terminal.use_color) for every combination that matters."""

from __future__ import annotations

import io
import itertools

import pytest

from linkcheck.cli.terminal import is_terminal, use_color
from linkcheck.config import Config


class Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


TTY, PIPE = Stream(True), Stream(False)


def color(choice: str, stream: Stream, **env: str) -> bool:
    return use_color(Config(color=choice), stream, env)


@pytest.mark.parametrize("stream", [TTY, PIPE], ids=["tty", "pipe"])
@pytest.mark.parametrize(
    "env",
    [
        {},
        {"NO_COLOR": "1"},
        {"FORCE_COLOR": "1"},
        {"TERM": "dumb"},
        {"NO_COLOR": "1", "TERM": "dumb"},
    ],
)
def test_the_flag_wins_over_everything(stream: Stream, env: dict[str, str]) -> None:
    assert color("always", stream, **env) is True
    assert color("never", stream, **env) is False


def test_auto_follows_the_terminal() -> None:
    assert color("auto", TTY, TERM="xterm-256color") is True
    assert color("auto", PIPE, TERM="xterm-256color") is False
    assert color("auto", TTY) is True  # no TERM at all (Windows, some CI): the tty decides


@pytest.mark.parametrize("value", ["1", "true", "0", "false", " ", "anything"])
def test_no_color_any_non_empty_value_turns_colour_off(value: str) -> None:
    assert color("auto", TTY, NO_COLOR=value) is False
    assert color("auto", TTY, NO_COLOR=value, FORCE_COLOR="1") is False  # NO_COLOR beats FORCE


def test_empty_no_color_is_ignored() -> None:
    assert color("auto", TTY, NO_COLOR="") is True
    assert color("auto", PIPE, NO_COLOR="") is False


@pytest.mark.parametrize("value", ["1", "2", "3", "true", "yes", "TRUE"])
def test_force_color_colours_pipes_and_dumb_terminals(value: str) -> None:
    assert color("auto", PIPE, FORCE_COLOR=value) is True
    assert color("auto", TTY, FORCE_COLOR=value, TERM="dumb") is True


@pytest.mark.parametrize("value", ["", "0", "false", "no", "FALSE", " 0 "])
def test_force_color_off_values_force_nothing(value: str) -> None:
    assert color("auto", PIPE, FORCE_COLOR=value) is False
    assert color("auto", TTY, FORCE_COLOR=value) is True  # nor do they turn a tty off


def test_dumb_terminal_gets_no_colour() -> None:
    assert color("auto", TTY, TERM="dumb") is False
    assert color("auto", TTY, TERM="dumb-ish") is True  # only exactly "dumb"


def test_every_combination_against_the_written_rules() -> None:
    """The rules of the module docstring, as a table over every combination."""
    choices = ("auto", "always", "never")
    no_color = (None, "", "1")
    force = (None, "", "0", "1")
    term = (None, "xterm", "dumb")
    for choice, nc, fc, t, stream in itertools.product(choices, no_color, force, term, (TTY, PIPE)):
        env = {
            k: v for k, v in (("NO_COLOR", nc), ("FORCE_COLOR", fc), ("TERM", t)) if v is not None
        }
        if choice != "auto":
            expected = choice == "always"
        elif nc:
            expected = False
        elif fc == "1":
            expected = True
        elif t == "dumb":
            expected = False
        else:
            expected = stream.tty
        assert use_color(Config(color=choice), stream, env) is expected, (choice, env, stream.tty)


def test_odd_streams_are_not_terminals() -> None:
    closed = io.StringIO()
    closed.close()
    assert is_terminal(closed) is False
    assert use_color(Config(), closed, {}) is False
    assert is_terminal(object()) is False  # type: ignore[arg-type]


def test_reads_the_process_environment_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_color(Config(), TTY) is False
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert use_color(Config(), PIPE) is True
