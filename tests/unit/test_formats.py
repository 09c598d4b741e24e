"""Unit tests of the output formats: the JSON contract (and its schema) and the text report."""

from __future__ import annotations

import dataclasses
import datetime
import io
import json
import os
import re
import stat
import time

import pytest
from jsonschema import Draft202012Validator

from linkcheck.formats import atomic
from linkcheck.formats import json as jsonfmt
from linkcheck.formats.text import render_summary
from linkcheck.models import (
    ArticleProblem,
    CheckResult,
    DeclaredSize,
    Hop,
    HostStats,
    ImageProbe,
    Link,
    LinkKind,
    Occurrence,
    Outcome,
    ProblemReason,
    Reason,
    Report,
    RunInfo,
    SizeVerdict,
    Source,
    link_id,
)
from linkcheck.report import build_report
from linkcheck.schema import load_schema

# --------------------------------------------------------------------------- fixtures


def occ(
    url: str,
    file: str = "a.md",
    field: str = "webUrl",
    line: int | None = 1,
    kind: LinkKind = LinkKind.PAGE,
    declared: DeclaredSize | None = None,
    text: str | None = None,
) -> Occurrence:
    return Occurrence(
        text=text or url, kind=kind, source=Source(file, field, line, "A title"), declared=declared
    )


def run_info(**kw: object) -> RunInfo:
    base: dict[str, object] = {
        "started_at": "2026-01-01T03:00:00Z",
        "finished_at": "2026-01-01T03:01:05Z",
        "duration_s": 65.43219,
        "inputs": ("content",),
        "options": {"timeout": 10.0, "exclude": ("a", "b"), "verbose": False},
        "hosts": (
            HostStats(
                "z.example",
                requests=3,
                retries=1,
                responses_429=1,
                waited_s=1.23456,
                max_in_flight=2,
                rate_limit=0.5,
                slowed_down=True,
            ),
            HostStats("down.example", marked_down="dns", short_circuited=4),
        ),
    }
    base.update(kw)
    return RunInfo(**base)  # type: ignore[arg-type]


MISMATCH_URL = "https://img.example/photo.jpg"


def judged(result: CheckResult, verdicts: tuple[SizeVerdict | None, ...]) -> CheckResult:
    """`result` with each size verdict paired to its occurrence (as classify.judge does)."""
    return dataclasses.replace(result, link=result.link.with_verdicts(verdicts))


def sample_results() -> list[CheckResult]:
    ok_page = CheckResult(
        link=Link("https://ok.example/", LinkKind.PAGE, (occ("https://ok.example/"),)),
        outcome=Outcome.OK,
        reason=None,
        http_status=200,
        final_url="https://ok.example/",
        attempts=1,
        elapsed=0.0125,
        detail="should not be shown for ok",
    )
    gone = CheckResult(
        link=Link(
            "https://gone.example/page",
            LinkKind.AMP,
            (
                occ(
                    "https://gone.example/page",
                    file="b.md",
                    field="ampWebUrl",
                    line=4,
                    kind=LinkKind.AMP,
                ),
                occ(
                    "https://gone.example/page",
                    file="a.md",
                    field="related[2].webUrl",
                    line=None,
                    kind=LinkKind.AMP,
                ),
            ),
        ),
        outcome=Outcome.BROKEN,
        reason=Reason.HTTP_STATUS,
        http_status=404,
        final_url="https://gone.example/new",
        redirects=(Hop("https://gone.example/page", 301),),
        attempts=2,
        elapsed=1.2345,
        detail="",
    )
    mismatch = judged(
        CheckResult(
            link=Link(
                MISMATCH_URL,
                LinkKind.IMAGE,
                (
                    occ(
                        MISMATCH_URL,
                        field="images[0].url",
                        line=7,
                        kind=LinkKind.IMAGE,
                        declared=DeclaredSize(500, 326),
                        text="//img.example/photo.jpg",
                    ),
                    occ(
                        MISMATCH_URL,
                        field="images[1].url",
                        line=10,
                        kind=LinkKind.IMAGE,
                        declared=DeclaredSize(1000, 652),
                    ),
                    occ(
                        MISMATCH_URL,
                        file="c.md",
                        field="images[0].url",
                        line=3,
                        kind=LinkKind.IMAGE,
                        declared=DeclaredSize(400, 400),
                    ),
                    occ(MISMATCH_URL, file="c.md", field="body", line=20, kind=LinkKind.IMAGE),
                ),
            ),
            outcome=Outcome.BROKEN,
            reason=Reason.IMAGE_DIMENSION_MISMATCH,
            http_status=200,
            final_url=MISMATCH_URL,
            attempts=1,
            elapsed=0.3,
            image=ImageProbe("jpeg", 1000, 652, 1000, 652, bytes_read=2048),
        ),
        (
            SizeVerdict(500, 326, False, True),
            SizeVerdict(1000, 652, True, True),
            SizeVerdict(400, 400, False, False),
            None,
        ),
    )
    rotated_ok = judged(
        CheckResult(
            link=Link(
                "https://img.example/rotated.jpg",
                LinkKind.IMAGE,
                (
                    occ(
                        "https://img.example/rotated.jpg",
                        field="images[2].url",
                        kind=LinkKind.IMAGE,
                        declared=DeclaredSize(300, 400),
                    ),
                ),
            ),
            outcome=Outcome.OK,
            reason=None,
            http_status=200,
            final_url="https://img.example/rotated.jpg",
            image=ImageProbe("jpeg", 400, 300, 300, 400, bytes_read=512, orientation=6),
        ),
        (SizeVerdict(300, 400, True, True),),
    )
    blocked = CheckResult(
        link=Link(
            "https://blocked.example/",
            LinkKind.OTHER,
            (
                occ(
                    "https://blocked.example/",
                    file="b.md",
                    field="body",
                    line=12,
                    kind=LinkKind.OTHER,
                ),
            ),
        ),
        outcome=Outcome.WARNING,
        reason=Reason.BLOCKED,
        http_status=403,
        final_url="https://blocked.example/",
        detail="403 from a bot filter",
    )
    skipped = CheckResult(
        link=Link(
            "mailto:someone@example.com",
            LinkKind.OTHER,
            (occ("mailto:someone@example.com", field="body", line=15, kind=LinkKind.OTHER),),
        ),
        outcome=Outcome.SKIPPED,
        reason=Reason.UNSUPPORTED_SCHEME,
        http_status=None,
        final_url=None,
    )
    return [skipped, mismatch, blocked, rotated_ok, gone, ok_page]


