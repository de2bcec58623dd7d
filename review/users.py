"""Accounts: create, change, check a password, look up. Passwords are stored only as werkzeug hashes (scrypt);
the rows and the audit trail live in the store (store/accounts.py).

Password policy (one message that says what to do): at least MIN_PASSWORD characters, not the account name
or built from it, and not guessable — zxcvbn (a maintained port of Dropbox's estimator: common-password and
dictionary lists, keyboard patterns, repeats, dates) must rate it at least MIN_STRENGTH of 4.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from werkzeug.security import check_password_hash, generate_password_hash

from common.errors import AccountError
from store.db import Store
from store.schema import ROLES

# What each role may do; higher roles include the lower ones' rights.
RIGHTS = {
    "operator": {"view"},
    "reviewer": {"view", "review"},
    "approver": {"view", "review", "approve"},
    "admin": {"view", "review", "approve", "admin"},
}
MIN_PASSWORD = 10
MIN_STRENGTH = 3
MAX_PASSWORD = 256   # scrypt of a megabyte is a denial of service, not a password
NAME = re.compile(r"[^\W_][\w.\-]{0,63}", re.UNICODE)

UserError = AccountError  # the name older callers use


@dataclass(frozen=True)
class User:
    name: str
    role: str
    session_epoch: int = 0

    def can(self, right: str) -> bool:
        return right in RIGHTS.get(self.role, set())


def check_password(name: str, password: str) -> None:
    """AccountError saying plainly what is wrong with a new password; nothing when it is acceptable."""
    from zxcvbn import zxcvbn

    if len(password) > MAX_PASSWORD:
        raise AccountError(f"Mật khẩu dài quá {MAX_PASSWORD} ký tự (password too long)", code="weak_password")
    if len(password.strip()) < MIN_PASSWORD:
        raise AccountError(f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự không kể khoảng trắng ở hai đầu "
                           f"(password needs at least {MIN_PASSWORD} characters)", code="weak_password")
    if name.casefold() in password.casefold():
        raise AccountError("Mật khẩu không được chứa tên đăng nhập (password must not contain the account name)",
                           code="weak_password")
    verdict = zxcvbn(password[:100], user_inputs=[name, "sohoa", "hotich", "hộ tịch"])
    if verdict["score"] < MIN_STRENGTH:
        hint = verdict["feedback"].get("warning") or "dễ đoán (easy to guess)"
        raise AccountError(f"Mật khẩu quá dễ đoán, hãy dùng một câu dài hơn hoặc ít phổ biến hơn (password too "
                           f"easy to guess: {hint})", code="weak_password")


def _check_name(name: str) -> None:
    """Latin letters only (Vietnamese ones included): a Cyrillic or Greek letter drawn like a Latin one
    (`аn` with a Cyrillic а) would make an account that looks like another on every screen and log."""
    if not NAME.fullmatch(name) or any(ch.isalpha() and "LATIN" not in unicodedata.name(ch, "") for ch in name):
        raise AccountError("Tên đăng nhập 1–64 ký tự: chữ cái Latinh (kể cả tiếng Việt), số, dấu chấm, gạch ngang; "
                           "không khoảng trắng (account name: 1–64 Latin letters, Vietnamese ones included, digits, "
                           "dot or hyphen; no spaces)", code="bad_name")


def add_user(store: Store, name: str, role: str, password: str, *, actor: str) -> User:
    """Create an account, or reset the role and password of an existing one (its live sessions end)."""
    if role not in ROLES:
        raise AccountError(f"Vai trò không hợp lệ: {role} (unknown role; use {', '.join(ROLES)})", code="bad_role")
    _check_name(name)
    check_password(name, password)
    store.save_user(name, role, generate_password_hash(password), actor=actor)
    return get_user(store, name)


def set_password(store: Store, name: str, password: str, *, actor: str) -> None:
    check_password(name, password)
    store.set_user_password(name, generate_password_hash(password), actor=actor)


def get_user(store: Store, name: str) -> User | None:
    """The account when it exists and is enabled."""
    row = store.user_row(name)
    if row is None or row.disabled:
        return None
    return User(row.name, row.role, row.session_epoch)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return generate_password_hash("timing-equaliser")


def authenticate(store: Store, name: str, password: str) -> User | None:
    """The user when the password matches and the account is enabled; None otherwise (the same answer and the
    same work for an unknown name, a disabled account and a bad password: no probing by timing)."""
    row = store.user_row(name.strip()) if len(password) <= MAX_PASSWORD else None
    if row is None:
        check_password_hash(_dummy_hash(), password[:MAX_PASSWORD])
        return None
    ok = check_password_hash(row.password_hash, password)
    return User(row.name, row.role, row.session_epoch) if ok and not row.disabled else None
