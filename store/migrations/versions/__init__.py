"""Alembic revisions (a package so a non-editable install carries them)."""
