"""Conditional image rechecks through `check_link` and a real loopback server: an image kept
from an earlier run (`CheckContext.revalidate`) is asked for with If-None-Match /
If-Modified-Since, and a 304 reuses its kept probe without a body byte. Asserted from the
server's log (status answered, body bytes sent, headers received)."""

from __future__ import annotations

from typing import Any

from sitekit import Response, Site, png

from linkcheck.check import CheckContext, check_link
from linkcheck.config import Config
from linkcheck.hosts.gate import Politeness
from linkcheck.models import (
    CachedImage,
    CheckResult,
    DeclaredSize,
    Link,
    LinkKind,
    Occurrence,
    Outcome,
    Reason,
    Source,
    Validators,
)
from linkcheck.net.client import make_client

LAST_RUN = "2026-11-23T03:00:00Z"

JPEG = "/files/jpeg_baseline_pil.jpg"  # 64x48 in fixtures/images


def image_link(url: str, *declared: tuple[Any, Any]) -> Link:
    occurrences = tuple(
        Occurrence(
            url,
            LinkKind.IMAGE,
            Source(f"a{i}.md", "images[0].url", 3, f"Article {i}"),
            DeclaredSize(w, h),
        )
        for i, (w, h) in enumerate(declared)
    )
    return Link(url, LinkKind.IMAGE, occurrences)


async def check(
    site: Site, link: Link, revalidate: dict[str, CachedImage] | None = None
) -> CheckResult:
    cfg = Config(timeout=5.0, retries=0, allow_private=True)
    async with make_client(cfg) as client:
        ctx = CheckContext(
            client=client, config=cfg, gate=Politeness(cfg), revalidate=revalidate or {}
        )
        result = await check_link(link, ctx)
    site.wait_idle()  # the server logs a request's bytes just after the client read them
    return result


def kept(result: CheckResult) -> CachedImage:
    """What the state store keeps of an image's verdict."""
    assert result.validators is not None and result.image is not None
    return CachedImage(
        validators=result.validators,
        probe=result.image,
        http_status=result.http_status,
        final_url=result.final_url,
        checked_at=LAST_RUN,
    )


async def test_unchanged_image_costs_one_request_and_no_body(site: Site) -> None:
    url = site.url(JPEG)
    first = await check(site, image_link(url, (64, 48)))
    assert (first.outcome, first.http_status, first.cached) == (Outcome.OK, 206, False)
    assert first.validators is not None and first.validators.etag is not None
    assert first.validators.last_modified is not None
    assert site.files_dir is not None
    size = (site.files_dir / "jpeg_baseline_pil.jpg").stat().st_size
    assert first.validators.content_length == size  # the total of Content-Range
    site.reset()

    again = await check(site, image_link(url, (64, 48)), {url: kept(first)})

    (entry,) = site.requests(JPEG)
    assert entry.headers["if-none-match"] == first.validators.etag
    assert entry.headers["if-modified-since"] == first.validators.last_modified
    assert (entry.status, entry.bytes_sent) == (304, 0)
    # the status the verdict rests on; the detail says a 304 vouched for it
    assert (again.outcome, again.reason, again.http_status) == (Outcome.OK, None, 206)
    assert again.cached is True
    assert again.detail == f"not modified since {LAST_RUN} (304)"
    assert again.image is not None and first.image is not None
    assert (again.image.format, again.image.displayed_width, again.image.displayed_height) == (
        "jpeg",
        64,
        48,
    )
    assert again.image.bytes_read == 0
    assert again.validators == first.validators
    assert again.verdicts[0] is not None and again.verdicts[0].matches is True


async def test_replaced_image_is_probed_again_and_its_new_size_judged(site: Site) -> None:
    path = site.put_file("photo.png", png(64, 48))
    url = site.url(path)
    first = await check(site, image_link(url, (64, 48)))
    assert first.outcome is Outcome.OK
    site.put_file("photo.png", png(32, 24))  # resized in place: new ETag and date
    site.reset()

    again = await check(site, image_link(url, (64, 48)), {url: kept(first)})

    (entry,) = site.requests(path)
    assert entry.headers["if-none-match"] == kept(first).validators.etag
    assert entry.status == 206 and entry.bytes_sent > 0
    assert (again.outcome, again.reason) == (Outcome.BROKEN, Reason.IMAGE_DIMENSION_MISMATCH)
    assert again.cached is False
    assert again.image is not None and again.image.displayed_width == 32
    assert "declared 64x48, actual 32x24" in again.detail
    assert again.validators is not None and first.validators is not None
    assert again.validators.etag != first.validators.etag


