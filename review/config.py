"""The review app's session-signing secret. (Its settings — session_minutes, lock_minutes, export_rule,
secure_cookies — are the [review] section of sohoa.toml, read by common/config.py.)"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

SECRET_NAME = ".review_secret"


def secret_key(workspace: Path) -> bytes:
    """The session-signing key, made once per workspace and readable only by its owner: another
    workspace's cookies are worthless here, and a forged cookie cannot be made without the file."""
    path = Path(workspace) / SECRET_NAME
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())
