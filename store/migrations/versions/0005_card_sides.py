"""Card sides: the front and the back of one ID card, dropped as two pages or two files, linked once the
store has paired them (store/cards.py), so each side's fields can be settled by the other's QR code or MRZ.

Revision ID: 0005_card_sides
Revises: 0004_trust
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_card_sides"
down_revision = "0004_trust"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "card_sides",
        sa.Column("front_id", sa.Integer, sa.ForeignKey("records.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("back_id", sa.Integer, sa.ForeignKey("records.id", ondelete="CASCADE"), nullable=False,
                  unique=True),
        sa.Column("evidence", sa.String(64), nullable=False, server_default=""),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("card_sides")
