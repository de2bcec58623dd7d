"""Making a workspace: folders, the commented config file and the store. The layout itself and how a path
becomes a hint live in common/workspace.py (every stage reads them); creating the store is this stage's job."""
from __future__ import annotations

from pathlib import Path

from common.config import DEFAULT_TOML
from common.doctypes import load_registry
from common.workspace import AUTO, IntakeHint, Workspace, open_workspace

__all__ = ["AUTO", "IntakeHint", "Workspace", "init_workspace", "open_workspace"]


def init_workspace(root: Path, store_url: str | None = None) -> Workspace:
    """Create (or complete) a workspace. Idempotent: an existing config and store are kept as they are; an
    inbox folder is made for every folder the document-type registry declares. `store_url` (a shared
    PostgreSQL, `postgresql://…`) goes into a new sohoa.toml's [store] url; an existing config is never
    rewritten, and one naming another store is refused rather than silently kept."""
    from common.errors import WorkspaceError
    from store.db import Store

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
    if not ws.config_path.exists():
        text = DEFAULT_TOML if not store_url else DEFAULT_TOML.replace('\nurl = ""\n', f"\nurl = {_toml(store_url)}\n")
        ws.config_path.write_text(text, encoding="utf-8")
    settings = ws.settings()  # refuse a broken config now, not at the first file
    if store_url and settings.store.url != store_url:
        raise WorkspaceError(f"{ws.config_path}: đã có [store] url khác; sửa tệp cấu hình nếu muốn đổi (the "
                             f"config already names another store; edit it to change)", code="store_mismatch")
    Store(ws.store_url()).close()  # creates the database and brings it to the newest schema
    return ws


def _toml(value: str) -> str:
    """A TOML basic string (URLs may hold quotes or backslashes in passwords)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
