"""Everything the review app reads from or writes to the store.

Single records go through `store.db.Store` methods (load_record, set_field, field_history, acquire_lock,
release_lock, set_record_status). Two things Store has no method for are written here with SQLAlchemy
Core on the store's own tables: the queue listing (records with flagged fields and their counts, one
query instead of loading every record) and the filter choices; plus the review app's own tables.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select

from review.model import (
    APPROVED,
    PENDING,
    SENT_BACK,
    SUBMITTED,
    Decision,
    HistoryEntry,
    QueueItem,
    ReviewField,
    ReviewRecord,
)
from review.tables import decisions
from review.validation import FieldDecision, normalise
from store.db import Store, StoreError
from store.schema import fields, pages, record_pages, records

OPEN_STATUSES = ("extracted", "in_review")    # store statuses a reviewer may still change
ILLEGIBLE_REASON = "người kiểm tra: không đọc được hoặc không có (reviewer: illegible or absent)"


def _aware(t: datetime | None) -> datetime | None:
    return t.replace(tzinfo=UTC) if t is not None and t.tzinfo is None else t


def field_key(owner_index: int | None, key: str) -> str:
    return key if owner_index is None else f"owners.{owner_index}.{key}"


def split_key(key: str) -> tuple[int | None, str]:
    if key.startswith("owners."):
        _, index, bare = key.split(".", 2)
        return int(index), bare
    return None, key


def state_of(status: str, last_action: str | None) -> str:
    """The review state from the store status (authoritative: export reads it) and the last decision."""
    if status in ("approved", "exported"):
        return APPROVED
    if status == "reviewed":
        return SUBMITTED
    if status == "in_review" and last_action == SENT_BACK:
        return SENT_BACK
    return PENDING


# ------------------------------------------------------------------------------------------- queue

def _last_actions(conn, record_ids: list[int]) -> dict[int, str]:
    if not record_ids:
        return {}
    latest = (select(decisions.c.record_id, func.max(decisions.c.id).label("last"))
              .where(decisions.c.record_id.in_(record_ids)).group_by(decisions.c.record_id).subquery())
    rows = conn.execute(select(decisions.c.record_id, decisions.c.action)
                        .join(latest, latest.c.last == decisions.c.id))
    return {r.record_id: r.action for r in rows}


def _needs_person():
    """SQL condition: an open record with a flagged field, sent back, or of unknown type. EXISTS lets the
    database stop at the first flagged field instead of counting every record's fields."""
    flagged = exists().where(and_(fields.c.record_id == records.c.id, fields.c.status != "accepted"))
    return and_(records.c.status.in_(OPEN_STATUSES),
                or_(flagged, records.c.status == "in_review", records.c.doc_type == "unknown"))


def _filtered(query, type: str, commune: str, book: str):
    for column, value in ((records.c.doc_type, type), (records.c.commune, commune), (records.c.book, book)):
        if value:
            query = query.where(column == value)
    return query


def queue(store: Store, *, type: str = "", commune: str = "", book: str = "", limit: int = 500) -> list[QueueItem]:
    """Open records that have needs_review/invalid fields, or were sent back; oldest first."""
    flagged = (select(func.count()).where(and_(fields.c.record_id == records.c.id, fields.c.status != "accepted"))
               .scalar_subquery().label("flagged"))
    query = (select(records.c.id, records.c.doc_type, records.c.commune, records.c.book, records.c.status,
                    records.c.lock_owner, records.c.lock_expires, flagged)
             .where(_needs_person()).order_by(records.c.id).limit(limit))
    query = _filtered(query, type, commune, book)
    now = datetime.now(UTC)
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
        actions = _last_actions(conn, [r.id for r in rows])
    items = []
    for r in rows:
        until = _aware(r.lock_expires)
        held = r.lock_owner if r.lock_owner and until and until > now else None
        items.append(QueueItem(record_id=r.id, doc_type=r.doc_type, commune=r.commune, book=r.book,
                               flagged=int(r.flagged or 0), state=state_of(r.status, actions.get(r.id)),
                               locked_by=held, lock_until=until if held else None))
    return items


