"""The one-pass YAML walk (`_BoundedLoader.one_pass_data`) gives exactly what PyYAML's
constructor, `json_safe` and `_field_lines` give: the same mapping (values, types, key order),
the same field lines (in the same order), the same `converted` map, and the same error for
YAML that cannot be read. Compared over every front matter of the fixtures, every YAML text
in the tests, hand-written edge cases and thousands of generated documents."""

from __future__ import annotations

import ast
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from linkcheck.collect import front_matter as fm
from linkcheck.collect.sources import parse_article
from linkcheck.models import Article

ROOT = Path(__file__).resolve().parents[2]


def outcome(text: str, *, one_pass: bool) -> tuple[object, ...]:
    """Everything `load` tells about `text`, comparable across the two paths."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(fm._BoundedLoader, "one_pass", one_pass)
        try:
            data = fm.load(text)
        except Exception as exc:  # noqa: BLE001 - the error itself is compared
            return ("error", type(exc).__name__, str(exc))
        if isinstance(data, fm.FrontMatter):
            return (
                "front matter",
                repr(data),  # values, their types and the order of keys
                list(data.lines.items()),
                sorted(data.converted.items()),
            )
        return ("other", type(data).__name__, repr(data))


def walked(text: str) -> bool:
    """Whether the one-pass walk reads `text` itself (not handing it to PyYAML's path)."""
    loader = fm._BoundedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None or not fm._check_expansion(node):
            return False
        loader.one_pass_data(node)
    except Exception:  # noqa: BLE001 - unusual or invalid: PyYAML's path reads it
        return False
    finally:
        loader.dispose()
    return True


def front_matters(text: str) -> Iterator[str]:
    """The YAML between the first two `---` lines of `text`, and `text` itself."""
    yield text
    lines = text.lstrip("\n").split("\n")
    if lines and lines[0].strip() == "---":
        for end in range(1, len(lines)):
            if lines[end].strip() == "---":
                yield "\n".join(lines[1:end])
                break


def fixture_texts() -> list[str]:
    texts = []
    for path in sorted((ROOT / "fixtures").rglob("*")):
        if path.is_file() and path.suffix in (".md", ".markdown", ".txt", ".yml", ".yaml"):
            try:
                texts.extend(front_matters(path.read_text("utf-8")))
            except UnicodeDecodeError:
                continue
    return texts


def yaml_in_tests() -> list[str]:
    """Every string literal of the tests that holds a YAML front matter."""
    texts = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            text = node.value if isinstance(node, ast.Constant) else None
            if isinstance(text, str) and ("---" in text or ": " in text):
                texts.extend(front_matters(text))
    return texts


EDGE_CASES = [
    "a: 1\na: 2\n",  # a repeated key: the last value, the first line
    "a: {x: 2020-01-01}\na: {y: 1}\n",
    "1: a\n'1': b\n1: c\n",  # keys that become equal
    "1: a\n1.0: b\ntrue: c\n",  # one key to PyYAML
    "0: a\nfalse: b\n0.0: c\n",
    ".nan: a\n.nan: b\n",
    "a.b: 1\na: {b: 2}\n",  # two fields, one path
    "a: {b: 2}\na.b: 1\n",
    "a[0]: x\na: [y]\n",
    "'': 1\n'': {x: 2}\nx: 3\n",
    "'': {x: 2020-01-01}\n",
    "'': 2020-01-01\n'': 1\n",  # the root's "" key has no field line to collide on
    "null: 1\n~: 2\n",
    "2020-01-02: a\n2020-01-02 03:04:05: b\n",
    "!!binary aGk=: a\n",
    "[1, 2]: a\n",
    "{a: 1}: b\n",
    "? [a]\n: b\n",
    "base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\n",
    "<<: {a: 1}\nb: 2\n",
    "'<<': {a: 1}\n",
    "=: 1\n",
    "a: =\n",
    "'=': 1\n",
    "a: !!set {x, y, 1}\n",
    "a: !!omap [x: 1, y: 2]\n",
    "a: !!pairs [x: 1, x: 2]\n",
    "a: !custom x\n",
    "a: !!python/name:os.system\n",
    "a: !!str 1\nb: !!int '7'\nc: !!float '1'\nd: !!bool 'yes'\n",
    "a: !!int x\n",
    "a: !!bool maybe\n",
    "a: !!binary '!!!'\n",
    "a: !!timestamp 2020-01-01\nb: !!null ''\n",
    "d: 2020-13-45\n",
    "d: 2020-13-45\ne: !!int x\n",
    "x: {a: 2020-13-45}\ny: !!int z\n",
    "a: .nan\nb: .inf\nc: -.inf\nd: 1e3\ne: 0x1F\nf: 0o17\ng: 1_000\nh: +12\n",
    "a: 2020-01-02T03:04:05Z\nb: 2020-01-02 03:04:05.5 +01:00\nc: 2020-01-02\n",
    "a: !!binary |\n  R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7\n",
    "a: &x 1\nb: *x\n",
    "a: &x [1, {b: 2020-01-01}]\nc: *x\n",
    "a: &x 1\nb: 2\n",  # an anchor without an alias
    "a: *undefined\n",
    "a: 1\n---\nb: 2\n",
    "- a\n- b\n",
    "just text",
    "",
    "# only a comment\n",
    "~\n",
    "a: [1, [2, [3, {b: [4]}]]]\n",
    "a:\n  - - - x\n",
    "a: {}\nb: []\nc:\nd: ''\n",
    "a: 'x\n  y'\n",
    "a: |\n  line 1\n  line 2\nb: >\n  folded\n  text\n",
    "a: b: c\n",
    "a:\n- b\n c\n",
    "\t- a\n",
    "a: 'unterminated\n",
    "a: [1, 2\n",
    "a: {b: 1, b: 2}\n",
    "images:\n  - url: x\n    width: 1\n  - 5\n  - [a]\nrelated: {a: 1}\n",
    "\"quoted key\": 1\n'single': 2\nplain key: 3\n",
    "é: ü\n日本: 語\n",
    "a: !!str\nb: !!map {c: 1}\nc: !!seq [1]\n",
    "a: !!map [1]\n",
    "a: !!seq {b: 1}\n",
    "a: !!str [1]\n",
    "!!map {a: 1}\n",
    "--- !!set {a, b}\n",
    "%YAML 1.1\n---\na: 1\n",
    "a: 1\n...\n",
]


def test_every_edge_case_reads_the_same_both_ways() -> None:
    for text in EDGE_CASES:
        assert outcome(text, one_pass=True) == outcome(text, one_pass=False), text


def test_every_fixture_and_test_yaml_reads_the_same_both_ways() -> None:
    texts = fixture_texts() + yaml_in_tests()
    assert len(texts) > 200
    for text in texts:
        assert outcome(text, one_pass=True) == outcome(text, one_pass=False), text


def test_the_seed_shaped_fixtures_are_read_by_the_one_pass_walk() -> None:
    texts = [
        t
        for t in fixture_texts()
        if "webUrl" in t and outcome(t, one_pass=False)[0] == "front matter"
    ]
    assert len(texts) >= 8
    assert all(walked(t) for t in texts)


def test_articles_are_the_same_both_ways_with_every_problem() -> None:
    """Through the whole reader: the same Article (file lines included) or the same problem."""
    for text in EDGE_CASES:
        whole = f"---\n{text}\n---\nBody [x](https://body.example/)\n"
        results = []
        for one_pass in (True, False):
            with pytest.MonkeyPatch.context() as mp:
                mp.setattr(fm._BoundedLoader, "one_pass", one_pass)
                got = parse_article("a.md", whole)
            if isinstance(got, Article):
                assert isinstance(got.front_matter, fm.FrontMatter)
                results.append((got, list(got.front_matter.lines.items())))
            else:
                results.append((got, []))
        assert results[0] == results[1], text


# --------------------------------------------------------------------------- generated YAML

KEYS = [
    "a", "b", "webUrl", "url", "images", "related", "title", "x.y", "x", "y", "''", "'a'",
    '"b"', "1", "2", "1.0", "true", "False", "null", "~", "2020-01-02", "0x1", "<<", "=",
    ".nan", "'a.b'", "a[0]", "é",
]  # fmt: skip
SCALARS = [
    "plain text", '"quoted: text"', "'single'", "http://x.example/a?b=1", "1", "-5", "0x1F",
    "0o17", "1_000", "1.5", "1e3", ".nan", ".inf", "-.inf", "true", "False", "yes", "no",
    "on", "null", "~", "", "2020-01-02", "2020-01-02T03:04:05Z", "2020-01-02 03:04:05.5 +01:00",
    "2020-13-45", "!!binary aGVsbG8=", "!!binary '!!!'", "!!str 1", "!!int x", "!!int '12'",
    "!!float 1", "!!bool maybe", "!custom x", "!!set {a, b}", "!!omap [a: 1]", "=", "[1, 2]",
    "{a: 1, b: [2020-01-01]}", "[]", "{}", "!!timestamp 2020-01-01", "!!null ''", "0",
    "'multi\n  line'", "|\n{indent}literal\n{indent}text", "ünï", "@bad", "[unclosed",
]  # fmt: skip


def generate(rng: random.Random) -> str:
    """A block-style YAML document of nested mappings and lists with anchors, aliases and
    merge keys, repeated keys and every kind of scalar (some of it invalid)."""
    lines: list[str] = []
    anchors: list[str] = []

    def scalar(indent: str) -> str:
        if anchors and rng.random() < 0.05:
            return f"*{rng.choice(anchors)}"
        text = rng.choice(SCALARS).replace("{indent}", indent + "  ")
        if rng.random() < 0.04:
            anchors.append(f"s{len(anchors)}")
            text = f"&{anchors[-1]} {text}"
        return text

    def block(depth: int, indent: str, sequence: bool) -> None:
        for _ in range(rng.randint(0 if depth else 1, 4)):
            lead = f"{indent}- " if sequence else f"{indent}{rng.choice(KEYS)}:"
            kind = rng.random()
            if depth < 4 and kind < 0.3:
                anchor = ""
                if rng.random() < 0.1:
                    anchors.append(f"m{len(anchors)}")
                    anchor = f" &{anchors[-1]}"
                lines.append(f"{lead.rstrip()}{anchor}")
                block(depth + 1, indent + "  ", rng.random() < 0.4)
            elif kind < 0.33 and anchors and not sequence:
                lines.append(f"{indent}<<: *{rng.choice(anchors)}")
            else:
                lines.append(f"{lead.rstrip()} {scalar(indent)}")

    block(0, "", rng.random() < 0.05)
    return "\n".join(lines) + "\n"


def test_generated_documents_read_the_same_both_ways() -> None:
    rng = random.Random(7)
    walked_count = 0
    for _ in range(3000):
        text = generate(rng)
        assert outcome(text, one_pass=True) == outcome(text, one_pass=False), text
        walked_count += walked(text)
    # the comparison means something: many documents were read by the walk itself
    assert walked_count > 300


def test_a_failed_scalar_leaves_no_trace_for_the_second_reading() -> None:
    """The walk's failed construction must not turn PyYAML's ValueError (no line) into a
    'recursive node' error with a line."""
    got = outcome("d: 2020-13-45\n", one_pass=True)
    assert got[:2] == ("error", "ValueError")
    with pytest.raises(ValueError):
        yaml.load("d: 2020-13-45\n", Loader=yaml.SafeLoader)
