"""Making a workspace: folders, the commented config file and the store. The layout itself and how a path
becomes a hint live in common/workspace.py (every stage reads them); creating the store is this stage's job."""
from __future__ import annotations

import os
import tempfile
import unicodedata
from pathlib import Path

from common.config import DEFAULT_TOML, STORE_SCHEMES, load_settings
from common.doctypes import load_registry
from common.workspace import AUTO, IntakeHint, Workspace, open_workspace

__all__ = ["AUTO", "CONFIG_MODE", "IntakeHint", "Workspace", "check_store_url", "init_workspace", "open_workspace"]

CONFIG_MODE = 0o640  # sohoa.toml: owner writes, the team (group) reads — it may hold a database password


def init_workspace(root: Path, store_url: str | None = None) -> Workspace:
    """Create (or complete) a workspace. Idempotent: an existing config and store are kept as they are; an
    inbox folder is made for every folder the document-type registry declares. `store_url` (a shared
    PostgreSQL, `postgresql://…`) goes into a new sohoa.toml's [store] url; an existing config is never
    rewritten, and one naming another store is refused rather than silently kept. The URL is checked before
    anything is written, and a new sohoa.toml appears only once its store opens: a refused init leaves no
    config behind that a corrected second run would trip over."""
    from common.errors import WorkspaceError
    from store.db import Store

    if store_url:
        check_store_url(store_url)
    ws = Workspace(Path(root).resolve())
    for folder in (ws.inbox, ws.done, ws.quarantine, ws.out, ws.work):
        made = not folder.exists()
        folder.mkdir(parents=True, exist_ok=True)
        if made and folder != ws.inbox:
            # originals, page images and exports hold names and ID numbers: the workspace's owner only (the
            # inbox keeps the umask's mode: scanner operators may drop files as another account)
            folder.chmod(0o700)
    for kind in ws.inbox_folders(load_registry()):
        (ws.inbox / kind).mkdir(exist_ok=True)
    if ws.config_path.exists():
        settings = ws.settings()  # refuse a broken config now, not at the first file
        if store_url and settings.store.url != store_url:
            raise WorkspaceError(f"{ws.config_path}: đã có [store] url khác; sửa tệp cấu hình nếu muốn đổi (the "
                                 f"config already names another store; edit it to change)", code="store_mismatch")
        Store(ws.store_url(settings)).close()  # creates the database and brings it to the newest schema
        return ws
    text = DEFAULT_TOML if not store_url else DEFAULT_TOML.replace('\nurl = ""\n', f"\nurl = {_toml(store_url)}\n")
    temp = _write_private(ws.root, text)
    try:
        settings = load_settings(temp)
        Store(ws.store_url(settings)).close()
        os.replace(temp, ws.config_path)
    finally:
        temp.unlink(missing_ok=True)
    return ws


def check_store_url(url: str) -> None:
    """A store URL fit to go into sohoa.toml: a sqlite:/// or postgresql:// URL on one line (a newline would
    start new TOML lines of its own), refused before anything is written."""
    from common.errors import ConfigError

    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in url):
        raise ConfigError("--store-url có ký tự điều khiển hoặc xuống dòng (the store URL holds a control "
                          "character or a line break)", code="config_value")
    if not url.startswith(STORE_SCHEMES):
        raise ConfigError("--store-url phải là sqlite:/// hoặc postgresql:// (must be a sqlite:/// or "
                          "postgresql:// URL)", code="config_value")


def _write_private(folder: Path, text: str) -> Path:
    """`text` in a new file beside sohoa.toml, mode 0640 whatever the umask: it may hold the PostgreSQL password,
    which the team (the group) reads and nobody else."""
    fd, name = tempfile.mkstemp(prefix=".sohoa.toml.", suffix=".tmp", dir=folder)
    try:
        os.fchmod(fd, CONFIG_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def _toml(value: str) -> str:
    """A TOML basic string (URLs may hold quotes or backslashes in passwords; control characters, refused
    before, are escaped all the same)."""
    out = []
    for ch in value:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'
