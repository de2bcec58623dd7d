"""The one module that talks to the database. Every stage goes through `Store`; nothing builds SQL strings,
so a shared PostgreSQL replaces the embedded SQLite by changing the URL.

SQLite is opened in WAL mode (the review app reads while the watcher writes), with foreign keys on and a
busy timeout; write transactions start with BEGIN IMMEDIATE so two writers queue instead of failing.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, and_, create_engine, delete, event, func, insert, select, update

from common.errors import StoreError
from extract.types import FieldValue, Person, Record
from store.schema import (
    FILE_STATES,
    RECORD_STATUSES,
    field_history,
    fields,
    files,
    pages,
    record_pages,
    records,
)
from store.types import FileRow, HistoryRow, PageData, PageRow, RecordRow, StoredRecord

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 30_000
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime | None) -> datetime | None:
    """SQLite gives datetimes back without their zone; everything stored is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{Path(path).resolve()}"


def make_engine(url: str) -> Engine:
    """An engine with the SQLite settings this project relies on; other back-ends are left as they come."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        # the driver's own transaction handling is switched off so BEGIN is ours (SQLAlchemy's recipe)
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL: a crash loses no committed transaction
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def migrate(engine: Engine) -> bool:
    """Bring the schema to the newest revision(s). Returns True when something was applied."""
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its INFO lines would drown the run's own log
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    heads = set(ScriptDirectory.from_config(config).get_heads())
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    if current == heads:
        return False
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "heads")
    log.info("store schema upgraded to %s", ",".join(sorted(heads)))
    return True


class Store:
    """Files, pages, records, fields and their history. Open with a path (SQLite) or a URL."""

    def __init__(self, target: str | Path, *, upgrade: bool = True):
        url = target if isinstance(target, str) and "://" in target else sqlite_url(Path(target))
        self.url = url
        self.engine = make_engine(url)
        self.migrated = migrate(self.engine) if upgrade else False

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, conn.begin():
            yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def schema_heads(self) -> set[str]:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return set(MigrationContext.configure(conn).get_current_heads())

    # ------------------------------------------------------------------------------------------ files

    def add_file(self, *, content_hash: str, size: int, origin_path: str, rel_path: str, kind_hint: str,
                 commune: str, book: str, duplicate_of: int | None = None, reason: str = "") -> FileRow:
        """Insert a file as `received` (or `duplicate` when duplicate_of is given) before any work."""
        t = now()
        state = "duplicate" if duplicate_of is not None else "received"
        with self._write() as conn:
            file_id = conn.execute(insert(files).values(
                content_hash=content_hash, size=size, origin_path=origin_path, rel_path=rel_path,
                kind_hint=kind_hint, commune=commune, book=book, state=state, attempts=0, reason_code="",
                reason=reason, duplicate_of=duplicate_of, dest_path="", received_at=t, updated_at=t,
                finished_at=t if duplicate_of is not None else None,
            )).inserted_primary_key[0]
        return self.file(file_id)

    def file(self, file_id: int) -> FileRow:
        with self._read() as conn:
            row = conn.execute(select(files).where(files.c.id == file_id)).mappings().first()
        if row is None:
            raise StoreError(f"no file {file_id}")
        return _file_row(row)

    def first_copy(self, content_hash: str) -> FileRow | None:
        """The file row that owns this content (not a duplicate), if any."""
        with self._read() as conn:
            row = conn.execute(select(files).where(and_(files.c.content_hash == content_hash,
                                                        files.c.duplicate_of.is_(None)))).mappings().first()
        return _file_row(row) if row else None

    def file_at(self, rel_path: str, content_hash: str) -> FileRow | None:
        """The newest row for this inbox path with this content: how a restart recognises a file it knows."""
        with self._read() as conn:
            row = conn.execute(select(files).where(and_(files.c.rel_path == rel_path,
                                                        files.c.content_hash == content_hash))
                               .order_by(files.c.id.desc())).mappings().first()
        return _file_row(row) if row else None

    def files(self, state: str | None = None) -> list[FileRow]:
        query = select(files).order_by(files.c.id)
        if state is not None:
            query = query.where(files.c.state == state)
        with self._read() as conn:
            return [_file_row(r) for r in conn.execute(query).mappings()]

    def files_not_moved(self) -> list[FileRow]:
        """Finished files (done, quarantined, duplicate) whose original has not been noted as moved."""
        with self._read() as conn:
            rows = conn.execute(select(files).where(and_(
                files.c.state.in_(("done", "quarantined", "duplicate")), files.c.moved_at.is_(None)))
                .order_by(files.c.id)).mappings()
            return [_file_row(r) for r in rows]

    def _set_file(self, conn: Connection, file_id: int, **values: Any) -> None:
        if "state" in values and values["state"] not in FILE_STATES:
            raise StoreError(f"unknown file state {values['state']!r}")
        conn.execute(update(files).where(files.c.id == file_id).values(updated_at=now(), **values))

    def mark_processing(self, file_id: int) -> int:
        """received -> processing, counting the attempt. Returns the attempt number."""
        with self._write() as conn:
            attempts = conn.execute(select(files.c.attempts).where(files.c.id == file_id)).scalar_one() + 1
            self._set_file(conn, file_id, state="processing", attempts=attempts, started_at=now())
        return attempts

    def mark_received(self, file_id: int, reason: str = "", reason_code: str = "") -> None:
        """Back to the queue (a transient failure to retry, or a file to process again)."""
        with self._write() as conn:
            self._set_file(conn, file_id, state="received", reason=reason, reason_code=reason_code)

    def reopen_file(self, file_id: int, *, origin_path: str, rel_path: str, kind_hint: str, commune: str,
                    book: str) -> None:
        """A quarantined file dropped again: process it afresh (the operator may have fixed the cause)."""
        with self._write() as conn:
            self._set_file(conn, file_id, state="received", attempts=0, reason="", reason_code="",
                           origin_path=origin_path, rel_path=rel_path, kind_hint=kind_hint, commune=commune,
                           book=book, moved_at=None, dest_path="", finished_at=None)

    def requeue_stale(self, started_before: datetime) -> list[int]:
        """`processing` rows from a run that died: back to `received`. Returns their ids."""
        with self._write() as conn:
            ids = list(conn.execute(select(files.c.id).where(and_(
                files.c.state == "processing", files.c.started_at < started_before))).scalars())
            if ids:
                conn.execute(update(files).where(files.c.id.in_(ids)).values(state="received", updated_at=now()))
        return ids

    def commit_file_results(self, file_id: int, page_data: Sequence[PageData], recs: Sequence[Record]) -> list[int]:
        """Pages, records, fields and state=done in ONE transaction, so a crash never leaves half a file.
        Idempotent: results already present for this file are replaced, and a file already done is left
        as it is (returns its record ids)."""
        t = now()
        with self._write() as conn:
            row = conn.execute(select(files.c.state, files.c.commune, files.c.book)
                               .where(files.c.id == file_id)).first()
            if row is None:
                raise StoreError(f"no file {file_id}")
            if row.state == "done":
                return list(conn.execute(select(records.c.id).where(records.c.file_id == file_id)
                                         .order_by(records.c.record_index)).scalars())
            conn.execute(delete(records).where(records.c.file_id == file_id))
            conn.execute(delete(pages).where(pages.c.file_id == file_id))
            page_ids: dict[int, int] = {}
            for p in page_data:
                page_ids[p.page_index] = conn.execute(insert(pages).values(
                    file_id=file_id, page_index=p.page_index, prepared_path=p.prepared_path,
                    archival_path=p.archival_path, quality=p.quality)).inserted_primary_key[0]
            record_ids = []
            for index, rec in enumerate(recs):
                record_id = conn.execute(insert(records).values(
                    file_id=file_id, record_index=index, doc_type=rec.doc_type, commune=row.commune,
                    book=row.book, status="extracted", doc_confidence=float(rec.doc_confidence),
                    reason=rec.reason, created_at=t, updated_at=t)).inserted_primary_key[0]
                record_ids.append(record_id)
                links = [{"record_id": record_id, "page_id": page_ids[i], "position": pos}
                         for pos, i in enumerate(dict.fromkeys(rec.pages)) if i in page_ids]
                if links:
                    conn.execute(insert(record_pages), links)
                rows = [_field_values(record_id, None, k, v, t) for k, v in rec.fields.items()]
                rows += [_field_values(record_id, oi, k, v, t)
                         for oi, person in enumerate(rec.owners) for k, v in person.fields.items()]
                if rows:
                    conn.execute(insert(fields), rows)
            self._set_file(conn, file_id, state="done", finished_at=t, reason="", reason_code="")
        return record_ids

    def quarantine_file(self, file_id: int, code: str, reason: str) -> None:
        """A permanent failure: no results, state quarantined, the reason an operator reads."""
        with self._write() as conn:
            conn.execute(delete(records).where(records.c.file_id == file_id))
            conn.execute(delete(pages).where(pages.c.file_id == file_id))
            self._set_file(conn, file_id, state="quarantined", reason_code=code, reason=reason, finished_at=now())

    def mark_moved(self, file_id: int, dest_path: str) -> None:
        with self._write() as conn:
            self._set_file(conn, file_id, dest_path=dest_path, moved_at=now())

    def note_problem(self, file_id: int, reason: str, code: str = "") -> None:
        """Keep a reason on a file without changing its state (e.g. done, but could not be moved)."""
        with self._write() as conn:
            self._set_file(conn, file_id, reason=reason, reason_code=code)

    # ------------------------------------------------------------------------------------ reporting

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

    # ---------------------------------------------------------------------------- records (review, export)

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
            return [_record_row(r) for r in conn.execute(query).mappings()]

    def load_record(self, record_id: int) -> StoredRecord:
        with self._read() as conn:
            row = conn.execute(select(records).where(records.c.id == record_id)).mappings().first()
            if row is None:
                raise StoreError(f"no record {record_id}")
            page_rows = [_page_row(p) for p in conn.execute(
                select(pages).join(record_pages, record_pages.c.page_id == pages.c.id)
                .where(record_pages.c.record_id == record_id).order_by(record_pages.c.position)).mappings()]
            field_rows = list(conn.execute(select(fields).where(fields.c.record_id == record_id)
                                           .order_by(fields.c.id)).mappings())
        rec_row = _record_row(row)
        rec = Record(doc_type=rec_row.doc_type, doc_confidence=rec_row.doc_confidence, reason=rec_row.reason,
                     pages=[p.page_index for p in page_rows])
        ids: dict[tuple[int | None, str], int] = {}
        for f in field_rows:
            value = FieldValue(value=f["value"], confidence=f["confidence"], status=f["status"], reason=f["reason"],
                               box=tuple(f["box"]) if f["box"] else None, page=f["page"], source=f["source"])
            ids[(f["owner_index"], f["key"])] = f["id"]
            if f["owner_index"] is None:
                rec.fields[f["key"]] = value
            else:
                while len(rec.owners) <= f["owner_index"]:
                    rec.owners.append(Person())
                rec.owners[f["owner_index"]].fields[f["key"]] = value
        return StoredRecord(row=rec_row, record=rec, pages=page_rows, field_ids=ids)

    def pages_of_file(self, file_id: int) -> list[PageRow]:
        with self._read() as conn:
            return [_page_row(p) for p in conn.execute(select(pages).where(pages.c.file_id == file_id)
                                                       .order_by(pages.c.page_index)).mappings()]

    def page(self, page_id: int) -> PageRow:
        with self._read() as conn:
            row = conn.execute(select(pages).where(pages.c.id == page_id)).mappings().first()
        if row is None:
            raise StoreError(f"no page {page_id}")
        return _page_row(row)

    def set_field(self, record_id: int, key: str, value: str, *, who: str, owner_index: int | None = None,
                  status: str = "accepted", source: str = "reviewer", reason: str = "") -> int:
        """A person's correction: the field changes and a history row is written in the same transaction.
        A field the extractor did not produce is created. Returns the field id."""
        t = now()
        with self._write() as conn:
            owner_match = fields.c.owner_index.is_(None) if owner_index is None else fields.c.owner_index == owner_index
            row = conn.execute(select(fields).where(and_(fields.c.record_id == record_id, fields.c.key == key,
                                                         owner_match))).mappings().first()
            if row is None:
                field_id = conn.execute(insert(fields).values(
                    record_id=record_id, key=key, owner_index=owner_index, value=value, confidence=1.0,
                    status=status, reason=reason, box=None, page=0, source=source, updated_at=t)).inserted_primary_key[0]
                old_value, old_status = "", ""
            else:
                field_id, old_value, old_status = row["id"], row["value"], row["status"]
                conn.execute(update(fields).where(fields.c.id == field_id).values(
                    value=value, status=status, source=source, reason=reason,
                    confidence=1.0 if source == "reviewer" else row["confidence"], updated_at=t))
            conn.execute(insert(field_history).values(
                field_id=field_id, record_id=record_id, who=who, at=t, old_value=old_value, new_value=value,
                old_status=old_status, new_status=status))
            conn.execute(update(records).where(records.c.id == record_id).values(updated_at=t))
        return field_id

    def field_history(self, record_id: int) -> list[HistoryRow]:
        with self._read() as conn:
            rows = conn.execute(select(field_history, fields.c.key, fields.c.owner_index)
                                .join(fields, fields.c.id == field_history.c.field_id)
                                .where(field_history.c.record_id == record_id)
                                .order_by(field_history.c.id)).mappings()
            return [HistoryRow(id=r["id"], field_id=r["field_id"], record_id=r["record_id"], key=r["key"],
                               owner_index=r["owner_index"], who=r["who"], at=_aware(r["at"]),
                               old_value=r["old_value"], new_value=r["new_value"], old_status=r["old_status"],
                               new_status=r["new_status"]) for r in rows]

    def set_record_status(self, record_id: int, status: str) -> None:
        if status not in RECORD_STATUSES:
            raise StoreError(f"unknown record status {status!r}")
        with self._write() as conn:
            conn.execute(update(records).where(records.c.id == record_id).values(status=status, updated_at=now()))

    def set_records_status(self, record_ids: Sequence[int], status: str) -> None:
        """E.g. export marks a whole book `exported` at once."""
        if status not in RECORD_STATUSES:
            raise StoreError(f"unknown record status {status!r}")
        with self._write() as conn:
            conn.execute(update(records).where(records.c.id.in_(list(record_ids)))
                         .values(status=status, updated_at=now()))

    def acquire_lock(self, record_id: int, owner: str, ttl: timedelta = timedelta(minutes=15)) -> bool:
        """Take (or renew) the review lock on a record. False when someone else holds an unexpired lock."""
        t = now()
        with self._write() as conn:
            result = conn.execute(update(records).where(and_(
                records.c.id == record_id,
                (records.c.lock_owner.is_(None)) | (records.c.lock_owner == owner) | (records.c.lock_expires < t),
            )).values(lock_owner=owner, lock_expires=t + ttl))
            return result.rowcount == 1

    def release_lock(self, record_id: int, owner: str) -> None:
        with self._write() as conn:
            conn.execute(update(records).where(and_(records.c.id == record_id, records.c.lock_owner == owner))
                         .values(lock_owner=None, lock_expires=None))


def _field_values(record_id: int, owner_index: int | None, key: str, fv: FieldValue, t: datetime) -> dict[str, Any]:
    return {"record_id": record_id, "key": key, "owner_index": owner_index, "value": fv.value or "",
            "confidence": float(fv.confidence), "status": fv.status, "reason": fv.reason or "",
            "box": list(fv.box) if fv.box else None, "page": int(fv.page), "source": fv.source, "updated_at": t}


def _file_row(row) -> FileRow:
    data = dict(row)
    for key in ("received_at", "started_at", "finished_at", "moved_at", "updated_at"):
        data[key] = _aware(data[key])
    return FileRow(**data)


def _record_row(row) -> RecordRow:
    data = dict(row)
    for key in ("lock_expires", "created_at", "updated_at"):
        data[key] = _aware(data[key])
    return RecordRow(**data)


def _page_row(row) -> PageRow:
    return PageRow(**dict(row))


def quality_dict(quality: Any) -> dict[str, Any]:
    """A scanner.types.Quality (or any dataclass) as JSON-able data for the pages table."""
    try:
        return asdict(quality)
    except TypeError:
        return dict(quality or {})
