"""`prometheus`: a node_exporter textfile-collector file (Prometheus text format 0.0.4).

Point node_exporter's `--collector.textfile.directory` at the folder and write
`--format prometheus=/var/lib/node_exporter/textfile/linkcheck.prom`: the CLI writes the file
atomically (temporary file + rename), as the collector requires. Every metric is a gauge
describing the last run: links by outcome, reason, kind, severity and history status; links
and requests by host; articles affected, permanent redirects, problems, image mismatches;
run duration, start and finish timestamps, interrupted.

Host labels are bounded: the `MAX_HOSTS` hosts with the most broken links (then the most
links, then the most requests) get their own series; all others are summed under
`host="(other)"`, and links without a host (mailto:, invalid URLs) count under `(none)`. A
library linking to 50,000 domains therefore adds at most `MAX_HOSTS + 2` series per host
metric. Label values are escaped as the format asks (backslash, double quote, line feed).

Written by hand rather than with prometheus_client: the format is a few lines of text, and
its registry model (metrics objects in a process-global registry) does not fit a one-shot
file; the tests parse the output with prometheus_client's own parser.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TextIO

from linkcheck.formats.rows import host_label
from linkcheck.models import Outcome, Report
from linkcheck.report import summarize
from linkcheck.report.triage import triage_summary

if TYPE_CHECKING:
    from linkcheck.formats.registry import RenderOptions

__all__ = ["MAX_HOSTS", "PROMETHEUS", "label_value", "write"]

MAX_HOSTS = 20
OTHER = "(other)"
NO_HOST = "(none)"

Series = Iterable[tuple[Mapping[str, str], float]]


def label_value(value: object) -> str:
    text = str(value).encode("utf-8", "replace").decode("utf-8")  # lone surrogates -> ?
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("+Inf" if value > 0 else "-Inf")
    return repr(float(value))


def _timestamp(iso: object) -> float | None:
    try:
        return datetime.fromisoformat(str(iso).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


class _Out:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def metric(self, name: str, help_text: str, series: Series) -> None:
        self.stream.write(f"# HELP linkcheck_{name} {help_text}\n# TYPE linkcheck_{name} gauge\n")
        for labels, value in series:
            inner = ",".join(f'{k}="{label_value(v)}"' for k, v in labels.items())
            body = f"{{{inner}}}" if inner else ""
            self.stream.write(f"linkcheck_{name}{body} {_number(value)}\n")

    def single(self, name: str, help_text: str, value: float) -> None:
        self.metric(name, help_text, [({}, value)])


def _hosts(report: Report) -> tuple[dict[str, Counter[str]], dict[str, int]]:
    """Links per host and outcome, and requests per host, with hosts past the top N merged."""
    links: dict[str, Counter[str]] = {}
    for r in report.results:
        host = host_label(r.link.url) or NO_HOST
        links.setdefault(host, Counter())[r.outcome.value] += 1
    requests = {h.host: h.requests for h in report.run.hosts if isinstance(h.requests, int)}
    names = set(links) | set(requests)
    names.discard(NO_HOST)

    def rank(host: str) -> tuple[int, int, int, str]:
        c = links.get(host, Counter())
        return (-c[Outcome.BROKEN.value], -c.total(), -requests.get(host, 0), host)

    keep = set(sorted(names, key=rank)[:MAX_HOSTS]) | {NO_HOST}
    merged_links: dict[str, Counter[str]] = {}
    for host, counts in links.items():
        merged_links.setdefault(host if host in keep else OTHER, Counter()).update(counts)
    merged_requests: Counter[str] = Counter()
    for host, n in requests.items():
        merged_requests[host if host in keep else OTHER] += n
    return merged_links, dict(merged_requests)


def write(report: Report, stream: TextIO) -> None:
    summary = summarize(report)
    triage = triage_summary(report)
    out = _Out(stream)
    out.metric(
        "links",
        "Unique links in the last run, by outcome.",
        (({"outcome": k}, v) for k, v in summary.outcomes.items()),
    )
    out.metric(
        "links_by_reason",
        "Unique links in the last run that are not ok, by reason.",
        (({"reason": k}, v) for k, v in summary.reasons.items()),
    )
    out.metric(
        "links_by_kind",
        "Unique links in the last run, by kind and outcome.",
        (
            ({"kind": kind, "outcome": outcome}, n)
            for kind, counts in summary.kinds.items()
            for outcome, n in counts.items()
            if outcome != "total"
        ),
    )
    out.metric(
        "links_by_severity",
        "Unique links in the last run, by triage severity.",
        (({"severity": k}, v) for k, v in triage.severities.items()),
    )
    if summary.history is not None:
        out.metric(
            "links_by_history",
            "Unique links in the last run, by history status across runs.",
            (({"status": k}, v) for k, v in summary.history.items()),
        )
    links, requests = _hosts(report)
    out.metric(
        "host_links",
        f"Unique links by host (top {MAX_HOSTS} hosts, the rest as (other)) and outcome.",
        (
            ({"host": host, "outcome": outcome}, n)
            for host in sorted(links)
            for outcome, n in sorted(links[host].items())
        ),
    )
    out.metric(
        "host_requests",
        f"HTTP requests sent by host (top {MAX_HOSTS} hosts, the rest as (other)).",
        (({"host": host}, n) for host, n in sorted(requests.items())),
    )
    out.single(
        "broken_links",
        "Unique broken links in the last run.",
        summary.outcomes.get(Outcome.BROKEN.value, 0),
    )
    out.single("occurrences", "Link citations in the last run.", summary.occurrences)
    out.single("articles", "Articles read in the last run.", summary.articles)
    out.single("files", "Article files read in the last run.", summary.files)
    out.single(
        "articles_affected", "Articles citing at least one broken link.", triage.articles_affected
    )
    out.single(
        "permanent_redirects",
        "Links that work through a permanent redirect (to update).",
        triage.permanent_redirects,
    )
    out.single("problems", "Article files or fields that could not be used.", summary.problems)
    out.single(
        "image_mismatches", "Images whose declared size is wrong.", summary.images.mismatches
    )
    run = report.run
    out.single("run_duration_seconds", "Duration of the last run.", float(run.duration_s or 0.0))
    for name, iso in (("start", run.started_at), ("finish", run.finished_at)):
        ts = _timestamp(iso)
        if ts is not None:
            out.single(f"run_{name}_timestamp_seconds", f"Unix time the last run {name}ed.", ts)
    out.single("run_interrupted", "1 when the last run was interrupted.", int(run.interrupted))


@dataclass(frozen=True, slots=True)
class _Prometheus:
    name: str = "prometheus"
    description: str = "a node_exporter textfile-collector file: gauges by outcome, reason, host"
    default_path: str | None = "linkcheck.prom"

    def write(self, report: Report, stream: TextIO, *, options: RenderOptions) -> None:
        write(report, stream)


PROMETHEUS = _Prometheus()
