"""Checks for the setting kinds that describe the library's shape and the run's share of it:
`--shard K/N`, `--base-url`, the `[fields]` mapping, `[[bases]]` and lists of phrases."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from linkcheck.config.values import Kind, Where, strings
from linkcheck.errors import ConfigError

__all__ = ["CHECKS", "FIELD_ROLES", "base_url", "bases", "field_map", "shard"]

#: The roles a `[fields]` table may map, with the seed's field name for each (the default).
#: `url` .. `key` are paths from the article (and from each related entry); `image_*` are paths
#: inside each image.
FIELD_ROLES: Mapping[str, str] = {
    "url": "webUrl",
    "amp_url": "ampWebUrl",
    "amp_cache_url": "cdnAmpWebUrl",
    "images": "images",
    "related": "related",
    "key": "id",
    "image_url": "url",
    "image_width": "width",
    "image_height": "height",
}
_PATH = re.compile(r"[^.\s\[\]]+(\.[^.\s\[\]]+)*")
_SHARD = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


def shard(where: Where, value: Any) -> tuple[int, int]:
    """ "K/N" (1 <= K <= N) -> (K, N)."""
    if isinstance(value, tuple | list) and len(value) == 2:
        value = f"{value[0]}/{value[1]}"
    found = _SHARD.fullmatch(value) if isinstance(value, str) else None
    if found is None:
        raise ConfigError(
            f"{where} must be K/N, this run's shard K of N shards (for example 2/4), got {value!r}"
        )
    k, n = int(found.group(1)), int(found.group(2))
    if n < 1 or not 1 <= k <= n:
        raise ConfigError(
            f"{where}: shard {k}/{n} does not exist: K counts from 1 to N (for 4 shards: "
            "1/4, 2/4, 3/4 and 4/4)"
        )
    return k, n


def base_url(where: Where, value: Any) -> str:
    parts = urlsplit(value.strip()) if isinstance(value, str) else None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"{where} must be an absolute http:// or https:// URL such as "
            f"https://www.example.com/, got {value!r}"
        )
    return str(value).strip()


def field_map(where: Where, value: Any) -> dict[str, str]:
    """{role: dotted path}; unknown roles and unusable paths are refused."""
    if not isinstance(value, Mapping):
        raise ConfigError(f'{where} must be a table such as [fields] url = "canonical_url"')
    out: dict[str, str] = {}
    for role, path in value.items():
        if role not in FIELD_ROLES:
            close = difflib.get_close_matches(str(role), list(FIELD_ROLES), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ConfigError(
                f"{where}: unknown field role {role!r} ({hint}allowed: {', '.join(FIELD_ROLES)})"
            )
        if not isinstance(path, str) or not _PATH.fullmatch(path.strip()):
            raise ConfigError(
                f'{where}.{role} must be a dotted field path such as "hero.url", got {path!r}'
            )
        out[str(role)] = path.strip()
    _no_overlap(where, out)
    return out


def _no_overlap(where: Where, mapped: Mapping[str, str]) -> None:
    """Two roles cannot read one field, nor one role a field inside another's (images
    "gallery" and url "gallery.src"): each field has one meaning. The image roles are paths
    inside each image and are checked among themselves."""
    names = {**FIELD_ROLES, **mapped}
    for group in (("url", "amp_url", "amp_cache_url", "images", "related"), _IMAGE_ROLES):
        seen: dict[str, str] = {}
        for role in group:
            path = names[role]
            for other_path, other in seen.items():
                if (
                    path == other_path
                    or path.startswith(f"{other_path}.")
                    or (other_path.startswith(f"{path}."))
                ):
                    raise ConfigError(
                        f"{where}: {role} = {path!r} and {other} = {other_path!r} overlap: "
                        "each role needs a field of its own"
                    )
            seen[path] = role


_IMAGE_ROLES = ("image_url", "image_width", "image_height")


def bases(where: Where, value: Any) -> tuple[tuple[str, str], ...]:
    """[[bases]] tables -> ((folder, url), ...): folder relative to the library, with "/"
    separators and a trailing "/"; longest folders first, so the closest one wins."""
    if isinstance(value, Mapping):
        value = [value]
    if not isinstance(value, list | tuple):
        raise ConfigError(f"{where} must be [[bases]] tables with a path and a url")
    out: list[tuple[str, str]] = []
    for i, table in enumerate(value):
        at = Where(f"{where.label}[{i}]", where.file, where.base_dir)
        if isinstance(table, tuple) and len(table) == 2:
            table = {"path": table[0], "url": table[1]}
        if not isinstance(table, Mapping) or set(table) != {"path", "url"}:
            raise ConfigError(f"{at} must be a table with exactly a path and a url")
        folder = table["path"]
        if not isinstance(folder, str):
            raise ConfigError(f'{at}.path must be a folder path such as "docs/"')
        folder = folder.strip().replace("\\", "/").strip("/")
        folder = f"{folder}/" if folder not in ("", ".") else ""
        out.append((folder, base_url(Where(f"{at.label}.url", at.file, at.base_dir), table["url"])))
    out.sort(key=lambda pair: -len(pair[0]))
    return tuple(out)


CHECKS: Mapping[Kind, Callable[[Where, Any], object]] = {
    Kind.SHARD: shard,
    Kind.BASE_URL: base_url,
    Kind.FIELDS: field_map,
    Kind.BASES: bases,
    Kind.TEXTS: strings,
}
