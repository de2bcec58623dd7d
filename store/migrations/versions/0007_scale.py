"""A province's backlog (1.73 million records, ~43 million fields) in one store: what `sohoa bench scale`
showed was needed (README: figures before and after).

- records.first_submitted_at / first_approved_at: when a record was first saved by a reviewer and first
  approved, kept on the record (set in the same transaction as the decision row, store/review.py) so the
  progress report counts them by day from the records alone instead of grouping millions of decisions;
  filled here from review_decisions for existing records;
- records (doc_type, commune, book): the export reads book by book, the review filters list the books;
- records (created_at), (first_submitted_at), (first_approved_at), (status, updated_at), files
  (received_at), (finished_at), each with the commune: the report's recent days by range, from the index
  alone;
- fields: values nine characters long (old 9-digit CMND numbers the report counts) and fields not
  accepted (the review queue's "flagged") in partial indexes, instead of reading every field;
- records (commune, status, first_approved_at), files (commune, book, state): the report's totals and
  `status` by book read from the index alone.

Revision ID: 0007_scale
Revises: 0006_claims
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_scale"
down_revision = "0006_claims"
branch_labels = None
depends_on = None

NINE = sa.text("length(value) = 9")
INDEXES = (
    ("ix_records_type_book", "records", ["doc_type", "commune", "book"]),
    # the report's recent days, each read from its index alone (the commune is in it)
    ("ix_records_created", "records", ["created_at", "commune"]),
    ("ix_records_first_submitted", "records", ["first_submitted_at", "commune"]),
    ("ix_records_first_approved", "records", ["first_approved_at", "commune"]),
    ("ix_records_status_updated", "records", ["status", "updated_at", "commune"]),
    ("ix_files_received", "files", ["received_at", "commune", "duplicate_of"]),
    ("ix_files_finished", "files", ["finished_at", "state", "commune", "id"]),
    ("ix_records_report", "records", ["commune", "status", "first_approved_at"]),   # report totals, index-only
    ("ix_files_book_state", "files", ["commune", "book", "state"]),                  # status by book, index-only
    ("ix_files_state_reason", "files", ["state", "reason_code", "reason"]),          # quarantine reasons, too
)
FLAGGED = sa.text("status <> 'accepted'")


def upgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.add_column(sa.Column("first_submitted_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("first_approved_at", sa.DateTime(timezone=True), nullable=True))
    for column, action in (("first_submitted_at", "submitted"), ("first_approved_at", "approved")):
        op.execute(sa.text(f"UPDATE records SET {column} = (SELECT min(d.at) FROM review_decisions d "
                           f"WHERE d.record_id = records.id AND d.action = '{action}') "
                           f"WHERE EXISTS (SELECT 1 FROM review_decisions d WHERE d.record_id = records.id "
                           f"AND d.action = '{action}')"))
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    op.create_index("ix_fields_nine_chars", "fields", ["key", "record_id", "owner_index", "value"],
                    sqlite_where=NINE, postgresql_where=NINE)  # everything the report reads: index-only
    op.create_index("ix_fields_flagged", "fields", ["record_id"], sqlite_where=FLAGGED, postgresql_where=FLAGGED)


def downgrade() -> None:
    op.drop_index("ix_fields_flagged", table_name="fields")
    op.drop_index("ix_fields_nine_chars", table_name="fields")
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("records") as batch:
        batch.drop_column("first_approved_at")
        batch.drop_column("first_submitted_at")
