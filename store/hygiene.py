"""The one boundary every text value crosses on its way into the store — OCR output, reviewers' input,
legacy imports, police replies and account names alike: NFC, no control or format characters (zero-width,
bidi overrides, BOM), one space between words, and a length limit per field.

A value over its limit is never cut silently: from a person it is refused with the field and the limit
(common.errors.StoreError, nothing written); from a machine (OCR, an import) it is cut to the limit and the
field goes to review with the reason, so a reviewer sees it.
"""
from __future__ import annotations

import re
from dataclasses import replace

from common.errors import StoreError
from common.text import clean_text
from extract.types import FieldValue, Record

DEFAULT_MAX = 500          # names, dates, numbers, addresses: far above any real value
LONG_MAX = 2000            # free-text notes
MRZ_MAX = 120              # three lines of 30 characters and their separators
LONG_KEYS = re.compile(r"(?i)(ghiChu|NguyenNhan|MucDich|TinhTrang|noiDung)")
MULTILINE_KEYS = frozenset({"mrz"})
TOO_LONG_REASON = "giá trị quá dài, đã cắt bớt: cần kiểm tra (value too long, cut: check it)"


class ValueTooLong(StoreError):
    """A person's value over its field's limit: refused whole, nothing written."""

    code = "too_long"
    http_status = 422


def max_length(key: str) -> int:
    bare = key.rsplit(".", 1)[-1]
    if bare in MULTILINE_KEYS:
        return MRZ_MAX
    return LONG_MAX if LONG_KEYS.search(bare) else DEFAULT_MAX


def clean_value(key: str, value: str | None) -> str:
    """A value as stored (see the module docstring); no length check."""
    return clean_text(value or "", keep_newlines=key.rsplit(".", 1)[-1] in MULTILINE_KEYS)


def person_value(key: str, value: str | None) -> str:
    """A value a person typed: cleaned, or StoreError naming the field and its limit when too long."""
    cleaned = clean_value(key, value)
    limit = max_length(key)
    if len(cleaned) > limit:
        raise ValueTooLong(f"giá trị của {key} dài {len(cleaned)} ký tự, tối đa {limit} (value of {key} is "
                           f"{len(cleaned)} characters; at most {limit})")
    return cleaned


def machine_value(key: str, fv: FieldValue) -> FieldValue:
    """A machine-read value (OCR, import) cleaned; one over the limit cut and sent to review with the reason."""
    cleaned = clean_value(key, fv.value)
    limit = max_length(key)
    if len(cleaned) <= limit and cleaned == fv.value:
        return fv
    if len(cleaned) <= limit:
        return FieldValue(cleaned, fv.confidence, fv.status, fv.reason, fv.box, fv.page, fv.source)
    reason = "; ".join(r for r in (fv.reason, TOO_LONG_REASON) if r)
    status = "invalid" if fv.status == "invalid" else "needs_review"
    return FieldValue(cleaned[:limit], min(fv.confidence, 0.5), status, reason, fv.box, fv.page, fv.source)


def clean_record(record: Record) -> Record:
    """The record with every field (its owners' too) through `machine_value`; the record itself untouched."""
    out = Record(doc_type=record.doc_type, doc_confidence=record.doc_confidence, reason=record.reason,
                 pages=list(record.pages), flags=list(record.flags),
                 fields={k: machine_value(k, v) for k, v in record.fields.items()})
    out.owners = [replace(p, fields={k: machine_value(k, v) for k, v in p.fields.items()}) for p in record.owners]
    return out
