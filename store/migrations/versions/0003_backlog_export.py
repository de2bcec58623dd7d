"""Backlog export state: one row per book written by `export_backlog` (export/backlog.py).

Described for queries in store/schema.py (keep the two in step). A book is written once:
its row goes to `done` in the same transaction that marks its records `exported`, so a re-run after an
interrupt skips it and never writes it twice.

Revision ID: 0003_backlog_export
Revises: 0002_review
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_backlog_export"
down_revision = "0002_review"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "export_books",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("book_key", sa.String(256), nullable=False, unique=True),
        sa.Column("doc_type", sa.String(8), nullable=False),
        sa.Column("commune", sa.String(128), nullable=False),
        sa.Column("book", sa.String(128), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("out_dir", sa.Text, nullable=False, server_default=""),
        sa.Column("rows", sa.Integer, nullable=False, server_default="0"),
        sa.Column("pdfs", sa.Integer, nullable=False, server_default="0"),
        sa.Column("without_scans", sa.Integer, nullable=False, server_default="0"),
        sa.Column("xlsx", sa.Text, nullable=False, server_default=""),
        sa.Column("xlsx_size", sa.Integer, nullable=False, server_default="0"),
        sa.Column("xlsx_sha256", sa.String(64), nullable=False, server_default=""),
        sa.Column("zip", sa.Text, nullable=False, server_default=""),
        sa.Column("zip_size", sa.Integer, nullable=False, server_default="0"),
        sa.Column("zip_sha256", sa.String(64), nullable=False, server_default=""),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("export_books")
