"""Which district a commune belongs to, its code and its target: the table reports and exports group by.

The store only knows a commune as the operator named its inbox folder ("Cẩm Hưng", "cam-hung", "10894"),
so lookup is by code, name or alias, compared without accents and case. Codes, names and districts are the
official ones (GSO, from `vietnam-provinces`, extract/places.py): the small per-workspace file
(`profiles/admin/communes.toml`, overridden by `<workspace>/communes.toml`) only names the province and gives
targets and aliases; any other commune of the province is found in the official list by its name or code
("Lê Lợi - Gia Lộc" when the province has two communes of that name).
"""
from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from common.errors import ConfigError
from common.paths import profiles_dir
from common.text import nfc
from extract.textutil import fold, strip_accents

TABLE_NAME = "communes.toml"
UNKNOWN_DISTRICT = "(chưa rõ huyện)"
ADMIN_PREFIXES = ("xã ", "phường ", "thị trấn ")
log = logging.getLogger(__name__)


class CommuneTableError(ConfigError):
    """The commune table file is missing or malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class Commune:
    code: str
    name: str
    district: str
    province: str
    target: int = 0
    aliases: tuple[str, ...] = ()


@dataclass
class CommuneTable:
    province: str = ""
    communes: list[Commune] = field(default_factory=list)
    source: Path | None = None

    def __post_init__(self) -> None:
        self._warned: set[str] = set()
        self._index: dict[str, Commune] = {}
        for c in self.communes:
            for spelling in (c.code, c.name, *c.aliases):
                self._index.setdefault(fold(spelling), c)

    def find(self, label: str) -> Commune | None:
        """The commune an inbox folder or a legacy workbook names, or None."""
        key = fold(label or "")
        if key in self._index:
            return self._index[key]
        for prefix in (fold(p) + " " for p in ADMIN_PREFIXES):  # "Xã Cẩm Hưng" names "Cẩm Hưng"
            if key.startswith(prefix) and key[len(prefix):] in self._index:
                return self._index[key[len(prefix):]]
        return self.official(label)

    def official(self, label: str) -> Commune | None:
        """A commune of the table's province from the official list: by its 5-digit code, or by its name when
        exactly one commune of the province bears it (a district after " - ", "," or in brackets settles
        two of one name: "Lê Lợi - Gia Lộc")."""
        from extract.places import HISTORICAL, gazetteer, match_place, split_unit_word

        text = nfc(label or "").strip()
        if not text or not self.province:
            return None
        gz = gazetteer()
        provinces = [p for p in gz.provinces(HISTORICAL) if fold(p.name) == fold(split_unit_word(self.province)[1])]
        if not provinces:
            return None
        province = provinces[0]
        if re.fullmatch(r"\d{4,5}", text):
            unit = gz.unit(text.zfill(5), HISTORICAL)
            district = gz.parent_of(unit) if unit is not None else None
            if unit is None or unit.level != 3 or district is None or district.parent != province.code:
                return None
            return self._from_unit(unit)
        parts = [p for p in re.split(r"\s+-\s+|,|\(|\)", text) if p.strip()]
        found = match_place(", ".join(parts + [province.full]), HISTORICAL)
        if not found.unique or found.free or len(found.units) < 2 or found.units[-1].level != 3:
            return None
        return self._from_unit(found.units[-1])

    def _from_unit(self, unit) -> Commune:
        from extract.places import gazetteer

        gz = gazetteer()
        district = gz.parent_of(unit)
        province = gz.parent_of(district) if district is not None else None
        known = self._index.get(fold(unit.code))
        if known is not None:
            return known
        return Commune(code=unit.code, name=unit.name, district=district.name if district else UNKNOWN_DISTRICT,
                       province=province.name if province else self.province)

    def resolve(self, label: str) -> Commune:
        """Always a Commune: an unknown label becomes its own commune in an 'unknown district'."""
        found = self.find(label)
        if found is not None:
            return found
        text = nfc(label or "").strip() or "(chưa rõ xã)"
        if text not in self._warned:  # once per name: a backlog resolves the same folder name many times
            self._warned.add(text)
            log.warning("xã %r không có trong danh mục xã của tỉnh %s: đặt tên thư mục như danh mục chính thức, hoặc "
                        "thêm vào communes.toml (commune not in the official list nor in communes.toml)", text,
                        self.province)
        return Commune(code=stand_in_code(text), name=text, district=UNKNOWN_DISTRICT, province=self.province)

    def find_in_text(self, text: str) -> Commune | None:
        """A commune whose name appears inside a longer text ("UBND xã Cẩm Hưng, huyện Cẩm Giàng")."""
        folded = f" {fold(text or '')} "
        hits = [c for c in self.communes if f" {fold(c.name)} " in folded]
        return max(hits, key=lambda c: len(c.name)) if hits else None


def stand_in_code(name: str) -> str:
    """A file-name-safe code for a commune the table lacks: its name in ASCII without the unit word
    ("xã Lê Lợi" -> "LeLoi"), so exports still carry a readable, stable name until the real code is added."""
    text = nfc(name).strip()
    for prefix in ADMIN_PREFIXES:
        if text.lower().startswith(prefix):
            text = text[len(prefix):]
            break
    return "".join(w[:1].upper() + w[1:] for w in re.findall(r"[A-Za-z0-9]+", strip_accents(text))) or "XX"


def _official(code: str) -> tuple[str, str] | None:
    """(name, district) of an official commune code, or None."""
    from extract.places import HISTORICAL, gazetteer

    if not re.fullmatch(r"\d{4,5}", code):
        return None
    gz = gazetteer()
    unit = gz.unit(code.zfill(5), HISTORICAL)
    if unit is None or unit.level != 3:
        return None
    district = gz.parent_of(unit)
    return unit.name, district.name if district else UNKNOWN_DISTRICT


def default_table_path() -> Path:
    return profiles_dir() / "admin" / TABLE_NAME


def load_communes(workspace: Path | None = None, path: Path | None = None) -> CommuneTable:
    """The workspace's own table when it has one, else the shipped one."""
    if path is None:
        local = Path(workspace) / TABLE_NAME if workspace is not None else None
        path = local if local is not None and local.exists() else default_table_path()
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError as exc:
        raise CommuneTableError(f"thiếu bảng xã (commune table missing): {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CommuneTableError(f"{path}: TOML lỗi (invalid TOML): {exc}") from exc
    province = nfc(str(data.get("province", "")))
    communes = []
    for i, entry in enumerate(data.get("communes", [])):
        try:
            official = _official(str(entry["code"]))
            name = entry.get("name", official[0] if official else None)
            district = entry.get("district", official[1] if official else None)
            if name is None or district is None:
                raise KeyError("name/district (code not in the official list)")
            communes.append(Commune(
                code=str(entry["code"]), name=nfc(str(name)), district=nfc(str(district)),
                province=nfc(str(entry.get("province", province))), target=int(entry.get("target", 0)),
                aliases=tuple(nfc(str(a)) for a in entry.get("aliases", []))))
        except (KeyError, TypeError, ValueError) as exc:
            raise CommuneTableError(f"{path}: communes[{i}] cần code (mã xã chính thức), hoặc code, name, district "
                                    f"(needs an official code, or code, name and district): {exc}") from exc
    return CommuneTable(province=province, communes=communes, source=Path(path))
