"""What the review views show: plain dataclasses filled from the store by review.queries."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

Box = tuple[int, int, int, int]

# Review states of a record, from its store status and its review_decisions (none yet = "pending").
PENDING, SUBMITTED, APPROVED, SENT_BACK = "pending", "submitted", "approved", "sent_back"
EXPORTED_UNAPPROVED = "exported_unapproved"
STATE_LABELS = {
    PENDING: "Chờ kiểm tra",
    SUBMITTED: "Đã kiểm tra, chờ phê duyệt",
    APPROVED: "Đã phê duyệt",
    SENT_BACK: "Bị trả lại",
    EXPORTED_UNAPPROVED: "Đã xuất khi CHƯA phê duyệt",
}


@dataclass
class QueueItem:
    record_id: int
    doc_type: str
    commune: str
    book: str
    flagged: int
    state: str = PENDING
    locked_by: str | None = None
    lock_until: datetime | None = None


@dataclass
class ReviewField:
    key: str                  # store field key; owner fields are "owners.<i>.<key>"
    value: str
    status: str               # accepted | needs_review | invalid
    confidence: float = 1.0
    reason: str = ""
    box: Box | None = None
    page: int = 0
    source: str = "ocr"
    changed: bool = False     # changed by a reviewer (shown to approvers, re-flagged when sent back)

    @property
    def flagged(self) -> bool:
        return self.status != "accepted"


@dataclass
class HistoryEntry:
    field_key: str
    old: str
    new: str
    user: str
    at: datetime


@dataclass
class Decision:
    action: str
    user: str
    at: datetime
    comment: str = ""


@dataclass
class ReviewRecord:
    record_id: int
    doc_type: str
    commune: str
    book: str
    status: str
    fields: list[ReviewField] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    state: str = PENDING
    page_paths: dict[int, str] = field(default_factory=dict)   # page index -> stored image path
    version: int = 0          # the store's record version this view was made from (no lost update)

    @property
    def awaiting_approval(self) -> bool:
        """Reviewed, or read entirely by the machine (nothing flagged): an approver signs off next."""
        machine_only = (self.status == "extracted" and self.doc_type != "unknown"
                        and not any(f.flagged for f in self.fields))
        return self.state == SUBMITTED or machine_only

    @property
    def submitted_by(self) -> str:
        return next((d.user for d in reversed(self.decisions) if d.action == SUBMITTED), "")

    def field(self, key: str) -> ReviewField | None:
        return next((f for f in self.fields if f.key == key), None)
