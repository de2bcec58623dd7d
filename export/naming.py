"""Export file names (shared/domain.md §1), from patterns in profiles/templates/naming.toml.

The patterns are [likely], not confirmed, so they live in data. Names are NFC, free of path separators and
characters Windows refuses, because the zips are opened on whatever machine the commune has.
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from pathlib import Path

from common.text import nfc
from export.templates import TemplateError, read_toml, templates_dir
from export.types import BookKey, Value, plain
from extract.textutil import strip_accents as strip_diacritics  # one implementation, shared with MRZ names

_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')


def initials(name: str, admin_prefixes: tuple[str, ...] = ()) -> str:
    """'Cẩm Giàng' -> 'CG', 'Thành phố Hải Dương' -> 'HD'. A name already given as initials stays as is.
    Words in brackets are a note, not a name ("(chưa rõ huyện)"): a name with nothing else gives 'XX'."""
    text = re.sub(r"\([^)]*\)", " ", nfc(name)).strip()
    if re.fullmatch(r"[A-Z]{1,6}", text):
        return text
    lowered = text.lower()
    for prefix in sorted(admin_prefixes, key=len, reverse=True):
        if lowered.startswith(prefix + " "):
            text = text[len(prefix):].strip()
            break
    words = re.split(r"[\s\-–.]+", strip_diacritics(text))
    return "".join(w[0].upper() for w in words if w and w[0].isalnum()) or "XX"


def safe_name(name: str) -> str:
    """One path component: NFC, no separators/control/reserved characters, no leading dots."""
    cleaned = _UNSAFE.sub("-", nfc(name)).strip().strip(".")
    if not cleaned or cleaned in {".", ".."}:
        raise ValueError(f"tên tệp rỗng sau khi làm sạch (empty file name after cleaning): {name!r}")
    return cleaned


class _PadFormatter(string.Formatter):
    """`{x:3}` zero-pads a numeric value to 3 digits; a non-numeric value is kept unchanged."""

    def format_field(self, value: object, format_spec: str) -> str:
        text = str(value)
        if format_spec.isdigit():
            return text.zfill(int(format_spec)) if text.isdigit() else text
        return format(text, format_spec)


_FORMATTER = _PadFormatter()


def registration_date(ngay_dang_ky: str, unknown: str) -> str:
    """'05.01.2010' -> '2010-01-05'; partial dates keep their known parts, unknown parts become 00."""
    value = ngay_dang_ky.strip()
    if m := re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", value):
        return f"{m[3]}-{int(m[2]):02d}-{int(m[1]):02d}"
    if m := re.fullmatch(r"(\d{1,2})\.(\d{4})", value):
        return f"{m[2]}-{int(m[1]):02d}-00"
    if re.fullmatch(r"\d{4}", value):
        return f"{value}-00-00"
    return unknown


def registration_number(so: str, unknown: str) -> str:
    """The registration number's leading digits: '01/2018' -> '01' (the pattern pads it)."""
    m = re.match(r"\s*0*(\d+)", so)
    return m[1] if m else unknown


@dataclass(frozen=True)
class Naming:
    pdf: str = "{type}.{year}.{book_no:2}.{reg_date}.{reg_no:3}.pdf"
    book: str = "{commune_code}_{district_initials}_{province_initials}.{type}.{year}.{book_no:2}"
    land: str = "{commune_code}.GCN.chu-su-dung"
    reconciliation: str = "{commune_code}.CMND.doi-soat"
    unknown_date: str = "0000-00-00"
    unknown_number: str = "000"
    admin_prefixes: tuple[str, ...] = field(default_factory=tuple)

    def book_fields(self, book: BookKey) -> dict[str, str]:
        return {
            "type": book.doc_type.upper(), "year": book.year.strip(), "book_no": book.book_no.strip(),
            "commune_code": book.commune_code.strip(),
            "district_initials": book.district_initials or initials(book.district, self.admin_prefixes),
            "province_initials": book.province_initials or initials(book.province, self.admin_prefixes),
        }

    def book_stem(self, book: BookKey) -> str:
        """File name without extension shared by the book's Excel and zip."""
        return safe_name(_FORMATTER.format(self.book, **self.book_fields(book)))

    def xlsx_name(self, book: BookKey) -> str:
        return self.book_stem(book) + ".xlsx"

    def zip_name(self, book: BookKey) -> str:
        return self.book_stem(book) + ".zip"

    def pdf_name(self, book: BookKey, fields: dict[str, Value]) -> str:
        values = self.book_fields(book)
        from export.btp_excel import normalize_date

        values["reg_date"] = registration_date(normalize_date(plain(fields.get("ngayDangKy"))), self.unknown_date)
        values["reg_no"] = registration_number(plain(fields.get("so")), self.unknown_number)
        return safe_name(_FORMATTER.format(self.pdf, **values))

    def land_name(self, commune_code: str) -> str:
        return safe_name(_FORMATTER.format(self.land, commune_code=commune_code)) + ".xlsx"

    def reconciliation_name(self, commune_code: str) -> str:
        return safe_name(_FORMATTER.format(self.reconciliation, commune_code=commune_code)) + ".xlsx"


def load_naming(path: Path | None = None) -> Naming:
    """Patterns from naming.toml; the built-in defaults when the file is absent."""
    path = path or templates_dir() / "naming.toml"
    if not path.exists():
        return Naming()
    data = read_toml(path)
    known = set(Naming.__dataclass_fields__)
    unknown = sorted(set(data) - known)
    if unknown:
        raise TemplateError(f"{path}: khóa không biết (unknown keys): {unknown}")
    if "admin_prefixes" in data:
        data["admin_prefixes"] = tuple(str(p).lower() for p in data["admin_prefixes"])
    return Naming(**data)


def unique_name(name: str, taken: set[str]) -> str:
    """Two registrations may map to one name (unknown number/date): add '-2', '-3', … before the suffix."""
    if name not in taken:
        taken.add(name)
        return name
    stem, dot, suffix = name.rpartition(".")
    n = 2
    while f"{stem}-{n}{dot}{suffix}" in taken:
        n += 1
    result = f"{stem}-{n}{dot}{suffix}"
    taken.add(result)
    return result
