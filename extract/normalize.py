"""Field normalisers: OCR text -> the value form the templates expect (see the common brief).

Each normaliser takes the raw text and the profile's parameters and returns a `Normalized`: the value,
whether it could be normalised at all, and whether it came from a closed list or a strict pattern
(`checked`), which confidence.py counts like a passing validator. Profiles name normalisers by the keys
of NORMALIZERS, so a new document type never needs Python.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache

from rapidfuzz import fuzz, process

from common.text import nfc
from extract.data import code_table, countries, ethnicities
from extract.textutil import fold


@dataclass
class Normalized:
    value: str
    ok: bool = True
    reason: str = ""
    checked: bool = False  # matched a closed list / strict pattern: as good as a passing validator
    exact: bool = False    # the text IS a closed-list spelling, tone marks and all (no fuzzy snapping)


def tone_normalize(text: str) -> str:
    """NFC + the project's tone-mark convention (ocr.vietnamese); plain NFC if that module is missing."""
    try:
        from ocr.vietnamese import normalize_text
    except ImportError:  # the OCR stage not installed: still NFC
        return nfc(text)
    return normalize_text(nfc(text))


_EDGE_SEPARATORS = " \t:;,./\\-_|·•"
_PAIRS = {"(": ")", "[": "]", "“": "”", '"': '"', "'": "'"}  # opener -> closer (quotes close themselves)
_CLOSERS = {c: o for o, c in _PAIRS.items()}


def _unpaired_edge(text: str) -> str:
    """`text` without a bracket or quote at either end that has no partner in it: OCR's stray marks go,
    what a person typed in pairs stays ("Thôn 3 (xóm Chùa)", '"Xóm Mới"')."""
    if text and text[-1] in _CLOSERS:
        opener, closer = _CLOSERS[text[-1]], text[-1]
        if (text.count(closer) % 2 if opener == closer else text.count(opener) < text.count(closer)):
            return text[:-1]
    if text and text[0] in _PAIRS:
        opener, closer = text[0], _PAIRS[text[0]]
        if (text.count(opener) % 2 if opener == closer else text.count(closer) < text.count(opener)):
            return text[1:]
    return text


def clean_text(text: str) -> str:
    """One line of text: spaces collapsed, separator junk off both ends (": 12 Lê Lợi;" -> "12 Lê Lợi"),
    brackets and quotes too unless they are paired inside the value."""
    text = re.sub(r"\s+", " ", nfc(text)).strip()
    while True:
        before = text
        text = _unpaired_edge(text.strip(_EDGE_SEPARATORS))
        if text == before:
            return text


def _fail(raw: str, reason: str) -> Normalized:
    return Normalized(clean_text(raw), ok=False, reason=reason)


# ---------------------------------------------------------------- text and names

def unglue(text: str) -> str:
    """OCR drops spaces between capitalised syllables: "HồVănHùng" -> "Hồ Văn Hùng"."""
    out = []
    for i, ch in enumerate(text):
        if i and ch.isupper() and text[i - 1].islower():
            out.append(" ")
        out.append(ch)
    return "".join(out)


def norm_text(raw: str, params: dict | None = None) -> Normalized:
    text = tone_normalize(unglue(clean_text(raw)))
    if not text:
        return _fail(raw, "trống (empty)")
    return Normalized(_soften_caps(text))


def _soften_caps(text: str) -> str:
    """In mixed-case text, an all-capitals Vietnamese word is an OCR slip ("SỐ 7 ngõ 18" -> "Số 7 ngõ 18");
    abbreviations (UBND, TP) are no syllables and stay."""
    if text.upper() == text:
        return text
    try:
        from ocr.vietnamese import is_valid_syllable
    except ImportError:
        return text
    def fix(m: re.Match) -> str:
        w = m.group(0)
        return w[0] + w[1:].lower() if len(w) >= 2 and w.isupper() and is_valid_syllable(w) else w
    return re.sub(r"[^\W\d_]+", fix, text)


def title_case(text: str) -> str:
    """Title Case per syllable ("NGUYỄN THỊ THÚY" -> "Nguyễn Thị Thúy"), keeping hyphens and apostrophes."""
    def cap(word: str) -> str:
        return "-".join(p[:1].upper() + p[1:].lower() for p in word.split("-"))
    return " ".join(cap(w) for w in text.split())


