"""Making a workspace: folders, the commented config file and the store. The layout itself and how a path
becomes a hint live in common/workspace.py (every stage reads them); creating the store is this stage's job."""
from __future__ import annotations

from pathlib import Path

from common.config import DEFAULT_TOML
from common.doctypes import load_registry
from common.workspace import AUTO, IntakeHint, Workspace, open_workspace

__all__ = ["AUTO", "IntakeHint", "Workspace", "init_workspace", "open_workspace"]


def init_workspace(root: Path) -> Workspace:
    """Create (or complete) a workspace. Idempotent: an existing config and store are kept as they are; an
    inbox folder is made for every folder the document-type registry declares."""
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
        ws.config_path.write_text(DEFAULT_TOML, encoding="utf-8")
    ws.settings()  # refuse a broken config now, not at the first file
    Store(ws.store_url()).close()  # creates the database and brings it to the newest schema
    return ws
