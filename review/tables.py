"""The review app's own tables: accounts and review decisions.

They live in the workspace store (created by the alembic revision `*_review_tables.py` in
store/migrations/versions) but are described here so the app can query them with SQLAlchemy Core.
"""
from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

ROLES = ("operator", "reviewer", "approver", "admin")

users = Table(
    "review_users", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(256), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# One row per decision on a record: "submitted" (a reviewer saved it), "approved", "sent_back".
# The latest row says where the record stands in the two-person check.
decisions = Table(
    "review_decisions", metadata,
    Column("id", Integer, primary_key=True),
    Column("record_id", Integer, nullable=False),
    Column("action", String(16), nullable=False),
    Column("user_name", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("comment", Text, nullable=False, default=""),
    Index("ix_review_decisions_record", "record_id"),
)
