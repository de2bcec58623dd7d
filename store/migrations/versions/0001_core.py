"""Core tables: files, pages, records, record_pages, fields, field_history.

Revision ID: 0001_core
Revises:
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_core"
down_revision = None
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "files",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("origin_path", sa.Text, nullable=False),
        sa.Column("rel_path", sa.Text, nullable=False),
        sa.Column("kind_hint", sa.String(16), nullable=False),
        sa.Column("commune", sa.String(128), nullable=False),
        sa.Column("book", sa.String(128), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("reason_code", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("duplicate_of", sa.Integer, sa.ForeignKey("files.id"), nullable=True),
        sa.Column("dest_path", sa.Text, nullable=False),
        _ts("received_at"), _ts("started_at", True), _ts("finished_at", True), _ts("moved_at", True),
        _ts("updated_at"),
    )
    op.create_index("ix_files_state", "files", ["state"])
    op.create_index("ix_files_rel_path", "files", ["rel_path"])
    op.create_index("ix_files_hash", "files", ["content_hash"])
    op.create_index("ux_files_first_copy", "files", ["content_hash"], unique=True,
                    sqlite_where=sa.text("duplicate_of IS NULL"),
                    postgresql_where=sa.text("duplicate_of IS NULL"))
    op.create_table(
        "pages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("file_id", sa.Integer, sa.ForeignKey("files.id", ondelete="CASCADE"), nullable=False),
        sa.Column("page_index", sa.Integer, nullable=False),
        sa.Column("prepared_path", sa.Text, nullable=False),
        sa.Column("archival_path", sa.Text, nullable=False),
        sa.Column("quality", sa.JSON, nullable=False),
        sa.UniqueConstraint("file_id", "page_index", name="uq_pages_file_index"),
    )
    op.create_table(
        "records",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("file_id", sa.Integer, sa.ForeignKey("files.id", ondelete="CASCADE"), nullable=False),
        sa.Column("record_index", sa.Integer, nullable=False),
        sa.Column("doc_type", sa.String(32), nullable=False),
        sa.Column("commune", sa.String(128), nullable=False),
        sa.Column("book", sa.String(128), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("doc_confidence", sa.Float, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("lock_owner", sa.String(64), nullable=True),
        _ts("lock_expires", True), _ts("created_at"), _ts("updated_at"),
        sa.UniqueConstraint("file_id", "record_index", name="uq_records_file_index"),
    )
    op.create_index("ix_records_status", "records", ["status"])
    op.create_index("ix_records_book", "records", ["commune", "book"])
    op.create_table(
        "record_pages",
        sa.Column("record_id", sa.Integer, sa.ForeignKey("records.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("page_id", sa.Integer, sa.ForeignKey("pages.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_table(
        "fields",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("record_id", sa.Integer, sa.ForeignKey("records.id", ondelete="CASCADE"), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("owner_index", sa.Integer, nullable=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("box", sa.JSON, nullable=True),
        sa.Column("page", sa.Integer, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        _ts("updated_at"),
    )
    op.create_index("ix_fields_record", "fields", ["record_id"])
    op.create_table(
        "field_history",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("field_id", sa.Integer, sa.ForeignKey("fields.id", ondelete="CASCADE"), nullable=False),
        sa.Column("record_id", sa.Integer, sa.ForeignKey("records.id", ondelete="CASCADE"), nullable=False),
        sa.Column("who", sa.String(64), nullable=False),
        _ts("at"),
        sa.Column("old_value", sa.Text, nullable=False),
        sa.Column("new_value", sa.Text, nullable=False),
        sa.Column("old_status", sa.String(16), nullable=False),
        sa.Column("new_status", sa.String(16), nullable=False),
    )
    op.create_index("ix_field_history_record", "field_history", ["record_id"])


def downgrade() -> None:
    for table in ("field_history", "fields", "record_pages", "records", "pages", "files"):
        op.drop_table(table)
