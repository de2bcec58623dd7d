"""Review accounts and the audit trail of every change to them (who, when, what). Passwords arrive already
hashed (review/users.py owns hashing and the password policy); names cross the store's text boundary and a
name that looks like an existing one (same skeleton: case, compatibility forms and invisible characters
ignored) is refused.

Every change that should end a person's live sessions — a password reset, a role change, disabling — bumps
the account's `session_epoch`; the review app compares it on every request.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select, update

from common.errors import AccountError
from common.text import name_skeleton, nfc
from store.engine import StoreBase, aware, now
from store.hygiene import person_value
from store.schema import ROLES, audit_events, users
from store.types import AuditRow, UserRow


def _user(r) -> UserRow:
    return UserRow(r.name, r.role, r.password_hash, bool(r.disabled), int(r.session_epoch), aware(r.created_at))


class AccountQueries(StoreBase):
    def user_row(self, name: str) -> UserRow | None:
        with self._read() as conn:
            row = conn.execute(select(users).where(users.c.name == name)).first()
        return _user(row) if row else None

    def user_rows(self) -> list[UserRow]:
        with self._read() as conn:
            return [_user(r) for r in conn.execute(select(users).order_by(users.c.name))]

    def save_user(self, name: str, role: str, password_hash: str, *, actor: str) -> bool:
        """Create an account, or reset the role and password of an existing one (ending its sessions).
        Returns True when it was created. Audited."""
        if person_value("name", name) != nfc(name) or not name.strip():
            raise AccountError("Tên đăng nhập có ký tự ẩn, ký tự điều khiển hoặc khoảng trắng thừa (the account "
                               "name holds invisible or control characters, or stray spaces)", code="bad_name")
        name = nfc(name)
        if role not in ROLES:
            raise AccountError(f"Vai trò không hợp lệ: {role} (unknown role; use {', '.join(ROLES)})",
                               code="bad_role")
        t = now()
        with self._write() as conn:
            row = conn.execute(select(users).where(users.c.name == name)).first()
            if row is None:
                self._refuse_look_alike(conn, name)
                conn.execute(insert(users).values(name=name, role=role, password_hash=password_hash, created_at=t,
                                                  disabled=False, session_epoch=0, updated_at=t))
                self._audit(conn, actor, "account_created", name, {"role": role})
                return True
            conn.execute(update(users).where(users.c.id == row.id).values(
                role=role, password_hash=password_hash, session_epoch=row.session_epoch + 1, updated_at=t))
            self._audit(conn, actor, "password_reset", name, {})
            if row.role != role:
                self._audit(conn, actor, "role_changed", name, {"from": row.role, "to": role})
            return False

    def set_user_role(self, name: str, role: str, *, actor: str) -> None:
        if role not in ROLES:
            raise AccountError(f"Vai trò không hợp lệ: {role} (unknown role; use {', '.join(ROLES)})",
                               code="bad_role")
        self._change(name, actor, "role_changed", {"role": role}, lambda row: {"from": row.role, "to": role})

    def set_user_password(self, name: str, password_hash: str, *, actor: str) -> None:
        self._change(name, actor, "password_reset", {"password_hash": password_hash}, lambda row: {})

    def set_user_disabled(self, name: str, disabled: bool, *, actor: str) -> None:
        self._change(name, actor, "account_disabled" if disabled else "account_enabled", {"disabled": disabled},
                     lambda row: {})

    def audit(self, actor: str, action: str, subject: str = "", detail: dict[str, Any] | None = None) -> None:
        with self._write() as conn:
            self._audit(conn, actor, action, subject, detail or {})

    def audit_rows(self, *, action: str | None = None, subject: str | None = None, limit: int = 200) -> list[AuditRow]:
        query = select(audit_events).order_by(audit_events.c.id.desc()).limit(limit)
        if action is not None:
            query = query.where(audit_events.c.action == action)
        if subject is not None:
            query = query.where(audit_events.c.subject == subject)
        with self._read() as conn:
            return [AuditRow(r.id, aware(r.at), r.actor, r.action, r.subject, dict(r.detail or {}))
                    for r in conn.execute(query)]

    # ------------------------------------------------------------------------------------------ helpers

    def _change(self, name: str, actor: str, action: str, values: dict[str, Any], detail) -> None:
        with self._write() as conn:
            row = conn.execute(select(users).where(users.c.name == name)).first()
            if row is None:
                raise AccountError(f"Không có tài khoản {name} (no such account)", code="no_account")
            conn.execute(update(users).where(users.c.id == row.id).values(
                **values, session_epoch=row.session_epoch + 1, updated_at=now()))
            self._audit(conn, actor, action, name, detail(row))

    @staticmethod
    def _refuse_look_alike(conn: Connection, name: str) -> None:
        skeleton = name_skeleton(name)
        for other in conn.execute(select(users.c.name)).scalars():
            if name_skeleton(other) == skeleton:
                raise AccountError(f"Tên {name!r} trông giống hệt tài khoản đã có {other!r}; chọn tên khác "
                                   f"(looks identical to an existing account: choose another name)",
                                   code="look_alike")

    @staticmethod
    def _audit(conn: Connection, actor: str, action: str, subject: str, detail: dict[str, Any]) -> None:
        conn.execute(insert(audit_events).values(at=now(), actor=actor[:64], action=action, subject=subject[:128],
                                                 detail=detail))
