"""Engines, migrations and transactions: what every query module of the store shares.

SQLite is opened in WAL mode (the review app reads while the watcher writes), with foreign keys on and a
busy timeout; write transactions start with BEGIN IMMEDIATE so two writers queue instead of one failing half
way ("database is locked" on the upgrade from a read lock). PostgreSQL gets a lock timeout of the same
length, and JIT compilation off: the store's queries are short, and compiling cost more than it saved
(~0.13 s a query on the report's aggregates at 1.7 million records, measured by `sohoa bench scale`). A writer that still cannot get the database raises common.errors.StoreBusy: nothing was written.
"""
from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError

from common.errors import StoreBusy, StoreError, StoreUnreachable

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 30_000
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
PRIVATE = stat.S_IRUSR | stat.S_IWUSR  # 0600: the store holds names, ID numbers and password hashes


def now() -> datetime:
    return datetime.now(UTC)


def aware(value: datetime | None) -> datetime | None:
    """SQLite gives datetimes back without their zone; everything stored is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{Path(path).resolve()}"


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _sqlite_path(url: str) -> Path | None:
    rest = url.split("///", 1)[1] if "///" in url else ""
    return Path(rest) if rest and rest != ":memory:" else None


def make_private(url: str) -> None:
    """The SQLite file and its WAL/SHM companions readable by their owner only (created 0644 by default)."""
    path = _sqlite_path(url) if is_sqlite(url) else None
    if path is None:
        return
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if candidate.exists() and stat.S_IMODE(candidate.stat().st_mode) != PRIVATE:
                os.chmod(candidate, PRIVATE)
        except OSError:  # not ours to change (a shared folder): the deployment decides
            log.warning("không đặt được quyền 0600 cho kho dữ liệu (could not make the store file private)")


def driver_url(url: str) -> str:
    """`postgresql://…` means the psycopg 3 driver (the one installed; SQLAlchemy's default is psycopg2)."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def shown_url(url: str) -> str:
    """The URL as a person may see it: the password never printed (logs, error lines)."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url.split("://", 1)[0] + "://…" if "://" in url else "…"


def _reason(exc: BaseException, url: str) -> str:
    """The driver's own reason, first line only (SQLAlchemy appends the SQL and its parameters), with the
    URL's password blanked should the driver quote it."""
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    reason = text[0].strip() if text else type(exc).__name__
    try:
        from sqlalchemy.engine import make_url

        password = make_url(url).password
    except ArgumentError:
        password = None
    return reason.replace(str(password), "***") if password else reason


def open_error(url: str, exc: BaseException) -> StoreError:
    """What a person reads when the store cannot be opened: where it is (no password) and why, in one line."""
    reason = _reason(exc, url)
    if is_sqlite(url):
        damaged = any(word in reason.lower() for word in ("not a database", "malformed", "corrupt"))
        why = ("tệp hỏng hoặc không phải CSDL SQLite (damaged or not a SQLite database)" if damaged
               else "không đọc được tệp (the file cannot be opened)")
        return StoreError(f"không mở được kho dữ liệu (cannot open the store) {_sqlite_path(url) or url}: {why}: "
                          f"{reason}", code="store_unreadable", detail=type(exc).__name__)
    return StoreUnreachable(f"không kết nối được kho dữ liệu {shown_url(url)} (the store cannot be reached): "
                            f"{reason}", detail=type(exc).__name__)


def make_engine(url: str) -> Engine:
    """An engine with the settings this project relies on for SQLite and PostgreSQL, connected once so an
    unreachable server, a wrong URL or a damaged file is a StoreError naming it, not a driver traceback."""
    try:
        engine = _make_engine(url)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise StoreError(f"địa chỉ kho dữ liệu không dùng được (unusable store URL) {shown_url(url)}: "
                         f"{_reason(exc, url)}", code="store_url", detail=type(exc).__name__) from None
    try:
        with engine.connect():
            pass
    except DBAPIError as exc:
        engine.dispose()
        raise open_error(url, exc) from None
    return engine


def _make_engine(url: str) -> Engine:
    if not is_sqlite(url):
        return create_engine(driver_url(url), pool_pre_ping=True,
                             connect_args={"options": f"-c lock_timeout={BUSY_TIMEOUT_MS} -c jit=off"}
                             if url.startswith("postgres") else {})
    path = _sqlite_path(url)
    if path is not None and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE)  # born private, not chmod-ed afterwards
        os.close(fd)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        # the driver's own transaction handling is switched off so BEGIN is ours (SQLAlchemy's recipe)
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL: a crash loses no committed transaction
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def migrate(engine: Engine) -> bool:
    """Bring the schema to the newest revision(s). Returns True when something was applied."""
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its INFO lines would drown the run's own log
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    heads = set(ScriptDirectory.from_config(config).get_heads())
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    if current == heads:
        return False
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "heads")
    log.info("kho dữ liệu nâng cấp lên (store schema upgraded to) %s", ",".join(sorted(heads)))
    return True


def _busy(exc: OperationalError) -> bool:
    text = str(exc.orig).lower() if exc.orig is not None else str(exc).lower()
    return any(word in text for word in ("locked", "lock timeout", "could not obtain lock", "deadlock detected"))


class StoreBase:
    """The engine and the two transaction shapes every query module uses."""

    engine: Engine
    url: str

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction: all of it commits or none of it (IMMEDIATE on SQLite)."""
        try:
            with self.engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, conn.begin():
                yield conn
        except OperationalError as exc:
            if _busy(exc):
                raise StoreBusy("kho dữ liệu đang bận, chưa ghi gì; hãy thử lại (the store is busy: nothing was "
                                "written; try again)", detail=type(exc.orig).__name__) from None
            raise

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn
