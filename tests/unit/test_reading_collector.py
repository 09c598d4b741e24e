"""Reading a library raises the garbage collector's young threshold (its collections were an
eighth of reading's CPU) and puts back what it found: after a read, after a read that fails,
and never over a change someone else made meanwhile; a collector switched off stays off."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from linkcheck.collect.gc_thresholds import MIDDLE_THRESHOLD, YOUNG_THRESHOLD
from linkcheck.collect.library import collect
from linkcheck.config import Config
from linkcheck.errors import InputError

ARTICLE = "---\nwebUrl: https://a.example/{n}\n---\nText [x](https://b.example/{n})\n"


@pytest.fixture(autouse=True)
def default_thresholds() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*before)


def read(seen: list[tuple[int, int, int]], library: Path | None = None) -> None:
    def stop() -> bool:  # asked before each article: what the collector is set to then
        seen.append(gc.get_threshold())
        return False

    articles = [(f"{n}.md", ARTICLE.format(n=n)) for n in range(3)]
    paths = [str(library)] if library is not None else []
    collect(paths, articles, Config(), stop=stop)


def test_raised_while_reading_and_restored_after() -> None:
    seen: list[tuple[int, int, int]] = []
    read(seen)
    assert seen and set(seen) == {(YOUNG_THRESHOLD, MIDDLE_THRESHOLD, 10)}
    assert gc.get_threshold() == (700, 10, 10)


def test_restored_after_a_read_that_fails(tmp_path: Path) -> None:
    (tmp_path / "notes.pdf").write_text("x")
    with pytest.raises(InputError):
        read([], tmp_path)  # no article file in the folder given
    assert gc.get_threshold() == (700, 10, 10)


def test_a_change_made_meanwhile_stands() -> None:
    seen: list[tuple[int, int, int]] = []

    def stop() -> bool:
        seen.append(gc.get_threshold())
        gc.set_threshold(50_000, 40, 7)  # the embedder's own choice, mid-read
        return False

    collect([], [("a.md", ARTICLE.format(n=1))], Config(), stop=stop)
    assert seen == [(YOUNG_THRESHOLD, MIDDLE_THRESHOLD, 10)]
    assert gc.get_threshold() == (50_000, 40, 7)


def test_higher_thresholds_are_kept_and_a_switched_off_collector_stays_off() -> None:
    gc.set_threshold(50_000, 40, 7)
    seen: list[tuple[int, int, int]] = []
    read(seen)
    assert set(seen) == {(50_000, 40, 7)}
    gc.set_threshold(0, 10, 10)
    seen.clear()
    read(seen)
    assert set(seen) == {(0, 10, 10)}
    assert gc.get_threshold() == (0, 10, 10)
