"""Every type that crosses a stage boundary.

This module imports nothing from the package and performs no I/O. All types are frozen,
slotted dataclasses; collections are tuples; closed sets are enums whose values are the
exact strings of the JSON report contract.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from linkcheck.models.findings import Finding
from linkcheck.models.hosts import HostStats
from linkcheck.models.page import PageFacts


class LinkKind(StrEnum):
    PAGE = "page"  # webUrl
    AMP = "amp"  # ampWebUrl
    AMP_CACHE = "amp_cache"  # cdnAmpWebUrl
    IMAGE = "image"  # images[].url, <img src>, ![](...)
    OTHER = "other"  # any other URL in front matter or body


class Outcome(StrEnum):
    OK = "ok"
    BROKEN = "broken"
    WARNING = "warning"
    SKIPPED = "skipped"


class Reason(StrEnum):
    """The closed vocabulary of the report's `reason` field (null means ok)."""

    # broken
    HTTP_STATUS = "http_status"
    DNS = "dns"
    CONNECT = "connect"
    TLS = "tls"
    TIMEOUT = "timeout"
    PROTOCOL_ERROR = "protocol_error"  # connection reset / malformed response mid-exchange
    REDIRECT_LOOP = "redirect_loop"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    INVALID_URL = "invalid_url"
    INVALID_REDIRECT = "invalid_redirect"  # a Location we cannot follow (port, characters)
    NOT_AN_IMAGE = "not_an_image"
    IMAGE_UNREADABLE = "image_unreadable"
    IMAGE_DIMENSION_MISMATCH = "image_dimension_mismatch"
    SOFT_404 = "soft_404"  # answers 2xx/3xx but is a "not found" page (evidence in detail)
    FILE_MISSING = "file_missing"  # a local link whose file does not exist
    # warning
    BLOCKED = "blocked"
    RATE_LIMITED = "rate_limited"
    INTERNAL_ERROR = "internal_error"  # a bug in linkcheck; the link could not be judged
    NOT_CHECKED = "not_checked"  # the run was interrupted or hit --max-time before this link
    # skipped
    UNSUPPORTED_SCHEME = "unsupported_scheme"
    EXCLUDED = "excluded"
    PRIVATE_ADDRESS = "private_address"  # the host is (or resolves to) a private address
    NO_BASE_URL = "no_base_url"  # a root-relative link with no base URL and no --root-dir


class HistoryStatus(StrEnum):
    """A link's place in its history across runs (the report's `history.status`)."""

    NEW = "new"  # first seen in this run
    OK = "ok"  # ok now and in the previous run
    NEWLY_BROKEN = "newly_broken"  # broken now, not broken in the previous run
    STILL_BROKEN = "still_broken"  # broken now and in the previous run
    FIXED = "fixed"  # not broken now, broken in the previous run
    FLAPPING = "flapping"  # changed between ok and broken several times in recent runs


class ErrorKind(StrEnum):
    """Transport-level failure of one HTTP exchange, mapped once from httpx in http.py."""

    DNS = "dns"
    CONNECT = "connect"
    TLS = "tls"
    TIMEOUT = "timeout"
    CONNECT_TIMEOUT = (
        "connect_timeout"  # no connection within the connect timeout (blackholed host)
    )
    PROTOCOL = "protocol"
    REDIRECT_LOOP = "redirect_loop"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    INVALID_URL = "invalid_url"  # a URL that is not valid
    INVALID_REDIRECT = "invalid_redirect"  # a Location header we cannot follow
    PRIVATE_ADDRESS = "private_address"  # refused: the host is (resolves to) a non-public address


class ProblemReason(StrEnum):
    """Why an input file (or one field of it) could not be used as-is."""

    UNREADABLE = "unreadable"  # I/O error, permission denied, vanished
    NOT_UTF8 = "not_utf8"
    NO_FRONT_MATTER = "no_front_matter"
    INVALID_YAML = "invalid_yaml"
    INVALID_TOML = "invalid_toml"  # TOML front matter (+++) that tomllib refuses
    INVALID_JSON = "invalid_json"  # JSON front matter ({...}) that json refuses
    NOT_A_MAPPING = "not_a_mapping"
    WRONG_TYPE = "wrong_type"  # a known field has the wrong type (e.g. images is a string)
    TOO_LARGE = "too_large"
    INVALID_DECLARED_SIZE = (
        "invalid_declared_size"  # image width/height missing, zero, negative, NaN
    )
    INVALID_FIELD_MAPPING = "invalid_field_mapping"  # a [fields] path that cannot be used


_MAX_DEPTH = 32  # YAML anchors can build self-referencing lists; never recurse forever


def _text(value: object) -> str:
    try:
        return str(value)
    except Exception:  # noqa: BLE001 - a hostile __str__ must not break reading
        return f"<unprintable {type(value).__name__}>"


