"""Where the default state store lives: beside the config file, else one per library."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from linkcheck.state.location import default_state_path, library_stores


def test_beside_the_config_file(tmp_path: Path) -> None:
    toml = tmp_path / "linkcheck.toml"
    assert default_state_path(str(toml), ["x"]) == str(tmp_path / ".linkcheck" / "state.db")
    pyproject = f"{tmp_path / 'pyproject.toml'} [tool.linkcheck]"
    assert default_state_path(pyproject) == str(tmp_path / ".linkcheck" / "state.db")


def test_one_store_per_library_whatever_the_spelling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {"XDG_STATE_HOME": str(tmp_path / "state")}
    (tmp_path / "lib").mkdir()
    (tmp_path / "other").mkdir()
    monkeypatch.chdir(tmp_path)
    spellings = ["lib", "./lib", "lib/", str(tmp_path / "lib")]
    paths = {default_state_path(None, [s], env) for s in spellings}
    assert len(paths) == 1
    (path,) = paths
    assert Path(path).parent == tmp_path / "state" / "linkcheck" / "libraries"
    assert Path(path).name.startswith("lib-") and path.endswith(".db")
    assert default_state_path(None, ["other"], env) != path
    # the set of inputs is the library, in any order
    both = default_state_path(None, ["lib", "other"], env)
    assert both == default_state_path(None, ["other", "./lib"], env) and both != path
    # no inputs (e.g. `history` with nothing to go on): the shared store
    assert default_state_path(None, (), env) == str(tmp_path / "state" / "linkcheck" / "state.db")


def test_library_stores_lists_newest_first(tmp_path: Path) -> None:
    env = {"XDG_STATE_HOME": str(tmp_path)}
    assert library_stores(env) == []
    folder = tmp_path / "linkcheck" / "libraries"
    folder.mkdir(parents=True)
    old, new = folder / "a-1.db", folder / "b-2.db"
    old.write_bytes(b"")
    new.write_bytes(b"")
    os.utime(old, (1, 1))
    (folder / "notes.txt").write_text("not a store")
    assert library_stores(env) == [str(new), str(old)]
