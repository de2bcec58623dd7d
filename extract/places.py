"""The official list of places and matching a written address to it, part by part, inside its parent.

Data: the General Statistics Office's administrative units with their codes, from the maintained
`vietnam-provinces` package — the 0.6 line holds the list before the 2025 merger (63 provinces, their
districts, 10,000-odd communes; province 2 digits, district 3, commune 5: Tỉnh Hải Dương 30, Huyện Cẩm
Giàng 295, Xã Cẩm Hưng 10894); its 2025 line holds the 34 provinces and their communes after the merger of
1 July 2025 (districts abolished). Two releases of one package cannot share an environment: the 2025 one is
the installed dependency, the 0.6 one is installed beside the venv (`make setup`: `pip install --target
.venv/vendor/vietnam-provinces-0.6`) and read as data. Which list a file holds is told by its shape
(districts or not). Historical records keep the names of their time: an address is matched against the
list it fits best, the historical one first.

Matching (`match_place`): the comma parts of an address are read from the right — the province among all
provinces, then a district among that province's districts (or, 2025, a commune among its communes), then
a commune among that district's communes; parts left of the commune (village, street) are free text.
Each part is compared without tone marks (OCR's commonest slip) by edit distance, tone-aware only to break
ties; unit words and their abbreviations ("TP.", "H.", "X.", "P.", "Q.", "TT.", "tỉnh", "huyện"…) are
set apart first. A part is matched only when exactly one unit of its parent is close: otherwise nothing is
corrected or accepted.
"""
from __future__ import annotations

import json
import logging
import re
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from common.text import nfc
from extract.textutil import fold

log = logging.getLogger(__name__)

HISTORICAL, CURRENT = "2008", "2025"   # the 63-province list (stable 2008-2025) and the 2025 list
VENDOR = Path("vendor")   # beside the venv's lib/: vendor/vietnam-provinces-<release>/vietnam_provinces/

# unit words as they open an official name, longest first, with the level they name (0 = 1 or 2)
UNIT_WORDS = (("thành phố", 0), ("thị trấn", 3), ("thị xã", 2), ("đặc khu", 3), ("phường", 3), ("huyện", 2),
              ("quận", 2), ("tỉnh", 1), ("xã", 3))
# how addresses abbreviate them (folded, dot optional): "TP. Hải Dương", "H. Cẩm Giàng", "TT Lai Cách"
ABBREVIATIONS = {"tp": ("thành phố", 0), "t": ("tỉnh", 1), "h": ("huyện", 2), "q": ("quận", 2),
                 "tx": ("thị xã", 2), "x": ("xã", 3), "p": ("phường", 3), "tt": ("thị trấn", 3)}


@dataclass(frozen=True)
class Unit:
    """One administrative unit. `name` without its unit word ("Cẩm Hưng"), `kind` the unit word ("xã")."""
    code: str
    name: str
    kind: str
    level: int          # 1 province, 2 district, 3 commune / ward
    parent: str         # the parent's code ("" for a province)
    era: str

    @property
    def full(self) -> str:
        return f"{self.kind[:1].upper()}{self.kind[1:]} {self.name}"


class Gazetteer:
    """Units by code and by parent, per era."""

    def __init__(self, units: list[Unit]):
        self.units = units
        self.by_code: dict[tuple[str, str], Unit] = {(u.era, u.code): u for u in units}
        self.children: dict[tuple[str, str], list[Unit]] = {}
        for u in units:
            self.children.setdefault((u.era, u.parent), []).append(u)
        self.eras = sorted({u.era for u in units})

    def provinces(self, era: str = HISTORICAL) -> list[Unit]:
        return self.children.get((era, ""), [])

    def under(self, parent: Unit) -> list[Unit]:
        return self.children.get((parent.era, parent.code), [])

    def communes_of_province(self, province: Unit) -> list[Unit]:
        out = []
        for child in self.under(province):
            out += [child] if child.level == 3 else self.under(child)
        return out

    def unit(self, code: str, era: str = HISTORICAL) -> Unit | None:
        return self.by_code.get((era, code))

    def parent_of(self, unit: Unit) -> Unit | None:
        return self.by_code.get((unit.era, unit.parent)) if unit.parent else None


