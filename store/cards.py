"""ID-card sides: after a file is committed, its card records meet the other card records of the same inbox
folder (the same file's other pages, the files dropped beside it), each front is paired with the back that
belongs to it (extract.merge.pair_in_order: the same 12-digit number from a QR code or a verified MRZ), and
both sides are settled by each other (extract.merge.settle_sides): the QR code on one side and the MRZ on the
back give exact values the other side's OCR is checked against. What changes is written like any change,
with a field_history row, in one transaction with the link (card_sides), so the review app and the land
export read the settled values. Records a reviewer has taken (a live lock) or already moved on are linked
but left as they are; values a reviewer typed are never replaced.
"""
from __future__ import annotations

import copy
import logging
from pathlib import PurePosixPath

from sqlalchemy import Connection, and_, insert, or_, select, update

from common.doctypes import load_registry
from common.states import OPEN_STATUSES
from extract.types import FieldValue, Record
from store.engine import StoreBase, aware, now
from store.hygiene import machine_value
from store.schema import card_sides, field_history, fields, files, records

log = logging.getLogger(__name__)

WHO = "ghep-mat-the"   # field_history.who of values settled by the card's other side


def _changed(a: FieldValue | None, b: FieldValue) -> bool:
    return a is None or (a.value, a.status, a.reason, a.source) != (b.value, b.status, b.reason, b.source)


class CardQueries(StoreBase):
    def pair_card_sides(self, file_id: int) -> list[tuple[int, int]]:
        """Pair the card sides of one committed file with the unpaired card sides of its folder, settle each
        pair and link it. Returns the (front record id, back record id) pairs made."""
        with self._write() as conn:
            row = conn.execute(select(files.c.rel_path, files.c.commune, files.c.book, files.c.state)
                               .where(files.c.id == file_id)).first()
            if row is None or row.state != "done":
                return []
            has_card = conn.execute(select(records.c.id).where(and_(
                records.c.file_id == file_id, records.c.doc_type.in_(load_registry().names(family="card"))))
                .limit(1)).first()
            if has_card is None:
                return []  # a register page or a certificate: nothing to pair (and no folder scan)
            return self._pair_folder(conn, PurePosixPath(row.rel_path).parent, row.commune, row.book, file_id)

    def pair_unpaired_cards(self) -> int:
        """Pair the folders that still hold an unpaired front and an unpaired back (a run that stopped between
        a commit and its pairing). Returns how many pairs were made."""
        registry = load_registry()
        sides = {name: registry[name].type.side for name in registry.names(family="card")}
        linked = select(card_sides.c.front_id).union(select(card_sides.c.back_id))
        with self._read() as conn:
            rows = conn.execute(select(records.c.doc_type, files.c.rel_path, files.c.commune, files.c.book)
                                .join(files, files.c.id == records.c.file_id)
                                .where(and_(files.c.state == "done", records.c.doc_type.in_(list(sides)),
                                            records.c.id.not_in(linked)))).all()
        folders: dict[tuple, set[str]] = {}
        for r in rows:
            folders.setdefault((PurePosixPath(r.rel_path).parent, r.commune, r.book), set()).add(sides[r.doc_type])
        made = 0
        for (folder, commune, book), found in sorted(folders.items(), key=lambda kv: str(kv[0])):
            if {"front", "back"} <= found:
                with self._write() as conn:
                    made += len(self._pair_folder(conn, folder, commune, book, None))
        return made

    def card_other_side(self, record_id: int) -> int | None:
        """The record of the same card's other side, once paired."""
        with self._read() as conn:
            row = conn.execute(select(card_sides).where(or_(card_sides.c.front_id == record_id,
                                                            card_sides.c.back_id == record_id))).first()
        if row is None:
            return None
        return row.back_id if row.front_id == record_id else row.front_id

    def _pair_folder(self, conn: Connection, folder: PurePosixPath, commune: str, book: str,
                     file_id: int | None) -> list[tuple[int, int]]:
        """Inside the caller's transaction: the folder's unpaired card sides in drop order (file name, page),
        paired (only pairs touching `file_id` when given), settled and linked."""
        from extract.merge import pair_in_order, settle_sides
        card_types = load_registry().names(family="card")
        siblings = {f.id: f.rel_path for f in conn.execute(
            select(files.c.id, files.c.rel_path).where(and_(files.c.state == "done", files.c.commune == commune,
                                                            files.c.book == book)))
            if PurePosixPath(f.rel_path).parent == folder}
        linked = select(card_sides.c.front_id).union(select(card_sides.c.back_id))
        rows = [r for r in conn.execute(select(records).where(and_(
            records.c.file_id.in_(list(siblings)), records.c.doc_type.in_(card_types),
            records.c.id.not_in(linked)))).mappings()]
        if file_id is not None and not any(r["file_id"] == file_id for r in rows):
            return []
        rows.sort(key=lambda r: (siblings[r["file_id"]], r["record_index"]))
        loaded = [_load(conn, r) for r in rows]
        made = []
        t = now()
        for i, j, why in pair_in_order(loaded):
            if file_id is not None and file_id not in (rows[i]["file_id"], rows[j]["file_id"]):
                continue
            front, back = copy.deepcopy(loaded[i]), copy.deepcopy(loaded[j])
            settle_sides(front, back)
            for row, before, after in ((rows[i], loaded[i], front), (rows[j], loaded[j], back)):
                if _open(row, t):
                    _write_changes(conn, row["id"], before, after, t)
            conn.execute(insert(card_sides).values(front_id=rows[i]["id"], back_id=rows[j]["id"],
                                                   evidence=why[:64], linked_at=t))
            made.append((rows[i]["id"], rows[j]["id"]))
            log.info("ghép hai mặt thẻ (card sides paired): records %d (front) and %d (back)", rows[i]["id"],
                     rows[j]["id"])
        return made


