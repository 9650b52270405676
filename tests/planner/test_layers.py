"""The layers hold: `planner` imports neither `api`, `maps` nor `jemput`; no module over 500 lines;
no import circle inside `planner` (counting imports inside functions too)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLANNER = ROOT / "planner"
ABOVE = ("api", "maps", "jemput")
MAX_LINES = 500


def _modules(package: Path) -> dict[str, Path]:
    out = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _imports(path: Path) -> set[str]:
    """Every module named by an import statement anywhere in the file."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


MODULES = _modules(PLANNER)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_planner_imports_no_layer_above_it(name: str) -> None:
    above = sorted(i for i in _imports(MODULES[name]) if i.split(".")[0] in ABOVE)
    assert not above, f"{name} imports {above}: planner must not depend on {', '.join(ABOVE)}"


@pytest.mark.parametrize("package", ["planner", "api", "maps", "jemput"])
def test_every_module_is_at_most_500_lines(package: str) -> None:
    long = {n: len(p.read_text(encoding="utf-8").splitlines()) for n, p in _modules(ROOT / package).items()}
    assert not {n: k for n, k in long.items() if k > MAX_LINES}


def test_no_import_circle_inside_planner() -> None:
    graph = {name: {i for i in _imports(path) if i in MODULES and i != name} for name, path in MODULES.items()}
    # a package's __init__ imports nothing of its own here, so edges to packages are edges to their __init__
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = 2
        stack.pop()
        return None

    for name in sorted(graph):
        if name not in state:
            cycle = visit(name)
            assert cycle is None, " → ".join(cycle)
