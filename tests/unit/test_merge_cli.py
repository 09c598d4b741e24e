"""`linkcheck merge` on report files: exit codes, messages, --allow-missing, --record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from test_merge import N, _shard

from linkcheck.cli import main
from linkcheck.formats import formatter_names
from linkcheck.formats.json import write_report
from linkcheck.schema import load_schema

VALIDATOR = Draft202012Validator(load_schema())


@pytest.fixture
def shard_files(tmp_path: Path) -> list[Path]:
    paths = []
    for k in range(1, N + 1):
        path = tmp_path / f"shard-{k}.json"
        write_report(str(path), _shard(k), tool_version="t")
        paths.append(path)
    return paths


def _merge(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["merge", *(str(a) for a in args)])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def _load(path: Path) -> dict[str, object]:
    doc = json.loads(path.read_text())
    assert not list(VALIDATOR.iter_errors(doc))
    return doc


def test_merge_writes_one_report(shard_files, tmp_path, capsys) -> None:
    out = tmp_path / "merged.json"
    code, _, err = _merge(capsys, *shard_files, "-o", out)
    assert code == 1  # the shards found broken links: as linkcheck run would exit
    doc = _load(out)
    assert doc["summary"]["unique_links"] == 2 * N  # type: ignore[index]
    assert doc["run"]["shard"] is None  # type: ignore[index]
    assert f"linkcheck merge: {N} of {N} shards, 8 links, 4 broken -> {out}" in err


def test_merge_to_standard_output(shard_files, capsys) -> None:
    code, out, _ = _merge(capsys, *shard_files, "-o", "-", "-q")
    assert code == 1
    assert len(json.loads(out)["run"]["merged_from"]) == N


def test_a_missing_shard_is_exit_2_and_nothing_is_written(shard_files, tmp_path, capsys):
    out = tmp_path / "merged.json"
    code, _, err = _merge(capsys, *shard_files[:2], shard_files[3], "-o", out)
    assert code == 2
    assert "shard(s) 3/4 missing" in err and "--allow-missing" in err
    assert not out.exists()


def test_allow_missing_writes_an_interrupted_report(shard_files, tmp_path, capsys) -> None:
    out = tmp_path / "merged.json"
    code, _, err = _merge(capsys, *shard_files[:3], "-o", out, "--allow-missing")
    assert code == 2
    assert "warning: shard(s) 4 of 4 missing" in err
    doc = _load(out)
    assert doc["run"]["interrupted"] is True  # type: ignore[index]


def test_unreadable_and_mismatched_reports(shard_files, tmp_path, capsys) -> None:
    out = tmp_path / "merged.json"
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    code, _, err = _merge(capsys, *shard_files, bad, "-o", out)
    assert code == 2 and "bad.json is not a JSON report" in err
    code, _, err = _merge(capsys, *shard_files, shard_files[1], "-o", out)
    assert code == 2 and "shard 2/4 is given twice" in err
    assert not out.exists()


def test_record_adds_the_merged_run_to_a_store(shard_files, tmp_path, capsys) -> None:
    out, store = tmp_path / "merged.json", tmp_path / "state" / "state.db"
    code, _, err = _merge(capsys, *shard_files, "-o", out, "--record")
    assert code == 2 and "--record needs --state FILE" in err
    for run_id in (1, 2):
        code, _, err = _merge(capsys, *shard_files, "-o", out, "--record", "--state", store)
        assert code == 1, err
        assert f"recorded as run {run_id}" in err
        doc = _load(out)
        assert doc["run"]["run_id"] == run_id  # type: ignore[index]
        broken = [lk for lk in doc["links"] if lk["outcome"] == "broken"]  # type: ignore[attr-defined]
        assert {lk["history"]["failing_runs"] for lk in broken} == {run_id}
    code, listed, _ = _merge_history(capsys, store)
    assert code == 0 and "complete" in listed


def _merge_history(capsys: pytest.CaptureFixture[str], store: Path) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["history", "--state", str(store), "--format", "json"])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_merged_report_feeds_report_and_diff(shard_files, tmp_path, capsys) -> None:
    out = tmp_path / "merged.json"
    _merge(capsys, *shard_files, "-o", out)
    capsys.readouterr()
    for name in formatter_names():  # every format renders the merged report
        target = tmp_path / f"merged.{name}"
        assert main(["report", str(out), "--format", f"{name}={target}"]) == 0, name
        assert "www.site" in target.read_text(), name
    capsys.readouterr()
    assert main(["diff", str(shard_files[0]), str(out)]) == 1  # the other shards' 404s
    text = capsys.readouterr().out
    assert "linkcheck diff: 3 new broken, 1 still broken, 6 new links" in text
