"""The shape of the code, measured from its imports: folders in layers that read top to bottom, no import
cycle between files, workbench never imported by the product, no SQL outside store/, no document-type name
in Python outside tests (the registry in profiles/ names them)."""
from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

from common.doctypes import load_registry

ROOT = Path(__file__).resolve().parents[1]

# Top to bottom. A folder may import folders of LOWER layers only (peers in one layer do not import each
# other). The review app sits above export because it shows export's progress report.
LAYERS: list[set[str]] = [
    {"sohoa"},                      # the command line and the demo
    {"review"},                     # the reviewers' web app
    {"export", "hotfolders"},       # exports and reports; the watcher and intake
    {"store"},                      # the database
    {"extract"},                    # the stages, in data-flow order: scanner -> ocr -> extract
    {"ocr"},
    {"scanner"},
    {"common"},                     # shared basics
]
PRODUCT = set().union(*LAYERS)
WORKBENCH = {"synth", "bench", "tests"}
# Known, tracked exceptions: each must disappear when its fix lands (the test fails if one is fixed and still
# listed, or if a new one appears). None left: the scanner's orientation gets its line reader injected.
KNOWN_LAYER_VIOLATIONS: set[tuple[str, str]] = set()


def _modules() -> dict[str, Path]:
    out = {}
    for top in PRODUCT | {"synth", "bench"}:
        for path in (ROOT / top).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            out[name.removesuffix(".__init__")] = path
    return out


def _imports(modules: dict[str, Path]) -> dict[str, set[str]]:
    """module -> the project modules it imports (a `from pkg import mod` counts as importing pkg.mod)."""
    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    edges: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                targets = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module
                           for a in node.names]
            for target in targets:
                if target.split(".")[0] in PRODUCT | WORKBENCH and (found := resolve(target)) and found != name:
                    edges[name].add(found)
    return edges


def _layer(folder: str) -> int:
    return next(i for i, layer in enumerate(LAYERS) if folder in layer)


def test_folders_import_only_lower_layers_and_never_the_workbench():
    edges = _imports(_modules())
    violations, workbench = set(), set()
    for source, targets in edges.items():
        a = source.split(".")[0]
        if a not in PRODUCT:
            continue
        for target in targets:
            b = target.split(".")[0]
            if b in WORKBENCH and a != "sohoa":      # the demo (top) runs the synthetic generator
                workbench.add((source, target))
            elif b in PRODUCT and a != b and _layer(b) <= _layer(a):
                violations.add((a, b))
    assert not workbench, sorted(workbench)
    assert violations == KNOWN_LAYER_VIOLATIONS, sorted(violations)


def test_no_import_cycle_between_files():
    edges = _imports(_modules())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in list(edges):
        if module not in index:
            visit(module)
    assert not cycles, cycles


def test_sql_lives_in_the_store_only():
    offenders = [str(p.relative_to(ROOT)) for top in PRODUCT - {"store"} for p in (ROOT / top).rglob("*.py")
                 if re.search(r"^\s*(from|import) sqlalchemy", p.read_text(encoding="utf-8"), re.M)]
    assert not offenders


# None left: ocr/ has a layout vocabulary of its own (ocr/layout.py), fed from the registry.
KNOWN_NAME_FILES: set[str] = set()


def _docstrings(tree: ast.AST) -> set[int]:
    return {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}


def test_no_document_type_name_in_product_code():
    """Adding a document type is adding one file in profiles/: no Python literal is a type's name, code or
    inbox folder ("CMND"/"CCCD" are also the names of identity papers, a field's value: allowed)."""
    registry = load_registry()
    names = ({t.name for t in registry} | {t.code for t in registry} | set(registry.inbox_folders())) - {"CMND", "CCCD"}
    found = set()
    for top in PRODUCT:
        for path in (ROOT / top).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            skip = _docstrings(tree)
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and id(node) not in skip and node.value in names:
                    found.add(str(path.relative_to(ROOT)))
    assert found == KNOWN_NAME_FILES, sorted(found)
