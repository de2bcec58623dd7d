"""Turn a file into the grey pages OCR reads: the scanner's prepared pages, or (for the benchmark's
raw-Tesseract baseline) the file's pages as stored, converted to grey, with no correction."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass
class OcrInput:
    source: str
    page_index: int
    image: np.ndarray  # uint8 grey (or binary), upright
    dpi: float
    prepared: bool     # True when the scanner prepared it


def load_pages(path: Path, dpi: int = 300) -> list[OcrInput]:
    """Every page of `path`, ready for OCR. Raises scanner.errors.IntakeError for unreadable files."""
    from scanner.prepare import prepare_file

    return [OcrInput(p.source, p.page_index, p.ocr_image, p.dpi or dpi, True) for p in prepare_file(Path(path), dpi=dpi)]


def raw_pages(path: Path, dpi: int = 300) -> list[OcrInput]:
    """The file's pages as stored (EXIF orientation applied), grey, without any scanner correction."""
    import cv2

    from scanner.intake import read_pages

    out = []
    for page in read_pages(Path(path), dpi=dpi):
        grey = cv2.cvtColor(page.image, cv2.COLOR_RGB2GRAY)
        out.append(OcrInput(page.source, page.page_index, grey, page.dpi or dpi, False))
    return out
