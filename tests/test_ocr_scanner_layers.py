"""Data flows scanner -> ocr: the scanner imports nothing of the OCR stage (orientation gets its line reader
injected), OCR's product modules import nothing of the scanner, and neither imports the workbench (synth/,
bench/, tests/). `ocr/cli.py` is a command: commands compose stages, so it may run the scanner."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WORKBENCH = ("synth", "bench", "tests")


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", ["scanner", "ocr"])
def test_stage_imports_follow_the_data_flow(package: str) -> None:
    forbidden = {"scanner": {"ocr", "extract", *WORKBENCH}, "ocr": {"scanner", "extract", *WORKBENCH}}[package]
    offenders = []
    for path in sorted((ROOT / package).glob("*.py")):
        forbidden_here = forbidden - {"scanner"} if package == "ocr" and path.name == "cli.py" else forbidden
        bad = imported_packages(path) & forbidden_here
        if bad:
            offenders.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert not offenders, offenders