def sample_report(**run_kw: object) -> Report:
    return build_report(
        run=run_info(**run_kw),
        files=4,
        articles=3,
        results=sample_results(),
        problems=[
            ArticleProblem(
                "d.md", ProblemReason.INVALID_YAML, "mapping values are not allowed", line=3
            ),
            ArticleProblem(
                "c.md",
                ProblemReason.INVALID_DECLARED_SIZE,
                "width is missing",
                field="images[3].width",
                line=9,
            ),
        ],
    )


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def assert_valid(validator: Draft202012Validator, doc: object) -> None:
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


# --------------------------------------------------------------------------- schema


def test_schema_enums_equal_python_enums() -> None:
    defs = load_schema()["$defs"]
    assert defs["outcome"]["enum"] == [o.value for o in Outcome]
    assert defs["reason"]["enum"] == [r.value for r in Reason], (
        "linkcheck/schema/report.schema.json is out of date with models.Reason"
    )
    assert defs["kind"]["enum"] == [k.value for k in LinkKind]
    assert defs["problem_reason"]["enum"] == [p.value for p in ProblemReason]


def test_schema_documents_policy_and_allows_additional_properties() -> None:
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "additional" in schema["description"].lower()
    assert "schema_version" in schema["description"]

    def objects(node: object):  # type: ignore[no-untyped-def]
        if isinstance(node, dict):
            if node.get("type") == "object":
                yield node
            for v in node.values():
                yield from objects(v)
        elif isinstance(node, list):
            for v in node:
                yield from objects(v)

    found = list(objects(schema))
    assert len(found) > 10
    for node in found:
        assert node.get("additionalProperties", True) is not False


def test_load_schema_returns_a_fresh_copy() -> None:
    a = load_schema()
    a["title"] = "mutated"
    assert load_schema()["title"] != "mutated"


def test_schema_accepts_added_fields(validator: Draft202012Validator) -> None:
    doc = jsonfmt.to_dict(sample_report(), tool_version="0.1.0")
    doc["future_field"] = 1
    doc["links"][0]["future_field"] = {"x": 1}
    doc["summary"]["images"]["future_count"] = 3
    assert_valid(validator, doc)


def test_schema_rejects_wrong_documents(validator: Draft202012Validator) -> None:
    doc = jsonfmt.to_dict(sample_report(), tool_version="0.1.0")
    bad = json.loads(json.dumps(doc))
    bad["links"][0]["outcome"] = "fine"
    assert list(validator.iter_errors(bad))
    bad = json.loads(json.dumps(doc))
    del bad["summary"]["outcomes"]["skipped"]
    assert list(validator.iter_errors(bad))
    bad = json.loads(json.dumps(doc))
    bad["schema_version"] = 3
    assert list(validator.iter_errors(bad))
    bad = json.loads(json.dumps(doc))
    bad["links"][0]["history"] = {"status": "gone"}
    assert list(validator.iter_errors(bad))


# --------------------------------------------------------------------------- JSON


