"""Which books still need their pages scanned: registrations in the store without any page image
(legacy imports, or records whose scans were lost). Counts only, no personal data."""
from __future__ import annotations

from dataclasses import dataclass

from common.doctypes import load_registry


@dataclass(frozen=True)
class BookNeedingScans:
    doc_type: str
    commune: str
    book: str
    records: int
    without_scans: int


def books_needing_scans(store) -> list[BookNeedingScans]:
    """Per (type code, commune, book) of civil-status books: how many registrations have no page linked."""
    registry = load_registry()
    return [BookNeedingScans(registry[b.doc_type].code, b.commune, b.book, b.records, b.without_scans)
            for b in store.books_needing_scans(registry.names(family="civil_status"))]
