"""Exports in the store: which backlog books are done, every export run (who, when, options, files), and the
records each run let out — approved or not. A record exported without approval gets an `exported_unapproved`
decision row naming who let it out, so the review app shows it as exported unapproved, never as approved.
A book's `done` row and its records' `exported` status commit in one transaction, so a re-run after an
interrupt never writes a book twice and never loses one.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, insert, select, update

from common.crashpoints import maybe_crash
from common.errors import Conflict
from common.states import RecordStatus, ReviewAction, check_record_move
from store.engine import StoreBase, aware, now
from store.schema import decisions, export_books, export_run_records, export_runs, records
from store.types import ExportRunRow

CHUNK = 500


@dataclass
class Marked:
    """What marking records exported did: how many went out unapproved, and which were left unmarked
    because someone changed them after the export read them (their rows on disk are out of date)."""
    unapproved: int = 0
    changed: list[int] = field(default_factory=list)


class ExportQueries(StoreBase):
    # ---------------------------------------------------------------------------------------- runs

    def start_export_run(self, who: str, command: str, options: dict[str, Any]) -> int:
        with self._write() as conn:
            maybe_crash("export_run")
            return conn.execute(insert(export_runs).values(
                started_at=now(), who=who, command=command, options=options, files=[], records=0,
                unapproved=0)).inserted_primary_key[0]

    def finish_export_run(self, run_id: int, files: Sequence[str]) -> None:
        with self._write() as conn:
            maybe_crash("export_run")
            conn.execute(update(export_runs).where(export_runs.c.id == run_id)
                         .values(finished_at=now(), files=sorted(set(files))))

    def export_run_rows(self, limit: int = 100) -> list[ExportRunRow]:
        with self._read() as conn:
            rows = conn.execute(select(export_runs).order_by(export_runs.c.id.desc()).limit(limit)).all()
        return [ExportRunRow(r.id, aware(r.started_at), aware(r.finished_at), r.who, r.command, dict(r.options),
                             list(r.files), r.records, r.unapproved) for r in rows]

    def export_run_record_ids(self, run_id: int) -> dict[int, bool]:
        """record id -> whether it was approved when this run let it out."""
        with self._read() as conn:
            rows = conn.execute(select(export_run_records.c.record_id, export_run_records.c.approved)
                                .where(export_run_records.c.run_id == run_id)).all()
        return {r.record_id: bool(r.approved) for r in rows}

    def mark_exported(self, record_ids: Sequence[int], *, run_id: int, who: str,
                      versions: Mapping[int, int] | None = None) -> Marked:
        """Records written by `run_id` become `exported`, in one transaction; each unapproved one gets its
        exported_unapproved decision. With `versions` (the version each record had when the export read it),
        a record changed since — a reviewer's save landing while the files were written — is not marked: the
        file holds its old values, so it has not really left (Marked.changed; the caller writes it again)."""
        with self._write() as conn:
            marked = _mark(conn, list(record_ids), run_id, who, versions)
            maybe_crash("export_commit")
        return marked

    # ------------------------------------------------------------------------------- backlog books

    def done_books(self) -> set[str]:
        with self._read() as conn:
            return set(conn.execute(select(export_books.c.book_key).where(export_books.c.state == "done"))
                       .scalars())

    def done_book_rows(self) -> list[dict[str, Any]]:
        """Every finished backlog book with what the manifest lists about it (files, sizes, sha256, counts)."""
        with self._read() as conn:
            rows = conn.execute(select(export_books).where(export_books.c.state == "done")
                                .order_by(export_books.c.book_key)).mappings().all()
        return [{**dict(r), "finished_at": aware(r["finished_at"])} for r in rows]

    def book_started(self, book_key: str, *, doc_type: str, commune: str, book: str, out_dir: str) -> None:
        values = {"doc_type": doc_type, "commune": commune, "book": book, "state": "writing", "out_dir": out_dir,
                  "started_at": now()}
        with self._write() as conn:
            maybe_crash("export_book")
            found = conn.execute(select(export_books.c.id).where(export_books.c.book_key == book_key)).first()
            if found is None:
                conn.execute(insert(export_books).values(book_key=book_key, **values))
            else:
                conn.execute(update(export_books).where(export_books.c.id == found.id).values(**values))

    def book_finished(self, book_key: str, values: dict[str, Any], record_ids: Sequence[int], *,
                      run_id: int | None, who: str, versions: Mapping[int, int] | None = None) -> int:
        """The book is done and its records exported, or neither. Returns the unapproved count. Conflict (and
        nothing written) when a record changed after the export read it: the book is written again."""
        with self._write() as conn:
            conn.execute(update(export_books).where(export_books.c.book_key == book_key)
                         .values(state="done", finished_at=now(), **values))
            marked = _mark(conn, [int(i) for i in record_ids], run_id, who, versions)
            if marked.changed:
                raise Conflict(f"quyển {book_key}: {len(marked.changed)} bản ghi được sửa trong lúc xuất, quyển sẽ được "
                               f"ghi lại (records changed while the book was written: it is written again)",
                               code="changed_while_exporting")
            maybe_crash("export_commit")
        return marked.unapproved


def _mark(conn: Connection, ids: list[int], run_id: int | None, who: str,
          versions: Mapping[int, int] | None = None) -> Marked:
    t = now()
    marked = Marked()
    for start in range(0, len(ids), CHUNK):
        chunk = sorted(set(ids[start:start + CHUNK]))
        maybe_crash("export_mark")
        current = {r.id: r for r in conn.execute(select(records.c.id, records.c.status, records.c.version)
                                                 .where(records.c.id.in_(chunk)).with_for_update())}
        changed = [i for i in chunk if versions is not None and versions.get(i) is not None
                   and int(current[i].version) != int(versions[i])]
        marked.changed += changed
        chunk = [i for i in chunk if i not in set(changed)]
        if not chunk:
            continue
        approved_ids = set(conn.execute(select(decisions.c.record_id).where(
            decisions.c.record_id.in_(chunk), decisions.c.action == ReviewAction.APPROVED)).scalars())
        first_unapproved = []
        for record_id in chunk:
            check_record_move(current[record_id].status, RecordStatus.EXPORTED)
            if record_id not in approved_ids and current[record_id].status != RecordStatus.EXPORTED:
                first_unapproved.append(record_id)
        if first_unapproved:
            conn.execute(insert(decisions), [{"record_id": i, "action": str(ReviewAction.EXPORTED_UNAPPROVED),
                                              "user_name": who[:64], "at": t, "comment": ""}
                                             for i in first_unapproved])
        conn.execute(update(records).where(records.c.id.in_(chunk)).values(
            status=str(RecordStatus.EXPORTED), updated_at=t, version=records.c.version + 1,
            lock_owner=None, lock_expires=None))
        marked.unapproved += sum(1 for i in chunk if i not in approved_ids)
        if run_id is not None:
            known = set(conn.execute(select(export_run_records.c.record_id).where(
                export_run_records.c.run_id == run_id, export_run_records.c.record_id.in_(chunk))).scalars())
            new = [{"run_id": run_id, "record_id": i, "approved": i in approved_ids} for i in chunk if i not in known]
            if new:
                conn.execute(insert(export_run_records), new)
            conn.execute(update(export_runs).where(export_runs.c.id == run_id).values(
                records=export_runs.c.records + len(new),
                unapproved=export_runs.c.unapproved + sum(1 for r in new if not r["approved"])))
    return marked
