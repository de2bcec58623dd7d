"""`sohoa import-legacy`: a legacy (MISA-style) Excel export -> records in the store, source "legacy".

The records then follow the same path as scanned ones (review, approval, export). They have no page
images: the export counts them per book as "without scans", and `books_needing_scans` lists the books
whose pages still have to be scanned.

Store shape: one `files` row per imported book (content hash = workbook hash + type + book, so importing
the same workbook twice adds nothing), state `done`, no pages; one record per registration, its fields
with source "legacy". Problems are collected, never raised, except when no sheet fits at all.
"""
from __future__ import annotations

import hashlib
import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from common.doctypes import load_registry
from common.files import sha256_of
from export.communes import Commune, CommuneTable, load_communes
from export.legacy.mapping import ColumnMatch, load_mapping
from export.legacy.normalise import FieldRules, cell_to_text, cross_check, rules_for, to_field
from export.legacy.problems import LegacyImportError, Problem
from export.legacy.reading import Grid, SheetRow, choose_sheet, column_letter, data_rows, text_of
from export.templates import load_btp_template
from extract.types import FieldValue, Record

log = logging.getLogger(__name__)



@dataclass
class LegacyRecord:
    """One registration as read: its first sheet row, fields, and the rows it was read from."""
    row: int
    fields: dict[str, FieldValue]
    rows: list[int]


@dataclass
class ImportedBook:
    label: str                  # store `book`: "<year>.<book no>", e.g. "2016.01"
    year: str
    book_no: str
    commune: str
    rows: int
    file_id: int | None = None
    record_ids: list[int] = field(default_factory=list)
    skipped: bool = False       # already imported from this same workbook
    imported: bool = False      # written to the store by this run (False in a dry run)


@dataclass
class LegacyImport:
    path: Path
    doc_type: str
    sheet: str
    header_rows: tuple[int, ...]
    columns: list[ColumnMatch]
    problems: list[Problem]
    records: list[LegacyRecord]
    books: list[ImportedBook] = field(default_factory=list)
    commune: Commune | None = None

    @property
    def unmapped(self) -> list[ColumnMatch]:
        return [c for c in self.columns if c.how in ("unmapped", "duplicate")]

    def count(self, severity: str) -> int:
        return sum(1 for p in self.problems if p.severity == severity)

    def summary(self) -> str:
        """Counts only (no personal data), for the CLI and logs."""
        lines = [f"Đọc {len(self.records)} bản ghi {self.doc_type} từ trang '{self.sheet}' của {self.path.name} "
                 f"(read {len(self.records)} records)."]
        for b in self.books:
            state = ("đã nhập trước đó, bỏ qua (already imported)" if b.skipped else "đã nhập (imported)"
                     if b.imported else "sẽ được nhập, chưa ghi gì (would be imported; nothing written)")
            lines.append(f"  quyển {b.label} xã {b.commune}: {b.rows} bản ghi, {state}")
        if self.unmapped:
            cols = ", ".join(f"{column_letter(c.column)} «{' '.join(c.header.split())}»" for c in self.unmapped)
            lines.append(f"Cột không ánh xạ được (unmapped columns): {cols}")
        lines.append(f"Vấn đề (problems): {self.count('error')} lỗi (errors), {self.count('warning')} cảnh báo "
                     f"(warnings), {self.count('info')} ghi chú (notes).")
        return "\n".join(lines)


def _column_problems(columns: list[ColumnMatch], sheet: str, header_row: int) -> list[Problem]:
    out = []
    for c in columns:
        where = {"row": header_row, "column": column_letter(c.column), "header": " ".join(c.header.split()),
                 "sheet": sheet}
        if c.how == "guess":
            out.append(Problem("info", f"đoán là cột {c.key} (độ giống {c.score:.0f}/100), hãy kiểm tra "
                                       f"(guessed as {c.key}, similarity {c.score:.0f}; please confirm)",
                               key=c.key or "", **where))
        elif c.how == "unmapped":
            out.append(Problem("warning", "không ánh xạ được vào mẫu BTP, cột này không được nhập; thêm tên cột "
                                          "vào tệp ánh xạ nếu cần (unmapped: not imported; add the header to "
                                          "the mapping file if it is needed)", **where))
        elif c.how == "duplicate":
            out.append(Problem("warning", "trùng với một cột đã ánh xạ, bỏ qua (maps to a key another column "
                                          "already has: skipped)", **where))
    return out


