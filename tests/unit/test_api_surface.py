"""The public API: the exported names are pinned, importing stays cheap, one exit-code rule."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import linkcheck
from linkcheck.models import (
    CheckResult,
    Link,
    LinkKind,
    Occurrence,
    Outcome,
    Reason,
    Report,
    RunInfo,
    Source,
)

PUBLIC = [
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


def test_the_public_names_are_pinned() -> None:
    assert sorted(linkcheck.__all__) == PUBLIC
    for name in PUBLIC:
        assert getattr(linkcheck, name) is not None, name
    assert set(PUBLIC) <= set(dir(linkcheck))
    with pytest.raises(AttributeError):
        linkcheck.not_a_name  # noqa: B018


def test_public_names_are_the_real_types() -> None:
    from linkcheck.config import Config
    from linkcheck.errors import ConfigError, InputError, LinkcheckError

    assert linkcheck.Report is Report and linkcheck.CheckResult is CheckResult
    assert linkcheck.Outcome is Outcome and linkcheck.Reason is Reason
    assert linkcheck.LinkKind is LinkKind and linkcheck.Config is Config
    assert (
        issubclass(linkcheck.ConfigError, LinkcheckError) and linkcheck.ConfigError is ConfigError
    )
    assert issubclass(linkcheck.InputError, LinkcheckError) and linkcheck.InputError is InputError


def test_import_is_cheap() -> None:
    """`import linkcheck` must not pull in the network stack or YAML (a CLI's --help, an
    embedder's import): they are imported on first use."""
    code = (
        "import json, sys, linkcheck; linkcheck.__all__; "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('httpx', 'httpcore', 'anyio', 'yaml', 'frontmatter', 'markdown_it', 'tenacity'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_the_command_line_loads_no_network_stack_until_a_command_runs() -> None:
    """`linkcheck --help` (and a config error) stay instant: building the parser of every
    subcommand (run, report, diff, history, demo) loads no HTTP client, parser or YAML, and
    neither the planner nor the per-run state session."""
    code = (
        "import json, sys; from linkcheck.cli.main import build_parser; build_parser(); "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('httpx', 'httpcore', 'aiohttp', 'yaml', 'frontmatter', 'markdown_it', 'tenacity') "
        "or m in ('linkcheck.pipeline', 'linkcheck.plan', 'linkcheck.state.session'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def report(*outcomes: Outcome, interrupted: bool = False) -> Report:
    run = RunInfo(
        started_at="s",
        finished_at="f",
        duration_s=0.0,
        inputs=(),
        options={},
        interrupted=interrupted,
    )
    source = Source("a.md", "webUrl", 1, None)
    results = []
    for i, outcome in enumerate(outcomes):
        url = f"https://x.example/{i}"
        link = Link(url, LinkKind.PAGE, (Occurrence(url, LinkKind.PAGE, source),))
        results.append(CheckResult(link, outcome, None, None, None))
    return Report(run=run, files=1, articles=1, results=tuple(results))


@pytest.mark.parametrize(
    ("outcomes", "interrupted", "code"),
    [
        ((), False, 0),
        ((Outcome.OK, Outcome.WARNING, Outcome.SKIPPED), False, 0),
        ((Outcome.OK, Outcome.BROKEN), False, 1),
        ((Outcome.OK,), True, 2),
        ((Outcome.BROKEN,), True, 2),  # incomplete results say nothing final: 2 wins
    ],
)
def test_exit_code_is_one_rule(outcomes: tuple[Outcome, ...], interrupted: bool, code: int) -> None:
    assert report(*outcomes, interrupted=interrupted).exit_code == code


async def test_run_inside_an_event_loop_points_to_arun() -> None:
    with pytest.raises(RuntimeError, match=r"await linkcheck\.arun"):
        linkcheck.run([])
