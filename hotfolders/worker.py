"""What runs in a worker process: one processor per process (built by the pool's initializer, so a real
processor keeps one Tesseract engine for its life), and a job function that never raises: every failure
comes back as data the main process can store, because exceptions do not always survive pickling."""
from __future__ import annotations

import logging
import os
import traceback
from dataclasses import dataclass
from pathlib import Path

from common.crashpoints import maybe_crash
from common.lifetime import exit_with_parent
from hotfolders.processor import (
    TRANSIENT,
    FileOutcome,
    Processor,
    ProcessorSettings,
    is_permanent,
    load_processor,
)
from hotfolders.workspace import IntakeHint

log = logging.getLogger(__name__)

_processor: Processor | None = None
_spec: tuple[str, ProcessorSettings] | None = None


@dataclass
class Job:
    file_id: int
    path: str
    hint: IntakeHint
    out_dir: str


@dataclass
class JobResult:
    file_id: int
    outcome: FileOutcome | None = None
    failure: str = ""      # "" | "permanent" | "transient"
    code: str = ""
    message: str = ""
    detail: str = ""       # exception type and the last frames, for the log (no file names)
    worker_pid: int = 0


def init_worker(spec: str, settings: ProcessorSettings) -> None:
    """Pool initializer: remember the spec; the processor is built on the first job (a failure to build
    it, e.g. a missing OCR model, then comes back as a job result rather than a dead pool)."""
    global _spec, _processor
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    _spec, _processor = (spec, settings), None
    exit_with_parent()  # a watcher killed with -9 cannot stop its workers: they leave by themselves


def run_job(job: Job) -> JobResult:
    global _processor
    try:
        if _processor is None:
            if _spec is None:
                raise RuntimeError("worker not initialised")
            _processor = load_processor(*_spec)
        maybe_crash("in_worker")
        outcome = _processor.process_file(Path(job.path), job.hint, Path(job.out_dir))
        return JobResult(job.file_id, outcome=outcome, worker_pid=os.getpid())
    except Exception as exc:  # noqa: BLE001 — every failure becomes a stored reason
        detail = f"{type(exc).__name__}: " + "".join(traceback.format_tb(exc.__traceback__, limit=-3)).strip()
        if is_permanent(exc):
            return JobResult(job.file_id, failure="permanent", code=exc.code, message=exc.message,
                             detail=detail, worker_pid=os.getpid())
        kind = "io" if isinstance(exc, TRANSIENT) else "internal"
        return JobResult(job.file_id, failure="transient", code=kind, message=_transient_message(kind, exc),
                         detail=detail, worker_pid=os.getpid())


def _transient_message(kind: str, exc: BaseException) -> str:
    if kind == "io":
        return f"lỗi đọc/ghi tạm thời (transient I/O error: {type(exc).__name__})"
    return f"lỗi xử lý không mong đợi (unexpected processing error: {type(exc).__name__})"
