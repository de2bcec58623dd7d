"""Moving an original out of the inbox, once its outcome is committed, with a note an operator can read."""
from __future__ import annotations

import errno
import os
import shutil
from datetime import datetime
from pathlib import Path

ADVICE = {
    "quarantined": "Cách xử lý: kiểm tra tệp, quét/chụp lại nếu cần rồi thả lại vào inbox "
                   "(what to do: check the file, rescan it if needed, and drop it into the inbox again).",
    "duplicate": "Không xử lý lại: nội dung giống hệt một tệp đã nhận "
                 "(not processed again: same content as a file already received).",
}


def free_name(dest: Path) -> Path:
    """dest, or dest with " (2)", " (3)"… before the suffix when something is already there (a link too,
    even a broken one: a quarantined symlink is never replaced)."""
    if not os.path.lexists(dest):
        return dest
    for n in range(2, 10_000):
        candidate = dest.with_name(f"{dest.stem} ({n}){dest.suffix}")
        if not os.path.lexists(candidate):
            return candidate
    raise FileExistsError(dest)


def note_text(*, file_id: int, rel_path: str, state: str, code: str, reason: str, when: datetime) -> str:
    lines = [
        f"Tệp (file): {rel_path}",
        f"Mã hồ sơ tệp (file id): {file_id}",
        f"Trạng thái (state): {state}",
        f"Mã lý do (code): {code}" if code else "",
        f"Lý do (reason): {reason}",
        f"Thời điểm (time, UTC): {when:%Y-%m-%d %H:%M:%S}",
        ADVICE.get(state, ""),
    ]
    return "\n".join(line for line in lines if line) + "\n"


def move_with_note(src: Path, dest: Path, note: str | None, note_suffix: str) -> Path:
    """Write the note next to where the file goes, then move the file. The note comes first so a file in
    quarantine/ always has its reason beside it. Returns the final path."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest = free_name(dest)
    note_path = dest.parent / f"{dest.name}{note_suffix}"
    if note is not None:
        note_path.write_text(note, encoding="utf-8")
    try:
        try:
            os.replace(src, dest)
        except OSError as exc:
            if exc.errno != errno.EXDEV:  # another filesystem (a network share): copy then delete
                raise
            shutil.move(str(src), str(dest))
    except FileNotFoundError:
        if note is not None and not os.path.lexists(src):  # nothing was moved: no note about it either
            note_path.unlink(missing_ok=True)
        raise
    return dest
