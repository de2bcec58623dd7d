"""The structure of a 12-digit personal identification number (PPP G YY NNNNNN), shared by the validators and
the MRZ reader so neither imports the other."""
from __future__ import annotations

import re

from extract.data import province_codes


def cccd_problem(value: str) -> str:
    """'' for a well-formed 12-digit number with a known province code, else what is wrong (vi + en)."""
    if not re.fullmatch(r"\d{12}", value or ""):
        return "số định danh phải có 12 chữ số (ID number must have 12 digits)"
    if value[:3] not in province_codes():
        return f"mã tỉnh {value[:3]} không tồn tại (unknown province code {value[:3]})"
    if value[3] not in "0123":
        return "chữ số thế kỷ/giới tính không hợp lệ (century/sex digit invalid)"
    return ""
