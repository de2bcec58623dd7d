"""Moving an original out of the inbox, once its outcome is committed, with a note an operator can read."""
from __future__ import annotations

import errno
import hashlib
import os
import shutil
from datetime import datetime
from pathlib import Path

DEFAULT_NAME_MAX = 255  # bytes in one file name: ext4, NTFS/SMB shares, APFS (when pathconf cannot say)
MAX_SUFFIX_BYTES = 16   # longer than this after the last dot is part of the name, not a file type

ADVICE = {
    "quarantined": "Cách xử lý: kiểm tra tệp, quét/chụp lại nếu cần rồi thả lại vào inbox "
                   "(what to do: check the file, rescan it if needed, and drop it into the inbox again).",
    "duplicate": "Không xử lý lại: nội dung giống hệt một tệp đã nhận "
                 "(not processed again: same content as a file already received).",
}


def free_name(dest: Path) -> Path:
    """dest, or dest with " (2)", " (3)"… before the suffix when something is already there (a link too,
    even a broken one: a quarantined symlink is never replaced). A name that would pass the folder's name
    limit (255 bytes on most filesystems) has its stem cut to fit."""
    limit = name_max(dest.parent)
    for n in range(1, 10_000):
        candidate = numbered(dest, n, limit)
        if not os.path.lexists(candidate):
            return candidate
    raise FileExistsError(dest)


def numbered(dest: Path, n: int, limit: int = DEFAULT_NAME_MAX) -> Path:
    """The n-th name free_name tries for dest: dest itself, then "stem (n).suffix", cut to `limit` bytes."""
    stem, suffix = _split(dest.name)
    return dest.with_name(fit_name(stem, (f" ({n})" if n > 1 else "") + suffix, limit))


def note_name(file_name: str, note_suffix: str, limit: int = DEFAULT_NAME_MAX) -> str:
    """The note's name beside `file_name`: "<file name><note suffix>", or, when that passes the name limit,
    the file name cut short plus a hash of the whole name (two long names sharing their start still get
    notes of their own; the note itself gives the full name)."""
    whole = file_name + note_suffix
    if _size(whole) <= limit:
        return whole
    stem, suffix = _split(file_name)
    digest = hashlib.sha256(os.fsencode(file_name)).hexdigest()[:8]
    return fit_name(stem, f"~{digest}{suffix}{note_suffix}", limit)


def fit_name(stem: str, tail: str, limit: int = DEFAULT_NAME_MAX) -> str:
    """stem + tail within `limit` bytes (as the filesystem stores them), cutting whole characters off the
    end of the stem."""
    while stem and _size(stem + tail) > limit:
        stem = stem[:-1]
    return stem + tail


def name_max(folder: Path) -> int:
    """The longest file name, in bytes, the folder's filesystem takes."""
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError):
        return DEFAULT_NAME_MAX


def _size(name: str) -> int:
    return len(os.fsencode(name))


def _split(name: str) -> tuple[str, str]:
    """(stem, suffix); a "suffix" too long to be a file type stays in the stem, where it can be cut."""
    suffix = Path(name).suffix
    if not suffix or _size(suffix) > MAX_SUFFIX_BYTES:
        return name, ""
    return name[: -len(suffix)], suffix


def with_problem(reason: str, problem: str) -> str:
    """`reason` with `problem` after it, once: a problem of the same kind noted by an earlier try (the words
    before its first " (") is replaced, so a file whose move fails run after run does not pile them up."""
    kind = problem.split(" (", 1)[0]
    base = reason.split(f"; {kind}", 1)[0] if kind else reason
    if base.startswith(kind) and kind:
        base = ""
    return f"{base}; {problem}" if base else problem


MOVE_PROBLEM = "không chuyển được tệp sang"  # how a failed move's problem starts (hotfolders/runner.py)


def without_move_problem(reason: str) -> str:
    """`reason` without the "could not move" problem an earlier try added: once the file is moved, the note
    beside it and the store say why it is there, not that it once could not get there."""
    return reason.split(f"; {MOVE_PROBLEM}", 1)[0] if not reason.startswith(MOVE_PROBLEM) else ""


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
    note_path = dest.parent / note_name(dest.name, note_suffix, name_max(dest.parent))
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
