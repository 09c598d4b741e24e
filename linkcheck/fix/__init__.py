"""`linkcheck fix`: rewrite article files from a report. Image sizes declared wrong are set
to the real size, links that moved permanently are replaced by where they moved; every other
byte of a file stays as it was.

    plan.py   the report -> what to change in each file (pure)
    lines.py  lines that keep their bytes; the value tokens of one line (pure)
    edit.py   one file's text + its plan -> the edited text, and the edits skipped (pure)
    files.py  the report's file names -> paths; read, hash, atomic write
    apply.py  all of it for a report: `fix_library`
"""

from linkcheck.fix.apply import CHANGED_SINCE, FileFix, FixRun, fix_library, unified_diff
from linkcheck.fix.edit import Edited, Skip, edit_text
from linkcheck.fix.plan import WHAT, FilePlan, SizeFix, UrlFix, plan_fixes

__all__ = [
    "CHANGED_SINCE",
    "WHAT",
    "Edited",
    "FileFix",
    "FilePlan",
    "FixRun",
    "SizeFix",
    "Skip",
    "UrlFix",
    "edit_text",
    "fix_library",
    "plan_fixes",
    "unified_diff",
]
