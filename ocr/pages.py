"""Turn a file into the grey pages OCR reads: the scanner's prepared pages when scanner.prepare exists,
otherwise the file's pages as read by scanner.intake, converted to grey (no deskew or page finding)."""
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
    try:
        from scanner.prepare import prepare_file
    except ImportError:
        prepare_file = None
    if prepare_file is not None:
        return [OcrInput(p.source, p.page_index, p.ocr_image, p.dpi or dpi, True) for p in prepare_file(Path(path), dpi=dpi)]
    return raw_pages(path, dpi)


def raw_pages(path: Path, dpi: int = 300) -> list[OcrInput]:
    """The file's pages as stored (EXIF orientation applied), grey, without any scanner correction."""
    import cv2

    from scanner.intake import read_pages

    out = []
    for page in read_pages(Path(path), dpi=dpi):
        grey = cv2.cvtColor(page.image, cv2.COLOR_RGB2GRAY)
        out.append(OcrInput(page.source, page.page_index, grey, page.dpi or dpi, False))
    return out
