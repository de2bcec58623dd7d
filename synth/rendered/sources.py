"""Text for the independent set, taken from sources synth/ never reads.

- Words: Debian's `hunspell-vi` dictionary (/usr/share/hunspell/vi_VN.dic, one syllable a line).
- Places: the `vietnam-provinces` package (2025.x: the 34 provinces and their 3,321 communes/wards, GSO codes).
- Person names: the small lists below, built here (surnames by rough frequency, middle names by sex, given
  names as one or two syllables), not synth/data/names.toml.
- Dates, ID numbers, register numbers: drawn here.

All text leaves this module NFC with the traditional tone placement (hòa, khỏe, thủy), the form the project
stores; the dictionary writes the new placement (hoà, khoẻ, thuỷ), so its words are converted on reading.
"""
from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

HUNSPELL_VI = Path("/usr/share/hunspell/vi_VN.dic")
HUNSPELL_VI_AFF = Path("/usr/share/hunspell/vi_VN.aff")

# --- tone placement --------------------------------------------------------------------------------------

_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def traditional_tones(text: str) -> str:
    """Move the tone of open syllables ending in oa/oe/uy to the first vowel: hoà -> hòa, thuý -> thúy.

    `qu` is a consonant, so `quý` keeps its mark on y. Other syllables are left as they are.
    """
    out = []
    for word in text.split(" "):
        out.append(_traditional_word(word))
    return " ".join(out)


def _traditional_word(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    tone = next((c for c in decomposed if c in _TONE_MARKS), None)
    if tone is None:
        return word
    bare = unicodedata.normalize("NFC", decomposed.replace(tone, ""))
    core = bare.rstrip(",.;:!?)\"'")
    tail = bare[len(core):]
    low = core.lower()
    for pair in ("oa", "oe", "uy"):
        if low.endswith(pair) and not (pair == "uy" and low.endswith("quy")):
            i = len(core) - 2
            first = unicodedata.normalize("NFC", unicodedata.normalize("NFD", core[i]) + tone)
            return unicodedata.normalize("NFC", core[:i] + first + core[i + 1:] + tail)
    return word


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# --- the Vietnamese alphabet, read from hunspell's MAP lines --------------------------------------------

@cache
def vietnamese_letters() -> str:
    """Every letter hunspell-vi maps as a variant of a Latin vowel or d (both cases): the 134 precomposed
    Vietnamese letters plus their bare ASCII bases. Read from the dictionary's .aff so the check of fonts
    does not reuse the way synth/fonts.py builds its alphabet."""
    letters: set[str] = set()
    for line in HUNSPELL_VI_AFF.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "MAP" and not parts[1].isdigit():
            letters.update(nfc(parts[1]))
    return "".join(sorted(letters))


def precomposed_letters() -> str:
    """The non-ASCII letters of Vietnamese (134 of them)."""
    return "".join(c for c in vietnamese_letters() if ord(c) > 127)


# --- words -----------------------------------------------------------------------------------------------

@cache
def syllables() -> tuple[str, ...]:
    """Lower-case Vietnamese syllables of the dictionary (acronyms and foreign words left out)."""
    words = []
    for raw in HUNSPELL_VI.read_text(encoding="utf-8").splitlines()[1:]:
        w = nfc(raw.strip())
        if w and w.islower() and w.isalpha():
            words.append(traditional_tones(w))
    return tuple(sorted(set(words)))


def sentence(rng: random.Random, n_words: tuple[int, int] = (6, 16)) -> str:
    """A sentence of dictionary syllables: capitalised, commas now and then, a full stop."""
    words = [rng.choice(syllables()) for _ in range(rng.randint(*n_words))]
    for i in range(2, len(words) - 2):
        if rng.random() < 0.08:
            words[i] += ","
    words[0] = words[0][0].upper() + words[0][1:]
    return " ".join(words) + rng.choice([".", ".", ".", ";", ":"] if len(words) > 8 else ["."])


def paragraph(rng: random.Random, n_sentences: tuple[int, int] = (2, 5)) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(*n_sentences)))


def title_words(rng: random.Random, n: tuple[int, int] = (3, 7)) -> str:
    words = [rng.choice(syllables()) for _ in range(rng.randint(*n))]
    return " ".join(words).capitalize()


# --- places ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Place:
    ward: str           # "Xã Lâm Bình", "Phường Hoàn Kiếm", "Đặc khu Côn Đảo"
    ward_code: int
    province: str       # "Tỉnh Tuyên Quang", "Thành phố Hà Nội"
    province_code: int  # GSO code, 1..96

    def address(self, street: str = "") -> str:
        parts = [p for p in (street, self.ward, self.province) if p]
        return ", ".join(parts)

    def short(self) -> str:
        """Ward and province without their unit words (what cards print under Quê quán)."""
        return f"{_bare(self.ward)}, {_bare(self.province)}"


