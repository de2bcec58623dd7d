"""The review queue, record locks, and the two writes of the two-person check — a reviewer's save and an
approver's decision — each ONE transaction that checks before it writes:

- the record is still open (a save) or still awaiting approval (a decision),
- nobody else holds a live lock on it, and
- its version is the one the person's form was made from (a save or decision built on what someone else has
  since changed is refused: no lost update),

then writes every field change with its history row, the decision row and the new status, and bumps the
version. A failure or a kill anywhere inside leaves all of it or none of it (tests/test_review_faults.py).
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import Connection, and_, exists, func, insert, or_, select, update

from common.crashpoints import maybe_crash
from common.errors import Conflict, StoreError
from common.states import (
    ACTION_STATUS,
    OPEN_STATUSES,
    FieldStatus,
    RecordStatus,
    ReviewAction,
    check_record_move,
)
from store.engine import StoreBase, aware, now
from store.hygiene import person_value
from store.records import write_field
from store.schema import FLAGGED, decisions, fields, pages, record_pages, records
from store.types import DecisionRow, FieldChange, LockState, QueueRow

MAX_RECORD_ID = 2**62  # ids past this cannot exist; a larger ?after= is refused before SQL sees it


def _flagged():
    return exists().where(and_(fields.c.record_id == records.c.id, FLAGGED))


def needs_person():
    """SQL condition: an open record with a flagged field, sent back, or of unknown type. EXISTS lets the
    database stop at the first flagged field instead of counting every record's fields."""
    return and_(records.c.status.in_([str(s) for s in OPEN_STATUSES]),
                or_(_flagged(), records.c.status == RecordStatus.IN_REVIEW, records.c.doc_type == "unknown"))


def machine_only():
    """SQL condition: read entirely by the machine (nothing flagged, type known): waits for an approver."""
    return and_(records.c.status == RecordStatus.EXTRACTED, records.c.doc_type != "unknown", ~_flagged())


def _filtered(query, type: str, commune: str, book: str):
    for column, value in ((records.c.doc_type, type), (records.c.commune, commune), (records.c.book, book)):
        if value:
            query = query.where(column == value)
    return query


def _free_for(user: str, t):
    return or_(records.c.lock_owner.is_(None), records.c.lock_owner == user, records.c.lock_expires < t)


