"""File helpers every stage shares."""
from __future__ import annotations

import hashlib
from pathlib import Path


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file's content, read in chunks by the standard library (hashlib.file_digest):
    the hot folders dedupe by it and exports record it in hand-over manifests."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()
