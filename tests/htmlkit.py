"""Helpers for the HTML report's tests and benchmark: a synthetic report of any size, the
report rendered to a file, and a headless Chromium (Debian's `chromium`, driven by Playwright).

Standard library plus linkcheck; Playwright is imported only by `launch_chromium`.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

from linkcheck.formats.html import HtmlFormatter
from linkcheck.formats.registry import RenderOptions
from linkcheck.models import (
    CheckResult,
    DeclaredSize,
    History,
    HistoryStatus,
    Hop,
    HostStats,
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

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")


def render_html(report: Report, path: Path) -> Path:
    with path.open("w", encoding="utf-8") as f:
        HtmlFormatter().write(report, f, options=RenderOptions(tool_version="test"))
    return path


def html_text(report: Report) -> str:
    out = io.StringIO()
    HtmlFormatter().write(report, out, options=RenderOptions(tool_version="test"))
    return out.getvalue()


_BLOB = re.compile(r'<script type="application/json" id="report-data">(.*?)</script>', re.S)


def blob(html: str) -> dict[str, Any]:
    """The page's JSON data, as the browser's JSON.parse would read it."""
    found = _BLOB.findall(html)
    assert len(found) == 1, f"{len(found)} data blocks"
    data: dict[str, Any] = json.loads(found[0])
    return data


# --------------------------------------------------------------------------- synthetic reports

_OUTCOMES = (
    (Outcome.OK, None, 200),
    (Outcome.OK, None, 200),
    (Outcome.OK, None, 200),
    (Outcome.BROKEN, Reason.HTTP_STATUS, 404),
    (Outcome.BROKEN, Reason.TIMEOUT, None),
    (Outcome.WARNING, Reason.RATE_LIMITED, 429),
    (Outcome.BROKEN, Reason.IMAGE_DIMENSION_MISMATCH, 206),
    (Outcome.SKIPPED, Reason.EXCLUDED, None),
)
_KINDS = (LinkKind.PAGE, LinkKind.OTHER, LinkKind.IMAGE, LinkKind.AMP)


def _result(i: int, hosts: int, articles: int, with_history: bool) -> CheckResult:
    outcome, reason, status = _OUTCOMES[i % len(_OUTCOMES)]
    kind = LinkKind.IMAGE if reason is Reason.IMAGE_DIMENSION_MISMATCH else _KINDS[i % 4]
    host = f"news{i % hosts}.example.org"
    url = f"https://{host}/section-{i % 37}/article-{i}.html"
    article = i % articles
    field = "webUrl" if kind is LinkKind.PAGE and i % 3 == 0 else "body"
    source = Source(
        file=f"content/{article // 100:03d}/article-{article}.md",
        field="images[0].url" if kind is LinkKind.IMAGE else field,
        line=5 + i % 40,
        title=f"Article number {article}: a headline of ordinary length",
        article_key=f"key-{article}",
    )
    image = None
    declared = verdict = None
    if kind is LinkKind.IMAGE:
        url = f"https://{host}/img/{i}.jpg"
        image = ImageProbe("jpeg", 1200, 800, 1200, 800, 4096)
        declared = DeclaredSize(600, 400) if reason else DeclaredSize(1200, 800)
        matches = reason is None
        verdict = SizeVerdict(600 if reason else 1200, 400 if reason else 800, matches, True)
    occurrences = [Occurrence(url, kind, source, declared, verdict)]
    if i % 5 == 0:  # some links are cited by a second article
        other = replace_file(source, (article + 1) % articles)
        occurrences.append(Occurrence(url, kind, other, declared, verdict))
    redirects: tuple[Hop, ...] = ()
    final = url
    if i % 11 == 0 and outcome is Outcome.OK:
        final = url.replace("http://", "https://") + "?moved=1"
        redirects = (Hop(url, 301),)
    history = None
    if with_history:
        status_h = HistoryStatus.NEWLY_BROKEN if outcome is Outcome.BROKEN else HistoryStatus.OK
        if i % 13 == 0:
            status_h = HistoryStatus.FIXED if outcome is Outcome.OK else HistoryStatus.STILL_BROKEN
        history = History(status_h, "2026-11-01T00:00:00Z", None, 1, None)
    return CheckResult(
        link=Link(url, kind, tuple(occurrences)),
        outcome=outcome,
        reason=reason,
        http_status=status,
        final_url=final,
        redirects=redirects,
        attempts=1,
        elapsed=0.05,
        detail="HTTP 404 Not Found" if status == 404 else "",
        image=image,
        checked_at="2026-11-30T12:00:00Z",
        history=history,
    )


def replace_file(source: Source, article: int) -> Source:
    return Source(
        file=f"content/{article // 100:03d}/article-{article}.md",
        field="body",
        line=12,
        title=f"Article number {article}: a headline of ordinary length",
        article_key=f"key-{article}",
    )


def synthetic_report(
    n: int, *, hosts: int = 200, articles: int | None = None, with_history: bool = True
) -> Report:
    """A report of `n` links spread over `hosts` hosts and about n/4 articles, with every
    outcome, image mismatches, permanent redirects and history."""
    articles = articles or max(1, n // 4)
    results = tuple(_result(i, hosts, articles, with_history) for i in range(n))
    run = RunInfo(
        started_at="2026-11-30T12:00:00Z",
        finished_at="2026-11-30T12:10:00Z",
        duration_s=600.0,
        inputs=("content",),
        options={"timeout": 10.0, "retries": 2},
        hosts=tuple(
            HostStats(f"news{h}.example.org", requests=n // hosts, waited_s=1.5)
            for h in range(hosts)
        ),
    )
    return Report(run=run, files=articles, articles=articles, results=results)


# --------------------------------------------------------------------------- the browser


def find_chromium() -> str | None:
    """Debian's chromium (or another Chromium/Chrome on PATH); $CHROMIUM wins."""
    configured = os.environ.get("CHROMIUM")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[test]')"
    if find_chromium() is None:
        return "no chromium on PATH (apt-get install chromium), or $CHROMIUM is not a program"
    return None


def launch_chromium(playwright: Any) -> Any:
    """A headless Chromium from the system, never one Playwright downloads."""
    return playwright.chromium.launch(
        executable_path=find_chromium(),
        headless=True,
        args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    )
