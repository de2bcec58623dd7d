"""ICAO 9303 TD1 machine-readable zone (3 lines x 30) of the chip CCCD / Căn cước: clean, check, parse.

Why: a read MRZ whose check digits pass is the most reliable source on a card, so its values outrank the
printed zone (extract/confidence.py) and link a card's back to its front (extract/merge.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from extract.ids import cccd_problem

WEIGHTS = (7, 3, 1)
_TO_DIGIT = str.maketrans({"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "S": "5", "B": "8", "Z": "2",
                           "G": "6", "T": "7"})
_TO_LETTER = str.maketrans({"0": "O", "1": "I", "5": "S", "8": "B", "2": "Z", "6": "G"})


def char_value(ch: str) -> int:
    if ch.isdigit():
        return int(ch)
    if "A" <= ch <= "Z":
        return ord(ch) - ord("A") + 10
    if ch == "<":
        return 0
    raise ValueError(f"ký tự không hợp lệ trong MRZ: {ch!r} (invalid MRZ character)")


def check_digit(data: str) -> str:
    """ICAO check digit: weights 7,3,1 repeating; digits as themselves, A-Z = 10-35, '<' = 0; sum mod 10."""
    return str(sum(char_value(c) * WEIGHTS[i % 3] for i, c in enumerate(data)) % 10)


def clean_mrz_lines(lines: list[str]) -> list[str]:
    """The three MRZ lines from OCR text: upper-case, no spaces, '«' -> '<<', padded/cut to 30.
    Returns [] when three MRZ-looking lines are not there."""
    found: list[str] = []
    for raw in lines:
        s = raw.upper().replace(" ", "").replace("«", "<<").replace("‹", "<").replace("≤", "<")
        s = re.sub(r"[^A-Z0-9<]", "", s)
        if len(s) >= 24 and (s.count("<") >= 2 or s.startswith("ID")):
            found.append(s)
    if len(found) < 3:
        return []
    starts = [i for i, s in enumerate(found) if s.startswith(("ID", "1D", "I0", "TD", "I<"))]
    i = starts[-1] if starts and starts[-1] + 3 <= len(found) else len(found) - 3
    picked = found[i:i + 3]
    if "VNM" in picked[0][:8] or picked[0][2:5] == "VNM":
        picked = rebuild_vn(picked)
    return [(s + "<" * 30)[:30] for s in picked]


_L1 = re.compile(r"^[I1T][D0O]?<?(VNM|V.?N.?M)([0-9OQDILSBZGT]{9})([0-9OQDILSBZGT])([0-9OQDILSBZGT]{12})")
_L2 = re.compile(r"^([0-9OQDILSBZGT]{7})([MFH<])([0-9OQDILSBZGT]{7}|<{6}[<0-9])[A-Z]{3,4}<*([0-9OQDILSBZGT])$")


def rebuild_vn(lines: list[str]) -> list[str]:
    """Vietnamese cards have a fixed TD1 shape: rebuild fillers and the country code when OCR added or
    dropped a character ('VWNM', a '<' too many), so check digits can be tested on the right positions."""
    l1, l2, l3 = lines[0], lines[1], lines[2]
    m1 = _L1.match(l1)
    m2 = _L2.match(l2)
    if m1:
        l1 = ("IDVNM" + m1[2] + m1[3] + m1[4] + "<" * 30)[:30]
    if m2:
        l2 = m2[1] + m2[2] + m2[3] + "VNM" + "<" * 11 + m2[4]
    return [l1, l2, (l3 + "<" * 30)[:30]]


def _digits(s: str) -> str:
    return s.translate(_TO_DIGIT)


def repair(lines: list[str]) -> list[str]:
    """Force digits where TD1 only allows digits and letters where only letters go (OCR O/0, I/1 slips).
    Line 1's number fields are forced to digits only on Vietnamese cards (elsewhere they may hold letters)."""
    l1, l2, l3 = lines
    state = l1[2:5].translate(_TO_LETTER)
    if state == "VNM":  # Vietnamese cards: the document number is the ID's last 9 digits
        l1 = "ID" + state + _digits(l1[5:15]) + l1[15:]
    opt = l1[15:30]
    m = re.match(r"([0-9A-Z]{12})", opt)
    if m:
        l1 = l1[:15] + _digits(m[1]) + opt[12:]
    sex = l2[7].replace("H", "M").replace("E", "F")
    l2 = _digits(l2[0:7]) + sex + _digits(l2[8:15]) + l2[15:18].translate(_TO_LETTER) + l2[18:29] + _digits(l2[29])
    l3 = l3.translate(_TO_LETTER)
    return [l1, l2, l3]


