"""Data only flows forward: no module imports a later pipeline stage (DESIGN.md, principle 1),
and no hidden back-channel (a context variable, a patched module attribute) gets around that."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "linkcheck"
MAX_LINES = 450  # DESIGN.md: aim for 400, never over 450

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
    "shard",
    "hosts",
    "net",
    "images",
    "local",
    "check",
    "workers",
    "news",
    "report",
    "state",
    "formats",
    "fix",
    "early",
    "pipeline",
    "demo",
    "cli",
]
# The only stage allowed to hold context variables: per-host state and slots live there.
CONTEXT_VARS_ALLOWED = {"hosts"}


def stage(module: str) -> str:
    return module.split(".")[1] if module.startswith("linkcheck.") else module


def _absolute(node: ast.ImportFrom, parts: tuple[str, ...]) -> str | None:
    """The absolute module of `from ... import`, relative ones resolved against the package of
    the module at `parts` (its path inside linkcheck/, e.g. ("collect", "extract.py"))."""
    if node.level == 0:
        return node.module
    package = ["linkcheck", *parts[:-1]]
    if node.level - 1 > len(package) - 1:
        return None
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports_of_source(source: str, parts: tuple[str, ...] = ("x.py",)) -> set[str]:
    """Every linkcheck module a source imports (absolute or relative, at any depth)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            module = _absolute(node, parts)
            if module is None or not (module == "linkcheck" or module.startswith("linkcheck.")):
                continue
            if module == "linkcheck":
                found.update(f"linkcheck.{a.name}" for a in node.names if a.name != "__version__")
            else:
                found.add(module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("linkcheck."))
    return found


def imports_of(path: Path) -> set[str]:
    return imports_of_source(path.read_text(), path.relative_to(PACKAGE).parts)


def back_imports(parts: tuple[str, ...], source: str) -> list[str]:
    """Why the module at `parts` (inside linkcheck/) breaks the stage order; [] if it does not.
    `from linkcheck import name` of anything but a stage is the public API, which imports every
    stage, so it is a back-import from inside the package."""
    own = parts[0].removesuffix(".py")
    problems = []
    for module in sorted(imports_of_source(source, parts)):
        other = stage(module)
        if other == own:
            continue
        if other not in ORDER:
            problems.append(f"{own} imports {module}: the public API, not a stage")
        elif own not in ORDER or ORDER.index(other) > ORDER.index(own):
            problems.append(f"{own} imports later stage {other} ({module})")
    return problems


def context_vars(source: str) -> list[int]:
    """Lines that import or create a `contextvars.ContextVar`: state that crosses stages
    without appearing in any signature (the layering test cannot see it)."""

    def suspect(node: ast.AST) -> bool:
        if isinstance(node, ast.Import):
            return any(a.name == "contextvars" for a in node.names)
        if isinstance(node, ast.ImportFrom):
            return node.module == "contextvars"
        return isinstance(node, ast.Call) and ast.unparse(node.func).endswith("ContextVar")

    nodes = ast.walk(ast.parse(source))
    return sorted({n.lineno for n in nodes if suspect(n) and isinstance(n, ast.stmt | ast.expr)})


def patched_modules(source: str) -> list[str]:
    """`module.name = ...` on an imported linkcheck module: a back-channel that rewires another
    stage at run time (monkeypatching belongs in tests)."""
    aliases = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            aliases.update(a.asname or a.name for a in node.names if a.name.startswith("linkcheck"))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("linkcheck"):
            aliases.update(a.asname or a.name for a in node.names if a.name.islower())
    found = []
    for node in ast.walk(ast.parse(source)):
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute) and ast.unparse(target.value) in aliases:
                found.append(ast.unparse(target))
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.stem not in ("__init__", "__main__"))
ALL_FILES = sorted(PACKAGE.rglob("*.py"))


def relative(path: Path) -> tuple[str, ...]:
    return path.relative_to(PACKAGE).parts


