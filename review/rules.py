"""The export rule: which records the export stage may take. Default: approved only (a second person
signed them off, as the provincial plan requires). Configurable per workspace with [review] export_rule.

    from review.rules import exportable, export_predicate
    exportable(record_row)                      # the default rule on a store RecordRow (or anything with .status)
    keep = export_predicate(workspace_dir)      # the workspace's configured rule, as a predicate
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

RULES: dict[str, frozenset[str] | None] = {
    "approved": frozenset({"approved", "exported"}),
    "reviewed": frozenset({"reviewed", "approved", "exported"}),
    "all": None,
}
DEFAULT_RULE = "approved"


def exportable(record_row: Any, rule: str = DEFAULT_RULE) -> bool:
    """True when a record with this store status may be exported under `rule`."""
    allowed = RULES[rule]
    return True if allowed is None else getattr(record_row, "status", "") in allowed


def export_predicate(workspace: Path) -> Callable[[Any], bool]:
    from review.config import load_review_config

    rule = load_review_config(workspace).export_rule
    return lambda row: exportable(row, rule)


def export_rule(workspace: Path) -> Callable[[Any], str | None]:
    """The workspace's rule in export.rules' shape: None = export it, else a short reason to hold it back."""
    keep = export_predicate(workspace)
    return lambda record: None if keep(record) else "not_approved"


def held_back_reason(record_row: Any) -> str:
    """Why a record is not exportable, for the export report (plain Vietnamese, English gloss)."""
    status = getattr(record_row, "status", "")
    if status == "reviewed":
        return "chưa phê duyệt (not approved yet)"
    return "chưa kiểm tra xong (not reviewed yet)"
