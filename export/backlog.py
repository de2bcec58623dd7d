"""The backlog export (`sohoa export --all`, `sohoa export-backlog`): every book, resumable, with a hand-over
manifest.

Why a separate loop around export.books.export_books: a backlog is hundreds of books and hours of work, so
it must survive an interrupt. Each book is written by the export stage's own writer, then — in ONE store
transaction — its row in `export_books` becomes `done` and its records become `exported`. A re-run skips
every book that is done (in the store, or in the out folder's manifest when the store has no state table),
so no book is ever written twice; a book interrupted half-way had nothing under its final names (the
writer stages files) and is simply written again.

The manifest (`manifest.json` + `manifest.csv`) lists per book: rows, PDFs, records without scans, file sizes
and sha256 — what the receiving office checks the hand-over with. It is written (atomically) once, when the
run ends or stops; while the run goes on, each finished book is appended as one line to
`manifest.journal.jsonl` (flushed to disk), which the next run folds in after a kill: rewriting the whole
manifest after every book cost time growing with the number of books done (quadratic over a backlog).
`can-quet-bo-sung.csv` lists the books with registrations that have no scanned pages yet (legacy imports).
"""
from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
import os
import shutil
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path

from common.crashpoints import maybe_crash
from common.errors import Conflict
from common.files import sha256_of
from export import rules
from export.atomic import PRIVATE_FILE, private_dir, sweep_temporaries, write_bytes_atomic
from export.books import ExportOptions, export_books
from export.errors import ExportError, VerifyError, describe_os_error
from export.naming import Naming, load_naming
from export.types import BookExport, BookKey, ExportRecord, ExportReport, plain

log = logging.getLogger(__name__)

MANIFEST_JSON = "manifest.json"
MANIFEST_CSV = "manifest.csv"
MANIFEST_JOURNAL = "manifest.journal.jsonl"  # one finished book per line until the manifest is written
NEEDS_SCANS_CSV = "can-quet-bo-sung.csv"
ALREADY_EXPORTED = "book_already_exported"
LO_BATCH_ROWS = 20_000  # rows re-read per LibreOffice batch: a soffice start costs ~1 CPU-s, 20,000 rows ~2

@dataclass
class ManifestEntry:
    book: str                # BookKey.label: commune code/type/year/book no — no personal data
    doc_type: str
    commune_code: str
    district: str
    year: str
    book_no: str
    rows: int
    pdfs: int
    without_scans: int
    xlsx: str
    xlsx_size: int
    xlsx_sha256: str
    zip: str = ""
    zip_size: int = 0
    zip_sha256: str = ""
    exported_at: str = ""


@dataclass
class BacklogReport:
    written: list[ManifestEntry] = field(default_factory=list)   # books written by this run
    skipped: list[str] = field(default_factory=list)             # books already done before this run
    held_back: Counter[str] = field(default_factory=Counter)
    manifest: Path | None = None
    needs_scans: Path | None = None
    state: str = "store"                                         # "store" or "manifest"
    checks: list[str] = field(default_factory=list)

    def summary(self) -> str:
        rows = sum(e.rows for e in self.written)
        lines = [f"Đã xuất {len(self.written)} quyển ({rows} dòng), bỏ qua {len(self.skipped)} quyển đã xuất trước "
                 f"(wrote {len(self.written)} books, {rows} rows; skipped {len(self.skipped)} already done)."]
        if self.held_back:
            reasons = ", ".join(f"{r}: {n}" for r, n in sorted(self.held_back.items()))
            lines.append(f"Giữ lại (held back) {sum(self.held_back.values())}: {reasons}")
        without = [e for e in self.written if e.without_scans]
        if without:
            lines.append(f"{len(without)} quyển còn bản ghi chưa có ảnh quét, xem {NEEDS_SCANS_CSV} "
                         f"(books with registrations still to scan)")
        if self.manifest:
            lines.append(f"Danh mục bàn giao (hand-over manifest): {self.manifest}")
        return "\n".join(lines)


# ------------------------------------------------------------------------------------------ state