def test_json_shape_and_order(validator: Draft202012Validator) -> None:
    rep = sample_report()
    text = jsonfmt.dumps(rep, tool_version="9.9.9")
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert text.startswith('{\n  "schema_version": 2,')
    doc = json.loads(text)
    assert_valid(validator, doc)
    assert doc == jsonfmt.to_dict(rep, tool_version="9.9.9")

    assert list(doc) == [
        "schema_version",
        "tool",
        "run",
        "summary",
        "links",
        "problems",
        "findings",
        "file_hashes",
    ]
    assert doc["schema_version"] == jsonfmt.SCHEMA_VERSION == 2
    assert doc["tool"] == {"name": "linkcheck", "version": "9.9.9"}

    run = doc["run"]
    assert list(run) == [
        "started_at",
        "finished_at",
        "duration_s",
        "inputs",
        "options",
        "interrupted",
        "hosts",
        "config_file",  # added in 0.2 (additive)
        "run_id",  # schema_version 2 (compatible: fields added only)
        "state_file",
        "fail_after",
        "network_down",
        "state_error",
        "shard",
        "workers",  # 0.4: how many processes checked the links (additive)
    ]
    assert run["workers"] == 1
    assert run["duration_s"] == 65.432
    assert run["options"] == {"timeout": 10.0, "exclude": ["a", "b"], "verbose": False}
    assert [h["host"] for h in run["hosts"]] == ["down.example", "z.example"]
    z = run["hosts"][1]
    assert list(z) == [
        "host",
        "requests",
        "retries",
        "responses_429",
        "waited_s",
        "max_in_flight",
        "rate_limit",
        "slowed_down",
        "marked_down",
        "short_circuited",
        "configured_rate",  # added in 0.2 with adaptive rate (additive)
        "min_rate",
        "below_rate_s",
    ]
    assert z["waited_s"] == 1.235 and z["rate_limit"] == 0.5 and z["slowed_down"] is True
    assert run["hosts"][0]["marked_down"] == "dns"

    assert [link["url"] for link in doc["links"]] == sorted(link["url"] for link in doc["links"])
    by_url = {link["url"]: link for link in doc["links"]}

    ok = by_url["https://ok.example/"]
    assert list(ok) == [
        "url",
        "id",
        "kind",
        "outcome",
        "reason",
        "detail",
        "http_status",
        "final_url",
        "redirects",
        "attempts",
        "elapsed_ms",
        "image",
        "sources",
        "checked_at",
        "cached",
        "history",
        "severity",  # triage (additive, schema_version 2)
        "permanent_redirect",
    ]
    assert ok["reason"] is None and ok["detail"] == "" and ok["image"] is None
    assert ok["elapsed_ms"] in (12, 13)
    assert ok["sources"] == [
        {
            "file": "a.md",
            "field": "webUrl",
            "line": 1,
            "title": "A title",
            "text": "https://ok.example/",
            "kind": "page",
            "article_key": None,
            "outcome": "ok",
        }
    ]
    assert ok["severity"] == "none" and ok["permanent_redirect"] is None
    assert ok["id"] == link_id("https://ok.example/") and len(ok["id"]) == 16
    assert ok["cached"] is False and ok["history"] is None

    gone = by_url["https://gone.example/page"]
    assert gone["kind"] == "amp" and gone["outcome"] == "broken"
    assert gone["reason"] == "http_status" and gone["http_status"] == 404
    assert gone["detail"]  # a human explanation even when the checker gave none
    assert gone["redirects"] == [{"url": "https://gone.example/page", "status": 301}]
    assert gone["attempts"] == 2
    assert gone["elapsed_ms"] in (1234, 1235)
    # occurrences ordered by file, then line
    assert [(s["file"], s["line"]) for s in gone["sources"]] == [("a.md", None), ("b.md", 4)]

    img = by_url[MISMATCH_URL]
    assert img["image"] == {
        "format": "jpeg",
        "actual": {"width": 1000, "height": 652},
        "displayed": None,
        "orientation": None,
        "bytes_read": 2048,
        "matches": False,
        "detail": "",
    }
    first = img["sources"][0]
    assert list(first) == [
        "file",
        "field",
        "line",
        "title",
        "text",
        "kind",
        "article_key",
        "outcome",
        "declared",
        "matches",
        "aspect_ratio_matches",
        "size_problem",
    ]
    assert first["text"] == "//img.example/photo.jpg"
    assert first["declared"] == {"width": 500, "height": 326}
    assert (first["matches"], first["aspect_ratio_matches"]) == (False, True)
    body = next(s for s in img["sources"] if s["field"] == "body")
    assert body["declared"] is None and body["matches"] is None

    rotated = by_url["https://img.example/rotated.jpg"]["image"]
    assert rotated["actual"] == {"width": 400, "height": 300}
    assert rotated["displayed"] == {"width": 300, "height": 400}
    assert rotated["orientation"] == 6 and rotated["matches"] is True

    assert doc["problems"][0] == {
        "file": "c.md",
        "reason": "invalid_declared_size",
        "message": "width is missing",
        "field": "images[3].width",
        "line": 9,
    }
    assert [p["file"] for p in doc["problems"]] == ["c.md", "d.md"]

    s = doc["summary"]
    assert s["unique_links"] == 6 and s["occurrences"] == 10
    assert s["outcomes"] == {"ok": 2, "broken": 2, "warning": 1, "skipped": 1}
    assert s["images"]["checked"] == 2 and s["images"]["mismatches"] == 1
    assert s["images"]["aspect_preserving_mismatches"] == 1
    assert s["images"]["bytes_read"] == 2560
    assert s["problems"] == 2


def test_json_is_deterministic() -> None:
    a = jsonfmt.dumps(sample_report(), tool_version="1")
    rep = build_report(
        run=run_info(), files=4, articles=3, results=list(reversed(sample_results())), problems=[]
    )
    b = jsonfmt.dumps(rep, tool_version="1")
    assert json.loads(a)["links"] == json.loads(b)["links"]


class Weird:
    def __str__(self) -> str:
        return "weird!"


