"""Which records may leave in an export. A rule returns None (export it) or a short reason (hold it back).

The rule is a plain function so the review stage can make "approved records only" the default without
touching the exporters; `--include-unreviewed` bypasses the rule altogether.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol

from extract.types import FieldValue


class HasFields(Protocol):
    fields: dict
    status: str


ExportRule = Callable[[HasFields], str | None]

INVALID = "invalid"            # a field broke a validation rule
NEEDS_REVIEW = "needs_review"  # a field is not yet confirmed by a person
NOT_APPROVED = "not_approved"  # the record has not been approved


def field_values(record: HasFields) -> Iterator[FieldValue]:
    """Every FieldValue of a record, its owners' included (land records); plain strings carry no status."""
    for value in record.fields.values():
        if isinstance(value, FieldValue):
            yield value
    for owner in getattr(record, "owners", ()) or ():
        for value in (*owner.fields.values(), *((owner.card or {}).values())):
            if isinstance(value, FieldValue):
                yield value


def reviewed_only(record: HasFields) -> str | None:
    """Hold back a record while any field is invalid (first) or still needs review."""
    statuses = {v.status for v in field_values(record)}
    if INVALID in statuses:
        return INVALID
    if NEEDS_REVIEW in statuses:
        return NEEDS_REVIEW
    return None


def approved_only(record: HasFields) -> str | None:
    """The stricter rule the review stage can switch to: the record itself must be approved (or already
    exported once, so re-exporting a book keeps its earlier rows)."""
    return None if record.status in ("approved", "exported") else (reviewed_only(record) or NOT_APPROVED)


def export_everything(record: HasFields) -> str | None:
    return None


def all_of(*rules: ExportRule | None) -> ExportRule:
    """The first reason any rule gives, so a field-level hold and a status rule combine."""
    active = [r for r in rules if r is not None]

    def rule(record: HasFields) -> str | None:
        return next((reason for r in active if (reason := r(record))), None)
    return rule
