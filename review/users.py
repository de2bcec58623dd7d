"""Accounts: create, check a password, look up. Passwords are stored only as werkzeug hashes (scrypt)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.engine import Engine
from werkzeug.security import check_password_hash, generate_password_hash

from common.errors import AccountError
from review.tables import ROLES, users

# What each role may do; higher roles include the lower ones' rights.
RIGHTS = {
    "operator": {"view"},
    "reviewer": {"view", "review"},
    "approver": {"view", "review", "approve"},
    "admin": {"view", "review", "approve", "admin"},
}
MIN_PASSWORD = 8


UserError = AccountError  # a refused account operation; the message is plain Vietnamese with an English gloss


@dataclass(frozen=True)
class User:
    name: str
    role: str

    def can(self, right: str) -> bool:
        return right in RIGHTS.get(self.role, set())


def add_user(engine: Engine, name: str, role: str, password: str) -> User:
    """Create an account, or reset the role and password of an existing one."""
    name = name.strip()
    if role not in ROLES:
        raise UserError(f"Vai trò không hợp lệ: {role} (unknown role; use {', '.join(ROLES)})")
    if not name or len(name) > 64 or any(c.isspace() for c in name):
        raise UserError("Tên đăng nhập phải có 1–64 ký tự, không có khoảng trắng (1–64 chars, no spaces)")
    if len(password) < MIN_PASSWORD:
        raise UserError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự (password too short)")
    hashed = generate_password_hash(password)
    with engine.begin() as conn:
        existing = conn.execute(select(users.c.id).where(users.c.name == name)).first()
        if existing:
            conn.execute(users.update().where(users.c.id == existing.id)
                         .values(role=role, password_hash=hashed))
        else:
            conn.execute(users.insert().values(name=name, role=role, password_hash=hashed,
                                               created_at=datetime.now(UTC)))
    return User(name, role)


def get_user(engine: Engine, name: str) -> User | None:
    with engine.connect() as conn:
        row = conn.execute(select(users.c.name, users.c.role).where(users.c.name == name)).first()
    return User(row.name, row.role) if row else None


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return generate_password_hash("timing-equaliser")


def authenticate(engine: Engine, name: str, password: str) -> User | None:
    """The user when the password matches; None otherwise (same answer for unknown name and bad password)."""
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.name == name.strip())).first()
    if row is None:
        check_password_hash(_dummy_hash(), password)  # same work as a real check: no name probing by timing
        return None
    return User(row.name, row.role) if check_password_hash(row.password_hash, password) else None