def test_odd_declared_sizes_serialise(validator: Draft202012Validator) -> None:
    recursive: list[object] = [1]
    recursive.append(recursive)
    odd_values: list[tuple[object, object]] = [
        ([500, 326], {"w": 1}),
        (datetime.date(2024, 5, 1), datetime.datetime(2024, 5, 1, 12, 0)),
        (float("nan"), float("inf")),
        (500.5, -3),
        ("500px", None),
        ({1, 2}, b"\xff\x00"),
        (recursive, Weird()),
        (True, {1: datetime.time(1, 2)}),
        ((1, (2, 3)), 10**30),
    ]
    url = "https://img.example/odd.png"
    occurrences = tuple(
        occ(
            url,
            field=f"images[{i}].url",
            line=i + 1,
            kind=LinkKind.IMAGE,
            declared=DeclaredSize(w, h),
        )
        for i, (w, h) in enumerate(odd_values)
    )
    r = judged(
        CheckResult(
            link=Link(url, LinkKind.IMAGE, occurrences),
            outcome=Outcome.OK,
            reason=None,
            http_status=200,
            final_url=url,
            image=ImageProbe("png", 10, 10, 10, 10, 64),
        ),
        tuple(SizeVerdict(None, None, None, None, "invalid") for _ in odd_values),
    )
    rep = build_report(
        run=run_info(options={"path": datetime.date(2024, 1, 1), "nan": float("nan")}),
        files=1,
        articles=1,
        results=[r],
        problems=[],
    )
    text = jsonfmt.dumps(rep, tool_version="1")
    assert "NaN" not in text and "Infinity" not in text
    doc = json.loads(text)
    assert_valid(validator, doc)
    declared = [s["declared"] for s in doc["links"][0]["sources"]]
    assert declared[0] == {"width": [500, 326], "height": {"w": 1}}
    assert declared[1] == {"width": "2024-05-01", "height": "2024-05-01 12:00:00"}
    assert declared[2] == {"width": "nan", "height": "inf"}
    assert declared[3] == {"width": 500.5, "height": -3}
    assert declared[4] == {"width": "500px", "height": None}
    assert isinstance(declared[5]["width"], str) and isinstance(declared[5]["height"], str)
    assert declared[6]["height"] == "weird!"
    assert declared[7] == {"width": True, "height": {"1": "01:02:00"}}
    assert declared[8] == {"width": [1, [2, 3]], "height": 10**30}
    assert doc["links"][0]["image"]["matches"] is None
    assert doc["run"]["options"] == {"path": "2024-01-01", "nan": "nan"}


def test_odd_run_values_and_short_verdicts(validator: Draft202012Validator) -> None:
    url = "https://img.example/x.png"
    r = CheckResult(
        link=Link(
            url,
            LinkKind.IMAGE,
            (occ(url, kind=LinkKind.IMAGE), occ(url, field="body", kind=LinkKind.IMAGE)),
        ),
        outcome=Outcome.BROKEN,
        reason=Reason.IMAGE_UNREADABLE,
        http_status=200,
        final_url=url,
        elapsed=float("nan"),
        image=ImageProbe(None, None, None, None, None, 10, error=Reason.IMAGE_UNREADABLE),
    )
    r = judged(r, (SizeVerdict(1, 1, None, None),))  # shorter than occurrences: tolerated
    rep = build_report(
        run=run_info(duration_s=float("inf"), hosts=()),
        files=1,
        articles=1,
        results=[r],
        problems=[],
    )
    doc = json.loads(jsonfmt.dumps(rep, tool_version="1"))
    assert_valid(validator, doc)
    link = doc["links"][0]
    assert link["elapsed_ms"] == 0 and doc["run"]["duration_s"] == 0.0
    assert link["image"]["actual"] == {"width": None, "height": None}
    assert link["image"]["displayed"] is None
    assert [s["matches"] for s in link["sources"]] == [None, None]
    assert doc["summary"]["images"]["unreadable"] == 1


def test_surrogates_round_trip(tmp_path, validator: Draft202012Validator) -> None:  # type: ignore[no-untyped-def]
    name = os.fsdecode(b"caf\xe9.md")  # a non-UTF-8 file name, as os.listdir gives it
    r = CheckResult(
        link=Link("https://x.example/é", LinkKind.PAGE, (occ("https://x.example/é", file=name),)),
        outcome=Outcome.OK,
        reason=None,
        http_status=200,
        final_url=None,
    )
    rep = build_report(run=run_info(), files=1, articles=1, results=[r], problems=[])
    text = jsonfmt.dumps(rep, tool_version="1")
    text.encode("utf-8")  # must not raise
    assert "é" in text  # ensure_ascii=False
    doc = json.loads(text)
    assert doc["links"][0]["sources"][0]["file"] == name
    out = tmp_path / "report.json"
    jsonfmt.write_atomic(str(out), text)
    assert json.loads(out.read_text(encoding="utf-8")) == doc
    assert "caf\\xe9.md" in render_summary(
        build_report(
            run=run_info(),
            files=1,
            articles=1,
            results=[CheckResult(r.link, Outcome.BROKEN, Reason.DNS, None, None)],
            problems=[],
        )
    )


# --------------------------------------------------------------------------- write_atomic


def test_write_atomic_creates_and_replaces(tmp_path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "out.json"
    jsonfmt.write_atomic(str(target), "first\n")
    assert target.read_text(encoding="utf-8") == "first\n"
    umask = os.umask(0o022)
    os.umask(umask)
    # a new file gets the usual permissions (not mkstemp's 0600)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o666 & ~umask
    os.chmod(target, 0o640)
    inode = os.stat(target).st_ino
    jsonfmt.write_atomic(str(target), "sécond\n")
    assert target.read_text(encoding="utf-8") == "sécond\n"
    assert os.stat(target).st_ino != inode  # replaced, not rewritten in place
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640  # existing permissions kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_write_atomic_cleans_up_on_error(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "out.json"
    target.write_text("old\n", encoding="utf-8")

    def boom(src: str, dst: str) -> None:
        raise OSError("disk on fire")

    monkeypatch.setattr(atomic.os, "replace", boom)
    with pytest.raises(OSError, match="disk on fire"):
        jsonfmt.write_atomic(str(target), "new\n")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_write_atomic_unencodable_text_leaves_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnicodeEncodeError):
        jsonfmt.write_atomic(str(tmp_path / "x.json"), "\udcff")
    assert list(tmp_path.iterdir()) == []