def norm_name(raw: str, params: dict | None = None) -> Normalized:
    text = unglue(clean_text(raw))
    text = re.sub(r"[^\w\s'\-]", " ", text)  # OCR specks between syllables
    text = re.sub(r"\d", "", text)
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        return _fail(raw, "không đọc được họ tên (name not readable)")
    words = text.split()
    if len(words) < int((params or {}).get("min_words", 1)):
        return _fail(raw, "họ tên quá ngắn (name too short)")
    return Normalized(title_case(tone_normalize(text)))


# ---------------------------------------------------------------- digits

_DIGIT_FIX = str.maketrans({"O": "0", "o": "0", "Q": "0", "D": "0", "U": "0",
                            "l": "1", "I": "1", "i": "1", "|": "1", "!": "1", "L": "1",
                            "S": "5", "s": "5", "B": "8", "Z": "2", "z": "2", "G": "6", "b": "6",
                            "g": "9", "q": "9", "T": "7"})


def fix_digits(text: str) -> str:
    """Letters OCR confuses with digits, in a field that can only hold digits (O->0, l/I->1, S->5, B->8)."""
    return text.translate(_DIGIT_FIX)


def norm_id_digits(raw: str, params: dict | None = None) -> Normalized:
    """An ID number: digits only, leading zeros kept; lengths from params (default 9 or 12)."""
    lengths = [int(n) for n in (params or {}).get("lengths", [9, 12])]
    text = clean_text(raw)
    groups = re.findall(r"[0-9OoQDUlIi|!LSsBZzGbgqT][0-9OoQDUlIi|!LSsBZzGbgqT .\-]*", text)
    best = ""
    for g in groups:
        cand = re.sub(r"[ .\-]", "", fix_digits(g))
        if cand.isdigit() and sum(c.isdigit() for c in g) >= len(cand) / 2 and len(cand) > len(best):
            best = cand
    if not best:
        return _fail(raw, "không có chữ số (no digits)")
    if len(best) not in lengths:
        return Normalized(best, ok=False,
                          reason=f"số có {len(best)} chữ số, cần {' hoặc '.join(map(str, lengths))} "
                                 f"(has {len(best)} digits, expected {' or '.join(map(str, lengths))})")
    return Normalized(best, checked=True)


def norm_digits(raw: str, params: dict | None = None) -> Normalized:
    """A short number such as a parcel or map-sheet number: the first token that is digits once letter
    confusions are fixed (and holds at least one real digit)."""
    for tok in re.findall(r"\S+", clean_text(raw)):
        tok = tok.strip(".,;:")
        cand = fix_digits(tok)
        if cand.isdigit() and any(c.isdigit() for c in tok):
            return Normalized(cand, checked=tok.isdigit())  # read as digits outright: a strict pattern
    return _fail(raw, "không có số (no number)")


def norm_register_no(raw: str, params: dict | None = None) -> Normalized:
    """Registration / book numbers as printed: "01/2018", "15" — digits fixed, spaces around '/' removed."""
    text = clean_text(raw)
    text = re.sub(r"\s*/\s*", "/", text)
    first = text.split(" ")[0] if text else ""
    fixed = "".join(fix_digits(c) if c not in "/-." else c for c in first)
    if not fixed or not re.fullmatch(r"\d+(?:[/\-.]\d+)*(?:/[A-Z]+)?", fixed):
        return _fail(raw, "số không đúng dạng (number not in the expected form)")
    return Normalized(fixed, checked=True)


# ---------------------------------------------------------------- dates

def _valid(d: int, m: int, y: int) -> bool:
    try:
        date(y, m, d)
    except ValueError:
        return False
    return 1850 <= y <= 2100


