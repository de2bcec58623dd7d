"""Which records may leave in an export: the one place that decides. A rule returns None (export it) or a
short reason (hold it back). The workspace's rule (`workspace_rule`) holds back records with a field still
invalid or needing review, then applies the status rule of sohoa.toml [review] export_rule (approved records
only by default: a second person signed them off, as the provincial plan requires; the allowed statuses per
rule are common.states.EXPORT_RULES). `--include-unreviewed` bypasses the rule altogether — and the store
records each record it lets out unapproved (store/exports.py).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Protocol

from common.states import EXPORT_RULES, RecordStatus
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


def status_rule(name: str) -> ExportRule:
    """The status part of a workspace's export rule (common.states.EXPORT_RULES)."""
    allowed = EXPORT_RULES[name]

    def rule(record: HasFields) -> str | None:
        if allowed is None or record.status in allowed:
            return None
        return NOT_APPROVED if record.status == RecordStatus.REVIEWED or name == "approved" else NEEDS_REVIEW
    return rule


def workspace_rule(root: Path) -> ExportRule:
    """The rule of the workspace at `root`: fields all accepted, then its [review] export_rule."""
    from common.workspace import Workspace

    return all_of(reviewed_only, status_rule(Workspace(Path(root).resolve()).settings().review.export_rule))


def select(records: Iterable[HasFields], rule: ExportRule, *, include_unreviewed: bool,
           held: Callable[[HasFields, str], None]) -> Iterator[HasFields]:
    """The records the rule lets out (all of them with include_unreviewed); `held` hears of every other."""
    for record in records:
        reason = None if include_unreviewed else rule(record)
        if reason:
            held(record, reason)
        else:
            yield record
