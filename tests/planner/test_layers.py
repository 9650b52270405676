"""The layers hold (docs/architecture.md): `planner` imports neither `api`, `maps` nor `jemput`;
inside `planner` a module imports only its own package and the layers below it; `maps` imports
neither `api`, `jemput` nor `console`, `jemput.service` no `api`; only `api/app.py` mounts `console`;
no module over 500 lines; no import circle
inside `planner` (counting imports inside functions too)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLANNER = ROOT / "planner"
ABOVE = ("api", "maps", "jemput", "console")
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

# planner's layers, bottom first: a module may import its own package and any lower layer, never a
# package beside it or above it. docs/architecture.md draws the same list (a test below keeps them equal).
LAYERS: list[tuple[str, ...]] = [
    ("units",),
    ("model", "plan"),
    ("io", "compile"),
    ("check",),
    ("solve",),
    ("replan",),
    ("pipeline",),
    ("national", "campaign"),
]
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def _part(module: str) -> str | None:
    """The layer name of a planner module: its subpackage or top-level module (None: `planner` itself)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def test_every_planner_package_has_a_layer() -> None:
    parts = {_part(name) for name in MODULES} - {None}
    assert parts <= RANK.keys(), f"put {sorted(parts - RANK.keys())} in a layer (here and in docs/architecture.md)"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_planner_imports_only_lower_layers(name: str) -> None:
    me = _part(name)
    if me is None:
        return
    wrong = sorted(
        i for i in _imports(MODULES[name])
        if i.startswith("planner.") and (other := _part(i)) in RANK and other != me and RANK[other] >= RANK[me]
    )
    assert not wrong, f"{name} (layer {me}) imports {wrong}: a layer imports only the layers below it"


def test_the_layer_check_can_fail(tmp_path: Path) -> None:
    """A check module importing the solver is caught (the test above is not vacuous)."""
    bad = tmp_path / "bad.py"
    bad.write_text("from planner.solve.week import plan_week\nimport planner.io.load\n", encoding="utf-8")
    found = [i for i in _imports(bad) if (o := _part(i)) in RANK and RANK[o] >= RANK["check"] and o != "check"]
    assert sorted(found) == ["planner.solve.week", "planner.solve.week.plan_week"]


@pytest.mark.parametrize(("package", "forbidden"), [("maps", ("api", "jemput", "console")), ("jemput/service.py", ("api", "console")),
                                                   ("jemput", ("console",))])
def test_the_layers_above_planner(package: str, forbidden: tuple[str, ...]) -> None:
    path = ROOT / package
    files = [path] if path.suffix == ".py" else sorted(path.rglob("*.py"))
    wrong = {str(f.relative_to(ROOT)): sorted(i for i in _imports(f) if i.split(".")[0] in forbidden) for f in files}
    assert not {f: i for f, i in wrong.items() if i}, f"{package} must not import {forbidden}"


def test_the_architecture_doc_draws_these_layers() -> None:
    """docs/architecture.md's picture names the layers top first, in this order."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    picture = text.split("```text", 1)[1].split("```", 1)[0]
    drawn = []
    for line in picture.splitlines():
        names = [n for n in RANK if re.search(rf"(?<![\w]){n}(/|\.py)", line)]
        if names:
            drawn.append(tuple(sorted(names)))
    assert drawn == [tuple(sorted(names)) for names in reversed(LAYERS)]


@pytest.mark.parametrize("name", sorted(MODULES))
def test_planner_imports_no_layer_above_it(name: str) -> None:
    above = sorted(i for i in _imports(MODULES[name]) if i.split(".")[0] in ABOVE)
    assert not above, f"{name} imports {above}: planner must not depend on {', '.join(ABOVE)}"


def test_only_the_app_mounts_the_console() -> None:
    """`console` is a client of `api`'s rules; of `api`, only the app factory (api/app.py) imports it."""
    importers = sorted(str(f.relative_to(ROOT)) for f in (ROOT / "api").rglob("*.py")
                       if any(i.split(".")[0] == "console" for i in _imports(f)))
    assert importers == ["api/app.py"]


@pytest.mark.parametrize("package", ["planner", "api", "maps", "jemput", "console"])
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


def test_no_two_classes_of_planner_share_a_name() -> None:
    """One name, one thing (two classes named TeamDay were one of issue 18's findings)."""
    where: dict[str, list[str]] = {}
    for name, path in MODULES.items():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef):
                where.setdefault(node.name, []).append(name)
    assert not {k: v for k, v in where.items() if len(v) > 1}
