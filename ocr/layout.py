"""Which page segmentation a page gets. Callers may give a LAYOUT HINT from a small closed vocabulary
(document types map to it in their profiles; OCR knows no document-type names):

  "card"  a photo, an emblem and label/value columns side by side (ID cards): Tesseract's layout analysis
          (psm 3) finds the blocks; psm 6 would run a label column, the photo and a value column together.
  "form"  one column of "label: value" rows, leaders possible (register pages): one uniform block (psm 6)
          resists the specks of a photocopy that psm 3's layout analysis turns into stray blocks.
  "page"  anything else (headings, paragraphs, columns, tables): psm 3.
  "line"  one text line (a field crop): psm 7.
  None    no hint: decided from the image alone.

A card-shaped image (ISO ID-1, landscape, aspect ≈ 1.59) is read as a card whatever the hint, so a card
dropped in the wrong folder is still read as a card. Whatever was chosen, `OcrEngine.read_page` falls back
to psm 6 when psm 3's layout analysis found (almost) nothing on a page with ink (`layout_collapsed`).
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ocr.geometry import Geometry

AUTO_LAYOUT = 3   # Tesseract's layout analysis: columns, photos, headings
UNIFORM_BLOCK = 6  # one uniform block of text lines
SINGLE_LINE = 7    # one text line

CARD, FORM, PAGE, LINE = "card", "form", "page", "line"
LAYOUTS = (CARD, FORM, PAGE, LINE)

CARD_ASPECT = 85.6 / 54.0  # ISO/IEC 7810 ID-1, 1.585
CARD_ASPECT_RANGE = (1.45, 1.75)  # crop margins and perspective move it a little; landscape A4 is 1.414


def check_layout(layout: str | None) -> str | None:
    """The hint itself, or a ValueError naming the vocabulary (a typo must not silently mean "no hint")."""
    if layout is not None and layout not in LAYOUTS:
        raise ValueError(f"gợi ý bố cục không hợp lệ (unknown layout hint) {layout!r}; "
                         f"known: {', '.join(LAYOUTS)} or none")
    return layout


def looks_like_card(page_shape: tuple[int, ...]) -> bool:
    """Landscape with an ID-1 aspect ratio (A4 is portrait √2; a rotated A4 is 1.41 — outside tolerance)."""
    height, width = page_shape[:2]
    if height <= 0 or width <= height:
        return False
    low, high = CARD_ASPECT_RANGE
    return low <= width / height <= high


def choose_psm(page_shape: tuple[int, ...], layout: str | None = None) -> int:
    """The page segmentation mode for a full page of this shape and (optional) layout hint."""
    layout = check_layout(layout)
    if layout == LINE:
        return SINGLE_LINE
    if looks_like_card(page_shape):
        return AUTO_LAYOUT
    if layout == FORM:
        return UNIFORM_BLOCK
    return AUTO_LAYOUT


MIN_WORDS = 3
MIN_MEAN_CONFIDENCE = 0.5


def layout_collapsed(word_confidences: list[float]) -> bool:
    """psm 3 on a page with ink that returns (almost) no words, or words Tesseract itself doubts, has
    collapsed: its layout analysis took the text for noise or pictures (tilted or speckled pages)."""
    if len(word_confidences) < MIN_WORDS:
        return True
    return sum(word_confidences) / len(word_confidences) < MIN_MEAN_CONFIDENCE


# ------------------------------------------------------------------------------------- the reading plan

# Letter height (median letter-blob height, ocr.geometry) under which Tesseract's LSTM reads worse, and the
# height the working copy is enlarged to. Measured with `sohoa bench ocr --set own` (seed 11, 4 pages per
# class; 20 line and 20 word crops, seed 5), strict / tolerant CER:
#   no enlarging:        screenshot 3.48/3.34 %, lowres_scan 6.26/3.47 %, line crops 6.83 %
#   under 12 px to 18:   screenshot 1.38/1.27 %, lowres_scan 2.07/2.18 %, line crops 4.14 %
#   under 12 px to 30:   screenshot 1.46/1.35 %, lowres_scan 5.57/6.37 %
#   under 16 px to 24:   screenshot 3.93/1.94 %, lowres_scan 3.69/4.55 %, line crops 3.52 %
# Pages: under 12 px to 18; single lines (crops): under 16 px to 24.
MIN_LETTER_PX = 12.0
TARGET_LETTER_PX = 18.0
MIN_LINE_LETTER_PX = 16.0
TARGET_LINE_LETTER_PX = 24.0
MAX_LETTER_PX = 80.0          # huge letters (a photo close up, a poster) are read from a copy ...
REDUCED_LETTER_PX = 40.0      # ... reduced to this (not measured finely: rare in this work)
MAX_UPSCALE = 4.0
MAX_WORK_PIXELS = 40_000_000  # a 600-dpi A4 page is 35 MP; larger inputs are read from a reduced copy
SMALL_IMAGE = 400             # px: an image this small with no measurable letters is one short line or word


@dataclass
class ReadingPlan:
    """How to read one image: the segmentation, and the working copy Tesseract gets."""
    kind: str           # "line", "block" (a few lines), "page"
    psm: int
    scale: float = 1.0  # working copy / source
    pad: int = 0        # white border around the working copy (Tesseract misreads ink touching the edge)
    invert: bool = False
    reread: bool = True  # re-read doubtful lines alone afterwards (pages and blocks)
    alternative: int | None = None  # a second psm to read with; the surer reading is kept (small crops)

    def apply(self, image: np.ndarray) -> tuple[np.ndarray, tuple[int, int], float]:
        """(working copy, where the source's (0, 0) lands in it, scale)."""
        work = 255 - image if self.invert else image
        if self.scale != 1.0:
            h, w = work.shape[:2]
            size = (max(1, round(w * self.scale)), max(1, round(h * self.scale)))
            work = cv2.resize(work, size, interpolation=cv2.INTER_CUBIC if self.scale > 1 else cv2.INTER_AREA)
        if self.pad:
            spec = ((self.pad, self.pad), (self.pad, self.pad)) + (((0, 0),) if work.ndim == 3 else ())
            work = np.pad(work, spec, constant_values=255)
        return np.ascontiguousarray(work), (self.pad, self.pad), self.scale


def input_kind(geo: Geometry, layout: str | None) -> str:
    """"line", "block" or "page" from what the image measures. A layout hint (a whole document's layout)
    still lets a one-line image be read as a line; "a few lines" is only decided without a hint."""
    if layout == LINE:
        return "line"
    if geo.letter_px == 0:
        return "line" if max(geo.height, geo.width) <= SMALL_IMAGE else "page"
    if geo.line_count <= 1 and geo.text_height_lines <= 3:
        return "line"
    if (layout is None and geo.line_count <= 6 and geo.text_height_lines <= 15
            and not looks_like_card((geo.height, geo.width))):  # a card's few bands hide label/photo columns
        return "block"
    return "page"


def plan_reading(geo: Geometry, layout: str | None = None, psm: int | None = None) -> ReadingPlan:
    """The reading plan for an image of this geometry, layout hint and (optional) forced psm."""
    kind = input_kind(geo, layout)
    if psm is None:
        psm = {"line": SINGLE_LINE, "block": UNIFORM_BLOCK}.get(kind) or choose_psm((geo.height, geo.width), layout)
    scale = 1.0
    # too few blobs to measure (a short word): in a crop of one line the letters are about half its height
    low, target = (MIN_LINE_LETTER_PX, TARGET_LINE_LETTER_PX) if kind == "line" else (MIN_LETTER_PX, TARGET_LETTER_PX)
    letter_px = geo.letter_px or (0.5 * geo.height if kind == "line" and geo.height < 4 * low else 0.0)
    if letter_px and letter_px < low:
        scale = min(MAX_UPSCALE, target / letter_px)
    elif geo.letter_px > MAX_LETTER_PX:
        scale = REDUCED_LETTER_PX / geo.letter_px
    pixels = geo.height * geo.width * scale * scale
    if pixels > MAX_WORK_PIXELS:
        scale *= (MAX_WORK_PIXELS / pixels) ** 0.5
    letter = (geo.letter_px or min(geo.height, geo.width)) * scale
    pad = 0 if kind == "page" else max(10, round(0.5 * letter))
    alternative = None
    if layout is None and kind in ("line", "block") and geo.line_count <= 3:
        alternative = UNIFORM_BLOCK if psm == SINGLE_LINE else SINGLE_LINE if psm == UNIFORM_BLOCK else None
    return ReadingPlan(kind, psm, scale, pad, geo.dark_background, reread=kind != "line", alternative=alternative)
