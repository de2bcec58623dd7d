"""Fonts the generator draws with, each checked at start-up for the full Vietnamese alphabet.

Why: a font without, say, `Ủ` silently draws a box or drops the tone mark, and every page it touches would
teach OCR and extraction the wrong thing. So a font is used only when its character map holds all vowels
with the five tone marks in both cases plus đ/Đ (checked with fontTools); a role with no usable font stops
the generator with an error naming the fonts and the glyphs they lack.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from PIL import ImageFont

_VOWELS = "aăâeêioôơuưy"
_TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
MRZ_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"


def vietnamese_alphabet() -> str:
    """Every letter of Vietnamese (vowels × tones, both cases, đ/Đ), ASCII letters, digits, punctuation."""
    chars = {unicodedata.normalize("NFC", v + t) for v in _VOWELS for t in _TONES}
    chars |= {c.upper() for c in chars}
    chars |= set("đĐ") | set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    chars |= set(",.:;/()-")
    return "".join(sorted(chars))


class FontCoverageError(RuntimeError):
    """No usable font for a role: every candidate is missing, or lacks Vietnamese glyphs."""


def missing_glyphs(path: Path, alphabet: str | None = None) -> str:
    """The characters of `alphabet` (default: Vietnamese) that the font at `path` has no glyph for."""
    from fontTools.ttLib import TTFont  # fontTools: read the cmap without rendering

    font = TTFont(str(path), fontNumber=0, lazy=True)
    try:
        cmap = font.getBestCmap() or {}
    finally:
        font.close()
    return "".join(c for c in (alphabet or vietnamese_alphabet()) if ord(c) not in cmap)


@dataclass(frozen=True)
class FontChoice:
    name: str   # short stable name, recorded in TruthLine.font
    path: str


_FONT_DIRS = ("/usr/share/fonts", "/usr/share/texmf/fonts", "/usr/local/share/fonts")

# Candidates per role (file names, searched under the font folders). Handwriting-like fonts of Debian
# (Dancing Script, Kristi, Comic Neue) lack ă/đ/ơ/ư and dot-below vowels, so they fail the check; the
# calligraphic TeX Gyre Chorus and italic faces pass and stand in, with per-glyph jitter on top.
CANDIDATES: dict[str, tuple[str, ...]] = {
    "typed": ("NotoSans-Regular.ttf", "NotoSerif-Regular.ttf", "DejaVuSans.ttf", "DejaVuSerif.ttf",
              "FreeSerif.ttf", "FreeSans.ttf", "Roboto-Regular.ttf", "OpenSans-Regular.ttf",
              "texgyretermes-regular.otf", "texgyreheros-regular.otf", "DejaVuSerifCondensed.ttf",
              "texgyrepagella-regular.otf", "FreeMono.ttf"),
    "label": ("NotoSerif-Regular.ttf", "NotoSans-Regular.ttf", "DejaVuSerif.ttf", "DejaVuSans.ttf",
              "texgyretermes-regular.otf", "FreeSerif.ttf", "Roboto-Regular.ttf", "OpenSans-Regular.ttf"),
    "bold": ("NotoSerif-Bold.ttf", "NotoSans-Bold.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSans-Bold.ttf",
             "texgyretermes-bold.otf", "FreeSerifBold.ttf", "Roboto-Bold.ttf", "OpenSans-Bold.ttf"),
    "italic": ("NotoSerif-Italic.ttf", "DejaVuSerif-Italic.ttf", "texgyretermes-italic.otf",
               "FreeSerifItalic.ttf"),
    "hand": ("DancingScript-Regular.otf", "Kristi.ttf", "ComicNeue-Regular.otf",
             "texgyrechorus-mediumitalic.otf", "texgyrepagella-italic.otf", "texgyreschola-italic.otf",
             "FreeSerifItalic.ttf", "NotoSerif-Italic.ttf", "OpenSans-LightItalic.ttf"),
    "mrz": ("DejaVuSansMono.ttf", "FreeMono.ttf", "LiberationMono-Regular.ttf"),
}


@cache
def _font_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for root in _FONT_DIRS:
        base = Path(root)
        if base.is_dir():
            for p in sorted(base.rglob("*")):
                if p.suffix.lower() in (".ttf", ".otf"):
                    index.setdefault(p.name, str(p))
    return index


@cache
def fonts_for(role: str) -> tuple[FontChoice, ...]:
    """The candidates of `role` that exist and pass the coverage check (MRZ fonts: the MRZ alphabet only)."""
    alphabet = MRZ_ALPHABET if role == "mrz" else None
    ok: list[FontChoice] = []
    problems: list[str] = []
    for file_name in CANDIDATES[role]:
        path = _font_index().get(file_name)
        if path is None:
            problems.append(f"{file_name}: không có (not installed)")
            continue
        lacking = missing_glyphs(Path(path), alphabet)
        if lacking:
            problems.append(f"{file_name}: thiếu {len(lacking)} ký tự (missing glyphs) {lacking[:24]}")
            continue
        ok.append(FontChoice(Path(file_name).stem, path))
    if not ok:
        raise FontCoverageError(
            f"Không có phông chữ dùng được cho vai trò '{role}' (no usable font for role '{role}'): "
            + "; ".join(problems)
            + ". Cài fonts-noto-core, fonts-dejavu-core, fonts-texgyre (install these font packages).")
    return tuple(ok)


def check_fonts() -> dict[str, tuple[FontChoice, ...]]:
    """Start-up check of every role; raises FontCoverageError naming what is missing."""
    return {role: fonts_for(role) for role in CANDIDATES}


@lru_cache(maxsize=512)
def load(path: str, size: int) -> ImageFont.FreeTypeFont:
    # BASIC layout: Vietnamese NFC text needs no shaping, and results do not depend on libraqm's version
    return ImageFont.truetype(path, max(4, int(size)), layout_engine=ImageFont.Layout.BASIC)
