"""Export hộ tịch books: per book the BTP Excel, one PDF per registration, one zip; then re-read all.

`export_books` takes plain ExportRecords (export/types.py), so the store, a legacy import or a benchmark
can feed it. Records must arrive grouped by book (the store orders by book); within a book the rows are
ordered by registration number and date unless `sort_rows=False` (then input order is kept and a huge
book streams without being held in memory).
"""
from __future__ import annotations

import logging
import os
import re
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from common.crashpoints import maybe_crash
from export import rules
from export.atomic import private_dir, staged_name, sweep_temporaries
from export.btp_excel import write_book_xlsx
from export.bundle import write_book_zip
from export.errors import ExportError, VerifyError, describe_os_error
from export.naming import Naming, load_naming, unique_name
from export.pdfs import PdfSettings, write_registration_pdf
from export.rules import ExportRule, reviewed_only
from export.templates import BtpTemplate, load_btp_template
from export.types import BookExport, BookKey, ExportRecord, ExportReport, plain
from export.verify import XlsxCheck, check_pdf, check_xlsx_openpyxl, check_zip, verify_exports

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExportOptions:
    include_unreviewed: bool = False
    rule: ExportRule = reviewed_only           # pluggable: which records may leave (None reason = export)
    book_filter: Callable[[BookKey], bool] | None = None
    types: frozenset[str] | None = None        # e.g. {"KS", "KT"}; None = all
    sort_rows: bool = True
    keep_pdfs: bool = False                    # keep the loose PDFs beside the zip
    verify: bool = True
    libreoffice: bool = True                   # include the LibreOffice re-read in `verify`
    # the backlog (`export --all`): LibreOffice re-reads one written book in this many, and the first of each
    # book type, while every book gets the whole-package re-read (export.verify.check_xlsx_package); 1 = all
    libreoffice_every: int = 10
    pdf: PdfSettings = PdfSettings()


def _row_order(record: ExportRecord) -> tuple:
    so = plain(record.fields.get("so"))
    m = re.match(r"\s*(\d+)", so)
    date = plain(record.fields.get("ngayDangKy"))
    d = re.fullmatch(r"(\d{2})\.(\d{2})\.(\d{4})", date)
    return (int(m[1]) if m else 10**9, (d[3], d[2], d[1]) if d else ("9999",), record.record_id)


def _selected(records: Iterable[ExportRecord], options: ExportOptions, report: ExportReport,
              ) -> Iterator[ExportRecord]:
    def held(record: ExportRecord, reason: str) -> None:
        report.held_back[reason] += 1
        report.held_back_ids.append(record.record_id)

    wanted = (r for r in records if (options.types is None or r.book.doc_type.upper() in options.types)
              and (options.book_filter is None or options.book_filter(r.book)))
    yield from rules.select(wanted, options.rule, include_unreviewed=options.include_unreviewed, held=held)


def _export_book(book: BookKey, records: Iterable[ExportRecord], out_dir: Path, template: BtpTemplate,
                 naming: Naming, options: ExportOptions) -> BookExport:
    stem = naming.book_stem(book)
    pdf_dir = out_dir / stem
    result = BookExport(book, out_dir / naming.xlsx_name(book), None)
    taken: set[str] = set()
    total_kb = 0.0
    total_pages = 0
    unknown_keys: set[str] = set()
    columns = set(template.columns)

    def rows() -> Iterator[dict]:
        nonlocal total_kb, total_pages
        for record in records:
            unknown_keys.update(k for k in record.fields if k not in columns)
            result.record_ids.append(record.record_id)
            if record.pages:
                name = unique_name(naming.pdf_name(book, record.fields), taken)
                pages = write_registration_pdf(pdf_dir / name, record.pages, options.pdf)
                result.pdfs.append(name)
                result.pdf_pages[name] = len(pages)
                total_kb += sum(p.kb_per_a4 for p in pages)
                total_pages += len(pages)
            else:
                result.without_scans += 1
            yield record.fields

    # The Excel goes under its final name only after the zip is complete: a book is all there or not.
    staged = staged_name(result.xlsx)
    try:
        result.rows = write_book_xlsx(staged, template, rows())
        if result.pdfs:
            result.zip = out_dir / naming.zip_name(book)
            write_book_zip(result.zip, [pdf_dir / n for n in result.pdfs])
        try:
            maybe_crash("export_publish")
            os.replace(staged, result.xlsx)
        except OSError as exc:
            raise ExportError(describe_os_error(exc, result.xlsx.name)) from exc
    except Exception:
        shutil.rmtree(pdf_dir, ignore_errors=True)  # no half-made book lying around
        raise
    finally:
        staged.unlink(missing_ok=True)
    if unknown_keys:
        log.warning("quyển %s: %d trường không có trong mẫu %s nên không xuất (field keys not in the template were "
                    "not exported): %s",
                    book.label, len(unknown_keys), template.doc_type, sorted(unknown_keys))
    result.kb_per_a4 = total_kb / total_pages if total_pages else 0.0
    if options.verify:
        problems = check_xlsx_openpyxl(XlsxCheck(result.xlsx, template.sheet, template.header(), result.rows))
        for name, pages in result.pdf_pages.items():
            problems += check_pdf(pdf_dir / name, pages)
        if result.zip:
            problems += check_zip(result.zip, result.pdfs)
        if problems:
            raise VerifyError("Kiểm tra lại tệp xuất thất bại (export re-read failed):\n  " + "\n  ".join(problems))
    if options.keep_pdfs and result.pdfs:
        result.pdf_dir = pdf_dir
    else:
        shutil.rmtree(pdf_dir, ignore_errors=True)
    return result


def export_books(records: Iterable[ExportRecord], out_dir: Path, options: ExportOptions = ExportOptions(),
                 *, naming: Naming | None = None, sweep: bool = True) -> ExportReport:
    """Write every book's Excel + zip into `out_dir`, re-read them, and say what was held back and why.

    Raises ExportError (clear message; no partial file under a final name) when writing fails, e.g. on a
    full disk; a re-run rewrites the books completely. `sweep=False`: the caller swept the folder's
    leftovers already (the backlog, once per run: sweeping per book lists the whole, growing folder)."""
    out_dir = Path(out_dir)
    private_dir(out_dir)
    if sweep:
        sweep_temporaries(out_dir)
    naming = naming or load_naming()
    report = ExportReport()
    done: set[BookKey] = set()
    for book, group in groupby(_selected(records, options, report), key=lambda r: r.book):
        if book in done:
            raise ExportError(f"bản ghi của quyển {book.label} không liền nhau: cần sắp theo quyển "
                              f"(records of book {book.label} are not grouped; order the input by book)")
        done.add(book)
        template = load_btp_template(book.doc_type)
        group_iter: Iterable[ExportRecord] = group
        if options.sort_rows:
            group_iter = sorted(group_iter, key=_row_order)
        report.books.append(_export_book(book, group_iter, out_dir, template, naming, options))
        log.info("đã xuất quyển %s: %d dòng, %d PDF (exported book: rows, PDFs)", book.label, report.books[-1].rows,
                 len(report.books[-1].pdfs))
    if options.verify and report.books:
        checks = []
        for b in report.books:
            t = load_btp_template(b.book.doc_type)
            checks.append(XlsxCheck(b.xlsx, t.sheet, t.header(), b.rows))
        # openpyxl, pdfinfo and CRC ran per book; this adds LibreOffice (one start for all workbooks)
        verified = verify_exports(checks, libreoffice=options.libreoffice, openpyxl=False)
        report.checks = verified.checked
        report.verified = True
    return report
