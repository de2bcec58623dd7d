"""Typed intake errors: a file that cannot become a page gets a reason an operator can act on, never a crash."""
from __future__ import annotations

from common.errors import InputError

# code -> plain Vietnamese reason with an English gloss (what the operator sees)
MESSAGES: dict[str, str] = {
    "empty": "tệp rỗng, không có dữ liệu (empty file)",
    "corrupt": "tệp bị hỏng, không đọc được (corrupt file)",
    "truncated": "tệp bị cắt cụt, thiếu phần cuối (truncated file)",
    "encrypted": "tệp PDF có mật khẩu (encrypted PDF)",
    "no_pages": "tệp PDF không có trang nào (PDF has no pages)",
    "not_an_image": "tệp không phải ảnh hay PDF (not an image)",
    "too_large": "ảnh quá lớn, vượt giới hạn số điểm ảnh (image too large)",
    "unsupported": "định dạng tệp không được hỗ trợ (unsupported file type)",
    "missing": "không tìm thấy tệp (file not found)",
}


class IntakeError(InputError):
    """Why a file could not be read. `code` is one of MESSAGES' keys; `message` is what to show a person."""

    def __init__(self, code: str, message: str | None = None, *, detail: str = "") -> None:
        if code not in MESSAGES:
            raise ValueError(f"unknown intake error code {code!r}")
        super().__init__(message or MESSAGES[code], code=code, detail=detail)
