"""Accent-insensitive text helpers shared by classification, label search and normalisers.

Why fold: OCR gets Vietnamese tone marks wrong far more often than base letters, so printed labels are
compared without diacritics ("Ngảy sinh" is still "ngay sinh"). `fold_keep` preserves string length so
a regex span on the folded text is the same span on the original.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from common.text import nfc

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def fold_char(ch: str) -> str:
    """One character to its lowercase base letter without diacritics (đ -> d); length 1 in, 1 out."""
    if ch in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", ch)[:1] or ch
    return base.lower()[:1] or ch


def fold_keep(text: str) -> str:
    """Lowercase, no diacritics, same length as the NFC input (punctuation kept)."""
    return "".join(fold_char(c) for c in nfc(text))


def fold(text: str) -> str:
    """Lowercase, no diacritics, punctuation as spaces, spaces collapsed: the form labels are compared in."""
    return " ".join(_TOKEN.findall(fold_keep(text)))


def strip_accents(text: str) -> str:
    """Keep case, drop diacritics (Đ -> D): how names appear in an MRZ."""
    out = []
    for ch in nfc(text):
        if ch == "đ":
            out.append("d")
        elif ch == "Đ":
            out.append("D")
        else:
            out.append(unicodedata.normalize("NFD", ch)[:1] or ch)
    return "".join(out)


@dataclass(frozen=True)
class Token:
    """An alphanumeric run inside one OCR word: `word` indexes the word list, `start`/`end` the characters
    of the word's text, `folded` the comparison form."""
    word: int
    start: int
    end: int
    folded: str
    lower: str = ""  # the run in lower case with its diacritics


def tokenize_words(texts: list[str]) -> list[Token]:
    """Split each word's text into alphanumeric runs ("Số/No.:" -> so, no), remembering where each run is."""
    tokens: list[Token] = []
    for i, text in enumerate(texts):
        text = nfc(text)
        folded = fold_keep(text)
        for m in _TOKEN.finditer(folded):
            tokens.append(Token(i, m.start(), m.end(), m.group(0), text[m.start():m.end()].lower()))
    return tokens


@cache
def bare_syllables() -> frozenset[str]:
    """Vietnamese syllables without any marks ("nguyen", "thuy"): how the MRZ writes names. Empty when the
    OCR stage's syllable table (ocr.vietnamese) is not installed."""
    try:
        from ocr.vietnamese import syllables
    except ImportError:
        return frozenset()
    return frozenset(fold(s) for s in syllables())
