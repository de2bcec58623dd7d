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


def clean_mrz_lines(lines: list[str], *, pad: bool = True) -> list[str]:
    """The three MRZ lines from OCR text: upper-case, no spaces, '«' -> '<<', padded/cut to 30 (as read
    when `pad` is False: the check-digit correction needs to see a character too many or too few).
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
    if not pad:
        return picked
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


# ---------------------------------------------------------------- correction by the check digits

WILDCARD = "?"   # a character the reading lost: any digit, at the price of one correction
MAX_EDITS = 2    # corrections accepted per zone; more would let the mod-10 check digits pass a wrong guess
MARGIN = 1       # … and no other reading may pass within this many more edits (searched up to the sum)
# Digits the readers take for one another on the zones' monospaced / OCR-B faces (measured: Tesseract's
# eng and vie models, line by line, on the generator's zones; letters in digit positions are mapped by
# `repair` before this). Only these substitutions are tried.
DIGIT_CONFUSIONS: dict[str, str] = {
    "0": "689", "1": "74", "2": "7", "3": "8", "4": "1", "5": "6", "6": "058", "7": "12", "8": "0369",
    "9": "08",
}
_SLOT = "0-9OQDILSBZGT" + WILDCARD


@dataclass
class Correction:
    """A zone whose lines 1-2 pass every check after `edits` substitutions: which ones, for the reason."""
    lines: list[str]
    edits: int
    changes: list[str] = field(default_factory=list)


def _vn_line1_variants(line: str) -> list[tuple[str, int]]:
    """Line 1 as 'IDVNM' + 22 digits (document number, its check, the 12-digit ID) + fillers, whatever noise
    the reading put before the country code; one character too many or too few gives one variant per
    position where it may have been, at the price of one correction (the check digits pick, `decode_vn`)."""
    m = re.search(r"V.?N.?M", line[:9])
    if not m:
        return [((line + "<" * 30)[:30], 0)]
    body = re.match(f"[{_SLOT}]*", line[m.end():])[0]
    out: list[tuple[str, int]] = []
    if len(body) >= 22:
        out.append((body[:22], 0))
    if len(body) == 23:
        out += [(body[:i] + body[i + 1:], 1) for i in range(23)]
    if len(body) == 21:
        out += [(body[:i] + WILDCARD + body[i:], 0) for i in range(22)]  # the wildcard costs its own edit
    if not out:
        out.append(((body + WILDCARD * 22)[:22], 0))
    return [(("IDVNM" + b + "<" * 30)[:30], c) for b, c in dict.fromkeys(out)]


def _vn_line2_variants(line: str) -> list[tuple[str, int]]:
    """Line 2 as birth + check + sex + expiry + check (15 characters) + 'VNM' + 11 fillers + composite."""
    m = re.search(r"V.?N.?M|VNNH|VWNM", line[12:20])
    if not m:
        return [((line + "<" * 30)[:30], 0)]
    head = line[:12 + m.start()]
    tail = line[12 + m.end():].rstrip("<")
    composite = tail[-1] if tail and re.fullmatch(f"[{_SLOT}]", tail[-1]) else WILDCARD
    if len(head) == 16:
        heads = [(head[:i] + head[i + 1:], 1) for i in range(16)]
    elif len(head) == 14:
        heads = [(head[:i] + WILDCARD + head[i:], 0) for i in range(15) if i != 7]
    else:
        heads = [(head, 0)]
    return [(h + "VNM" + "<" * 11 + composite, c) for h, c in dict.fromkeys(heads) if len(h) == 15] or \
        [((line + "<" * 30)[:30], 0)]


def _digit(ch: str) -> str:
    """A digit position's reading as a digit ('O' -> '0'), or the wildcard when it is no digit at all."""
    d = ch.translate(_TO_DIGIT)
    return d if d.isdigit() else WILDCARD


