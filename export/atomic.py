"""Write-then-rename, so a crash or a full disk never leaves a half-written export under its final name."""
from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from common.crashpoints import maybe_crash
from export.errors import ExportError, describe_os_error


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a directory be opened for fsync
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success flush it to disk and rename it over `path`.

    On any failure the temporary file is removed and an OSError becomes an ExportError saying what to do
    (e.g. disk full). The temp name starts with a dot and ends in `.part` so hot-folder scanners and
    people skip it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        maybe_crash("export_file")
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except OSError as exc:
        raise ExportError(describe_os_error(exc, path.name)) from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def write_bytes_atomic(path: Path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
