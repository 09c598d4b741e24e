"""Apply one file's `FilePlan` to its text: line-targeted edits that change only the values
asked for, every other byte kept (pure: text in, text out).

How an edit finds its place, whatever the front-matter syntax (YAML, TOML or JSON): the file is
re-read with the project's own reader (`collect.sources.parse_article`), whose `FrontMatter.lines`
gives the file line of every field (`images[0].width` -> 14). On that line the value is found
by its key (`width: 500`, `width = 500`, `"width": 500`) or, for a URL, as a whole scalar
value (bare or quoted). When a line holds several such values (flow style:
`[{url: a, width: 1}, {url: b, width: 2}]`), the n-th one on the line is the n-th field on that
line in document order, provided the counts agree. The value is replaced between its quotes,
so the quote character, the spacing, comments and the line ending stay as written.

Every edit is checked by reading the edited text back: the front matter must equal the old one
with exactly that value changed (and the body must be unchanged), or the body's links must be
the old ones with exactly those URLs changed. An edit that fails any step is undone and
reported as a `Skip` naming the field, the line and why; the others still apply.

Body links: the URL as written is replaced on its recorded line wherever it stands alone (not
inside a longer URL), including where the same URL is the visible text of the link; a URL
written with HTML entities (`&amp;`) is matched and written back with them.
"""

from __future__ import annotations

import copy
import html
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt

from linkcheck.collect.bodies import MAX_BODY_BYTES
from linkcheck.collect.extract import BodyLink, body_links
from linkcheck.collect.sources import parse_article
from linkcheck.fix.lines import (
    MISSING,
    Lines,
    Token,
    get_path,
    in_text,
    key_values,
    set_path,
    whole_values,
    written,
)
from linkcheck.fix.plan import BODY, FilePlan, SizeFix, UrlFix
from linkcheck.models import Article

__all__ = ["Edited", "Skip", "edit_text"]

_REFERENCES = MarkdownIt("commonmark")  # reference definitions are block syntax: plugins aside


@dataclass(frozen=True, slots=True)
class Skip:
    """An edit that was not made: where, and why."""

    field: str
    line: int | None
    why: str


@dataclass(slots=True)
class Edited:
    """The text after the edits that could be made, with counts and the edits skipped."""

    text: str
    sizes: int = 0  # images whose declared size was set
    urls: int = 0  # citations whose URL was replaced
    skipped: list[Skip] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.sizes or self.urls)


def _last_key(path: str) -> str | None:
    """The key a field path ends with (`images[0].width` -> width); None for a list item."""
    if path.endswith("]"):
        return None
    return path.rsplit(".", 1)[-1]


def _scalar(value: Any) -> bool:
    return value is not MISSING and not isinstance(value, dict | list)


