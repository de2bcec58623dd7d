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

from hotfolders.processor import FileOutcome, PageOutcome, ProcessorSettings
from hotfolders.workspace import IntakeHint

ARCHIVAL_JPEG_QUALITY = 90  # working copy for the PDFs; export re-encodes to its own size target


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
        from scanner.intake import read_pages
        from scanner.prepare import prepare_page

        cv2.setNumThreads(1)  # one worker per core already: OpenCV's own threads would only contend

        self.settings = settings
        self.read_pages, self.prepare_page, self.extract_page = read_pages, prepare_page, extract_page
        self.get_engine = get_engine

    def process_file(self, path: Path, hint: IntakeHint, out_dir: Path) -> FileOutcome:
        from PIL import Image

        out_dir.mkdir(parents=True, exist_ok=True)
        outcome = FileOutcome()
        t = outcome.stage_seconds
        with timed(t, "ocr_init"):
            engine = self.get_engine(self.settings.lang)  # per process: built on first use, then kept
        pages = iter(self.read_pages(path, dpi=self.settings.dpi, max_pixels=self.settings.max_pixels))
        while True:
            with timed(t, "read"):
                source = next(pages, None)
            if source is None:
                break
            with timed(t, "prepare"):
                prepared = self.prepare_page(source)
            del source
            with timed(t, "ocr"):
                ocr_page = engine.read_page(prepared.ocr_image, dpi=prepared.dpi, doc_hint=hint.kind)
            with timed(t, "extract"):
                record = self.extract_page(prepared, ocr_page, engine, hint.profile_name)
            index = prepared.page_index
            if not record.pages:
                record.pages = [index]
            with timed(t, "save"):
                archival = out_dir / f"page-{index:04d}.jpg"
                ocr_image = out_dir / f"page-{index:04d}-ocr.png"
                dpi = (round(prepared.dpi), round(prepared.dpi))  # export sizes PDF pages from it
                Image.fromarray(prepared.archival).save(archival, quality=ARCHIVAL_JPEG_QUALITY, dpi=dpi)
                Image.fromarray(prepared.ocr_image).save(ocr_image, compress_level=1)  # speed over bytes: a work file
            outcome.pages.append(PageOutcome(index, str(ocr_image), str(archival), asdict(prepared.quality)))
            outcome.records.append(record)
        return outcome
