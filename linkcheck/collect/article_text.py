"""An article's text -> `Article`: its front matter found, parsed in its format and checked,
its body and the file line the body starts on (or the `ArticleProblem` that says why not).

Formats: YAML between a first line `---` and the next `---` line (`front_matter.load`); TOML
between `+++` lines (`front_matter_toml`); a JSON object when the first line starts with `{`
but not `{{` (a Hugo shortcode), the body starting on the line after its closing `}`
(`front_matter_json`). Leading blank lines are skipped, as python-frontmatter does. The same
bounds and the same field paths for all three; `Article.format` says which it was. The text
comes with LF line endings and no BOM (`sources` reads files so).
"""

from __future__ import annotations

import re

import yaml

from linkcheck.collect.front_matter import FrontMatter, Invalid, Refused, load
from linkcheck.collect.front_matter_json import load_json
from linkcheck.collect.front_matter_toml import load_toml
from linkcheck.models import Article, ArticleProblem, ProblemReason

__all__ = ["MAX_FRONT_MATTER_BYTES", "parse_text"]

_DELIMITER = re.compile(r"-{3,}[ \t]*")
_TOML = re.compile(r"\+{3}[ \t]*")
# A larger front matter is not parsed (`too_large`): parsing runs in the reading thread and
# cannot be interrupted; a real article's front matter is a few KiB.
MAX_FRONT_MATTER_BYTES = 1024 * 1024


def parse_text(path: str, text: str) -> Article | ArticleProblem:
    lines = text.split("\n")
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1  # python-frontmatter tolerates leading blank lines; so do we
    if start == len(lines):
        return ArticleProblem(
            path, ProblemReason.NO_FRONT_MATTER, "no front matter: the file is empty"
        )
    first = lines[start]
    if first.startswith("{") and not first.startswith("{{"):  # not a Hugo shortcode
        return _parse_json(path, text, lines, start)
    fmt = "yaml" if _DELIMITER.fullmatch(first) else "toml" if _TOML.fullmatch(first) else None
    if fmt is None:
        return ArticleProblem(
            path,
            ProblemReason.NO_FRONT_MATTER,
            "no front matter: the first line is not '---' (YAML), '+++' (TOML) or a '{' "
            "opening a JSON object",
            line=start + 1,
        )
    closing = _DELIMITER if fmt == "yaml" else _TOML
    end = next((i for i in range(start + 1, len(lines)) if closing.fullmatch(lines[i])), None)
    if end is None:
        return ArticleProblem(
            path,
            ProblemReason.NO_FRONT_MATTER,
            f"front matter opened with '{first.strip()}' on line {start + 1} is never closed",
            line=start + 1,
        )
    fm_first = start + 2  # file line of the first front-matter line
    fm_text = "\n".join(lines[start + 1 : end])
    if len(fm_text) > MAX_FRONT_MATTER_BYTES // 4 and (
        len(fm_text.encode("utf-8", "surrogatepass")) > MAX_FRONT_MATTER_BYTES
    ):  # parsing YAML cannot be interrupted: bound it (about a second per MiB)
        return ArticleProblem(
            path,
            ProblemReason.TOO_LARGE,
            f"front matter (lines {start + 1}-{end + 1}) is larger than the "
            f"{MAX_FRONT_MATTER_BYTES}-byte limit; the file is not read",
            line=start + 1,
        )
    try:
        data = load(fm_text) if fmt == "yaml" else load_toml(fm_text)
    except Refused as exc:
        line = None if exc.line is None else exc.line + fm_first
        return ArticleProblem(path, ProblemReason.TOO_LARGE, f"{exc} (line {line})", line=line)
    except Invalid as exc:
        return _invalid(path, exc, fm_first)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = None if mark is None else mark.line + fm_first
        where = "" if mark is None else f" at line {line}, column {mark.column + 1}"
        what = " ".join(p for p in (exc.context, exc.problem) if p) or str(exc)
        return ArticleProblem(
            path, ProblemReason.INVALID_YAML, f"invalid YAML{where}: {what}", line=line
        )
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        # e.g. a timestamp like 2020-13-45 fails in the constructor with a ValueError
        return ArticleProblem(
            path, ProblemReason.INVALID_YAML, f"invalid YAML: {type(exc).__name__}: {exc}"
        )
    if not isinstance(data, FrontMatter):
        kind = "empty" if data is None else f"a {_yaml_type(data)}"
        return ArticleProblem(
            path,
            ProblemReason.NOT_A_MAPPING,
            f"front matter (lines {start + 1}-{end + 1}) is {kind}, expected a mapping of fields",
            line=start + 2,
        )
    return _article(path, data, fm_first, "\n".join(lines[end + 1 :]), end + 2, fmt)


def _article(
    path: str, data: FrontMatter, fm_first: int, body: str, body_line: int, fmt: str
) -> Article:
    front = FrontMatter(data, {k: v + fm_first for k, v in data.lines.items()}, data.converted)
    title = front.get("title")
    return Article(
        path=path,
        title=title if isinstance(title, str) and "title" not in front.converted else None,
        front_matter=front,
        body=body,
        body_line=body_line,
        format=fmt,
    )


def _invalid(path: str, exc: Invalid, fm_first: int) -> ArticleProblem:
    line = None if exc.line is None else exc.line + fm_first
    where = "" if line is None else f" at line {line}"
    where += "" if line is None or exc.column is None else f", column {exc.column}"
    reason = ProblemReason.INVALID_YAML
    for candidate in ProblemReason:  # invalid_toml / invalid_json where the contract has them
        if candidate.value == f"invalid_{exc.format.lower()}":
            reason = candidate
    return ArticleProblem(path, reason, f"invalid {exc.format}{where}: {exc}", line=line)


def _parse_json(path: str, text: str, lines: list[str], start: int) -> Article | ArticleProblem:
    """JSON front matter: the object that starts on line `start` (0-based); the body is
    every line after the one where it ends."""
    offset = sum(len(line) + 1 for line in lines[:start])
    fm_text = text[offset:]
    try:
        data, end = load_json(fm_text, MAX_FRONT_MATTER_BYTES)
    except Refused as exc:
        line = None if exc.line is None else exc.line + start + 1
        return ArticleProblem(
            path, ProblemReason.TOO_LARGE, f"{exc} (line {line}); the file is not read", line=line
        )
    except Invalid as exc:
        return _invalid(path, exc, start + 1)
    last = start + fm_text.count("\n", 0, end)  # 0-based line of the closing '}'
    if fm_text[end:].split("\n", 1)[0].strip():
        text_after = Invalid("JSON", "text after the closing '}' of the front matter", last - start)
        return _invalid(path, text_after, start + 1)
    return _article(path, data, start + 1, "\n".join(lines[last + 1 :]), last + 2, "json")


def _yaml_type(value: object) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__