class _Editor:
    """Makes the edits on `Lines`. With `check_each` False, front-matter edits are not read
    back one by one (the caller reads them back once, and starts over checking each if that
    fails): one parse per file instead of one per value."""

    def __init__(
        self, name: str, text: str, article: Article, out: Edited, *, check_each: bool
    ) -> None:
        self.name = name
        self.check_each = check_each
        self.unchecked = False  # edits made that were not read back yet
        self.lines = Lines(text)
        self.article = article
        self.field_lines: dict[str, int] = dict(getattr(article.front_matter, "lines", {}))
        self.expected: dict[str, Any] = copy.deepcopy(dict(article.front_matter))
        self.links: list[BodyLink] | None = None  # the body's links, once needed
        # URL -> the body lines whose links changed with its reference definition
        self.by_reference: dict[str, set[int]] = {}
        self.out = out

    def skip(self, where: str, line: int | None, why: str) -> None:
        self.out.skipped.append(Skip(where, line, why))

    # ---------------------------------------------------------------- reading back

    def reads_back(self) -> bool:
        """The current text parses to the expected front matter and the old body."""
        again = parse_article(self.name, str(self.lines))
        if not isinstance(again, Article) or dict(again.front_matter) != self.expected:
            return False
        return again.body == self.article.body

    def body_reads_back(self, links: list[BodyLink]) -> bool:
        """The body now has exactly `links`. Body edits touch only body lines (and a URL never
        makes a line a front-matter delimiter), so the front matter is as last read back and
        only the body is parsed again."""
        first = self.article.body_line
        return body_links("\n".join(self.lines.content[first - 1 :]), first) == links

    # ---------------------------------------------------------------- front matter

    def field_edit(self, path: str, token_of: str, new_text: str, new_value: Any) -> str | None:
        """Write `new_text` as the value of front-matter field `path` (its old value is in
        `self.expected`); `token_of` "key" finds it by its key, "value" as a whole value.
        None when done, else why not."""
        number = self.field_lines.get(path)
        if number is None or not self.lines.has(number) or number >= self.article.body_line:
            return "the reader gives no line for this field"
        old = get_path(self.expected, path)
        line = self.lines[number]
        key = _last_key(path)
        peers = [p for p, n in self.field_lines.items() if n == number]
        tokens: list[Token]
        if token_of == "key":
            if key is None:
                return "a list item has no key to find"
            peers = [
                p for p in peers if _last_key(p) == key and _scalar(get_path(self.expected, p))
            ]
            tokens = key_values(line, key)
        else:
            peers = [p for p in peers if get_path(self.expected, p) == old]
            tokens = whole_values(line, str(old))
        if path not in peers:
            return "the field is not where the reader puts it"
        if not tokens:
            return f"its value {old!r} is not written as expected on line {number}"
        if len(tokens) != len(peers):
            return (
                f"ambiguous: line {number} shows {len(tokens)} such value(s) for "
                f"{len(peers)} field(s)"
            )
        token = tokens[peers.index(path)]
        shown = line[token.start : token.end]
        if (token_of == "key" and not written(old, token, line) and shown != str(old)) or (
            token_of == "value" and shown != old
        ):
            return f"line {number} shows {shown!r} where the report read {old!r}"
        before = get_path(self.expected, path)
        set_path(self.expected, path, new_value)
        self.lines[number] = token.replaced(line, new_text)
        if not self.check_each:
            self.unchecked = True
            return None
        if self.reads_back():
            return None
        self.lines[number] = line
        set_path(self.expected, path, before)
        return (
            f"the file would not read back with only this value changed ({new_text!r} may need "
            f"other quoting after {token.quote or 'no'} quote)"
        )

    def size(self, fix: SizeFix) -> None:
        changed = False
        for path, new in ((fix.width_field, fix.actual[0]), (fix.height_field, fix.actual[1])):
            current = get_path(self.expected, path)
            line = self.field_lines.get(path, fix.line)
            if not _scalar(current) or isinstance(current, bool) or current is None:
                what = "no such field" if current is MISSING else f"it holds {current!r}"
                self.skip(path, line, f"cannot set the size to {new}: {what}")
                continue
            try:
                if float(current) == new:
                    continue  # already right (the other side was the mismatch)
            except (TypeError, ValueError):
                pass
            value: Any = str(new) if isinstance(current, str) else new
            why = self.field_edit(path, "key", str(new), value)
            if why is None:
                changed = True
            else:
                self.skip(path, line, f"cannot set {current!r} -> {new}: {why}")
        if changed:
            self.out.sizes += 1

    def url(self, fix: UrlFix) -> None:
        current = get_path(self.expected, fix.field)
        line = self.field_lines.get(fix.field, fix.line)
        if not isinstance(current, str) or current.strip() != fix.old.strip():
            self.skip(fix.field, line, f"holds {current!r}, not the report's {fix.old!r}")
            return
        if current != current.strip():
            self.skip(fix.field, line, "the URL is written with spaces around it: not changed")
            return
        why = self.field_edit(fix.field, "value", fix.new, fix.new)
        if why is None:
            self.out.urls += 1
        else:
            self.skip(fix.field, line, f"cannot replace {fix.old!r}: {why}")

    # ---------------------------------------------------------------- body

    def body(self, number: int | None, old: str, new: str, cited: int) -> None:
        where = "body"

        def skip(why: str) -> None:
            self.skip(where, number, f"cannot replace {old!r} ({cited} citation(s)): {why}")

        if number is None or not self.lines.has(number) or number < self.article.body_line:
            skip("the report gives no body line for it")
            return
        if len(self.article.body.encode("utf-8", "surrogatepass")) > MAX_BODY_BYTES:
            skip("the body is too large for linkcheck to read its links")
            return
        if number in self.by_reference.get(old, ()):
            self.out.urls += cited  # changed with its reference definition already
            return
        if self.links is None:
            self.links = body_links(self.article.body, self.article.body_line)
        linked = sum(1 for u, _, n in self.links if n == number and u == old)
        if linked == 0:
            skip(f"line {number} has no such link")
            return
        changes = self._spots(number, old, new)
        found = len(changes[number][1])
        everywhere = False
        if found < linked:  # a reference-style link? then its definition changes too
            for first in self._definitions(old):
                changes.setdefault(first, self._spots(first, old, new)[first])
                everywhere = True
        if not everywhere and found < linked:
            skip(
                f"line {number} writes it {found} time(s) for {linked} link(s), and no "
                "reference definition does (escaped?)"
            )
            return
        before = {n: self.lines[n] for n in changes}
        for n, (line, spots) in changes.items():
            for token, to in spots:  # right to left: earlier offsets stay valid
                line = token.replaced(line, to)
            self.lines[n] = line
        expected = [
            (new if u == old and (everywhere or n == number) else u, k, n) for u, k, n in self.links
        ]
        if not self.check_each or self.body_reads_back(expected):
            self.unchecked = self.unchecked or not self.check_each
            if everywhere:
                moved = {n for (u, _, n) in self.links if u == old}
                self.by_reference[old] = moved
                linked = sum(1 for u, _, n in self.links if u == old and n == number)
            self.links = expected
            self.out.urls += linked
            return
        for n, line in before.items():
            self.lines[n] = line
        skip("the body would not read back with only these links changed")

    def _spots(self, number: int, old: str, new: str) -> dict[int, tuple[str, list[Any]]]:
        """{line: (its text, [(token, new text)] right to left)} for `old` on that line, also
        written with HTML entities."""
        line = self.lines[number]
        forms = [(old, new)]
        if html.escape(old, quote=False) != old:
            forms.append((html.escape(old, quote=False), html.escape(new, quote=False)))
        spots = sorted(
            ((t, to) for was, to in forms for t in in_text(line, was)),
            key=lambda pair: -pair[0].start,
        )
        return {number: (line, spots)}

    def _definitions(self, url: str) -> list[int]:
        """The file lines of the reference definitions (`[label]: url`) whose URL is `url`."""
        env: dict[str, Any] = {}
        _REFERENCES.parse(self.article.body, env)
        first = self.article.body_line
        out: list[int] = []
        for ref in env.get("references", {}).values():
            where = ref.get("map")
            if ref.get("href") == url and isinstance(where, list) and len(where) == 2:
                for n in range(first + where[0], first + where[1]):
                    if self.lines.has(n) and in_text(self.lines[n], url):
                        out.append(n)
                        break
        return out