class ReviewQueries(StoreBase):
    # ------------------------------------------------------------------------------------------- reading

    def review_queue(self, *, type: str = "", commune: str = "", book: str = "", limit: int = 500) -> list[QueueRow]:
        """Open records that need a person, oldest first, with their flagged-field count and live lock."""
        flagged = (select(func.count()).where(and_(fields.c.record_id == records.c.id,
                                                   fields.c.status != FieldStatus.ACCEPTED))
                   .scalar_subquery().label("flagged"))
        query = (select(records.c.id, records.c.doc_type, records.c.commune, records.c.book, records.c.status,
                        records.c.lock_owner, records.c.lock_expires, flagged)
                 .where(needs_person()).order_by(records.c.id).limit(limit))
        t = now()
        with self._read() as conn:
            rows = conn.execute(_filtered(query, type, commune, book)).all()
            last = self._last_actions(conn, [r.id for r in rows])
        out = []
        for r in rows:
            until = aware(r.lock_expires)
            live = bool(r.lock_owner) and until is not None and until > t
            out.append(QueueRow(r.id, r.doc_type, r.commune, r.book, r.status, int(r.flagged or 0),
                                r.lock_owner if live else None, until if live else None, last.get(r.id)))
        return out

    @staticmethod
    def _last_actions(conn: Connection, record_ids: list[int]) -> dict[int, str]:
        if not record_ids:
            return {}
        latest = (select(decisions.c.record_id, func.max(decisions.c.id).label("last"))
                  .where(decisions.c.record_id.in_(record_ids)).group_by(decisions.c.record_id).subquery())
        rows = conn.execute(select(decisions.c.record_id, decisions.c.action)
                            .join(latest, latest.c.last == decisions.c.id))
        return {r.record_id: r.action for r in rows}

    def review_filter_options(self) -> dict[str, list[str]]:
        """Types, communes and books the records hold: one GROUP BY read from the (type, commune, book) index
        (a province's backlog has a few thousand books among millions of records)."""
        with self._read() as conn:
            groups = conn.execute(select(records.c.doc_type, records.c.commune, records.c.book)
                                  .group_by(records.c.doc_type, records.c.commune, records.c.book)).all()
        return {"types": sorted({t for t, _, _ in groups if t}), "communes": sorted({c for _, c, _ in groups if c}),
                "books": sorted({b for _, _, b in groups if b})}

    def decisions_of(self, record_id: int) -> list[DecisionRow]:
        with self._read() as conn:
            rows = conn.execute(select(decisions).where(decisions.c.record_id == record_id)
                                .order_by(decisions.c.id)).all()
        return [DecisionRow(r.record_id, r.action, r.user_name, aware(r.at), r.comment) for r in rows]

    def page_file(self, record_id: int, page_index: int) -> str | None:
        """The stored image path of one page of a record (one small query: images are asked for often)."""
        query = (select(pages.c.prepared_path, pages.c.archival_path)
                 .join(record_pages, record_pages.c.page_id == pages.c.id)
                 .where(and_(record_pages.c.record_id == record_id, pages.c.page_index == page_index)))
        with self._read() as conn:
            row = conn.execute(query).first()
        return (row.prepared_path or row.archival_path) if row else None

    def page_files(self) -> set[str]:
        """Every page image path the store has recorded (the image route serves nothing else)."""
        with self._read() as conn:
            rows = conn.execute(select(pages.c.prepared_path, pages.c.archival_path)).all()
        return {p for r in rows for p in r if p}

    def field_box(self, record_id: int, owner_index: int | None, key: str) -> tuple[tuple[int, int, int, int], int] | None:
        """(box, page index) of one field, for its crop; None when the record has no such field or box."""
        owner = fields.c.owner_index.is_(None) if owner_index is None else fields.c.owner_index == owner_index
        with self._read() as conn:
            row = conn.execute(select(fields.c.box, fields.c.page).where(
                and_(fields.c.record_id == record_id, fields.c.key == key, owner))).first()
        if row is None or not row.box or len(row.box) != 4:
            return None
        return tuple(int(v) for v in row.box), int(row.page)

    def next_open_record(self, user: str, *, after: int | None = None, type: str = "", commune: str = "",
                         book: str = "") -> int | None:
        """The first queue record nobody else holds (what `next` would claim), without claiming it."""
        query = select(records.c.id).where(and_(needs_person(), _free_for(user, now()))).order_by(records.c.id)
        if after is not None and 0 <= after < MAX_RECORD_ID:
            query = query.where(records.c.id != after)
        with self._read() as conn:
            return conn.execute(_filtered(query.limit(1), type, commune, book)).scalar()

    def approval_candidate_ids(self, limit: int = 200) -> list[int]:
        """Records waiting for an approver: reviewed ones, and machine-only ones (a person still signs off)."""
        query = (select(records.c.id).where(or_(records.c.status == RecordStatus.REVIEWED, machine_only()))
                 .order_by(records.c.id).limit(limit))
        with self._read() as conn:
            return list(conn.execute(query).scalars())

    def awaits_approval(self, record_id: int) -> bool:
        with self._read() as conn:
            return conn.execute(select(records.c.id).where(and_(
                records.c.id == record_id, or_(records.c.status == RecordStatus.REVIEWED, machine_only())))
            ).first() is not None

    # --------------------------------------------------------------------------------------------- locks

    def lock_state(self, record_id: int, user: str = "") -> LockState:
        with self._read() as conn:
            row = conn.execute(select(records.c.lock_owner, records.c.lock_expires)
                               .where(records.c.id == record_id)).first()
        if row is None:
            return LockState(False, None, None)
        until = aware(row.lock_expires)
        live = bool(row.lock_owner) and until is not None and until > now()
        holder = row.lock_owner if live else None
        return LockState(bool(user) and holder == user, holder, until if live else None)

    def claim_record(self, record_id: int, user: str, ttl: timedelta) -> LockState:
        """Take or renew the review lock of an open record; say who holds it either way."""
        t = now()
        with self._write() as conn:
            maybe_crash("review_claim")
            conn.execute(update(records).where(and_(
                records.c.id == record_id, records.c.status.in_([str(s) for s in OPEN_STATUSES]),
                _free_for(user, t))).values(lock_owner=user, lock_expires=t + ttl))
        return self.lock_state(record_id, user)

    def claim_next(self, user: str, ttl: timedelta, *, after: int | None = None, type: str = "",
                   commune: str = "", book: str = "") -> int | None:
        """Find the next free queue record and lock it to `user` in one transaction (two reviewers pressing
        'next' together get two different records). None when the queue holds nothing free."""
        t = now()
        with self._write() as conn:
            query = select(records.c.id).where(and_(needs_person(), _free_for(user, t))).order_by(records.c.id)
            if after is not None and 0 <= after < MAX_RECORD_ID:
                query = query.where(records.c.id != after)
            found = conn.execute(_filtered(query.limit(1), type, commune, book).with_for_update(skip_locked=True)
                                 ).scalar()
            if found is None:
                return None
            maybe_crash("review_claim")
            conn.execute(update(records).where(records.c.id == found).values(lock_owner=user, lock_expires=t + ttl))
        return found

    def acquire_lock(self, record_id: int, owner: str, ttl: timedelta = timedelta(minutes=15)) -> bool:
        """Take (or renew) the lock whatever the record's status (tests, tools). False when someone else holds
        an unexpired lock."""
        t = now()
        with self._write() as conn:
            result = conn.execute(update(records).where(and_(records.c.id == record_id, _free_for(owner, t)))
                                  .values(lock_owner=owner, lock_expires=t + ttl))
            return result.rowcount == 1

    def release_lock(self, record_id: int, owner: str) -> None:
        with self._write() as conn:
            conn.execute(update(records).where(and_(records.c.id == record_id, records.c.lock_owner == owner))
                         .values(lock_owner=None, lock_expires=None))

    # -------------------------------------------------------------------------------------------- writes

    def save_review(self, record_id: int, user: str, changes: Sequence[FieldChange], *,
                    expected_version: int | None) -> int:
        """A reviewer's save: every field change with its history row, the `submitted` decision and the
        `reviewed` status, in one transaction — or Conflict/StoreError and nothing written. Returns the new
        version. Values cross store.hygiene (a too-long value refuses the whole save)."""
        cleaned = [FieldChange(c.key, c.owner_index, person_value(c.key, c.value), c.status, c.source, c.reason)
                   for c in changes]
        t = now()
        with self._write() as conn:
            row = self._row_for_update(conn, record_id)
            if row.status not in OPEN_STATUSES:
                raise Conflict("bản ghi đã được kiểm tra hoặc phê duyệt trong lúc bạn sửa; không lưu "
                               "(the record was reviewed or approved meanwhile: not saved)", code="not_open")
            holder = self._live_holder(row, t)
            if holder not in (None, user):
                raise Conflict(f"bản ghi đang được {holder} kiểm tra; không lưu (taken by {holder}: not saved)",
                               code="taken")
            self._check_version(row, expected_version)
            for change in cleaned:
                maybe_crash("review_field")
                write_field(conn, record_id, change.owner_index, change.key, change.value, who=user,
                            status=change.status, source=change.source, reason=change.reason)
            maybe_crash("review_decision")
            version = self._decide(conn, row, ReviewAction.SUBMITTED, user, "", t)
            maybe_crash("review_commit")
        maybe_crash("review_saved")
        return version

    def decide(self, record_id: int, action: ReviewAction, user: str, comment: str = "", *,
               expected_version: int | None = None) -> int:
        """An approver's decision (approve / send back) on a record still awaiting approval, in one
        transaction. Returns the new version."""
        if action not in (ReviewAction.APPROVED, ReviewAction.SENT_BACK):
            raise StoreError(f"không phải quyết định phê duyệt: {action} (not an approval decision)",
                             code="bad_action")
        comment = person_value("comment", comment)
        t = now()
        with self._write() as conn:
            row = self._row_for_update(conn, record_id)
            waiting = row.status == RecordStatus.REVIEWED or (
                row.status == RecordStatus.EXTRACTED and row.doc_type != "unknown" and conn.execute(
                    select(func.count()).where(and_(fields.c.record_id == record_id,
                                                    fields.c.status != FieldStatus.ACCEPTED))).scalar() == 0)
            if not waiting:
                raise Conflict("bản ghi không còn chờ phê duyệt (the record is no longer waiting for approval)",
                               code="not_waiting")
            self._check_version(row, expected_version)
            maybe_crash("approval")
            version = self._decide(conn, row, action, user, comment, t)
            maybe_crash("approval_commit")
        return version

    # ------------------------------------------------------------------------------------------ helpers

    @staticmethod
    def _row_for_update(conn: Connection, record_id: int):
        row = conn.execute(select(records).where(records.c.id == record_id).with_for_update()).first()
        if row is None:
            raise StoreError(f"không có bản ghi {record_id} (no record {record_id})", code="no_record")
        return row

    @staticmethod
    def _live_holder(row, t) -> str | None:
        until = aware(row.lock_expires)
        return row.lock_owner if row.lock_owner and until is not None and until > t else None

    @staticmethod
    def _check_version(row, expected: int | None) -> None:
        if expected is not None and int(row.version) != int(expected):
            raise Conflict("bản ghi đã được người khác thay đổi từ khi bạn mở; tải lại để xem, phần bạn nhập vẫn "
                           "còn trong biểu mẫu (someone changed the record since you opened it: reload to see; "
                           "what you typed is still in the form)", code="stale")

    @staticmethod
    def _decide(conn: Connection, row, action: ReviewAction, user: str, comment: str, t) -> int:
        status = check_record_move(row.status, ACTION_STATUS[action])
        conn.execute(insert(decisions).values(record_id=row.id, action=str(action), user_name=user, at=t,
                                              comment=comment))
        version = int(row.version) + 1
        firsts = {}
        if action == ReviewAction.SUBMITTED:
            firsts["first_submitted_at"] = func.coalesce(records.c.first_submitted_at, t)
        elif action == ReviewAction.APPROVED:
            firsts["first_approved_at"] = func.coalesce(records.c.first_approved_at, t)
        conn.execute(update(records).where(records.c.id == row.id).values(
            status=str(status), version=version, lock_owner=None, lock_expires=None, updated_at=t, **firsts))
        return version
