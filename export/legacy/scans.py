"""Which books still need their pages scanned: registrations in the store without any page image
(legacy imports, or records whose scans were lost). Counts only, no personal data."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select


@dataclass(frozen=True)
class BookNeedingScans:
    doc_type: str
    commune: str
    book: str
    records: int
    without_scans: int


def books_needing_scans(store) -> list[BookNeedingScans]:
    """Per (type, commune, book): how many registrations have no page linked, for books with at least one."""
    from common.doctypes import load_registry
    from store.schema import record_pages, records

    registry = load_registry()

    linked = select(record_pages.c.record_id).distinct().subquery()
    missing = func.sum(case((linked.c.record_id.is_(None), 1), else_=0))
    query = (select(records.c.doc_type, records.c.commune, records.c.book, func.count(records.c.id), missing)
             .outerjoin(linked, linked.c.record_id == records.c.id)
             .where(records.c.doc_type.in_(registry.names(family="civil_status")))
             .group_by(records.c.doc_type, records.c.commune, records.c.book)
             .having(missing > 0)
             .order_by(records.c.commune, records.c.doc_type, records.c.book))
    with store.engine.connect() as conn:
        return [BookNeedingScans(registry[t].code, c, b, int(n), int(m)) for t, c, b, n, m in conn.execute(query)]
