"""The JSON Schema (draft 2020-12) of the JSON report, shipped as package data."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

__all__ = ["SCHEMA_FILE", "load_schema"]

SCHEMA_FILE = "report.schema.json"


@cache
def _schema_text() -> str:
    return files(__name__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")


def load_schema() -> dict[str, Any]:
    """The report schema as a fresh dict (callers may mutate it)."""
    schema: dict[str, Any] = json.loads(_schema_text())
    return schema
