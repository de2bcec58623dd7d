"""`sohoa bench export`: the backlog export on a synthetic backlog (records built directly, no OCR, no store).

What it measures is the real backlog loop (export.backlog.run_backlog -> export.books.export_books ->
the write-only BTP workbook writer, openpyxl re-read of each book, LibreOffice re-read of every book in
batches when soffice is installed, sha256, manifest after each book),
with books of a fixed size generated lazily, so memory should not grow with the number of rows. Each size
runs in a fresh process so its peak RSS (getrusage) is its own; with workers, each worker's peak is shown
too. CPU time (own + workers') gives a rows-per-CPU-second figure that other load on the machine does not
distort.
"""
from __future__ import annotations

import multiprocessing
import queue as queue_module
import random
import resource
import shutil
import tempfile
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass
class BenchResult:
    rows: int
    books: int
    seconds: float
    cpu_seconds: float
    bytes_written: int
    peak_rss_mb: float
    baseline_rss_mb: float
    workers: int = 1
    worker_peak_rss_mb: float = 0.0

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    @property
    def rows_per_cpu_s(self) -> float:
        """Rows per second of this process's own CPU time: comparable even when other work shares the cores."""
        return self.rows / self.cpu_seconds if self.cpu_seconds else 0.0

    @property
    def mb_per_s(self) -> float:
        return self.bytes_written / 1e6 / self.seconds if self.seconds else 0.0


def synthetic_groups(rows: int, book_size: int, seed: int = 0) -> Iterator:
    """KS books of `book_size` registrations each, generated only when the loop reaches them."""
    from export.backlog import BookGroup
    from export.types import BookKey, ExportRecord
    from synth.backlog import synthetic_ks_fields

    rng = random.Random(seed)
    made = 0
    book = 0
    while made < rows:
        book += 1
        n = min(book_size, rows - made)
        year = 2010 + book % 8
        key = BookKey("KS", "10894", "Cẩm Giàng", "Hải Dương", str(year), f"{book:03d}")
        records = [ExportRecord(f"b{book}-{i}", key, synthetic_ks_fields(rng, i, year, f"{book:03d}"), [], "approved")
                   for i in range(1, n + 1)]
        made += n
        yield BookGroup(key, records)


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def run_once(rows: int, book_size: int, out_dir: Path, verify: bool = True, workers: int = 1,
             libreoffice: bool = True) -> BenchResult:
    if rows <= 0 or book_size <= 0:
        raise ValueError(f"rows must be positive (rows={rows}, book_size={book_size})")
    import openpyxl  # noqa: F401  (loaded before the baseline, as any real run would have it)

    from export.backlog import ManifestState, run_backlog
    from export.books import ExportOptions

    baseline = _max_rss_mb()
    start, cpu = time.perf_counter(), time.process_time()
    report = run_backlog(synthetic_groups(rows, book_size), out_dir, ManifestState(out_dir),
                         options=ExportOptions(libreoffice=libreoffice, verify=verify), total=-(-rows // book_size),
                         workers=workers)
    seconds = time.perf_counter() - start
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = time.process_time() - cpu + children.ru_utime + children.ru_stime  # workers and soffice have ended
    written = sum(p.stat().st_size for p in out_dir.iterdir() if p.is_file())
    return BenchResult(sum(e.rows for e in report.written), len(report.written), seconds, cpu, written,
                       _max_rss_mb(), baseline, workers, children.ru_maxrss / 1024)


def _child(rows: int, book_size: int, verify: bool, workers: int, libreoffice: bool, queue) -> None:
    """Always answers: the result, or the error's traceback (a silent child left its parent waiting)."""
    out = Path(tempfile.mkdtemp(prefix="sohoa-bench-export-"))
    try:
        queue.put(("ok", run_once(rows, book_size, out, verify, workers, libreoffice)))
    except BaseException:
        queue.put(("error", traceback.format_exc()))
    finally:
        shutil.rmtree(out, ignore_errors=True)


class BenchChildError(RuntimeError):
    """The measuring process failed or died; the message carries its traceback or exit code."""


def run_isolated(rows: int, book_size: int, verify: bool = True, workers: int = 1,
                 libreoffice: bool = True) -> BenchResult:
    """One measurement in a fresh process, so peak memory is not carried over from a previous size."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(rows, book_size, verify, workers, libreoffice, queue))
    proc.start()
    try:
        while True:
            try:
                status, payload = queue.get(timeout=1.0)
                break
            except queue_module.Empty:
                if not proc.is_alive():  # died without answering (killed, out of memory)
                    raise BenchChildError(f"tiến trình đo đã dừng (benchmark process died), exit code "
                                          f"{proc.exitcode}") from None
    finally:
        proc.join(timeout=30)
    if status == "error":
        raise BenchChildError(f"lỗi trong tiến trình đo (benchmark process failed):\n{payload}")
    return payload
