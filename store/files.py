"""Files: one row per file seen in the inbox, and its way from received to done, quarantined or duplicate.
The hot-folder runner is the only writer; a file's pages, records and fields commit with its `done` state."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, select, update

from common.errors import StoreError
from common.states import check_file_move
from extract.types import Record
from store.engine import StoreBase, now
from store.hygiene import clean_record
from store.rows import field_values, file_row
from store.schema import fields, files, pages, record_pages, records
from store.types import FileRow, PageData


class FileQueries(StoreBase):
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
        return file_row(row)

    def first_copy(self, content_hash: str) -> FileRow | None:
        """The file row that owns this content (not a duplicate), if any."""
        with self._read() as conn:
            row = conn.execute(select(files).where(and_(files.c.content_hash == content_hash,
                                                        files.c.duplicate_of.is_(None)))).mappings().first()
        return file_row(row) if row else None

    def file_at(self, rel_path: str, content_hash: str) -> FileRow | None:
        """The newest row for this inbox path with this content: how a restart recognises a file it knows."""
        with self._read() as conn:
            row = conn.execute(select(files).where(and_(files.c.rel_path == rel_path,
                                                        files.c.content_hash == content_hash))
                               .order_by(files.c.id.desc())).mappings().first()
        return file_row(row) if row else None

    def files(self, state: str | None = None) -> list[FileRow]:
        query = select(files).order_by(files.c.id)
        if state is not None:
            query = query.where(files.c.state == state)
        with self._read() as conn:
            return [file_row(r) for r in conn.execute(query).mappings()]

    def files_not_moved(self) -> list[FileRow]:
        """Finished files (done, quarantined, duplicate) whose original has not been noted as moved."""
        with self._read() as conn:
            rows = conn.execute(select(files).where(and_(
                files.c.state.in_(("done", "quarantined", "duplicate")), files.c.moved_at.is_(None)))
                .order_by(files.c.id)).mappings()
            return [file_row(r) for r in rows]

    def _set_file(self, conn: Connection, file_id: int, **values: Any) -> None:
        """Update a file row; a state change must be one the state table allows (common/states.py)."""
        if "state" in values:
            old = conn.execute(select(files.c.state).where(files.c.id == file_id)).scalar()
            if old is None:
                raise StoreError(f"không có tệp {file_id} (no file {file_id})", code="no_file")
            values["state"] = str(check_file_move(old, values["state"]))
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
            for index, rec in enumerate(clean_record(r) for r in recs):
                record_id = conn.execute(insert(records).values(
                    file_id=file_id, record_index=index, doc_type=rec.doc_type, commune=row.commune,
                    book=row.book, status="extracted", doc_confidence=float(rec.doc_confidence),
                    reason=rec.reason, created_at=t, updated_at=t)).inserted_primary_key[0]
                record_ids.append(record_id)
                links = [{"record_id": record_id, "page_id": page_ids[i], "position": pos}
                         for pos, i in enumerate(dict.fromkeys(rec.pages)) if i in page_ids]
                if links:
                    conn.execute(insert(record_pages), links)
                rows = [field_values(record_id, None, k, v, t) for k, v in rec.fields.items()]
                rows += [field_values(record_id, oi, k, v, t)
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

