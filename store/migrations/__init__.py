"""Alembic environment and revisions of the store."""
