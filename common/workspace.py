"""The folder tree operators use, and how a path inside it becomes a hint (document type, commune, book).

    <ws>/sohoa.toml  sohoa.db
    <ws>/inbox/<loại>/<xã>/<quyển or batch>/<files>   loại: a folder the document-type registry declares
                                                      (KS KT KH HN CMC GCN CCCD …) or `auto`
    <ws>/done/…  quarantine/…  (same sub-path as in the inbox)   out/  work/<file id>/

Which folder names exist is data: each document type's file in profiles/ lists its inbox folders
(common/doctypes.py), so adding a type adds its folder.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from common.config import CONFIG_NAME, Settings, load_settings
from common.doctypes import Registry, load_registry
from common.errors import WorkspaceError
from common.text import nfc

AUTO = "auto"        # the inbox folder whose files are classified among every type
DB_NAME = "sohoa.db"


@dataclass(frozen=True)
class IntakeHint:
    """What the folder says about a file. `kind` is the inbox folder as the registry spells it ("auto" =
    classify); `profile_name` is the one document type that folder holds, when it holds exactly one;
    `ocr_layout` the OCR layout hint all its types share. Commune and book are NFC, so a macOS (NFD) folder
    and a Windows one name the same book."""
    kind: str = AUTO
    commune: str = ""
    book: str = ""
    rel_path: str = ""            # NFC, relative to inbox/
    profile_name: str | None = None
    ocr_layout: str | None = None


def hint_for_folder(kind: str, registry: Registry | None = None) -> tuple[str, str | None, str | None]:
    """(declared folder name or "auto", the single type it holds or None, shared OCR layout or None)."""
    registry = registry or load_registry()
    declared = registry.folder_name(kind) if kind else None
    if declared is None:
        return AUTO, None, None
    types = registry.for_folder(declared)
    layouts = {t.type.ocr_layout for t in types}
    return declared, types[0].name if len(types) == 1 else None, layouts.pop() if len(layouts) == 1 else None


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

    def settings(self) -> Settings:
        return load_settings(self.root)

    def store_url(self, settings: Settings | None = None) -> str:
        settings = settings or self.settings()
        return settings.store.url or f"sqlite:///{self.db_path.resolve()}"

    def missing_store(self, settings: Settings | None = None) -> Path | None:
        """The SQLite store file this workspace names when it is not there (None: present, or PostgreSQL)."""
        url = self.store_url(settings)
        if not url.startswith("sqlite"):
            return None
        rest = url.split("///", 1)[1] if "///" in url else ""
        if not rest or rest == ":memory:" or rest.startswith("file:"):
            return None
        path = Path(rest.split("?", 1)[0])
        return None if path.exists() else path

    def inbox_folders(self, registry: Registry | None = None) -> list[str]:
        """The inbox folders operators may use: every folder a document type declares, then `auto`."""
        return (registry or load_registry()).inbox_folders() + [AUTO]

    def hint_for(self, path: Path, registry: Registry | None = None) -> IntakeHint:
        """inbox/<loại>/<xã>/<quyển>/…/file -> IntakeHint. An unknown or missing loại means auto (commune and
        book still come from the two folders under it)."""
        rel = Path(path).relative_to(self.inbox)
        parts = [nfc(p) for p in rel.parts]
        folders = parts[:-1]
        # an undeclared type folder is classified (auto), but the levels under it still name commune and
        # book: inbox/ZZ/<xã>/<quyển>/ keeps its commune and book
        kind, profile, layout = hint_for_folder(folders[0] if folders else "", registry)
        return IntakeHint(kind, folders[1] if len(folders) > 1 else "", folders[2] if len(folders) > 2 else "",
                          "/".join(parts), profile, layout)

    def unknown_inbox_folders(self, registry: Registry | None = None) -> list[str]:
        """Top-level inbox folders no document type declares (their files would be classified as `auto`)."""
        if not self.inbox.is_dir():
            return []
        known = {nfc(f).casefold() for f in self.inbox_folders(registry)}
        return sorted(p.name for p in self.inbox.iterdir()
                      if p.is_dir() and not p.name.startswith(".") and nfc(p.name).casefold() not in known)


def open_workspace(root: Path, *, store_must_exist: bool = True) -> Workspace:
    """An existing workspace, or WorkspaceError saying how to make one. A workspace whose SQLite store file is
    gone is refused too: opening it would silently create an empty store and hide the loss (only `sohoa init`
    creates a store, and `sohoa restore`, which passes store_must_exist=False, brings one back)."""
    ws = Workspace(Path(root).resolve())
    if not ws.config_path.is_file() or not ws.inbox.is_dir():
        raise WorkspaceError(f"{ws.root}: chưa phải thư mục làm việc, hãy chạy `sohoa init {root}` "
                             f"(not a workspace; run `sohoa init` first)", code="not_a_workspace")
    missing = ws.missing_store() if store_must_exist else None
    if missing is not None:
        raise WorkspaceError(f"{missing}: không thấy tệp CSDL của thư mục làm việc; khôi phục bằng `sohoa restore` "
                             f"hoặc tạo mới bằng `sohoa init` (the workspace's store file is missing; restore it "
                             f"from a backup, or run `sohoa init` to start an empty one)", code="store_missing")
    return ws
