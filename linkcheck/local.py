"""Local links: files next to the article (or under --root-dir), checked on disk.

A relative link with no base URL is a file (see `collect.places`); reading gives it a
`file:` URL and keeps its absolute path (`Collected.local_files`). Here, after planning and
before anything is dispatched, every such link is settled without a request: it never reaches
a host permit, a rate slot, the address guard or the network.

* The path exists (a file, or a folder: `/about/` is ok when the folder exists; no index file
  is required) -> ok. Else, for a "pretty URL" as static-site generators write them (no
  extension, or a trailing "/"), `<path>.md`, `<path>.html`, `<path>/index.md`,
  `<path>/_index.md` or `<path>/index.html` -> ok, whatever the letter case of the file's
  names (generators lower-case URLs: Hugo serves `Append.md` at `/functions/append/`). Else
  broken / file_missing, the detail naming the resolved path.
* An image that exists (any occurrence of kind image) with image checks on: its first bytes
  are read with the same prober as a network image (only as many bytes as its header needs,
  seeking where the prober asks, at most `image_max_bytes`), then judged exactly as a
  network image: not_an_image, image_unreadable, image_dimension_mismatch against each
  citation's declared size.
* Nothing else is ever read: a link out of the library (`../../etc/passwd`) is only looked
  up (exists or not; an image's header at most).

A cached verdict of a local link (the state store keeps them like any other) is never
reused: the file is looked at again, as that costs less than a request.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace

from linkcheck.classify import judge
from linkcheck.config import Config
from linkcheck.images.prober import ImageProber
from linkcheck.models import CheckResult, HttpOutcome, ImageProbe, Link, LinkKind, Outcome, Reason
from linkcheck.plan import Plan

__all__ = ["LOCAL_PREFIX", "is_local", "settle_local", "check_file"]

LOCAL_PREFIX = "file:"
_CHUNK = 16 * 1024
_PRETTY = (".md", ".html")
_INDEXES = ("index.md", "_index.md", "index.html")


def is_local(url: str) -> bool:
    return url.startswith(LOCAL_PREFIX)


def settle_local(work: Plan, config: Config, files: Mapping[str, str] | None = None) -> Plan:
    """`work` with every local link settled on disk, without a request. `files`: each local
    link's absolute path (`Collected.local_files`)."""
    files = files or {}
    if not any(is_local(link.url) for link in work.to_check) and not any(
        is_local(r.link.url) for r in work.settled if r.cached
    ):
        return work
    keep = tuple(link for link in work.to_check if not is_local(link.url))
    settled = [r for r in work.settled if not (r.cached and is_local(r.link.url))]
    again = [r.link for r in work.settled if r.cached and is_local(r.link.url)]
    local = [link for link in work.to_check if is_local(link.url)] + again
    listings: Listings = {}
    settled.extend(check_file(link, files.get(link.url), config, listings) for link in local)
    return replace(work, to_check=keep, settled=tuple(settled))


def check_file(
    link: Link, path: str | None, config: Config, listings: Listings | None = None
) -> CheckResult:
    """The verdict on one local link. Never raises."""
    if path is None:  # pragma: no cover - every local link is read with its path
        return _result(link, Outcome.WARNING, Reason.INTERNAL_ERROR, "local link without a path")
    try:
        found = _existing(path, {} if listings is None else listings)
        if found is None:
            return _result(link, Outcome.BROKEN, Reason.FILE_MISSING, f"no such file: {path}")
        wants_image = link.kind is LinkKind.IMAGE or any(
            o.kind is LinkKind.IMAGE for o in link.occurrences
        )
        if not (wants_image and config.check_images) or os.path.isdir(found):
            return _result(link, Outcome.OK, None, "" if found == path else f"found {found}")
        probe = probe_file(found, config.image_max_bytes)
    except (OSError, ValueError) as exc:  # ValueError: a NUL written as %00
        why = (exc.strerror if isinstance(exc, OSError) else None) or str(exc)
        return _result(link, Outcome.BROKEN, Reason.FILE_MISSING, f"cannot read {path}: {why}")
    outcome = HttpOutcome(200, link.url, attempts=0, image=probe, method="READ")
    judged = judge(link, outcome, config)
    return replace(judged, http_status=None, final_url=None, attempts=0, elapsed=0.0)


#: folder -> {lower-case name: name} (None: not a folder), shared by the links of one run
Listings = dict[str, dict[str, str] | None]


def _existing(path: str, listings: Listings) -> str | None:
    """`path`, or the file a pretty URL names, if it exists."""
    if os.path.exists(path):
        return path
    bare = path.rstrip("/" + os.sep)
    if path.endswith(("/", os.sep)) or not os.path.splitext(bare)[1]:
        candidates = (
            *(bare + ext for ext in _PRETTY),
            *(os.path.join(bare, name) for name in _INDEXES),
        )
        for candidate in candidates:
            if os.path.isfile(candidate):
                return candidate
        # site generators lower-case their URLs (Hugo: /functions/append/ is Append.md)
        for candidate in candidates:
            found = _any_case(candidate, listings)
            if found is not None and os.path.isfile(found):
                return found
    return None


def _any_case(path: str, listings: Listings) -> str | None:
    """The existing path that equals `path` but for letter case, if there is one: from the
    deepest folder that exists as written, each further name looked up in its folder's
    listing (read once per folder)."""
    head, rest = path, []
    while head and not os.path.isdir(head):
        head, name = os.path.split(head)
        if not name:
            return None
        rest.append(name)
    for name in reversed(rest):
        if head not in listings:
            try:
                listings[head] = {entry.lower(): entry for entry in os.listdir(head)}
            except OSError:
                listings[head] = None
        names = listings[head]
        real = None if names is None else names.get(name.lower())
        if real is None:
            return None
        head = os.path.join(head, real)
    return head


def probe_file(path: str, max_bytes: int) -> ImageProbe:
    """An image's format and size from the first bytes of a file: read a chunk at a time as
    the prober asks for them, never more than `max_bytes` in all."""
    prober = ImageProber(max_bytes=max_bytes)
    with open(path, "rb") as fh:
        offset = 0
        while True:
            chunk = fh.read(min(_CHUNK, max_bytes - prober.bytes_read))
            if not chunk:
                return prober.finish()
            done = prober.feed_at(offset, chunk)
            if done is not None:
                return done
            offset += len(chunk)
            wanted = prober.wanted_offset()
            if wanted is not None and wanted != offset:
                fh.seek(wanted)
                offset = wanted
            if prober.bytes_read >= max_bytes:
                return prober.finish()


def _result(link: Link, outcome: Outcome, reason: Reason | None, detail: str) -> CheckResult:
    return CheckResult(link, outcome, reason, None, None, detail=detail)
