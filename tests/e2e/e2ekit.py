"""Shared helpers for the end-to-end tests: run the CLI in-process, load and validate its report.

Every report a test produces goes through :func:`validate_report` (the shipped JSON Schema,
Draft 2020-12), and every run asserts that nothing printed a traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from linkcheck.schema import load_schema

# Small limits keep the suite fast; a test that needs others passes its own flags after these
# (argparse: the last occurrence of a flag wins).
FAST_FLAGS: tuple[str, ...] = (
    "--timeout",
    "2",
    "--retries",
    "1",
    "--host-rate",
    "50",
    "--allow-private",  # every test server is on 127.0.0.x, which the guard refuses by default
)

_VALIDATOR = Draft202012Validator(load_schema())


def validate_report(report: dict[str, Any]) -> dict[str, Any]:
    errors = sorted(_VALIDATOR.iter_errors(report), key=lambda e: list(e.absolute_path))
    assert not errors, "report does not match the schema:\n" + "\n".join(
        f"  {list(e.absolute_path)}: {e.message}" for e in errors[:10]
    )
    return report


@dataclass
class Run:
    code: int
    out: str
    err: str
    report: dict[str, Any] | None
    report_path: Path | None
    argv: list[str] = field(default_factory=list)

    def link(self, url: str) -> dict[str, Any]:
        """The one report link whose normalised URL is `url`."""
        assert self.report is not None
        found = [lk for lk in self.report["links"] if lk["url"] == url]
        assert len(found) == 1, f"{url}: {len(found)} links in the report: " + ", ".join(
            lk["url"] for lk in self.report["links"]
        )
        return found[0]

    @property
    def links(self) -> list[dict[str, Any]]:
        assert self.report is not None
        return list(self.report["links"])

    @property
    def problems(self) -> list[dict[str, Any]]:
        assert self.report is not None
        return list(self.report["problems"])


RunCli = Callable[..., Run]


def only(items: Sequence[Any]) -> Any:
    assert len(items) == 1, items
    return items[0]


LibraryFactory = Callable[..., Path]  # tests/conftest.py `library`
SitesFactory = Callable[..., list[Any]]  # tests/conftest.py `sites`
