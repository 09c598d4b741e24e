"""The HTML report: one self-contained file a person opens in a browser.

The page is a fixed template (`html_assets/`: markup, CSS, vanilla JS, all inlined; no network
at view time) plus ONE JSON blob in `<script type="application/json">` that the script renders.
No report string is ever written into the markup itself: titles, URLs and file names reach the
page only through that blob and are shown with `textContent`, so a hostile title cannot become
HTML or JavaScript. Inside the blob `<`, `>`, `&`, U+2028 and U+2029 are written as `\\uXXXX`
escapes (a `</script>` in a URL cannot end the element), and a Content-Security-Policy allows
only the page's own script and style (by hash) and no network at all.

The blob is compact: one array per link, and the strings repeated across links (kinds,
outcomes, reasons, hosts, files, titles, fields, article keys) stored once in a string table
(`strings`) that the rows index. It is written a link at a time, so a 100,000-link report is
never one giant Python string. Its layout (`DATA_VERSION`) is private to this page.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, TextIO

from linkcheck.formats.rows import host_label
from linkcheck.models import CheckResult, HostStats, Outcome, Report
from linkcheck.report.build import enum_value, explain, summarize
from linkcheck.report.triage import (
    permanent_redirect,
    severity,
    source_outcome,
    triage_summary,
)

if TYPE_CHECKING:  # the registry imports this module
    from linkcheck.formats.registry import RenderOptions

__all__ = ["DATA_VERSION", "DEFAULT_PATH", "HtmlFormatter", "iter_chunks", "iter_data", "write"]

DATA_VERSION = 1
DEFAULT_PATH = "linkcheck-report.html"
_MARK = "<!--DATA-->"

# --------------------------------------------------------------------------- safe JSON text

# In a <script> element the HTML parser looks for "</script" and "<!--"; U+2028/2029 end lines in
# old JavaScript; lone surrogates (undecodable file names) cannot be encoded as UTF-8.
_UNSAFE = re.compile("[<>&\u2028\u2029\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def _json(value: object) -> str:
    """`value` as compact JSON that is safe inside a <script> element and encodable as UTF-8."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _UNSAFE.sub(_escape, text)


def _str(x: object) -> str:
    if isinstance(x, str):
        return x
    try:
        return str(enum_value(x))
    except Exception:  # noqa: BLE001 - a hostile __str__ must not break the report
        return f"<unprintable {type(x).__name__}>"


def _num(x: object) -> int | float | None:
    """A finite number, or None (bools and odd values: None)."""
    if isinstance(x, bool) or not isinstance(x, int | float):
        return None
    if isinstance(x, float):
        return round(x, 3) if math.isfinite(x) else None
    return x


def _plain(x: object) -> object:
    """A declared size as written: numbers kept, None kept, anything else its text."""
    if x is None:
        return None
    n = _num(x)
    return n if n is not None else _str(x)


def _flag(x: object) -> int | None:
    """Booleans as 1/0 (None stays None): shorter in the blob."""
    return None if x is None else int(bool(x))


# --------------------------------------------------------------------------- rows


