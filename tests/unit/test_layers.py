"""Data only flows forward: no module imports a later pipeline stage (DESIGN.md, principle 1)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "linkcheck"

# Earlier stages first. A module may import only modules listed before it.
# A stage is a top-level module or a whole subpackage (its modules may import each other).
ORDER = [
    "errors",
    "models",
    "schema",
    "config",
    "classify",
    "collect",
    "plan",
    "hosts",
    "net",
    "images",
    "check",
    "report",
    "formats",
    "pipeline",
    "cli",
]


def stage(module: str) -> str:
    return module.split(".")[1] if module.startswith("linkcheck.") else module


def imports_of(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("linkcheck"):
            if node.module == "linkcheck":
                found.update(f"linkcheck.{a.name}" for a in node.names if a.name != "__version__")
            else:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("linkcheck."))
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.stem not in ("__init__", "__main__"))


def test_every_module_has_a_place_in_the_order():
    stages = {p.relative_to(PACKAGE).parts[0].removesuffix(".py") for p in MODULES}
    assert stages <= set(ORDER), f"add {stages - set(ORDER)} to ORDER"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_a_later_stage(path):
    own = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
    for module in imports_of(path):
        other = stage(module)
        if other == own:
            continue
        assert ORDER.index(other) < ORDER.index(own), f"{own} imports later stage {other}"


def test_models_imports_nothing_from_the_package():
    for path in (PACKAGE / "models").rglob("*.py"):
        assert {stage(m) for m in imports_of(path)} <= {"models"}, path


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_cli_prints_or_exits(path):
    if path.relative_to(PACKAGE).parts[0] == "cli":
        return
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            name = ast.unparse(node.func)
            assert name not in ("print", "sys.exit", "exit", "quit", "os._exit"), (
                f"{path.name}:{node.lineno} calls {name}; only cli.py prints or exits"
            )
