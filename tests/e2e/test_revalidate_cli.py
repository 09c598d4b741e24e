"""Two `linkcheck run`s on one state store with `--cache-max-age 0` (nothing reused without a
request): the second asks for every readable image conditionally, and an unchanged image costs
a 304 and no body byte. Counted from the server's log."""

from __future__ import annotations

from typing import Any

from e2ekit import LibraryFactory, RunCli
from sitekit import Site, png

# 64x48 each but the last (32x24: a declared-size mismatch, which is revalidated too)
NAMES = ("jpeg_baseline_pil.jpg", "png_pil.png", "gif_pil.gif", "jpeg_big_app_pil.jpg")


def article(title: str, url: str, width: int, height: int) -> dict[str, Any]:
    return {
        "title": title,
        "webUrl": "{s}/ok",
        "images": [{"url": url, "width": width, "height": height}],
    }


def image_log(site: Site) -> list[tuple[str, int | None, int]]:
    site.wait_idle()
    return [(e.path, e.status, e.bytes_sent) for e in site.log if e.path.startswith("/files/")]


def test_second_run_revalidates_images_without_body_bytes(
    site: Site, library: LibraryFactory, run_cli: RunCli
) -> None:
    moving = site.put_file("moving.png", png(64, 48))
    spec = [article(n, "{s}/files/" + n, 64, 48) for n in NAMES]
    spec.append(article("Moving", "{s}" + moving, 64, 48))
    folder = library(spec, s=site)

    first = run_cli(folder, "--cache-max-age", "0")
    first_log = image_log(site)
    assert first_log and all(status == 206 for _, status, _ in first_log)
    first_bytes = sum(sent for _, _, sent in first_log)
    assert first_bytes > 0
    images = [lk for lk in first.links if lk["kind"] == "image"]
    assert len(images) == len(NAMES) + 1 and not any(lk["cached"] for lk in images)

    site.put_file("moving.png", png(32, 24))  # resized in place between the runs
    site.reset()
    second = run_cli(folder, "--cache-max-age", "0")
    second_log = image_log(site)

    # one request per image: a 304 with no body for each unchanged one
    unchanged = [(p, st, b) for p, st, b in second_log if p != moving]
    assert sorted(p for p, _, _ in unchanged) == sorted(f"/files/{n}" for n in NAMES)
    assert all((st, b) == (304, 0) for _, st, b in unchanged), unchanged
    assert [(st, b > 0) for p, st, b in second_log if p == moving] == [(206, True)]
    assert second.report is not None and first.report is not None
    assert second.report["summary"]["images"]["bytes_read"] < first_bytes

    for name in NAMES:
        before, after = (
            first.link(site.url(f"/files/{name}")),
            second.link(site.url(f"/files/{name}")),
        )
        assert (after["outcome"], after["reason"]) == (before["outcome"], before["reason"])
        assert after["cached"] is True
        if after["outcome"] == "ok":
            assert after["detail"] == ""  # the report's contract: no detail for an ok link
        else:  # a declared-size mismatch, judged again from the kept size
            assert after["reason"] == "image_dimension_mismatch"
            assert after["detail"].endswith("(304)")
        assert after["image"]["actual"] == before["image"]["actual"]
        assert after["image"]["bytes_read"] == 0
    resized = second.link(site.url(moving))
    assert (resized["outcome"], resized["reason"], resized["cached"]) == (
        "broken",
        "image_dimension_mismatch",
        False,
    )
    assert resized["image"]["actual"] == {"width": 32, "height": 24}