def filter_options(store: Store) -> dict[str, list[str]]:
    with store.engine.connect() as conn:
        def values(column) -> list[str]:
            return [v for v in conn.execute(select(column).distinct().order_by(column)).scalars() if v]
        return {"types": values(records.c.doc_type), "communes": values(records.c.commune),
                "books": values(records.c.book)}


# ----------------------------------------------------------------------------------------- records

def _decisions(store: Store, record_id: int) -> list[Decision]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(decisions).where(decisions.c.record_id == record_id)
                            .order_by(decisions.c.id)).all()
    return [Decision(action=r.action, user=r.user_name, at=_aware(r.at), comment=r.comment) for r in rows]


def load_record(store: Store, record_id: int, *, with_history: bool = True) -> ReviewRecord | None:
    try:
        stored = store.load_record(record_id)
    except StoreError:
        return None
    decs = _decisions(store, record_id)
    history = []
    if with_history:
        history = [HistoryEntry(field_key=field_key(h.owner_index, h.key), old=h.old_value, new=h.new_value,
                                user=h.who, at=_aware(h.at))
                   for h in store.field_history(record_id)]
    row = stored.row
    # changes since the record was last sent back are what the approver and a re-reviewer look at
    changed = {h.field_key for h in history if h.old != h.new}
    out: list[ReviewField] = []
    items = [(None, k, v) for k, v in stored.record.fields.items()]
    items += [(i, k, v) for i, p in enumerate(stored.record.owners) for k, v in p.fields.items()]
    for owner_index, key, fv in items:
        full = field_key(owner_index, key)
        out.append(ReviewField(key=full, value=fv.value, status=fv.status, confidence=fv.confidence,
                               reason=fv.reason, box=tuple(fv.box) if fv.box else None, page=fv.page,
                               source=fv.source, changed=full in changed and row.status == "in_review"))
    return ReviewRecord(record_id=row.id, doc_type=row.doc_type, commune=row.commune, book=row.book,
                        status=row.status, fields=out, pages=[p.page_index for p in stored.pages],
                        history=history, decisions=decs,
                        state=state_of(row.status, decs[-1].action if decs else None),
                        page_paths={p.page_index: p.prepared_path or p.archival_path for p in stored.pages})


def page_file(store: Store, record_id: int, page_index: int) -> str | None:
    """The stored image path of one page of a record (one small query: images are asked for often)."""
    query = (select(pages.c.prepared_path, pages.c.archival_path)
             .join(record_pages, record_pages.c.page_id == pages.c.id)
             .where(and_(record_pages.c.record_id == record_id, pages.c.page_index == page_index)))
    with store.engine.connect() as conn:
        row = conn.execute(query).first()
    return (row.prepared_path or row.archival_path) if row else None


def field_box(store: Store, record_id: int, key: str) -> tuple[tuple[int, int, int, int], int] | None:
    """(box, page index) of one field, for its crop; None when the key is not a field of the record."""
    try:
        owner_index, bare = split_key(key)
    except ValueError:
        return None
    owner = fields.c.owner_index.is_(None) if owner_index is None else fields.c.owner_index == owner_index
    with store.engine.connect() as conn:
        row = conn.execute(select(fields.c.box, fields.c.page).where(
            and_(fields.c.record_id == record_id, fields.c.key == bare, owner))).first()
    if row is None or not row.box or len(row.box) != 4:
        return None
    return tuple(int(v) for v in row.box), int(row.page)


def next_open_record(store: Store, user: str, *, after: int | None = None, type: str = "", commune: str = "",
                     book: str = "") -> int | None:
    """The first queue record that nobody else holds (the reviewer's 'next' without choosing)."""
    free = or_(records.c.lock_owner.is_(None), records.c.lock_owner == user,
               records.c.lock_expires < datetime.now(UTC))
    query = select(records.c.id).where(and_(_needs_person(), free)).order_by(records.c.id).limit(1)
    if after is not None:
        query = query.where(records.c.id != after)
    with store.engine.connect() as conn:
        return conn.execute(_filtered(query, type, commune, book)).scalar()


