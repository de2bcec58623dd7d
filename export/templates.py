"""BTP import templates and the land workbook layout, loaded from data files.

Column order and code lists are data, not code, because only KS is confirmed from a real template file;
KT/KH/HN/CMC are [likely] and may need correcting without a release. A civil-status type's BTP template is
the `[export]` table of its document-type file (profiles/<type>.toml, see common/doctypes.py):

    [export]
    exporter = "btp"
    sheet = "DL Import"                  # optional, default "DL Import"
    notes_sheet = "Ghi chu"              # optional, default "Ghi chu"
    columns = ["STT", "so", ...]         # required, the row-1 keys in template order ("STT" = row number)
    date_columns = ["ngayDangKy", ...]   # optional; default: keys containing "ngay"/"Ngay" but not "BangChu"

    [export.annotations]                 # optional: text written after a line break in the header cell
    loaiDangKy = "i=[1,2,3,4,5,6]"       #   -> header cell "loaiDangKy\\ni=[1,2,3,4,5,6]"

    [[export.code_lists]]                # optional: the `Ghi chu` sheet, one block per list
    title = "Giới tính (nksGioiTinh, ...)"
    codes = [["1", "Nam"], ["2", "Nữ"], ["3", "Không xác định"]]

A column may also be written as a table `{ key = "loaiDangKy", note = "i=[1,2,3,4,5,6]" }` inside
`columns`, which is the same as an `[annotations]` entry.

`profiles/templates/land.toml` has the same `columns`/`date_columns` plus `labels` (key -> Vietnamese
column title for the notes sheet) and a `[reconciliation]` table; see export/land.py.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from common.doctypes import DocType, load_registry
from common.errors import ConfigError
from common.paths import profiles_dir


class TemplateError(ConfigError):
    """A template file is missing or malformed; the message names the file and the problem."""


@dataclass(frozen=True)
class CodeList:
    title: str
    codes: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class BtpTemplate:
    doc_type: str
    columns: tuple[str, ...]
    annotations: dict[str, str] = field(default_factory=dict)
    date_columns: frozenset[str] = frozenset()
    code_lists: tuple[CodeList, ...] = ()
    sheet: str = "DL Import"
    notes_sheet: str = "Ghi chu"
    source: Path | None = None

    def header(self) -> list[str]:
        """Row 1 exactly as the template has it: key, then a line break and its allowed values if any."""
        return [f"{key}\n{self.annotations[key]}" if self.annotations.get(key) else key for key in self.columns]


def templates_dir() -> Path:
    return profiles_dir() / "templates"


def default_date_columns(columns: tuple[str, ...]) -> frozenset[str]:
    """Template keys that hold a date: `ngay…`/`…Ngay…` except the spelled-out ones (`…BangChu`)."""
    return frozenset(k for k in columns if re.search(r"(^ngay|Ngay)", k) and "BangChu" not in k)


def _columns(raw: list, where: Path) -> tuple[tuple[str, ...], dict[str, str]]:
    keys: list[str] = []
    notes: dict[str, str] = {}
    for i, item in enumerate(raw):
        if isinstance(item, str):
            keys.append(item)
        elif isinstance(item, dict) and isinstance(item.get("key"), str):
            keys.append(item["key"])
            if item.get("note"):
                notes[item["key"]] = str(item["note"])
        else:
            raise TemplateError(f"{where}: cột thứ {i + 1} không hợp lệ (column {i + 1} is not a key): {item!r}")
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise TemplateError(f"{where}: cột trùng (duplicate columns): {', '.join(duplicates)}")
    return tuple(keys), notes


def parse_code_lists(raw: list, where: Path) -> tuple[CodeList, ...]:
    lists = []
    for item in raw:
        try:
            lists.append(CodeList(str(item["title"]), tuple((str(c), str(m)) for c, m in item["codes"])))
        except (KeyError, TypeError, ValueError) as exc:
            raise TemplateError(f"{where}: danh mục mã không hợp lệ (bad code list) {item!r}: {exc}") from exc
    return tuple(lists)


def read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise TemplateError(f"thiếu tệp mẫu (template file missing): {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError(f"{path}: TOML lỗi (invalid TOML): {exc}") from exc


def parse_btp_template(data: dict, where: Path) -> BtpTemplate:
    if not isinstance(data.get("doc_type"), str) or not isinstance(data.get("columns"), list):
        raise TemplateError(f"{where}: cần `doc_type` và `columns` (needs doc_type and columns)")
    columns, notes = _columns(data["columns"], where)
    notes.update({str(k): str(v) for k, v in data.get("annotations", {}).items()})
    unknown = sorted(set(notes) - set(columns))
    if unknown:
        raise TemplateError(f"{where}: chú thích cho cột không có (annotation for missing column): {unknown}")
    dates = data.get("date_columns")
    return BtpTemplate(
        doc_type=data["doc_type"].upper(), columns=columns, annotations=notes,
        date_columns=frozenset(dates) if dates is not None else default_date_columns(columns),
        code_lists=parse_code_lists(data.get("code_lists", []), where),
        sheet=str(data.get("sheet", "DL Import")), notes_sheet=str(data.get("notes_sheet", "Ghi chu")),
        source=where)


def btp_types() -> tuple[str, ...]:
    """The codes of the document types exported as BTP books, from the registry (file order)."""
    return tuple(load_registry().codes(exporter="btp"))


def template_of(doc: DocType) -> BtpTemplate:
    """A registry type's BTP template, from its file's [export] table."""
    spec = doc.export
    data = {"doc_type": doc.code, "columns": list(spec.columns), "annotations": dict(spec.annotations),
            "code_lists": [{"title": c.title, "codes": c.codes} for c in spec.code_lists],
            "sheet": spec.sheet, "notes_sheet": spec.notes_sheet}
    if spec.date_columns is not None:
        data["date_columns"] = list(spec.date_columns)
    return parse_btp_template(data, Path(doc.source))


def load_btp_template(doc_type: str) -> BtpTemplate:
    """The template of a book type by its code (KS, KT …) or its registry name (ks …)."""
    registry = load_registry()
    found = [t for t in registry.by_code(doc_type) if t.export.exporter == "btp"]
    if not found and (named := registry.get(doc_type.lower())) is not None and named.export.exporter == "btp":
        found = [named]
    if not found:
        raise TemplateError(f"không có mẫu BTP cho loại {doc_type} (no BTP template for {doc_type}); loại có "
                            f"mẫu (types with one): {', '.join(btp_types())}", code="no_template")
    return template_of(found[0])
