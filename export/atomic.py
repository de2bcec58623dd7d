"""Write-then-rename, so a crash or a full disk never leaves a half-written export under its final name; and
every export file born readable by its owner only (0600, folders 0700): they hold names and ID numbers."""
from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

from common.crashpoints import maybe_crash
from export.errors import ExportError, describe_os_error

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def private_dir(folder: Path) -> Path:
    """Make `folder` and any missing parents with mode 0700 (Path.mkdir gives missing parents the default
    mode); a folder that exists already is left as its owner set it."""
    folder = Path(folder)
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another writer made it meanwhile
            path.mkdir(mode=PRIVATE_DIR)
    return Path(missing[0]) if missing else folder


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
    private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE))  # born 0600; writers keep it
        os.chmod(tmp, PRIVATE_FILE)  # a leftover temp of the same name may have had another mode
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


_TEMPORARY = re.compile(r"^\..+\.(\d+)\.(part|staged)$")  # .NAME.PID.part (atomic_path) and .NAME.PID.staged
_STAGED = re.compile(r"^\..+\.staged$")  # a staged workbook named without its writer's pid (older versions)


def staged_name(path: Path) -> Path:
    """Where a book's workbook waits for its zip (export.books): hidden, and named with the writer's pid, so
    parallel writers into one folder (`export --all` with several workers) never sweep each other's."""
    return path.with_name(f".{path.name}.{os.getpid()}.staged")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def sweep_temporaries(folder: Path) -> int:
    """Remove what a killed export left half-written in `folder`: temp files and staged workbooks of
    processes that are gone (a living writer's are its own business: the backlog export writes books in
    parallel into one folder). They hold personal data under hidden names nobody would otherwise delete.
    Returns how many were removed. An export calls this before writing into `folder`."""
    removed = 0
    if not Path(folder).is_dir():
        return 0
    for path in Path(folder).rglob(".*"):
        m = _TEMPORARY.match(path.name)
        if (m and not _alive(int(m[1]))) or (not m and _STAGED.match(path.name)):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed += 1
    return removed
