"""What a processor hands back for one file, and the settings it is built with: plain data shared by the
processor interface (processor.py), the real processor and the worker, so none of them imports the other."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from extract.types import Record


@dataclass
class PageOutcome:
    page_index: int
    prepared_path: str = ""   # the OCR image written under the work folder
    archival_path: str = ""   # the colour image for PDFs
    quality: dict[str, Any] = field(default_factory=dict)  # scanner.types.Quality as JSON-able data


@dataclass
class FileOutcome:
    pages: list[PageOutcome] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)   # Record.pages are page indexes within the file
    stage_seconds: dict[str, float] = field(default_factory=dict)  # e.g. {"prepare": 1.2, "ocr": 3.4}


@dataclass
class ProcessorSettings:
    dpi: int = 300
    max_pixels: int = 120_000_000
    lang: str = "vie"
