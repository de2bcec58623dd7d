"""Records and their fields as the review and export stages read them, and the rows a person's change
writes (every change with its field_history row, in the same transaction)."""
from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import Connection, and_, func, insert, select, update

from common.errors import StoreError
from common.states import check_record_move
from extract.types import FieldValue, Person, Record
from store.engine import StoreBase, aware, now
from store.hygiene import person_value
from store.rows import page_row, record_row
from store.schema import field_history, fields, pages, record_pages, records
from store.types import BookRecord, HistoryRow, PageRow, RecordRow, StoredRecord

# what a record's fields are rebuilt from (not updated_at: parsing millions of timestamps nobody reads)
FIELD_COLUMNS = (fields.c.id, fields.c.record_id, fields.c.key, fields.c.owner_index, fields.c.value,
                 fields.c.confidence, fields.c.status, fields.c.reason, fields.c.box, fields.c.page, fields.c.source)


class RecordQueries(StoreBase):
    def record_rows(self, *, status: str | Sequence[str] | None = None, doc_type: str | None = None,
                    commune: str | None = None, book: str | None = None, file_id: int | None = None) -> list[RecordRow]:
        query = select(records).order_by(records.c.id)
        if status is not None:
            query = query.where(records.c.status.in_([status] if isinstance(status, str) else list(status)))
        for column, value in ((records.c.doc_type, doc_type), (records.c.commune, commune),
                              (records.c.book, book), (records.c.file_id, file_id)):
            if value is not None:
                query = query.where(column == value)
        with self._read() as conn:
            return [record_row(r) for r in conn.execute(query).mappings()]

    def load_record(self, record_id: int) -> StoredRecord:
        with self._read() as conn:
            row = conn.execute(select(records).where(records.c.id == record_id)).mappings().first()
            if row is None:
                raise StoreError(f"no record {record_id}")
            page_rows = [page_row(p) for p in conn.execute(
                select(pages).join(record_pages, record_pages.c.page_id == pages.c.id)
                .where(record_pages.c.record_id == record_id).order_by(record_pages.c.position)).mappings()]
            field_rows = list(conn.execute(select(fields).where(fields.c.record_id == record_id)
                                           .order_by(fields.c.id)).mappings())
        return _stored(row, page_rows, field_rows)

    def record_books(self, doc_types: Sequence[str]) -> list[tuple[str, str, str, int]]:
        """(doc_type, commune, book, number of records) of every book holding records of these types."""
        n = func.count()
        query = (select(records.c.doc_type, records.c.commune, records.c.book, n)
                 .where(records.c.doc_type.in_(list(doc_types)))
                 .group_by(records.c.doc_type, records.c.commune, records.c.book)
                 .order_by(records.c.doc_type, records.c.commune, records.c.book))
        with self._read() as conn:
            return [(t, c, b, int(k)) for t, c, b, k in conn.execute(query)]

    def load_book(self, doc_type: str, commune: str, book: str) -> list[StoredRecord]:
        """Every record of one book with its fields and pages, in three queries fetched whole as plain tuples:
        a backlog export reads millions of records book by book (one query per record would take hours,
        and building a mapping per field row was most of the export's time at 1.7 million records)."""
        where = and_(records.c.doc_type == doc_type, records.c.commune == commune, records.c.book == book)
        with self._read() as conn:
            rows = conn.execute(select(records).where(where).order_by(records.c.id)).mappings().all()
            page_rows: dict[int, list[PageRow]] = {}
            for p in conn.execute(select(record_pages.c.record_id.label("owner_record"), pages)
                                  .join(record_pages, record_pages.c.page_id == pages.c.id)
                                  .join(records, records.c.id == record_pages.c.record_id).where(where)
                                  .order_by(record_pages.c.record_id, record_pages.c.position)).mappings().all():
                values = dict(p)
                page_rows.setdefault(values.pop("owner_record"), []).append(page_row(values))
            field_rows: dict[int, list[tuple]] = {}
            for f in _driver_rows(conn, select(*FIELD_COLUMNS).join(records, records.c.id == fields.c.record_id)
                                  .where(where).order_by(fields.c.record_id, fields.c.id)):
                field_rows.setdefault(f[1], []).append(f)
        out = []
        for r in rows:
            stored = _stored(r, page_rows.get(r["id"], []), ())
            _add_fields(stored, field_rows.get(r["id"], ()))
            out.append(stored)
        return out

    def load_book_export(self, doc_type: str, commune: str, book: str) -> list[BookRecord]:
        """load_book cut to what a backlog export uses (BookRecord): the records' id, status and version, their
        own fields and their pages' archival paths, in three queries read raw from the driver. The export
        reads every record of the province this way; record rows as mappings with five timestamps each and
        page rows it never used were half of its main process's time."""
        where = and_(records.c.doc_type == doc_type, records.c.commune == commune, records.c.book == book)
        with self._read() as conn:
            heads = _driver_rows(conn, select(records.c.id, records.c.status, records.c.version).where(where)
                                 .order_by(records.c.id))
            paths: dict[int, list[str]] = {}
            for record_id, path in _driver_rows(
                    conn, select(record_pages.c.record_id, pages.c.archival_path)
                    .join(pages, pages.c.id == record_pages.c.page_id)
                    .join(records, records.c.id == record_pages.c.record_id).where(where)
                    .order_by(record_pages.c.record_id, record_pages.c.position)):
                paths.setdefault(record_id, []).append(path)
            fields_of: dict[int, dict[str, FieldValue]] = {}
            for record_id, key, value, confidence, status, reason, box, page, source in _driver_rows(
                    conn, select(fields.c.record_id, fields.c.key, fields.c.value, fields.c.confidence,
                                 fields.c.status, fields.c.reason, fields.c.box, fields.c.page, fields.c.source)
                    .join(records, records.c.id == fields.c.record_id)
                    .where(and_(where, fields.c.owner_index.is_(None)))
                    .order_by(records.c.id, fields.c.id)):  # records.id, not fields.record_id: SQLite then reads
                # both indexes in order instead of sorting every field row of the book in a temporary B-tree
                if isinstance(box, str):  # SQLite gives JSON as text; psycopg decodes it
                    box = json.loads(box)
                fields_of.setdefault(record_id, {})[key] = FieldValue(
                    value, confidence, status, reason, tuple(box) if box else None, page, source)
        return [BookRecord(record_id, status, version, fields_of.get(record_id, {}), paths.get(record_id, []))
                for record_id, status, version in heads]

    def pages_of_file(self, file_id: int) -> list[PageRow]:
        with self._read() as conn:
            return [page_row(p) for p in conn.execute(select(pages).where(pages.c.file_id == file_id)
                                                       .order_by(pages.c.page_index)).mappings()]

    def page(self, page_id: int) -> PageRow:
        with self._read() as conn:
            row = conn.execute(select(pages).where(pages.c.id == page_id)).mappings().first()
        if row is None:
            raise StoreError(f"no page {page_id}")
        return page_row(row)

    def set_field(self, record_id: int, key: str, value: str, *, who: str, owner_index: int | None = None,
                  status: str = "accepted", source: str = "reviewer", reason: str = "") -> int:
        """A person's correction: the field changes and a history row is written in the same transaction.
        A field the extractor did not produce is created. Returns the field id."""
        with self._write() as conn:
            field_id = write_field(conn, record_id, owner_index, key, person_value(key, value), who=who,
                                   status=status, source=source, reason=reason)
            conn.execute(update(records).where(records.c.id == record_id)
                         .values(updated_at=now(), version=records.c.version + 1))
        return field_id

    def field_history(self, record_id: int) -> list[HistoryRow]:
        with self._read() as conn:
            rows = conn.execute(select(field_history, fields.c.key, fields.c.owner_index)
                                .join(fields, fields.c.id == field_history.c.field_id)
                                .where(field_history.c.record_id == record_id)
                                .order_by(field_history.c.id)).mappings()
            return [HistoryRow(id=r["id"], field_id=r["field_id"], record_id=r["record_id"], key=r["key"],
                               owner_index=r["owner_index"], who=r["who"], at=aware(r["at"]),
                               old_value=r["old_value"], new_value=r["new_value"], old_status=r["old_status"],
                               new_status=r["new_status"]) for r in rows]

    def set_record_status(self, record_id: int, status: str) -> None:
        """Move one record along the state table (common/states.py); StoreError for a move it forbids."""
        self.set_records_status([record_id], status)

    def set_records_status(self, record_ids: Sequence[int], status: str) -> None:
        """Move records along the state table in one transaction; StoreError (nothing written) when any move
        is forbidden. Review and export have their own audited writes (store/review.py, store/exports.py)."""
        ids = list(record_ids)
        with self._write() as conn:
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                for old in conn.execute(select(records.c.status).where(records.c.id.in_(chunk)).distinct()).scalars():
                    check_record_move(old, status)
                conn.execute(update(records).where(records.c.id.in_(chunk))
                             .values(status=status, updated_at=now(), version=records.c.version + 1))




