"""Cache planning (plan.plan with a VerdictCache) and the store-row conversions of
state/cache.py, one function at a time, without a store or a server."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from linkcheck.collect.library import Collected
from linkcheck.config import Config
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
    Source,
    Validators,
)
from linkcheck.plan import CachedVerdict, plan
from linkcheck.state.cache import RowCache, cached_verdict, latest_columns

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC).timestamp()
HOUR_AGO = "2026-11-30T11:00:00Z"
WEEK_AGO = "2026-11-23T12:00:00Z"
PROBE = ImageProbe("png", 800, 600, 800, 600, 120)
VALIDATORS = Validators('"abc"', "Mon, 23 Nov 2026 12:00:00 GMT", 5000)


class FakeCache:
    def __init__(self, *verdicts: CachedVerdict) -> None:
        self.by_url = {v.url: v for v in verdicts}
        self.calls: list[Sequence[str]] = []

    def lookup(self, urls: Sequence[str]) -> Mapping[str, CachedVerdict]:
        self.calls.append(urls)
        return {u: self.by_url[u] for u in urls if u in self.by_url}


def page(url: str) -> Link:
    return Link(
        url, LinkKind.PAGE, (Occurrence(url, LinkKind.PAGE, Source("a.md", "webUrl", 2, "A")),)
    )


def image(url: str, *sizes: tuple[int, int]) -> Link:
    return Link(
        url,
        LinkKind.IMAGE,
        tuple(
            Occurrence(
                url, LinkKind.IMAGE, Source(f"{i}.md", "images[0].url", 3, "A"), DeclaredSize(w, h)
            )
            for i, (w, h) in enumerate(sizes)
        ),
    )


def collected(*links: Link) -> Collected:
    return Collected(files=1, articles=1, links=list(links), skipped=[], problems=[])


def ok(url: str, when: str = HOUR_AGO, **kw: object) -> CachedVerdict:
    return CachedVerdict(url, Outcome.OK, None, 200, url, when, **kw)  # type: ignore[arg-type]


def test_a_young_ok_verdict_is_reused_without_a_request() -> None:
    cache = FakeCache(ok("http://a/x", redirects=(Hop("http://a/x", 301),)))
    work = plan(collected(page("http://a/x"), page("http://a/y")), cache, Config(), now=NOW)
    assert [lk.url for lk in work.to_check] == ["http://a/y"]
    (result,) = work.settled
    assert (result.outcome, result.cached, result.checked_at, result.attempts) == (
        Outcome.OK,
        True,
        HOUR_AGO,
        0,
    )
    assert result.redirects == (Hop("http://a/x", 301),)
    assert len(cache.calls) == 1  # one batched lookup for the whole run


def test_old_broken_and_warning_verdicts_are_rechecked() -> None:
    cache = FakeCache(
        ok("http://a/old", WEEK_AGO),
        CachedVerdict("http://a/b", Outcome.BROKEN, Reason.HTTP_STATUS, 404, None, HOUR_AGO),
        CachedVerdict("http://a/w", Outcome.WARNING, Reason.BLOCKED, 403, None, HOUR_AGO),
    )
    links = [page("http://a/old"), page("http://a/b"), page("http://a/w")]
    work = plan(collected(*links), cache, Config(), now=NOW)
    assert len(work.to_check) == 3 and not work.settled and not work.revalidate


def test_cache_max_age_zero_reuses_nothing() -> None:
    work = plan(
        collected(page("http://a/x")),
        FakeCache(ok("http://a/x")),
        Config(cache_max_age=0),
        now=NOW,
    )
    assert len(work.to_check) == 1 and not work.settled


def test_without_a_cache_every_link_is_work() -> None:
    work = plan(collected(page("http://a/x")))
    assert len(work.to_check) == 1


def test_a_reused_image_is_judged_again_against_this_runs_declared_sizes() -> None:
    url = "http://a/i.png"
    cache = FakeCache(ok(url, probe=PROBE, validators=VALIDATORS))
    same = plan(collected(image(url, (800, 600))), cache, Config(), now=NOW).settled[0]
    assert (same.outcome, same.cached, same.image) == (Outcome.OK, True, PROBE)
    assert same.validators == VALIDATORS
    edited = plan(collected(image(url, (800, 600), (400, 400))), cache, Config(), now=NOW)
    (result,) = edited.settled
    assert (result.outcome, result.reason, result.cached) == (
        Outcome.BROKEN,
        Reason.IMAGE_DIMENSION_MISMATCH,
        True,
    )
    assert [o.verdict.matches for o in result.link.occurrences if o.verdict] == [True, False]


def test_an_image_without_its_probe_is_not_reused() -> None:
    url = "http://a/i.png"
    work = plan(collected(image(url, (1, 1))), FakeCache(ok(url)), Config(), now=NOW)
    assert len(work.to_check) == 1


def test_a_stale_image_with_validators_is_revalidated() -> None:
    url, bare = "http://a/i.png", "http://a/j.png"
    resized = CachedVerdict(
        "http://a/k.png",
        Outcome.BROKEN,
        Reason.IMAGE_DIMENSION_MISMATCH,
        200,
        None,
        HOUR_AGO,
        probe=PROBE,
        validators=VALIDATORS,
    )
    cache = FakeCache(
        ok(url, WEEK_AGO, probe=PROBE, validators=VALIDATORS),
        ok(bare, WEEK_AGO, probe=PROBE, validators=Validators(content_length=5)),
        resized,
    )
    links = [image(url, (800, 600)), image(bare, (800, 600)), image("http://a/k.png", (1, 1))]
    work = plan(collected(*links), cache, Config(), now=NOW)
    assert len(work.to_check) == 3
    assert set(work.revalidate) == {url, "http://a/k.png"}  # a length alone proves nothing
    cached = work.revalidate[url]
    assert (cached.probe, cached.validators, cached.checked_at) == (PROBE, VALIDATORS, WEEK_AGO)
    # revalidation without reuse: --cache-max-age 0 still saves the image bytes
    zero = plan(collected(image(url, (800, 600))), cache, Config(cache_max_age=0), now=NOW)
    assert set(zero.revalidate) == {url}


def test_store_rows_round_trip_to_cached_verdicts() -> None:
    url = "http://a/i.png"
    result = CheckResult(
        image(url, (800, 600)),
        Outcome.OK,
        None,
        200,
        "http://b/i.png",
        redirects=(Hop(url, 301),),
        image=replace(PROBE, detail="note", orientation=6),
        checked_at=HOUR_AGO,
        validators=VALIDATORS,
    )
    row = (result.id, url, "image", None, None, None, 0, None, None, *latest_columns(result))
    verdict = cached_verdict(row)
    assert verdict is not None
    assert verdict == CachedVerdict(
        url,
        Outcome.OK,
        None,
        200,
        "http://b/i.png",
        HOUR_AGO,
        "",
        (Hop(url, 301),),
        result.image,
        VALIDATORS,
    )
    found = RowCache({url: row}).lookup([url, "http://a/other"])
    assert found == {url: verdict}


def test_a_row_with_values_this_version_does_not_know_is_ignored() -> None:
    row = ("id", "http://a/x", "page", None, None, None, 0, None, None, "gone-fishing")
    row += (None, 200, None, HOUR_AGO, None, None, "{not json", None, None, None)
    assert cached_verdict(row) is None
    ok_row = row[:9] + ("ok",) + row[10:]
    verdict = cached_verdict(ok_row)
    assert verdict is not None and verdict.probe is None  # the damaged probe is dropped
