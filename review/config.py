"""Review settings from the workspace file review.toml (a `[review]` section in sohoa.toml is read too,
but hotfolders' loader refuses sections it does not know, so keep it in review.toml for now):

    [review]
    session_minutes = 60      # idle time after which a reviewer must log in again
    lock_minutes = 15         # how long an opened record stays locked to its reviewer
    export_rule = "approved"  # approved | reviewed | all  (which records export may take)
    secure_cookies = false    # true when served over HTTPS (behind a reverse proxy)
"""
from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

SECRET_NAME = ".review_secret"
FILES = ("sohoa.toml", "review.toml")  # later files override earlier ones


class ReviewConfigError(ValueError):
    pass


@dataclass
class ReviewConfig:
    session_minutes: float = 60.0
    lock_minutes: float = 15.0
    export_rule: str = "approved"
    secure_cookies: bool = False


def load_review_config(workspace: Path) -> ReviewConfig:
    config = ReviewConfig()
    known = {f.name: f.type for f in fields(ReviewConfig)}
    for name in FILES:
        path = Path(workspace) / name
        if not path.is_file():
            continue
        with open(path, "rb") as fh:
            section = tomllib.load(fh).get("review", {})
        for key, value in section.items():
            if key not in known:
                raise ReviewConfigError(f"{path}: khóa không biết [review] {key} (unknown key)")
            setattr(config, key, value)
    from review.rules import RULES
    if config.export_rule not in RULES:
        raise ReviewConfigError(f"export_rule phải là một trong {', '.join(RULES)} (unknown export rule)")
    return config


def secret_key(workspace: Path) -> bytes:
    """The session-signing key, made once per workspace and readable only by its owner: another
    workspace's cookies are worthless here, and a forged cookie cannot be made without the file."""
    path = Path(workspace) / SECRET_NAME
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())