def _stored(row, page_rows: list[PageRow], field_rows) -> StoredRecord:
    """A record row, its pages and its field rows as the review and export stages read them."""
    rec_row = record_row(row)
    rec = Record(doc_type=rec_row.doc_type, doc_confidence=rec_row.doc_confidence, reason=rec_row.reason,
                 pages=[p.page_index for p in page_rows])
    ids: dict[tuple[int | None, str], int] = {}
    for f in field_rows:
        box, owner, key = f["box"], f["owner_index"], f["key"]
        value = FieldValue(f["value"], f["confidence"], f["status"], f["reason"], tuple(box) if box else None,
                           f["page"], f["source"])
        ids[(owner, key)] = f["id"]
        if owner is None:
            rec.fields[key] = value
        else:
            while len(rec.owners) <= owner:
                rec.owners.append(Person())
            rec.owners[owner].fields[key] = value
    return StoredRecord(row=rec_row, record=rec, pages=page_rows, field_ids=ids)


def _driver_rows(conn: Connection, query) -> list[tuple]:
    """The rows of a query straight from the driver's cursor: SQLAlchemy's row objects and type processing
    cost more than the database's work when a backlog export reads tens of millions of field rows. Only for
    columns whose raw values are what the caller wants (JSON is decoded by the caller)."""
    compiled = query.compile(dialect=conn.dialect)
    params = compiled.construct_params()
    if compiled.positiontup is not None:
        params = [params[name] for name in compiled.positiontup]
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.execute(str(compiled), params)
        return cursor.fetchall()
    finally:
        cursor.close()


