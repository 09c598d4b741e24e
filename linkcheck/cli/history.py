"""`linkcheck history [URL]`: what the state store remembers.

Without a URL: the last runs, newest first, with their status and totals. With a URL (as
written in an article, or its normalised form, or a link id or the start of one): that link's
verdict timeline. Reads the store without taking the run lock (SQLite's WAL lets a reader look
while a run writes), and never writes to it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from linkcheck.cli.helptext import EXIT_ERROR, EXIT_OK, help_formatter
from linkcheck.collect.credentials import redact
from linkcheck.config import build_config
from linkcheck.errors import InputError
from linkcheck.models import LinkKind, RawLink, Source
from linkcheck.state import KEEP_VERDICT_RUNS, Store, default_state_path
from linkcheck.state.location import library_stores

__all__ = ["HELP", "NAME", "add_parser", "run"]

NAME = "history"
HELP = "show the last runs, or one link's verdicts over time, from the state store"

DESCRIPTION = f"""\
Show what the state store remembers: without URL, the last runs (id, start, status, totals);
with URL (or a link id, or the first characters of one), that link's verdict in each run,
newest first, with its history status (new, ok, newly_broken, still_broken, fixed, flapping).

The store is found as `linkcheck run` finds it: --state FILE, else .linkcheck/state.db beside
the config file (--config FILE, or linkcheck.toml / pyproject.toml found from the first
--library PATH or the current directory upwards), else the library's own store under
$XDG_STATE_HOME/linkcheck/libraries/ (give the same PATHs as to `linkcheck run` with --library;
when only one library has a store there, it is used). Verdicts of the last {KEEP_VERDICT_RUNS}
recording runs are kept; older runs keep their totals."""

EPILOG = """\
exit codes:
  0  shown
  2  no store there, the store cannot be read, or the link is not in it"""

LIMIT_DEFAULT = 20


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        NAME, help=HELP, description=DESCRIPTION, epilog=EPILOG, formatter_class=help_formatter
    )
    parser.add_argument("url", nargs="?", metavar="URL", help="a link's URL or id (optional)")
    parser.add_argument("--state", metavar="FILE", help="the state store to read")
    parser.add_argument(
        "--config", metavar="FILE", help="the config file whose default state store to read"
    )
    parser.add_argument(
        "--library",
        metavar="PATH",
        action="append",
        default=[],
        help="the library (the PATHs given to `linkcheck run`) whose default store to read; "
        "repeatable",
    )
    parser.add_argument(
        "--limit",
        type=int,
        default=LIMIT_DEFAULT,
        metavar="N",
        help=f"show at most N runs or verdicts (default: {LIMIT_DEFAULT})",
    )
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="text (default) or json"
    )
    return parser


def store_path(args: argparse.Namespace) -> str:
    """--state, else the store `linkcheck run` would use (same rule as run's). Without
    --library and a config file: the one library store there is; several are an error that
    lists them (InputError: exit 2)."""
    if args.state:
        return str(args.state)
    libraries: list[str] = list(args.library)
    config, _ = build_config({}, config_path=args.config, inputs=libraries)
    if config.state or config.config_file or libraries:
        return config.state or default_state_path(config.config_file, libraries)
    stores = library_stores()
    if len(stores) == 1:
        return stores[0]
    if len(stores) > 1:
        listed = "\n  ".join(stores[:20])
        raise InputError(
            "history: several libraries have a state store; say which with --library PATH "
            f"(the paths given to linkcheck run) or --state FILE:\n  {listed}"
        )
    return default_state_path(None)


def run(args: argparse.Namespace) -> int:
    if args.limit < 1:
        print("linkcheck: history: --limit must be at least 1", file=sys.stderr)
        return EXIT_ERROR
    path = store_path(args)
    store = Store(path, create=False)  # StateError (exit 2) names the file and what to do
    try:
        if args.url is None:
            data: dict[str, Any] = {"state_file": os.path.abspath(path), "runs": runs(store, args)}
            text = render_runs(data)
        else:
            found = link_data(store, args.url, args.limit)
            if isinstance(found, str):
                print(f"linkcheck: history: {found}", file=sys.stderr)
                return EXIT_ERROR
            data = {"state_file": os.path.abspath(path), **found}
            text = render_link(data)
    finally:
        store.close()
    # the store matches links by their URL as written, credentials included: never show them
    if args.format == "json":
        sys.stdout.write(redact(json.dumps(data, indent=2)) + "\n")
    else:
        sys.stdout.write(redact(text))
    return EXIT_OK


def _json(text: str | None) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def runs(store: Store, args: argparse.Namespace) -> list[dict[str, Any]]:
    return [
        {
            "id": r[0],
            "started_at": r[1],
            "finished_at": r[2],
            "status": r[3],
            "tool_version": r[4],
            "inputs": _json(r[5]) or [],
            "totals": _json(r[6]) or {},
        }
        for r in store.runs(args.limit)
    ]


def _normalised(text: str) -> str | None:
    # imported here, not at the top: the normaliser loads httpx, and `--help` stays instant
    from linkcheck.collect.normalize import normalize

    raw = RawLink(text, LinkKind.OTHER, Source("<command line>", "URL", None, None))
    url = normalize(raw)
    return url if isinstance(url, str) else None


def link_data(store: Store, key: str, limit: int) -> dict[str, Any] | str:
    """The link's summary and timeline, or why there is none (a message)."""
    matches = store.find_links(key.strip())
    if not matches:
        url = _normalised(key.strip())
        if url is not None and url != key:
            matches = store.find_links(url)
    if not matches:
        return f"{key} is not in the state store {store.path} (no recorded run saw it)"
    if len(matches) > 1:
        listed = "; ".join(f"{i} {u}" for i, u in matches[:5])
        return f"{key} matches {len(matches)} links ({listed}): give more of the id"
    ident, url = matches[0]
    row = store.link_summary(ident)
    assert row is not None
    summary = {
        "status": row[4],
        "first_seen": row[3],
        "broken_since": row[5],
        "failing_runs": row[6],
        "last_ok": row[7],
    }
    timeline = [
        {
            "run_id": t[0],
            "run_started_at": t[1],
            "run_status": t[2],
            "checked_at": t[3],
            "outcome": t[4],
            "reason": t[5],
            "http_status": t[6],
            "final_url": t[7] or url,
            "history": t[8],
            "cached": bool(t[9]),
            "detail": t[10] or "",
        }
        for t in store.timeline(ident, limit)
    ]
    return {
        "link": {"id": ident, "url": url, "kind": row[2], "history": summary},
        "verdicts": timeline,
    }


def _totals_text(totals: dict[str, Any]) -> str:
    if not totals:
        return ""
    outcomes = totals.get("outcomes") or {}
    parts = [f"{totals.get('links', 0)} links"]
    parts += [f"{n} {k}" for k, n in outcomes.items() if n]
    if totals.get("cached"):
        parts.append(f"{totals['cached']} cached")
    history = {k: n for k, n in (totals.get("history") or {}).items() if n}
    changes = [
        f"{history[k]} {k.replace('_', ' ')}" for k in ("newly_broken", "fixed") if k in history
    ]
    if changes:
        parts.append("; ".join(changes))
    return ", ".join(parts)


def render_runs(data: dict[str, Any]) -> str:
    lines = [f"state store: {data['state_file']}"]
    if not data["runs"]:
        lines.append("no runs recorded yet")
    for r in data["runs"]:
        totals = _totals_text(r["totals"])
        lines.append(f"run {r['id']:>4}  {r['started_at']}  {r['status']:<12}  {totals}".rstrip())
    return "\n".join(lines) + "\n"


def render_link(data: dict[str, Any]) -> str:
    link, h = data["link"], data["link"]["history"]
    lines = [
        f"{link['url']}  (id {link['id']}, {link['kind']})",
        f"  history: {h['status'] or 'not yet in a complete run'}"
        + (f", first seen {h['first_seen']}" if h["first_seen"] else "")
        + (
            f", broken since {h['broken_since']} ({h['failing_runs']} runs)"
            if h["broken_since"]
            else ""
        )
        + (f", last ok {h['last_ok']}" if h["last_ok"] else ""),
    ]
    if not data["verdicts"]:
        lines.append("  no verdicts kept (older runs' verdicts are pruned)")
    for v in data["verdicts"]:
        status = f"HTTP {v['http_status']}" if v["http_status"] is not None else ""
        what = " ".join(x for x in (v["outcome"], v["reason"] or "", status) if x)
        notes = [n for n in (v["history"], "cached" if v["cached"] else "") if n]
        if v["run_status"] != "complete":
            notes.append(f"run {v['run_status']}")
        lines.append(
            f"  run {v['run_id']:>4}  {v['checked_at']}  {what:<28}  {', '.join(notes)}".rstrip()
        )
        if v["detail"] and v["outcome"] != "ok":
            lines.append(f"             {v['detail']}")
    return "\n".join(lines) + "\n"
