"""Texts and layout shared by every subcommand's --help."""

from __future__ import annotations

import argparse

__all__ = ["DESCRIPTION", "EXIT_BROKEN", "EXIT_ERROR", "EXIT_OK", "EXIT_CODES", "help_formatter"]

EXIT_OK, EXIT_BROKEN, EXIT_ERROR = 0, 1, 2

DESCRIPTION = """\
Check every link and image in a library of article files (Markdown or .txt with YAML, TOML
or JSON front matter): webUrl, ampWebUrl, cdnAmpWebUrl, images (with their declared
width/height), related articles (or your library's own field names, [fields] in the config
file), any other URL in the front matter, and links in the article bodies, local files
included. Soft 404s and broken AMP pairs are found too."""

EXIT_CODES = """\
exit codes:
  0  no broken links (warnings such as 'blocked' or 'rate_limited' do not count)
  1  broken links found (with --fail-after N: broken in N runs in a row)
  2  the run could not be done as asked: bad option or config, missing path, no article files
     in a folder given, an output that cannot be written, the state store locked by another
     run or unusable, the network of this machine looks down, or interrupted"""


def help_formatter(prog: str) -> argparse.HelpFormatter:
    # a fixed width keeps --help identical everywhere (the README embeds it, a test compares)
    return argparse.RawDescriptionHelpFormatter(prog, width=100, max_help_position=32)