class ManifestState:
    """Book state kept only in the out folder's manifest and its journal (benchmarks, or a store without the
    table)."""

    kind = "manifest"

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self.entries: dict[str, ManifestEntry] = {}
        path = out_dir / MANIFEST_JSON
        if path.exists():
            data = json.loads(path.read_text(encoding="utf-8"))
            for raw in data.get("books", []):
                entry = ManifestEntry(**raw)
                self.entries[entry.book] = entry
        for entry in read_journal(out_dir):  # books finished by a run killed before it wrote the manifest
            self.entries[entry.book] = entry

    def is_done(self, label: str) -> bool:
        entry = self.entries.get(label)
        return entry is not None and (self.out_dir / entry.xlsx).exists()

    def started(self, book: BookKey, commune: str, store_book: str) -> None:
        pass

    def finished(self, entry: ManifestEntry, record_ids: list[str], commune: str, store_book: str,
                 versions: dict[int, int] | None = None) -> None:
        self.entries[entry.book] = entry
        append_journal(self.out_dir, entry)

    def flush(self) -> Path:
        """Write the manifest from every entry, then drop the journal it now holds."""
        path = write_manifest(self.out_dir, list(self.entries.values()))
        (self.out_dir / MANIFEST_JOURNAL).unlink(missing_ok=True)
        return path


class StoreState(ManifestState):
    """Book state in the store (`export_books`), mirrored to the manifest. The store wins. A finished book
    marks its records exported under the run that wrote it (store/exports.py)."""

    kind = "store"

    def __init__(self, store, out_dir: Path, *, run_id: int | None = None, who: str = "", communes=None):
        super().__init__(out_dir)
        self.store, self.run_id, self.who = store, run_id, who
        self.done = store.done_books()
        for row in store.done_book_rows():  # done in the store, but a kill came before the manifest was written
            if row["book_key"] not in self.entries and Path(row["out_dir"]).resolve() == out_dir.resolve():
                self.entries[row["book_key"]] = _entry_of_row(row, communes)

    def is_done(self, label: str) -> bool:
        return label in self.done or super().is_done(label)

    def started(self, book: BookKey, commune: str, store_book: str) -> None:
        self.store.book_started(book.label, doc_type=book.doc_type, commune=commune, book=store_book,
                                out_dir=str(self.out_dir))

    def finished(self, entry: ManifestEntry, record_ids: list[str], commune: str, store_book: str,
                 versions: dict[int, int] | None = None) -> None:
        values = {"rows": entry.rows, "pdfs": entry.pdfs, "without_scans": entry.without_scans,
                  "xlsx": entry.xlsx, "xlsx_size": entry.xlsx_size, "xlsx_sha256": entry.xlsx_sha256,
                  "zip": entry.zip, "zip_size": entry.zip_size, "zip_sha256": entry.zip_sha256}
        self.store.book_finished(entry.book, values, [int(i) for i in record_ids], run_id=self.run_id,
                                 who=self.who, versions=versions)
        self.done.add(entry.book)
        super().finished(entry, record_ids, commune, store_book)


def open_state(store, out_dir: Path, *, run_id: int | None = None, who: str = "", communes=None) -> ManifestState:
    return ManifestState(out_dir) if store is None else StoreState(store, out_dir, run_id=run_id, who=who,
                                                                   communes=communes)


def _entry_of_row(row: dict, communes=None) -> ManifestEntry:
    """A manifest entry rebuilt from the store's row of a finished book (its key is the BookKey label)."""
    commune_code, doc_type, year, book_no = (row["book_key"].split("/") + ["", "", "", ""])[:4]
    found = communes.find(commune_code) if communes is not None else None
    district = found.district if found is not None else ""
    finished = row["finished_at"]
    return ManifestEntry(book=row["book_key"], doc_type=doc_type, commune_code=commune_code, district=district,
                         year=year, book_no=book_no, rows=row["rows"], pdfs=row["pdfs"],
                         without_scans=row["without_scans"], xlsx=row["xlsx"], xlsx_size=row["xlsx_size"],
                         xlsx_sha256=row["xlsx_sha256"], zip=row["zip"], zip_size=row["zip_size"],
                         zip_sha256=row["zip_sha256"],
                         exported_at=finished.isoformat(timespec="seconds") if finished else "")


# ------------------------------------------------------------------------------------------ manifest

