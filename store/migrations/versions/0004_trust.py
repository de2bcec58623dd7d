"""Trust: record versions (no lost update), account state (disabled, session epoch), the audit trail of
account changes and exports, and export runs with the records each let out.

Revision ID: 0004_trust
Revises: 0003_backlog_export
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_trust"
down_revision = "0003_backlog_export"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.add_column(sa.Column("version", sa.Integer, nullable=False, server_default="0"))
    with op.batch_alter_table("review_users") as batch:
        batch.add_column(sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("session_epoch", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("review_decisions") as batch:
        batch.alter_column("action", type_=sa.String(32), existing_type=sa.String(16), existing_nullable=False)
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(128), nullable=False, server_default=""),
        sa.Column("detail", sa.JSON, nullable=False),
    )
    op.create_index("ix_audit_events_at", "audit_events", ["at"])
    op.create_table(
        "export_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("who", sa.String(128), nullable=False),
        sa.Column("command", sa.String(32), nullable=False),
        sa.Column("options", sa.JSON, nullable=False),
        sa.Column("files", sa.JSON, nullable=False),
        sa.Column("records", sa.Integer, nullable=False, server_default="0"),
        sa.Column("unapproved", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "export_run_records",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("export_runs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("record_id", sa.Integer, sa.ForeignKey("records.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("approved", sa.Boolean, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("export_run_records")
    op.drop_table("export_runs")
    op.drop_index("ix_audit_events_at", table_name="audit_events")
    op.drop_table("audit_events")
    with op.batch_alter_table("review_decisions") as batch:
        batch.alter_column("action", type_=sa.String(16), existing_type=sa.String(32), existing_nullable=False)
    with op.batch_alter_table("review_users") as batch:
        batch.drop_column("updated_at")
        batch.drop_column("session_epoch")
        batch.drop_column("disabled")
    with op.batch_alter_table("records") as batch:
        batch.drop_column("version")
