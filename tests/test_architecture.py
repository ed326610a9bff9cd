"""The package's shape: stages import downward only, one place per name, small modules.

See docs/architecture.md. Every import of ``src/cpflag`` (type-only ones
included) is read from the source with ``ast``, so a cycle hidden behind
``TYPE_CHECKING`` or a function-level import is caught too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from cpflag.contract import FlagKind

SRC = Path(__file__).resolve().parent.parent / "src" / "cpflag"

#: Stages bottom-up: a module may import from its own stage or a lower one.
STAGES: dict[str, int] = {
    "contract": 0,
    "_errors": 0,
    "_version": 0,
    "io": 1,
    "synth": 1,
    "normalise": 2,
    "linkage": 3,
    "rules": 4,
    "decide": 5,
    "_config": 6,
    "history": 7,
    "engine": 8,
    "report": 9,
    "loop": 9,
    "_api": 10,
    "__init__": 11,
    "cli": 11,
}

MAX_MODULE_LINES = 400


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC).with_suffix("").parts
        name = ".".join(("cpflag", *parts))
        out[name.removesuffix(".__init__")] = path
    return out


def _imports(name: str, path: Path) -> set[str]:
    """Modules of cpflag that ``name`` imports (any import statement, anywhere)."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("cpflag")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            if not base.startswith("cpflag"):
                continue
            for alias in node.names:
                # ``from cpflag.rules import sibling`` imports a module.
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
    return found - {name}


MODULES = _modules()
GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _stage(module: str) -> int:
    parts = module.split(".")
    return STAGES[parts[1]] if len(parts) > 1 else STAGES["__init__"]


def test_every_module_has_a_stage() -> None:
    assert all(m == "cpflag" or m.split(".")[1] in STAGES for m in MODULES)


def test_no_import_cycle() -> None:
    """Depth-first search over the import graph (package ``__init__`` edges included)."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for dep in sorted(GRAPH.get(node, ())):
            if dep not in MODULES:
                continue
            if state.get(dep) == 1:
                cycle = [*path[path.index(dep) :], dep]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if dep not in state:
                visit(dep)
        path.pop()
        state[node] = 2

    for module in MODULES:
        if module not in state:
            visit(module)


def test_stages_import_downward_only() -> None:
    upward = [
        f"{m} -> {d}"
        for m, deps in GRAPH.items()
        for d in deps
        if d in MODULES and _stage(d) > _stage(m)
    ]
    assert upward == []


def test_no_private_access_across_modules() -> None:
    """No ``obj._name`` on another object, no private name imported, no ``getattr`` by a
    computed name."""
    offences = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "getattr"
                and not (len(node.args) > 1 and isinstance(node.args[1], ast.Constant))
            ):
                offences.append(f"{name}:{node.lineno} getattr by a computed name")
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
            ):
                offences.append(f"{name}:{node.lineno} .{node.attr}")
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("cpflag"):
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    if alias.name.startswith("_") and full not in MODULES:
                        offences.append(f"{name}:{node.lineno} imports {alias.name}")
    assert offences == []


def _literals(path: Path) -> set[str]:
    """String constants of a module, docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(n.body[0].value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and n.body
        and isinstance(n.body[0], ast.Expr)
        and isinstance(n.body[0].value, ast.Constant)
    }
    return {
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings
    }


@pytest.mark.parametrize("kind", list(FlagKind), ids=str)
def test_each_flag_kind_is_spelled_in_one_module(kind: FlagKind) -> None:
    spelled = sorted(
        name
        for name, path in MODULES.items()
        if not name.startswith("cpflag.synth") and kind.value in _literals(path)
    )
    assert spelled == ["cpflag.contract"]


def test_modules_are_small() -> None:
    sizes = {n: len(p.read_text(encoding="utf-8").splitlines()) for n, p in MODULES.items()}
    assert {n: s for n, s in sizes.items() if s > MAX_MODULE_LINES} == {}
