"""Glue: read the store's records as export dataclasses (ExportRecord, LandRecord), grouped by book.

The store knows a record's commune and book as the operator named the inbox folders
(`inbox/<loại>/<xã>/<quyển>/`). The commune table (export/communes.py) turns the commune label into its code,
district and province; the book folder name gives the year and book number ("2010-01", "Q01_2010",
"quyen 1 nam 2010"), and where it does not, the records themselves do (most common `quyenSo`, earliest
registration year).
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from common.doctypes import load_registry
from export.communes import CommuneTable
from export.land import attach_cards
from export.templates import btp_types
from export.types import BookKey, ExportRecord, LandOwner, LandRecord, plain


def parse_book_label(label: str) -> tuple[str, str]:
    """(year, book no) from a book folder name; "" for a part it does not hold."""
    numbers = re.findall(r"\d+", label or "")
    years = [n for n in numbers if len(n) == 4 and 1900 <= int(n) <= 2100]
    year = years[0] if years else ""
    rest = [n for n in numbers if n != year and len(n) <= 3]
    return year, (rest[0] if rest else "")


def _book_key(doc_type: str, commune_label: str, book_label: str, records: list[ExportRecord],
              communes: CommuneTable) -> BookKey:
    commune = communes.resolve(commune_label)
    year, book_no = parse_book_label(book_label)
    if not book_no:
        numbers = Counter(plain(r.fields.get("quyenSo")).split("/")[0].strip() for r in records)
        numbers.pop("", None)
        book_no = numbers.most_common(1)[0][0] if numbers else "00"
    if not year:
        years = sorted(m[0] for r in records if (m := re.search(r"\d{4}$", plain(r.fields.get("ngayDangKy")))))
        year = years[0] if years else "0000"
    return BookKey(doc_type.upper(), commune.code, commune.district, commune.province, year, book_no)


def _page_path(path: str, root: Path | None) -> Path:
    p = Path(path)
    return p if p.is_absolute() or root is None else root / p


def book_records(store, communes: CommuneTable, *, types: Iterable[str] | None = None,
                 workspace: Path | None = None) -> Iterator[ExportRecord]:
    """Every hộ tịch record, grouped by (type, commune, book), as export_books wants them. Read one book at a
    time (the store's record_books / load_book_export): memory holds one book, whatever the size of the backlog."""
    registry = load_registry()
    known = btp_types()
    wanted = {t.upper() for t in (types or known)} & set(known)
    code_of = {t.name: t.code for t in registry if t.export.exporter == "btp"}
    names = [name for name, code in code_of.items() if code in wanted]
    books = sorted(store.record_books(names), key=lambda b: (code_of[b[0]], b[1], b[2], b[0]))
    for doc_type, commune, book, _n in books:
        records = []
        for stored in store.load_book_export(doc_type, commune, book):
            pages = [_page_path(p, workspace) for p in stored.page_paths if p]
            # status and version from the same read as the fields: what is written is what is marked
            records.append(ExportRecord(str(stored.id), BookKey("", "", "", "", "", ""), stored.fields, pages,
                                        stored.status, stored.version))
        key = _book_key(code_of[doc_type], commune, book, records, communes)
        for record in records:
            record.book = key
            yield record


def count_books(store, types: Iterable[str] | None = None) -> int:
    """How many (type, commune, book) groups book_records will yield (the progress line's total)."""
    registry = load_registry()
    wanted = {t.upper() for t in (types or btp_types())}
    code_of = {t.name: t.code for t in registry if t.export.exporter == "btp"}
    names = [name for name, code in code_of.items() if code in wanted]
    return len({(code_of[t], c, b) for t, c, b, _ in store.record_books(names)})


def land_records(store, communes: CommuneTable, commune: str | None = None) -> dict[str, list[LandRecord]]:
    """GCN records per commune code, each owner given its captured ID card when the numbers match."""
    registry = load_registry()
    card_types = set(registry.names(family="card"))  # every card side: the QR code may be on either
    land = set(registry.names(family="land"))
    by_commune: dict[str, list[LandRecord]] = {}
    cards = []
    for row in store.record_rows(commune=commune):
        if row.doc_type in card_types:
            cards.append(dict(store.load_record(row.id).record.fields))
        elif row.doc_type in land:
            stored = store.load_record(row.id)
            code = communes.resolve(row.commune).code
            owners = [LandOwner(dict(p.fields), owner_ref=f"{row.id}/{i}") for i, p in enumerate(stored.record.owners)]
            by_commune.setdefault(code, []).append(
                LandRecord(str(row.id), dict(stored.record.fields), owners, code, stored.row.status,
                           stored.row.version))
    for records in by_commune.values():
        attach_cards(records, cards)
    return by_commune
