"""Card data of the rendered set: the citizen, the MRZ (ICAO 9303 TD1) and the QR payload.

The MRZ check digit is written here a third time on purpose (synth/mrz.py and extract/mrz.py have their own):
a measuring set must not share code with what it measures. QR codes are drawn with `segno` (pure Python, no
dependencies, writes SVG that Chromium draws crisply at any scale, and encodes UTF-8 text in byte mode without
an ECI header, as the cards' readers expect).
"""
from __future__ import annotations

import random
import string
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from synth.rendered.sources import Person, cmnd9, ddmmyyyy, id12, random_person

_MRZ_VALUES = {c: i for i, c in enumerate(string.digits + string.ascii_uppercase)} | {"<": 0}


def mrz_check(field: str) -> str:
    """ICAO 9303 check digit: character values (0–9, A=10 … Z=35, < = 0) weighted 7, 3, 1 in turn, mod 10."""
    total = 0
    for i, ch in enumerate(field):
        total += _MRZ_VALUES[ch] * (7, 3, 1)[i % 3]
    return str(total % 10)


def ascii_name(text: str) -> str:
    """Upper-case ASCII as the MRZ writes names: marks dropped, Đ -> D, spaces -> '<'."""
    text = text.replace("Đ", "D").replace("đ", "d")
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return "".join(c if c.isalnum() else "<" for c in bare.upper())


def _yymmdd(d: date | None) -> str:
    return d.strftime("%y%m%d") if d else "<<<<<<"


def td1(number12: str, person: Person, expiry: date | None) -> list[str]:
    """Three lines of 30: document number = last 9 digits of the ID, the full ID in the optional field."""
    doc = number12[-9:]
    upper = f"IDVNM{doc}{mrz_check(doc)}{number12}".ljust(30, "<")
    birth, exp = _yymmdd(person.birth), _yymmdd(expiry)
    middle = f"{birth}{mrz_check(birth)}{'M' if person.male else 'F'}{exp}{mrz_check(exp) if expiry else '<'}VNM"
    middle = middle.ljust(29, "<")
    composite = upper[5:30] + middle[0:7] + middle[8:15] + middle[18:29]
    middle += mrz_check(composite)
    name = f"{ascii_name(person.surname)}<<{ascii_name(person.given_names)}"
    return [upper, middle, name.ljust(30, "<")[:30]]


def td1_valid(lines: list[str]) -> bool:
    """All four check digits of a TD1 MRZ hold (number, birth, expiry, composite)."""
    if len(lines) != 3 or any(len(x) != 30 for x in lines):
        return False
    up, mid = lines[0], lines[1]
    exp_ok = (mid[8:14] == "<<<<<<" and mid[14] == "<") or mrz_check(mid[8:14]) == mid[14]
    return (mrz_check(up[5:14]) == up[14] and mrz_check(mid[0:6]) == mid[6] and exp_ok
            and mrz_check(up[5:30] + mid[0:7] + mid[8:15] + mid[18:29]) == mid[29])


@dataclass
class Citizen:
    person: Person
    number: str            # 12 digits
    old_number: str        # 9-digit CMND, '' when none (young people never had one)
    issued: date
    expiry: date | None    # None = 'Không thời hạn'
    mark: str              # đặc điểm nhân dạng

    def qr_payload(self) -> str:
        """`ID12|CMND9|Full name|ddmmyyyy|Nam/Nữ|residence|issue ddmmyyyy` (shared/domain.md)."""
        p = self.person
        return "|".join([self.number, self.old_number, p.name, ddmmyyyy(p.birth), p.sex_word, p.residence,
                         ddmmyyyy(self.issued)])


_MARKS = ("Nốt ruồi C:1cm trên sau cánh mũi phải", "Sẹo chấm C:2cm dưới trước đầu lông mày trái",
          "Nốt ruồi cách 3cm dưới sau mép trái", "Sẹo chấm cách 1,5cm trên đuôi mắt phải",
          "Nốt ruồi C:2cm trên trước đầu mày phải", "Vết sẹo dài 2cm ở cằm")


def expiry_for(birth: date, issued: date) -> date | None:
    """Cards run to the holder's 25th, 40th or 60th birthday, whichever comes next after issue (2 years'
    grace before each); issued after 58, they do not expire."""
    age = issued.year - birth.year
    for until in (25, 40, 60):
        if age < until - 2:
            try:
                return birth.replace(year=birth.year + until)
            except ValueError:
                return birth.replace(year=birth.year + until, day=28)
    return None


def random_citizen(rng: random.Random, issued_from: date = date(2021, 1, 1), issued_to: date = date(2025, 6, 30),
                   old_card: bool = False) -> Citizen:
    """A card holder; `old_card`: someone who holds a 9-digit CMND (born before 1995)."""
    issued = issued_from + timedelta(days=rng.randrange((issued_to - issued_from).days))
    youngest = date(1995, 1, 1) if old_card else date(issued.year - 15, 1, 1)
    person = random_person(rng, date(issued.year - 75, 1, 1), youngest)
    old = cmnd9(rng) if old_card or (person.birth.year < 2002 and rng.random() < 0.75) else ""
    return Citizen(person, id12(rng, person), old, issued, expiry_for(person.birth, issued), rng.choice(_MARKS))


def qr_svg(payload: str, error: str = "m", border: int = 2) -> str:
    """The payload as an inline SVG QR code (byte mode, UTF-8, no ECI)."""
    import segno

    qr = segno.make_qr(payload, error=error, encoding="utf-8", eci=False, boost_error=False)
    return qr.svg_inline(scale=1, border=border, dark="#111", light="#fff", omitsize=True)