def _bare(name: str) -> str:
    for prefix in ("Thành phố ", "Tỉnh ", "Phường ", "Xã ", "Đặc khu "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


@cache
def _places() -> tuple[Place, ...]:
    from vietnam_provinces import Province
    from vietnam_provinces.lookup import WARD_MAPPING

    provinces = {int(p.code): (p.name if p.name.startswith("Thành phố") else f"Tỉnh {p.name}")
                 for p in Province.iter_all()}
    return tuple(Place(nfc(w.name), int(w.code), nfc(provinces[int(w.province_code)]), int(w.province_code))
                 for w in sorted(WARD_MAPPING.values(), key=lambda w: int(w.code)))


def random_place(rng: random.Random) -> Place:
    return rng.choice(_places())


def province_codes() -> list[int]:
    return sorted({p.province_code for p in _places()})


_HAMLET_WORDS = ("Thôn", "Xóm", "Ấp", "Tổ dân phố", "Khu phố", "Bản", "Khóm")


def street(rng: random.Random) -> str:
    """House number and street, or a hamlet named with dictionary syllables."""
    r = rng.random()
    name = " ".join(rng.choice(syllables()).capitalize() for _ in range(rng.randint(1, 2)))
    if r < 0.35:
        return f"Số {rng.randint(1, 299)} đường {name}"
    if r < 0.5:
        return f"Số {rng.randint(1, 120)}, ngõ {rng.randint(1, 90)} phố {name}"
    if r < 0.8:
        return f"{rng.choice(_HAMLET_WORDS)} {name}"
    return f"{rng.choice(_HAMLET_WORDS[3:5])} {rng.randint(1, 25)}"


# --- people ----------------------------------------------------------------------------------------------

# (surname, weight): a rough national frequency, tail-heavy on purpose so rare marks (Ưng, Ứng, Ông) occur.
SURNAMES = (("Nguyễn", 30), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 4), ("Phan", 4),
            ("Vũ", 4), ("Võ", 3), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 1.5), ("Ngô", 1.5),
            ("Dương", 1), ("Lý", 1), ("Đinh", 1), ("Đoàn", 1), ("Lương", 0.8), ("Trịnh", 0.8), ("Mai", 0.6),
            ("Tạ", 0.5), ("Lâm", 0.5), ("Quách", 0.4), ("Khúc", 0.3), ("Kiều", 0.3), ("Triệu", 0.3),
            ("Thái", 0.3), ("Cao", 0.4), ("Hà", 0.5), ("Chu", 0.3), ("Tô", 0.3), ("La", 0.2), ("Vương", 0.3),
            ("Mạc", 0.2), ("Ông", 0.2), ("Lã", 0.2), ("Âu", 0.2), ("Ứng", 0.1), ("Ưng", 0.1), ("Nghiêm", 0.2),
            ("Lục", 0.1), ("Doãn", 0.2), ("Giáp", 0.2), ("Phùng", 0.3), ("Tăng", 0.2), ("Thân", 0.2))
MIDDLE = {True: ("Văn", "Văn", "Hữu", "Đức", "Quang", "Minh", "Công", "Xuân", "Thành", "Ngọc", "Đình", "Tiến",
                 "Trọng", "Bá", "Duy", "Thế", "Mạnh", "Khắc", "Viết", "Quốc", "Gia", ""),
          False: ("Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Thùy", "Diệu", "Kim", "Mỹ", "Khánh", "Bảo",
                  "Phương", "Hoài", "Tường", "Quỳnh", "Hồng", "Nguyệt", "")}
GIVEN = {True: ("Hùng", "Dũng", "Cường", "Tuấn", "Khải", "Lộc", "Phúc", "Thịnh", "Nghĩa", "Khôi", "Quyết",
                "Toản", "Tưởng", "Vĩnh", "Hưởng", "Ước", "Ổn", "Sơn", "Hải", "Long", "Thắng", "Quân", "Đạt",
                "Trí", "Tùng", "Hiếu", "Thuận", "Nhân", "Kiên", "Bảo", "Huy", "Khoa", "Lực", "Điệp", "Chiến",
                "Tài", "Tú", "Hòa", "Thủy", "Luyện", "Quảng", "Đông", "Nguyên", "Vỹ", "Ngữ", "Toàn"),
         False: ("Hằng", "Hường", "Nguyệt", "Thủy", "Thắm", "Ngọc", "Yến", "Oanh", "Diễm", "Tuyết", "Loan",
                 "Hiền", "Huệ", "Nhung", "Xuân", "Hạnh", "Nhàn", "Trinh", "Quyên", "Ánh", "Dung", "Lụa",
                 "Thoa", "Hoa", "Lan", "Mai", "Trang", "Hương", "Thảo", "Nga", "Duyên", "Phượng", "Khuê",
                 "Ngân", "Vy", "Châu", "Thư", "Uyên", "Hòa", "Liễu", "Mận", "Gấm", "Quế", "Xoan", "Ỷ")}
SECOND_GIVEN = {True: ("Anh", "Minh", "Gia", "Đăng", "Nhật", "Trung", "Hoàng", "Thiện"),
                False: ("Bảo", "Ngọc", "Khánh", "Thanh", "Minh", "Phương", "Tú", "Kiều")}
