"""Shared test set-up: one Tesseract thread per process (xdist runs two workers on two cores), the repository
root importable everywhere — test doubles live in tests/support/ and are named by processes the tests start
(e.g. `[processor] name = "tests.support.fakes:FakeProcessor"` in a watcher subprocess) — and the store
fixtures that run every database test on SQLite and on a real PostgreSQL (tests/support/databases.py)."""
import os
import sys
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

ROOT = str(Path(__file__).resolve().parent.parent)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH", "")) if p)

pytest_plugins = ["tests.support.databases"]