def split_unit_word(name: str) -> tuple[str, str, int | None]:
    """'Huyện Cẩm Giàng' -> ('huyện', 'Cẩm Giàng', 2); 'TP. Hải Dương' -> ('thành phố', 'Hải Dương', 0);
    no unit word -> ('', name, None)."""
    text = nfc(name).strip()
    low = text.lower()
    for word, level in UNIT_WORDS:
        if low.startswith(word + " ") or low.startswith(word + "."):
            return word, text[len(word):].lstrip(" .").strip(), level
    m = re.match(r"(tp|tx|tt|t|h|q|x|p)\s*\.\s*(?=\S)", text, re.IGNORECASE) \
        or re.match(r"(tp|tx|tt)\s+(?=\S)", text, re.IGNORECASE)
    if m:
        word, level = ABBREVIATIONS[m.group(1).lower()]
        return word, text[m.end():].strip(), level
    return "", text, None


def _tone(text: str) -> str:
    from extract.normalize import tone_normalize
    return tone_normalize(text)


def _load(path: Path, era: str) -> list[Unit]:
    data = json.loads(path.read_text(encoding="utf-8"))
    units: list[Unit] = []

    def unit(entry: dict, level: int, parent: str, width: int) -> Unit:
        kind, name, _ = split_unit_word(entry["name"])
        if not kind:
            kind = {1: "tỉnh", 2: "huyện", 3: "xã"}[level]
        return Unit(str(entry["code"]).zfill(width), _tone(name), kind, level, parent, era)

    for p in data:
        prov = unit(p, 1, "", 2)
        prov = Unit(prov.code, prov.name, "thành phố" if prov.kind == "thành phố" else "tỉnh", 1, "", era)
        units.append(prov)
        for d in p.get("districts", []):
            dist = unit(d, 2, prov.code, 3)
            units.append(dist)
            units += [unit(w, 3, dist.code, 5) for w in d.get("wards", [])]
        units += [unit(w, 3, prov.code, 5) for w in p.get("wards", [])]
    return units


def _data_files() -> list[Path]:
    """The installed package's list first, then every release installed beside the venv."""
    files = []
    try:
        import vietnam_provinces
        files.append(Path(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH))
    except ImportError:
        log.warning("vietnam-provinces is not installed: no official list of places")
    for root in dict.fromkeys((Path(sys.prefix), Path(sys.prefix).parent)):
        files += sorted((root / VENDOR).glob("vietnam-provinces-*/vietnam_provinces/data/nested-divisions.json"))
    return [f for f in files if f.exists()]


def _era_of(path: Path) -> str:
    data = json.loads(path.read_text(encoding="utf-8"))
    return HISTORICAL if any(p.get("districts") for p in data) else CURRENT


@cache
def gazetteer() -> Gazetteer:
    """Both lists when both are installed (the first file of each era wins)."""
    units: list[Unit] = []
    seen: set[str] = set()
    for path in _data_files():
        era = _era_of(path)
        if era not in seen:
            seen.add(era)
            units += _load(path, era)
    if HISTORICAL not in seen:
        log.warning("the list of places before 2025 is not installed (make setup installs it beside the venv)")
    return Gazetteer(units)


# ---------------------------------------------------------------- matching

def allowed_edits(folded: str) -> int:
    """Letter edits a name may differ by (tone marks never count): none up to 6 letters — one letter apart,
    "Tân Hòa" and "Vân Hòa" are two real communes, and a name the list lacks (merged away, misspelt) must
    not become its neighbour — one up to 12, two beyond."""
    n = len(folded.replace(" ", ""))
    return 0 if n <= 6 else 1 if n <= 12 else 2


