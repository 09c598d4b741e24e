"""Read a library: files (or articles in memory) -> articles -> raw links -> deduplicated links,
with every problem kept."""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from linkcheck.classify import declared_size_problem
from linkcheck.collect.bodies import BodyParser
from linkcheck.collect.extract import extract
from linkcheck.collect.fields import Fields
from linkcheck.collect.gc_thresholds import collector_tuned
from linkcheck.collect.normalize import LinkCollector
from linkcheck.collect.pairs import amp_pairs
from linkcheck.collect.places import Place, folder_base, names_root
from linkcheck.collect.sources import Discovery, no_files_message, parse_article, read_article
from linkcheck.config import Config
from linkcheck.errors import InputError
from linkcheck.models import (
    AmpPair,
    Article,
    ArticleProblem,
    Link,
    LinkKind,
    Occurrence,
    ProblemReason,
    Skipped,
)

__all__ = [
    "ArticleInput",
    "Collected",
    "Progress",
    "ProgressCallback",
    "collect",
    "collect_links",
    "parse_article",
    "split_inputs",
]

#: An article given in memory: an `Article`, or `(name, text)` read like a file called `name`.
ArticleInput = Article | tuple[str, str]


@dataclass(slots=True)
class Progress:
    """Counters handed to the progress callback (mutated in place; read, don't keep)."""

    files: int = 0
    links_total: int = 0
    checked: int = 0
    broken: int = 0
    warnings: int = 0
    phase: str = "reading"


ProgressCallback = Callable[[Progress], None]


@dataclass(slots=True)
class Collected:
    files: int
    articles: int
    links: list[Link]
    skipped: list[Skipped]
    problems: list[ArticleProblem]
    complete: bool = True
    # file name -> SHA-256 hex of its bytes as read (`linkcheck fix` refuses changed files)
    file_hashes: dict[str, str] = field(default_factory=dict)
    pairs: list[AmpPair] = field(default_factory=list)  # for the AMP checks
    # a local link's file: URL -> the file's absolute path (`linkcheck.local` looks at it)
    local_files: dict[str, str] = field(default_factory=dict)


def split_inputs(
    inputs: Iterable[str | os.PathLike[str] | ArticleInput],
) -> tuple[list[str], list[ArticleInput]]:
    """Paths apart from articles in memory; anything else is the caller's mistake, said now
    (InputError) rather than half way through reading."""
    if isinstance(inputs, str | os.PathLike):
        inputs = [inputs]  # one path, not its characters
    paths: list[str] = []
    articles: list[ArticleInput] = []
    for item in inputs:
        if isinstance(item, str | os.PathLike):
            paths.append(os.fspath(item))
        elif isinstance(item, Article):
            articles.append(item)
        elif isinstance(item, tuple) and len(item) == 2 and all(isinstance(x, str) for x in item):
            articles.append((item[0], item[1]))
        else:
            raise InputError(
                f"cannot read {item!r:.80}: an input is a path, an Article or a (name, text) pair"
            )
    return paths, articles


#: An article (or why a file is not one) and the path it was read from (None: in memory).
_Read = tuple[Article | ArticleProblem, str | None]


def _from_memory(items: Iterable[ArticleInput]) -> Iterator[_Read]:
    for item in items:
        if isinstance(item, Article):
            yield item, None
        else:
            name, text = item
            yield parse_article(name, text), None


def collect_links(
    paths: Sequence[str],
    config: Config,
    progress: Progress | None = None,
    on_progress: ProgressCallback | None = None,
    stop: Callable[[], bool] = lambda: False,
) -> Collected:
    """Read every article under `paths` and gather its links (see `collect`)."""
    return collect(paths, (), config, progress, on_progress, stop)


