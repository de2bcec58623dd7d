"""Counts for `sohoa status`, the progress report and the scans still missing: aggregates, no personal data."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select

from common.states import FileState, ReviewAction
from store.engine import StoreBase, aware
from store.schema import decisions, fields, files, pages, record_pages, records


@dataclass(frozen=True)
class BookScans:
    doc_type: str          # the stored doc_type (registry name)
    commune: str
    book: str
    records: int
    without_scans: int


@dataclass(frozen=True)
class ReportEvents:
    """What the progress report counts, as (commune label, UTC time[, n]) events; the report buckets them
    into local days. Times are UTC-aware."""
    received: list[tuple[str, datetime]]
    pages: list[tuple[str, datetime, int]]
    quarantined: list[tuple[str, datetime, str]]
    records: list[tuple[int, str, datetime, str, datetime]]     # id, commune, created, status, updated
    first_submitted: list[tuple[int, datetime]]
    first_approved: list[tuple[int, datetime]]
    nine_digit_ids: list[tuple[int, int | None, str, str]]      # record, owner, key, value (9 chars)


class ReportQueries(StoreBase):
    def count_files_by_state(self) -> dict[str, int]:
        with self._read() as conn:
            rows = conn.execute(select(files.c.state, func.count()).group_by(files.c.state)).all()
        return {state: n for state, n in rows}

    def count_files_by_book(self) -> list[tuple[str, str, str, int]]:
        """(commune, book, state, count) for every commune/book seen."""
        with self._read() as conn:
            rows = conn.execute(select(files.c.commune, files.c.book, files.c.state, func.count())
                                .group_by(files.c.commune, files.c.book, files.c.state)
                                .order_by(files.c.commune, files.c.book, files.c.state)).all()
        return [tuple(r) for r in rows]

    def quarantine_reasons(self) -> list[tuple[str, str, int]]:
        """(code, reason, count) of quarantined files, most frequent first."""
        with self._read() as conn:
            n = func.count().label("n")
            rows = conn.execute(select(files.c.reason_code, files.c.reason, n)
                                .where(files.c.state == "quarantined")
                                .group_by(files.c.reason_code, files.c.reason).order_by(n.desc())).all()
        return [tuple(r) for r in rows]

    def count_records_by_status(self) -> dict[str, int]:
        with self._read() as conn:
            rows = conn.execute(select(records.c.status, func.count()).group_by(records.c.status)).all()
        return {status: n for status, n in rows}


    def books_needing_scans(self, doc_types: list[str]) -> list[BookScans]:
        """Per (type, commune, book) of these doc types: registrations with no page linked (legacy imports,
        lost scans), for books with at least one."""
        linked = select(record_pages.c.record_id).distinct().subquery()
        missing = func.sum(case((linked.c.record_id.is_(None), 1), else_=0))
        query = (select(records.c.doc_type, records.c.commune, records.c.book, func.count(records.c.id), missing)
                 .outerjoin(linked, linked.c.record_id == records.c.id)
                 .where(records.c.doc_type.in_(doc_types))
                 .group_by(records.c.doc_type, records.c.commune, records.c.book)
                 .having(missing > 0)
                 .order_by(records.c.commune, records.c.doc_type, records.c.book))
        with self._read() as conn:
            return [BookScans(t, c, b, int(n), int(m)) for t, c, b, n, m in conn.execute(query)]

    def report_events(self) -> ReportEvents:
        """Everything the progress report counts, read in one snapshot."""
        with self._read() as conn:
            received = [(c, aware(t)) for c, t in conn.execute(
                select(files.c.commune, files.c.received_at).where(files.c.duplicate_of.is_(None)))]
            page_counts = [(c, aware(t), int(n)) for c, t, n in conn.execute(
                select(files.c.commune, files.c.finished_at, func.count(pages.c.id))
                .join(pages, pages.c.file_id == files.c.id).where(files.c.state == FileState.DONE)
                .group_by(files.c.id, files.c.commune, files.c.finished_at))]
            quarantined = [(c, aware(t), r or "") for c, t, r in conn.execute(
                select(files.c.commune, files.c.finished_at, files.c.reason_code)
                .where(files.c.state == FileState.QUARANTINED))]
            rows = [(i, c, aware(cr), s, aware(up)) for i, c, cr, s, up in conn.execute(
                select(records.c.id, records.c.commune, records.c.created_at, records.c.status,
                       records.c.updated_at))]
            firsts = {}
            for action in (ReviewAction.SUBMITTED, ReviewAction.APPROVED):
                firsts[action] = [(rid, aware(t)) for rid, t in conn.execute(
                    select(decisions.c.record_id, func.min(decisions.c.at))
                    .where(decisions.c.action == action).group_by(decisions.c.record_id))]
            id_keys = or_(*(fields.c.key.ilike(f"%{word}%") for word in ("giayto", "cmnd", "dinhdanh", "cccd")))
            nine = [tuple(r) for r in conn.execute(  # narrowed in SQL: the fields table is the biggest
                select(fields.c.record_id, fields.c.owner_index, fields.c.key, fields.c.value)
                .where(and_(func.length(fields.c.value) == 9, id_keys)))]
        return ReportEvents(received, page_counts, quarantined, rows, firsts[ReviewAction.SUBMITTED],
                            firsts[ReviewAction.APPROVED], nine)
