"""The HTML report in a real headless Chromium (Debian's `chromium`, driven by Playwright).

One real loopback run (two hosts: ok pages, a 404 article, a permanent redirect, a right and a
resized image, hostile titles, file names and URLs) writes `--format html=PATH`; the page must
load with no console error, show the run's totals, and filter, search, sort and group to exactly
the rows the report's JSON says. A generated 100,000-link report must open with a bounded DOM.

Locally these tests skip when Playwright or chromium is missing; under CI=true that fails.
Timing is the benchmark's business (benchmarks/html_report.py), never asserted here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sitekit
from e2ekit import FAST_FLAGS, validate_report
from htmlkit import browser_missing, launch_chromium, render_html, synthetic_report

IMAGES_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "images"
JPEG = "/files/jpeg_baseline_pil.jpg"  # 64x48

HOSTILE_TITLE = '</script><script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
HOSTILE_FILE = "e-<img src=x onerror=window.__xss=5>.md"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    why = browser_missing()
    if why is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the browser tests: {why} (.ci/run installs both)")
        pytest.skip(why)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = launch_chromium(pw)
        try:
            yield b
        finally:
            b.close()


class Page:
    """A browser page that records console errors, uncaught exceptions and dialogs."""

    def __init__(self, browser: Any) -> None:
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on(
            "console",
            lambda m: self.errors.append(f"{m.type}: {m.text}") if m.type == "error" else None,
        )
        self.page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.requests: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))

    def open(self, path: Path) -> None:
        self.page.goto(path.as_uri())
        self.page.wait_for_selector("html[data-ready='1']", timeout=60_000)

    def count(self) -> int:
        return int(self.page.get_attribute("#match-count", "data-count"))

    def links_count(self) -> int:
        return int(self.page.get_attribute("#match-count", "data-links"))

    def total(self, key: str) -> int:
        text = self.page.text_content(f'[data-total="{key}"] .n') or ""
        return int(text.replace(",", ""))

    def shown_urls(self) -> list[str]:
        return list(
            self.page.eval_on_selector_all(
                "#results tbody tr.row td.url > a, #results tbody tr.row td.url > span:first-child",
                "els => els.map(e => e.textContent)",
            )
        )

    def search(self, text: str) -> None:
        self.page.fill("#f-search", text)
        self.rendered("search", text)

    def file_filter(self, text: str) -> None:
        self.page.fill("#f-file", text)
        self.rendered("file", text)

    def rendered(self, what: str, text: str) -> None:
        # Typing re-renders after a short debounce: wait until the table shows this text's rows.
        self.page.wait_for_function(
            "([what, t]) => document.getElementById('match-count').dataset[what] === t",
            arg=[what, text],
        )


@pytest.fixture
def page(browser: Any) -> Iterator[Page]:
    p = Page(browser)
    yield p
    p.page.close()
    assert p.errors == [], p.errors
    assert p.dialogs == [], f"a report string ran as script: {p.dialogs}"
    network = [u for u in p.requests if not u.startswith(("file:", "data:"))]
    assert network == [], f"the report reached the network: {network}"


@pytest.fixture(scope="module")
def real_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A real run against two loopback hosts; its JSON report and its HTML report."""
    root = tmp_path_factory.mktemp("html-run")
    sites = sitekit.start_sites(2, first=60, files_dir=IMAGES_DIR)
    s, t = sites
    bases = {"s": s.base_url, "t": t.base_url}
    try:
        folder = sitekit.write_library(
            root / "library",
            {
                "a-good.md": {
                    "title": "Good article",
                    "webUrl": "{s}/ok",
                    "images": [{"url": "{s}" + JPEG, "width": 64, "height": 48}],
                    "_body": "See [the other site]({t}/ok).\n",
                },
                "b-dead.md": {
                    "title": "Dead article",
                    "webUrl": "{s}/status/404",
                    "_body": "Moved: [here]({t}/redirect-to?url={t}/ok&status=301).\n",
                },
                "c-resized.md": {
                    "title": "Resized image",
                    "webUrl": "{s}/ok?c=1",
                    "images": [{"url": "{s}" + JPEG, "width": 32, "height": 24}],
                },
                "d-gone.md": {
                    "title": "Gone links",
                    "webUrl": "{t}/ok?d=1",
                    "_body": "[a](http://{t.host}/status/410) [b]({s}/status/404)\n",
                },
                HOSTILE_FILE: {
                    "title": HOSTILE_TITLE,
                    "webUrl": "{t}/ok?q=</script><script>window.__xss=3</script>",
                    "_body": "[x](javascript:window.__xss=4) [y]({t}/status/500)\n",
                },
            },
            s=s,
            t=t,
        )
        # A subprocess: the real command, and no clash with Playwright's event loop.
        json_path, html_path = root / "report.json", root / "report.html"
        argv = [*FAST_FLAGS, "--retries", "0", "-q", str(folder), "-o", str(json_path)]
        done = subprocess.run(
            [sys.executable, "-m", "linkcheck", "run", *argv, "--format", f"html={html_path}"],
            cwd=root,
            env={**os.environ, "XDG_STATE_HOME": str(root / "state")},
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        sitekit.stop_sites(sites)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    report = validate_report(json.loads(json_path.read_text(encoding="utf-8")))
    assert html_path.exists(), "--format html=PATH wrote nothing"
    return {"report": report, "html": html_path, **bases}


def links_where(report: dict[str, Any], **match: Any) -> list[dict[str, Any]]:
    return [lk for lk in report["links"] if all(lk.get(k) == v for k, v in match.items())]


def test_real_run_loads_with_totals_and_no_errors(page: Page, real_run: dict[str, Any]) -> None:
    report = real_run["report"]
    page.open(real_run["html"])
    summary = report["summary"]
    assert page.total("links") == summary["unique_links"] == len(report["links"])
    assert page.total("occurrences") == summary["occurrences"]
    for outcome in ("broken", "warning", "ok", "skipped"):
        assert page.total(outcome) == summary["outcomes"][outcome], outcome
    assert page.total("image_mismatches") == summary["images"]["mismatches"] == 1
    assert page.total("permanent_redirects") == 1
    assert page.count() == len(report["links"])
    # every link is on the one page (fewer than 100), each once
    assert sorted(page.shown_urls()) == sorted(lk["url"] for lk in report["links"])
    # every control has a label, and the details open from the keyboard
    unlabelled = page.page.evaluate(
        """() => [...document.querySelectorAll('input, select, button')].filter(e =>
             !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
             && !e.textContent.trim()).map(e => e.id || e.outerHTML.slice(0, 80))"""
    )
    assert unlabelled == []
    toggle = page.page.locator("#results tbody tr.row button.toggle").first
    toggle.focus()
    page.page.keyboard.press("Enter")
    assert page.page.locator("#results tbody tr.detail").count() == 1
    assert page.page.evaluate("document.activeElement.getAttribute('aria-expanded')") == "true"
    page.page.keyboard.press("Enter")
    assert page.page.locator("#results tbody tr.detail").count() == 0
    # the per-host politeness table lists the run's hosts
    hosts_text = page.page.text_content("#hosts") or ""
    for host in report["run"]["hosts"]:
        assert host["host"] in hosts_text


def test_hostile_strings_stay_text(page: Page, real_run: dict[str, Any]) -> None:
    page.open(real_run["html"])
    page.page.check("#g-article")
    page.file_filter("e-<img")
    assert page.count() == 1
    row = page.page.locator("#results tbody tr.row").first
    assert HOSTILE_TITLE in (row.text_content() or "")
    assert HOSTILE_FILE in (row.text_content() or "")
    row.locator("button.toggle").click()
    detail = page.page.text_content("#results tbody tr.detail") or ""
    assert "window.__xss=3" in detail  # the URL is shown as text...
    assert page.page.evaluate("window.__xss") is None  # ...and never ran
    assert page.page.locator("#results img, #results script").count() == 0
    # the javascript: URL is shown but is no link
    page.page.check("#g-link")
    page.file_filter("")
    page.search("javascript:")
    assert page.count() == 1
    assert page.page.locator("#results tbody tr.row td.url a").count() == 0
    # a hostile address is input too: values, never markup
    page.page.goto("about:blank")
    page.page.goto(
        real_run["html"].as_uri()
        + "#q=%3Cimg%20src%3Dx%20onerror%3Dwindow.__xss%3D6%3E&outcome=%3Cscript%3E&sort=x"
    )
    page.page.wait_for_selector("html[data-ready='1']")
    assert page.count() == 0 and page.page.input_value("#f-outcome") == ""
    assert page.page.evaluate("window.__xss") is None


def test_filters_narrow_to_the_reports_rows(page: Page, real_run: dict[str, Any]) -> None:
    report, s_host = real_run["report"], real_run["s"].split("//")[1]
    page.open(real_run["html"])

    page.page.select_option("#f-outcome", "broken")
    broken = links_where(report, outcome="broken")
    assert page.count() == len(broken) and len(broken) >= 4
    assert sorted(page.shown_urls()) == sorted(lk["url"] for lk in broken)

    page.page.select_option("#f-reason", "http_status")
    by_status = links_where(report, outcome="broken", reason="http_status")
    assert page.count() == len(by_status) >= 3

    page.page.select_option("#f-host", s_host)
    on_s = [lk for lk in by_status if lk["url"].startswith(real_run["s"] + "/")]
    assert page.count() == len(on_s) >= 1
    assert sorted(page.shown_urls()) == sorted(lk["url"] for lk in on_s)

    # the view is in the address: opened again from it, the page shows the same rows
    address = page.page.url
    assert "outcome=broken" in address and "reason=http_status" in address
    page.page.goto("about:blank")
    page.page.goto(address)
    page.page.wait_for_selector("html[data-ready='1']")
    assert page.count() == len(on_s)
    assert page.page.input_value("#f-host") == s_host

    page.page.click("#f-reset")
    assert page.count() == len(report["links"])
    assert "outcome=" not in page.page.url

    page.page.select_option("#f-reason", "image_dimension_mismatch")
    (image,) = links_where(report, reason="image_dimension_mismatch")
    assert page.shown_urls() == [image["url"]]
    page.page.locator("#results tbody tr.row button.toggle").click()
    detail = page.page.text_content("#results tbody tr.detail") or ""
    # declared vs real size side by side, and the aspect verdict
    assert "32×24" in detail and "64×48" in detail and "resized copy (same shape)" in detail

    page.page.click("#f-reset")
    page.search("status/410")
    assert page.shown_urls() == [lk["url"] for lk in report["links"] if "status/410" in lk["url"]]
    page.search("Resized image")  # titles are searched too
    titled = [
        lk["url"]
        for lk in report["links"]
        if any(src["title"] == "Resized image" for src in lk["sources"])
    ]
    assert sorted(page.shown_urls()) == sorted(titled) and len(titled) == 2
    page.search("no such thing anywhere")
    assert page.count() == 0
    assert "No links match" in (page.page.text_content("#match-count") or "")


def test_sorting_and_permanent_redirect(page: Page, real_run: dict[str, Any]) -> None:
    report = real_run["report"]
    page.open(real_run["html"])
    page.page.click('th button[data-sort="url"]')
    urls = page.shown_urls()
    assert urls == sorted(lk["url"] for lk in report["links"])
    page.page.click('th button[data-sort="url"]')
    assert page.shown_urls() == urls[::-1]
    assert page.page.get_attribute('th:has(button[data-sort="url"])', "aria-sort") == "descending"

    page.page.click('th button[data-sort="status"]')  # numbers: largest first
    statuses = page.page.eval_on_selector_all(
        "#results tbody tr.row td.num:nth-of-type(5)", "els => els.map(e => e.textContent)"
    )
    numbers = [int(x) for x in statuses if x]
    assert numbers == sorted(numbers, reverse=True) and numbers[0] >= 500

    page.page.click('th button[data-sort="file"]')  # by the first file citing the link
    files = page.page.eval_on_selector_all(
        "#results tbody tr.row td.path", "els => els.map(e => e.firstChild.textContent)"
    )
    assert files == sorted(lk["sources"][0]["file"] for lk in report["links"])

    page.page.select_option("#f-severity", "low")
    page.search("redirect-to")
    (moved,) = [lk for lk in report["links"] if "redirect-to" in lk["url"]]
    assert page.shown_urls() == [moved["url"]]
    assert "update to" in (page.page.text_content("#results tbody tr.row") or "")
    page.page.locator("#results tbody tr.row button.toggle").click()
    chain = page.page.locator("#results tbody tr.detail ol.chain li").all_text_contents()
    assert [h["status"] for h in moved["redirects"]] == [301]
    assert chain == [f"{moved['url']} → 301", f"{moved['final_url']} → {moved['http_status']}"]


def test_group_by_article(page: Page, real_run: dict[str, Any]) -> None:
    report = real_run["report"]
    page.open(real_run["html"])
    page.page.check("#g-article")
    files = {src["file"] for lk in report["links"] for src in lk["sources"]}
    assert page.count() == len(files) == 5
    page.page.select_option("#f-outcome", "broken")
    broken_files = {
        src["file"] for lk in links_where(report, outcome="broken") for src in lk["sources"]
    }
    assert page.count() == len(broken_files)
    rows = page.page.locator("#results tbody tr.row")
    shown = {rows.nth(i).get_attribute("data-file") for i in range(rows.count())}
    assert shown == broken_files
    # the worst articles first: those citing a dead article URL (b-dead's own webUrl, which
    # d-gone links to as well), the one with more broken citations first
    assert [rows.nth(i).get_attribute("data-file") for i in range(2)] == ["d-gone.md", "b-dead.md"]
    assert (rows.nth(1).locator(".badge").text_content() or "") == "critical"
    rows.nth(1).locator("button.toggle").click()
    nested = page.page.text_content("#results tbody tr.detail") or ""
    assert "/status/404" in nested and "webUrl" in nested


def test_a_large_report_opens_with_a_bounded_dom(
    page: Page, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    n = 20_000  # 100,000 is the benchmark's (benchmarks/html_report.py): same code, slower
    report = synthetic_report(n)
    html = render_html(report, tmp_path / "big.html")
    page.open(html)
    assert page.total("links") == n
    assert page.count() == n
    assert page.page.locator("#results tbody tr").count() == 100  # one page, not 20k rows
    page.page.select_option("#f-outcome", "broken")
    broken = [r for r in report.results if r.outcome.value == "broken"]
    assert page.count() == len(broken)
    page.page.click("#p-last")
    assert page.page.locator("#results tbody tr").count() == (len(broken) % 100 or 100)
    # history: the links fixed since the previous run
    page.page.select_option("#f-outcome", "")
    page.page.select_option("#f-history", "fixed")
    fixed = [r for r in report.results if r.history and r.history.status.value == "fixed"]
    assert page.count() == len(fixed) > 0
    assert "fixed" in (page.page.text_content("#alerts") or "")
    ready = page.page.get_attribute("html", "data-ready-ms")
    with capsys.disabled():
        print(
            f"\n[html] {n:,}-link report: {html.stat().st_size / 1e6:.1f} MB, "
            f"ready {ready} ms after navigation (a figure, not a test)"
        )
