"""What the legacy import tells the operator: every problem names the sheet row and column it is about."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from common.errors import SohoaError

Severity = Literal["info", "warning", "error"]


class LegacyImportError(SohoaError):
    """The workbook cannot be imported at all (no sheet fits, mapping file broken). Plain Vietnamese with
    an English gloss, naming what was found so the operator can pick the right file or mapping."""

    code = "legacy_import"


@dataclass(frozen=True)
class Problem:
    """One thing the operator should know about a cell, a row, a column or the sheet.

    `row`/`column` are the spreadsheet's own (1-based row, column letters) so the operator can go to the
    cell; 0/"" when the problem is about the whole sheet."""
    severity: Severity
    message: str                 # "vi (en)"
    row: int = 0
    column: str = ""
    header: str = ""
    key: str = ""
    sheet: str = ""

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(f"trang '{self.sheet}'")
        if self.row:
            where.append(f"dòng {self.row}")
        if self.column:
            where.append(f"cột {self.column}" + (f" «{self.header}»" if self.header else ""))
        where_en = []
        if self.row:
            where_en.append(f"row {self.row}")
        if self.column:
            where_en.append(f"column {self.column}")
        place = ", ".join(where)
        place_en = ", ".join(where_en)
        prefix = f"{place[:1].upper()}{place[1:]}" + (f" ({place_en})" if place_en else "") + ": " if place else ""
        return f"[{self.severity}] {prefix}{self.message}"
