"""The formats registry, and the command line writing through it."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import pytest

from linkcheck.cli.output import atomic_text_file, write_output
from linkcheck.config import ConfigError
from linkcheck.formats import FORMATTERS, Formatter, RenderOptions, formatter_names, get_formatter
from linkcheck.models import Report, RunInfo

OPTIONS = RenderOptions(tool_version="9.9.9")


def empty_report() -> Report:
    run = RunInfo(
        started_at="2026-01-01T00:00:00Z",
        finished_at="2026-01-01T00:00:01Z",
        duration_s=1.0,
        inputs=("lib",),
        options={},
    )
    return Report(run=run, files=0, articles=0, results=())


def test_builtin_formatters() -> None:
    builtin = {"json", "text", "ndjson", "csv", "markdown", "junit", "sarif", "github"}
    builtin.add("prometheus")
    assert builtin <= set(formatter_names()) and formatter_names() == sorted(formatter_names())
    for name, formatter in FORMATTERS.items():
        assert isinstance(formatter, Formatter) and formatter.name == name
        assert formatter.description and "\n" not in formatter.description
    assert get_formatter("json").default_path == "linkcheck-report.json"
    assert get_formatter("text").default_path is None  # stdout
    assert get_formatter(" JSON ") is get_formatter("json")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("jsno", "unknown format 'jsno': did you mean 'json'? the formats are csv, github, "),
        ("txt", "unknown format 'txt': did you mean 'text'?"),
        ("pdf", "unknown format 'pdf': the formats are csv, github, "),
    ],
)
def test_unknown_formatter_is_a_config_error_with_a_suggestion(name: str, message: str) -> None:
    with pytest.raises(ConfigError) as exc:
        get_formatter(name)
    assert message in str(exc.value)


def test_json_and_text_render_through_the_registry() -> None:
    report = empty_report()
    out = io.StringIO()
    write_output(get_formatter("json"), report, out, options=OPTIONS)
    data = json.loads(out.getvalue())
    assert data["tool"]["version"] == "9.9.9" and data["links"] == []
    out = io.StringIO()
    write_output(get_formatter("text"), report, out, options=OPTIONS)
    assert out.getvalue().startswith("linkcheck: no broken links\n")


@dataclass(frozen=True)
class Failing:
    name: str = "failing"
    description: str = "fails half-way"
    default_path: str | None = None

    def write(self, report: Report, stream: TextIO, *, options: RenderOptions) -> None:
        stream.write("half a report")
        raise OSError(28, "No space left on device")


def test_a_failed_write_keeps_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_text("last week's report", encoding="utf-8")
    with pytest.raises(OSError, match="No space left"):
        write_output(Failing(), empty_report(), str(target), options=OPTIONS)
    assert target.read_text(encoding="utf-8") == "last week's report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.txt"]  # no temp file left


def test_atomic_text_file_replaces_and_survives_lone_surrogates(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    with atomic_text_file(str(target)) as fh:
        fh.write('{"file": "caf\udce9.md"}\n')
    assert target.read_text(encoding="utf-8") == '{"file": "caf\\udce9.md"}\n'
    assert json.loads(target.read_text(encoding="utf-8")) == {"file": "caf\udce9.md"}