def write_manifest(out_dir: Path, entries: list[ManifestEntry]) -> Path:
    """manifest.json and manifest.csv (and the books-to-scan list), each written atomically."""
    entries = sorted(entries, key=lambda e: e.book)
    data = {"generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "books": [asdict(e) for e in entries],
            "totals": {"books": len(entries), "rows": sum(e.rows for e in entries),
                       "pdfs": sum(e.pdfs for e in entries), "without_scans": sum(e.without_scans for e in entries)}}
    write_bytes_atomic(out_dir / MANIFEST_JSON, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))
    names = list(ManifestEntry.__dataclass_fields__)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(names)
    for e in entries:
        writer.writerow([getattr(e, n) for n in names])
    write_bytes_atomic(out_dir / MANIFEST_CSV, buf.getvalue().encode("utf-8-sig"))  # BOM: Excel reads UTF-8
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["quyen (book)", "tep Excel (xlsx)", "so dong (rows)", "chua co anh quet (without scans)"])
    for e in entries:
        if e.without_scans:
            writer.writerow([e.book, e.xlsx, e.rows, e.without_scans])
    write_bytes_atomic(out_dir / NEEDS_SCANS_CSV, buf.getvalue().encode("utf-8-sig"))
    return out_dir / MANIFEST_JSON


def append_journal(out_dir: Path, entry: ManifestEntry) -> None:
    """One finished book as one JSON line at the end of the journal, flushed to disk before the next book:
    what a run killed before writing its manifest leaves for the next one (export_file crash point: before
    the line is written)."""
    path = out_dir / MANIFEST_JOURNAL
    line = json.dumps(asdict(entry), ensure_ascii=False) + "\n"
    maybe_crash("export_file")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE)
        try:
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise ExportError(describe_os_error(exc, path.name)) from exc


def read_journal(out_dir: Path) -> list[ManifestEntry]:
    """The journal's entries, in order. A line cut short by a kill mid-write (only the last can be) is
    skipped: its book is not recorded, so the next run writes it again."""
    path = out_dir / MANIFEST_JOURNAL
    if not path.exists():
        return []
    entries = []
    for line in path.read_bytes().splitlines():
        try:
            entries.append(ManifestEntry(**json.loads(line)))
        except (ValueError, TypeError):
            log.warning("%s: bỏ qua một dòng không trọn (skipped a torn line)", MANIFEST_JOURNAL)
    return entries


def _entry(b: BookExport) -> ManifestEntry:
    zip_path = b.zip
    return ManifestEntry(
        book=b.book.label, doc_type=b.book.doc_type, commune_code=b.book.commune_code, district=b.book.district,
        year=b.book.year, book_no=b.book.book_no, rows=b.rows, pdfs=len(b.pdfs), without_scans=b.without_scans,
        xlsx=b.xlsx.name, xlsx_size=b.xlsx.stat().st_size, xlsx_sha256=sha256_of(b.xlsx),
        zip=zip_path.name if zip_path else "", zip_size=zip_path.stat().st_size if zip_path else 0,
        zip_sha256=sha256_of(zip_path) if zip_path else "",
        exported_at=datetime.now(UTC).isoformat(timespec="seconds"))


# ------------------------------------------------------------------------------------------ the loop

@dataclass
class BookGroup:
    """One book's records, plus how the store names it (for the state row)."""
    book: BookKey
    records: Iterable[ExportRecord]
    commune: str = ""
    store_book: str = ""
    versions: dict[int, int] = field(default_factory=dict)  # record id -> version when read (set when written)


Progress = Callable[[str], None]


def _select(records: list[ExportRecord], options: ExportOptions, held: Counter[str]) -> list[ExportRecord]:
    """The export stage's hold rule, applied here so workers get plain data (a rule may be a closure)."""
    wanted = (r for r in records if options.book_filter is None or options.book_filter(r.book))
    return list(rules.select(wanted, options.rule, include_unreviewed=options.include_unreviewed,
                             held=lambda _record, reason: held.update([reason])))


def _plain(records: list[ExportRecord]) -> list[ExportRecord]:
    """The records as a writer process needs them: field values as plain text (the rule was applied here;
    the writer only reads the text), so a book crosses to the worker as strings, not one pickled FieldValue
    per field."""
    return [replace(r, fields={k: plain(v) for k, v in r.fields.items()}) for r in records]


