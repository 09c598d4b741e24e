"""`dumps_indented` writes exactly what `json.dumps(..., indent=2, ensure_ascii=False)` writes."""

from __future__ import annotations

import enum
import json

import pytest

from linkcheck.formats.json_indent import dumps_indented


class _Word(enum.StrEnum):
    A = "a"


class _Number(enum.IntEnum):
    THREE = 3


class _Key(str):
    pass


class _Opaque:
    def __str__(self) -> str:
        return "opaque"


VALUES: list[object] = [
    {},
    [],
    (),
    "plain",
    3,
    -0.0,
    1e300,
    10**30,
    {"a": [], "b": {}, "c": [[]], "d": [{}]},
    [1, 2.5, None, True, False, 'q"\\\n\t\u2028\x00é\U0001f600', "\ud800"],
    [float("nan"), float("inf"), -float("inf")],
    {"k": {"n": [{"u": 1}, [], [[]]]}, "t": (1, 2), "b": True, "f": 1.5, "n": None},
    {"word": _Word.A, "number": _Number.THREE, _Word.A: 1, _Key("k"): _Key("v")},
    {1: "an int key", "b": 2, None: 3, 2.5: 4, False: 5},
    {"object": _Opaque(), "set": {1}, "list": [_Opaque()]},
    {
        "url": "https://example.org/a",
        "reason": None,
        "http_status": 200,
        "redirects": [{"url": "https://example.org/b", "status": 301}],
        "sources": [{"file": "a.txt", "line": None, "title": "Ünïcode"}],
    },
]


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
@pytest.mark.parametrize("depth", [0, 1, 2])
def test_same_text_as_json_dumps(value: object, depth: int) -> None:
    expected = json.dumps(value, indent=2, ensure_ascii=False, default=str)
    expected = expected.replace("\n", "\n" + "  " * depth)
    assert dumps_indented(value, depth, str) == expected