def closest(part: str, candidates: list[Unit], level_hint: int | None = None, kind: str = "") -> tuple[Unit | None, int]:
    """The one unit among `candidates` close to `part` (bare name), with the edits it took; (None, -1)
    when none is close or several are equally close (ambiguous)."""
    key = fold(part)
    if not key:
        return None, -1
    allowed = allowed_edits(key)
    scored = []
    for u in candidates:
        d = Levenshtein.distance(key, fold(u.name), score_cutoff=allowed)
        if d <= allowed:
            scored.append((d, u))
    if not scored:
        return None, -1
    best = min(d for d, _ in scored)
    top = [u for d, u in scored if d == best]
    if len(top) > 1 and level_hint:
        top = [u for u in top if u.level == level_hint] or top
    if len(top) > 1 and kind:
        top = [u for u in top if u.kind == kind] or top  # "xã Cộng Hòa" is not "phường Cộng Hòa"
    if len(top) > 1:
        marked = [u for u in top if _tone(u.name).lower() == _tone(part).lower()]
        top = marked if len(marked) == 1 else top
    if len(top) != 1:
        return None, -1
    rivals = [u for d, u in scored if d <= best + 1 and u is not top[0] and (not kind or u.kind == kind)]
    if best > 0 and rivals:
        return None, -1  # a misread name must be clearly nearer one unit than any other
    return top[0], best


@dataclass
class PlaceMatch:
    """What matching found: the units (province first), the text with their official spellings, the parts
    that are no unit (village, street), and whether every unit part matched one unit uniquely."""
    value: str
    units: list[Unit] = field(default_factory=list)
    free: list[str] = field(default_factory=list)
    unique: bool = False
    era: str = HISTORICAL
    corrected: bool = False

    @property
    def code(self) -> str:
        return self.units[-1].code if self.units else ""

    @property
    def names(self) -> str:
        return ", ".join(u.full for u in reversed(self.units))


def _respell(part: str, unit: Unit) -> str:
    """The part as written with its name spelt officially: the written unit word (or abbreviation) and
    the writer's capitals are kept."""
    stripped = part.strip()
    _word, bare, _ = split_unit_word(stripped)
    head = stripped[:len(stripped) - len(bare)] if bare and stripped.endswith(bare) else ""
    name = unit.name.upper() if bare.isupper() and len(bare) > 1 else unit.name
    return head + name


def _match_era(parts: list[str], gz: Gazetteer, era: str) -> PlaceMatch | None:
    provinces = gz.provinces(era)
    if not provinces or not parts:
        return None
    matched: list[tuple[int, Unit]] = []
    i = len(parts) - 1
    word, bare, hint = split_unit_word(parts[i])
    province, _ = closest(bare, provinces, 1, word if word in ("tỉnh", "thành phố") else "")
    if province is None:
        return None
    matched.append((i, province))
    parent = province
    i -= 1
    while i >= 0 and parent.level < 3:
        word, bare, hint = split_unit_word(parts[i])
        pool = gz.under(parent)
        unit, _ = closest(bare, pool, hint or None, word)
        if unit is None and parent.level == 1 and era == HISTORICAL:
            unit, _ = closest(bare, gz.communes_of_province(parent), 3, word)  # district left out
        if unit is None:
            break
        matched.append((i, unit))
        parent = unit
        i -= 1
    free = [p.strip() for p in parts[:i + 1] if p.strip()]
    fixed = list(parts)
    for k, u in matched:
        fixed[k] = (" " if parts[k].startswith(" ") else "") + _respell(parts[k], u)
    value = ",".join(fixed)
    units = [u for _, u in matched]
    # unique: every part right of the free text is a unit, and the commune level was reached or the
    # address names only province/district (e.g. quê quán "Cẩm Giàng, Hải Dương")
    unique = len(matched) >= 2 or (len(matched) == 1 and len(parts) == 1)
    return PlaceMatch(value, units, free, unique, era, value != ",".join(parts))


def match_place(text: str, era: str | None = None) -> PlaceMatch:
    """Match an address to the official units (see the module docstring). `era` forces one list."""
    text = nfc(text or "")
    parts = text.split(",")
    gz = gazetteer()
    eras = [era] if era else [e for e in (HISTORICAL, CURRENT) if e in gz.eras]
    best: PlaceMatch | None = None
    for e in eras:
        m = _match_era(parts, gz, e)
        if m is not None and (best is None or len(m.units) > len(best.units)):
            best = m
    return best or PlaceMatch(text)
