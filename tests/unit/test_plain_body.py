"""A plain body's links found without markdown-it (`plain_body.plain_links`) are exactly what
markdown-it finds (`extract.body_links`): the same URLs, kinds and lines, in the same order;
and a body with anything else in it is left to markdown-it. Compared on every body of the
fixtures, every string of the tests, hand-written cases and generated bodies."""

from __future__ import annotations

import ast
import random
from pathlib import Path

import pytest

from linkcheck.collect import extract as extract_module
from linkcheck.collect.extract import body_links
from linkcheck.collect.plain_body import plain_links
from linkcheck.models import LinkKind

ROOT = Path(__file__).resolve().parents[2]


def by_markdown_it(body: str, first_line: int = 3) -> list[tuple[str, LinkKind, int]]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(extract_module, "plain_links", lambda body, first_line: None)
        return body_links(body, first_line)


def agree(body: str) -> bool:
    """Whether both agree on `body` (asserted); True when the plain reading took it."""
    plain = plain_links(body, 3)
    if plain is not None:
        assert plain == by_markdown_it(body), body
    assert body_links(body, 3) == by_markdown_it(body), body
    return plain is not None


def corpus() -> list[str]:
    """Every article body of the fixtures, and every string literal of the tests."""
    texts = []
    for path in sorted((ROOT / "fixtures").rglob("*")):
        if path.is_file() and path.suffix in (".md", ".markdown", ".txt"):
            try:
                text = path.read_text("utf-8")
            except UnicodeDecodeError:
                continue
            texts.append(text)
            texts.append(text.split("\n---\n", 1)[-1])
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                texts.append(node.value)
    return texts


CASES = [
    "\n# Title\n\nThe report [by the agency](http://a.example/x); see [this](https://b.example/y).\n",
    "Text ![a chart](http://img.example/c.png) and [a link](http://x.example/).",
    "First line\nsecond [x](http://a.example/) line\n\nThird [y](/relative/path?q=1#f)",
    "A [b](#anchor) and [c](page.html#top) and [d](mailto:a@b.example)",
    "Wow! ![x](y) !![x](y) [x!](y)",
    "[x](y) starts with a bracket",  # could be a link definition's line: markdown-it
    'A [x] (y) and [](z) and [x]() and [x](<y>) and [x](y "t")',
    "A [x](y(z)) and [x](y)z) (see [x](y))",
    "A [x [y]](z)",
    "A *[x](y)* and _[x](y)_ and **b** and `[x](y)`",
    "A \\[x](y) and &amp; [x](y&amp;z)",
    "A <http://x.example/> and <b>bold</b> [x](y)",
    "A http://bare.example/x and //host/x and mailto:a@b and www.x.example",
    "Title\n=====\n[x](y)",
    "Title\n-----\nA [x](y)",
    "A [x](y)\n---\n",
    "    indented [x](y)",
    " one space [x](y)",
    "\tA [x](y)",
    "- item [x](y)\n- two [z](w)",
    "1. item [x](y)",
    "> quote [x](y)",
    "```\n[x](y)\n```",
    "A | B\n--- | ---\n[x](y) | z",
    "A [x][ref]\n\n[ref]: http://r.example/",
    "# Heading [x](http://h.example/) #",
    "####### seven [x](y)",
    "#NoSpace [x](y)",
    "# ",
    "Ünïcode [x](y)",
    "A [x](y)\r\nB [z](w)",
    "A [x](y)  \nhard break [z](w)",
    "A [x](http://a.example/{{ .Site }})",
    "",
    "\n\n",
    "   \n",
    "A [x](y)\n   \nB [z](w)",
]


def test_hand_written_bodies() -> None:
    taken = [agree(body) for body in CASES]
    assert sum(taken) >= 8  # the plain reading itself is compared, not only markdown-it


def test_every_body_of_the_fixtures_and_tests() -> None:
    texts = corpus()
    assert len(texts) > 1000
    for text in texts:
        agree(text)


PIECES = [
    "word", "Words", "and", " ", " ", ",", ".", ";", "'", '"', "?", "!", "(", ")", "-", "42",
    "[label](http://a.example/p?q=1)", "![alt](http://img.example/i.png)", "[x](#top)",
    "[x](rel/path.md)", "[a b](c)", "[x](y)", "*", "_", "`", "\\", "&amp;", "<b>", "<", ">",
    "[", "]", "](", "[x] (y)", "[x]()", "http://bare.example", ":", "/", "//", "www.x.example",
    "é", "\t", "#", "~", "|", "=", "{", "}", "@", "[x](y z)", "[x](<y>)", '[x](y "t")',
]  # fmt: skip
STARTS = ["", "", "", "# ", "## ", "###### ", "####### ", " ", "    ", "- ", "1. ", "> ",
          "[x]: http://d.example/", "===", "---", "```", "<div>", "| ", "A"]  # fmt: skip


def generate(rng: random.Random) -> str:
    lines = []
    for _ in range(rng.randint(1, 6)):
        if rng.random() < 0.2:
            lines.append("")
            continue
        start = rng.choice(STARTS)
        # mostly plain pieces, so that many bodies are plain and the comparison bites
        pool = PIECES[:21] if rng.random() < 0.75 else PIECES
        body = "".join(rng.choice(pool) for _ in range(rng.randint(0, 12)))
        lines.append(start + ("T" if not start and rng.random() < 0.7 else "") + body)
    return "\n".join(lines)


def test_generated_bodies() -> None:
    rng = random.Random(5)
    taken = sum(agree(generate(rng)) for _ in range(4000))
    assert taken > 300
