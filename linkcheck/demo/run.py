"""The demo run: the library written for the running demo site, the demo's Config, the check
(the normal pipeline), and where each registered format goes.

No state store: each demo serves on new ephemeral ports, so its URLs differ from one demo to
the next and history would only ever say "new".
"""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping, Sequence
from dataclasses import replace
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

import anyio

from linkcheck.config import Config
from linkcheck.formats import Formatter, formatter_names, get_formatter
from linkcheck.models import Report

__all__ = [
    "AMP_CACHE_EXCLUDE",
    "DEMO_NETWORK",
    "allow_own_site",
    "check_library",
    "demo_config",
    "library_templates",
    "output_files",
    "write_library",
]

# Issue #12 adds a private-address guard that refuses loopback addresses by default. The demo's
# sites listen on 127.0.0.1, so THIS is the one place that lets linkcheck reach them: when the
# guard lands, name its allow setting here (a network list, `allow_net`, is assumed below).
DEMO_NETWORK = "127.0.0.1/32"
# The demo library's one URL on Google's AMP cache (a wrong cdnAmpWebUrl, found offline): the
# demo never leaves 127.0.0.1, so it is excluded from the requests.
AMP_CACHE_EXCLUDE = r"^https?://[^/]*\.cdn\.ampproject\.org/"


def allow_own_site(config: Config) -> Config:
    """`config`, allowed to connect to the demo's own sites (and nothing more than that)."""
    changes: dict[str, Any] = {}
    allowed = getattr(config, "allow_net", None)
    if allowed is not None:  # the private-address guard exists: let the demo's address in
        changes["allow_net"] = (*allowed, DEMO_NETWORK)
    return replace(config, **changes) if changes else config


def demo_config() -> Config:
    """Settings for a run that ends in a few seconds on loopback: short timeouts, a high
    per-host rate (our own server), Retry-After honoured up to 5 s, no proxy from the
    environment (a corporate HTTP_PROXY must not see 127.0.0.1), no state store, and a hard
    limit of 60 s on the whole run whatever happens. The news checks (soft 404s, AMP pairs)
    are on, as in `linkcheck run`; the one AMP cache URL on the real cache
    (`AMP_CACHE_EXCLUDE`) is judged offline and never requested: it is not on this machine."""
    config = Config(
        timeout=3.0,
        connect_timeout=2.0,
        retries=2,
        host_rate=50.0,
        retry_after_cap=5.0,
        max_time=60.0,
        exclude=(AMP_CACHE_EXCLUDE,),
        use_env=False,
        use_state=False,
        state=None,
    )
    return allow_own_site(config)


def library_templates() -> list[tuple[str, str]]:
    """The bundled articles as (file name, template text), in name order."""
    folder = resources.files("linkcheck.demo").joinpath("library")
    found = [(f.name, f.read_text(encoding="utf-8")) for f in folder.iterdir() if f.is_file()]
    return sorted((name, text) for name, text in found if name.endswith(".md"))


def write_library(folder: Path, origins: Mapping[str, str]) -> list[Path]:
    """Write the demo articles into `folder`, their URLs pointing at the running demo sites
    (`origins`: site name -> base URL). Returns the paths written. Raises OSError."""
    values = dict(origins)
    values["news_host"] = origins["news"].split("://", 1)[1]
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in library_templates():
        path = folder / name
        path.write_text(Template(text).substitute(values), encoding="utf-8")
        written.append(path)
    return written


async def check_library(
    paths: Sequence[Path], config: Config, *, cancel_scope: anyio.CancelScope | None = None
) -> Report:
    """The normal pipeline on the demo library."""
    from linkcheck import pipeline  # the network stack, imported when the demo really runs

    return await pipeline.run(paths, config, cancel_scope=cancel_scope)


def output_files(folder: Path) -> list[tuple[Formatter, Path]]:
    """Every registered format and the file it goes to in `folder`: the name of the format's
    default file, else linkcheck-NAME plus the suffix the name suggests (`.md` for markdown),
    `.txt` when it suggests none. Two formats never share a file."""
    taken: set[str] = set()
    planned = []
    for name in formatter_names():
        formatter = get_formatter(name)
        default = formatter.default_path
        file = Path(default).name if default else f"linkcheck-{name}{_suffix(name)}"
        if file in taken:
            file = f"linkcheck-{name}{Path(file).suffix or '.txt'}"
        taken.add(file)
        planned.append((formatter, folder / file))
    return planned


def _suffix(name: str) -> str:
    kind = mimetypes.guess_type(f"report.{name}", strict=False)[0]
    return (mimetypes.guess_extension(kind, strict=False) if kind else None) or ".txt"
