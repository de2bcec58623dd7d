"""Database rows -> the store's dataclasses (store/types.py); callers never touch SQLAlchemy rows."""
from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from extract.types import FieldValue
from store.engine import aware
from store.types import FileRow, PageRow, RecordRow


def field_values(record_id: int, owner_index: int | None, key: str, fv: FieldValue, t: datetime) -> dict[str, Any]:
    return {"record_id": record_id, "key": key, "owner_index": owner_index, "value": fv.value or "",
            "confidence": float(fv.confidence), "status": fv.status, "reason": fv.reason or "",
            "box": list(fv.box) if fv.box else None, "page": int(fv.page), "source": fv.source, "updated_at": t}


def file_row(row) -> FileRow:
    data = dict(row)
    for key in ("received_at", "started_at", "finished_at", "moved_at", "updated_at", "lease_expires"):
        data[key] = aware(data[key])
    return FileRow(**data)


def record_row(row) -> RecordRow:
    data = dict(row)
    for key in ("lock_expires", "created_at", "updated_at", "first_submitted_at", "first_approved_at"):
        data[key] = aware(data[key])
    return RecordRow(**data)


def page_row(row) -> PageRow:
    return PageRow(**dict(row))


def quality_dict(quality: Any) -> dict[str, Any]:
    """A scanner.types.Quality (or any dataclass) as JSON-able data for the pages table."""
    try:
        return asdict(quality)
    except TypeError:
        return dict(quality or {})

