"""The real processor: scanner.intake.read_pages -> scanner.prepare.prepare_page -> ocr engine ->
extract.pipeline.extract_page, one page at a time so a 200-page PDF never sits in memory at once.

The stage modules are imported when the processor is built (in the worker process), not at import time.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from hotfolders.outcome import FileOutcome, PageOutcome, ProcessorSettings
from hotfolders.workspace import IntakeHint

if TYPE_CHECKING:
    import numpy as np

ARCHIVAL_JPEG_QUALITY = 90  # working copy for the PDFs; export re-encodes to its own size target
# The OCR image is only looked at (review page view and field crops); OCR has already read it in memory.
# A grey one as JPEG q95 is visually lossless, about the size of the PNG it replaces, and encodes ~6x faster
# (measured 14 vs 86 ms a page, the PNG's row filtering dominates). A binary one stays PNG: JPEG would ring.
OCR_JPEG_QUALITY = 95


def save_ocr_image(image: np.ndarray, stem: Path, binary: bool) -> Path:
    """Write the prepared (OCR) image beside the archival one; returns the path written."""
    from PIL import Image

    if binary:
        path = stem.with_name(stem.name + ".png")
        Image.fromarray(image).save(path, compress_level=1)
    else:
        path = stem.with_name(stem.name + ".jpg")
        Image.fromarray(image).save(path, quality=OCR_JPEG_QUALITY)
    return path


@contextmanager
def timed(seconds: dict[str, float], stage: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        seconds[stage] = seconds.get(stage, 0.0) + time.perf_counter() - start


class RealProcessor:
    def __init__(self, settings: ProcessorSettings):
        import cv2

        from extract.pipeline import extract_page
        from ocr.engine import get_engine
        from ocr.reading import line_reader
        from scanner.intake import read_pages
        from scanner.prepare import prepare_page

        cv2.setNumThreads(1)  # one worker per core already: OpenCV's own threads would only contend

        self.settings = settings
        self.read_pages, self.prepare_page, self.extract_page = read_pages, prepare_page, extract_page
        self.get_engine, self.line_reader = get_engine, line_reader

    def process_file(self, path: Path, hint: IntakeHint, out_dir: Path) -> FileOutcome:
        from PIL import Image

        out_dir.mkdir(parents=True, exist_ok=True)
        outcome = FileOutcome()
        t = outcome.stage_seconds
        with timed(t, "ocr_init"):
            engine = self.get_engine(self.settings.lang)  # per process: built on first use, then kept
            reader = self.line_reader(engine)  # orientation reads lines with the same engine
        pages = iter(self.read_pages(path, dpi=self.settings.dpi, max_pixels=self.settings.max_pixels))
        while True:
            with timed(t, "read"):
                source = next(pages, None)
            if source is None:
                break
            with timed(t, "prepare"):
                prepared = self.prepare_page(source, read_line=reader)
            del source
            with timed(t, "ocr"):
                ocr_page = engine.read_page(prepared.ocr_image, dpi=prepared.dpi, layout=hint.ocr_layout)
            with timed(t, "extract"):
                record = self.extract_page(prepared, ocr_page, engine, hint.profile_name)
            index = prepared.page_index
            if not record.pages:
                record.pages = [index]
            with timed(t, "save"):
                archival = out_dir / f"page-{index:04d}.jpg"
                dpi = (round(prepared.dpi), round(prepared.dpi))  # export sizes PDF pages from it
                Image.fromarray(prepared.archival).save(archival, quality=ARCHIVAL_JPEG_QUALITY, dpi=dpi)
                binary = "cleanup:grey" not in prepared.steps
                ocr_image = save_ocr_image(prepared.ocr_image, out_dir / f"page-{index:04d}-ocr", binary)
            outcome.pages.append(PageOutcome(index, str(ocr_image), str(archival), asdict(prepared.quality)))
            outcome.records.append(record)
        return outcome