def _date_digits(text: str) -> str:
    """Fix digit confusions only inside tokens that are mostly digits ("2O1O" -> "2010")."""
    def fix(m: re.Match) -> str:
        tok = m.group(0)
        digits = sum(c.isdigit() for c in tok)
        return fix_digits(tok) if digits >= max(1, len(tok) // 2) else tok
    return re.sub(r"[0-9OoIl|]+", fix, text)


def parse_date(raw: str) -> tuple[str, str] | None:
    """-> (value, precision) with value dd.mm.yyyy / mm.yyyy / yyyy and precision 'day'|'month'|'year'."""
    text = _date_digits(fold(raw) if raw else "")
    # "ngày 15 tháng 02 năm 2014", also when the locator or OCR lost "ngày" ("15 tháng 02 năm 2014")
    m = re.search(r"(?:ngay)?[\s,]*(?<!\d)(\d{1,2})[\s,]*thang[\s,]*(\d{1,2})[\s,]*nam[\s,]*(\d{4})", text)
    if m:
        d, mo, y = int(m[1]), int(m[2]), int(m[3])
        return (f"{d:02d}.{mo:02d}.{y}", "day") if _valid(d, mo, y) else None
    raw_digits = _date_digits(nfc(raw))
    m = re.search(r"(?<!\d)(\d{1,2})\s*[./\-]\s*(\d{1,2})\s*[./\-]\s*(\d{4})(?!\d)", raw_digits)
    if m:
        d, mo, y = int(m[1]), int(m[2]), int(m[3])
        return (f"{d:02d}.{mo:02d}.{y}", "day") if _valid(d, mo, y) else None
    m = re.search(r"(?<!\d)(\d{1,2})\s+(\d{1,2})\s+(\d{4})(?!\d)", text)  # "05 01 2010" (separators lost)
    if m and _valid(int(m[1]), int(m[2]), int(m[3])):
        return f"{int(m[1]):02d}.{int(m[2]):02d}.{m[3]}", "day"
    m = re.search(r"thang\s*(\d{1,2})\s*nam\s*(\d{4})", text) or \
        re.search(r"(?<![\d.])(\d{1,2})\s*[./\-]\s*(\d{4})(?!\d)", raw_digits)
    if m:
        mo, y = int(m[1]), int(m[2])
        return (f"{mo:02d}.{y}", "month") if _valid(1, mo, y) else None
    m = re.search(r"(?<!\d)(\d{4})(?!\d)", raw_digits)
    if m and _valid(1, 1, int(m[1])):
        return m[1], "year"
    return None


def norm_date(raw: str, params: dict | None = None) -> Normalized:
    """Dates to dd.mm.yyyy; partial dates (mm.yyyy, yyyy) kept unless params.partial is false."""
    for phrase in (params or {}).get("keep", []):  # "Không thời hạn": a valid value that is no date
        if fold(raw) == fold(phrase):
            return Normalized(phrase, checked=True)
    parsed = parse_date(raw)
    if parsed is None:
        return _fail(raw, "ngày không hợp lệ hoặc không đọc được (date invalid or unreadable)")
    value, precision = parsed
    if precision != "day" and not (params or {}).get("partial", True):
        return Normalized(value, ok=False, reason="thiếu ngày/tháng (day or month missing)")
    if precision != "day" and _stray_digits(raw, value):
        return Normalized(value, ok=False, reason=PARTLY_READ_DATE)
    if (params or {}).get("padded") and precision == "day" and not re.search(
            r"(?<!\d)\d{2}\s*[./\-\s]\s*\d{2}\s*[./\-\s]\s*\d{4}(?!\d)", _date_digits(nfc(raw))):
        # cards print dd/mm/yyyy: '7-07-1966' lost a digit (it was 17), it is not the 7th
        return Normalized(value, ok=False, reason=UNPADDED_DATE)
    return Normalized(value, checked=True)


# Parameters that describe how the form PRINTS a value. They guard against OCR slips (a lost digit); a
# value a person types in the review app is not held to them.
PRINT_FORM_PARAMS = frozenset({"padded"})

UNPADDED_DATE = ("ngày/tháng thiếu chữ số so với mẫu dd/mm/yyyy (day or month lacks a digit the form always "
                 "prints)")
PARTLY_READ_DATE = ("chỉ đọc được một phần ngày, còn chữ số chưa dùng (date only partly read: digits left "
                    "over)")


def _stray_digits(raw: str, value: str) -> bool:
    """A partial date (mm.yyyy, yyyy) is only trusted when the text holds no other digits: '15 thang 02
    nam 2014' read as '02.2014' lost its day, it is not a partial date."""
    text = _date_digits(nfc(raw))
    for group in value.split("."):
        text = re.sub(rf"(?<!\d)0*{int(group)}(?!\d)", "", text, count=1)
    return bool(re.search(r"\d", text))


def norm_year(raw: str, params: dict | None = None) -> Normalized:
    m = re.search(r"(?<!\d)(\d{4})(?!\d)", _date_digits(nfc(raw)))
    if not m or not _valid(1, 1, int(m[1])):
        return _fail(raw, "năm không hợp lệ (year invalid)")
    return Normalized(m[1], checked=True)


def norm_time(raw: str, params: dict | None = None) -> Normalized:
    """'6 giờ 10 phút' / '06:10' / '6h10' -> '06:10'."""
    pattern = r"(?<!\d)(\d{1,2})\s*(?:gio|h|:)\s*(\d{1,2})?"
    m = re.search(pattern, fold(raw)) or re.search(pattern, _date_digits(fold(raw)))
    if not m:
        return _fail(raw, "không đọc được giờ (time unreadable)")
    hh, mm = int(m[1]), int(m[2] or 0)
    if hh > 23 or mm > 59:
        return _fail(raw, "giờ không hợp lệ (time invalid)")
    return Normalized(f"{hh:02d}:{mm:02d}", checked=True)


# ---------------------------------------------------------------- areas

def norm_area(raw: str, params: dict | None = None) -> Normalized:
    """'123,5 m²' / '123.5m2' / '1.234,5 m2' -> '123,5' / '1234,5' (comma decimal, no unit)."""
    text = _date_digits(nfc(raw))
    m = re.search(r"\d[\d.,\s]*", text)
    if not m:
        return _fail(raw, "không đọc được diện tích (area unreadable)")
    num = re.sub(r"\s+", "", m.group(0)).rstrip(".,")
    # a trailing "2" glued from "m2" is not part of the number: the unit starts after the digits anyway
    if "," in num and "." in num:
        dec = "," if num.rfind(",") > num.rfind(".") else "."
        thou = "." if dec == "," else ","
        num = num.replace(thou, "").replace(dec, ",")
    elif num.count(".") == 1 and not re.search(r"\.\d{3}$", num):
        num = num.replace(".", ",")
    elif num.count(".") >= 1:
        num = num.replace(".", "")
    elif num.count(",") > 1:
        return _fail(raw, "diện tích sai dạng (area malformed)")
    if not re.fullmatch(r"\d+(,\d+)?", num):
        return _fail(raw, "diện tích sai dạng (area malformed)")
    return Normalized(num, checked=True)


# ---------------------------------------------------------------- closed lists and codes

def _exact_key(text: str) -> str:
    return " ".join(tone_normalize(text).casefold().split())


@cache
def _spellings(kind: str, table: str = "") -> frozenset[str]:
    """Every listed spelling with its marks (case-folded): an OCR reading equal to one is exact."""
    source = ethnicities() if kind == "ethnicity" else countries() if kind == "nationality" else code_table(table)
    return frozenset(_exact_key(s) for canonical, aliases in source.items() for s in [canonical, *aliases])


@cache
def _choices(kind: str, table: str = "") -> tuple[dict[str, str], list[str]]:
    """folded spelling -> canonical output, and the list of folded spellings (for rapidfuzz)."""
    if kind == "ethnicity":
        source = ethnicities()
    elif kind == "nationality":
        source = countries()
    else:
        source = code_table(table)
    mapping: dict[str, str] = {}
    for canonical, aliases in source.items():
        for spelling in [canonical, *aliases]:
            mapping.setdefault(fold(spelling), canonical)
    return mapping, list(mapping)


def _closed(raw: str, kind: str, table: str = "", min_score: float = 85.0, what: str = "",
            whole: bool = False) -> Normalized:
    """`whole`: the text must be a listed phrase (accent-insensitive); no fuzzy or contained match, for
    lists whose values are printed titles that a longer text must not be cut down to."""
    text = clean_text(raw)
    key = fold(text)
    if not key:
        return _fail(raw, f"trống ({what or kind} empty)")
    mapping, keys = _choices(kind, table)
    if key in mapping:
        return Normalized(mapping[key], checked=True, exact=_exact_key(text) in _spellings(kind, table))
    short = len(key) <= 3
    if not short and not whole:
        hit = process.extractOne(key, keys, scorer=fuzz.ratio, score_cutoff=min_score)
        if hit is not None:
            return Normalized(mapping[hit[0]], checked=True)
        # a longer phrase that contains a listed word ("Nam (Male)", "Kinh, không tôn giáo")
        words = key.split()
        for n in range(min(4, len(words)), 0, -1):
            for i in range(len(words) - n + 1):
                cand = " ".join(words[i:i + n])
                if cand in mapping and len(cand) > 1:
                    return Normalized(mapping[cand], checked=True)
    return Normalized(tone_normalize(text), ok=False,
                      reason=f"không có trong danh mục {what or kind} (not in the closed list)")


def norm_ethnicity(raw: str, params: dict | None = None) -> Normalized:
    return _closed(raw, "ethnicity", min_score=float((params or {}).get("min_score", 85)), what="dân tộc")


def norm_nationality(raw: str, params: dict | None = None) -> Normalized:
    return _closed(raw, "nationality", min_score=float((params or {}).get("min_score", 85)), what="quốc tịch")


def norm_code(raw: str, params: dict | None = None) -> Normalized:
    """Words -> a code from codes.toml (params.table): gender, loaiDangKy, loaiGiayToTuyThan, …
    A value that already is one of the table's codes passes through."""
    params = params or {}
    table = params.get("table", "gender")
    text = clean_text(raw)
    if text in code_table(table):
        return Normalized(text, checked=True)
    return _closed(raw, "code", table=table, min_score=float(params.get("min_score", 85)), what=table,
                   whole=bool(params.get("whole", False)))


def norm_gender(raw: str, params: dict | None = None) -> Normalized:
    return norm_code(raw, {**(params or {}), "table": "gender"})


def norm_gcn_serial(raw: str, params: dict | None = None) -> Normalized:
    """Certificate serial: two letters + 6 (2014 form) or 8 (2024 form) digits -> 'CS 123456'."""
    digits = [int(d) for d in (params or {}).get("digits", [6, 8])]
    text = nfc(raw).upper()
    m = re.search(r"([A-ZĐ]{2})\s*[-.]?\s*([0-9OIL|SBZ]{5,9})", text)
    if not m:
        return _fail(raw, "số phát hành không đúng dạng (serial not in the expected form)")
    num = fix_digits(m[2])
    if not num.isdigit() or len(num) not in digits:
        return Normalized(f"{m[1]} {num}", ok=False,
                          reason="số phát hành sai số chữ số (serial has the wrong number of digits)")
    return Normalized(f"{m[1]} {num}", checked=True)


def norm_code_number(raw: str, params: dict | None = None) -> Normalized:
    """Register-entry numbers such as 'CH 01234' / 'CS05494': letters upper-case, one space, digits fixed."""
    text = clean_text(nfc(raw)).upper()
    m = re.search(r"([A-ZĐ]{1,4})\s*[-.:]?\s*([0-9OIL|SBZ]{2,8})(?:\s*/\s*(\S+))?", text)
    if not m:
        return Normalized(text, ok=bool(text), reason="" if text else "trống (empty)")
    out = f"{m[1]} {fix_digits(m[2])}"
    if m[3]:
        out += f"/{m[3]}"
    return Normalized(out)


def norm_mrz(raw: str, params: dict | None = None) -> Normalized:
    """Three MRZ lines; on a Vietnamese zone whose check digits fail, the one correction of a few confusable
    digits that every check confirms (extract.mrz.correct_vn), or the lines as read."""
    from extract.mrz import clean_mrz_lines, correct_vn, parse_td1, repair
    lines = clean_mrz_lines(raw.splitlines())
    if len(lines) != 3:
        return _fail(raw, "không đọc được đủ 3 dòng MRZ (MRZ: 3 lines not found)")
    lines = repair(lines)
    if lines[0][2:5] == "VNM" and not parse_td1(lines).valid:
        fixed = correct_vn(clean_mrz_lines(raw.splitlines(), pad=False))
        if fixed is not None:
            lines = repair(fixed.lines)
    lines[2] = _mrz_name_line(lines[2])
    return Normalized("\n".join(lines))


_MRZ_SWAPS = {"T": "I", "I": "T", "0": "O", "1": "I", "5": "S", "8": "B", "H": "N", "N": "H", "U": "V",
              "V": "U"}


def _mrz_name_line(line: str) -> str:
    """OCR-B slips in the name line ('THI' read 'THT'): a name part that is no syllable is fixed when
    exactly one single-letter swap makes it one. The line has no check digit, so the field stays for review
    until the card's front confirms it (extract.merge)."""
    from extract.textutil import bare_syllables
    known = bare_syllables()
    if not known:
        return line

    def fix(m: re.Match) -> str:
        part = m.group(0)
        if part.lower() in known:
            return part
        options = {part[:i] + _MRZ_SWAPS[c] + part[i + 1:] for i, c in enumerate(part) if c in _MRZ_SWAPS}
        good = [o for o in options if o.lower() in known]
        return good[0] if len(good) == 1 else part
    return re.sub(r"[A-Z0-9]+", fix, line)


NORMALIZERS: dict[str, Callable[[str, dict | None], Normalized]] = {
    "text": norm_text,
    "address": norm_text,
    "name": norm_name,
    "id_digits": norm_id_digits,
    "digits": norm_digits,
    "register_no": norm_register_no,
    "date": norm_date,
    "year": norm_year,
    "time": norm_time,
    "area": norm_area,
    "ethnicity": norm_ethnicity,
    "nationality": norm_nationality,
    "gender": norm_gender,
    "code": norm_code,
    "gcn_serial": norm_gcn_serial,
    "code_number": norm_code_number,
    "mrz": norm_mrz,
}


def normalize(name: str, raw: str, params: dict | None = None) -> Normalized:
    return NORMALIZERS[name](raw, params or {})
