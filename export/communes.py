"""Which district a commune belongs to, its code and its target: the table reports and exports group by.

The store only knows a commune as the operator named its inbox folder ("Cẩm Hưng", "cam-hung", "10507"),
so lookup is by code, name or alias, compared without accents and case. Data, not code:
`profiles/admin/communes.toml`, overridden per workspace by `<workspace>/communes.toml`.
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
        return None

    def resolve(self, label: str) -> Commune:
        """Always a Commune: an unknown label becomes its own commune in an 'unknown district'."""
        found = self.find(label)
        if found is not None:
            return found
        text = nfc(label or "").strip() or "(chưa rõ xã)"
        log.warning("commune %r is not in the commune table: add its code to communes.toml", text)
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
            communes.append(Commune(
                code=str(entry["code"]), name=nfc(str(entry["name"])), district=nfc(str(entry["district"])),
                province=nfc(str(entry.get("province", province))), target=int(entry.get("target", 0)),
                aliases=tuple(nfc(str(a)) for a in entry.get("aliases", []))))
        except (KeyError, TypeError, ValueError) as exc:
            raise CommuneTableError(f"{path}: communes[{i}] cần code, name, district "
                                    f"(needs code, name, district): {exc}") from exc
    return CommuneTable(province=province, communes=communes, source=Path(path))
