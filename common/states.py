"""The states of files, records and fields, and the one table of moves between them.

Values are strings (StrEnum) because the store keeps them as text and older rows must read back; comparing
an enum member with its string is true, so a store row's `state == FileState.DONE` works either way.
"""
from __future__ import annotations

from enum import StrEnum

from common.errors import StoreError


class FileState(StrEnum):
    RECEIVED = "received"        # seen in the inbox, hashed, waiting for a worker
    PROCESSING = "processing"    # a worker has it (attempt counted)
    DONE = "done"                # pages, records and fields committed
    QUARANTINED = "quarantined"  # could not be processed; the reason is kept
    DUPLICATE = "duplicate"      # same content as a file already taken


class RecordStatus(StrEnum):
    EXTRACTED = "extracted"      # as read by the machine
    IN_REVIEW = "in_review"      # sent back by an approver: a reviewer works on it again
    REVIEWED = "reviewed"        # a reviewer saved every flagged field
    APPROVED = "approved"        # a second person signed it off
    EXPORTED = "exported"        # written to an export (approved, or forced with --include-unreviewed)


class FieldStatus(StrEnum):
    ACCEPTED = "accepted"
    NEEDS_REVIEW = "needs_review"
    INVALID = "invalid"


class ReviewAction(StrEnum):
    """A row of the review audit trail (review_decisions)."""
    SUBMITTED = "submitted"                    # a reviewer saved the record
    APPROVED = "approved"                      # an approver signed it off
    SENT_BACK = "sent_back"                    # an approver returned it with a comment
    EXPORTED_UNAPPROVED = "exported_unapproved"  # exported without approval (--include-unreviewed)


FILE_TRANSITIONS: dict[FileState, frozenset[FileState]] = {
    # received -> done: results committed without a worker (legacy imports, tests)
    FileState.RECEIVED: frozenset({FileState.PROCESSING, FileState.DONE, FileState.QUARANTINED, FileState.RECEIVED}),
    FileState.PROCESSING: frozenset({FileState.DONE, FileState.QUARANTINED, FileState.RECEIVED}),
    FileState.DONE: frozenset({FileState.DONE}),
    FileState.QUARANTINED: frozenset({FileState.RECEIVED, FileState.QUARANTINED}),  # dropped again
    FileState.DUPLICATE: frozenset({FileState.DUPLICATE}),
}

RECORD_TRANSITIONS: dict[RecordStatus, frozenset[RecordStatus]] = {
    RecordStatus.EXTRACTED: frozenset({RecordStatus.REVIEWED, RecordStatus.APPROVED, RecordStatus.IN_REVIEW,
                                       RecordStatus.EXPORTED}),
    RecordStatus.IN_REVIEW: frozenset({RecordStatus.REVIEWED, RecordStatus.EXPORTED}),
    RecordStatus.REVIEWED: frozenset({RecordStatus.APPROVED, RecordStatus.IN_REVIEW, RecordStatus.EXPORTED}),
    RecordStatus.APPROVED: frozenset({RecordStatus.EXPORTED}),
    RecordStatus.EXPORTED: frozenset({RecordStatus.EXPORTED}),  # a book exported again keeps its rows
}

# The review actions and the record status each one moves to.
ACTION_STATUS: dict[ReviewAction, RecordStatus] = {
    ReviewAction.SUBMITTED: RecordStatus.REVIEWED,
    ReviewAction.APPROVED: RecordStatus.APPROVED,
    ReviewAction.SENT_BACK: RecordStatus.IN_REVIEW,
    ReviewAction.EXPORTED_UNAPPROVED: RecordStatus.EXPORTED,
}

# Statuses a reviewer may still change.
OPEN_STATUSES = frozenset({RecordStatus.EXTRACTED, RecordStatus.IN_REVIEW})

# Which statuses each export rule lets out (review.toml / sohoa.toml [review] export_rule). The one place
# that decides what is exportable; store queries and the exporters both read it.
EXPORT_RULES: dict[str, frozenset[RecordStatus] | None] = {
    "approved": frozenset({RecordStatus.APPROVED, RecordStatus.EXPORTED}),
    "reviewed": frozenset({RecordStatus.REVIEWED, RecordStatus.APPROVED, RecordStatus.EXPORTED}),
    "all": None,
}
DEFAULT_EXPORT_RULE = "approved"


def check_file_move(old: str, new: str) -> FileState:
    """The new file state when the table allows the move; StoreError otherwise."""
    return _check(FILE_TRANSITIONS, FileState, old, new, "tệp (file)")


def check_record_move(old: str, new: str) -> RecordStatus:
    """The new record status when the table allows the move; StoreError otherwise."""
    return _check(RECORD_TRANSITIONS, RecordStatus, old, new, "bản ghi (record)")


def _check(table: dict, kind: type[StrEnum], old: str, new: str, what: str):
    try:
        old_state, new_state = kind(old), kind(new)
    except ValueError:
        raise StoreError(f"trạng thái {what} không biết: {old!r} -> {new!r} (unknown state)",
                         code="unknown_state") from None
    if new_state not in table[old_state]:
        raise StoreError(f"không thể chuyển {what} từ {old_state} sang {new_state} (state change not allowed)",
                         code="bad_transition")
    return new_state
