"""Synthetic people, places and the ways Vietnamese documents print them (dates, words, capitals).

Nothing here is a real person: names are drawn from word lists (synth/data/names.toml) and numbers are
random within the structure the documents use.
"""
from __future__ import annotations

import random
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from common.text import nfc

DATA = Path(__file__).parent / "data"


@cache
def data(name: str) -> dict:
    with open(DATA / f"{name}.toml", "rb") as fh:
        return tomllib.load(fh)


def weighted(rng: random.Random, pairs: list | dict):
    items = list(pairs.items()) if isinstance(pairs, dict) else [tuple(p) for p in pairs]
    return rng.choices([k for k, _ in items], weights=[w for _, w in items])[0]


@dataclass
class Place:
    province: str
    unit_kind: str    # huyện | thị xã | thành phố | quận
    district: str
    commune: str      # with its prefix: "xã Cẩm Điền"
    village: str      # "thôn Đông Khê" or "số 12 phố …"
    code: str         # province code of the 12-digit ID

    def short(self) -> str:
        """As cards print quê quán: 'Cẩm Điền, Cẩm Giàng, Hải Dương'."""
        return f"{_bare(self.commune)}, {self.district}, {self.province}"

    def residence(self) -> str:
        """As cards and registers print a residence: 'Thôn Đông Khê, Cẩm Điền, Cẩm Giàng, Hải Dương'."""
        return f"{_cap(self.village)}, {_bare(self.commune)}, {self.district}, {self.province}"

    def full(self, with_village: bool = True) -> str:
        """As registers write it: 'thôn …, xã Cẩm Điền, huyện Cẩm Giàng, tỉnh Hải Dương'."""
        parts = [self.village] if with_village else []
        parts += [self.commune, f"{self.unit_kind} {self.district}", f"tỉnh {self.province}"]
        return _cap(", ".join(parts))


def _bare(commune: str) -> str:
    return re.sub(r"^(xã|phường|thị trấn) ", "", commune)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def random_place(rng: random.Random, home_only: bool = False, district: str | None = None) -> Place:
    places = data("places")
    provinces = places["provinces"]
    province = places["home"]
    if not home_only and rng.random() < places["weights"]["other_province"]:
        province = rng.choice(sorted(p for p in provinces if p != places["home"]))
    units = provinces[province]["units"]
    if district is not None and province == places["home"]:
        units = [u for u in units if u[1] == district] or units
    kind, dist, communes = rng.choice(units)
    commune = rng.choice(communes)
    villages = places["villages"]["urban" if commune.startswith(("phường", "thị trấn")) or kind == "quận"
                                   else "rural"]
    return Place(province, kind, dist, commune, rng.choice(villages), provinces[province]["code"])


@dataclass
class Person:
    surname: str
    middle: str
    given: str
    male: bool
    birth: date
    origin: Place      # quê quán / birth registration province
    residence: Place
    ethnicity: str = "Kinh"

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.surname, self.middle, self.given) if p)

    @property
    def gender_code(self) -> str:
        return "1" if self.male else "2"


def random_name(rng: random.Random, male: bool) -> tuple[str, str, str]:
    names = data("names")
    sex = "male" if male else "female"
    surname = weighted(rng, names["surnames"])
    middle = weighted(rng, names["middle"][sex]) if rng.random() < 0.97 else ""
    given = rng.choice(names["given"][sex])
    return surname, middle, given


def random_person(rng: random.Random, born_from: date, born_to: date, male: bool | None = None,
                  surname: str | None = None, residence: Place | None = None) -> Person:
    male = rng.random() < 0.5 if male is None else male
    s, m, g = random_name(rng, male)
    span = (born_to - born_from).days
    birth = born_from + timedelta(days=rng.randrange(max(1, span)))
    origin = random_place(rng)
    eth = weighted(rng, data("places")["lists"]["ethnicities"])
    return Person(surname or s, m, g, male, birth, origin, residence or random_place(rng), eth)


# --- numbers -----------------------------------------------------------------------------------------

def cccd_number(rng: random.Random, person: Person) -> str:
    """PPP G YY NNNNNN: province of birth registration, century+sex, birth year, 6 random digits."""
    century = (person.birth.year - 1900) // 100  # 0 for 1900s, 1 for 2000s
    g = century * 2 + (0 if person.male else 1)
    return f"{person.origin.code}{g}{person.birth.year % 100:02d}{rng.randrange(10**6):06d}"


def cmnd_number(rng: random.Random) -> str:
    """Old 9-digit CMND; Hải Dương numbers began with 14."""
    return "14" + f"{rng.randrange(10**7):07d}"


# --- printing ----------------------------------------------------------------------------------------

def dotted(d: date) -> str:
    return f"{d.day:02d}.{d.month:02d}.{d.year}"


def slashed(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def spelled_date(d: date, zero_pad: bool = True) -> str:
    day = f"{d.day:02d}" if zero_pad else str(d.day)
    month = f"{d.month:02d}" if zero_pad else str(d.month)
    return f"ngày {day} tháng {month} năm {d.year}"


_DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]


def number_words(n: int) -> str:
    """Vietnamese words for 0..9999 as dates are written out ('hai nghìn không trăm mười lăm')."""
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        unit = n % 10
        return "mười" + ("" if unit == 0 else " lăm" if unit == 5 else " " + _DIGITS[unit])
    if n < 100:
        tens, unit = divmod(n, 10)
        tail = {0: "", 1: " mốt", 4: " tư", 5: " lăm"}.get(unit, " " + _DIGITS[unit])
        return f"{_DIGITS[tens]} mươi{tail}"
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        head = f"{_DIGITS[hundreds]} trăm"
        if rest == 0:
            return head
        return f"{head} linh {_DIGITS[rest]}" if rest < 10 else f"{head} {number_words(rest)}"
    thousands, rest = divmod(n, 1000)
    head = f"{_DIGITS[thousands]} nghìn"
    if rest == 0:
        return head
    if rest < 100:
        return f"{head} không trăm " + (f"linh {_DIGITS[rest]}" if rest < 10 else number_words(rest))
    return f"{head} {number_words(rest)}"


def date_in_words(d: date) -> str:
    return f"Ngày {number_words(d.day)}, tháng {number_words(d.month)}, năm {number_words(d.year)}"


_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def new_style_tones(text: str) -> str:
    """Move the tone of open syllables ending oa/oe/uy to the last vowel ('hòa' -> 'hoà', 'Thúy' -> 'Thuý'),
    the 'new style' some documents print; values stay old style per the project's convention."""
    out = []
    for word in re.split(r"(\s+)", text):
        d = unicodedata.normalize("NFD", word)
        base = "".join(c for c in d if c not in _TONE_MARKS)
        m = re.search(r"(o[ae]|u[y])$", base, flags=re.IGNORECASE)
        tones = [c for c in d if c in _TONE_MARKS]
        if m and len(tones) == 1 and not base.lower().startswith("qu"):
            old_style = nfc(base[:m.start() + 1] + tones[0] + base[m.start() + 1:])
            if nfc(d) == old_style:
                word = nfc(base + tones[0])
        out.append(word)
    return nfc("".join(out))


def upper_vn(text: str) -> str:
    return nfc(text.upper())


def ascii_fold(text: str) -> str:
    """Without diacritics, as in the MRZ: 'Nguyễn Đức' -> 'NGUYEN DUC'."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).upper()