def test_write_atomic_missing_directory_and_stdout(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(FileNotFoundError):
        jsonfmt.write_atomic(str(tmp_path / "nope" / "x.json"), "x")
    with pytest.raises(ValueError):
        jsonfmt.write_atomic("-", "x")


def test_write_atomic_relative_path(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    jsonfmt.write_atomic("rel.json", "{}\n")
    assert (tmp_path / "rel.json").read_text(encoding="utf-8") == "{}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rel.json"]


# --------------------------------------------------------------------------- text


def test_text_problems_say_the_line_once() -> None:
    # a parser message that already names its line gets no "(line N)" suffix; "line 1" is not
    # found inside "line 12"
    problems = (
        ArticleProblem("a.md", ProblemReason.INVALID_TOML, "invalid TOML at line 3: x", line=3),
        ArticleProblem("b.md", ProblemReason.INVALID_JSON, "invalid JSON at line 12: y", line=1),
    )
    rep = dataclasses.replace(sample_report(), problems=problems)
    out = render_summary(rep)
    assert "  a.md: invalid_toml: invalid TOML at line 3: x\n" in out
    assert "  b.md: invalid_json: invalid JSON at line 12: y (line 1)\n" in out


def test_text_summary_and_broken_links_by_file() -> None:
    out = render_summary(sample_report())
    assert "\x1b[" not in out
    lines = out.splitlines()
    assert lines[0] == "linkcheck: 2 broken links, 1 warning, 2 input problems"
    assert lines[1] == "  severity: 1 critical, 1 medium; 3 articles affected (in 3 files)"
    assert "4 files, 3 articles, 6 unique links, 10 occurrences" in out
    assert "ok 2, broken 2, warning 1, skipped 1" in out
    assert "http_status 1" in out and "image_dimension_mismatch 1" in out
    assert "2 checked, 1 size mismatch" in out
    assert "duration:  1 min 05 s" in out
    assert "down.example (dns, 4 URLs not requested)" in out

    # grouped by file, files sorted, field[:line] URL → reason
    a = lines.index("a.md")
    b = lines.index("b.md")
    c = lines.index("c.md")
    assert a < b < c
    a_block = re.sub(" +", " ", "\n".join(lines[a:b]))  # ignore column padding
    assert "related[2].webUrl https://gone.example/page → http_status (404, after" in a_block
    assert "after 1 redirect to https://gone.example/new" in a_block
    assert (
        "images[0].url:7 https://img.example/photo.jpg → image_dimension_mismatch: "
        "declared 500x326, actual 1000x652 (same aspect ratio: resized copy)"
    ) in a_block
    assert "images[1].url:10" not in a_block  # that occurrence matches: not listed
    assert "ampWebUrl:4  https://gone.example/page  → http_status" in out
    c_block = re.sub(" +", " ", "\n".join(lines[c:]))
    assert (
        "images[0].url:3 https://img.example/photo.jpg → image_dimension_mismatch: "
        "declared 400x400, actual 1000x652 (different aspect ratio: different image?)"
    ) in c_block
    assert "c.md:" not in c_block.split("Input problems")[0]

    # warnings counted, not listed; skipped never listed
    assert "1 warning not listed (use --verbose to list them)" in out
    assert "blocked.example" not in out
    assert "mailto:" not in out

    # input problems: file: reason: message
    assert "Input problems (2):" in out
    assert "  c.md: invalid_declared_size: width is missing (images[3].width:9)" in out
    assert "  d.md: invalid_yaml: mapping values are not allowed (line 3)" in out
    assert out.index("Broken links") < out.index("Input problems")

    # what to fix first leads, most urgent first, pointing at the citation that makes it urgent
    fix = lines[lines.index("Fix first:") + 1 : lines.index("Fix first:") + 3]
    assert fix == [
        "  critical  https://gone.example/page  [HTTP 404; b.md ampWebUrl:4, +1 more article]",
        "  medium    https://img.example/photo.jpg  "
        "[image_dimension_mismatch; a.md images[0].url:7, +1 more article]",
    ]
    assert out.index("Fix first:") < out.index("Broken links")
    assert "Update these links" not in out and "since the last run" not in out


def test_text_verbose_lists_warnings() -> None:
    out = render_summary(sample_report(), verbose=True)
    assert "--verbose" not in out
    assert "Warnings (1), by file:" in out
    assert "body:12  https://blocked.example/  → blocked (403 from a bot filter)" in out


def test_text_verbose_lists_host_statistics() -> None:
    out = render_summary(sample_report(), verbose=True)
    assert "Hosts (2):" in out
    assert (
        "z.example: 3 requests, 1 retries, max 2 in flight, waited 1.2 s — 1 x 429, slowed to 0.5/s"
        in out
    )
    assert "down.example: 0 requests" in out and "down (dns)" in out
    assert "Hosts (" not in render_summary(sample_report())


def test_text_color() -> None:
    plain = render_summary(sample_report())
    colored = render_summary(sample_report(), color=True)
    assert "\x1b[31m" in colored and "\x1b[0m" in colored
    assert re.sub(r"\x1b\[[0-9;]*m", "", colored) == plain


def test_text_clean_run_and_interrupted() -> None:
    ok = CheckResult(
        Link("https://ok.example/", LinkKind.PAGE, (occ("https://ok.example/"),)),
        Outcome.OK,
        None,
        200,
        "https://ok.example/",
    )
    rep = build_report(
        run=run_info(hosts=(), duration_s=3.21), files=1, articles=1, results=[ok], problems=[]
    )
    out = render_summary(rep)
    assert out.splitlines()[0] == "linkcheck: no broken links"
    assert "Broken links" not in out and "Input problems" not in out
    assert "duration:  3.2 s" in out and out.endswith("\n")
    rep = build_report(
        run=run_info(hosts=(), interrupted=True), files=0, articles=0, results=[], problems=[]
    )
    assert "INTERRUPTED" in render_summary(rep)


def test_text_escapes_control_characters() -> None:
    evil = "https://x.example/\x1b[2J\u202egnp.exe"
    r = CheckResult(
        Link(evil, LinkKind.OTHER, (occ(evil, file="a\nb.md", field="body"),)),
        Outcome.BROKEN,
        Reason.DNS,
        None,
        None,
        detail="bad\rthing",
    )
    out = render_summary(
        build_report(run=run_info(), files=1, articles=1, results=[r], problems=[])
    )
    assert "\x1b" not in out and "\r" not in out and "\u202e" not in out
    assert "\\x1b[2J" in out and "a\\x0ab.md" in out and "bad\\x0dthing" in out


def test_text_renders_many_broken_links_quickly() -> None:
    results = [
        CheckResult(
            Link(
                f"https://h{i % 50}.example/{i}",
                LinkKind.PAGE,
                (occ(f"https://h{i % 50}.example/{i}", file=f"f{i % 1000}.md", line=i),),
            ),
            Outcome.BROKEN,
            Reason.HTTP_STATUS,
            404,
            None,
        )
        for i in range(50_000)
    ]
    rep = build_report(run=run_info(), files=1000, articles=1000, results=results, problems=[])
    start = time.perf_counter()
    out = render_summary(rep)
    elapsed = time.perf_counter() - start
    assert out.count("→ http_status (404") == 50_000
    assert elapsed < 10


# ------------------------------------------------------------------ streaming, reading back


def test_streamed_report_is_the_same_text(tmp_path) -> None:  # type: ignore[no-untyped-def]
    rep = sample_report()
    text = jsonfmt.dumps(rep, tool_version="1.2.3")
    assert text == (
        json.dumps(jsonfmt.to_dict(rep, tool_version="1.2.3"), indent=2, ensure_ascii=False) + "\n"
    )
    out = tmp_path / "report.json"
    jsonfmt.write_report(str(out), rep, tool_version="1.2.3")
    assert out.read_bytes() == text.encode("utf-8")
    buffer = io.StringIO()
    jsonfmt.write(rep, buffer, tool_version="1.2.3")
    assert buffer.getvalue() == text
    assert list(tmp_path.iterdir()) == [out]  # no temp file left behind


def test_streamed_empty_report(tmp_path) -> None:  # type: ignore[no-untyped-def]
    rep = build_report(run=run_info(hosts=()), files=0, articles=0, results=[], problems=[])
    text = jsonfmt.dumps(rep, tool_version="1")
    assert text == json.dumps(jsonfmt.to_dict(rep, tool_version="1"), indent=2) + "\n"
    assert '"links": [],' in text and '"file_hashes": {}\n}' in text


def test_write_report_failure_leaves_the_old_file(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "report.json"
    out.write_text("old\n")

    def boom(*args: object, **kw: object) -> dict[str, object]:
        raise RuntimeError("a bug half way through")

    monkeypatch.setattr(jsonfmt, "_link", boom)
    with pytest.raises(RuntimeError):
        jsonfmt.write_report(str(out), sample_report(), tool_version="1")
    assert out.read_text() == "old\n"
    assert list(tmp_path.iterdir()) == [out]


def test_load_report_round_trips(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from linkcheck.formats.json_read import load_report

    rep = sample_report(config_file="/srv/lib/linkcheck.toml")
    text = jsonfmt.dumps(rep, tool_version="0.1.0")
    path = tmp_path / "r.json"
    path.write_text(text, encoding="utf-8")
    back = load_report(path)
    assert jsonfmt.dumps(back, tool_version="0.1.0") == text
    assert back.run.config_file == "/srv/lib/linkcheck.toml"
    assert back.exit_code == rep.exit_code == 1
    with open(path, "rb") as binary, open(path, encoding="utf-8") as textual:
        assert load_report(binary) == back == load_report(textual)
    # the types are the real ones, verdicts paired with their occurrences
    mismatch = next(r for r in back.results if r.link.url == MISMATCH_URL)
    assert mismatch.reason is Reason.IMAGE_DIMENSION_MISMATCH
    assert [o.verdict.matches if o.verdict else None for o in mismatch.link.occurrences] == [
        False,
        True,
        False,
        None,
    ]


def test_load_report_odd_values_round_trip(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from linkcheck.formats.json_read import load_report

    name = os.fsdecode(b"caf\xe9.md")
    r = judged(
        CheckResult(
            link=Link(
                "https://x.example/é.png",
                LinkKind.IMAGE,
                (
                    occ(
                        "https://x.example/é.png",
                        file=name,
                        kind=LinkKind.IMAGE,
                        declared=DeclaredSize([1, {"a": None}], datetime.date(2024, 1, 1)),
                    ),
                ),
            ),
            outcome=Outcome.OK,
            reason=None,
            http_status=200,
            final_url=None,
            image=ImageProbe("png", 10, 10, 10, 10, 64),
        ),
        (SizeVerdict(None, None, None, None, "width is not a whole number"),),
    )
    rep = build_report(run=run_info(), files=1, articles=1, results=[r], problems=[])
    text = jsonfmt.dumps(rep, tool_version="1")
    assert jsonfmt.dumps(load_report(io.StringIO(text)), tool_version="1") == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not a JSON report"),
        ("[]", "not a linkcheck JSON report"),
        ('{"links": [], "schema_version": 3}', "schema_version 3"),
        ('{"links": [{}], "schema_version": 1}', "not a valid linkcheck report"),
    ],
)
def test_load_report_refuses_what_it_cannot_read(text: str, message: str) -> None:
    from linkcheck.errors import InputError
    from linkcheck.formats.json_read import load_report

    with pytest.raises(InputError, match=message):
        load_report(io.StringIO(text))


def test_load_report_unknown_vocabulary_is_a_clear_error() -> None:
    from linkcheck.errors import InputError
    from linkcheck.formats.json_read import load_report

    doc = json.loads(jsonfmt.dumps(sample_report(), tool_version="1"))
    doc["links"][0]["reason"] = "gremlins"
    with pytest.raises(InputError, match="unknown Reason 'gremlins'"):
        load_report(io.StringIO(json.dumps(doc)))
    with pytest.raises(InputError, match="cannot read"):
        load_report("/nonexistent/report.json")


def test_declared_sizes_are_json_safe_on_construction() -> None:
    recursive: list[object] = [1]
    recursive.append(recursive)
    d = DeclaredSize(datetime.date(2024, 5, 1), float("nan"))
    assert (d.width, d.height) == ("2024-05-01", "nan")
    assert DeclaredSize(b"\xff", {1: {2, 3}}).width == "b'\\xff'"
    assert DeclaredSize([1, (2, 3)], {1: None}) == DeclaredSize((1, [2, 3]), {"1": None})
    deep = DeclaredSize(recursive, Weird())
    assert deep.height == "weird!" and isinstance(deep.width, tuple)
    assert json.dumps([deep.width, deep.height])  # finite depth, plain JSON values
    assert DeclaredSize(500, 326.0) == DeclaredSize(500, 326.0)  # numbers are kept as written


# --------------------------------------------------------------------------- triage fields


def test_json_triage_fields(validator: Draft202012Validator) -> None:
    moved = CheckResult(
        link=Link("https://old.example/", LinkKind.OTHER, (occ("https://old.example/", "e.md"),)),
        outcome=Outcome.OK,
        reason=None,
        http_status=200,
        final_url="https://new.example/",
        redirects=(Hop("https://old.example/", 308),),
    )
    rep = build_report(
        run=run_info(), files=4, articles=3, results=[*sample_results(), moved], problems=[]
    )
    doc = json.loads(jsonfmt.dumps(rep, tool_version="1"))
    assert_valid(validator, doc)
    by_url = {link["url"]: link for link in doc["links"]}
    gone = by_url["https://gone.example/page"]  # an ampWebUrl: an article is down
    assert (gone["severity"], gone["permanent_redirect"]) == ("critical", None)
    assert by_url["https://old.example/"]["permanent_redirect"] == "https://new.example/"
    assert by_url["https://old.example/"]["severity"] == "low"
    img = by_url[MISMATCH_URL]
    assert img["severity"] == "medium"  # one citation declares another aspect ratio
    assert [(s["file"], s["field"], s["outcome"]) for s in img["sources"]] == [
        ("a.md", "images[0].url", "broken"),
        ("a.md", "images[1].url", "ok"),  # this article declares the right size
        ("c.md", "images[0].url", "broken"),
        ("c.md", "body", "ok"),
    ]
    assert by_url["https://blocked.example/"]["sources"][0]["outcome"] == "warning"
    assert doc["summary"]["triage"] == {
        "severities": {"critical": 1, "high": 0, "medium": 1, "low": 2, "none": 3},
        "permanent_redirects": 1,
        "articles_affected": 3,  # a.md, b.md (gone) and c.md (image): keyed by file here
        "files_affected": 3,
    }
    assert list(doc["summary"])[-1] == "triage"


def test_schema_checks_the_triage_fields(validator: Draft202012Validator) -> None:
    doc = jsonfmt.to_dict(sample_report(), tool_version="1")
    for path, value in [
        (("links", 0, "severity"), "urgent"),
        (("links", 0, "permanent_redirect"), 301),
        (("links", 0, "sources", 0, "outcome"), "fine"),
        (("summary", "triage", "articles_affected"), -1),
        (("summary", "triage", "severities", "critical"), "1"),
    ]:
        bad = json.loads(json.dumps(doc))
        node = bad
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        assert list(validator.iter_errors(bad)), path
    bad = json.loads(json.dumps(doc))
    del bad["summary"]["triage"]["files_affected"]
    assert list(validator.iter_errors(bad))


def _as_version_1(doc: dict) -> dict:  # type: ignore[type-arg]
    """What linkcheck 0.1 wrote: no v2 fields, no triage."""
    old = json.loads(json.dumps(doc))
    old["schema_version"] = 1
    for key in ("config_file", "run_id", "state_file", "fail_after", "network_down"):
        old["run"].pop(key)
    old["summary"].pop("history")
    old["summary"].pop("triage")
    for link in old["links"]:
        for key in ("id", "checked_at", "cached", "history", "severity", "permanent_redirect"):
            link.pop(key)
        for source in link["sources"]:
            source.pop("article_key")
            source.pop("outcome")
    return old


def test_load_report_reads_version_1_and_adds_triage(validator: Draft202012Validator) -> None:
    from linkcheck.formats.json_read import load_report

    text = jsonfmt.dumps(sample_report(), tool_version="1")
    old = _as_version_1(json.loads(text))
    assert_valid(validator, old)  # the schema validates both versions
    back = load_report(io.StringIO(json.dumps(old)))
    # triage is derived from the results: a version 1 report gets it on the way back out
    assert jsonfmt.dumps(back, tool_version="1") == text


def test_triage_round_trips_through_load_report() -> None:
    from linkcheck.formats.json_read import load_report

    text = jsonfmt.dumps(sample_report(), tool_version="1")
    back = load_report(io.StringIO(text))
    assert jsonfmt.dumps(back, tool_version="1") == text
    assert '"severity": "critical"' in text and '"triage": {' in text


# --------------------------------------------------------------------------- text: triage


def _dead(i: int, field: str = "body", kind: LinkKind = LinkKind.OTHER) -> CheckResult:
    url = f"https://dead.example/{i:02d}"
    return CheckResult(
        Link(url, kind, (occ(url, file=f"f{i:02d}.md", field=field, line=i, kind=kind),)),
        Outcome.BROKEN,
        Reason.HTTP_STATUS,
        404,
        url,
    )


def _moved(i: int) -> CheckResult:
    url = f"https://old.example/{i:02d}"
    return CheckResult(
        Link(url, LinkKind.OTHER, (occ(url, file="m.md", field="body", line=i),)),
        Outcome.OK,
        None,
        200,
        f"https://new.example/{i:02d}",
        redirects=(Hop(url, 301),),
    )


def test_text_fix_first_ranks_and_truncates() -> None:
    from linkcheck.formats.text_triage import FIX_FIRST

    results = [_dead(i) for i in range(FIX_FIRST + 2)]
    results.append(_dead(99, "webUrl", LinkKind.PAGE))
    results.append(_dead(98, "images[0].url", LinkKind.IMAGE))
    rep = build_report(run=run_info(), files=1, articles=1, results=results, problems=[])
    lines = render_summary(rep).splitlines()
    assert lines[:2] == [
        "linkcheck: 14 broken links",
        "  severity: 1 critical, 1 high, 12 medium; 14 articles affected (in 14 files)",
    ]
    start = lines.index("Fix first:") + 1
    shown = lines[start : start + FIX_FIRST]
    assert shown[0].startswith("  critical  https://dead.example/99  [HTTP 404; f99.md webUrl:99]")
    assert shown[1].startswith("  high      https://dead.example/98")
    assert all(line.startswith("  medium") for line in shown[2:])
    assert lines[start + FIX_FIRST] == "  (+4 more, all listed by file below)"


def test_text_update_these_links() -> None:
    from linkcheck.formats.text_triage import REDIRECTS_SHOWN

    n = REDIRECTS_SHOWN + 3
    rep = build_report(
        run=run_info(), files=1, articles=1, results=[_moved(i) for i in range(n)], problems=[]
    )
    out = render_summary(rep)
    lines = out.splitlines()
    assert lines[0] == "linkcheck: no broken links"
    assert f"  {n} links moved permanently: update them" in lines
    assert "Fix first:" not in out
    start = lines.index(f"Update these links ({n} permanent redirects):") + 1
    assert lines[start] == "  https://old.example/00  → https://new.example/00  [m.md body:0]"
    assert lines[start + REDIRECTS_SHOWN] == "  (+3 more: --verbose lists them all)"
    verbose = render_summary(rep, verbose=True)
    assert verbose.count("→ https://new.example/") == n and "--verbose lists" not in verbose


def test_text_history_changes() -> None:
    from linkcheck.models import History, HistoryStatus

    def with_history(r: CheckResult, status: HistoryStatus) -> CheckResult:
        return dataclasses.replace(
            r, history=History(status, "2026-01-01T00:00:00Z", None, 1, None)
        )

    ok = dataclasses.replace(_moved(1), redirects=(), final_url="https://old.example/01")
    results = [
        with_history(_dead(1), HistoryStatus.NEWLY_BROKEN),
        with_history(_dead(2), HistoryStatus.NEWLY_BROKEN),
        with_history(_dead(3), HistoryStatus.STILL_BROKEN),
        with_history(ok, HistoryStatus.FIXED),
    ]
    rep = build_report(run=run_info(), files=1, articles=1, results=results, problems=[])
    assert "  since the last run: 2 newly broken, 1 fixed, 1 still broken" in render_summary(rep)
    quiet = [with_history(ok, HistoryStatus.OK)]
    rep = build_report(run=run_info(), files=1, articles=1, results=quiet, problems=[])
    assert "  since the last run: no changes" in render_summary(rep)


def test_text_severity_colours() -> None:
    rep = build_report(
        run=run_info(),
        files=1,
        articles=1,
        results=[_dead(1, "webUrl", LinkKind.PAGE), _dead(2)],
        problems=[],
    )
    colored = render_summary(rep, color=True)
    assert "\x1b[1;31mcritical\x1b[0m" in colored  # in the fix-first list, padded to "critical"
    assert "\x1b[33m1 medium\x1b[0m" in colored
    assert re.sub(r"\x1b\[[0-9;]*m", "", colored) == render_summary(rep)


def test_reader_ignores_stored_triage_values_and_works_them_out() -> None:
    """A report from another version may rank differently (or use a severity this version
    does not know): the reader ignores the stored values, and every output agrees with the
    rules of this version."""
    from linkcheck.formats.json_read import load_report

    text = jsonfmt.dumps(sample_report(), tool_version="1")
    doc = json.loads(text)
    for link in doc["links"]:
        link["severity"] = "urgent"
        link["permanent_redirect"] = "https://elsewhere.example/"
        for source in link["sources"]:
            source["outcome"] = "fine"
    doc["summary"]["triage"] = {"severities": {"urgent": 6}}
    back = load_report(io.StringIO(json.dumps(doc)))
    assert jsonfmt.dumps(back, tool_version="1") == text
    assert "  severity: 1 critical, 1 medium;" in render_summary(back)
