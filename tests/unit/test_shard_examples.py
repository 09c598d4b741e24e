"""The sharding examples stay runnable: N is the same everywhere in each, every shard is merged,
and the commands they run are real linkcheck options."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import yaml

from linkcheck.cli.main import build_parser

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _parses(command: str) -> None:
    """`linkcheck ...` as the example writes it is accepted by our own parser."""
    command = re.sub(r"\$\{\{[^}]+\}\}|\$\{[^}]+\}", "1", command)  # ${{ x }}, ${X}
    words = shlex.split(command)
    build_parser().parse_args(words[1:])  # SystemExit (a failing test) on a bad option


def _linkcheck_lines(script: str) -> list[str]:
    joined = script.replace("\\\n", " ")
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line.startswith("linkcheck "):
            found.append(re.split(r" \|\| | &&| >>? ", line)[0])  # the command alone
    return found


def test_kubernetes_indexed_job() -> None:
    docs = list(yaml.safe_load_all((EXAMPLES / "kubernetes" / "indexed-job.yaml").read_text()))
    jobs = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Job"}
    shards = jobs["linkcheck-shards"]["spec"]
    n = shards["completions"]
    assert shards["completionMode"] == "Indexed" and shards["parallelism"] == n
    script = shards["template"]["spec"]["containers"][0]["args"][0]
    assert f"--shards {n}" in script and "shard-${JOB_COMPLETION_INDEX}.json" in script
    merge = jobs["linkcheck-merge"]["spec"]["template"]["spec"]["containers"][0]["args"][0]
    merged = re.findall(r"shard-(\d+)\.json", merge)
    assert sorted(int(i) for i in merged) == list(range(n))  # JOB_COMPLETION_INDEX: 0..N-1
    for line in _linkcheck_lines(script) + _linkcheck_lines(merge):
        _parses(line)
    # every object is in one of the two steps applied with -l step=...
    assert {d["metadata"]["labels"]["step"] for d in docs} == {"shards", "merge"}


def test_github_actions_matrix() -> None:
    flow = yaml.safe_load((EXAMPLES / "github-actions" / "linkcheck-shards.yml").read_text())
    shard = flow["jobs"]["shard"]
    matrix = shard["strategy"]["matrix"]["shard"]
    n = len(matrix)
    assert matrix == list(range(1, n + 1))
    runs = "\n".join(s.get("run", "") for s in shard["steps"])
    assert f"--shard ${{{{ matrix.shard }}}}/{n}" in runs
    assert flow["jobs"]["merge"]["needs"] == "shard"
    merge_runs = "\n".join(s.get("run", "") for s in flow["jobs"]["merge"]["steps"])
    assert "linkcheck merge shard-*.json" in merge_runs
    for line in _linkcheck_lines(runs) + _linkcheck_lines(merge_runs):
        _parses(line)
