"""The store: the one place that talks to the database. Every stage goes through `Store`; its queries live
in one module per subject, so a shared PostgreSQL replaces the embedded SQLite by changing the URL and no SQL
is written anywhere else:

    store/files.py     files from the inbox and their states (the hot-folder runner)
    store/records.py   records, fields, pages and field history (review, export)
    store/review.py    the review queue, locks, one-transaction saves and approvals
    store/accounts.py  review accounts and the audit trail of account changes
    store/exports.py   backlog book state, export runs and which records they let out
    store/reports.py   counts for status and the progress report
    store/bulk.py      bulk loading (COPY / executemany) for backlogs filled in one go
    store/cards.py     the two sides of an ID card paired and settled by each other after commit
"""
from __future__ import annotations

from pathlib import Path

from common.errors import StoreError
from store.accounts import AccountQueries
from store.bulk import BulkQueries
from store.cards import CardQueries
from store.engine import MIGRATIONS_DIR, make_engine, make_private, migrate, now, sqlite_url
from store.exports import ExportQueries
from store.files import FileQueries
from store.records import RecordQueries
from store.reports import ReportQueries
from store.review import ReviewQueries
from store.rows import quality_dict

__all__ = ["MIGRATIONS_DIR", "Store", "StoreError", "now", "quality_dict", "sqlite_url"]


class Store(FileQueries, RecordQueries, ReviewQueries, AccountQueries, ExportQueries, ReportQueries, CardQueries,
            BulkQueries):
    """Files, pages, records, fields, their history, reviews, accounts and exports. Open with a path (SQLite)
    or a URL (`postgresql://…`)."""

    def __init__(self, target: str | Path, *, upgrade: bool = True):
        url = target if isinstance(target, str) and "://" in target else sqlite_url(Path(target))
        self.url = url
        self.engine = make_engine(url)
        self.migrated = migrate(self.engine) if upgrade else False
        make_private(url)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def schema_heads(self) -> set[str]:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return set(MigrationContext.configure(conn).get_current_heads())
