"""The folder tree operators use, and how a path inside it becomes a hint (type, commune, book).

    <ws>/sohoa.toml  sohoa.db
    <ws>/inbox/<loại>/<xã>/<quyển or batch>/<files>   loại: KS KT KH HN CMC GCN CCCD auto
    <ws>/done/…  quarantine/…  (same sub-path as in the inbox)   out/  work/<file id>/
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from common.text import nfc
from hotfolders.config import CONFIG_NAME, DEFAULT_TOML, Config, load_config

KINDS = ("KS", "KT", "KH", "HN", "CMC", "GCN", "CCCD", "auto")
DB_NAME = "sohoa.db"


@dataclass(frozen=True)
class IntakeHint:
    """What the folder says about a file. kind is one of KINDS ("auto" = classify); commune and book are
    NFC so a macOS (NFD) folder and a Windows one name the same book."""
    kind: str = "auto"
    commune: str = ""
    book: str = ""
    rel_path: str = ""  # NFC, relative to inbox/

    @property
    def profile_name(self) -> str | None:
        """The extraction profile the kind implies; None lets extraction classify."""
        return self.kind.lower() if self.kind in ("KS", "KT", "KH", "HN", "CMC") else None


@dataclass(frozen=True)
class Workspace:
    root: Path

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME

    inbox = property(lambda self: self.root / "inbox")
    done = property(lambda self: self.root / "done")
    quarantine = property(lambda self: self.root / "quarantine")
    out = property(lambda self: self.root / "out")
    work = property(lambda self: self.root / "work")

    def config(self) -> Config:
        return load_config(self.config_path)

    def store_url(self, config: Config | None = None) -> str:
        from store.db import sqlite_url

        config = config or self.config()
        return config.store_url or sqlite_url(self.db_path)

    def hint_for(self, path: Path) -> IntakeHint:
        """inbox/<loại>/<xã>/<quyển>/…/file -> IntakeHint. An unknown or missing loại means auto."""
        rel = Path(path).relative_to(self.inbox)
        parts = [nfc(p) for p in rel.parts]
        folders = parts[:-1]
        kind = next((k for k in KINDS if folders and folders[0].casefold() == k.casefold()), None)
        if kind is None:
            return IntakeHint("auto", "", "", "/".join(parts))
        return IntakeHint(kind, folders[1] if len(folders) > 1 else "", folders[2] if len(folders) > 2 else "",
                          "/".join(parts))


def init_workspace(root: Path) -> Workspace:
    """Create (or complete) a workspace. Idempotent: an existing config and store are kept as they are."""
    ws = Workspace(Path(root).resolve())
    for folder in (ws.inbox, ws.done, ws.quarantine, ws.out, ws.work):
        folder.mkdir(parents=True, exist_ok=True)
    for kind in KINDS:
        (ws.inbox / kind).mkdir(exist_ok=True)
    if not ws.config_path.exists():
        ws.config_path.write_text(DEFAULT_TOML, encoding="utf-8")
    from store.db import Store

    Store(ws.store_url()).close()  # creates the database and brings it to the newest schema
    return ws


def open_workspace(root: Path) -> Workspace:
    ws = Workspace(Path(root).resolve())
    if not ws.config_path.exists() or not ws.inbox.is_dir():
        raise FileNotFoundError(f"{ws.root}: chưa phải thư mục làm việc, hãy chạy `sohoa init` "
                                "(not a workspace; run `sohoa init` first)")
    return ws