def _add_fields(stored: StoredRecord, rows) -> None:
    """Field rows as FIELD_COLUMNS tuples, raw from the driver, into a StoredRecord (load_book's fast path)."""
    fields_of, owners, ids = stored.record.fields, stored.record.owners, stored.field_ids
    for field_id, _record, key, owner, value, confidence, status, reason, box, page, source in rows:
        if isinstance(box, str):  # SQLite gives JSON as text; psycopg decodes it
            box = json.loads(box)
        fv = FieldValue(value, confidence, status, reason, tuple(box) if box else None, page, source)
        ids[(owner, key)] = field_id
        if owner is None:
            fields_of[key] = fv
        else:
            while len(owners) <= owner:
                owners.append(Person())
            owners[owner].fields[key] = fv


def write_field(conn: Connection, record_id: int, owner_index: int | None, key: str, value: str, *, who: str,
                status: str, source: str, reason: str) -> int:
    """Set one field (creating it when the extractor did not) and write its history row, inside the caller's
    transaction. `value` has already crossed store.hygiene. Returns the field id."""
    t = now()
    owner_match = fields.c.owner_index.is_(None) if owner_index is None else fields.c.owner_index == owner_index
    row = conn.execute(select(fields).where(and_(fields.c.record_id == record_id, fields.c.key == key,
                                                 owner_match))).mappings().first()
    if row is None:
        field_id = conn.execute(insert(fields).values(
            record_id=record_id, key=key, owner_index=owner_index, value=value, confidence=1.0, status=status,
            reason=reason, box=None, page=0, source=source, updated_at=t)).inserted_primary_key[0]
        old_value, old_status = "", ""
    else:
        field_id, old_value, old_status = row["id"], row["value"], row["status"]
        conn.execute(update(fields).where(fields.c.id == field_id).values(
            value=value, status=status, source=source, reason=reason,
            confidence=1.0 if source == "reviewer" else row["confidence"], updated_at=t))
    conn.execute(insert(field_history).values(
        field_id=field_id, record_id=record_id, who=who, at=t, old_value=old_value, new_value=value,
        old_status=old_status, new_status=status))
    return field_id
