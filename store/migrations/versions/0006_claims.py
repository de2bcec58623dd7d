"""Claims: several workstations share one inbox and one PostgreSQL store.

A file row is worked on (processed, committed, moved) only by the workstation whose claim it holds:
`claimed_by` names the claimant, `lease_expires` says until when; a claimant renews its leases while it
lives, so a killed workstation's files are taken over once their lease has run out (store/files.py).
At most one unfinished row per inbox path and content (moved_at IS NULL): two workstations seeing the same
new file cannot both register it.

Revision ID: 0006_claims
Revises: 0005_card_sides
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_claims"
down_revision = "0005_card_sides"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("files") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(96), nullable=True))
        batch.add_column(sa.Column("lease_expires", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ux_files_unmoved_path", "files", ["rel_path", "content_hash"], unique=True,
                    sqlite_where=sa.text("moved_at IS NULL"), postgresql_where=sa.text("moved_at IS NULL"))
    op.create_index("ix_files_claimed_by", "files", ["claimed_by"])


def downgrade() -> None:
    op.drop_index("ix_files_claimed_by", table_name="files")
    op.drop_index("ux_files_unmoved_path", table_name="files")
    with op.batch_alter_table("files") as batch:
        batch.drop_column("lease_expires")
        batch.drop_column("claimed_by")
