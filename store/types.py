"""What the store hands out: plain rows as dataclasses, so callers never touch SQLAlchemy rows."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from extract.types import Record


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


@dataclass
class StoredRecord:
    """A record as the review and export stages need it: its row, the extract.types.Record rebuilt from
    the fields table (owners in order), and its pages in order."""
    row: RecordRow
    record: Record
    pages: list[PageRow]
    field_ids: dict[tuple[int | None, str], int] = field(default_factory=dict)  # (owner_index, key) -> id


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