async def test_unchanged_image_is_judged_against_this_runs_declared_size(site: Site) -> None:
    url = site.url(JPEG)
    first = await check(site, image_link(url, (64, 48)))
    site.reset()

    # the article now declares another size; the image did not change
    again = await check(site, image_link(url, (64, 48), (640, 480)), {url: kept(first)})

    (entry,) = site.requests(JPEG)
    assert (entry.status, entry.bytes_sent) == (304, 0)
    assert (again.outcome, again.reason) == (Outcome.BROKEN, Reason.IMAGE_DIMENSION_MISMATCH)
    assert again.cached is True
    assert again.detail.startswith("declared 640x480, actual 64x48")
    assert again.detail.endswith(f"; not modified since {LAST_RUN} (304)")
    assert [v.matches if v else None for v in again.verdicts] == [True, False]


async def test_a_server_without_validators_is_probed_as_always(site: Site) -> None:
    url = site.url(JPEG + "?noetag=1")
    first = await check(site, image_link(url, (64, 48)))
    # no ETag, no date: only the length is known, and there is nothing to ask with
    assert first.validators is not None
    assert (first.validators.etag, first.validators.last_modified) == (None, None)
    site.reset()
    again = await check(site, image_link(url, (64, 48)), {url: kept(first)})
    (entry,) = site.requests(JPEG)
    assert "if-none-match" not in entry.headers and "if-modified-since" not in entry.headers
    assert entry.status == 206 and again.outcome is Outcome.OK and again.cached is False


async def test_a_server_ignoring_conditional_headers_costs_what_it_did(site: Site) -> None:
    url = site.url(JPEG + "?noetag=1")
    first = await check(site, image_link(url, (64, 48)))
    old = kept(first)
    stale = CachedImage(
        Validators('"v1"', "Mon, 23 Nov 2026 03:00:00 GMT", 1000),
        old.probe,
        old.http_status,
        old.final_url,
        LAST_RUN,
    )
    site.reset()
    again = await check(site, image_link(url, (64, 48)), {url: stale})
    (entry,) = site.requests(JPEG)
    assert entry.headers["if-none-match"] == '"v1"'
    assert (entry.status, entry.bytes_sent) == (206, first.image.bytes_read if first.image else -1)
    assert (again.outcome, again.http_status, again.cached) == (Outcome.OK, 206, False)


async def test_a_304_to_a_plain_request_is_an_odd_status_not_unchanged(site: Site) -> None:
    site.route("/odd.jpg", Response(304, {"ETag": '"x"'}))
    url = site.url("/odd.jpg")
    result = await check(site, image_link(url, (64, 48)))
    assert (result.outcome, result.reason, result.http_status) == (
        Outcome.BROKEN,
        Reason.HTTP_STATUS,
        304,
    )
    assert result.cached is False and result.image is None
    # kept, but with nothing to send back (a length only): still not a revalidation
    probe = (await check(site, image_link(site.url(JPEG), (64, 48)))).image
    assert probe is not None
    lengthy = CachedImage(Validators(None, None, 1234), probe, 206, url, LAST_RUN)
    site.reset()
    result = await check(site, image_link(url, (64, 48)), {url: lengthy})
    (entry,) = site.requests("/odd.jpg")
    assert "if-none-match" not in entry.headers and "if-modified-since" not in entry.headers
    assert (result.outcome, result.http_status, result.cached) == (Outcome.BROKEN, 304, False)


async def test_redirected_image_is_revalidated_at_its_final_url(site: Site) -> None:
    target = site.url(JPEG)
    url = site.url(f"/redirect-to?url={target}")
    first = await check(site, image_link(url, (64, 48)))
    assert first.final_url == target and first.outcome is Outcome.OK
    site.reset()

    again = await check(site, image_link(url, (64, 48)), {url: kept(first)})

    (entry,) = site.requests(JPEG)
    assert (entry.status, entry.bytes_sent) == (304, 0)
    assert entry.headers["if-none-match"] == kept(first).validators.etag
    assert [e.status for e in site.requests("/redirect-to")] == [301]
    assert (again.outcome, again.cached, again.final_url) == (Outcome.OK, True, target)
    assert len(again.redirects) == 1


async def test_a_date_that_matched_at_another_url_is_not_trusted(site: Site) -> None:
    url = site.url(JPEG)
    first = await check(site, image_link(url, (64, 48)))
    old = kept(first)
    # only a date was kept, and last time the chain ended elsewhere: that date was
    # another file's, so the 304 it gets says nothing about this one
    dated = CachedImage(
        Validators(None, old.validators.last_modified, None),
        old.probe,
        206,
        site.url("/files/elsewhere.jpg"),
        LAST_RUN,
    )
    site.reset()
    again = await check(site, image_link(url, (64, 48)), {url: dated})
    log = site.requests(JPEG)
    assert [(e.status, "if-modified-since" in e.headers) for e in log] == [
        (304, True),
        (206, False),
    ]
    assert (again.outcome, again.http_status, again.cached) == (Outcome.OK, 206, False)