@dataclass
class Mrz:
    lines: list[str]
    doc_number: str = ""      # the 9 characters of line 1 (last 9 digits of the ID)
    id_number: str = ""       # the 12-digit ID from the optional field
    birth_date: str = ""      # dd.mm.yyyy
    sex: str = ""             # "1" male, "2" female, "3" unspecified
    expiry: str = ""          # dd.mm.yyyy, "" when the card has no expiry
    nationality: str = ""
    surname: str = ""
    given_names: str = ""
    checks: dict[str, bool] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return bool(self.checks) and all(self.checks.values())

    @property
    def name(self) -> str:
        """Without diacritics, upper case: 'NGUYEN VAN AN'."""
        return " ".join(p for p in (self.surname, self.given_names) if p)

    def failures(self) -> list[str]:
        names = {"doc": "số giấy tờ (document number)", "birth": "ngày sinh (birth date)",
                 "expiry": "ngày hết hạn (expiry date)", "composite": "tổng hợp (composite)",
                 "id": "số định danh trong vùng tùy chọn (ID number in the optional field)"}
        return [f"sai số kiểm tra MRZ: {names[k]} (MRZ check digit failed)" for k, ok in self.checks.items()
                if not ok]


def _yymmdd(s: str, century: int) -> str:
    if not s.isdigit():
        return ""
    yy, mm, dd = int(s[:2]), int(s[2:4]), int(s[4:6])
    try:
        return date(century + yy, mm, dd).strftime("%d.%m.%Y")
    except ValueError:
        return ""


def _field_ok(data: str, check: str) -> bool:
    """A field's check digit; an absent field (all fillers, e.g. a card without expiry) may carry '<'."""
    if check == "<" and set(data) == {"<"}:
        return True
    return check_digit(data) == check


def parse_td1(lines: list[str], *, today: date | None = None) -> Mrz:
    """Parse and check a TD1 MRZ (three 30-character lines, already cleaned)."""
    l1, l2, l3 = repair(lines)
    mrz = Mrz(lines=[l1, l2, l3])
    mrz.doc_number = l1[5:14].replace("<", "")
    m = re.match(r"(\d{12})", l1[15:30])
    mrz.id_number = m[1] if m else ""
    mrz.checks = {
        "doc": _field_ok(l1[5:14], l1[14]),
        "birth": _field_ok(l2[0:6], l2[6]),
        "expiry": _field_ok(l2[8:14], l2[14]),
        "composite": check_digit(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29]) == l2[29],
    }
    if l1[2:5] == "VNM":
        # the 12-digit ID repeats the document number: its first 3 digits (province) are otherwise unprotected
        mrz.checks["id"] = bool(mrz.id_number) and mrz.id_number[3:] == mrz.doc_number and \
            not cccd_problem(mrz.id_number)
    today = today or date.today()
    if mrz.id_number and mrz.id_number[3] in "0123456789":
        century = 1900 + 100 * (int(mrz.id_number[3]) // 2)
    else:
        century = 1900 if l2[0:2].isdigit() and int(l2[0:2]) > today.year % 100 else 2000
    mrz.birth_date = _yymmdd(l2[0:6], century)
    mrz.sex = {"M": "1", "F": "2"}.get(l2[7], "3")
    mrz.expiry = _yymmdd(l2[8:14], 2000)
    mrz.nationality = l2[15:18].replace("<", "")
    surname, _, given = l3.strip("<").partition("<<")
    mrz.surname = surname.replace("<", " ").strip()
    mrz.given_names = given.replace("<", " ").strip()
    return mrz