def _front_matter(editor: _Editor, plan: FilePlan) -> None:
    for size in plan.sizes:
        editor.size(size)
    seen: set[tuple[str, str]] = set()
    for fix in plan.urls:
        if fix.field != BODY and (fix.field, fix.old) not in seen:
            seen.add((fix.field, fix.old))
            editor.url(fix)


def _body(editor: _Editor, groups: Counter[tuple[int | None, str, str]]) -> None:
    """Every body edit, read back once; one by one only when that fails."""
    editor.check_each, editor.unchecked = False, False
    lines, links = list(editor.lines.content), editor.links
    out = editor.out
    urls, skipped = out.urls, len(out.skipped)
    for (number, old, new), cited in groups.items():
        editor.body(number, old, new, cited)
    if editor.unchecked and editor.links is not None and not editor.body_reads_back(editor.links):
        editor.lines.content, editor.links, editor.by_reference = lines, links, {}
        out.urls, out.skipped[skipped:] = urls, []
        editor.check_each = True
        for (number, old, new), cited in groups.items():
            editor.body(number, old, new, cited)


def edit_text(name: str, text: str, plan: FilePlan) -> Edited:
    """`text` (the file `name`) with the fixes of `plan` made, and what was skipped."""
    out = Edited(text)
    out.skipped.extend(Skip(f, n, why) for f, n, why in plan.unusable)
    article = parse_article(name, text)
    if not isinstance(article, Article):
        for f, n in [(s.url_field, s.line) for s in plan.sizes] + [
            (u.field, u.line) for u in plan.urls
        ]:
            out.skipped.append(
                Skip(f, n, f"the file does not read as an article: {article.message}")
            )
        return out
    editor = _Editor(name, text, article, out, check_each=False)
    _front_matter(editor, plan)
    if editor.unchecked and not editor.reads_back():  # find which edit: one at a time
        out = Edited(text, skipped=out.skipped[: len(plan.unusable)])
        editor = _Editor(name, text, article, out, check_each=True)
        _front_matter(editor, plan)
    body: Counter[tuple[int | None, str, str]] = Counter()
    for fix in plan.urls:
        if fix.field == BODY:
            body[(fix.line, fix.old, fix.new)] += 1
    if body:
        _body(editor, body)
    out.text = str(editor.lines)
    return out
