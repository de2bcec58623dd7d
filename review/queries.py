"""What the review views show, built from the store: the queue, a record with its history and decisions,
and the reviewer's form turned into the field changes of ONE store transaction (store/review.py). No SQL
here: the store owns the database."""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from common.errors import StoreError
from common.states import ReviewAction
from review.model import (
    APPROVED,
    EXPORTED_UNAPPROVED,
    PENDING,
    SENT_BACK,
    SUBMITTED,
    Decision,
    HistoryEntry,
    QueueItem,
    ReviewField,
    ReviewRecord,
)
from review.validation import FieldDecision, normalise
from store.db import Store
from store.types import FieldChange

ILLEGIBLE_REASON = "người kiểm tra: không đọc được hoặc không có (reviewer: illegible or absent)"


def field_key(owner_index: int | None, key: str) -> str:
    return key if owner_index is None else f"owners.{owner_index}.{key}"


def split_key(key: str) -> tuple[int | None, str]:
    """("owners.<i>.<key>" -> (i, key); ValueError for a malformed owner key."""
    if key.startswith("owners."):
        _, index, bare = key.split(".", 2)
        return int(index), bare
    return None, key


def state_of(status: str, last_action: str | None, approved_once: bool = True) -> str:
    """The review state from the store status (authoritative: export reads it) and the decisions."""
    if status == "exported" and not approved_once:
        return EXPORTED_UNAPPROVED
    if status in ("approved", "exported"):
        return APPROVED
    if status == "reviewed":
        return SUBMITTED
    if status == "in_review" and last_action == SENT_BACK:
        return SENT_BACK
    return PENDING


# ------------------------------------------------------------------------------------------- queue

def queue(store: Store, *, type: str = "", commune: str = "", book: str = "", limit: int = 500) -> list[QueueItem]:
    return [QueueItem(record_id=r.id, doc_type=r.doc_type, commune=r.commune, book=r.book, flagged=r.flagged,
                      state=state_of(r.status, r.last_action), locked_by=r.lock_owner, lock_until=r.lock_expires)
            for r in store.review_queue(type=type, commune=commune, book=book, limit=limit)]


OPTIONS_SECONDS = 60.0
_options: dict[str, tuple[float, dict[str, list[str]]]] = {}


def filter_options(store: Store) -> dict[str, list[str]]:
    """The queue's filter lists, kept a minute per store: reading them goes over every record (a good part of
    a second on a province's backlog), and a new commune or book may wait that long to be offered."""
    now = time.monotonic()
    cached = _options.get(store.url)
    if cached is not None and now - cached[0] < OPTIONS_SECONDS:
        return cached[1]
    options = store.review_filter_options()
    _options[store.url] = (now, options)
    return options


# ----------------------------------------------------------------------------------------- records

def load_record(store: Store, record_id: int, *, with_history: bool = True) -> ReviewRecord | None:
    try:
        stored = store.load_record(record_id)
    except StoreError:
        return None
    decs = [Decision(action=d.action, user=d.user, at=d.at, comment=d.comment) for d in store.decisions_of(record_id)]
    history = []
    if with_history:
        history = [HistoryEntry(field_key=field_key(h.owner_index, h.key), old=h.old_value, new=h.new_value,
                                user=h.who, at=h.at)
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
    approved_once = any(d.action == APPROVED for d in decs)
    return ReviewRecord(record_id=row.id, doc_type=row.doc_type, commune=row.commune, book=row.book,
                        status=row.status, fields=out, pages=[p.page_index for p in stored.pages],
                        history=history, decisions=decs,
                        state=state_of(row.status, decs[-1].action if decs else None, approved_once),
                        page_paths={p.page_index: p.prepared_path or p.archival_path for p in stored.pages},
                        version=row.version)


def page_file(store: Store, record_id: int, page_index: int) -> str | None:
    return store.page_file(record_id, page_index)


def field_box(store: Store, record_id: int, key: str) -> tuple[tuple[int, int, int, int], int] | None:
    """(box, page index) of one field, for its crop; None when the key is not a field of the record."""
    try:
        owner_index, bare = split_key(key)
    except ValueError:
        return None
    return store.field_box(record_id, owner_index, bare)


def next_open_record(store: Store, user: str, *, after: int | None = None, **filters: str) -> int | None:
    return store.next_open_record(user, after=after, **filters)


# ------------------------------------------------------------------------------------------- locks

@dataclass
class Lock:
    ok: bool
    holder: str | None
    until: datetime | None


def lock_state(store: Store, record_id: int, user: str) -> Lock:
    state = store.lock_state(record_id, user)
    return Lock(state.ok, state.holder, state.until)


def claim(store: Store, record_id: int, user: str, seconds: int) -> Lock:
    """Take or renew the record's review lock (a deliberate act: a POST, never merely opening the page)."""
    state = store.claim_record(record_id, user, timedelta(seconds=seconds))
    return Lock(state.ok, state.holder, state.until)


def claim_next(store: Store, user: str, seconds: int, *, after: int | None = None, **filters: str) -> int | None:
    return store.claim_next(user, timedelta(seconds=seconds), after=after, **filters)


def unlock(store: Store, record_id: int, user: str) -> None:
    store.release_lock(record_id, user)


# ----------------------------------------------------------------------------------------- writing

def changes_for(rec: ReviewRecord, choices: list[FieldDecision]) -> list[FieldChange]:
    """The reviewer's answers as field changes: a changed value normalised (dates, codes, ID digits) with
    source "reviewer"; a flagged value accepted as shown keeps its source and only changes status; "illegible"
    stores an empty value with the reason. Unchanged accepted fields are left alone."""
    out: list[FieldChange] = []
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
        out.append(FieldChange(bare, owner_index, new_value, "accepted", source, reason))
    return out


def save_review(store: Store, rec: ReviewRecord, choices: list[FieldDecision], user: str,
                expected_version: int | None) -> int:
    """Write the whole save in one store transaction. Returns how many values changed."""
    changes = changes_for(rec, choices)
    store.save_review(rec.record_id, user, changes, expected_version=expected_version)
    return sum(1 for c in changes if c.value != rec.field(field_key(c.owner_index, c.key)).value)


def decide(store: Store, record_id: int, action: str, user: str, comment: str = "",
           expected_version: int | None = None) -> None:
    store.decide(record_id, ReviewAction(action), user, comment, expected_version=expected_version)


def approval_candidates(store: Store, limit: int = 200) -> list[ReviewRecord]:
    """Records waiting for an approver: reviewed ones, and extracted ones with no flagged field at all
    (the machine read everything; a person still signs off before export)."""
    return [r for r in (load_record(store, i) for i in store.approval_candidate_ids(limit)) if r is not None]


def value_changes(rec: ReviewRecord) -> list[HistoryEntry]:
    """The corrections since the last approval decision (old → new), for the approver."""
    since = max((d.at for d in rec.decisions if d.action == SENT_BACK), default=None)
    return [h for h in rec.history if h.old != h.new and (since is None or h.at >= since)]


def touched_by(rec: ReviewRecord, user: str) -> bool:
    """Did `user` correct or submit this record? (then they may not approve it: two-person rule)"""
    return any(h.user == user for h in rec.history) or any(
        d.user == user for d in rec.decisions if d.action == SUBMITTED)
