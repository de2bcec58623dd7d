"""ICAO 9303 TD1 machine-readable zone (3 lines × 30) as printed on the chip CCCD and the 2024 Căn cước.

Line 1: IDVNM + last 9 digits of the ID + check digit + the full 12-digit ID (optional field) + fillers.
Line 2: birth YYMMDD + check, sex M/F, expiry YYMMDD + check, VNM, fillers, composite check.
Line 3: SURNAME<<GIVEN<NAMES without diacritics.

Written apart from extract/mrz.py on purpose: the generator is the benchmarks' ground truth, and an oracle
that shared the check-digit code with the system it measures would let one bug pass both (each side is
tested against ICAO's published specimen instead).
"""
from __future__ import annotations

from datetime import date

WEIGHTS = (7, 3, 1)


def char_value(ch: str) -> int:
    if ch.isdigit():
        return int(ch)
    if "A" <= ch <= "Z":
        return ord(ch) - ord("A") + 10
    if ch == "<":
        return 0
    raise ValueError(f"not an MRZ character: {ch!r}")


def check_digit(data: str) -> str:
    """Weights 7,3,1 repeating; digits as themselves, A–Z = 10–35, '<' = 0; sum mod 10."""
    return str(sum(char_value(c) * WEIGHTS[i % 3] for i, c in enumerate(data)) % 10)


def _yymmdd(d: date) -> str:
    return f"{d.year % 100:02d}{d.month:02d}{d.day:02d}"


def _pad(s: str, n: int = 30) -> str:
    return (s + "<" * n)[:n]


def name_field(surname: str, given: str) -> str:
    """ASCII upper-case name with '<' separators, cut to 30 characters."""
    sur = "<".join(surname.split())
    giv = "<".join(given.split())
    return _pad(f"{sur}<<{giv}")


def td1(id_number: str, birth: date, male: bool, expiry: date | None, surname: str, given: str) -> list[str]:
    """The three lines. `surname`/`given` must already be ASCII upper case (see people.ascii_fold)."""
    doc = id_number[-9:]
    line1 = _pad(f"IDVNM{doc}{check_digit(doc)}{id_number}")
    birth_s = _yymmdd(birth)
    exp_s = _yymmdd(expiry) if expiry else "<<<<<<"
    exp_check = check_digit(exp_s) if expiry else "<"
    line2 = f"{birth_s}{check_digit(birth_s)}{'M' if male else 'F'}{exp_s}{exp_check}VNM" + "<" * 11
    composite = line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]
    line2 += check_digit(composite)
    return [line1, line2, name_field(surname, given)]


def verify(lines: list[str]) -> dict[str, bool]:
    """Each TD1 check digit of the three lines: document number, birth date, expiry, composite."""
    l1, l2 = lines[0], lines[1]
    exp = l2[8:14]
    return {
        "document": check_digit(l1[5:14]) == l1[14],
        "birth": check_digit(l2[0:6]) == l2[6],
        "expiry": (exp == "<<<<<<" and l2[14] == "<") or check_digit(exp) == l2[14],
        "composite": check_digit(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29]) == l2[29],
        "shape": len(lines) == 3 and all(len(x) == 30 for x in lines),
    }