def _write_book(records: list[ExportRecord], out_dir: Path, options: ExportOptions, naming: Naming
                ) -> ExportReport:
    """One book through the export stage's writer, then its re-read (in this process or a worker).

    The writer runs without its own verify: its openpyxl re-read cost more than the writing. Here every
    workbook is re-read whole as a package (CRC of every member, every XML part parsed to the end, sheet,
    header, data rows counted: export.verify.check_xlsx_package), PDFs by pdfinfo and the zip by its CRCs,
    before the loose PDFs are removed; LibreOffice re-reads a sample of the books in the parent."""
    report = export_books(records, out_dir, replace(options, verify=False, keep_pdfs=True), naming=naming,
                          sweep=False)  # run_backlog swept the folder once
    for book in report.books:
        if options.verify:
            from export.templates import load_btp_template
            from export.verify import XlsxCheck, check_pdf, check_xlsx_package, check_zip

            t = load_btp_template(book.book.doc_type)
            problems = check_xlsx_package(XlsxCheck(book.xlsx, t.sheet, t.header(), book.rows))
            problems += [p for name, pages in book.pdf_pages.items() for p in check_pdf(book.pdf_dir / name, pages)
                         ] if book.pdf_dir else []
            if book.zip:
                problems += check_zip(book.zip, book.pdfs)
            if problems:
                raise VerifyError("Kiểm tra lại tệp xuất thất bại (export re-read failed):\n  " + "\n  ".join(problems))
        if not options.keep_pdfs and book.pdf_dir:
            shutil.rmtree(book.pdf_dir, ignore_errors=True)
            book.pdf_dir = None
    return report


def _libreoffice_check(done: list[tuple[int, BookGroup, ExportReport, float]], jobs: int
                       ) -> dict[Path, list[str]]:
    from export.templates import load_btp_template
    from export.verify import XlsxCheck, libreoffice_problems

    checks = []
    for _, _, result, _ in done:
        for b in result.books:
            t = load_btp_template(b.book.doc_type)
            checks.append(XlsxCheck(b.xlsx, t.sheet, t.header(), b.rows))
    return libreoffice_problems(checks, jobs=jobs)


