"""The processing interface the runner drives, so the pipeline stages can change without touching it.

A processor turns one file into prepared pages (saved under its work folder) and extraction records. It is
built once per worker process (`load_processor`), so a real one keeps its own Tesseract engine alive.
Failures it raises: a common.errors.SohoaError that is not transient (scanner.errors.IntakeError and
friends) is permanent -> quarantine; a transient one, OSError, TimeoutError and MemoryError are retried
with back-off.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from common.errors import SohoaError
from extract.types import Record
from hotfolders.workspace import IntakeHint


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


@runtime_checkable
class Processor(Protocol):
    def process_file(self, path: Path, hint: IntakeHint, out_dir: Path) -> FileOutcome:
        """Process `path`; write page images under `out_dir` (the file's own work folder)."""
        ...


def is_permanent(exc: BaseException) -> bool:
    """A sohoa error that trying again will not cure (bad input, a refused profile …): quarantine."""
    return isinstance(exc, SohoaError) and not exc.transient


TRANSIENT = (OSError, TimeoutError, MemoryError)


def load_processor(spec: str, settings: ProcessorSettings) -> Processor:
    """`real` or `module:Class`; the class is called with the settings."""
    if spec == "real":
        from hotfolders.real_processor import RealProcessor

        return RealProcessor(settings)
    module_name, _, attr = spec.partition(":")
    if not attr:
        raise ValueError(f"processor must be 'real' or 'module:Class', got {spec!r}")
    factory = getattr(importlib.import_module(module_name), attr)
    processor = factory(settings)
    if not isinstance(processor, Processor):
        raise TypeError(f"{spec} has no process_file(path, hint, out_dir)")
    return processor
