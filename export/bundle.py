"""One zip per book holding the book's PDFs flat (no folders), as the BTP hand-over expects.

ZIP_STORED, not DEFLATED: the PDFs are JPEG pages already, deflate would win ~1% for real CPU time, and
stored members can be read by any unzip (and range-read by the receiving system) without decompression.
Member timestamps are fixed so a re-export of unchanged PDFs gives a byte-identical zip.
"""
from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path
from shutil import copyfileobj

from export.atomic import atomic_path

FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest zip date: no wall clock in the archive


def write_book_zip(path: Path, pdfs: Sequence[Path]) -> None:
    """Write `path` atomically (temp name + rename) with each PDF under its bare file name."""
    names = [p.name for p in pdfs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"tên PDF trùng trong một quyển (duplicate PDF names in one book): {duplicates}")
    with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:
        for pdf in sorted(pdfs, key=lambda p: p.name):
            info = zipfile.ZipInfo(pdf.name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            with pdf.open("rb") as src, zf.open(info, "w") as dst:
                copyfileobj(src, dst, 1 << 20)
