"""What the store hands out: plain rows as dataclasses, so callers never touch SQLAlchemy rows."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from extract.types import FieldValue, Record


@dataclass
class FileRow:
    id: int
    content_hash: str
    size: int
    origin_path: str
    rel_path: str
    kind_hint: str
    commune: str
    book: str
    state: str
    attempts: int
    reason_code: str
    reason: str
    duplicate_of: int | None
    dest_path: str
    received_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    moved_at: datetime | None
    updated_at: datetime
    claimed_by: str | None = None          # the workstation working on it (store/files.py, claims)
    lease_expires: datetime | None = None


@dataclass(frozen=True)
class Claim:
    """Who works on a file and for how long without renewing: a workstation's (hot-folder runner's) name
    for itself and its lease (store/files.py)."""
    owner: str
    lease: timedelta


@dataclass
class PageData:
    """A prepared page to store: written by the pipeline before the commit."""
    page_index: int
    prepared_path: str = ""
    archival_path: str = ""
    quality: dict[str, Any] = field(default_factory=dict)


@dataclass
class PageRow:
    id: int
    file_id: int
    page_index: int
    prepared_path: str
    archival_path: str
    quality: dict[str, Any]


@dataclass
class RecordRow:
    id: int
    file_id: int
    record_index: int
    doc_type: str
    commune: str
    book: str
    status: str
    doc_confidence: float
    reason: str
    lock_owner: str | None
    lock_expires: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int = 0
    first_submitted_at: datetime | None = None
    first_approved_at: datetime | None = None


@dataclass
class StoredRecord:
    """A record as the review and export stages need it: its row, the extract.types.Record rebuilt from
    the fields table (owners in order), and its pages in order."""
    row: RecordRow
    record: Record
    pages: list[PageRow]
    field_ids: dict[tuple[int | None, str], int] = field(default_factory=dict)  # (owner_index, key) -> id


@dataclass
class BookRecord:
    """What an export reads of one record of a book (RecordQueries.load_book_export): status and version from
    the same read as the fields, the record's own fields (no owners), its pages' archival paths in order."""
    id: int
    status: str
    version: int
    fields: dict[str, FieldValue]
    page_paths: list[str]


@dataclass
class HistoryRow:
    id: int
    field_id: int
    record_id: int
    key: str
    owner_index: int | None
    who: str
    at: datetime
    old_value: str
    new_value: str
    old_status: str
    new_status: str


@dataclass
class QueueRow:
    """One record of the review queue: open, with flagged fields (or sent back, or of unknown type)."""
    id: int
    doc_type: str
    commune: str
    book: str
    status: str
    flagged: int
    lock_owner: str | None        # only while the lock is live
    lock_expires: datetime | None
    last_action: str | None


@dataclass
class DecisionRow:
    record_id: int
    action: str                   # common.states.ReviewAction
    user: str
    at: datetime
    comment: str = ""


@dataclass
class LockState:
    ok: bool                      # the asking user holds the lock now
    holder: str | None
    until: datetime | None


@dataclass
class FieldChange:
    """What one review save does to one field: the value (already normalised by the review stage), its new
    status, source and reason."""
    key: str
    owner_index: int | None
    value: str
    status: str = "accepted"
    source: str = "reviewer"
    reason: str = ""


@dataclass
class UserRow:
    name: str
    role: str
    password_hash: str
    disabled: bool
    session_epoch: int
    created_at: datetime


@dataclass
class AuditRow:
    id: int
    at: datetime
    actor: str
    action: str
    subject: str
    detail: dict[str, Any]


@dataclass
class ExportRunRow:
    id: int
    started_at: datetime
    finished_at: datetime | None
    who: str
    command: str
    options: dict[str, Any]
    files: list[str]
    records: int
    unapproved: int