def collect(
    paths: Sequence[str],
    articles: Iterable[ArticleInput],
    config: Config,
    progress: Progress | None = None,
    on_progress: ProgressCallback | None = None,
    stop: Callable[[], bool] = lambda: False,
    on_new: Callable[[str, Occurrence], None] | None = None,
) -> Collected:
    """Read every article (the files under `paths`, then `articles` given in memory) and
    gather its links, deduplicated. Raises InputError for a path that does not exist, and for
    a folder given in which no file matches `config.globs` (empty, unmounted, or the wrong
    patterns: a run that checked nothing must not look like a clean one); every per-file
    problem becomes an ArticleProblem. `progress.files` counts as files are read (another
    thread may read it); `on_progress`, called in this thread, hears about every 100th file.
    When `stop()` turns true, reading ends early and what was read so far is returned
    (`Collected.complete` false). `on_new(url, occurrence)` hears of each distinct URL the
    first time it is found."""
    found = Discovery(paths, config.globs)
    complete = True
    inputs: Iterator[_Read] = ((read_article(path, name=name), path) for path, name in found)
    with collector_tuned(), BodyParser() as bodies:
        reader = _Reader(config, bodies, stop)
        reader.collector.on_new = on_new
        for source in (inputs, _from_memory(articles)):
            for article, path in source:
                if stop():
                    complete = False
                    break
                reader.files += 1
                if progress is not None:
                    progress.files = reader.files
                    if on_progress is not None and reader.files % 100 == 0:
                        on_progress(progress)
                reader.add(article, path)
            if not complete:
                break
            if found.empty:  # known once the files were all walked; before any request
                raise InputError(no_files_message(found.empty, config.globs))
    return reader.collected(complete and not reader.stopped)


class _Reader:
    """Articles in, deduplicated links out."""

    def __init__(self, config: Config, bodies: BodyParser, stop: Callable[[], bool]) -> None:
        self.bodies, self.stop = bodies, stop
        self.stopped = False  # a body's parse was abandoned because the run is stopping
        self.collector = LinkCollector(exclude=[re.compile(p) for p in config.exclude])
        self.problems: list[ArticleProblem] = []
        self.files = 0
        self.articles = 0
        self.config = config
        self.file_hashes: dict[str, str] = {}
        self.pairs: list[AmpPair] = []
        self.fields = Fields.of(config.fields)  # once per run
        self.root_dir = os.path.abspath(config.root_dir) if config.root_dir else None
        self.roots: dict[tuple[str, str], str | None] = {}  # (folder, name's folder) -> root

    def place(self, article: Article, path: str | None) -> Place:
        """Where the article's relative links lead (see `places`)."""
        config = self.config
        names = None
        if path is not None:
            key = (os.path.dirname(path), posixpath.dirname(article.path))
            if key not in self.roots:
                self.roots[key] = names_root(path, article.path)
            names = self.roots[key]
        return Place(
            own=self.fields.own_url(article.front_matter),
            folder_base=folder_base(article.path, config.bases, config.base_url),
            file=os.path.abspath(path) if path is not None else None,
            names_root=names,
            root_dir=self.root_dir,
            related=self.fields["related"],
        )

    def collected(self, complete: bool) -> Collected:
        c = self.collector
        return Collected(
            self.files,
            self.articles,
            c.links(),
            c.skipped(),
            self.problems,
            complete,
            self.file_hashes,
            self.pairs,
            c.local_files,
        )

    def add(self, article: Article | ArticleProblem, path: str | None = None) -> None:
        if isinstance(article, ArticleProblem):
            self.problems.append(article)
            return
        self.articles += 1
        if article.content_hash is not None:
            self.file_hashes[article.path] = article.content_hash
        in_body, body_problem = self.bodies.links(article, self.stop)
        raw_links, field_problems = extract(article, body=in_body or (), fields=self.fields)
        self.problems.extend(field_problems)
        if body_problem is not None:
            self.problems.append(body_problem)
        elif in_body is None:
            self.stopped = True
        place = self.place(article, path)
        size_suffix = f".{self.fields['image_url']}"
        self.pairs.extend(amp_pairs(article, raw_links, self.config))
        for raw in raw_links:  # field paths come interned from `extract`
            self.collector.add(raw, place)
            if (
                raw.kind is LinkKind.IMAGE
                and raw.declared is not None
                and raw.source.field != "body"
            ):
                _, _, why = declared_size_problem(raw.declared.width, raw.declared.height)
                if why:
                    self.problems.append(
                        ArticleProblem(
                            file=raw.source.file,
                            reason=ProblemReason.INVALID_DECLARED_SIZE,
                            message=f"declared image size unusable: {why} ({raw.text})",
                            field=raw.source.field.removesuffix(size_suffix),
                            line=raw.source.line,
                        )
                    )
