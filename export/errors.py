"""Export failures with a message an operator can act on (Vietnamese first, English gloss)."""
from __future__ import annotations

import errno

from common.errors import ExportError

__all__ = ["ExportError", "VerifyError", "describe_os_error"]


class VerifyError(ExportError):
    """A written export failed its re-read check (openpyxl, LibreOffice, pdfinfo or zip CRC)."""

    code = "export_verify"


def describe_os_error(exc: OSError, target: str) -> str:
    if exc.errno == errno.ENOSPC:
        return (f"Hết chỗ trống trên đĩa khi ghi {target}; giải phóng dung lượng rồi chạy lại "
                f"(disk full while writing {target}; free space and run the export again)")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (f"Không có quyền ghi {target} (no permission to write {target}): {exc.strerror}")
    return f"Lỗi ghi {target} (could not write {target}): {exc.strerror or exc}"
