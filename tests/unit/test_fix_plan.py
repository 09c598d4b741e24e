"""What `linkcheck fix` plans from a report: only the mismatched citation of an image, the
library's own width/height names, permanent redirects only (never temporary), the URL as
written; and where the report's files are (`Locator`)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from linkcheck.errors import InputError
from linkcheck.fix import plan_fixes
from linkcheck.fix.files import Locator
from linkcheck.models import (
    CheckResult,
    DeclaredSize,
    Hop,
    ImageProbe,
    Link,
    LinkKind,
    Occurrence,
    Outcome,
    Reason,
    Report,
    RunInfo,
    SizeVerdict,
    Source,
)


def occ(field: str, text: str, kind: LinkKind = LinkKind.IMAGE, **kw: object) -> Occurrence:
    return Occurrence(text, kind, Source(str(kw.pop("file", "a.md")), field, 5, None), **kw)  # type: ignore[arg-type]


def report(*results: CheckResult, fields: dict[str, str] | None = None) -> Report:
    run = RunInfo(
        started_at="t0",
        finished_at="t1",
        duration_s=0.0,
        inputs=("lib",),
        options={"fields": fields or {}},
    )
    return Report(run=run, files=1, articles=1, results=results, file_hashes={"a.md": "0"})


def image(url: str, *occurrences: Occurrence, shown: tuple[int, int] = (640, 480)) -> CheckResult:
    probe = ImageProbe("jpeg", shown[1], shown[0], shown[0], shown[1], 100, orientation=6)
    return CheckResult(
        Link(url, LinkKind.IMAGE, occurrences),
        Outcome.BROKEN,
        Reason.IMAGE_DIMENSION_MISMATCH,
        200,
        url,
        image=probe,
    )


def verdict(w: int, h: int, matches: bool) -> SizeVerdict:
    return SizeVerdict(w, h, matches, True)


def moved(url: str, *hops: tuple[str, int], final: str, text: str | None = None) -> CheckResult:
    o = occ("webUrl", text or url, LinkKind.PAGE)
    return CheckResult(
        Link(url, LinkKind.PAGE, (o, occ("body", text or url, LinkKind.OTHER))),
        Outcome.OK,
        None,
        200,
        final,
        redirects=tuple(Hop(u, s) for u, s in hops),
    )


def test_only_the_citation_whose_own_size_is_wrong_is_planned_at_the_displayed_size() -> None:
    right = occ("images[0].url", "http://i/a.jpg", verdict=verdict(640, 480, True))
    wrong = occ("related[1].images[0].url", "http://i/a.jpg", verdict=verdict(480, 640, False))
    unjudged = occ("images[1].url", "http://i/a.jpg", declared=DeclaredSize(None, None))
    plans = plan_fixes(report(image("http://i/a.jpg", right, wrong, unjudged)))
    [fix] = plans["a.md"].sizes
    assert fix.url_field == "related[1].images[0].url"
    assert (fix.width_field, fix.height_field) == (
        "related[1].images[0].width",
        "related[1].images[0].height",
    )
    assert fix.actual == (640, 480)  # displayed (EXIF-rotated), not the stored 480x640
    assert plans["a.md"].urls == [] and plans["a.md"].unusable == []


def test_the_library_field_names_come_from_the_run_options() -> None:
    wrong = occ("media[0].src", "http://i/a.jpg", verdict=verdict(1, 1, False))
    mapped = {"images": "media", "image_url": "src", "image_width": "w", "image_height": "h"}
    [fix] = plan_fixes(report(image("http://i/a.jpg", wrong), fields=mapped))["a.md"].sizes
    assert (fix.width_field, fix.height_field) == ("media[0].w", "media[0].h")


def test_a_mismatch_without_a_known_size_or_outside_an_image_field_is_unusable() -> None:
    bare = occ("images[0]", "http://i/a.jpg", verdict=verdict(1, 1, False))
    plan = plan_fixes(report(image("http://i/a.jpg", bare)))["a.md"]
    assert plan.sizes == [] and "not in an image's 'url' field" in plan.unusable[0][2]


def test_permanent_redirects_are_planned_for_every_citation_temporary_never() -> None:
    results = (
        moved("http://a/old", ("http://a/old", 301), final="http://a/new"),
        moved("http://a/tmp", ("http://a/tmp", 302), final="http://a/new"),
        moved("http://a/x", ("http://a/x", 308), ("http://a/y", 307), final="http://a/z"),
    )
    plans = plan_fixes(report(*results))
    assert [(u.field, u.old, u.new) for u in plans["a.md"].urls] == [
        ("webUrl", "http://a/old", "http://a/new"),
        ("body", "http://a/old", "http://a/new"),
        ("webUrl", "http://a/x", "http://a/y"),  # where the permanent hops lead
        ("body", "http://a/x", "http://a/y"),
    ]
    assert plan_fixes(report(*results), only="sizes") == {}


def test_the_url_as_written_is_replaced_keeping_its_fragment_and_relative_form() -> None:
    written = moved(
        "http://a.test/old", ("http://a.test/old", 301), final="http://a.test/new", text="/old#top"
    )
    urls = plan_fixes(report(written))["a.md"].urls
    assert {(u.old, u.new) for u in urls} == {("/old#top", "/new#top")}
    spelled = moved(
        "http://a.test/old",
        ("http://a.test/old", 301),
        final="http://b.test/",
        text="HTTP://A.test/old",
    )
    assert {u.new for u in plan_fixes(report(spelled))["a.md"].urls} == {"http://b.test/"}


def test_only_redirects_leaves_sizes_out() -> None:
    wrong = occ("images[0].url", "http://i/a.jpg", verdict=verdict(1, 1, False))
    assert plan_fixes(report(image("http://i/a.jpg", wrong)), only="redirects") == {}


# ------------------------------------------------------------------ Locator


def test_one_folder_names_are_relative_to_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "lib" / "sub").mkdir(parents=True)
    (tmp_path / "lib" / "sub" / "a.md").write_text("x")
    monkeypatch.chdir(tmp_path)
    assert Locator(["lib"])("sub/a.md") == os.path.join("lib", "sub", "a.md")
    with pytest.raises(InputError, match="not a file name inside"):
        Locator(["lib"])("../etc/passwd")


def test_several_folders_use_the_runs_labels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for lang in ("en", "fr"):
        (tmp_path / lang / "content").mkdir(parents=True)
        (tmp_path / lang / "content" / "a.md").write_text(lang)
    monkeypatch.chdir(tmp_path)
    locate = Locator(["en/content", "fr/content"])
    assert Path(locate("fr/content/a.md")).read_text() == "fr"
    with pytest.raises(InputError, match="not a name under any"):
        locate("de/content/a.md")


def test_inputs_are_found_next_to_the_report_when_not_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "site" / "lib").mkdir(parents=True)
    (tmp_path / "site" / "lib" / "a.md").write_text("x")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    report_path = str(tmp_path / "site" / "report.json")
    assert Path(Locator(["lib"], report_path=report_path)("a.md")).read_text() == "x"
    with pytest.raises(InputError, match="cannot be found from the current folder"):
        Locator(["lib"])
    assert Path(Locator(["nowhere"], root=str(tmp_path / "site" / "lib"))("a.md")).exists()
    with pytest.raises(InputError, match="not a folder"):
        Locator(["lib"], root=str(tmp_path / "missing"))


def test_a_file_given_alone_is_found_by_the_name_the_run_gave_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "a.md").write_text("a")
    (tmp_path / "one.md").write_text("one")
    monkeypatch.chdir(tmp_path)
    locate = Locator(["lib", "./one.md"])
    assert Path(locate("one.md")).read_text() == "one"  # Discovery: relative to the cwd
    assert Path(locate("a.md")).read_text() == "a"


def test_a_hand_edited_report_is_an_input_error_not_a_traceback() -> None:
    odd = Occurrence("http://a/old", LinkKind.PAGE, Source(5, "webUrl", 3, None))  # type: ignore[arg-type]
    result = CheckResult(
        Link("http://a/old", LinkKind.PAGE, (odd,)),
        Outcome.OK,
        None,
        200,
        "http://a/new",
        redirects=(Hop("http://a/old", 301),),
    )
    with pytest.raises(InputError, match="not as linkcheck writes it: a citation's file is 5"):
        plan_fixes(report(result))
    wordless = Occurrence(5, LinkKind.PAGE, Source("a.md", "webUrl", 3, None))  # type: ignore[arg-type]
    assert plan_fixes(report(moved("http://a/x", ("http://a/x", 301), final="http://a/y"))) != {}
    assert (
        plan_fixes(
            report(
                CheckResult(
                    Link("http://a/old", LinkKind.PAGE, (wordless,)),
                    Outcome.OK,
                    None,
                    200,
                    "http://a/new",
                    redirects=(Hop("http://a/old", 301),),
                )
            )
        )
        == {}
    )