def test_every_module_has_a_place_in_the_order() -> None:
    stages = {relative(p)[0].removesuffix(".py") for p in MODULES}
    assert stages <= set(ORDER), f"add {stages - set(ORDER)} to ORDER"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_a_later_stage(path: Path) -> None:
    assert back_imports(relative(path), path.read_text()) == []


@pytest.mark.parametrize(
    ("parts", "source"),
    [
        (("collect", "extract.py"), "from linkcheck.check import check_link\n"),
        (("collect", "extract.py"), "import linkcheck.pipeline\n"),
        (("collect", "extract.py"), "from linkcheck import pipeline\n"),
        (("collect", "extract.py"), "from ..report import build\n"),
        (("collect", "extract.py"), "from ..net.exchange import exchange\n"),
        (("images", "svg.py"), "def f():\n    from linkcheck.formats import json\n"),
        (("hosts", "gate.py"), "from linkcheck import run\n"),
        (("models", "core.py"), "from linkcheck.config import Config\n"),
    ],
)
def test_a_back_import_is_caught(parts: tuple[str, ...], source: str) -> None:
    assert back_imports(parts, source), source


@pytest.mark.parametrize(
    ("parts", "source"),
    [
        (("check.py",), "from linkcheck.collect.sources import field_line\n"),
        (("collect", "extract.py"), "from .sources import field_line\n"),
        (("collect", "extract.py"), "from ..models import Link\nfrom linkcheck import __version__"),
        (("images", "prober.py"), "from . import svg\nimport httpx\n"),
    ],
)
def test_forward_and_own_stage_imports_pass(parts: tuple[str, ...], source: str) -> None:
    assert back_imports(parts, source) == []


def test_models_imports_nothing_from_the_package() -> None:
    for path in (PACKAGE / "models").rglob("*.py"):
        assert {stage(m) for m in imports_of(path)} <= {"models"}, path


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_cli_prints_or_exits(path: Path) -> None:
    if relative(path)[0] == "cli":
        return
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            name = ast.unparse(node.func)
            assert name not in ("print", "sys.exit", "exit", "quit", "os._exit"), (
                f"{path.name}:{node.lineno} calls {name}; only cli.py prints or exits"
            )


# ------------------------------------------------------------------ hidden back-channels


def test_no_context_variables_outside_hosts() -> None:
    """A ContextVar is a parameter nobody can see: the check slot is passed explicitly."""
    found = {
        "/".join(relative(p)): lines
        for p in ALL_FILES
        if relative(p)[0] not in CONTEXT_VARS_ALLOWED and (lines := context_vars(p.read_text()))
    }
    assert found == {}


@pytest.mark.parametrize(
    "source",
    [
        "from contextvars import ContextVar\n",
        "import contextvars\nslot = contextvars.ContextVar('slot')\n",
        "from contextvars import ContextVar as CV\n",
    ],
)
def test_a_context_variable_is_caught(source: str) -> None:
    assert context_vars(source)


def test_no_module_patches_another() -> None:
    found = {"/".join(relative(p)): m for p in ALL_FILES if (m := patched_modules(p.read_text()))}
    assert found == {}


def test_a_patched_module_is_caught() -> None:
    source = "from linkcheck.hosts import gate\nimport linkcheck.net.client as c\n"
    assert patched_modules(source + "gate.current = 1\nc.DEFAULT += 2\n") == [
        "gate.current",
        "c.DEFAULT",
    ]
    assert patched_modules("from linkcheck.models import Link\nself.x = Link\n") == []


# ------------------------------------------------------------------ size


def over_limit(files: list[Path], limit: int = MAX_LINES) -> dict[str, int]:
    sizes = {"/".join(relative(p)): len(p.read_text().splitlines()) for p in files}
    return {name: n for name, n in sizes.items() if n > limit}


def test_no_module_is_over_450_lines() -> None:
    assert over_limit(ALL_FILES) == {}


def test_the_size_check_counts_lines() -> None:
    fake = PACKAGE / "images" / "prober.py"  # a real path for relative(); only its size is read
    assert over_limit([fake], limit=10) == {"images/prober.py": len(fake.read_text().splitlines())}
    assert over_limit([fake], limit=10_000) == {}