def _open(row, at) -> bool:
    """Still the machine's to change: not reviewed or approved yet, and no reviewer holding it."""
    expires = aware(row["lock_expires"])
    return row["status"] in OPEN_STATUSES and not (row["lock_owner"] and expires is not None and expires > at)


def _load(conn: Connection, row) -> Record:
    rec = Record(doc_type=row["doc_type"], doc_confidence=row["doc_confidence"])
    for f in conn.execute(select(fields).where(and_(fields.c.record_id == row["id"], fields.c.owner_index.is_(None)))
                          .order_by(fields.c.id)).mappings():
        rec.fields[f["key"]] = FieldValue(f["value"], f["confidence"], f["status"], f["reason"],
                                          tuple(f["box"]) if f["box"] else None, f["page"], f["source"])
    return rec


def _write_changes(conn: Connection, record_id: int, before: Record, after: Record, t) -> None:
    """The fields the other side settled, each with its history row; the record's version moves on."""
    changed = False
    for key, fv in after.fields.items():
        old = before.fields.get(key)
        if not _changed(old, fv) or (old is not None and old.source == "reviewer"):
            continue
        fv = machine_value(key, fv)
        where = and_(fields.c.record_id == record_id, fields.c.key == key, fields.c.owner_index.is_(None))
        field_id = conn.execute(select(fields.c.id).where(where)).scalar()
        values = {"value": fv.value, "status": fv.status, "reason": fv.reason, "source": fv.source,
                  "confidence": float(fv.confidence), "updated_at": t}
        if field_id is None:
            continue  # only fields the side itself printed are settled
        conn.execute(update(fields).where(fields.c.id == field_id).values(**values))
        conn.execute(insert(field_history).values(
            field_id=field_id, record_id=record_id, who=WHO, at=t, old_value=old.value if old else "",
            new_value=fv.value, old_status=old.status if old else "", new_status=fv.status))
        changed = True
    if changed:
        conn.execute(update(records).where(records.c.id == record_id)
                     .values(updated_at=t, version=records.c.version + 1))