def _options(obs: str, second: str | None = None) -> list[tuple[str, int]]:
    """(digit, cost) for one digit position read as `obs` (and, for the ID's repeated digits, `second`)."""
    obs = _digit(obs)
    if second is None:
        if obs == WILDCARD:
            return [(d, 1) for d in "0123456789"]
        return [(obs, 0)] + [(d, 1) for d in DIGIT_CONFUSIONS.get(obs, "")]
    second = _digit(second)
    if obs == second == WILDCARD:
        return [(d, 2) for d in "0123456789"]
    if obs == second:
        return [(obs, 0)] + [(d, 2) for d in DIGIT_CONFUSIONS.get(obs, "")]  # both copies misread alike: rare
    return [(d, 1) for d in (obs, second) if d != WILDCARD] or [(obs, 0)]


def _fill(slots: list[list[tuple[str, int]]], budget: int) -> list[tuple[str, int]]:
    """Every string choosing one option per slot with total cost <= budget."""
    out: list[tuple[str, int]] = [("", 0)]
    for options in slots:
        out = [(s + ch, c + cost) for s, c in out for ch, cost in options if c + cost <= budget]
    return out


def _date_ok(yymmdd: str) -> bool:
    return 1 <= int(yymmdd[2:4]) <= 12 and 1 <= int(yymmdd[4:6]) <= 31


def decode_vn(l1: str, l2: str, budget: int = MAX_EDITS) -> list[tuple[int, str, str, list[str]]]:
    """Every reading of a Vietnamese zone's lines 1-2 within `budget` digit substitutions that passes all
    checks: (edits, line 1, line 2, what changed). The checks: the document number's, the birth date's, the
    expiry's and the composite check digit; the document number repeated in the 12-digit ID; the ID's
    province code and its century/sex and year digits against the birth date and sex."""
    from extract.data import province_codes
    if len(l1) != 30 or len(l2) != 30:
        return []
    doc, opt = l1[5:14], l1[15:27]
    ids = _fill([_options(opt[i]) for i in range(3)] + [_options(opt[i], doc[i - 3]) for i in range(3, 12)], budget)
    provinces = province_codes()
    id_cands = []
    for number, cost in ids:
        if number[:3] not in provinces or number[3] not in "0123":
            continue
        for check, c2 in _options(l1[14]):
            if cost + c2 <= budget and check_digit(number[3:]) == check:
                id_cands.append((number, check, cost + c2))
    if not id_cands:
        return []
    sex = l2[7].replace("H", "M").replace("E", "F")
    if sex not in "MF":
        return []
    births = [(b + ch, c + c2) for b, c in _fill([_options(x) for x in l2[0:6]], budget)
              for ch, c2 in _options(l2[6]) if c + c2 <= budget and _date_ok(b) and check_digit(b) == ch]
    if l2[8:15] == "<" * 7:
        expiries = [("<" * 7, 0)]
    else:
        expiries = [(e + ch, c + c2) for e, c in _fill([_options(x) for x in l2[8:14]], budget)
                    for ch, c2 in _options(l2[14]) if c + c2 <= budget and _date_ok(e) and check_digit(e) == ch]
    out = []
    for number, check, ci in id_cands:
        if (int(number[3]) % 2 == 0) != (sex == "M"):
            continue
        new1 = ("IDVNM" + number[3:] + check + number + "<" * 30)[:30]
        for birth, cb in births:
            if ci + cb > budget or birth[:2] != number[4:6]:
                continue
            for expiry, ce in expiries:
                if ci + cb + ce > budget:
                    continue
                body = new1[5:30] + birth + expiry + "<" * 11
                for comp, cc in _options(l2[29]):
                    edits = ci + cb + ce + cc
                    if edits <= budget and check_digit(body) == comp:
                        new2 = birth + sex + expiry + "VNM" + "<" * 11 + comp
                        changes = [f"{i}:{a}>{b}" for i, (a, b) in enumerate(zip(l1 + l2, new1 + new2, strict=True))
                                   if a != b and _digit(a) != b]
                        out.append((edits, new1, new2, changes))
    return out