def run_backlog(groups: Iterable[BookGroup], out_dir: Path, state: ManifestState, *,
                options: ExportOptions | None = None, naming: Naming | None = None,
                total: int | None = None, progress: Progress | None = None, workers: int = 1) -> BacklogReport:
    """Write each book not done yet, recording it as done right after it is complete and re-read.

    `workers` > 1 writes that many books at once in worker processes (one per core: the writer and its
    re-read are CPU-bound); books are still recorded one by one, in order, by this process. Every workbook
    is re-read whole by its writer (export.verify.check_xlsx_package). With the LibreOffice re-read on,
    LibreOffice re-reads one book in `options.libreoffice_every` (the run's first, then every Nth, and the
    first book of each type: the frame of a type's workbooks is the same bytes in each, the rows are what
    differs and the package re-read parses them all) — ~50 ms of soffice per book, as much as writing and
    checking a 200-row book. Sampled books are re-read in batches of LO_BATCH_ROWS rows (one soffice start
    per batch, in the background while writing goes on) and only then recorded done: a book whose re-read
    fails, or that was still waiting for it at an interrupt, stays undone and is written again next run."""
    from export.verify import soffice_path

    options = options or ExportOptions()
    out_dir = Path(out_dir)
    private_dir(out_dir)
    sweep_temporaries(out_dir)
    naming = naming or load_naming()
    report = BacklogReport(state=state.kind)
    started = time.monotonic()
    rows_done = 0
    # the hold rule was applied by _select
    per_book = replace(options, libreoffice=False, include_unreviewed=True, book_filter=None, types=None,
                       rule=ExportOptions().rule)
    libreoffice = options.verify and options.libreoffice and soffice_path() is not None
    if options.verify and options.libreoffice and not libreoffice:
        report.checks.append("LibreOffice (soffice) không có: bỏ qua (not installed: skipped)")
    every = max(1, options.libreoffice_every)
    sampled: list[int] = [0]        # books written so far (LibreOffice takes the 1st, the (every+1)th, ...)
    types_read: set[str] = set()    # book types LibreOffice has re-read a book of
    unchecked: list[tuple[int, BookGroup, ExportReport, float]] = []  # written, waiting for LibreOffice
    checking: tuple[Future, list[tuple[int, BookGroup, ExportReport, float]]] | None = None  # being re-read
    lo_pool = ThreadPoolExecutor(1, thread_name_prefix="libreoffice") if libreoffice else None
    failed: list[str] = []

    def finish(i: int, group: BookGroup, result: ExportReport, t0: float) -> None:
        nonlocal rows_done
        report.held_back.update(result.held_back)
        for book in result.books:
            entry = _entry(book)
            try:
                state.finished(entry, list(book.record_ids), group.commune, group.store_book, group.versions)
            except Conflict as exc:  # a record was saved while its book was written: not done, written next run
                failed.append(exc.message)
                continue
            report.written.append(entry)
            rows_done += entry.rows
            if progress:
                elapsed = time.monotonic() - started
                eta = f", còn ~{(total - i) * elapsed / i:.0f} s (ETA)" if total else ""
                progress(f"[{i}/{total or '?'}] {group.book.label}: {entry.rows} dòng, {entry.pdfs} PDF, "
                         f"{time.monotonic() - t0:.1f} s; {rows_done / max(1e-6, elapsed):.0f} dòng/s (rows/s){eta}")

    def written(item: tuple[int, BookGroup, ExportReport, float]) -> None:
        i0, g0, res, t00 = item
        types = {b.book.doc_type for b in res.books}
        sampled[0] += 1
        if not libreoffice or not ((sampled[0] - 1) % every == 0 or not types <= types_read):
            finish(*item)  # re-read whole by the writer (check_xlsx_package); not in LibreOffice's sample
            return
        types_read.update(types)
        unchecked.append((i0, replace(g0, records=()), res, t00))  # the records are written: let them go
        if sum(b.rows for _, _, res, _ in unchecked for b in res.books) >= LO_BATCH_ROWS:
            re_read()

    def settle() -> None:
        """Wait for the LibreOffice batch under way; record its good books done."""
        nonlocal checking
        if checking is None:
            return
        future, batch = checking
        checking = None
        problems = future.result()
        for i0, g0, res, t00 in batch:
            found = [p for b in res.books for p in problems.get(b.xlsx, [])]
            if found:
                failed.extend(found)
            else:
                report.checks += [f"xlsx {b.xlsx.name}: LibreOffice ok" for b in res.books]
                finish(i0, g0, res, t00)

    def re_read(jobs: int = 1) -> None:
        """Hand the books written since the last batch to LibreOffice, in the background: one soffice
        re-reads while the writers go on (so even one writer keeps both cores busy)."""
        nonlocal checking
        settle()
        if unchecked:
            assert lo_pool is not None
            checking = (lo_pool.submit(_libreoffice_check, list(unchecked), jobs), list(unchecked))
            unchecked.clear()

    pool = None
    if workers > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        from common.lifetime import exit_with_parent

        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=exit_with_parent)
    pending: deque[tuple[int, BookGroup, Future, float]] = deque()
    completed = False
    try:
        for i, group in enumerate(groups, start=1):
            label = group.book.label
            if state.is_done(label):
                waiting = sum(1 for r in group.records if r.status != "exported")
                if waiting:
                    report.held_back[ALREADY_EXPORTED] += waiting
                report.skipped.append(label)
                if progress:
                    progress(f"[{i}/{total or '?'}] {label}: đã xuất trước đó, bỏ qua (already exported, skipped)")
                continue
            selected = _select([r for r in group.records if r.status != "exported"], options, report.held_back)
            if not selected:
                continue
            state.started(group.book, group.commune, group.store_book)
            group.versions = {int(r.record_id): r.version for r in selected if r.version is not None}
            t0 = time.monotonic()
            if pool is None:
                written((i, group, _write_book(selected, out_dir, per_book, naming), t0))
                continue
            pending.append((i, group, pool.submit(_write_book, _plain(selected), out_dir, per_book, naming), t0))
            while len(pending) >= 2 * workers:
                i0, g0, future, t00 = pending.popleft()
                written((i0, g0, future.result(), t00))
        while pending:
            i0, g0, future, t00 = pending.popleft()
            written((i0, g0, future.result(), t00))
        re_read(jobs=workers)  # the last batch: nothing else runs, every core converts
        settle()
        completed = True
    except BrokenProcessPool as exc:  # a writer was killed (OOM killer, kill -9): books done so far are kept
        raise ExportError("một tiến trình ghi quyển bị dừng đột ngột (thiếu bộ nhớ hoặc bị tắt); các quyển đã "
                          "xong được giữ nguyên, hãy chạy lại lệnh để tiếp tục (a book-writing process died "
                          "suddenly; finished books are kept: run the command again to continue)") from exc
    except BaseException:
        if not libreoffice:  # books already written and re-read by a worker are recorded, not redone
            for i0, g0, future, t00 in pending:
                with contextlib.suppress(BaseException):
                    finish(i0, g0, future.result(), t00)
        raise  # books not yet re-read by LibreOffice stay undone: the re-run writes them again
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        if lo_pool is not None:
            lo_pool.shutdown(wait=True, cancel_futures=True)
        if not completed and (out_dir / MANIFEST_JOURNAL).exists():
            with contextlib.suppress(Exception):  # stopped: the manifest lists what is done (if this fails
                state.flush()                     # too, the journal stays for the next run)
    if libreoffice:
        read = sum("LibreOffice ok" in c for c in report.checks)
        report.checks.append(f"LibreOffice đọc lại {read}/{len(report.written)} quyển (1 trên {every} và quyển "
                             f"đầu mỗi loại); mọi quyển được đọc lại toàn bộ gói xlsx (LibreOffice re-read {read} "
                             f"of {len(report.written)} books: 1 in {every} and each type's first; every book "
                             f"re-read whole as a package)")
    report.manifest = state.flush()
    report.needs_scans = out_dir / NEEDS_SCANS_CSV
    if failed:
        raise VerifyError("Một số quyển chưa xong (kiểm tra lại thất bại hoặc bản ghi bị sửa trong lúc xuất), sẽ được "
                          "ghi lại ở lần chạy sau (some books are not done — re-read failed or records changed while "
                          "exporting — they are written again next run):\n  " + "\n  ".join(failed))
    return report


