"""What the export stage consumes and returns: plain dataclasses, fed later by the store (glue step).

Export does not import the store, so it can be tested alone and run on records from anywhere
(the store, a legacy-Excel import, a benchmark generator).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from extract.types import FieldValue

Value = FieldValue | str | None


def plain(value: Value) -> str:
    """The text of a field whether it comes as a FieldValue (from extraction/the store) or a plain string."""
    if value is None:
        return ""
    if isinstance(value, FieldValue):
        return value.value or ""
    return str(value)


@dataclass(frozen=True)
class BookKey:
    """One hộ tịch book (quyển): everything its file names are built from.

    `district` and `province` are the Vietnamese names ("Cẩm Giàng", "Hải Dương"); the file-name initials
    are derived from them unless `district_initials`/`province_initials` are given explicitly."""
    doc_type: str          # KS | KT | KH | HN | CMC
    commune_code: str      # mã xã, e.g. "10894"
    district: str
    province: str
    year: str              # year the book was opened
    book_no: str           # quyển số, e.g. "01"
    district_initials: str = ""
    province_initials: str = ""

    @property
    def label(self) -> str:
        """For logs and reports: no personal data in it."""
        return f"{self.commune_code}/{self.doc_type}/{self.year}/{self.book_no}"


@dataclass
class ExportRecord:
    """One registration of a book: its template fields and its archival colour page images in order."""
    record_id: str
    book: BookKey
    fields: dict[str, Value] = field(default_factory=dict)
    pages: list[Path] = field(default_factory=list)
    status: str = ""       # record status in the store (e.g. "approved"); used by pluggable export rules
    version: int | None = None  # the store's record version when read: marking it exported checks it


@dataclass
class LandOwner:
    """One owner (chủ sử dụng) of a parcel, with the fields of their matching ID card when one was found.

    `fields`: hoTen, namSinh, loaiGiayTo (CMND/CCCD), soGiayTo, diaChi (extract's GCN owner keys).
    `card`: soDinhDanh, hoTen, ngaySinh, gioiTinh, queQuan, noiThuongTru (extract's card keys).
    `owner_ref`: a stable reference the police reconciliation reply is merged back by."""
    fields: dict[str, Value] = field(default_factory=dict)
    card: dict[str, Value] | None = None
    owner_ref: str = ""


@dataclass
class LandRecord:
    """One land-use certificate (GCN) and its owners."""
    record_id: str
    fields: dict[str, Value] = field(default_factory=dict)
    owners: list[LandOwner] = field(default_factory=list)
    commune_code: str = ""
    status: str = ""
    version: int | None = None  # the store's version when read: marked exported only if still the same


@dataclass
class BookExport:
    """What was written for one book."""
    book: BookKey
    xlsx: Path
    zip: Path | None
    pdfs: list[str] = field(default_factory=list)              # PDF file names, as in the zip
    pdf_pages: dict[str, int] = field(default_factory=dict)   # pdf file name -> page count
    pdf_dir: Path | None = None   # the loose PDFs, when kept (keep_pdfs); else only inside the zip
    kb_per_a4: float = 0.0        # mean PDF size per A4 page, kB
    rows: int = 0
    record_ids: list[str] = field(default_factory=list)       # in row order
    without_scans: int = 0   # records exported to Excel that have no page images (e.g. legacy imports)


@dataclass
class ExportReport:
    """The result of one export run. `held_back` counts records NOT exported, by reason."""
    books: list[BookExport] = field(default_factory=list)
    held_back: Counter[str] = field(default_factory=Counter)
    held_back_ids: list[str] = field(default_factory=list)
    verified: bool = False
    checks: list[str] = field(default_factory=list)          # what the re-read checked

    @property
    def exported(self) -> int:
        return sum(b.rows for b in self.books)

    def summary(self) -> str:
        """Plain Vietnamese with English gloss, for the CLI and logs (counts only, no personal data)."""
        lines = [f"Đã xuất {self.exported} bản ghi trong {len(self.books)} quyển "
                 f"(exported {self.exported} records in {len(self.books)} books)."]
        if self.held_back:
            total = sum(self.held_back.values())
            reasons = ", ".join(f"{reason}: {n}" for reason, n in sorted(self.held_back.items()))
            lines.append(f"Giữ lại {total} bản ghi chưa duyệt (held back {total}): {reasons}")
        for b in self.books:
            lines.append(f"  {b.book.label}: {b.rows} dòng, {len(b.pdfs)} PDF -> {b.xlsx.name}"
                         + (f", {b.zip.name}" if b.zip else "")
                         + (f"; {b.without_scans} chưa có ảnh quét (no scans)" if b.without_scans else ""))
        return "\n".join(lines)