class _Reader:
    """Turns sheet rows into LegacyRecords, joining continuation rows and noting merges and blanks."""

    def __init__(self, grid: Grid, by_column: dict[int, str], headers: dict[int, str], rules: FieldRules,
                 doc_type: str):
        self.grid, self.by_column, self.headers, self.rules = grid, by_column, headers, rules
        self.doc_type = doc_type
        self.problems: list[Problem] = []
        self.identity = {c for c, k in by_column.items() if k in ("so", rules.main_person)}
        self.noted_ranges: set[str] = set()

    def where(self, row: int, col: int) -> dict:
        key = self.by_column.get(col, "")
        return {"row": row, "column": column_letter(col), "header": " ".join(self.headers.get(col, "").split()),
                "key": key, "sheet": self.grid.name}

    def read(self, rows: list[SheetRow]) -> list[LegacyRecord]:
        raw: list[tuple[int, dict[str, list[tuple[object, int, int]]]]] = []
        for sheet_row in rows:
            own = {c: v for c, v in sheet_row.own().items() if c in self.by_column}
            if not own:
                if not sheet_row.own():
                    self.problems.append(Problem("info", "dòng trống, bỏ qua (blank row skipped)",
                                                 row=sheet_row.row, sheet=self.grid.name))
                else:
                    self.problems.append(Problem("warning", "dòng chỉ có cột không ánh xạ, bỏ qua "
                                                            "(row holds only unmapped columns: skipped)",
                                                 row=sheet_row.row, sheet=self.grid.name))
                continue
            values: dict[str, list[tuple[object, int, int]]] = {}
            for col, value in sheet_row.values.items():
                key = self.by_column.get(col)
                if key is None:
                    continue
                if col in sheet_row.copied:
                    coord = self.grid.copies[(sheet_row.row, col)]
                    if not self._vertical(coord):
                        self.problems.append(Problem("warning", f"ô gộp ngang {coord}: giá trị chỉ thuộc cột đầu, "
                                                                f"bỏ qua ở cột này (merged across columns: value "
                                                                f"kept in the first column only)",
                                                     **self.where(sheet_row.row, col)))
                        continue
                    if coord not in self.noted_ranges:
                        self.noted_ranges.add(coord)
                        self.problems.append(Problem("info", f"ô gộp {coord} được chép xuống từng dòng "
                                                             f"(merged cell {coord} copied to each of its rows)",
                                                     **self.where(sheet_row.row, col)))
                values[key] = [(value, sheet_row.row, col)]
            continues = bool(raw and self.identity) and not any(c in own for c in self.identity)
            if continues:
                prev_row, prev = raw[-1]
                for col, value in own.items():
                    prev.setdefault(self.by_column[col], []).append((value, sheet_row.row, col))
                self.problems.append(Problem("warning", f"dòng không có số đăng ký/họ tên: coi là phần tiếp theo "
                                                        f"của bản ghi ở dòng {prev_row}, đã nối giá trị "
                                                        f"(no registration number or name: joined to the record "
                                                        f"of row {prev_row})", row=sheet_row.row, sheet=self.grid.name))
                continue
            raw.append((sheet_row.row, values))
        return [self._record(row, values) for row, values in raw]

    def _vertical(self, coord: str) -> bool:
        return any(c == coord for c, *_ in self.grid.vertical_merges)

    def _record(self, first_row: int, values: dict[str, list[tuple[object, int, int]]]) -> LegacyRecord:
        fields: dict[str, FieldValue] = {}
        rows = {first_row}
        cells: dict[str, tuple[int, int]] = {}
        for key, parts in values.items():
            rule = self.rules.rule(key)
            texts = []
            for value, row, col in parts:
                text, problems = cell_to_text(key, value, rule, self.where(row, col))
                self.problems += problems
                texts.append(text)
                rows.add(row)
            raw_text = " ".join(t for t in texts if t)
            if not raw_text:
                continue
            fv = to_field(key, raw_text, rule)
            cells[key] = (parts[0][1], parts[0][2])
            fields[key] = fv
            if fv.status != "accepted":
                self.problems.append(Problem("error" if fv.status == "invalid" else "warning",
                                             f"{fv.reason or 'cần kiểm tra (needs review)'} — giá trị đọc được "
                                             f"(value read) «{text_of(raw_text)[:40]}»", **self.where(*cells[key])))
        for key, message in cross_check(fields, self.rules, self.doc_type):
            self.problems.append(Problem("error", message, **self.where(*cells[key])))
        return LegacyRecord(first_row, fields, sorted(rows))


def _book_of(record: LegacyRecord) -> tuple[str, str]:
    """(book no, year) from quyenSo ('01', '01/2016') and the registration date."""
    quyen = record.fields.get("quyenSo")
    text = quyen.value if quyen else ""
    m = re.fullmatch(r"0*(\d+)\s*/\s*(\d{4})", text)
    if m:
        return f"{int(m[1]):02d}", m[2]
    book_no = f"{int(text):02d}" if text.isdigit() else (text or "00")
    date = record.fields.get("ngayDangKy")
    year = date.value[-4:] if date and re.search(r"\d{4}$", date.value) else ""
    return book_no, year


