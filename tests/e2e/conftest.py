"""Fixtures for the end-to-end tests (helpers live in e2ekit.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from e2ekit import FAST_FLAGS, Run, RunCli, validate_report

from linkcheck.cli import main


@pytest.fixture
def run_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> RunCli:
    """``run_cli(*args, output=None, fast=True) -> Run``.

    Calls ``linkcheck.cli.main(["run", *FAST_FLAGS, *args, "-o", <tmp report>])`` in-process
    from an empty working directory (so no linkcheck.toml / pyproject.toml is picked up),
    captures stdout/stderr, loads the JSON report (from the file, or from stdout with
    ``output="-"``) and validates it against the schema. ``output=False`` adds no ``-o``.
    """
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    calls = 0

    def run(*args: Any, output: str | Path | bool | None = None, fast: bool = True) -> Run:
        nonlocal calls
        calls += 1
        argv = ["run", *(FAST_FLAGS if fast else ()), *(str(a) for a in args)]
        report_path: Path | None
        if output is None:
            report_path = tmp_path / "reports" / f"report-{calls}.json"
            report_path.parent.mkdir(exist_ok=True)
            argv += ["-o", str(report_path)]
        elif output is False:
            report_path = workdir / "linkcheck-report.json"
        elif output == "-":
            report_path = None
            argv += ["-o", "-"]
        else:
            report_path = Path(output)
            argv += ["-o", str(output)]
        capsys.readouterr()
        code = main(argv)  # main() returns every exit code, argparse's included
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err, captured.err
        assert "Traceback" not in captured.out, captured.out
        report = None
        if report_path is None:
            if captured.out.strip():
                report = json.loads(captured.out)
        elif report_path.exists():
            report = json.loads(report_path.read_text(encoding="utf-8"))
        if report is not None:
            validate_report(report)
        return Run(code, captured.out, captured.err, report, report_path, argv)

    return run
