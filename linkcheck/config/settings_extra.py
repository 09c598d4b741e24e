"""Rows of the settings table for the library's shape (front-matter fields, relative links),
the checks that know news pages (soft 404s, AMP pairs), and sharded runs. `settings.SETTINGS`
appends them; see that module for what a row is."""

from __future__ import annotations

from linkcheck.config.setting import Setting
from linkcheck.config.values import Bounds, Kind

__all__ = ["CONTENT", "EXTRA_SETTINGS", "NEWS", "SHARDS"]

CONTENT = "library shape (front-matter fields, relative and local links)"
NEWS = "news-page checks (soft 404s, AMP pairs)"
SHARDS = "sharded runs and checking processes (splitting the work)"
_FILE_ONLY = "config file only"  # settings.FILE_ONLY

EXTRA_SETTINGS: tuple[Setting, ...] = (
    # ---- library shape
    Setting(
        name="base_url",
        kind=Kind.BASE_URL,
        default=None,
        group=CONTENT,
        flag="--base-url",
        metavar="URL",
        help="resolve relative links of articles that have no URL of their own against this "
        "URL ([[bases]] in the config file sets one per folder)",
    ),
    Setting(
        name="root_dir",
        kind=Kind.PATH,
        default=None,
        group=CONTENT,
        flag="--root-dir",
        metavar="DIR",
        help="with no base URL, check root-relative links (/about/) as files under this "
        "folder, e.g. the built site (relative links with no base are files next to the "
        "article)",
    ),
    # ---- news-page checks
    Setting(
        name="soft_404",
        kind=Kind.BOOL,
        default=True,
        group=NEWS,
        flag="--no-soft-404",
        flag_value=False,
        help="do not look for soft 404s (pages that answer 200 or redirect home but are gone)",
    ),
    Setting(
        name="amp_checks",
        kind=Kind.BOOL,
        default=True,
        group=NEWS,
        flag="--no-amp-checks",
        flag_value=False,
        help="do not check AMP pairs (AMP page is AMP, canonical and amphtml links agree, "
        "cdnAmpWebUrl is the AMP cache URL of ampWebUrl)",
    ),
    # ---- shards
    Setting(
        name="shard",
        kind=Kind.SHARD,
        default=None,
        group=SHARDS,
        flag="--shard",
        metavar="K/N",
        default_text="",
        help="check only shard K of N: the links whose registrable domain hashes to K, so "
        "each publisher is checked by one machine; then 'linkcheck merge' the N reports "
        "(also LINKCHECK_SHARD=K/N; docs/shards.md)",
    ),
    Setting(
        name="shards",
        kind=Kind.INT,
        default=0,
        group=SHARDS,
        flag="--shards",
        metavar="N",
        bounds=Bounds.NON_NEGATIVE,
        default_text="",
        help="the number of shards N, with K from the environment: JOB_COMPLETION_INDEX "
        "(a Kubernetes Indexed Job, counts from 0) or LINKCHECK_SHARD_INDEX (from 1)",
    ),
    Setting(
        name="workers",
        kind=Kind.INT,
        default=0,
        group=SHARDS,
        flag="--workers",
        metavar="N",
        bounds=Bounds.NON_NEGATIVE,
        default_text="0, automatic",
        help="processes that check links on this machine. 0: one per CPU core (at most 4) "
        "when over 5,000 links are to be checked; 1: this process only. Each host's "
        "--host-concurrency and --host-rate are divided between them, never exceeded. "
        "While the state store holds no verdicts (a first run, --no-state), they start "
        "once reading has found 5,000 links, before it ends",
    ),
    # ---- config file only
    Setting(
        name="fields",
        kind=Kind.FIELDS,
        default={},
        group=_FILE_ONLY,
        flag=None,
        default_text="",
        help="[fields] table: the library's own names for url, amp_url, amp_cache_url, "
        "images, related, key, image_url, image_width, image_height (dotted paths such as "
        "seo.canonical; see docs/content.md)",
    ),
    Setting(
        name="bases",
        kind=Kind.BASES,
        default=(),
        group=_FILE_ONLY,
        flag=None,
        default_text="",
        help='[[bases]] tables: path = "docs/", url = "https://example.com/docs/": the base '
        "URL of the relative links of articles in that folder without a URL of their own",
    ),
    Setting(
        name="soft_404_phrases",
        kind=Kind.TEXTS,
        default=(),
        group=_FILE_ONLY,
        flag=None,
        default_text="",
        help="more 'not found' phrases for soft-404 detection, added to the built-in "
        "multilingual list (matched in a page's title and first heading)",
    ),
)
