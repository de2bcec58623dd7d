"""Legacy headers -> BTP template keys: the mapping file first, then an accent-insensitive fuzzy guess.

Why both: the mapping file (profiles/legacy/misa_<type>.toml) holds the spellings seen so far, but every
commune retyped its headers a little differently ("Ngày\\nđăng ký", "NGAY DANG KY", "so dk"). Headers are
folded (no accents, case, punctuation or line breaks) before comparing; a header not in the file is
compared with rapidfuzz against the template keys read as words ("meNgaySinh" -> "me ngay sinh"), the
mapping aliases and the extraction profile's printed labels. Each key is given to at most one column,
best score first, and every guess is reported so a person can confirm it.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz

from common.paths import profiles_dir
from common.text import nfc
from export.legacy.problems import LegacyImportError
from extract.textutil import fold

# words that say whose field a label is, so a bare profile label ("Dân tộc") can name one person's key
PERSON_WORDS = {"nks": "người được khai sinh", "me": "mẹ", "cha": "cha", "nyc": "người đi khai",
                "nkt": "người chết", "chong": "chồng", "vo": "vợ", "gbt": "giấy báo tử", "nxn": "người xác nhận",
                "cm": "cha mẹ", "nc": "người con"}


@dataclass
class LegacyMapping:
    doc_type: str
    columns: dict[str, list[str]]            # template key -> header spellings
    sheets: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    min_score: float = 86.0
    source: Path | None = None

    def __post_init__(self) -> None:
        self.exact: dict[str, str] = {}
        for key, aliases in self.columns.items():
            for alias in [key, *aliases]:
                self.exact.setdefault(fold(alias), key)
        self.ignored = {fold(h) for h in self.ignore}


def default_mapping_path(doc_type: str) -> Path:
    return profiles_dir() / "legacy" / f"misa_{doc_type.lower()}.toml"


def load_mapping(path: Path | None = None, doc_type: str | None = None) -> LegacyMapping:
    """Read a mapping file (default: the shipped MISA map for the type). Errors name the file."""
    if path is None:
        if doc_type is None:
            raise LegacyImportError("cần --map hoặc --type (a mapping file or a book type is needed)")
        path = default_mapping_path(doc_type)
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError as exc:
        raise LegacyImportError(f"không tìm thấy tệp ánh xạ cột (mapping file not found): {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise LegacyImportError(f"{path}: TOML lỗi (invalid TOML): {exc}") from exc
    columns = data.get("columns")
    if not isinstance(columns, dict) or not all(isinstance(v, list) for v in columns.values()):
        raise LegacyImportError(f"{path}: cần bảng [columns] khóa = [tiêu đề…] "
                                f"(needs a [columns] table of key = [header spellings])")
    kind = str(data.get("type", doc_type or "")).upper()
    if doc_type and kind and kind != doc_type.upper():
        raise LegacyImportError(f"{path}: tệp ánh xạ dành cho {kind}, không phải {doc_type.upper()} "
                                f"(mapping is for {kind}, not {doc_type.upper()})")
    return LegacyMapping(doc_type=kind or (doc_type or "").upper(),
                         columns={k: [nfc(str(a)) for a in v] for k, v in columns.items()},
                         sheets=[nfc(str(s)) for s in data.get("sheets", [])],
                         ignore=[nfc(str(s)) for s in data.get("ignore", [])],
                         min_score=float(data.get("min_score", 86)), source=path)


def key_words(key: str) -> str:
    """'meNgaySinh' -> 'me ngay sinh': a template key read as the words it abbreviates."""
    return fold(re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", key))


def _person_word(key: str) -> str:
    for prefix in sorted(PERSON_WORDS, key=len, reverse=True):
        if key.startswith(prefix) and key[len(prefix):][:1].isupper():
            return PERSON_WORDS[prefix]
    return ""


def guess_candidates(mapping: LegacyMapping, template_keys: list[str], labels: dict[str, list[str]]
                     ) -> list[tuple[str, str]]:
    """(folded text, key) pairs a header is fuzzy-compared with. A profile label shared by several keys
    is given its person word ("Dân tộc" -> "Dân tộc mẹ"), otherwise it would name any of them."""
    out: list[tuple[str, str]] = []
    for key in template_keys:
        out.append((key_words(key), key))
    for key, aliases in mapping.columns.items():
        out += [(fold(a), key) for a in aliases]
    counts: dict[str, int] = {}
    for ls in labels.values():
        for label in ls:
            counts[fold(label)] = counts.get(fold(label), 0) + 1
    for key, ls in labels.items():
        person = _person_word(key)
        for label in ls:
            folded = fold(label)
            if counts[folded] == 1:
                out.append((folded, key))
            elif person and fold(person) not in folded:
                out.append((f"{folded} {fold(person)}", key))
    return [(text, key) for text, key in out if text]


@dataclass
class ColumnMatch:
    column: int          # 1-based sheet column
    header: str          # the header as written (NFC, line breaks kept)
    key: str | None
    how: str             # "mapping" | "guess" | "ignored" | "unmapped" | "duplicate"
    score: float = 0.0


def score_header(folded: str, candidates: list[tuple[str, str]]) -> tuple[str | None, float]:
    best: tuple[str | None, float] = (None, 0.0)
    for text, key in candidates:
        s = max(fuzz.token_sort_ratio(folded, text), fuzz.ratio(folded, text))
        if s > best[1]:
            best = (key, s)
    return best


def match_headers(headers: dict[int, str], mapping: LegacyMapping, template_keys: list[str],
                  labels: dict[str, list[str]] | None = None) -> list[ColumnMatch]:
    """One ColumnMatch per non-empty header. Exact (folded) mapping spellings win; then guesses, best
    first, each key used once. A header may carry a note after a line break ("loaiDangKy\\ni=[1,…]"):
    its first line is tried too."""
    allowed = set(template_keys)
    candidates = [(t, k) for t, k in guess_candidates(mapping, template_keys, labels or {}) if k in allowed]
    matches: dict[int, ColumnMatch] = {}
    taken: set[str] = set()
    pending: list[tuple[float, int, str]] = []
    for col, header in sorted(headers.items()):
        forms = [fold(header)]
        first_line = header.strip().split("\n")[0]
        if fold(first_line) != forms[0]:
            forms.append(fold(first_line))
        exact = next((mapping.exact[f] for f in forms if f in mapping.exact and mapping.exact[f] in allowed), None)
        if exact is None:
            exact = next((k for f in forms for k in template_keys if f == fold(k)), None)
        if exact is not None and exact not in taken:
            matches[col] = ColumnMatch(col, header, exact, "mapping", 100.0)
            taken.add(exact)
            continue
        if exact is not None:
            matches[col] = ColumnMatch(col, header, None, "duplicate", 100.0)
            continue
        if any(f in mapping.ignored for f in forms):
            matches[col] = ColumnMatch(col, header, None, "ignored")
            continue
        for f in forms:
            key, score = score_header(f, candidates)
            if key is not None and score >= mapping.min_score:
                pending.append((score, col, key))
        matches[col] = ColumnMatch(col, header, None, "unmapped")
    for score, col, key in sorted(pending, key=lambda t: (-t[0], t[1])):
        if key in taken or matches[col].key is not None:
            continue
        matches[col] = ColumnMatch(col, headers[col], key, "guess", round(score, 1))
        taken.add(key)
    return [matches[c] for c in sorted(matches)]
