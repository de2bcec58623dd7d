"""Opening a workspace's store for the export commands (one definition for `export`, `export-backlog`,
`report`, `import-legacy` and `import-reconciliation`)."""
from __future__ import annotations

from pathlib import Path


def open_workspace_store(workspace: Path):
    """(Workspace, Store) of an existing workspace; WorkspaceError (one clear line on the CLI) otherwise."""
    from common.workspace import open_workspace
    from store.db import Store

    ws = open_workspace(workspace)
    return ws, Store(ws.store_url())
