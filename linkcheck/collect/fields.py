"""The library's own names for the fields extraction gives a meaning to (`[fields]` in the
config; the seed's names by default, `config.values_extra.FIELD_ROLES`).

Built once per run (`Fields.of(config.fields)`): extraction looks each front-matter key up
in a dict, so a mapped library costs what the seed's shape costs. Paths are dotted
(`hero.url`, `seo.canonical`), from the article (and from each related entry) for `url`,
`amp_url`, `amp_cache_url`, `images`, `related` and `key`, and from each image for
`image_url`, `image_width` and `image_height`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from linkcheck.config.values_extra import FIELD_ROLES
from linkcheck.models import LinkKind

__all__ = ["DEFAULT_FIELDS", "Fields", "get_path", "inner_paths"]

#: The roles that name a URL of the entry itself, and the kind of link each gives.
URL_ROLES: Mapping[str, LinkKind] = {
    "url": LinkKind.PAGE,
    "amp_url": LinkKind.AMP,
    "amp_cache_url": LinkKind.AMP_CACHE,
}
_MISSING = object()


def inner_paths(paths: list[str]) -> frozenset[str]:
    """Every strict prefix of the dotted `paths` (`seo` for `seo.canonical`)."""
    out: set[str] = set()
    for path in paths:
        parts = path.split(".")
        out.update(".".join(parts[:i]) for i in range(1, len(parts)))
    return frozenset(out)


def get_path(data: Mapping[Any, Any], path: str) -> Any:
    """The value at dotted `path` below `data`, or `_MISSING` (see `Fields.missing`)."""
    if "." not in path:
        return data.get(path, _MISSING)
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return _MISSING
        value = value[part]
    return value


@dataclass(frozen=True, slots=True)
class Fields:
    """Role -> the library's dotted path, and the lookups extraction needs."""

    names: Mapping[str, str]
    mapped: frozenset[str]  # the roles the config set (the others keep the seed's names)
    # relative path in an entry -> role, for the top level and for a related entry
    top: Mapping[str, str] = field(default_factory=dict)
    nested: Mapping[str, str] = field(default_factory=dict)
    top_inner: frozenset[str] = frozenset()
    nested_inner: frozenset[str] = frozenset()
    image_inner: frozenset[str] = frozenset()
    image_url: str = "url"
    image_width: str = "width"
    image_height: str = "height"
    image_skip: Mapping[str, str] = field(default_factory=dict)  # read by `image`, not walked

    missing = _MISSING

    @classmethod
    def of(cls, mapping: Mapping[str, str] | None = None) -> Fields:
        names = {**FIELD_ROLES, **(mapping or {})}
        nested = {names[r]: r for r in (*URL_ROLES, "images")}
        top = {**nested, names["related"]: "related"}
        image = [names["image_url"], names["image_width"], names["image_height"]]
        return cls(
            names=names,
            mapped=frozenset(mapping or ()),
            top=top,
            nested=nested,
            top_inner=inner_paths(list(top)),
            nested_inner=inner_paths(list(nested)),
            image_inner=inner_paths(image),
            image_url=image[0],
            image_width=image[1],
            image_height=image[2],
            image_skip=dict.fromkeys(image, ""),
        )

    def __getitem__(self, role: str) -> str:
        return self.names[role]

    def article_key(self, front_matter: Mapping[Any, Any]) -> str | None:
        """The article's own key (see `extract.article_key`)."""
        chain = (self.names["key"],) if "key" in self.mapped else ("id", "uuid")
        for path in chain:
            value = get_path(front_matter, path)
            if isinstance(value, str):
                if value.strip():
                    return value.strip()
            elif isinstance(value, int | float) and not isinstance(value, bool):
                return str(value)
        url = get_path(front_matter, self.names["url"])
        return url.strip() if isinstance(url, str) and url.strip() else None

    def own_url(self, front_matter: Mapping[Any, Any]) -> str | None:
        """The article's own URL (its `url` role), if it is an absolute http(s) URL."""
        value = get_path(front_matter, self.names["url"])
        if isinstance(value, str):
            candidate = value.strip()
            try:
                parts = urlsplit(candidate)
            except ValueError:
                return None
            if parts.scheme.lower() in ("http", "https") and parts.netloc:
                return candidate
        return None


DEFAULT_FIELDS = Fields.of()