def correct_vn(lines: list[str]) -> Correction | None:
    """Lines 1-2 of a Vietnamese zone (as read, not yet padded) corrected with the check digits, or None.
    Accepted only when exactly one reading passes every check with the fewest substitutions and no other
    passes with one substitution more, and the composite check digit was read as printed (it confirms every corrected field a second time); a composite
    digit misread or lost is taken from the data only when nothing else needed correcting. Never a guess the
    checks did not confirm."""
    found: dict[tuple[str, str], tuple[int, list[str]]] = {}
    budget = MAX_EDITS + MARGIN
    variants2 = _vn_line2_variants(lines[1])
    lost_composite = all(v[-1] == WILDCARD for v, _ in variants2)
    if lost_composite:
        # the composite digit was not read: it is recomputed, and only for lines that pass as read (the
        # province digits, which nothing else checks, could not be told from another province's)
        budget = 1
    for v1, c1 in _vn_line1_variants(lines[0]):
        for v2, c2 in variants2:
            for edits, n1, n2, changes in decode_vn(v1, v2, budget - c1 - c2):
                edits += c1 + c2
                if c1 + c2:
                    changes = changes + ["length"]
                if (n1, n2) not in found or edits < found[(n1, n2)][0]:
                    found[(n1, n2)] = (edits, changes)
    if not found:
        return None
    best = min(e for e, _ in found.values())
    if best > MAX_EDITS:
        return None
    close = [(k, v) for k, v in found.items() if v[0] <= best + (0 if lost_composite else MARGIN)]
    if len(close) != 1:
        # another reading passes every check with (nearly) as few edits: the checks cannot tell which, and
        # a zone misread in more places than corrected would pass with a wrong one by chance
        return None
    (n1, n2), (edits, changes) = close[0]
    if edits and any(c.startswith("59:") for c in changes) and len(changes) > 1:
        return None  # the composite digit itself was changed: it confirms nothing else
    # a document digit whose two copies were read differently is settled by the copy the checks confirm:
    # that is a choice between two readings, not a guess, so it does not count against its check digit
    both = {k for k in range(9) if _digit(lines[0][5 + k:6 + k]) != _digit(lines[0][18 + k:19 + k])} \
        if len(lines[0]) >= 27 and not any(c == "length" for c in changes) else set()
    places = {_place(int(c.split(":")[0])) for c in changes if c != "length"}
    groups = [group for group, k in places if not (group == "document" and k - 5 in both)]
    if len(groups) != len(set(groups)):
        return None  # two changes under one check digit: that check no longer decides them, chance could
    return Correction([n1, n2, (lines[2] + "<" * 30)[:30]], edits, changes)


def _place(position: int) -> tuple[str, int]:
    """(the check digit that guards it, which of its characters) for a position of lines 1-2 taken as one
    60-character string; the document number and its copy in the 12-digit ID are one character each."""
    if 15 <= position < 18:
        return "province", position   # the ID's first three digits: a real province code and the composite
    if position < 30:
        return "document", position - 13 if position >= 18 else position  # number, its check, its copy
    group = "birth" if position < 37 else "sex" if position == 37 else "expiry" if position < 45 else "composite"
    return group, position



def read_zone12(first: list[str], second: list[str]) -> tuple[str, str] | None:
    """Lines 1-2 of a zone from several readings of each (readers and scales, best first). Every pairing of
    a line-1 and a line-2 reading is checked as read (two votes) or corrected by the check digits (one vote,
    `correct_vn`); the value with the most votes wins, and a tie between two different values leaves the
    zone unread (None): the checks pass both, so neither is sure."""
    votes: dict[tuple[str, str], int] = {}
    filler = "<" * 30
    for a in first:
        for b in second:
            raw = clean_mrz_lines([a, b, filler], pad=False)
            if len(raw) != 3:
                continue
            lines = repair(clean_mrz_lines([a, b, filler]))
            if parse_td1(lines).valid:
                key, weight = (lines[0], lines[1]), 2
            elif lines[0][2:5] == "VNM" and (fixed := correct_vn(raw)) is not None:
                key, weight = (fixed.lines[0], fixed.lines[1]), 1
            else:
                continue
            votes[key] = votes.get(key, 0) + weight
    if not votes:
        return None
    ranked = sorted(votes.items(), key=lambda kv: -kv[1])
    if len(ranked) > 1 and ranked[1][1] >= ranked[0][1]:
        return None
    return ranked[0][0]


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