def _commune_of(table: CommuneTable, grid: Grid, layout_first: int, records: list[LegacyRecord],
                given: str | None) -> Commune | None:
    if given:
        return table.resolve(given)
    for rec in records[:50]:
        place = rec.fields.get("noiDangKy")
        if place and (found := table.find_in_text(place.value)):
            return found
    for row in grid.rows[: max(0, layout_first - 1)]:  # title rows: "UBND xã Cẩm Hưng — huyện Cẩm Giàng"
        for value in row:
            if text_of(value) and (found := table.find_in_text(text_of(value))):
                return found
    return None


def read_legacy(path: Path, doc_type: str, mapping_path: Path | None = None, *, sheet: str | None = None,
                commune: str | None = None, communes: CommuneTable | None = None) -> LegacyImport:
    """Read and normalise the workbook without touching the store (also what `--dry-run` shows)."""
    doc_type = doc_type.upper()
    importable = [t.code for t in load_registry() if t.type.legacy]
    if doc_type not in importable:
        raise LegacyImportError(f"loại sổ {doc_type} chưa hỗ trợ, chọn {', '.join(importable)} "
                                f"(book type not supported; choose {', '.join(importable)})")
    path = Path(path)
    mapping = load_mapping(mapping_path, doc_type)
    template = load_btp_template(doc_type)
    keys = [k for k in template.columns if k != "STT"]
    rules = rules_for(doc_type)
    grid, layout, problems = choose_sheet(path, mapping, keys, rules.labels, sheet)
    problems += _column_problems(layout.matches, grid.name, layout.header_rows[0])
    headers = {m.column: m.header for m in layout.matches}
    reader = _Reader(grid, layout.by_column, headers, rules, doc_type)
    records = reader.read(list(data_rows(grid, layout)))
    problems += reader.problems
    if not records:
        problems.append(Problem("error", "không có dòng dữ liệu nào (no data rows)", sheet=grid.name))
    table = communes or load_communes()
    found = _commune_of(table, grid, layout.header_rows[0], records, commune)
    if found is None:
        problems.append(Problem("warning", "không xác định được xã; dùng --commune (commune not found; "
                                           "use --commune)", sheet=grid.name))
    result = LegacyImport(path, doc_type, grid.name, layout.header_rows, layout.matches, problems, records,
                          commune=found)
    groups: dict[tuple[str, str], list[LegacyRecord]] = defaultdict(list)
    for rec in records:
        if "quyenSo" not in rec.fields:
            problems.append(Problem("warning", "thiếu quyển số: xếp vào quyển 00 (book number missing: put in "
                                               "book 00)", row=rec.row, sheet=grid.name))
        groups[_book_of(rec)[0]].append(rec)
    for book_no, recs in groups.items():
        explicit = {y for r in recs if (y := _book_of(r)[1])}
        year = min(explicit) if explicit else "0000"
        result.books.append(ImportedBook(f"{year}.{book_no}", year, book_no, found.name if found else "", len(recs)))
    return result


def import_legacy(store, path: Path, doc_type: str, mapping_path: Path | None = None, *, sheet: str | None = None,
                  commune: str | None = None, communes: CommuneTable | None = None) -> LegacyImport:
    """Read, normalise, validate and store. Re-importing the same workbook adds nothing (books skipped)."""
    result = read_legacy(path, doc_type, mapping_path, sheet=sheet, commune=commune, communes=communes)
    sha = sha256_of(result.path)
    by_book: dict[str, list[LegacyRecord]] = defaultdict(list)
    for rec in result.records:
        book_no, _ = _book_of(rec)
        by_book[book_no].append(rec)
    for book in result.books:
        content_hash = hashlib.sha256(f"legacy|{sha}|{result.doc_type}|{book.label}".encode()).hexdigest()
        existing = store.first_copy(content_hash)
        if existing is not None:
            book.skipped, book.file_id = True, existing.id
            continue
        row = store.add_file(content_hash=content_hash, size=result.path.stat().st_size,
                             origin_path=str(result.path.resolve()),
                             rel_path=f"legacy/{result.path.name}#{result.doc_type}/{book.label}",
                             kind_hint=result.doc_type, commune=book.commune, book=book.label,
                             reason="nhập từ Excel cũ (legacy import)")
        recs = [Record(doc_type=result.doc_type.lower(), doc_confidence=1.0, fields=r.fields, pages=[])
                for r in by_book[book.book_no]]
        book.file_id = row.id
        book.record_ids = store.commit_file_results(row.id, [], recs)
        book.imported = True
        log.info("nhập Excel cũ: quyển %s, %d bản ghi, tệp id %d (legacy import: book, records, file id)", book.label,
                 len(recs), row.id)
    return result