def json_safe(value: object, _depth: int = 0) -> object:
    """`value` as JSON-safe data: None, bool, int, str and finite floats are kept; lists and
    tuples become tuples and mappings dicts with string keys (recursively); anything else
    (dates, bytes, sets, NaN, infinity, objects) and anything nested too deep becomes its
    `str`. The JSON report writes these values exactly as before. Never raises."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else _text(value)
    if _depth >= _MAX_DEPTH or isinstance(value, StrEnum):
        return _text(value)
    if isinstance(value, list | tuple):
        return tuple(json_safe(v, _depth + 1) for v in value)
    if isinstance(value, dict):
        return {
            _text(k) if not isinstance(k, str) else k: json_safe(v, _depth + 1)
            for k, v in value.items()
        }
    return _text(value)


def link_id(url: str) -> str:
    """The stable id of a normalised URL (the report's `links[].id`): the first 16 hex digits
    of its SHA-256, the same in every run, shard and machine."""
    return hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Source:
    """Where one occurrence of a URL was written."""

    file: str  # relative to the input root it was found under, POSIX separators
    field: str  # "webUrl", "related[2].images[0].url", or "body"
    line: int | None  # 1-based line in the file, when known
    title: str | None  # the article's title
    article_key: str | None = None  # the article's own key: id/uuid in front matter, else webUrl


@dataclass(frozen=True, slots=True)
class DeclaredSize:
    """An image's size as the article declares it, as written (may be invalid), made JSON-safe
    on the way in: raw YAML (dates, bytes, sets, NaN, self-referencing lists) stops here."""

    width: object
    height: object

    def __post_init__(self) -> None:
        object.__setattr__(self, "width", json_safe(self.width))
        object.__setattr__(self, "height", json_safe(self.height))


@dataclass(frozen=True, slots=True)
class Article:
    path: str
    title: str | None
    front_matter: dict[Any, Any]  # parsed YAML mapping (keys may be any YAML scalar)
    body: str
    body_line: int  # 1-based file line where the body starts
    content_hash: str | None = None  # SHA-256 hex of the file's bytes as read (None: in memory)
    format: str = "yaml"  # the front matter's format: "yaml", "toml" or "json"


@dataclass(frozen=True, slots=True)
class ArticleProblem:
    file: str
    reason: ProblemReason
    message: str
    field: str | None = None
    line: int | None = None


@dataclass(frozen=True, slots=True)
class RawLink:
    """A URL as written in one place."""

    text: str
    kind: LinkKind
    source: Source
    declared: DeclaredSize | None = None


@dataclass(frozen=True, slots=True)
class SizeVerdict:
    """Per-occurrence image size verdict."""

    declared_width: int | None
    declared_height: int | None
    matches: bool | None  # None when the declared size is invalid or the actual size unknown
    aspect_ratio_matches: bool | None
    problem: str | None = None  # why the declared size is invalid, if it is


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One citation of a normalised link: the original spelling, where, and as what."""

    text: str
    kind: LinkKind
    source: Source
    declared: DeclaredSize | None = None
    verdict: SizeVerdict | None = None  # the image size verdict of this citation, once judged


@dataclass(frozen=True, slots=True)
class Link:
    """A normalised absolute URL, checked once; every occurrence is kept."""

    url: str
    kind: LinkKind
    occurrences: tuple[Occurrence, ...]

    def with_verdicts(self, verdicts: Sequence[SizeVerdict | None]) -> Link:
        """This link with `verdicts[i]` paired to occurrence i (missing verdicts: None)."""
        padded = (*verdicts, *([None] * (len(self.occurrences) - len(verdicts))))
        occurrences = tuple(
            replace(o, verdict=v) for o, v in zip(self.occurrences, padded, strict=False)
        )
        return replace(self, occurrences=occurrences)


@dataclass(frozen=True, slots=True)
class Skipped:
    """A raw link that will not be sent to the network, with the reason why."""

    raw: RawLink
    url: str  # the best normalisation we could make (may equal raw.text)
    outcome: Outcome
    reason: Reason
    detail: str


@dataclass(frozen=True, slots=True)
class Hop:
    url: str
    status: int


@dataclass(frozen=True, slots=True)
class ImageProbe:
    """What the first bytes of an image told us."""

    format: str | None  # "jpeg", "png", "gif", "webp", "avif", "heic", "bmp", "tiff", "ico", "svg"
    width: int | None  # stored pixel size
    height: int | None
    displayed_width: int | None  # after EXIF / irot orientation; equals width when not rotated
    displayed_height: int | None
    bytes_read: int
    error: Reason | None = None  # NOT_AN_IMAGE or IMAGE_UNREADABLE
    detail: str = ""  # human-readable note (e.g. "SVG has no intrinsic size")
    orientation: int | None = None  # EXIF orientation 1-8 when present


@dataclass(frozen=True, slots=True)
class HttpOutcome:
    """The seam between I/O and judgement: what happened on the wire for one URL."""

    status: int | None  # final status after redirects; None on transport error
    final_url: str
    redirects: tuple[Hop, ...] = ()
    error_kind: ErrorKind | None = None
    error_detail: str = ""
    attempts: int = 1
    elapsed: float = 0.0  # seconds, all attempts
    headers: tuple[tuple[str, str], ...] = ()
    method: str = "GET"
    retry_after: float | None = None  # seconds, when the final response carried Retry-After
    image: ImageProbe | None = None
    host_down: bool = False  # short-circuited: the host was already found unreachable this run
    body_bytes: int = 0  # body bytes received for the final response (images: all ranges)
    page: PageFacts | None = None  # what a bounded read of an HTML page found, when read


@dataclass(frozen=True, slots=True)
class Validators:
    """What a server said that lets a later run revalidate a response conditionally."""

    etag: str | None = None
    last_modified: str | None = None
    content_length: int | None = None


@dataclass(frozen=True, slots=True)
class CachedImage:
    """An image's last ok verdict, kept by the state store, for a conditional recheck: a 304
    answer to If-None-Match / If-Modified-Since reuses `probe` without reading the body."""

    validators: Validators
    probe: ImageProbe
    http_status: int | None
    final_url: str | None
    checked_at: str


@dataclass(frozen=True, slots=True)
class History:
    """A link's history across runs, from the state store (the report's `links[].history`)."""

    status: HistoryStatus
    first_seen: str  # ISO-8601 UTC time of the first run that saw this link
    broken_since: str | None  # start of the current broken streak, None when not broken
    failing_runs: int  # consecutive runs broken, this one included (0 when not broken)
    last_ok: str | None  # the last time the link was ok, None if never


@dataclass(frozen=True, slots=True)
class CheckResult:
    link: Link
    outcome: Outcome
    reason: Reason | None
    http_status: int | None
    final_url: str | None
    redirects: tuple[Hop, ...] = ()
    attempts: int = 0
    elapsed: float = 0.0
    detail: str = ""
    image: ImageProbe | None = None
    checked_at: str | None = None  # ISO-8601 UTC time the verdict was made (reused: then)
    cached: bool = False  # the verdict was reused from the state store
    history: History | None = None  # None when the run keeps no state
    validators: Validators | None = None  # for a later conditional revalidation
    page: PageFacts | None = None  # facts of the page read (news checks), not in the report

    @property
    def id(self) -> str:
        return link_id(self.link.url)

    @property
    def verdicts(self) -> tuple[SizeVerdict | None, ...]:
        """The size verdict of each occurrence, in occurrence order (read-only view)."""
        return tuple(o.verdict for o in self.link.occurrences)


@dataclass(frozen=True, slots=True, kw_only=True)
class RunInfo:
    started_at: str
    finished_at: str
    duration_s: float
    inputs: tuple[str, ...]
    options: Mapping[str, object]
    hosts: tuple[HostStats, ...] = ()  # frozen copies: never the gate's live statistics
    interrupted: bool = False
    config_file: str | None = None  # the settings file the run used, if any
    run_id: int | None = None  # the run's id in the state store, None without a store
    state_file: str | None = None  # the state store the run used, if any
    fail_after: int = 1  # a broken link counts for the exit code after this many runs in a row
    network_down: str | None = None  # why the run judged this machine offline, if it did
    state_error: str | None = None  # why the run could not be recorded in the state store
    shard: tuple[int, int] | None = None  # (K, N): this run checked shard K of N (1-based K)
    # a merged report (`linkcheck merge`): the shards' runs, {index, total, started_at, ...}
    merged_from: tuple[Mapping[str, object], ...] = ()
    workers: int = 1  # processes that checked the links (--workers; 1: the run's own)


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Report:
    run: RunInfo
    files: int
    articles: int
    results: tuple[CheckResult, ...]
    problems: tuple[ArticleProblem, ...] = field(default=())
    findings: tuple[Finding, ...] = field(default=())  # article-level findings (AMP checks)
    # file name (as in links[].occurrences[].file) -> SHA-256 hex of its bytes as read
    file_hashes: Mapping[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        # Short on purpose: asyncio formats the repr of a finished main task's result when
        # its event loop closes (it did for the CLI's), and the full dataclass repr of a
        # large report costs seconds of CPU and a string of hundreds of MB.
        return (
            f"Report(files={self.files}, articles={self.articles}, "
            f"results=<{len(self.results)}>, problems=<{len(self.problems)}>, "
            f"interrupted={self.run.interrupted})"
        )

    @property
    def exit_code(self) -> int:
        """The one exit-code rule: 2 when the run was interrupted (its results are incomplete)
        or the network was down (its verdicts say nothing about the links) or the run could not
        be recorded in the state store (its history would be missing), else 1 when any link
        counts as broken, else 0. A broken link counts once it has failed `fail_after`
        runs in a row (its `history.failing_runs`; without history, every broken link
        counts)."""
        if self.run.interrupted or self.run.network_down or self.run.state_error:
            return 2
        return 1 if any(counts_as_broken(r, self.run.fail_after) for r in self.results) else 0


def counts_as_broken(result: CheckResult, fail_after: int) -> bool:
    """Whether a result counts towards exit code 1 under `--fail-after`."""
    if result.outcome is not Outcome.BROKEN:
        return False
    if fail_after <= 1 or result.history is None:
        return True
    return result.history.failing_runs >= fail_after
