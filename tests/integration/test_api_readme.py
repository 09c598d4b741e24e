"""The README's embedding example runs as written (against a real loopback site), so it
cannot rot. When the README carries the example, it must be this exact text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sitekit import Site, write_library

README = Path(__file__).resolve().parents[2] / "README.md"

EXAMPLE = """\
import contextlib, anyio, linkcheck

config = linkcheck.load_config(inputs=["content/"], timeout=5)  # + content/linkcheck.toml
report = linkcheck.run(["content/"], config)  # blocking; in async code: await linkcheck.arun(...)
broken = [r.link.url for r in report.results if r.outcome is linkcheck.Outcome.BROKEN]
print(report.exit_code, broken)

async def watch() -> None:
    async with contextlib.aclosing(linkcheck.check_stream(["content/"], config)) as results:
        async for result in results:  # each CheckResult as soon as it is known
            print(result.outcome.value, result.link.url)

anyio.run(watch)
"""


def test_readme_example_runs(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_library(
        tmp_path / "content",
        {
            "a.md": f'---\ntitle: A\nwebUrl: "{site.url("/ok")}"\n---\n',
            "b.md": f'---\ntitle: B\nwebUrl: "{site.url("/status/404")}"\n---\n',
        },
    )
    # the test site is on 127.0.0.1, which the address guard refuses by default
    (tmp_path / "content" / "linkcheck.toml").write_text("retries = 0\nallow_private = true\n")
    monkeypatch.chdir(tmp_path)
    exec(compile(EXAMPLE, "README.md", "exec"), {"__name__": "readme"})
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"1 [{site.url('/status/404')!r}]"
    assert sorted(lines[1:]) == [f"broken {site.url('/status/404')}", f"ok {site.url('/ok')}"]


def test_readme_shows_this_example() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    embedding = [b for b in blocks if "linkcheck.check_stream(" in b]
    if not embedding:
        pytest.skip("the README has no embedding example yet (see the API notes)")
    assert embedding[0] == EXAMPLE