# ------------------------------------------------------------------------------------------- locks

@dataclass
class Lock:
    ok: bool
    holder: str | None
    until: datetime | None


def lock(store: Store, record_id: int, user: str, seconds: int) -> Lock:
    """Take or renew the record's review lock; say who holds it either way."""
    ok = store.acquire_lock(record_id, user, timedelta(seconds=seconds))
    with store.engine.connect() as conn:
        row = conn.execute(select(records.c.lock_owner, records.c.lock_expires)
                           .where(records.c.id == record_id)).first()
    return Lock(ok=ok, holder=row.lock_owner if row else None, until=_aware(row.lock_expires) if row else None)


def unlock(store: Store, record_id: int, user: str) -> None:
    store.release_lock(record_id, user)


# ----------------------------------------------------------------------------------------- writing

def apply_review(store: Store, rec: ReviewRecord, choices: list[FieldDecision], user: str) -> int:
    """Write the reviewer's answers through Store.set_field (each writes its field_history row).

    A changed value is normalised (dates, codes, ID digits) and stored with source "reviewer"; a flagged
    value accepted as shown keeps its source and only changes status. Returns how many values changed."""
    changed = 0
    for choice in choices:
        current = rec.field(choice.key)
        if current is None:
            continue
        owner_index, bare = split_key(choice.key)
        if choice.state == "illegible":
            new_value, source, reason = "", "reviewer", ILLEGIBLE_REASON
        elif choice.value != current.value:
            new_value, source, reason = normalise(choice.key, choice.value, rec.doc_type), "reviewer", ""
        else:
            new_value, source, reason = current.value, current.source, ""
        if new_value == current.value and current.status == "accepted" and choice.state != "illegible":
            continue
        store.set_field(rec.record_id, bare, new_value, who=user, owner_index=owner_index,
                        status="accepted", source=source, reason=reason)
        changed += new_value != current.value
    return changed


def add_decision(store: Store, record_id: int, action: str, user: str, comment: str = "") -> None:
    """Log the decision and move the record's store status along (reviewed / approved / in_review)."""
    status = {SUBMITTED: "reviewed", APPROVED: "approved", SENT_BACK: "in_review"}[action]
    with store.engine.begin() as conn:
        conn.execute(decisions.insert().values(record_id=record_id, action=action, user_name=user,
                                               at=datetime.now(UTC), comment=comment))
    store.set_record_status(record_id, status)


def approval_candidates(store: Store, limit: int = 200) -> list[ReviewRecord]:
    """Records waiting for an approver: reviewed ones, and extracted ones with no flagged field at all
    (the machine read everything; a person still signs off before export)."""
    flagged = exists().where(and_(fields.c.record_id == records.c.id, fields.c.status != "accepted"))
    machine_only = and_(records.c.status == "extracted", records.c.doc_type != "unknown", ~flagged)
    query = (select(records.c.id).where(or_(records.c.status == "reviewed", machine_only))
             .order_by(records.c.id).limit(limit))
    with store.engine.connect() as conn:
        ids = list(conn.execute(query).scalars())
    return [r for r in (load_record(store, i) for i in ids) if r is not None]


def value_changes(rec: ReviewRecord) -> list[HistoryEntry]:
    """The corrections since the last approval decision (old → new), for the approver."""
    since = max((d.at for d in rec.decisions if d.action == SENT_BACK), default=None)
    return [h for h in rec.history if h.old != h.new and (since is None or h.at >= since)]


def touched_by(rec: ReviewRecord, user: str) -> bool:
    """Did `user` correct or submit this record? (then they may not approve it: two-person rule)"""
    return any(h.user == user for h in rec.history) or any(
        d.user == user for d in rec.decisions if d.action == SUBMITTED)
