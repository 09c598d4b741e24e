"""Reading-phase bounds: body bytes, body parse time, front matter bytes, cancellation.

`BodyParser` parses large bodies in a worker process it can kill; these tests drive it with
small budgets so each takes a second or two. (Not pure unit tests: a worker process is real.)
"""

from __future__ import annotations

import time

import pytest

from linkcheck.collect import bodies
from linkcheck.collect.bodies import MAX_BODY_BYTES, BodyParser
from linkcheck.collect.library import collect, parse_article
from linkcheck.collect.sources import MAX_FRONT_MATTER_BYTES
from linkcheck.config import Config
from linkcheck.models import Article, LinkKind, ProblemReason

FRONT = "---\ntitle: T\nwebUrl: https://example.org/a\n---\n"
# markdown-it needs tens of seconds for a megabyte of these (super-linear on some of them)
PATHOLOGICAL = {"images": "![" * 400_000, "brackets": "[" * 600_000, "links": "[a](" * 200_000}


def article(body: str, name: str = "a.md") -> Article:
    parsed = parse_article(name, FRONT + body)
    assert isinstance(parsed, Article)
    return parsed


def test_a_small_body_is_parsed_in_the_thread() -> None:
    with BodyParser() as parser:
        found, problem = parser.links(article("[x](https://example.org/b)\n"), lambda: False)
        assert parser._worker is None  # no process for an ordinary article
    assert problem is None
    assert found == [("https://example.org/b", LinkKind.OTHER, 5)]


def test_a_large_ordinary_body_is_parsed_in_the_worker_with_its_lines() -> None:
    body = "text\n" * 10_000 + "![i](https://example.org/i.png)\n"
    with BodyParser() as parser:
        found, problem = parser.links(article(body), lambda: False)
        assert parser._worker is not None
    assert problem is None
    assert found == [("https://example.org/i.png", LinkKind.IMAGE, 10_005)]


def test_a_body_over_the_byte_limit_is_not_parsed() -> None:
    big = article("x" * (MAX_BODY_BYTES + 1))
    start = time.monotonic()
    with BodyParser() as parser:
        found, problem = parser.links(big, lambda: False)
    assert time.monotonic() - start < 1  # not parsed at all
    assert found is None and problem is not None
    assert (problem.reason, problem.field, problem.line) == (ProblemReason.TOO_LARGE, "body", 5)
    assert f"larger than the {MAX_BODY_BYTES}-byte limit" in problem.message


def test_multibyte_text_is_measured_in_utf8_bytes() -> None:
    chars = MAX_BODY_BYTES // 3 + 10  # under the limit in characters, over it in bytes
    with BodyParser() as parser:
        found, problem = parser.links(article("€" * chars), lambda: False)
    assert found is None and problem is not None and "byte limit" in problem.message


@pytest.mark.parametrize("kind", sorted(PATHOLOGICAL))
def test_a_pathological_body_is_abandoned_after_the_budget(kind: str) -> None:
    with BodyParser(budget=1.0) as parser:
        start = time.monotonic()
        found, problem = parser.links(article(PATHOLOGICAL[kind]), lambda: False)
        took = time.monotonic() - start
        assert parser._worker is None  # killed
        # the next body gets a new worker (with time to spare on a loaded machine)
        parser.budget = 30
        again, none = parser.links(
            article("a\n" * 20_000 + "<img src='https://e.org/x'>"), lambda: False
        )
    print(f"{kind}: abandoned after {took:.2f} s")
    assert found is None and problem is not None
    assert problem.reason is ProblemReason.TOO_LARGE
    assert "took longer than 1 s, so it was abandoned" in problem.message
    assert none is None and again == [("https://e.org/x", LinkKind.IMAGE, 20_005)]


def test_a_stop_request_abandons_the_parse_at_once() -> None:
    asked = time.monotonic() + 1.0  # the worker is started and busy by then
    with BodyParser(budget=60) as parser:
        found, problem = parser.links(
            article(PATHOLOGICAL["images"]), lambda: time.monotonic() > asked
        )
        late = time.monotonic() - asked
    print(f"stopped {late:.3f} s after the request")
    assert (found, problem) == (None, None)
    assert late < 1.0


def test_collect_reports_the_file_and_keeps_its_front_matter_and_the_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bodies, "PARSE_BUDGET_S", 1.0)
    inputs = [
        ("slow.md", FRONT + PATHOLOGICAL["brackets"]),
        ("huge.md", FRONT.replace("/a", "/h") + "y" * (MAX_BODY_BYTES + 10)),
        ("fine.md", "---\nwebUrl: https://example.org/f\n---\n[b](https://example.org/b)\n"),
    ]
    got = collect([], inputs, Config())
    assert got.complete
    urls = sorted(link.url for link in got.links)
    assert urls == [
        "https://example.org/a",
        "https://example.org/b",
        "https://example.org/f",
        "https://example.org/h",
    ]
    problems = {(p.file, p.reason) for p in got.problems}
    assert problems == {("slow.md", ProblemReason.TOO_LARGE), ("huge.md", ProblemReason.TOO_LARGE)}


def test_collect_stopped_during_a_parse_is_incomplete() -> None:
    asked = time.monotonic() + 1.0
    got = collect(
        [],
        [("slow.md", FRONT + PATHOLOGICAL["images"]), ("next.md", FRONT)],
        Config(),
        stop=lambda: time.monotonic() > asked,
    )
    assert not got.complete
    assert got.files == 1


def test_a_front_matter_over_its_byte_limit_is_refused_before_parsing() -> None:
    fields = "".join(f"k{i}: https://example.org/{i}\n" for i in range(60_000))
    assert len(fields) > MAX_FRONT_MATTER_BYTES
    start = time.monotonic()
    got = parse_article("fm.md", "---\n" + fields + "---\nbody\n")
    assert time.monotonic() - start < 1
    assert not isinstance(got, Article)
    assert got.reason is ProblemReason.TOO_LARGE
    assert f"larger than the {MAX_FRONT_MATTER_BYTES}-byte limit" in got.message
    assert got.line == 1


def test_without_a_worker_process_large_bodies_are_parsed_in_the_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("sys.executable", "")  # an embedded interpreter: nothing to start
    body = "text\n" * 10_000 + "[l](https://example.org/l)\n"
    with BodyParser() as parser:
        found, problem = parser.links(article(body), lambda: False)
        assert parser._worker is None
    assert problem is None
    assert found == [("https://example.org/l", LinkKind.OTHER, 10_005)]
