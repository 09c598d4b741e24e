"""Where an article's relative links lead: a base URL, a file on disk, or nowhere known.

Pure path arithmetic, no I/O (the files are looked at by `linkcheck.local`, after planning).

Bases, for one article (`Place`):

* body links, and the article's own images (its `images` field, not a related entry's), are
  resolved against the article's own URL (its `url` field) when that is an absolute http(s)
  URL, else against the base of its folder (`[[bases]]`: the longest folder that prefixes the
  article's file name, names being relative to the input folder), else `--base-url`;
* the front matter's URL fields (`url`, `amp_url`, `amp_cache_url`, any image of a related
  entry) only against the folder's base or `--base-url`: an article's own URL cannot be its
  own base, and a related article lives on another site. With no base a relative value
  there stays broken / invalid_url, as a page URL must be absolute.

With no base, a relative body link or own image is a local file (`Place.local`):

* `./other.md`, `../img/a.png`, `img/a.png`: relative to the article's file on disk (an
  article given in memory has no folder: skipped / no_base_url);
* `/about/`: under `--root-dir` when given, else skipped / no_base_url;
* `//host/x` (protocol-relative): skipped / no_base_url.

`?query` and `#fragment` are dropped and the path is percent-decoded (`my%20file.md`). `..`
is resolved in the text (`a/../b` is `b`, as a browser and a static-site server read it),
not through symbolic links. A local link's URL is `file:` and the file's path relative to the
folder the article's name is relative to (the input folder), with "/" separators and a
trailing "/" kept: `file:posts/img/a.png`, `file:../static/about/`, the same on every machine
that holds the same tree; a file named by its absolute path gives `file:/abs/path`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote, unquote

from linkcheck.models import LinkKind, RawLink

__all__ = ["Place", "folder_base", "names_root"]

_SAFE = "/:@!$&'()*+,;=-._~"  # kept as they are in a file: URL (a space becomes %20)


@dataclass(frozen=True, slots=True)
class Place:
    """One article's bases (see the module doc)."""

    own: str | None = None  # the article's own URL, when absolute http(s)
    folder_base: str | None = None  # its folder's [[bases]] URL, else --base-url
    file: str | None = None  # the article file's absolute path (None: read from memory)
    names_root: str | None = None  # the folder file names are relative to
    root_dir: str | None = None  # --root-dir, absolute
    related: str = "related"  # the related entries' field ([fields] related)

    def route(self, raw: RawLink) -> tuple[str | None, bool, bool]:
        """For one link: (its base, whether it may be relative, whether it may be a file)."""
        field = raw.source.field
        if field == "body" or (
            raw.kind is LinkKind.IMAGE
            and not field.startswith((f"{self.related}[", f"{self.related}."))
        ):
            return self.own or self.folder_base, True, True
        return self.folder_base, self.folder_base is not None, False

    def local(self, text: str) -> tuple[str, str] | None:
        """A relative link read as a file: its `file:` URL and absolute path (a trailing
        separator when the link names a folder), or None when nothing says where it is."""
        if text.startswith("//"):
            return None
        path = unquote(text.split("#", 1)[0].split("?", 1)[0])
        if path.startswith("/"):
            if self.root_dir is None:
                return None
            target = os.path.normpath(os.path.join(self.root_dir, path.lstrip("/")))
        elif self.file is None:
            return None
        elif path:
            target = os.path.normpath(os.path.join(os.path.dirname(self.file), path))
        else:  # `?x` or `#x` alone: the article itself
            target = self.file
        name = target
        if self.names_root is not None:
            try:
                name = os.path.relpath(target, self.names_root)
            except ValueError:  # another drive (Windows): the absolute path
                name = target
        if os.sep != "/":  # pragma: no cover - POSIX here
            name = name.replace(os.sep, "/")
        if path.endswith("/") and not name.endswith("/"):
            name += "/"
            target = os.path.join(target, "")
        return f"file:{quote(name, safe=_SAFE)}", target


def folder_base(name: str, bases: Sequence[tuple[str, str]], base_url: str | None) -> str | None:
    """The base URL of the folder holding the file called `name`: the longest `[[bases]]`
    folder that prefixes it (`bases` come longest first), else `base_url`."""
    for folder, url in bases:
        if name.startswith(folder):
            return url
    return base_url


def names_root(path: str, name: str) -> str | None:
    """The folder that report name `name` of the file at `path` is relative to (the input
    folder: `/srv/lib` for `/srv/lib/posts/a.md` named `posts/a.md`); None when the name is
    absolute or does not end `path`."""
    if name.startswith("/"):
        return None
    root = os.path.abspath(path)
    for part in reversed(name.split("/")):
        root, tail = os.path.split(root)
        if tail != part:
            return None
    return root
