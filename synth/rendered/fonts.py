"""Font families of the independent set: none of them is used by synth/ (see synth/fonts.py).

Each family is used by name through fontconfig (Chromium and LibreOffice both ask fontconfig), so a face that
lacks a Vietnamese letter would be silently patched with another font's glyph. Every face we ask for is
therefore checked with fontTools against the 134 precomposed letters read from hunspell-vi; a family whose
regular face fails is dropped, and a family whose bold or italic face fails is used without that face.
Checked on Debian 12 (see README): Caladea, the URW base-35 fonts and Baskervald ADF lack ơ/ư and the
dot-below letters; EB Garamond's bold lacks all of them.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from synth.rendered.sources import vietnamese_letters

FONT_ROOTS = (Path("/usr/share/fonts"),)


@dataclass(frozen=True)
class Family:
    name: str                  # fontconfig family name, as CSS and ODF ask for it
    regular: str               # file names of the faces
    bold: str = ""
    italic: str = ""
    kind: str = "serif"        # serif | sans | mono
    package: str = ""          # Debian package that ships it


FAMILIES = (
    Family("Liberation Serif", "LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf",
           "LiberationSerif-Italic.ttf", "serif", "fonts-liberation2"),
    Family("Liberation Sans", "LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf",
           "LiberationSans-Italic.ttf", "sans", "fonts-liberation2"),
    Family("Carlito", "Carlito-Regular.ttf", "Carlito-Bold.ttf", "Carlito-Italic.ttf", "sans",
           "fonts-crosextra-carlito"),
    Family("Linux Libertine O", "LinLibertine_R.otf", "LinLibertine_RB.otf", "LinLibertine_RI.otf", "serif",
           "fonts-linuxlibertine"),
    Family("Linux Biolinum O", "LinBiolinum_R.otf", "LinBiolinum_RB.otf", "LinBiolinum_RI.otf", "sans",
           "fonts-linuxlibertine"),
    Family("Gentium Plus", "GentiumPlus-Regular.ttf", "GentiumPlus-Bold.ttf", "GentiumPlus-Italic.ttf",
           "serif", "fonts-sil-gentiumplus"),
    Family("Charis SIL", "CharisSIL-Regular.ttf", "CharisSIL-Bold.ttf", "CharisSIL-Italic.ttf", "serif",
           "fonts-sil-charis"),
    Family("Andika", "Andika-Regular.ttf", "Andika-Bold.ttf", "Andika-Italic.ttf", "sans", "fonts-sil-andika"),
    Family("Lato", "Lato-Regular.ttf", "Lato-Bold.ttf", "Lato-Italic.ttf", "sans", "fonts-lato"),
    Family("Inter", "Inter-Regular.otf", "Inter-Bold.otf", "Inter-Italic.otf", "sans", "fonts-inter"),
    Family("Cantarell", "Cantarell-Regular.otf", "Cantarell-Bold.otf", "", "sans", "fonts-cantarell"),
    Family("EB Garamond", "EBGaramond12-Regular.otf", "EBGaramond12-Bold.otf", "EBGaramond12-Italic.otf",
           "serif", "fonts-ebgaramond"),
    Family("Noto Sans Mono", "NotoSansMono-Regular.ttf", "NotoSansMono-Bold.ttf", "", "mono",
           "fonts-noto-mono"),
    # rejected on coverage, kept listed so the check says so in the README table
    Family("Caladea", "Caladea-Regular.ttf", "Caladea-Bold.ttf", "Caladea-Italic.ttf", "serif",
           "fonts-crosextra-caladea"),
)
MRZ_FAMILY = Family("OCR B", "OCRB.otf", kind="mono", package="fonts-ocr-b")  # Latin capitals and digits only


@cache
def _index() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for root in FONT_ROOTS:
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.suffix.lower() in (".ttf", ".otf"):
                    found.setdefault(path.name, path)
    return found


@cache
def lacking(file_name: str, letters: str | None = None) -> str | None:
    """Letters the face has no glyph for ('' when complete); None when the file is not installed."""
    from fontTools.ttLib import TTFont

    path = _index().get(file_name)
    if path is None:
        return None
    font = TTFont(str(path), lazy=True)
    try:
        cmap = font.getBestCmap() or {}
    finally:
        font.close()
    return "".join(c for c in (letters or vietnamese_letters()) if ord(c) not in cmap)


@dataclass(frozen=True)
class Usable:
    name: str
    kind: str
    bold: bool      # the bold face covers Vietnamese (else bold text uses the fallback family)
    italic: bool


@cache
def usable() -> tuple[Usable, ...]:
    """The families whose regular face is installed and covers every Vietnamese letter."""
    out = []
    for fam in FAMILIES:
        if lacking(fam.regular) != "":
            continue
        out.append(Usable(fam.name, fam.kind, bool(fam.bold) and lacking(fam.bold) == "",
                          bool(fam.italic) and lacking(fam.italic) == ""))
    if len(out) < 3:
        raise RuntimeError("Thiếu phông chữ tiếng Việt cho bộ độc lập (too few Vietnamese-complete fonts for "
                           "the rendered set): cài (install) " + " ".join(sorted({f.package for f in FAMILIES})))
    return tuple(out)


def coverage_table() -> list[tuple[str, str, str]]:
    """(family, face file, 'ok' | 'missing N letters' | 'not installed') for the README and the tests."""
    rows = []
    for fam in FAMILIES + (MRZ_FAMILY,):
        for face in (fam.regular, fam.bold, fam.italic):
            if not face:
                continue
            gap = lacking(face, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<" if fam is MRZ_FAMILY else None)
            rows.append((fam.name, face, "not installed" if gap is None else "ok" if not gap
                         else f"missing {len(gap)} letters"))
    return rows


def body_families(kind: str | None = None) -> tuple[Usable, ...]:
    fams = tuple(f for f in usable() if f.kind != "mono" and (kind is None or f.kind == kind))
    return fams or tuple(f for f in usable() if f.kind != "mono")


def bold_families() -> tuple[Usable, ...]:
    return tuple(f for f in usable() if f.bold and f.kind != "mono")


def mono_family() -> str:
    monos = [f.name for f in usable() if f.kind == "mono"]
    return monos[0] if monos else body_families()[0].name


def mrz_family() -> str:
    """OCR-B when installed (what real MRZs are printed in), else a Vietnamese-complete monospace."""
    return MRZ_FAMILY.name if lacking(MRZ_FAMILY.regular, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<") == "" \
        else mono_family()
