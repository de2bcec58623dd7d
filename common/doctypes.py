"""The document-type registry: one TOML file per document type in profiles/, and this module reads the part
every folder needs — the `[type]` and `[export]` tables. (How to find the fields is the rest of the same file,
read by extract/profiles.py.) Adding a document type is adding one file: no Python names a type.

    [type]
    code = "KS"                  # what people and exports call it: the inbox folder, file names, reports
    family = "civil_status"      # civil_status | land | card
    inbox = ["KS"]               # inbox/<folder>/ holding this type; a folder shared by several types (every
                                 # card side in CCCD/) classifies among them
    ocr_layout = "form"          # hint for OCR: form (label/value lines) | card | page (mixed layout)
    side = ""                    # cards: front | back ("" for one-sided documents)
    legacy = "misa_ks"           # profiles/legacy/<name>.toml: column map for import-legacy ("" = none)

    [export]
    exporter = "btp"             # btp (BTP workbook + PDFs per book) | land (land workbook) | none
    columns = ["STT", "so", …]   # btp: the template's row-1 keys in order; sheet, notes_sheet, annotations,
                                 # date_columns and [[export.code_lists]] as in the BTP template
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

from common.errors import ConfigError
from common.paths import profiles_dir
from common.schema import build
from common.text import nfc

Family = Literal["civil_status", "land", "card"]
Exporter = Literal["btp", "land", "none"]


class RegistryError(ConfigError):
    """A document-type file whose [type]/[export] part is missing or malformed."""

    code = "registry"


@dataclass(frozen=True)
class CodeListSpec:
    title: str
    codes: list[list[str]]


@dataclass(frozen=True)
class TypeSpec:
    code: str
    family: Family
    inbox: list[str] = field(default_factory=list)
    ocr_layout: Literal["form", "card", "page"] = "page"
    side: Literal["", "front", "back"] = ""
    legacy: str = ""


@dataclass(frozen=True)
class ExportSpec:
    exporter: Exporter = "none"
    sheet: str = "DL Import"
    notes_sheet: str = "Ghi chu"
    columns: list[str | dict] = field(default_factory=list)
    date_columns: list[str] | None = None
    annotations: dict = field(default_factory=dict)
    code_lists: list[CodeListSpec] = field(default_factory=list)


@dataclass(frozen=True)
class DocType:
    """One document type as the rest of sohoa sees it. `name` is what records store as their doc_type."""
    name: str
    title: str
    type: TypeSpec
    export: ExportSpec
    source: str = ""

    @property
    def code(self) -> str:
        return self.type.code

    @property
    def family(self) -> str:
        return self.type.family


@dataclass(frozen=True)
class _File:
    """The registry's view of a profile file: everything else in it belongs to extraction."""
    name: str
    title: str
    type: TypeSpec
    export: ExportSpec = field(default_factory=ExportSpec)


@dataclass(frozen=True)
class Registry:
    types: dict[str, DocType]

    def get(self, name: str) -> DocType | None:
        return self.types.get(name)

    def __getitem__(self, name: str) -> DocType:
        return self.types[name]

    def __iter__(self):
        return iter(self.types.values())

    def inbox_folders(self) -> list[str]:
        """Every inbox folder name some type declares, in file order, without repeats."""
        return list(dict.fromkeys(folder for t in self for folder in t.type.inbox))

    def for_folder(self, folder: str) -> list[DocType]:
        """The types an inbox folder may hold (NFC, case-insensitive); empty for an unknown folder."""
        wanted = nfc(folder).casefold()
        return [t for t in self if any(nfc(f).casefold() == wanted for f in t.type.inbox)]

    def folder_name(self, folder: str) -> str | None:
        """The declared spelling of an inbox folder, or None when no type declares it."""
        wanted = nfc(folder).casefold()
        return next((f for f in self.inbox_folders() if nfc(f).casefold() == wanted), None)

    def by_code(self, code: str) -> list[DocType]:
        return [t for t in self if t.code.casefold() == code.casefold()]

    def codes(self, *, family: str | None = None, exporter: str | None = None) -> list[str]:
        """Type codes in file order, optionally of one family or one exporter."""
        return list(dict.fromkeys(t.code for t in self if (family is None or t.family == family)
                                  and (exporter is None or t.export.exporter == exporter)))

    def names(self, *, family: str | None = None, side: str | None = None) -> list[str]:
        return [t.name for t in self if (family is None or t.family == family) and (side is None or t.type.side == side)]

    def family_of(self, name: str) -> str:
        t = self.types.get(name)
        return t.family if t is not None else ""

    def label(self, name: str) -> str:
        """How a person reads a stored doc_type: the type's title, else the name itself."""
        t = self.types.get(name)
        return t.title if t is not None else name


def read_type_file(path: Path) -> DocType:
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{path}: TOML lỗi cú pháp (TOML syntax error): {exc}") from None
    part = {k: data[k] for k in ("name", "title", "type", "export") if k in data}
    if "type" not in part:
        raise RegistryError(f"{path}: thiếu mục [type] (the [type] table is missing: code, family, inbox …)",
                            code="registry_missing_type")
    try:
        spec = build(_File, part, "", RegistryError)
    except ConfigError as exc:
        raise RegistryError(f"{path}: {exc}", code=exc.code) from None
    if spec.export.exporter == "btp" and not spec.export.columns:
        raise RegistryError(f"{path}: export.columns: mẫu BTP cần danh sách cột (a BTP export needs its columns)")
    return DocType(spec.name, spec.title, spec.type, spec.export, str(path))


@lru_cache(maxsize=8)
def _cached(folder: str, stamp: tuple) -> Registry:
    types: dict[str, DocType] = {}
    for path in sorted(Path(folder).glob("*.toml")):
        doc = read_type_file(path)
        if doc.name in types:
            raise RegistryError(f"{path}: name '{doc.name}' trùng với {types[doc.name].source} (duplicate name)")
        types[doc.name] = doc
    return Registry(types)


def load_registry(folder: Path | str | None = None) -> Registry:
    """Every document type of the profiles folder ($SOHOA_PROFILES, else the checkout's or installed one).
    Cached until a file in the folder changes."""
    root = Path(folder) if folder is not None else profiles_dir()
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(root.glob("*.toml")))
    return _cached(str(root.resolve()), stamp)