class _Strings:
    """The string table: each distinct string once; rows hold its index."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def __call__(self, value: object) -> int | None:
        if value is None:
            return None
        # a StrEnum member finds its value's entry (same hash, equal); other values: their text
        found = self.index.get(value) if isinstance(value, str) else None
        if found is None:
            text = _str(value)
            found = self.index.setdefault(text, len(self.index))
        return found


def _host(url: str) -> str:
    return host_label(url) or ""  # an unparsable URL has no host; the row still shows


def _trim(row: list[object]) -> list[object]:
    """`row` without its trailing nulls (the page reads a missing column as null)."""
    end = len(row)
    while end and row[end - 1] is None:
        end -= 1
    del row[end:]
    return row


def _row(result: CheckResult, s: _Strings) -> list[object]:
    """One link as the page reads it (see the column names at the top of report.js). Repeated
    strings go through the string table; a final URL equal to the URL, empty lists and
    trailing nulls are left out."""
    link = result.link
    url = _str(link.url)
    probe = result.image
    image = None
    if probe is not None:
        image = _trim(
            [
                s(probe.format),
                _num(probe.width),
                _num(probe.height),
                _num(probe.displayed_width),
                _num(probe.displayed_height),
                _num(probe.bytes_read),
                s(probe.detail or None),
            ]
        )
    history = None
    if result.history is not None:
        h = result.history
        history = _trim(
            [s(h.status), s(h.first_seen), s(h.broken_since), _num(h.failing_runs), s(h.last_ok)]
        )
    broken = result.outcome is Outcome.BROKEN
    sources = []
    for o in link.occurrences:
        src, v, d = o.source, o.verdict, o.declared
        text = _str(o.text)
        sources.append(
            _trim(
                [
                    s(src.file),
                    s(src.field),
                    _num(src.line),
                    s(src.title),
                    s(src.article_key),
                    None if text == url else text,
                    _plain(d.width) if d is not None else None,
                    _plain(d.height) if d is not None else None,
                    _flag(v.matches) if v is not None else None,
                    _flag(v.aspect_ratio_matches) if v is not None else None,
                    s(v.problem) if v is not None else None,
                    1 if broken and source_outcome(result, o) is Outcome.BROKEN else None,
                ]
            )
        )
    try:
        level = severity(result).value
        replacement = permanent_redirect(result)
    except Exception:  # noqa: BLE001 - a report read back may hold values triage never saw
        level, replacement = "none", None
    final = _str(result.final_url) if result.final_url is not None else None
    return _trim(
        [
            url,
            s(link.kind),
            s(result.outcome),
            s(result.reason),
            _num(result.http_status),
            None if final == url else final,
            s(_host(url)),
            s(level),
            s(explain(result) or None),
            [[_str(h.url), _num(h.status)] for h in result.redirects] or None,
            image,
            history,
            _str(replacement) if replacement is not None else None,
            s(result.checked_at),
            sources,
            _num(result.attempts),
            1 if result.cached else None,
        ]
    )


def _host_stats(h: HostStats) -> list[object]:
    return [
        _str(h.host),
        _num(h.requests),
        _num(h.retries),
        _num(h.responses_429),
        _num(h.waited_s),
        _num(h.max_in_flight),
        _num(h.rate_limit),
        _flag(h.slowed_down),
        _str(h.marked_down) if h.marked_down is not None else None,
        _num(h.short_circuited),
        _num(h.configured_rate),
        _num(h.min_rate),
        _num(h.below_rate_s),
    ]


def _head(report: Report, tool_version: str) -> dict[str, object]:
    run = report.run
    options = run.options if isinstance(run.options, dict) else {}
    return {
        "v": DATA_VERSION,
        "tool": {"name": "linkcheck", "version": _str(tool_version)},
        "run": {
            "started_at": _str(run.started_at),
            "finished_at": _str(run.finished_at),
            "duration_s": _num(run.duration_s),
            "inputs": [_str(i) for i in run.inputs],
            "options": {_str(k): _str(v) for k, v in options.items()},
            "interrupted": bool(run.interrupted),
            "network_down": _str(run.network_down) if run.network_down else None,
            "config_file": _str(run.config_file) if run.config_file else None,
            "state_file": _str(run.state_file) if run.state_file else None,
            "run_id": _num(run.run_id),
            "fail_after": _num(run.fail_after),
        },
        "summary": summarize(report).as_dict(),
        "triage": triage_summary(report).as_dict(),
        "hosts": [_host_stats(h) for h in sorted(run.hosts, key=lambda h: _str(h.host))],
        "problems": [
            [_str(p.file), _str(p.reason), _str(p.message), _str(p.field or ""), _num(p.line)]
            for p in report.problems
        ],
        "findings": [  # article-level AMP findings
            [
                _str(f.file),
                _num(f.line),
                _str(f.field or ""),
                _str(enum_value(f.check)),
                _str(f.severity),
                _str(f.message),
            ]
            for f in report.findings
        ],
    }


def iter_data(report: Report, *, tool_version: str) -> Iterator[str]:
    """The page's JSON blob, in chunks: the head, one link per chunk, then the string table."""
    head = _json(_head(report, tool_version))
    yield head[:-1] + ',"links":['
    strings = _Strings()
    sep = ""
    for result in report.results:
        yield sep + _json(_row(result, strings))
        sep = ","
    yield '],"strings":' + _json(list(strings.index)) + "}"


# --------------------------------------------------------------------------- the page


def _asset(name: str) -> str:
    return (resources.files("linkcheck.formats") / "html_assets" / name).read_text("utf-8")


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


@cache
def _page() -> tuple[str, str]:
    """The page before and after the JSON blob, with the CSS and JS inlined and a CSP that
    allows exactly them (by hash) and nothing from the network."""
    css, js = _asset("report.css"), _asset("report.js")
    policy = (
        "default-src 'none'; "
        f"script-src '{_sha256(js)}'; style-src '{_sha256(css)}'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    page = (
        _asset("report.html")
        .replace("{{CSP}}", policy)
        .replace("{{CSS}}", css)
        .replace("{{JS}}", js)
    )
    before, after = page.split(_MARK)
    return before, after


def iter_chunks(report: Report, *, tool_version: str) -> Iterator[str]:
    before, after = _page()
    yield before
    yield from iter_data(report, tool_version=tool_version)
    yield after


def write(report: Report, stream: TextIO, *, tool_version: str) -> None:
    for chunk in iter_chunks(report, tool_version=tool_version):
        stream.write(chunk)


@dataclass(frozen=True, slots=True)
class HtmlFormatter:
    name: str = "html"
    description: str = "one self-contained HTML page to filter, sort and search the links"
    default_path: str | None = DEFAULT_PATH

    def write(self, report: Report, stream: TextIO, *, options: RenderOptions) -> None:
        write(report, stream, tool_version=options.tool_version)
