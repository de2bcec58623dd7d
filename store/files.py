"""Files: one row per file seen in the inbox, and its way from received to done, quarantined or duplicate.
A file's pages, records and fields commit with its `done` state.

Claims (several workstations, one inbox, one store). A hot-folder runner works on a file — processes it,
commits its results, moves it out of the inbox — only while it holds the file's claim (`claimed_by`, with
`lease_expires`). Taking a claim is ONE conditional UPDATE (free, ours, or the holder's lease has run out)
whose WHERE is the whole test: on PostgreSQL a second claimant waits for the row lock and re-evaluates the
WHERE against the committed row, on SQLite writers are serialised (BEGIN IMMEDIATE), so of two claimants
exactly one wins. Every write of a runner checks, in its own transaction, that the claim is still its own
(ClaimLost otherwise: a workstation that was taken over keeps nothing) and pushes the lease on. A living
runner renews its leases; a killed one's files are taken over once their leases have run out. Lease times
come from the database server's clock on PostgreSQL (workstations' clocks drift), from ours on SQLite (one
machine). Two runners seeing the same new file cannot both register it: the first copy of a content is
unique, and so is the unfinished row of an inbox path and content (0006_claims).
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, DateTime, and_, case, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from common.errors import ClaimLost, FileKnown, StoreError
from common.states import check_file_move
from extract.types import Record
from store.engine import StoreBase, now
from store.hygiene import clean_record
from store.rows import field_values, file_row
from store.schema import fields, files, pages, record_pages, records
from store.types import Claim, FileRow, PageData


class FileQueries(StoreBase):
    def add_file(self, *, content_hash: str, size: int, origin_path: str, rel_path: str, kind_hint: str,
                 commune: str, book: str, duplicate_of: int | None = None, reason: str = "",
                 claim: Claim | None = None) -> FileRow:
        """Insert a file as `received` (or `duplicate` when duplicate_of is given) before any work, claimed by
        `claim` when given. FileKnown when the store already has this content as a first copy, or this inbox
        path with this content unfinished (another workstation registered it first)."""
        t = now()
        state = "duplicate" if duplicate_of is not None else "received"
        try:
            with self._write() as conn:
                values = dict(content_hash=content_hash, size=size, origin_path=origin_path, rel_path=rel_path,
                              kind_hint=kind_hint, commune=commune, book=book, state=state, attempts=0,
                              reason_code="", reason=reason, duplicate_of=duplicate_of, dest_path="",
                              received_at=t, updated_at=t, finished_at=t if duplicate_of is not None else None)
                if claim is not None:
                    values.update(claimed_by=claim.owner, lease_expires=self._clock() + claim.lease)
                file_id = conn.execute(insert(files).values(**values)).inserted_primary_key[0]
        except IntegrityError as exc:
            if "unique" not in str(exc.orig).lower():
                raise
            raise FileKnown("tệp này đã được ghi nhận (this file is already registered)") from None
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
        with self._read() as conn:  # from the partial index of unmoved rows (few); the state is checked here
            rows = conn.execute(select(files).where(files.c.moved_at.is_(None)).order_by(files.c.id)).mappings()
            return [file_row(r) for r in rows if r["state"] in ("done", "quarantined", "duplicate")]

    def _set_file(self, conn: Connection, file_id: int, claim: Claim | None = None, **values: Any) -> None:
        """Update a file row; a state change must be one the state table allows (common/states.py), and a
        runner's write one it still holds the claim for (which it pushes on)."""
        if "state" in values or claim is not None:
            row = conn.execute(select(files.c.state, files.c.claimed_by).where(files.c.id == file_id)
                               .with_for_update()).first()
            if row is None:
                raise StoreError(f"không có tệp {file_id} (no file {file_id})", code="no_file")
            if claim is not None:
                if row.claimed_by != claim.owner:
                    raise ClaimLost(f"tệp {file_id} đã được máy khác nhận xử lý (file {file_id} was taken over by "
                                    f"another workstation)", detail=f"holder {row.claimed_by}")
                values["lease_expires"] = self._clock() + claim.lease
            if "state" in values:
                values["state"] = str(check_file_move(row.state, values["state"]))
        conn.execute(update(files).where(files.c.id == file_id).values(updated_at=now(), **values))

    def _clock(self):
        """Now, as lease times are kept: the PostgreSQL server's clock (one clock for every workstation),
        ours on SQLite."""
        if self.engine.dialect.name == "postgresql":
            return func.statement_timestamp(type_=DateTime(timezone=True))
        return now()

    # ---------------------------------------------------------------------------------------- claims

    def claim_file(self, file_id: int, claim: Claim) -> bool:
        """Take (or renew) a file's claim: True when it was free, ours, or its holder's lease had run out. A
        `processing` row taken from another holder goes back to `received` (its worker is gone; the attempt
        stays counted)."""
        t = self._clock()
        from_another = or_(files.c.claimed_by.is_(None), files.c.claimed_by != claim.owner)
        with self._write() as conn:
            result = conn.execute(update(files).where(and_(
                files.c.id == file_id,
                or_(files.c.claimed_by.is_(None), files.c.claimed_by == claim.owner, files.c.lease_expires < t)))
                .values(claimed_by=claim.owner, lease_expires=t + claim.lease,
                        state=case((and_(files.c.state == "processing", from_another), "received"),
                                   else_=files.c.state)))
            return result.rowcount == 1

    def renew_claims(self, claim: Claim) -> int:
        """Push on the lease of every file this claimant holds (its heartbeat). Returns how many."""
        with self._write() as conn:
            return conn.execute(update(files).where(files.c.claimed_by == claim.owner)
                                .values(lease_expires=self._clock() + claim.lease)).rowcount

    def release_claims(self, owner: str | None = None) -> int:
        """Let go of this owner's claims (a runner stopping), or of every claim (owner None: the only runner
        of a SQLite workspace at start-up, which holds the workspace lock). Returns how many."""
        query = update(files).where(files.c.claimed_by.is_not(None) if owner is None else files.c.claimed_by == owner)
        with self._write() as conn:
            return conn.execute(query.values(claimed_by=None, lease_expires=None)).rowcount

    def claim_holders(self) -> list[str]:
        """Every claimant holding a claim now (a restarted runner releases those of its own dead processes)."""
        with self._read() as conn:
            return list(conn.execute(select(files.c.claimed_by).where(files.c.claimed_by.is_not(None))
                                     .distinct()).scalars())

    # ---------------------------------------------------------------------------------------- states

    def mark_processing(self, file_id: int, claim: Claim | None = None) -> int:
        """received -> processing, counting the attempt. Returns the attempt number."""
        with self._write() as conn:
            attempts = conn.execute(select(files.c.attempts).where(files.c.id == file_id)).scalar_one() + 1
            self._set_file(conn, file_id, claim, state="processing", attempts=attempts, started_at=now())
        return attempts

    def mark_received(self, file_id: int, reason: str = "", reason_code: str = "", claim: Claim | None = None) -> None:
        """Back to the queue (a transient failure to retry, or a file to process again)."""
        with self._write() as conn:
            self._set_file(conn, file_id, claim, state="received", reason=reason, reason_code=reason_code)

    def reopen_file(self, file_id: int, *, origin_path: str, rel_path: str, kind_hint: str, commune: str,
                    book: str, claim: Claim | None = None) -> None:
        """A quarantined file dropped again: process it afresh (the operator may have fixed the cause)."""
        with self._write() as conn:
            self._set_file(conn, file_id, claim, state="received", attempts=0, reason="", reason_code="",
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

    def commit_file_results(self, file_id: int, page_data: Sequence[PageData], recs: Sequence[Record],
                            claim: Claim | None = None) -> list[int]:
        """Pages, records, fields and state=done in ONE transaction, so a crash never leaves half a file —
        and with `claim`, only while that claim still holds the file (ClaimLost and nothing written when
        another workstation took it over). Idempotent: results already present for this file are replaced,
        and a file already done is left as it is (returns its record ids)."""
        t = now()
        with self._write() as conn:
            row = conn.execute(select(files.c.state, files.c.commune, files.c.book, files.c.claimed_by)
                               .where(files.c.id == file_id).with_for_update()).first()
            if row is None:
                raise StoreError(f"no file {file_id}")
            if claim is not None and row.claimed_by != claim.owner:
                raise ClaimLost(f"tệp {file_id} đã được máy khác nhận xử lý; kết quả này không được lưu (file "
                                f"{file_id} was taken over by another workstation: these results are not kept)",
                                detail=f"holder {row.claimed_by}")
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
            self._set_file(conn, file_id, claim, state="done", finished_at=t, reason="", reason_code="")
        return record_ids

    def quarantine_file(self, file_id: int, code: str, reason: str, claim: Claim | None = None) -> None:
        """A permanent failure: no results, state quarantined, the reason an operator reads."""
        with self._write() as conn:
            self._set_file(conn, file_id, claim, state="quarantined", reason_code=code, reason=reason,
                           finished_at=now())
            conn.execute(delete(records).where(records.c.file_id == file_id))
            conn.execute(delete(pages).where(pages.c.file_id == file_id))

    def mark_moved(self, file_id: int, dest_path: str, claim: Claim | None = None) -> None:
        """The file has left the inbox: noted, and its claim let go (nothing is left to do on it)."""
        with self._write() as conn:
            self._set_file(conn, file_id, claim, dest_path=dest_path, moved_at=now())
            conn.execute(update(files).where(files.c.id == file_id).values(claimed_by=None, lease_expires=None))

    def withdraw_duplicate(self, file_id: int, claim: Claim) -> bool:
        """Delete a `duplicate` row this claimant registered and never moved: the copy it stood for was gone
        from the inbox before it could be moved (another workstation had registered and moved the same drop
        in the meantime, and its row accounts for it). True when the row was deleted."""
        with self._write() as conn:
            return conn.execute(delete(files).where(and_(
                files.c.id == file_id, files.c.state == "duplicate", files.c.moved_at.is_(None),
                files.c.claimed_by == claim.owner))).rowcount == 1

    def note_problem(self, file_id: int, reason: str, code: str = "", claim: Claim | None = None) -> None:
        """Keep a reason on a file without changing its state (e.g. done, but could not be moved)."""
        with self._write() as conn:
            self._set_file(conn, file_id, claim, reason=reason, reason_code=code)

