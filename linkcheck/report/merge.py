"""One report from the reports of a sharded run's shards (`linkcheck merge`). Pure: Reports in,
one Report out, with the warnings a person should see; nothing is read or printed here.

The rules:

- every report must be a shard's (`run.shard` K/N) or a merged one (`run.merged_from`), all of
  one N, each shard once; shards of N that no report covers are missing: an error
  (`MergeError`) unless `allow_missing`, which marks the merged report interrupted;
- links are united: each URL comes from one shard. A URL that two reports both list is taken
  once when its verdict and sources are the same in both (timings aside), else an error;
- problems and article findings are per file, so every shard reports them: deduplicated;
- per-host statistics are joined; a host that two shards both requested (a cross-host redirect
  hop does that) has its counters summed, and is named in a warning;
- the run section says when the fleet started and finished, `interrupted` if any shard was
  (or one is missing), each shard's `network_down` / `state_error`, `shard` null and
  `merged_from` the shards' runs; the summary is worked out again from the merged links.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from linkcheck.errors import InputError
from linkcheck.models import ArticleProblem, CheckResult, HostStats, Reason, Report, RunInfo
from linkcheck.report.build import build_report
from linkcheck.shard import shard_of

__all__ = ["MergeError", "Merged", "merge_reports"]

_HOSTLESS = frozenset({Reason.INVALID_URL, Reason.UNSUPPORTED_SCHEME})  # shard 1's (shard.py)
_SHOWN = 5  # URLs named in a message; the rest are counted


class MergeError(InputError):
    """The reports cannot be merged into one (the message says why)."""


@dataclass(frozen=True, slots=True)
class Merged:
    report: Report
    warnings: tuple[str, ...]
    missing: tuple[int, ...]  # shard indexes no report covered (only with allow_missing)


@dataclass(slots=True)
class _Input:
    name: str
    report: Report
    shards: tuple[tuple[int, int], ...]  # (K, N) the report covers

    @property
    def label(self) -> str:
        ks = ",".join(str(k) for k, _ in self.shards)
        return f"shard {ks} ({self.name})"


def _covers(name: str, report: Report) -> tuple[tuple[int, int], ...]:
    run = report.run
    if run.shard is not None:
        return (run.shard,)
    if run.merged_from:
        try:
            return tuple((int(m["index"]), int(m["total"])) for m in run.merged_from)  # type: ignore[call-overload]
        except (KeyError, TypeError, ValueError):
            raise MergeError(f"{name}: run.merged_from is not a list of shards") from None
    raise MergeError(
        f"{name} is not a shard's report (its run.shard is null): merge the reports of "
        "'linkcheck run --shard K/N' (or --shards N) runs"
    )


def _check_shards(inputs: Sequence[_Input]) -> tuple[int, tuple[int, ...]]:
    """N, and the shards of N no report covers; MergeError for two N or a shard twice."""
    totals = {n for i in inputs for _, n in i.shards}
    if len(totals) > 1:
        said = "; ".join(f"{i.name}: {'/'.join(map(str, i.shards[0]))}" for i in inputs)
        raise MergeError(
            f"the reports are shards of different totals ({said}): merge the shards of one run"
        )
    total = totals.pop()
    seen: dict[int, str] = {}
    for i in inputs:
        for k, _ in i.shards:
            if not 1 <= k <= total:
                raise MergeError(f"{i.name} says shard {k}/{total}, which does not exist")
            if k in seen:
                raise MergeError(f"shard {k}/{total} is given twice: {seen[k]} and {i.name}")
            seen[k] = i.name
    return total, tuple(k for k in range(1, total + 1) if k not in seen)


def _same_verdict(a: CheckResult, b: CheckResult) -> bool:
    """The same judgement of the same citations (timings, attempts, history aside)."""
    return a.link == b.link and (
        a.outcome,
        a.reason,
        a.http_status,
        a.final_url,
        a.redirects,
        a.detail,
        a.image,
    ) == (b.outcome, b.reason, b.http_status, b.final_url, b.redirects, b.detail, b.image)


def _unite(inputs: Sequence[_Input], warnings: list[str]) -> list[CheckResult]:
    by_key: dict[tuple[str, str], tuple[CheckResult, _Input]] = {}
    kept: list[CheckResult] = []
    conflicts: list[str] = []
    repeated = 0
    for i in inputs:
        for r in i.report.results:
            key = (r.link.url, r.link.kind.value)
            first = by_key.setdefault(key, (r, i))
            if first[1] is i:  # this report's own row (a URL skipped for two reasons: two)
                kept.append(r)
            elif _same_verdict(first[0], r):
                repeated += 1
            else:
                conflicts.append(f"{r.link.url} ({first[1].label} and {i.label})")
    if conflicts:
        more = f" and {len(conflicts) - _SHOWN} more" if len(conflicts) > _SHOWN else ""
        raise MergeError(
            f"{len(conflicts)} URL(s) are reported by two shards with different verdicts: "
            + "; ".join(conflicts[:_SHOWN])
            + more
            + ". Each URL belongs to one shard: are these the shards of one run, of one "
            "library, made by one linkcheck version?"
        )
    if repeated:
        warnings.append(
            f"{repeated} URL(s) are reported by two shards with the same verdict; each was "
            "taken once"
        )
    return kept


def _misplaced(inputs: Sequence[_Input], warnings: list[str]) -> None:
    """Warn when a shard's links do not hash to it under this version's rules: shards made by
    other versions (or another public suffix list) may have left links to no shard."""
    for i in inputs:
        if i.report.run.shard is None:
            continue  # a merged report: its links come from several shards
        k, n = i.report.run.shard
        wrong = sum(
            1
            for r in i.report.results
            if (1 if r.reason in _HOSTLESS else shard_of(r.link.url, n)) != k
        )
        if wrong:
            warnings.append(
                f"{wrong} link(s) of {i.label} belong to other shards by this linkcheck's "
                "rules: if the shards ran another linkcheck version, some links may have been "
                "checked by no shard"
            )


def _join_hosts(inputs: Sequence[_Input], warnings: list[str]) -> tuple[HostStats, ...]:
    joined: dict[str, HostStats] = {}
    shared: dict[str, list[str]] = {}
    for i in inputs:
        for h in i.report.run.hosts:
            have = joined.get(h.host)
            shared.setdefault(h.host, []).append(i.label)
            joined[h.host] = replace(h) if have is None else _add_host(have, h)
    both = sorted(h for h, labels in shared.items() if len(labels) > 1)
    if both:
        named = ", ".join(f"{h} ({' and '.join(shared[h])})" for h in both[:_SHOWN])
        more = f" and {len(both) - _SHOWN} more" if len(both) > _SHOWN else ""
        warnings.append(
            f"{len(both)} host(s) were requested by more than one shard, their statistics "
            f"summed: {named}{more}. Redirects that cross to another shard's host do this; "
            "otherwise the shards did not split the hosts"
        )
    return tuple(joined[h] for h in sorted(joined))


def _add_host(a: HostStats, b: HostStats) -> HostStats:
    def low(x: float | None, y: float | None) -> float | None:
        return y if x is None else x if y is None else min(x, y)

    return HostStats(
        host=a.host,
        requests=a.requests + b.requests,
        retries=a.retries + b.retries,
        responses_429=a.responses_429 + b.responses_429,
        waited_s=a.waited_s + b.waited_s,
        max_in_flight=max(a.max_in_flight, b.max_in_flight),  # each shard's own peak
        rate_limit=low(a.rate_limit, b.rate_limit),
        slowed_down=a.slowed_down or b.slowed_down,
        marked_down=a.marked_down or b.marked_down,
        short_circuited=a.short_circuited + b.short_circuited,
        configured_rate=low(a.configured_rate, b.configured_rate),
        min_rate=low(a.min_rate, b.min_rate),
        below_rate_s=a.below_rate_s + b.below_rate_s,
    )


def _seconds(start: str, end: str) -> float | None:
    try:
        t0 = datetime.fromisoformat(start.replace("Z", "+00:00"))
        t1 = datetime.fromisoformat(end.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return None
    return max(0.0, (t1 - t0).total_seconds())


def _shard_runs(inputs: Sequence[_Input]) -> tuple[Mapping[str, object], ...]:
    runs: list[Mapping[str, object]] = []
    for i in inputs:
        run = i.report.run
        if run.shard is None:
            runs.extend(run.merged_from)
            continue
        runs.append(
            {
                "index": run.shard[0],
                "total": run.shard[1],
                "started_at": run.started_at,
                "finished_at": run.finished_at,
                "duration_s": run.duration_s,
                "interrupted": run.interrupted,
                "links": len(i.report.results),
                "report": i.name,
            }
        )
    return tuple(sorted(runs, key=lambda m: int(m["index"])))  # type: ignore[call-overload]


def _interrupted(i: _Input) -> bool:
    """Whether a shard of this input was stopped early (a merged report is interrupted when
    shards were missing from it too: those may be here now)."""
    run = i.report.run
    if run.shard is None:
        return any(m.get("interrupted") is True for m in run.merged_from)
    return run.interrupted


def _notes(inputs: Sequence[_Input], field: str) -> str | None:
    said = [(i.label, getattr(i.report.run, field)) for i in inputs]
    found = [f"{label}: {text}" for label, text in said if text]
    return "; ".join(found) or None


def _first_unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _run_info(inputs: Sequence[_Input], warnings: list[str], missing: Sequence[int]) -> RunInfo:
    first = inputs[0].report.run
    started = min(i.report.run.started_at for i in inputs)
    finished = max(i.report.run.finished_at for i in inputs)
    duration = _seconds(started, finished)
    if duration is None:
        duration = max(i.report.run.duration_s for i in inputs)
    options = dict(first.options)
    if "shard" in options:
        options["shard"] = None
    if "shards" in options:
        options["shards"] = 0
    return RunInfo(
        started_at=started,
        finished_at=finished,
        duration_s=round(duration, 3),
        inputs=_first_unique(p for i in inputs for p in i.report.run.inputs),
        options=options,
        hosts=_join_hosts(inputs, warnings),
        interrupted=bool(missing) or any(_interrupted(i) for i in inputs),
        config_file=first.config_file,
        fail_after=max(i.report.run.fail_after for i in inputs),
        network_down=_notes(inputs, "network_down"),
        state_error=_notes(inputs, "state_error"),
        shard=None,
        merged_from=_shard_runs(inputs),
    )


def _file_hashes(inputs: Sequence[_Input], warnings: list[str]) -> dict[str, str]:
    hashes: dict[str, str] = {}
    changed: list[str] = []
    for i in inputs:
        for name, digest in i.report.file_hashes.items():
            if hashes.setdefault(name, digest) != digest:
                changed.append(name)
    if changed:
        names = ", ".join(sorted(set(changed))[:_SHOWN])
        warnings.append(
            f"{len(set(changed))} file(s) changed while the shards read them ({names}): "
            "their findings and links may disagree between shards"
        )
    return hashes


def merge_reports(reports: Sequence[tuple[str, Report]], *, allow_missing: bool = False) -> Merged:
    """One report of the whole run from its shards' `(name, report)` pairs (`name`: the file,
    for messages and `merged_from`). Raises `MergeError` when they cannot be merged."""
    if not reports:
        raise MergeError("no report to merge")
    inputs = [_Input(name, report, _covers(name, report)) for name, report in reports]
    total, missing = _check_shards(inputs)
    if missing and not allow_missing:
        raise MergeError(
            f"shard(s) {', '.join(f'{k}/{total}' for k in missing)} missing: no report given "
            "covers them (--allow-missing writes a report marked interrupted without them)"
        )
    inputs.sort(key=lambda i: i.shards[0][0])
    warnings: list[str] = []
    if missing:
        warnings.append(
            f"shard(s) {', '.join(map(str, missing))} of {total} missing: their links are not "
            "in the merged report, which is marked interrupted (exit code 2)"
        )
    results = _unite(inputs, warnings)
    _misplaced(inputs, warnings)
    files = {i.report.files for i in inputs}
    articles = {i.report.articles for i in inputs}
    if len(files) > 1 or len(articles) > 1:
        warnings.append(
            f"the shards read different libraries (files: {sorted(files)}, articles: "
            f"{sorted(articles)}); the merged report counts the largest"
        )
    problems: dict[ArticleProblem, None] = {}
    for i in inputs:
        problems.update(dict.fromkeys(i.report.problems))
    report = build_report(
        run=_run_info(inputs, warnings, missing),
        files=max(files),
        articles=max(articles),
        results=results,
        problems=problems,
        findings=(f for i in inputs for f in i.report.findings),
        file_hashes=_file_hashes(inputs, warnings),
    )
    return Merged(report, tuple(warnings), missing)
