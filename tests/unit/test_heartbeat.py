"""The non-TTY heartbeat line (cli/heartbeat.py) and the output writability check
(cli/preflight.py): one function at a time, with a fake clock where time matters."""

from __future__ import annotations

import io
from pathlib import Path

import anyio
import pytest

from linkcheck.cli.heartbeat import Heartbeat, duration_text, with_heartbeat
from linkcheck.cli.preflight import unwritable, why_unwritable
from linkcheck.errors import InputError
from linkcheck.formats import get_formatter
from linkcheck.pipeline import Progress


async def after(seconds: float, value: object) -> object:
    await anyio.sleep(seconds)
    return value


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "0s"), (59.9, "59s"), (200, "3m20s"), (7500, "2h05m")]
)
def test_duration_text(seconds: float, text: str) -> None:
    assert duration_text(seconds) == text


def test_lines_through_the_phases() -> None:
    clock = Clock()
    beat = Heartbeat(io.StringIO(), 10, clock)
    clock.now += 10
    assert beat.line() == "linkcheck: reading files · 0 files read · 0 files/s · 10s"
    beat(Progress(files=12_000))
    clock.now += 20
    assert beat.line() == "linkcheck: reading files · 12,000 files read · 600 files/s · 30s"
    beat(
        Progress(
            files=20_000,
            links_total=91_172,
            checked=41_230,
            broken=312,
            warnings=20,
            phase="checking",
        )
    )
    clock.now += 170
    assert beat.line() == (
        "linkcheck: checking 41,230/91,172 links (45%) · 312 broken · 20 warnings · "
        "243 links/s · 3m20s"
    )
    clock.now += 60  # a stall: nothing came in this minute
    assert "· 0 links/s · 4m20s" in beat.line()
    beat(Progress(links_total=91_172, checked=91_172, phase="done"))
    assert beat.line().startswith("linkcheck: finishing 91,172/91,172 links (100%)")


def test_the_progress_is_copied_not_kept() -> None:
    beat = Heartbeat(io.StringIO(), 1)
    p = Progress(files=5)
    beat(p)
    p.files = 9
    assert beat.files == 5


async def test_it_ticks_without_any_progress_and_stops_with_the_job() -> None:
    out = io.StringIO()
    beat = Heartbeat(out, 0.05)
    assert await with_heartbeat(beat, after(0.3, "done")) == "done"
    lines = out.getvalue().splitlines()
    assert len(lines) >= 2 and lines == [ln for ln in lines if ln.startswith("linkcheck: ")]
    count = len(lines)
    await anyio.sleep(0.15)  # stopped: nothing more is written
    assert len(out.getvalue().splitlines()) == count


async def test_an_error_in_the_job_comes_out_as_itself() -> None:
    async def fails() -> None:
        await anyio.sleep(0.01)
        raise InputError("no article files")

    with pytest.raises(InputError, match="no article files"):
        await with_heartbeat(Heartbeat(io.StringIO(), 0.01), fails())


async def test_a_closed_stream_ends_the_heartbeat_not_the_run() -> None:
    out = io.StringIO()
    out.close()
    beat = Heartbeat(out, 0.01)
    assert await with_heartbeat(beat, after(0.1, 7)) == 7
    assert beat.lines == 0


# --------------------------------------------------------------------------- preflight


def test_why_unwritable(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    (tmp_path / "dir").mkdir()
    assert why_unwritable(str(tmp_path / "r.json")) is None
    assert why_unwritable(str(tmp_path / "file")) is None  # replaced when the run ends
    assert why_unwritable(str(tmp_path / "no" / "r.json")) == (
        f"the folder {tmp_path / 'no'} does not exist"
    )
    assert (
        why_unwritable(str(tmp_path / "file" / "r.json")) == f"{tmp_path / 'file'} is not a folder"
    )
    assert why_unwritable(str(tmp_path / "dir")) == "it is a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir", "file"]  # no litter


def test_unwritable_names_each_file_target_and_ignores_streams(tmp_path: Path) -> None:
    json_f, text_f = get_formatter("json"), get_formatter("text")
    bad = str(tmp_path / "gone" / "r.txt")
    outputs = [(json_f, str(tmp_path / "r.json")), (text_f, bad), (text_f, io.StringIO())]
    assert unwritable(outputs) == [
        f"cannot write the text report to {bad}: the folder {tmp_path / 'gone'} does not exist"
    ]


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_a_folder_that_takes_no_new_file_is_refused_even_for_root() -> None:
    # /proc/self exists and is a folder, but no one (root included) can create a file in it:
    # the same path a read-only or full file system takes
    why = why_unwritable("/proc/self/report.json")
    assert why is not None and why.startswith("cannot create a file in /proc/self: ")
