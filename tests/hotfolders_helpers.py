"""Shared set-up for the hot-folder tests: a workspace tuned for speed and JSON "documents"."""
from __future__ import annotations

import json
import re
from pathlib import Path

from common.config import Settings
from hotfolders.workspace import Workspace, init_workspace

FAKE = "tests.support.fakes:FakeProcessor"


def make_workspace(root: Path, **overrides: object) -> tuple[Workspace, Settings]:
    """A fresh workspace whose sohoa.toml uses the fake processor, in-process work and short windows."""
    ws = init_workspace(root)
    settings = {"stability_seconds": 0.2, "rescan_seconds": 0.5, "poll_seconds": 0.05, "progress_seconds": 0.0,
                "count": 0, "backoff_seconds": 0.05, "name": FAKE}
    settings.update(overrides)
    text = ws.config_path.read_text(encoding="utf-8")
    for key, value in settings.items():
        literal = json.dumps(value)
        text, n = re.subn(rf"(?m)^{key} = .*$", f"{key} = {literal}", text)
        assert n == 1, key
    ws.config_path.write_text(text, encoding="utf-8")
    return ws, ws.settings()


def drop_document(ws: Workspace, rel: str, **doc: object) -> Path:
    path = ws.inbox / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.setdefault("fields", {"so": rel})
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
