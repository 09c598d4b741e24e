"""Regenerate the HTML report screenshots in docs/ from `linkcheck demo` (no network).

    python docs/make_html_screenshots.py

Runs the demo into a temporary folder, opens its linkcheck-report.html in Debian's chromium
(through Playwright) and saves three small PNGs: the overview, a filtered view, and an image
whose declared size differs from the real one.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent / "tests"))

import htmlkit  # noqa: E402


def main() -> int:
    out = Path(tempfile.mkdtemp(prefix="linkcheck-demo-"))
    subprocess.run(
        [sys.executable, "-m", "linkcheck", "demo", "--output-dir", str(out)],
        check=True,
        capture_output=True,
    )
    page_file = out / "linkcheck-report.html"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = htmlkit.launch_chromium(pw)
        page = browser.new_page(viewport={"width": 1440, "height": 760})
        page.goto(page_file.as_uri())
        page.wait_for_selector("html[data-ready='1']")
        page.screenshot(path=DOCS / "html-report.png")

        page.select_option("#f-outcome", "broken")
        page.locator("#h-links").scroll_into_view_if_needed()
        page.evaluate("window.scrollTo(0, document.getElementById('h-links').offsetTop - 8)")
        page.screenshot(path=DOCS / "html-report-filtered.png")

        page.click("#f-reset")
        page.select_option("#f-reason", "image_dimension_mismatch")
        page.locator("#results tbody tr.row button.toggle").first.click()
        page.evaluate("window.scrollTo(0, document.getElementById('match-count').offsetTop - 8)")
        page.screenshot(path=DOCS / "html-report-image.png")
        browser.close()
    for name in ("html-report.png", "html-report-filtered.png", "html-report-image.png"):
        print(f"{DOCS / name}: {(DOCS / name).stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
