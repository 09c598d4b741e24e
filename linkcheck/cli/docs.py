"""The README's generated parts: `linkcheck run --help` and the option table, from the code.

    python -m linkcheck.cli.docs            rewrite README.md's generated blocks in place
    python -m linkcheck.cli.docs --check    exit 1 if README.md is out of date

Tests keep README.md equal to what this module renders, so the option list can never drift
from `linkcheck.config.SETTINGS`.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from linkcheck.cli.main import build_parser
from linkcheck.config import SETTINGS, Setting
from linkcheck.config.settings import GROUPS

__all__ = ["BLOCKS", "help_text", "options_markdown", "render_readme"]

README = Path(__file__).resolve().parents[2] / "README.md"


def help_text(command: str = "run") -> str:
    """Exactly what `linkcheck COMMAND --help` prints."""
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            sub: argparse.ArgumentParser = action.choices[command]
            return sub.format_help()
    raise KeyError(command)


def _code(text: str) -> str:
    return f"`{text}`".replace("|", "\\|")


def _flag_cell(s: Setting) -> str:
    if s.flag is None:
        return "—"
    spelled = [f if s.metavar is None else f"{f} {s.metavar}" for f in s.flags]
    return ", ".join(_code(x) for x in spelled)


def _key_cell(s: Setting) -> str:
    if s.name == "hosts":
        return _code('[hosts."NAME"]')
    if s.flag_value is not None:  # a switch: say what to write in the file
        return _code(f"{s.config_key} = {str(s.flag_value).lower()}")
    return _code(s.config_key)


def options_markdown() -> str:
    """The README's option table: every row of the settings table, grouped as in --help."""
    lines: list[str] = []
    for group in GROUPS:
        rows = [s for s in SETTINGS if s.group == group]
        if not rows:
            continue
        lines += [f"**{group[0].upper()}{group[1:]}**", ""]
        lines += ["| flag | config key | default | what it does |", "|---|---|---|---|"]
        for s in rows:
            default = _code(s.default_shown()) if s.default_shown() else ""
            text = s.help.replace("|", "\\|")
            lines.append(f"| {_flag_cell(s)} | {_key_cell(s)} | {default} | {text} |")
        lines.append("")
    return "\n".join(lines)


def _help_block() -> str:
    return f"```\n{help_text()}```\n"


BLOCKS: dict[str, Callable[[], str]] = {"help": _help_block, "options": options_markdown}


def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- {name}:start -->\n)(.*?)(<!-- {name}:end -->)", re.S)


def render_readme(text: str) -> str:
    """`text` with every generated block (between its start/end markers) brought up to date."""
    for name, render in BLOCKS.items():
        pattern = _pattern(name)
        if not pattern.search(text):
            raise ValueError(f"README has no <!-- {name}:start --> ... <!-- {name}:end --> block")
        body = render()

        def replace(m: re.Match[str], body: str = body) -> str:
            return m.group(1) + body + m.group(3)

        text = pattern.sub(replace, text)
    return text


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m linkcheck.cli.docs", description=__doc__)
    parser.add_argument("readme", nargs="?", default=str(README))
    parser.add_argument("--check", action="store_true", help="only say whether it is current")
    args = parser.parse_args(argv)
    path = Path(args.readme)
    old = path.read_text(encoding="utf-8")
    new = render_readme(old)
    if args.check:
        if old != new:
            print(f"{path} is out of date: run python -m linkcheck.cli.docs", file=sys.stderr)
            return 1
        return 0
    if old != new:
        path.write_text(new, encoding="utf-8")
        print(f"updated {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
