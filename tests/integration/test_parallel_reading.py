"""Reading a large library in several processes (linkcheck.collect.parallel) gives exactly what
one process reads, in the same order; a script without a main guard still runs once."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from linkcheck.collect import parallel
from linkcheck.collect.library import collect_links
from linkcheck.config import Config

REPO = Path(__file__).resolve().parents[2]
FILES = parallel.PARALLEL_MIN_FILES + 150


@pytest.fixture(scope="module")
def big_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("big")
    for i in range(FILES):
        sub = folder / f"s{i % 7}"
        sub.mkdir(exist_ok=True)
        if i % 97 == 5:
            text = "---\ntitle: [unclosed\n---\n"  # a problem, reported in its place
        else:
            text = (
                f"---\ntitle: Article {i}\nwebUrl: https://news.example/a/{i % 300}\n"
                f"ampWebUrl: https://news.example/amp/a/{i % 300}\n"
                f"images:\n  - url: https://img.example/{i % 50}.jpg\n    width: 640\n"
                f"    height: 360\n---\nSee [more](https://other.example/{i}).\n"
            )
        (sub / f"a{i:05}.md").write_text(text)
    return folder


def test_several_processes_read_what_one_reads(big_library: Path) -> None:
    one = collect_links([str(big_library)], Config(workers=1))
    two = collect_links([str(big_library)], Config(workers=2))
    assert one.files == two.files == FILES
    assert one.articles == two.articles
    assert [link.url for link in one.links] == [link.url for link in two.links]
    assert one.links == two.links  # every occurrence, in the library's order
    assert one.problems == two.problems and len(one.problems) > 10
    assert one.file_hashes == two.file_hashes
    assert one.pairs == two.pairs


def test_a_script_without_a_main_guard_runs_once(big_library: Path, tmp_path: Path) -> None:
    script = tmp_path / "unguarded.py"
    script.write_text(
        "from linkcheck.collect.library import collect_links\n"
        "from linkcheck.config import Config\n"
        f"c = collect_links([{str(big_library)!r}], Config(workers=2))\n"
        "print('read', c.files)\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"read {FILES}"]
    # without the guard's stand-in, each process would run the script again and fail there
    assert done.stderr == ""



def test_a_chunk_whose_process_died_is_read_here(tmp_path: Path) -> None:
    files = []
    for i in range(3):
        path = tmp_path / f"a{i}.md"
        path.write_text(f"---\ntitle: A{i}\nwebUrl: https://x.example/{i}\n---\n")
        files.append((str(path), path.name))
    broken: Future[list[object]] = Future()
    broken.set_exception(BrokenProcessPool("a worker was killed"))
    read = list(parallel._take((files, broken)))  # type: ignore[arg-type]
    assert [path for _, path in read] == [p for p, _ in files]
    assert [article.path for article, _ in read] == ["a0.md", "a1.md", "a2.md"]