ETHNIC = (("Kinh", 85), ("Tày", 2), ("Thái", 2), ("Mường", 2), ("Khmer", 1.5), ("Hoa", 1), ("Nùng", 1),
          ("H'Mông", 1), ("Dao", 0.8), ("Gia Rai", 0.4), ("Ê Đê", 0.4), ("Ba Na", 0.2), ("Sán Chay", 0.2),
          ("Chăm", 0.2), ("Cơ Ho", 0.2), ("Xơ Đăng", 0.2))


@dataclass
class Person:
    surname: str
    middle: str
    given: str
    male: bool
    birth: date
    origin: Place
    home: Place
    street: str
    ethnicity: str

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.surname, self.middle, self.given) if p)

    @property
    def given_names(self) -> str:
        return " ".join(p for p in (self.middle, self.given) if p)

    @property
    def sex_word(self) -> str:
        return "Nam" if self.male else "Nữ"

    @property
    def sex_code(self) -> str:
        return "1" if self.male else "2"

    @property
    def residence(self) -> str:
        return self.home.address(self.street)


def _weighted(rng: random.Random, table) -> str:
    names, weights = zip(*table, strict=True)
    return rng.choices(names, weights=weights)[0]


def random_person(rng: random.Random, born_from: date, born_to: date, male: bool | None = None,
                  home: Place | None = None) -> Person:
    male = rng.random() < 0.5 if male is None else male
    given = rng.choice(GIVEN[male])
    if rng.random() < 0.2:
        given = f"{rng.choice(SECOND_GIVEN[male])} {given}"
    birth = born_from + timedelta(days=rng.randrange(max(1, (born_to - born_from).days)))
    home = home or random_place(rng)
    return Person(_weighted(rng, SURNAMES), rng.choice(MIDDLE[male]), given, male, birth,
                  random_place(rng) if rng.random() < 0.6 else home, home, street(rng), _weighted(rng, ETHNIC))


def upper(text: str) -> str:
    """Upper case that keeps Vietnamese letters (str.upper does; kept as a named step for the reader)."""
    return nfc(text).upper()


# --- numbers ---------------------------------------------------------------------------------------------

def id12(rng: random.Random, person: Person, province_code: int | None = None) -> str:
    """PPP G YY NNNNNN: province of birth registration, century and sex (even male), year, serial."""
    ppp = f"{province_code or person.origin.province_code:03d}"
    g = 2 * ((person.birth.year - 1900) // 100) + (0 if person.male else 1)
    return f"{ppp}{g}{person.birth.year % 100:02d}{rng.randrange(1_000_000):06d}"


def cmnd9(rng: random.Random) -> str:
    """A 9-digit CMND number (provincial prefixes started 01..38 and 09x; leading zeros kept)."""
    return f"{rng.choice(list(range(1, 39)) + [90, 91, 92, 95]):02d}{rng.randrange(10_000_000):07d}"


def dotted(d: date) -> str:
    return f"{d.day:02d}.{d.month:02d}.{d.year}"


def slashed(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def ddmmyyyy(d: date) -> str:
    return f"{d.day:02d}{d.month:02d}{d.year}"


def spelled(d: date, pad: bool) -> str:
    return f"ngày {d.day:02d} tháng {d.month:02d} năm {d.year}" if pad else \
        f"ngày {d.day} tháng {d.month} năm {d.year}"


_DIGIT_WORDS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


def _number_words(n: int) -> str:
    """Vietnamese reading of 1..9999 (for 'ngày sinh ghi bằng chữ')."""
    if n < 10:
        return _DIGIT_WORDS[n]
    if n < 20:
        unit = n % 10
        return "mười" + ("" if unit == 0 else " lăm" if unit == 5 else f" {_DIGIT_WORDS[unit]}")
    if n < 100:
        tens, unit = divmod(n, 10)
        tail = "" if unit == 0 else " mốt" if unit == 1 else " lăm" if unit == 5 else \
            " tư" if unit == 4 else f" {_DIGIT_WORDS[unit]}"
        return f"{_DIGIT_WORDS[tens]} mươi{tail}"
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        if rest == 0:
            return f"{_DIGIT_WORDS[hundreds]} trăm"
        return f"{_DIGIT_WORDS[hundreds]} trăm " + (f"lẻ {_DIGIT_WORDS[rest]}" if rest < 10 else _number_words(rest))
    thousands, rest = divmod(n, 1000)
    head = f"{_DIGIT_WORDS[thousands]} nghìn"
    if rest == 0:
        return head
    if rest < 100:
        return f"{head} không trăm " + (f"lẻ {_DIGIT_WORDS[rest]}" if rest < 10 else _number_words(rest))
    return f"{head} {_number_words(rest)}"


def date_in_words(d: date) -> str:
    """e.g. 'Ngày mười lăm tháng ba năm hai nghìn không trăm mười hai'."""
    month = "tư" if d.month == 4 else _number_words(d.month)
    return f"Ngày {_number_words(d.day)} tháng {month} năm {_number_words(d.year)}"
