"""The JSON Schema (draft 2020-12) of the JSON report, shipped as package data."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files

__all__ = ["SCHEMA_FILE", "load_schema"]

SCHEMA_FILE = "report.schema.json"


@cache
def _schema_text() -> str:
    return files(__name__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")


def load_schema() -> dict:  # type: ignore[type-arg]
    """The report schema as a fresh dict (callers may mutate it)."""
    return json.loads(_schema_text())
