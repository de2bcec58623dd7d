"""A throwaway PostgreSQL server for the tests and the scale benchmark: `initdb` into a temporary folder,
`pg_ctl start` listening on a unix socket only (no TCP port to collide with), stopped and deleted after.

Why not the machine's own cluster: CI starts no service, and tests must not depend on what an
administrator set up. Debian's `postgresql` package (Makefile SYSTEM_PACKAGES) brings the binaries under
/usr/lib/postgresql/<version>/bin; apt does not start a server in CI, this module does.

PostgreSQL refuses to run as root. When we are root (CI, this machine), the server runs as the `postgres`
account the Debian package creates (or `nobody` when there is none): the folder is handed to that account
and initdb/pg_ctl are started with its uid/gid (subprocess `user=`/`group=`, no extra groups). Clients
connect as the database superuser `postgres` over the socket with `trust` authentication: a test-only
server reachable only through a socket in a private temporary folder.

Durability is switched off (fsync, synchronous_commit, full_page_writes): a test server that dies loses
only test data, and creating a database per test stays fast (CREATE DATABASE … TEMPLATE).
"""
from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

FAST = ("-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 "
        "-c shared_buffers=128MB")


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL binaries on this machine (install Debian's `postgresql` package)."""


def find_bindir() -> Path:
    """The newest /usr/lib/postgresql/<version>/bin with initdb and pg_ctl, or PostgresUnavailable."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name)
                        if Path(p).parent.name.isdigit() else 0)
    for found in reversed(candidates):
        if (Path(found) / "initdb").exists() and (Path(found) / "pg_ctl").exists():
            return Path(found)
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise PostgresUnavailable("không tìm thấy initdb/pg_ctl; cài gói `postgresql` (PostgreSQL binaries not found: "
                              "install Debian's `postgresql` package)")


def _server_account() -> pwd.struct_passwd | None:
    """Who runs the server: ourselves, or when we are root the `postgres` account (else `nobody`)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise PostgresUnavailable("chạy với quyền root nhưng không có tài khoản postgres/nobody (running as root "
                              "without a postgres or nobody account to run the server as)")


class TempPostgres:
    """One server in a temporary folder. `url(db)` gives a SQLAlchemy URL for the psycopg 3 driver."""

    def __init__(self, *, port: int = 5432, options: str = FAST):
        self.bindir = find_bindir()
        self.port = port
        self.options = options
        self.root: Path | None = None
        self.account = _server_account()

    # --------------------------------------------------------------------------------------- life

    def start(self) -> TempPostgres:
        # a short path: a unix socket path must stay under ~100 bytes
        self.root = Path(tempfile.mkdtemp(prefix="sohoa-pg-", dir="/tmp"))
        if self.account is not None:
            os.chown(self.root, self.account.pw_uid, self.account.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-instructions")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-w", "-t", "60", "-o",
                  f"-k {self.root} -c listen_addresses='' -p {self.port} {self.options}", "start")
        return self

    def stop(self) -> None:
        if self.root is None:
            return
        with contextlib.suppress(subprocess.CalledProcessError):  # already gone: only the folder is left
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def __enter__(self) -> TempPostgres:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def data(self) -> Path:
        assert self.root is not None, "server not started"
        return self.root / "data"

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join((self.data.parent / "server.log").read_text().splitlines()[-lines:])
        except OSError:
            return ""

    # -------------------------------------------------------------------------------------- databases

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@/{database}?host={self.root}&port={self.port}"

    def libpq(self, database: str = "postgres") -> str:
        """A libpq connection string (psql, pg_dump)."""
        return f"host={self.root} port={self.port} user=postgres dbname={database}"

    def execute(self, *statements: str) -> None:
        """Statements that cannot run in a transaction (CREATE/DROP DATABASE), on the maintenance db."""
        import psycopg

        with psycopg.connect(self.libpq(), autocommit=True) as conn:
            for sql in statements:
                conn.execute(sql)

    def create_database(self, name: str, template: str | None = None) -> str:
        self.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    # ----------------------------------------------------------------------------------------- helpers

    def _run(self, tool: str, *args: str) -> None:
        kwargs: dict = {}
        if self.account is not None:
            kwargs = {"user": self.account.pw_uid, "group": self.account.pw_gid, "extra_groups": [],
                      "cwd": self.root}
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
        result = subprocess.run([str(self.bindir / tool), *args], capture_output=True, text=True, env=env,
                                check=False, **kwargs)
        if result.returncode != 0:
            raise subprocess.CalledProcessError(result.returncode, [tool, *args],
                                                output=result.stdout, stderr=result.stderr + self.log_tail())
