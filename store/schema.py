"""The store's tables, described once with SQLAlchemy Core so SQLite (default) and PostgreSQL share them.

The alembic revisions in store/migrations/versions create these tables; this module is what the code
queries with — every table of the store, the review app's and the exporters' included, since only store/
talks to the database. Keep the two in step: a column added here needs a new revision there.
"""
from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    literal_column,
    text,
)

from common.states import FileState, RecordStatus

metadata = MetaData()

FILE_STATES = tuple(FileState)
RECORD_STATUSES = tuple(RecordStatus)

# One row per file seen in the inbox. A re-dropped copy gets its own row with state "duplicate" and
# duplicate_of pointing at the first; only first copies are unique by content hash.
files = Table(
    "files", metadata,
    Column("id", Integer, primary_key=True),
    Column("content_hash", String(64), nullable=False),
    Column("size", Integer, nullable=False, default=0),
    Column("origin_path", Text, nullable=False),      # where it was found, as spelled on disk
    Column("rel_path", Text, nullable=False),         # NFC, relative to inbox/, the key for the hint
    Column("kind_hint", String(16), nullable=False, default="auto"),
    Column("commune", String(128), nullable=False, default=""),
    Column("book", String(128), nullable=False, default=""),
    Column("state", String(16), nullable=False, default="received"),
    Column("attempts", Integer, nullable=False, default=0),
    Column("reason_code", String(32), nullable=False, default=""),
    Column("reason", Text, nullable=False, default=""),
    Column("duplicate_of", Integer, ForeignKey("files.id"), nullable=True),
    Column("dest_path", Text, nullable=False, default=""),  # where it was moved (done/ or quarantine/)
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=True),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("moved_at", DateTime(timezone=True), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # the workstation working on the file, and until when its claim holds without renewal (0006)
    Column("claimed_by", String(96), nullable=True),
    Column("lease_expires", DateTime(timezone=True), nullable=True),
    Index("ix_files_state", "state"),
    Index("ix_files_rel_path", "rel_path"),
    Index("ix_files_hash", "content_hash"),
    Index("ux_files_first_copy", "content_hash", unique=True,
          sqlite_where=text("duplicate_of IS NULL"), postgresql_where=text("duplicate_of IS NULL")),
    Index("ux_files_unmoved_path", "rel_path", "content_hash", unique=True,
          sqlite_where=text("moved_at IS NULL"), postgresql_where=text("moved_at IS NULL")),
    Index("ix_files_claimed_by", "claimed_by"),
    Index("ix_files_received", "received_at", "commune", "duplicate_of"),
    Index("ix_files_finished", "finished_at", "state", "commune", "id"),
    Index("ix_files_book_state", "commune", "book", "state"),
    Index("ix_files_state_reason", "state", "reason_code", "reason"),
)

pages = Table(
    "pages", metadata,
    Column("id", Integer, primary_key=True),
    Column("file_id", Integer, ForeignKey("files.id", ondelete="CASCADE"), nullable=False),
    Column("page_index", Integer, nullable=False),
    Column("prepared_path", Text, nullable=False, default=""),  # OCR image (grey/binary)
    Column("archival_path", Text, nullable=False, default=""),  # colour image for PDFs
    Column("quality", JSON, nullable=False, default=dict),
    UniqueConstraint("file_id", "page_index", name="uq_pages_file_index"),
)

records = Table(
    "records", metadata,
    Column("id", Integer, primary_key=True),
    Column("file_id", Integer, ForeignKey("files.id", ondelete="CASCADE"), nullable=False),
    Column("record_index", Integer, nullable=False),  # position within its file: the idempotency key
    Column("doc_type", String(32), nullable=False),
    Column("commune", String(128), nullable=False, default=""),
    Column("book", String(128), nullable=False, default=""),
    Column("status", String(16), nullable=False, default="extracted"),
    Column("doc_confidence", Float, nullable=False, default=0.0),
    Column("reason", Text, nullable=False, default=""),
    Column("lock_owner", String(64), nullable=True),
    Column("lock_expires", DateTime(timezone=True), nullable=True),
    # bumped by every change a person makes (review save, approval, export): a form posted against an older
    # version is refused instead of overwriting what someone else saved in between (no lost update)
    Column("version", Integer, nullable=False, default=0, server_default="0"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # when a reviewer first saved it and when it was first approved: written with the decision row, read by
    # the progress report (counting by day from the records, not from millions of decisions) (0007)
    Column("first_submitted_at", DateTime(timezone=True), nullable=True),
    Column("first_approved_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("file_id", "record_index", name="uq_records_file_index"),
    Index("ix_records_status", "status"),
    Index("ix_records_book", "commune", "book"),
    Index("ix_records_type_book", "doc_type", "commune", "book"),
    Index("ix_records_created", "created_at", "commune"),
    Index("ix_records_first_submitted", "first_submitted_at", "commune"),
    Index("ix_records_first_approved", "first_approved_at", "commune"),
    Index("ix_records_status_updated", "status", "updated_at", "commune"),
    Index("ix_records_report", "commune", "status", "first_approved_at"),
)

record_pages = Table(
    "record_pages", metadata,
    Column("record_id", Integer, ForeignKey("records.id", ondelete="CASCADE"), primary_key=True),
    Column("page_id", Integer, ForeignKey("pages.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, nullable=False, default=0),
)

# owner_index is NULL for a record's own fields and 0.. for the GCN owners (chuSuDung) in order.
fields = Table(
    "fields", metadata,
    Column("id", Integer, primary_key=True),
    Column("record_id", Integer, ForeignKey("records.id", ondelete="CASCADE"), nullable=False),
    Column("key", String(64), nullable=False),
    Column("owner_index", Integer, nullable=True),
    Column("value", Text, nullable=False, default=""),
    Column("confidence", Float, nullable=False, default=0.0),
    Column("status", String(16), nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Column("box", JSON, nullable=True),
    Column("page", Integer, nullable=False, default=0),
    Column("source", String(16), nullable=False, default="ocr"),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_fields_record", "record_id"),
    Index("ix_fields_nine_chars", "key", "record_id", "owner_index", "value", sqlite_where=text("length(value) = 9"),
          postgresql_where=text("length(value) = 9")),
    Index("ix_fields_flagged", "record_id", sqlite_where=text("status <> 'accepted'"),
          postgresql_where=text("status <> 'accepted'")),
)

# The partial indexes' conditions, written as literals in queries: a database proves a partial index usable
# only against the same constant, not against a bound parameter (SQLite never does with one).
FLAGGED = fields.c.status != literal_column("'accepted'")
NINE_CHARS = func.length(fields.c.value) == literal_column("9")

field_history = Table(
    "field_history", metadata,
    Column("id", Integer, primary_key=True),
    Column("field_id", Integer, ForeignKey("fields.id", ondelete="CASCADE"), nullable=False),
    Column("record_id", Integer, ForeignKey("records.id", ondelete="CASCADE"), nullable=False),
    Column("who", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("old_value", Text, nullable=False, default=""),
    Column("new_value", Text, nullable=False, default=""),
    Column("old_status", String(16), nullable=False, default=""),
    Column("new_status", String(16), nullable=False, default=""),
    Index("ix_field_history_record", "record_id"),
)


# ------------------------------------------------------------------ review, accounts, audit (0002, 0004)

ROLES = ("operator", "reviewer", "approver", "admin")

users = Table(
    "review_users", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(256), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False, server_default=text("false")),
    # bumped by a password reset, a role change or disabling: every session issued before is ended
    Column("session_epoch", Integer, nullable=False, default=0, server_default="0"),
    Column("updated_at", DateTime(timezone=True), nullable=True),
)

# One row per decision on a record (common.states.ReviewAction); the latest says where the record stands in
# the two-person check. An export of an unapproved record is a row too: who let it out unapproved.
decisions = Table(
    "review_decisions", metadata,
    Column("id", Integer, primary_key=True),
    Column("record_id", Integer, ForeignKey("records.id", ondelete="CASCADE"), nullable=False),
    Column("action", String(32), nullable=False),
    Column("user_name", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("comment", Text, nullable=False, default=""),
    Index("ix_review_decisions_record", "record_id"),
)

# Who did what to accounts and exports (never a value of a record: those are in field_history).
audit_events = Table(
    "audit_events", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(64), nullable=False),        # account name, or "os:<user>@<host>" for the CLI
    Column("action", String(32), nullable=False),       # account_created, role_changed, password_reset, …
    Column("subject", String(128), nullable=False, default=""),
    Column("detail", JSON, nullable=False, default=dict),
    Index("ix_audit_events_at", "at"),
)

# ------------------------------------------------------------------ exports (0003, 0004)

# One row per book written by the backlog export; done in the same transaction that marks its records
# exported, so a re-run after an interrupt skips it and never writes it twice.
export_books = Table(
    "export_books", metadata,
    Column("id", Integer, primary_key=True),
    Column("book_key", String(256), nullable=False, unique=True),
    Column("doc_type", String(8), nullable=False),
    Column("commune", String(128), nullable=False),
    Column("book", String(128), nullable=False),
    Column("state", String(16), nullable=False),
    Column("out_dir", Text, nullable=False, default=""),
    Column("rows", Integer, nullable=False, default=0),
    Column("pdfs", Integer, nullable=False, default=0),
    Column("without_scans", Integer, nullable=False, default=0),
    Column("xlsx", Text, nullable=False, default=""),
    Column("xlsx_size", Integer, nullable=False, default=0),
    Column("xlsx_sha256", String(64), nullable=False, default=""),
    Column("zip", Text, nullable=False, default=""),
    Column("zip_size", Integer, nullable=False, default=0),
    Column("zip_sha256", String(64), nullable=False, default=""),
    Column("started_at", DateTime(timezone=True), nullable=True),
    Column("finished_at", DateTime(timezone=True), nullable=True),
)

# Every export run: who, when, with which options, which files; and which records it let out.
export_runs = Table(
    "export_runs", metadata,
    Column("id", Integer, primary_key=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("who", String(128), nullable=False),
    Column("command", String(32), nullable=False),
    Column("options", JSON, nullable=False, default=dict),
    Column("files", JSON, nullable=False, default=list),
    Column("records", Integer, nullable=False, default=0),
    Column("unapproved", Integer, nullable=False, default=0),
)

export_run_records = Table(
    "export_run_records", metadata,
    Column("run_id", Integer, ForeignKey("export_runs.id", ondelete="CASCADE"), primary_key=True),
    Column("record_id", Integer, ForeignKey("records.id", ondelete="CASCADE"), primary_key=True),
    Column("approved", Boolean, nullable=False),
)

# ------------------------------------------------------------------ ID cards (0005)

# The two sides of one ID card (records of the card family, front and back), paired after commit by
# store/cards.py: what linked them (the same 12-digit number, the MRZ carrying the front's number).
card_sides = Table(
    "card_sides", metadata,
    Column("front_id", Integer, ForeignKey("records.id", ondelete="CASCADE"), primary_key=True),
    Column("back_id", Integer, ForeignKey("records.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("evidence", String(64), nullable=False, default=""),
    Column("linked_at", DateTime(timezone=True), nullable=False),
)
