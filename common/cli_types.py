"""Command-line argument types every stage's commands share, speaking Vietnamese first like the rest of the CLI
(click's own `Path(exists=True)` answers only in English) and reading the document-type registry when a value
is checked, never at import time (so `sohoa --help` stays fast and a new type needs no code)."""
from __future__ import annotations

from pathlib import Path

import click


class DocTypeCode(click.ParamType):
    """A document-type code (KS, GCN …) from the registry, optionally only those of one exporter or those with
    a legacy column map; case-insensitive, returned in the registry's spelling."""

    name = "loại (type)"

    def __init__(self, *, exporters: tuple[str, ...] = (), legacy: bool = False) -> None:
        self.exporters, self.legacy = exporters, legacy

    def choices(self) -> list[str]:
        from common.doctypes import load_registry

        return list(dict.fromkeys(t.code for t in load_registry()
                                  if (not self.exporters or t.export.exporter in self.exporters)
                                  and (not self.legacy or t.type.legacy)))

    def convert(self, value, param, ctx):
        known = self.choices()
        found = next((c for c in known if c.casefold() == str(value).casefold()), None)
        if found is None:
            self.fail(f"loại {value!r} không có; chọn một trong (unknown type; choose one of): {', '.join(known)}",
                      param, ctx)
        return found


class ExistingPath(click.ParamType):
    """A file or folder that must exist, refused in Vietnamese with an English gloss."""

    name = "đường dẫn (path)"

    def __init__(self, *, folder: bool) -> None:
        self.folder = folder

    def convert(self, value, param, ctx):
        path = value if isinstance(value, Path) else Path(value)
        if not path.exists():
            what = "thư mục" if self.folder else "tệp"
            self.fail(f"không có {what} {str(path)!r} ({'folder' if self.folder else 'file'} does not exist)",
                      param, ctx)
        if self.folder and not path.is_dir():
            self.fail(f"{str(path)!r} không phải thư mục (is not a folder)", param, ctx)
        if not self.folder and path.is_dir():
            self.fail(f"{str(path)!r} là thư mục, cần một tệp (is a folder; a file is needed)", param, ctx)
        return path


EXISTING_DIR = ExistingPath(folder=True)
EXISTING_FILE = ExistingPath(folder=False)


class NewFolder(click.Path):
    """A folder to create or reuse; an empty value is refused (Path("") would quietly mean the current folder)."""

    def __init__(self) -> None:
        super().__init__(file_okay=False, path_type=Path)

    def convert(self, value, param, ctx):
        if not str(value).strip():
            self.fail("đường dẫn trống (empty path): hãy ghi tên thư mục, hoặc . cho thư mục hiện tại "
                      "(name a folder, or . for the current one)", param, ctx)
        return super().convert(value, param, ctx)


NEW_FOLDER = NewFolder()