def store_groups(store, communes, *, types: Iterable[str] | None = None, workspace: Path | None = None
                 ) -> Iterator[BookGroup]:
    """The store's hộ tịch records as one BookGroup per book (export.from_store does the reading)."""
    from export.from_store import book_records

    for book, records in groupby(book_records(store, communes, types=types, workspace=workspace),
                                 key=lambda r: r.book):
        yield BookGroup(book, list(records), book.commune_code, f"{book.year}.{book.book_no}")


def export_backlog(store, out_dir: Path, *, communes=None, types: Iterable[str] | None = None,
                   options: ExportOptions | None = None, workspace: Path | None = None,
                   progress: Progress | None = None, workers: int = 1, who: str = "",
                   max_books: int | None = None) -> BacklogReport:
    """Export every book of the store that is not done yet into `out_dir`; safe to re-run after an interrupt.
    The run is recorded in the store (who, when, options, files, and every record it let out). `max_books`
    stops after that many books (a trial run, a time-boxed benchmark); the next run goes on from there."""
    from common.actor import cli_actor
    from export.communes import load_communes

    communes = communes or load_communes(workspace)
    who = who or cli_actor()
    opts = options or ExportOptions()
    run_id = store.start_export_run(who, "export-backlog", {
        "out_dir": str(out_dir), "types": sorted(types or []), "include_unreviewed": opts.include_unreviewed,
        "libreoffice": opts.libreoffice, "workers": workers})
    state = open_state(store, Path(out_dir), run_id=run_id, who=who, communes=communes)
    files: list[str] = []
    try:
        report = _export_store_backlog(store, communes, types, state, out_dir, options, workspace, progress,
                                       workers, max_books)
        files = [f for e in report.written for f in (e.xlsx, e.zip) if f]
        return report
    finally:
        store.finish_export_run(run_id, files)


def _export_store_backlog(store, communes, types, state, out_dir, options, workspace, progress,
                          workers, max_books: int | None = None) -> BacklogReport:
    from itertools import islice

    from export.from_store import count_books

    total = count_books(store, types)
    groups = store_groups(store, communes, types=types, workspace=workspace)
    if max_books is not None:
        total, groups = min(total, max_books), islice(groups, max_books)
    return run_backlog(groups, Path(out_dir), state,
                       options=options, total=total, progress=progress, workers=workers)
