"""Counts for `sohoa status`, the progress report and the scans still missing: aggregates, no personal data."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sqlalchemy import and_, case, func, or_, select

from common.states import FileState, RecordStatus
from store.engine import StoreBase
from store.schema import NINE_CHARS, fields, files, pages, record_pages, records


@dataclass(frozen=True)
class BookScans:
    doc_type: str          # the stored doc_type (registry name)
    commune: str
    book: str
    records: int
    without_scans: int


BEFORE = date.min  # the day of the counts that lie before the window asked for (cumulative totals)


@dataclass(frozen=True)
class ReportCounts:
    """What the progress report counts, already added up per commune (as the store names it) and local day
    by the database, for the days from `since` on; extracted, approved and exported also carry one row per
    commune dated BEFORE with everything before `since` (the report's cumulative totals). A backlog of
    millions of records comes back as a few thousand rows."""
    received: list[tuple[str, date, int]]               # files (first copies) received
    pages: list[tuple[str, date, int]]                  # pages of files finished (done)
    quarantined: list[tuple[str, date, str, int]]       # files quarantined, by reason code
    extracted: list[tuple[str, date, int]]              # records created
    exported: list[tuple[str, date, int]]               # records now exported, by their last change
    reviewed: list[tuple[str, date, int]]               # records by the day of their first submission
    approved: list[tuple[str, date, int]]               # records by the day of their first approval
    nine_digit_ids: list[tuple[str, int, int | None, str, str]]  # commune, record, owner, key, value (9 chars)


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

    def count_fields(self) -> int:
        with self._read() as conn:
            return int(conn.execute(select(func.count()).select_from(fields)).scalar())

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

    def report_counts(self, zone: tzinfo, since: date) -> ReportCounts:
        """Everything the progress report counts, grouped per commune and local day in SQL, in one snapshot:
        the days from `since` on by index ranges, what lies before in one pass over the records (totals
        minus the window). Local days: PostgreSQL converts with the zone's name (daylight saving included);
        SQLite, which has no time zones, adds the zone's present UTC offset (exact for Vietnam: no DST)."""
        day = self._local_day(zone)
        start = datetime.combine(since, time(0), tzinfo=zone).astimezone(UTC)
        n = func.count()
        with self._read() as conn:
            # grouped by the day first: SQLite would otherwise read a commune-first index in full to save the
            # sort of the GROUP BY (~6 times slower) instead of the time range of the (time, commune) index
            def grouped(commune, ts, *where, extra=()):
                d = day(ts).label("d")
                query = select(commune, d, *extra, n).where(ts >= start, *where).group_by(d, commune, *extra)
                return [(c, _as_date(v), *rest[:-1], int(rest[-1])) for c, v, *rest in conn.execute(query)]

            received = grouped(files.c.commune, files.c.received_at, files.c.duplicate_of.is_(None))
            d = day(files.c.finished_at).label("d")
            per_file = (select(func.count()).where(pages.c.file_id == files.c.id)  # a probe of (file_id, index)
                        .scalar_subquery())
            page_counts = [(c, _as_date(v), int(k)) for c, v, k in conn.execute(
                select(files.c.commune, d, func.sum(per_file))
                .where(files.c.finished_at >= start, files.c.state == FileState.DONE).group_by(d, files.c.commune))
                if k]
            quarantined = grouped(files.c.commune, files.c.finished_at, files.c.state == FileState.QUARANTINED,
                                  extra=(files.c.reason_code,))
            extracted = grouped(records.c.commune, records.c.created_at)
            reviewed = grouped(records.c.commune, records.c.first_submitted_at)
            approved = grouped(records.c.commune, records.c.first_approved_at)
            exported = grouped(records.c.commune, records.c.updated_at, records.c.status == RecordStatus.EXPORTED)
            is_exported = case((records.c.status == RecordStatus.EXPORTED, 1), else_=0)
            totals = conn.execute(select(records.c.commune, func.count(), func.count(records.c.first_approved_at),
                                         func.sum(is_exported)).group_by(records.c.commune)).all()
            id_keys = or_(*(fields.c.key.ilike(f"%{word}%") for word in ("giayto", "cmnd", "dinhdanh", "cccd")))
            nine = [tuple(r) for r in conn.execute(  # a partial index holds the few values nine characters long
                select(records.c.commune, fields.c.record_id, fields.c.owner_index, fields.c.key, fields.c.value)
                .join(records, records.c.id == fields.c.record_id)
                .where(and_(NINE_CHARS, id_keys)))]
        for rows, position in ((extracted, 1), (approved, 2), (exported, 3)):
            in_window: dict[str, int] = {}
            for commune, _day, k in rows:
                in_window[commune] = in_window.get(commune, 0) + k
            rows += [(t[0], BEFORE, int(t[position] or 0) - in_window.get(t[0], 0)) for t in totals
                     if int(t[position] or 0) - in_window.get(t[0], 0)]
        return ReportCounts(received, page_counts, [(c, v, r or "", k) for c, v, r, k in quarantined],
                            extracted, exported, reviewed, approved, nine)

    def _local_day(self, zone: tzinfo):
        """SQL for the local calendar day of a stored UTC time."""
        if self.engine.dialect.name == "postgresql":
            name = getattr(zone, "key", None)
            if name:
                return lambda ts: func.date(func.timezone(name, ts))
            minutes = int(zone.utcoffset(datetime.now(UTC)).total_seconds() // 60)
            return lambda ts: func.date(func.timezone("UTC", ts) + timedelta(minutes=minutes))
        minutes = int(zone.utcoffset(datetime.now(UTC)).total_seconds() // 60)
        return lambda ts: func.date(ts, f"{minutes:+d} minutes")


def _as_date(value) -> date | None:
    """SQLite's date() gives text, PostgreSQL's a date."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
