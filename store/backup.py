"""Backups of the store, and restoring one.

SQLite: the online backup API of the standard library (sqlite3.Connection.backup) copies the database page
by page while the watcher and the review app keep working; the copy is checked (PRAGMA integrity_check)
and only then put in place under its final name (written beside it, then renamed): a backup file is
either complete or absent. Restoring copies a checked backup back the same way, into the workspace's file.

PostgreSQL: the database's own tools — `pg_dump --format=custom` (a consistent snapshot while everybody
keeps working) and `pg_restore --clean --single-transaction` — called when they are installed (Debian's
`postgresql-client`); without them the error names the command to run by hand. The password, if the URL
holds one, goes to them through PGPASSWORD, never on a command line others can read.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from common.errors import StoreError
from store.engine import PRIVATE, is_sqlite


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    kind: str          # "sqlite" | "pg_dump"


def sqlite_file(url: str) -> Path:
    rest = url.split("///", 1)[1] if "///" in url else ""
    if not rest or rest == ":memory:":
        raise StoreError("kho SQLite không có tệp (an in-memory SQLite store has no file)", code="no_file")
    return Path(rest)


def backup(url: str, out: Path) -> BackupResult:
    """Write a backup of the store at `url` to `out` (complete or not at all)."""
    out = Path(out).resolve()
    if is_sqlite(url):
        live = sqlite_file(url).resolve()
        if out in {live, *(live.with_name(live.name + end) for end in ("-wal", "-shm", "-journal"))}:
            # replacing the live file under the watcher and the review app would leave them writing to a
            # deleted database: every edit from then on lost at their next start
            raise StoreError(f"{out}: đây là chính tệp kho dữ liệu đang dùng; hãy chọn nơi khác để sao lưu (this is "
                             f"the live store itself: choose another place for the backup)", code="backup_onto_store")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if is_sqlite(url):
            _sqlite_copy(sqlite_file(url), partial)
            kind = "sqlite"
        else:
            _pg_tool("pg_dump", "--format=custom", "--no-owner", "--file", str(partial), url=url)
            kind = "pg_dump"
        os.chmod(partial, PRIVATE)  # names, ID numbers and password hashes: the owner's eyes only
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(out, out.stat().st_size, kind)


def restore(url: str, source: Path) -> None:
    """Replace the store at `url` with the backup `source` (made by `backup` for the same kind of store).
    Whoever calls this makes sure nothing else writes meanwhile (the watcher, the review app)."""
    source = Path(source).resolve()
    if not source.is_file():
        raise StoreError(f"{source}: không có tệp sao lưu (no such backup file)", code="no_backup")
    if is_sqlite(url):
        _check_sqlite(source)
        _sqlite_copy(source, sqlite_file(url), check=False)
    else:
        _pg_tool("pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
                 str(source), url=url, target="--dbname")


def _sqlite_copy(src: Path, dst: Path, *, check: bool = True) -> None:
    """Page by page with the online backup API (readers and writers of `src` go on meanwhile)."""
    if not src.is_file():
        raise StoreError(f"{src}: không có tệp CSDL (no database file)", code="no_file")
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    target = sqlite3.connect(dst)
    try:
        source.backup(target, pages=4096)
        if check:
            _integrity(target, dst)
    finally:
        target.close()
        source.close()


def _check_sqlite(path: Path) -> None:
    """A restore source must be a sound SQLite store of sohoa (an alembic version and the files table)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: không đọc được (unreadable): {exc}", code="bad_backup") from None
    try:
        _integrity(conn, path)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: không phải bản sao lưu SQLite của sohoa (not a sohoa SQLite backup): {exc}",
                         code="bad_backup") from None
    finally:
        conn.close()
    if not {"alembic_version", "files", "records"} <= tables:
        raise StoreError(f"{path}: không phải bản sao lưu của sohoa (not a sohoa backup)", code="bad_backup")


def _integrity(conn: sqlite3.Connection, path: Path) -> None:
    verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
    if verdict != "ok":
        raise StoreError(f"{path}: bản sao lưu hỏng (the backup is damaged): {verdict}", code="bad_backup")


def libpq_url(url: str) -> tuple[str, dict[str, str]]:
    """The store URL as libpq tools take it (no driver name), and the password as PGPASSWORD."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    env = {"PGPASSWORD": parsed.password} if parsed.password else {}
    return parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _pg_tool(tool: str, *args: str, url: str, target: str = "") -> None:
    exe = shutil.which(tool)
    conninfo, extra_env = libpq_url(url)
    if exe is None:
        raise StoreError(f"không có {tool}; cài gói postgresql-client rồi chạy: {tool} {' '.join(args)} "
                         f"{target} '<store url>' ({tool} not installed: install postgresql-client, or run it "
                         f"by hand)", code="no_pg_tool")
    command = [exe, *args, *([target, conninfo] if target else [conninfo])]
    result = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **extra_env}, check=False)
    if result.returncode != 0:
        raise StoreError(f"{tool} thất bại (failed): {result.stderr.strip()[-2000:]}", code=f"{tool}_failed")
