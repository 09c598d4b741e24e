"""linkcheck: check the links and image sizes of a content library.

The public API is what `__all__` lists; every other module is internal and may change.

    import linkcheck

    config = linkcheck.load_config("linkcheck.toml", timeout=5)   # or linkcheck.Config()
    report = linkcheck.run(["content/"], config)                  # blocking; a Report
    report = await linkcheck.arun(["content/"], config)           # the same, in async code
    async with contextlib.aclosing(linkcheck.check_stream(["content/"], config)) as results:
        async for result in results:                              # each CheckResult as it ends
            ...

Inputs are paths (files or folders) and/or articles already in memory (`Article` objects or
`(name, text)` pairs, read exactly like a file called `name`). `report.exit_code` is the CLI's
exit code; `linkcheck.load_report(path)` reads a JSON report back into a `Report`.

Importing linkcheck is cheap: the network stack is imported on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from linkcheck.errors import ConfigError, InputError, LinkcheckError

__version__ = "0.5.0"

__all__ = [
    "CheckResult",
    "Config",
    "ConfigError",
    "InputError",
    "LinkKind",
    "LinkcheckError",
    "Outcome",
    "Reason",
    "Report",
    "__version__",
    "arun",
    "check_stream",
    "load_config",
    "load_report",
    "run",
]

# name -> module that defines it, imported on first use (PEP 562)
_LAZY = {
    "CheckResult": "linkcheck.models",
    "LinkKind": "linkcheck.models",
    "Outcome": "linkcheck.models",
    "Reason": "linkcheck.models",
    "Report": "linkcheck.models",
    "Config": "linkcheck.config",
}

if TYPE_CHECKING:
    import os
    from collections.abc import AsyncGenerator, Iterable
    from typing import IO

    import anyio
    import httpx

    from linkcheck.collect.library import ArticleInput, ProgressCallback
    from linkcheck.config import Config
    from linkcheck.models import CheckResult, LinkKind, Outcome, Reason, Report

    Inputs = Iterable[str | os.PathLike[str] | ArticleInput]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'linkcheck' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def _config(config: Config | None) -> Config:
    if config is not None:
        return config
    from linkcheck.config import Config

    return Config()


async def arun(
    inputs: Inputs,
    config: Config | None = None,
    *,
    on_progress: ProgressCallback | None = None,
    cancel_scope: anyio.CancelScope | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    client: httpx.AsyncClient | None = None,
) -> Report:
    """Check every link of `inputs` and return the Report (async; what the CLI runs).

    `config` defaults to `Config()` (no config file: use `load_config` to find one).
    `on_progress(progress)` is called on the event loop's thread. Cancelling `cancel_scope`
    (or `config.max_time` running out) stops the checking; the Report is still complete, its
    unchecked links `not_checked` and `report.run.interrupted` true. `transport` replaces the
    HTTP transport of linkcheck's own client; `client` replaces the client (you keep it open
    and close it; it must not follow redirects, linkcheck walks them hop by hop)."""
    from linkcheck import pipeline

    return await pipeline.run(
        inputs,
        _config(config),
        on_progress=on_progress,
        cancel_scope=cancel_scope,
        transport=transport,
        client=client,
    )


def run(
    inputs: Inputs,
    config: Config | None = None,
    *,
    on_progress: ProgressCallback | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    client: httpx.AsyncClient | None = None,
) -> Report:
    """`arun` for code that is not async: runs its own event loop (do not call it from inside
    one; `await arun(...)` there). Ctrl-C interrupts it like any blocking call."""
    import anyio
    import sniffio

    try:
        sniffio.current_async_library()
    except sniffio.AsyncLibraryNotFoundError:
        pass
    else:
        raise RuntimeError("linkcheck.run() blocks: in async code, await linkcheck.arun(...)")

    async def main() -> Report:
        return await arun(
            inputs, config, on_progress=on_progress, transport=transport, client=client
        )

    return anyio.run(main)


def check_stream(
    inputs: Inputs,
    config: Config | None = None,
    *,
    on_progress: ProgressCallback | None = None,
    cancel_scope: anyio.CancelScope | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    client: httpx.AsyncClient | None = None,
) -> AsyncGenerator[CheckResult, None]:
    """Each `CheckResult` as soon as it is known: links never requested first (skipped,
    excluded), then checked links in completion order, then, if the run was stopped, the
    links it did not reach (`not_checked`). An async generator: use it inside
    `async with contextlib.aclosing(...)`, so that leaving the block (or `break`) stops
    every request in flight at once. The arguments are those of `arun`."""
    from linkcheck import pipeline

    return pipeline.check_stream(
        inputs,
        _config(config),
        on_progress=on_progress,
        cancel_scope=cancel_scope,
        transport=transport,
        client=client,
    )


def load_config(
    config_file: str | os.PathLike[str] | None = None,
    *,
    inputs: Iterable[str | os.PathLike[str]] = (),
    **settings: Any,
) -> Config:
    """A validated `Config`, as the CLI builds it: defaults < the settings file < `settings`.

    `config_file` names the file (linkcheck.toml, or a pyproject.toml with [tool.linkcheck]);
    without it the file is discovered from the first of `inputs` upwards, then in the current
    directory. `settings` use the config-file keys with `_` for `-` (e.g. `host_rate=5`).
    Raises ConfigError naming the bad setting and where it came from."""
    import os

    from linkcheck.config import build_config

    path = None if config_file is None else os.fspath(config_file)
    config, _ = build_config(settings, config_path=path, inputs=[os.fspath(i) for i in inputs])
    return config


def load_report(source: str | os.PathLike[str] | IO[str] | IO[bytes]) -> Report:
    """Read a JSON report (a path or an open file) back into a `Report`. Raises InputError."""
    from linkcheck.formats.json_read import load_report as load

    return load(source)
