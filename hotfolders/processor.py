"""The processing interface the runner drives, so the pipeline stages can change without touching it.

A processor turns one file into prepared pages (saved under its work folder) and extraction records. It is
built once per worker process (`load_processor`), so a real one keeps its own Tesseract engine alive.
Failures it raises: a common.errors.SohoaError that is not transient (scanner.errors.IntakeError and
friends) is permanent -> quarantine; a transient one, OSError, TimeoutError and MemoryError are retried
with back-off.
"""
from __future__ import annotations

import importlib
from pathlib import Path
from typing import Protocol, runtime_checkable

from common.errors import SohoaError
from hotfolders.outcome import FileOutcome, PageOutcome, ProcessorSettings
from hotfolders.workspace import IntakeHint

__all__ = ["FileOutcome", "PageOutcome", "Processor", "ProcessorSettings", "is_permanent", "load_processor"]


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
