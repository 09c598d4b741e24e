"""Shared pytest fixtures: real loopback HTTP sites (see ``tests/sitekit.py``) and libraries.

* ``site``: one :class:`sitekit.Site` on 127.0.0.1 serving ``fixtures/images`` under ``/files/``.
* ``sites``: factory ``sites(n=2, **site_kwargs) -> list[Site]`` on distinct loopback addresses
  (127.0.0.2, 127.0.0.3, ... continuing across calls in one test, so never the ``site`` IP).
* ``library``: factory writing article files into ``tmp_path`` with ``{name}`` templating.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

TESTS_DIR = Path(__file__).resolve().parent
if str(TESTS_DIR) not in sys.path:  # make `import sitekit` work however pytest was started
    sys.path.insert(0, str(TESTS_DIR))

import sitekit  # noqa: E402

REPO_ROOT = TESTS_DIR.parent
IMAGES_DIR = REPO_ROOT / "fixtures" / "images"


@pytest.fixture(autouse=True)
def _no_proxy_from_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """linkcheck honours HTTP(S)_PROXY/ALL_PROXY/NO_PROXY: a proxy set on the machine running
    the tests must not reroute their loopback traffic (proxy tests set their own)."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture(autouse=True)
def _state_in_tmp(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """`linkcheck run` keeps a state store by default under $XDG_STATE_HOME: each test gets
    its own, so no test sees another's history or cache (and none writes to the real home)."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("xdg-state")))


@pytest.fixture
def site() -> Iterator[sitekit.Site]:
    """A running Site on 127.0.0.1:<ephemeral>; ``/files/<name>`` serves fixtures/images."""
    with sitekit.Site(files_dir=IMAGES_DIR) as s:
        yield s


SitesFactory = Callable[..., list[sitekit.Site]]


@pytest.fixture
def sites() -> Iterator[SitesFactory]:
    """Factory: ``sites(3, latency=0.05)`` starts 3 Sites on 127.0.0.2, .3, .4 (port 0 each;
    later calls continue at the next address). All are stopped after the test. Keyword
    arguments go to :class:`sitekit.Site` (``files_dir`` defaults to fixtures/images)."""
    started: list[sitekit.Site] = []

    def make(n: int = 2, **kw: Any) -> list[sitekit.Site]:
        kw.setdefault("files_dir", IMAGES_DIR)
        new = sitekit.start_sites(n, first=2 + len(started), **kw)
        started.extend(new)
        return new

    try:
        yield make
    finally:
        sitekit.stop_sites(started)


LibraryFactory = Callable[..., Path]


@pytest.fixture
def library(tmp_path: Path) -> LibraryFactory:
    """Factory writing a content library into ``tmp_path`` and returning its folder.

    ``library(spec, *, name=None, **subs)``; ``spec`` is one of

    * a dict ``{file name: content}``; content is text (templated), bytes (verbatim) or a
      front-matter dict (templated, dumped as YAML; key ``"_body"`` is the body);
    * a list of front-matter dicts (files ``article-001.md``...; keys ``"_file"``,
      ``"_body"``);
    * YAML text of such a dict or list (templated, then parsed).

    ``{s0}`` renders a Site as its base URL (``http://127.0.0.1:PORT``), ``{s0.host}`` as
    ``127.0.0.1:PORT``; unknown ``{...}`` are left alone. Example::

        folder = library({"a.md": "---\\ntitle: A\\nwebUrl: '{s0}/ok'\\n---\\nbody"}, s0=site)

    Each call writes a new folder (``library``, ``library-2``, ...) unless ``name`` is given.
    """
    calls = 0

    def make(spec: Any, *, name: str | None = None, **subs: Any) -> Path:
        nonlocal calls
        calls += 1
        folder = tmp_path / (name or ("library" if calls == 1 else f"library-{calls}"))
        if isinstance(spec, str):
            import yaml  # PyYAML comes with python-frontmatter

            spec = yaml.safe_load(sitekit.render(spec, **subs))
            if not isinstance(spec, dict | list):
                raise TypeError("library YAML must be a mapping or a list of mappings")
        return sitekit.write_library(folder, spec, **subs)

    return make
