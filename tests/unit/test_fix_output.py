"""`linkcheck fix` output and writing: the diff is a usable patch in a pipe, safe and coloured on
a terminal; a file is replaced atomically, through a symbolic link, keeping its mode."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from linkcheck.cli.fix import _shown
from linkcheck.fix import FileFix, unified_diff
from linkcheck.fix.files import write_file


def test_the_diff_has_git_style_headers_and_marks_a_missing_final_newline() -> None:
    fix = FileFix("news/a.md", old="---\r\nw: 1\r\n---\r\nend", new="---\r\nw: 2\r\n---\r\nend")
    assert unified_diff(fix) == [
        "--- a/news/a.md\n",
        "+++ b/news/a.md\n",
        "@@ -1,4 +1,4 @@\n",
        " ---\r\n",
        "-w: 1\r\n",
        "+w: 2\r\n",
        " ---\r\n",
        " end\n",
        "\\ No newline at end of file\n",
    ]


def test_a_line_separator_inside_a_value_is_not_a_line_break_of_the_diff() -> None:
    fix = FileFix("a.md", old="t: a\u2028b\nw: 1\n", new="t: a\u2028b\nw: 2\n")
    assert unified_diff(fix)[3:] == [" t: a\u2028b\n", "-w: 1\n", "+w: 2\n"]


def test_a_pipe_gets_the_exact_bytes_a_terminal_gets_escapes_and_colour() -> None:
    line = "+title: \x1b[2Jgone\r\n"
    assert _shown(line, terminal=False, color=False) == line
    assert _shown(line, terminal=True, color=False) == "+title: \\u001b[2Jgone\r\n"
    assert _shown("-w: 1\n", terminal=True, color=True) == "\x1b[31m-w: 1\x1b[0m\n"
    assert _shown("+++ b/a.md\n", terminal=True, color=True) == "\x1b[1m+++ b/a.md\x1b[0m\n"


@pytest.mark.skipif(os.name != "posix", reason="symbolic links and modes")
def test_write_keeps_the_mode_and_the_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_text("old")
    real.chmod(0o604)
    link = tmp_path / "link.md"
    link.symlink_to(real)
    write_file(str(link), b"new")
    assert link.is_symlink() and real.read_bytes() == b"new"
    assert stat.S_IMODE(real.stat().st_mode) == 0o604
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.md", "real.md"]
