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

from common.errors import ConfigError, SohoaError
from hotfolders.outcome import FileOutcome, PageOutcome, ProcessorSettings
from hotfolders.workspace import IntakeHint

__all__ = ["FileOutcome", "PageOutcome", "Processor", "ProcessorSettings", "check_processor", "is_permanent",
           "load_processor"]


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


def check_processor(spec: str, lang: str) -> None:
    """Refuse, before any file is touched, a `[processor]` that would fail on every file: an OCR model that
    does not exist or a processor that cannot be imported would otherwise retry each file and quarantine the
    whole inbox as if the documents were at fault."""
    if spec == "real":
        from ocr.engine import normalise_lang

        try:
            normalise_lang(lang)
        except ValueError:
            raise ConfigError(f"sohoa.toml [processor] lang = {lang!r}: không có mô hình OCR này; dùng \"vie\", "
                              f"\"Vietnamese\" hoặc \"vie+Vietnamese\" (no such OCR model)", code="processor_lang") from None
        return
    module_name, _, attr = spec.partition(":")
    try:
        if not attr:
            raise ValueError(spec)
        getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError, ValueError):
        raise ConfigError(f"sohoa.toml [processor] name = {spec!r}: không tải được bộ xử lý; dùng \"real\" "
                          f"(the processor cannot be loaded: use \"real\")", code="processor_name") from None
