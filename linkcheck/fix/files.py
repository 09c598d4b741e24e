"""Where the report's files are, and reading and writing them safely.

The report names each file relative to the input folder it was found under, prefixed with a
label when the run was given several folders (`collect.sources.Discovery`). `Locator` maps a
name back to a path through the report's `run.inputs`:

* `--root DIR` given: `DIR/name` (DIR is the folder of a one-folder run, or the folder that
  holds the labelled folders of a run over several);
* else each input as the run saw it: relative to the current folder, or, when it is not there,
  relative to the report's own folder (a report kept next to the library it checked). The
  folders must be found as they were: their labels are worked out again exactly as the run
  did, from the same inputs.

A file is read whole (it was read whole by the run), its SHA-256 compared with the report's
`file_hashes`, and written with `formats.atomic.atomic_file` (a temporary file in the same
folder, fsync, rename; the file's mode kept). A symbolic link is followed: the file it points to
is replaced, the link stays.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence

from linkcheck.collect.sources import MAX_FILE_BYTES, Discovery
from linkcheck.errors import InputError
from linkcheck.formats.atomic import atomic_file

__all__ = ["Locator", "read_file", "sha256", "write_file"]


class Locator:
    """`locator(name)`: the path of the file the report calls `name`, or raises `InputError`
    saying where it was looked for."""

    def __init__(
        self, inputs: Sequence[str], *, report_path: str | None = None, root: str | None = None
    ) -> None:
        self.root = root
        self.layouts: list[_Layout] = []
        if root is not None:
            if not os.path.isdir(root):
                raise InputError(f"--root {root}: not a folder")
            return
        inputs = [i for i in inputs if isinstance(i, str) and i]
        if not inputs:
            raise InputError("the report names no usable inputs (run.inputs): pass --root DIR")
        bases = [""]
        if report_path:
            near = os.path.dirname(os.path.abspath(report_path))
            if os.path.abspath(near) != os.path.abspath(os.getcwd()):
                bases.append(near)
        for base in bases:
            paths = [os.path.join(base, i) if base else i for i in inputs]
            if all(os.path.exists(p) for p in paths):
                self.layouts.append(_Layout(inputs, paths))
        if not self.layouts:
            missing = [i for i in inputs if not os.path.exists(i)]
            near_note = f" nor from the report's folder {bases[1]}" if len(bases) > 1 else ""
            raise InputError(
                f"the report's input(s) {', '.join(missing)} cannot be found from the current "
                f"folder {os.getcwd()}{near_note}: run linkcheck fix where linkcheck run was "
                "run, or pass --root DIR (the folder the report's file names are relative to)"
            )

    def __call__(self, name: str) -> str:
        if self.root is not None:
            return _inside(self.root, name)
        tried: list[str] = []
        for layout in self.layouts:
            path = layout.path(name)
            if path is not None:
                if os.path.isfile(path):
                    return path
                tried.append(path)
        if not tried:
            raise InputError(f"{name}: not a name under any of the report's inputs")
        raise InputError(
            f"{name}: no such file (looked for {' and '.join(tried)}); --root DIR "
            "tells where the files are"
        )


class _Layout:
    """The report's inputs as found from one base folder: their labels as the run made them."""

    def __init__(self, inputs: Sequence[str], paths: Sequence[str]) -> None:
        folders = [p for p in paths if os.path.isdir(p)]
        labels = Discovery(folders).labels if folders else {}
        self.folders = sorted(
            ((labels.get(f, ""), f) for f in folders), key=lambda pair: -len(pair[0])
        )
        self.files: dict[str, str] = {}  # name of a file given alone -> its path
        for given, path in zip(inputs, paths, strict=True):
            if os.path.isfile(path):
                self.files[given.replace(os.sep, "/")] = path
                self.files[_cwd_name(path)] = path

    def path(self, name: str) -> str | None:
        if name in self.files:
            return self.files[name]
        for label, folder in self.folders:
            if not label:
                return _inside(folder, name)
            if name.startswith(label + "/"):
                return _inside(folder, name[len(label) + 1 :])
        if os.path.isabs(name):
            return name
        return None


def _cwd_name(path: str) -> str:
    full = os.path.abspath(path)
    here = os.path.join(os.getcwd(), "")
    name = full[len(here) :] if full.startswith(here) else full
    return name.replace(os.sep, "/")


def _inside(folder: str, name: str) -> str:
    """`folder/name`, refusing names that climb out of the folder (`../x`, absolute)."""
    parts = name.split("/")
    if os.path.isabs(name) or any(p in ("..", "") for p in parts):
        raise InputError(f"{name}: not a file name inside {folder}")
    return os.path.join(folder, *parts)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_file(path: str) -> bytes:
    """The file's bytes; raises OSError (too large: `EFBIG`, as the run would not read it)."""
    with open(path, "rb") as fh:
        data = fh.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise OSError(27, f"larger than the {MAX_FILE_BYTES}-byte limit")
    return data


def write_file(path: str, data: bytes) -> None:
    """Replace the file at `path` (through a symbolic link) atomically; raises OSError."""
    with atomic_file(os.path.realpath(path)) as fh:
        fh.write(data)
