"""Article file names as CI tools need them: relative to the current folder (the repository
root in CI), not to the input folder.

The JSON report names a file relative to the input folder it was found under (`a.md` for
`content/a.md` when the run was `linkcheck run content/`), prefixed with the folder's last
path components when several folders were given (`news/a.md`), so names do not depend on how
the input was spelled. GitHub annotations, SARIF locations and JUnit `file` attributes must
name the file in the repository, so `SourcePaths` maps a name back through the report's
`run.inputs`: the folder joined with the name, relative to the current folder when below it
(absolute otherwise). When a name could belong to several folders, the one whose file exists
wins, else the most specific label. Names that are already paths (absolute, or a file given
alone) are kept.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Sequence
from pathlib import PurePath

__all__ = ["SourcePaths"]


def _posix(path: str) -> str:
    return path.replace(os.sep, "/") if os.sep != "/" else path


def _relative_to_cwd(path: str) -> str:
    full = os.path.abspath(path)
    here = os.path.join(os.getcwd(), "")
    return _posix(full[len(here) :] if full.startswith(here) else full)


class SourcePaths:
    """`paths(name)`: the path of the article file the report calls `name`."""

    def __init__(self, inputs: Sequence[str]) -> None:
        folders = [i for i in inputs if not os.path.isfile(i)]
        self._given_files = {_relative_to_cwd(i) for i in inputs if os.path.isfile(i)}
        distinct = sorted({os.path.abspath(f) for f in folders})
        self._roots: list[tuple[str, str]] = []  # (label, folder), longest label first
        if len(distinct) == 1:
            self._roots.append(("", distinct[0]))
        else:
            for folder in distinct:
                parts = PurePath(folder).parts[1:] or (folder,)
                for k in range(1, len(parts) + 1):
                    self._roots.append(("/".join(parts[-k:]), folder))
            self._roots.sort(key=lambda r: -len(r[0]))
        self._cache: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        found = self._cache.get(name)
        if found is None:
            found = self._cache[name] = self._resolve(name)
        return found

    def _resolve(self, name: str) -> str:
        if not name or os.path.isabs(name) or name in self._given_files or not self._roots:
            return name
        candidates = []
        for label, folder in self._roots:
            if not label:
                candidates.append(os.path.join(folder, name))
            elif name.startswith(label + "/"):
                candidates.append(os.path.join(folder, name[len(label) + 1 :]))
        if not candidates:
            return name
        chosen = next((c for c in candidates if os.path.exists(c)), candidates[0])
        return posixpath.normpath(_relative_to_cwd(chosen))
