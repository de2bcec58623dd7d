"""One live Tesseract per worker process: page and region OCR -> words with boxes, lines, confidences.

Why one engine per process: loading the Vietnamese models takes ~0.3 s and ~100 MB; a worker that keeps
its engine pays that once. tesserocr (in-process libtesseract 5.5) is preferred; pytesseract (a
subprocess of the system's tesseract 5.3 per call) is the fallback when tesserocr is missing or cannot
initialise. Both give the same `OcrPage` structure: lines in Tesseract's own reading order (its
block → paragraph → line → word iterators), word boxes in page pixels, confidence 0..1, and the Vietnamese
text layer applied to each word (`raw_text` keeps what Tesseract said).
"""
from __future__ import annotations

import logging
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path

os.environ["OMP_THREAD_LIMIT"] = "1"  # before libtesseract loads: 2 cores shared by many workers

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from common.paths import tessdata_dir  # noqa: E402
from ocr.geometry import measure  # noqa: E402
from ocr.layout import AUTO_LAYOUT, UNIFORM_BLOCK, check_layout, layout_collapsed, plan_reading  # noqa: E402
from ocr.leaders import remove_leaders  # noqa: E402
from ocr.order import rows_across_blocks  # noqa: E402
from ocr.types import Box, Line, OcrPage, Word  # noqa: E402
from ocr.vietnamese import apply_line_layer, is_valid_syllable  # noqa: E402

log = logging.getLogger(__name__)

LANG_ALIASES = {"vie": "vie", "vietnamese": "Vietnamese", "eng": "eng"}
DEFAULT_DPI = 300
REGION_BORDER = 10  # white margin added around a cropped region: Tesseract misreads ink touching the edge


@dataclass
class RawWord:
    """One word as a backend reports it, before the text layer: line_no groups words into lines."""
    text: str
    box: Box
    confidence: float  # 0..1
    line_no: int
    block_no: int = 0  # Tesseract's layout block (psm 3 finds several; psm 6 and 7 one)


def normalise_lang(lang: str) -> str:
    """"vie", "Vietnamese", "vie+Vietnamese" (any case) -> Tesseract's spelling; unknown models raise."""
    parts = []
    for part in lang.split("+"):
        name = LANG_ALIASES.get(part.strip().lower())
        if name is None:
            raise ValueError(f"mô hình OCR không hỗ trợ (unsupported OCR model): {part!r}")
        parts.append(name)
    return "+".join(parts)


def as_uint8(image: np.ndarray) -> np.ndarray:
    """Any decodable pixel array -> grey (H, W) or RGB (H, W, 3) uint8: booleans, 16-bit and float images
    are rescaled, alpha is laid on white paper (a transparent PNG's text is not on black), a single or
    two-channel (grey + alpha) image becomes grey. Raises TypeError/ValueError with the reason otherwise."""
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[2] in (2, 4):  # grey+alpha / RGBA: composite on white
        alpha = image[..., -1:].astype(np.float32)
        top = float(np.iinfo(image.dtype).max) if np.issubdtype(image.dtype, np.integer) else 1.0
        colour = image[..., :-1].astype(np.float32)
        image = colour * (alpha / top) + top * (1.0 - alpha / top)
        image = image.astype(np.float32) if top == 1.0 else np.clip(np.rint(image), 0, top).astype(
            np.uint16 if top > 255 else np.uint8)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[..., 0]
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] != 3):
        raise ValueError(f"ảnh phải là (H, W) hoặc (H, W, 3) (OCR needs a (H, W) or (H, W, 3) image), "
                         f"got shape {image.shape}")
    if image.dtype == bool:
        image = image.astype(np.uint8) * 255
    elif image.dtype != np.uint8:
        if not (np.issubdtype(image.dtype, np.integer) or np.issubdtype(image.dtype, np.floating)):
            raise TypeError(f"kiểu điểm ảnh không hỗ trợ (unsupported pixel type) {image.dtype}")
        values = np.nan_to_num(image.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
        if np.issubdtype(image.dtype, np.floating):
            top = 1.0 if values.size and values.max() <= 1.0 else 255.0
        else:
            top = 65535.0 if values.size and values.max() > 255 else 255.0
        image = np.clip(np.rint(values * (255.0 / top)), 0, 255).astype(np.uint8)
    return np.ascontiguousarray(image)


_as_uint8 = as_uint8


class TesserocrBackend:
    """libtesseract in-process through tesserocr; one PyTessBaseAPI reused for every call."""
    name = "tesserocr"

    def __init__(self, lang: str, psm: int):
        import tesserocr  # imported here so OMP_THREAD_LIMIT is already set

        self._tesserocr = tesserocr
        self.api = tesserocr.PyTessBaseAPI(path=tessdata_dir() or "", lang=lang, psm=psm,
                                           oem=tesserocr.OEM.LSTM_ONLY)

    def recognise(self, image: np.ndarray, psm: int, dpi: float, whitelist: str | None) -> list[RawWord]:
        tesserocr = self._tesserocr
        api = self.api
        h, w = image.shape[:2]
        bpp = 1 if image.ndim == 2 else 3
        api.SetPageSegMode(psm)
        api.SetVariable("tessedit_char_whitelist", whitelist or "")
        api.SetImageBytes(image.tobytes(), w, h, bpp, w * bpp)
        api.SetSourceResolution(int(round(dpi)))
        try:
            api.Recognize()
            words: list[RawWord] = []
            iterator = api.GetIterator()
            if iterator is None:
                return words
            line_no = -1
            block_no = -1
            level = tesserocr.RIL.WORD
            for r in tesserocr.iterate_level(iterator, level):
                if r.IsAtBeginningOf(tesserocr.RIL.BLOCK) or block_no < 0:
                    block_no += 1
                if r.IsAtBeginningOf(tesserocr.RIL.TEXTLINE) or line_no < 0:
                    line_no += 1
                text = r.GetUTF8Text(level)
                box = r.BoundingBox(level)
                if not text or not text.strip() or box is None:
                    continue
                words.append(RawWord(text.strip(), tuple(box), r.Confidence(level) / 100.0, line_no, block_no))
            return words
        except RuntimeError:  # tesserocr raises on a page with no text at all
            return []
        finally:
            api.Clear()
            if whitelist:
                api.SetVariable("tessedit_char_whitelist", "")

    def close(self) -> None:
        self.api.End()


class PytesseractBackend:
    """The system's tesseract binary through pytesseract: a subprocess per call, same output structure."""
    name = "pytesseract"

    def __init__(self, lang: str, psm: int):
        import pytesseract

        self._pt = pytesseract
        self.lang = lang
        pytesseract.get_tesseract_version()  # fail now, not on the first page, if the binary is missing

    def recognise(self, image: np.ndarray, psm: int, dpi: float, whitelist: str | None) -> list[RawWord]:
        from PIL import Image

        config = f"--oem 1 --psm {psm} --dpi {int(round(dpi))}"
        folder = tessdata_dir()
        if folder:
            config += f' --tessdata-dir "{folder}"'
        if whitelist:
            config += f" -c tessedit_char_whitelist={whitelist}"
        data = self._pt.image_to_data(Image.fromarray(image), lang=self.lang, config=config,
                                      output_type=self._pt.Output.DICT)
        words: list[RawWord] = []
        line_ids: dict[tuple[int, int, int], int] = {}
        for i, text in enumerate(data["text"]):
            if int(data["level"][i]) != 5 or not str(text).strip():
                continue
            key = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
            line_no = line_ids.setdefault(key, len(line_ids))
            x, y, bw, bh = (int(data[k][i]) for k in ("left", "top", "width", "height"))
            conf = max(0.0, float(data["conf"][i])) / 100.0
            words.append(RawWord(str(text).strip(), (x, y, x + bw, y + bh), conf, line_no, int(data["block_num"][i])))
        return words

    def close(self) -> None:
        pass


SPECK_CONFIDENCE = 0.5
SPECK_SIZE = 0.12  # of the line's median letter-word height
# Glyphs Tesseract makes of ruling lines, photo and card borders and toner specks; never a printed word of
# their own in these documents (real punctuation such as "-" "/" ":" "(" is not in this set).
NOISE_GLYPHS = frozenset("|¦¬ˆ`~_^\\¯˜«»")


def drop_specks(words: list[RawWord]) -> list[RawWord]:
    """Drop punctuation-only "words" that are paper noise: Tesseract (psm 6 especially) reads specks of a
    photocopy as ":" "." "-". Kept when confident and of a plausible size (the "-" of a heading)."""
    heights = sorted(w.box[3] - w.box[1] for w in words if any(c.isalnum() for c in w.text))
    median = heights[len(heights) // 2] if heights else 0
    out = []
    for w in words:
        if set(w.text) <= NOISE_GLYPHS:
            continue
        if not any(c.isalnum() for c in w.text):
            size = max(w.box[2] - w.box[0], w.box[3] - w.box[1])
            if w.confidence < SPECK_CONFIDENCE or (median and size < SPECK_SIZE * median):
                continue
        out.append(w)
    return out


def _has_ink(image: np.ndarray) -> bool:
    return bool((image < 128).any())


def _has_contrast(image: np.ndarray) -> bool:
    """Something to read: ink darker than the paper, or light text on a dark ground. A flat image (blank,
    all black) has nothing, and Tesseract invents "_" or "." on it."""
    return int(image.max()) - int(image.min()) >= 40


def _to_source(rw: RawWord, origin: tuple[int, int], scale: float) -> RawWord:
    """A word box from the (padded, rescaled) working copy back into the caller's image pixels."""
    ox, oy = origin
    x0, y0, x1, y1 = rw.box
    box = (int((x0 - ox) / scale), int((y0 - oy) / scale), int(np.ceil((x1 - ox) / scale)),
           int(np.ceil((y1 - oy) / scale)))
    return RawWord(rw.text, box, rw.confidence, rw.line_no, rw.block_no)


def _evidence(words: list[RawWord]) -> float:
    """How much text a reading confidently found: alphanumeric characters weighted by word confidence."""
    return sum(w.confidence * sum(c.isalnum() for c in w.text) for w in words)


# A crop of one to three lines is read as one line (psm 7) and as a block (psm 6); the other reading wins only
# when its length-weighted confidence is this much higher. Measured on the own benchmark's line and word
# crops (bench/ocr_classes.py, seed 11): loose crops hold slivers of the neighbouring lines, which psm 6
# reads as extra lines of low confidence.
CROP_MARGIN = 0.02


def _raw_confidence(words: list[RawWord]) -> float:
    chars = sum(len(w.text) for w in words)
    return sum(w.confidence * len(w.text) for w in words) / chars if chars else 0.0


def _mean_confidence(words: list[Word]) -> float:
    """Word confidence weighted by length: one doubtful letter in a short word weighs little."""
    chars = sum(len(w.text) for w in words)
    return sum(w.confidence * len(w.text) for w in words) / chars if chars else 0.0


def _union(boxes: list[Box]) -> Box:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


# Measured with `sohoa bench ocr` on two seeds (2026-11): re-reading lines with a word under 0.8 and keeping
# the re-read when its mean confidence is 0.05 higher lowered printed CER on every kind on both seeds.
REREAD_BELOW = 0.8
REREAD_MARGIN = 0.05

# Tone marks above capitals and stacked marks (Ẩ, Ễ, ậ, ề) stand apart from their letters, and Tesseract's word
# and line boxes often leave them out (a heading "GIẤY" boxed from the top of its G, "Ễ" boxed from its
# circumflex); a mark line of their own ("x~ v z 2") can even appear above the letters. A line crop cut from
# such a box reads "GIAY", "NGUYÊN". So a line is re-read from a crop reaching MARKS_ABOVE of its box height
# above the box and MARKS_BELOW under it (the dot below), never into a neighbouring line's box; and it is
# re-read whatever its confidence when ink sits in that band above it that no other line owns (its marks
# were cut off), or a mark line sits on it.
MARKS_ABOVE = 0.5
MARKS_BELOW = 0.25
LINE_PAD = 0.15          # of the line height, left and right of a line crop (ink overhanging the word boxes)
MARK_LINE_HEIGHT = 0.6   # a "line" at most this tall (of the line under it) ...
MARK_LINE_GAP = 0.3      # ... and at most this far above it is that line's marks read as a line of their own
MARK_WORD_CHARS = 2      # ... when none of its "words" has more letters or digits than this
CUT_MARKS_INK = 0.01     # ink in the band above (of h^2, h the line height) that says the marks were cut off
CUT_MARKS_MARGIN = 0.05  # such a re-read with the same letters and more marks is kept unless this much less sure
REREAD_PSM = 7


def _overlap_x(a: Box, b: Box) -> int:
    return min(a[2], b[2]) - max(a[0], b[0])


def mark_lines(lines: list[Line]) -> dict[int, int]:
    """{index of a mark line: index of the line whose marks it holds}: a short band of one- and two-character
    "words" just above a taller line, within that line's width (Tesseract made a line of the marks above a
    heading's capitals). A line of small real words is never one: it must not be dropped."""
    out: dict[int, int] = {}
    for i, ln in enumerate(lines):
        if any(sum(c.isalnum() for c in w.text) > MARK_WORD_CHARS for w in ln.words):
            continue
        x0, y0, x1, y1 = ln.box
        best = None
        for j, other in enumerate(lines):
            if j == i:
                continue
            oy0, oy1 = other.box[1], other.box[3]
            oh = oy1 - oy0
            if (y1 - y0 <= MARK_LINE_HEIGHT * oh and y0 < oy0 and oy0 - y1 <= MARK_LINE_GAP * oh
                    and _overlap_x(ln.box, other.box) >= 0.8 * (x1 - x0)
                    and (best is None or oy0 < lines[best].box[1])):
                best = j
        if best is not None:
            out[i] = best
    return out


def line_crop_box(box: Box, others: list[Box], height: int, width: int) -> Box:
    """The crop that holds a line's marks: its box reaching MARKS_ABOVE of its height above and MARKS_BELOW
    below (LINE_PAD left and right), stopped at the boxes of the lines above and below it."""
    x0, y0, x1, y1 = box
    h = max(1, y1 - y0)
    top, bottom = y0 - MARKS_ABOVE * h, y1 + MARKS_BELOW * h
    for o in others:
        if _overlap_x(box, o) <= 0:
            continue
        if o[3] <= y0 + 0.25 * h and o[1] < y0:  # above
            top = max(top, o[3] + 1)
        elif o[1] >= y1 - 0.25 * h and o[3] > y1:  # below
            bottom = min(bottom, o[1] - 1)
    pad = LINE_PAD * h
    return (max(0, int(x0 - pad)), max(0, int(min(y0, top))), min(width, int(np.ceil(x1 + pad))),
            min(height, int(np.ceil(max(y1, bottom)))))


def _bare(text: str) -> tuple[str, int]:
    """(the text without its marks above and below, how many marks it had): "GIẤY" -> ("GIAY", 2)."""
    parts = unicodedata.normalize("NFD", text)
    bare = "".join(c for c in parts if not unicodedata.combining(c))
    return bare, len(parts) - len(bare)


def _core_box(line: Line) -> Box:
    """A line's box by its words' median top and bottom: a word that took in a neighbour's marks (Tesseract
    gives the marks above one line to the line over it) does not stretch it."""
    tops = sorted(w.box[1] for w in line.words)
    bottoms = sorted(w.box[3] for w in line.words)
    return (line.box[0], tops[len(tops) // 2], line.box[2], bottoms[(len(bottoms) - 1) // 2])


# Tesseract's second Vietnamese model (the `Vietnamese` script model) reads some lines the `vie` model
# stumbles on. Whole pages with "vie+Vietnamese" read worse on the own tuning pages (seed 11, 8 per class:
# 2.84 -> 3.12 % CER, clean pages 2.29 -> 2.66 %) at about twice the time; asked only about the lines being
# re-read whose `vie` re-read is unsure, the likelier of the two re-reads (confidence plus a bonus for real
# syllables) lowered it to 2.76 % for 2 % more OCR time (asking on every re-read: 2.75 % for 14 %).
SECOND_MODEL = "Vietnamese"
SECOND_BELOW = 0.9   # a `vie` re-read of this mean confidence or more is not put to the second model
VALID_WEIGHT = 0.1   # bonus for the share of words that are Vietnamese syllables (0, 0.1, 0.3 measured alike)


def _line_score(line: Line) -> float:
    """Confidence plus a bonus for the share of letter words that are Vietnamese syllables."""
    words = [w.text.strip(".,:;()-/'\"“”") for w in line.words]
    words = [w for w in words if w and w.isalpha()]
    valid = sum(is_valid_syllable(w) for w in words) / len(words) if words else 0.0
    return _mean_confidence(line.words) + VALID_WEIGHT * valid


def _ink_above(grey: np.ndarray, box: Box, crop: Box) -> bool:
    """Marks its box left out: blobs of ink in the band between a line's crop top and its box top. Blobs
    reaching the band's top edge are the line above's descenders, not this line's marks."""
    x0, y0, x1, _ = box
    band = grey[crop[1]:y0, x0:x1]
    if band.size == 0:
        return False
    h = max(1, box[3] - box[1])
    n, _, stats, _ = cv2.connectedComponentsWithStats((band < 128).astype(np.uint8), connectivity=8)
    if n <= 1:
        return False
    inside = stats[1:, cv2.CC_STAT_TOP] > 0
    return int(stats[1:, cv2.CC_STAT_AREA][inside].sum()) >= CUT_MARKS_INK * h * h


class OcrEngine:
    """Vietnamese OCR with one Tesseract kept alive. `lang`: "vie", "Vietnamese" or "vie+Vietnamese";
    `psm`: default page segmentation for full pages (6 = one uniform block: robust on noisy forms, where
    psm 3's layout analysis collapses); `correct`: the Vietnamese corrector on/off (normalisation always
    runs); `backend`: "auto" (tesserocr, else pytesseract), "tesserocr" or "pytesseract"; `reread`:
    full-page lines holding a doubtful word are read again alone (see `_reread_line`)."""

    leaders = True  # leader lines and rules removed before recognition (ocr/leaders.py)

    def __init__(self, lang: str = "vie", psm: int = 6, *, correct: bool = True, backend: str = "auto",
                 dpi: float = DEFAULT_DPI, reread: bool = True):
        self.lang = normalise_lang(lang)
        self.reread = reread
        self.psm = psm
        self.correct = correct
        self.dpi = dpi
        self.backend = self._open_backend(backend)

    def _open_backend(self, backend: str) -> TesserocrBackend | PytesseractBackend:
        folder = tessdata_dir()
        for name in self.lang.split("+"):
            if folder and not (Path(folder) / f"{name}.traineddata").exists():
                raise FileNotFoundError(f"thiếu mô hình OCR (OCR model missing): {name} in {folder}")
        if backend in ("auto", "tesserocr"):
            try:
                return TesserocrBackend(self.lang, self.psm)
            except (ImportError, RuntimeError, OSError) as exc:
                if backend == "tesserocr":
                    raise
                log.warning("tesserocr unavailable (%s); falling back to pytesseract", exc)
        if backend not in ("auto", "tesserocr", "pytesseract"):
            raise ValueError(f"unknown OCR backend {backend!r}")
        return PytesseractBackend(self.lang, self.psm)

    @property
    def backend_name(self) -> str:
        return self.backend.name

    def _page(self, raw: list[RawWord], width: int, height: int, psm: int, dx: int = 0, dy: int = 0) -> OcrPage:
        grouped: dict[int, list[RawWord]] = {}
        for rw in raw:
            grouped.setdefault(rw.line_no, []).append(rw)
        out = []
        for _, words in sorted(grouped.items()):
            words = drop_specks(words)
            texts = apply_line_layer([rw.text for rw in words], correct=self.correct)
            kept = [Word(text, (max(0, rw.box[0] + dx), max(0, rw.box[1] + dy), min(width, rw.box[2] + dx),
                                min(height, rw.box[3] + dy)), max(0.0, min(1.0, rw.confidence)), rw.text)
                    for text, rw in zip(texts, words, strict=True)]
            if kept:
                out.append(Line(kept, _union([w.box for w in kept])))
        return OcrPage(lines=out, width=width, height=height, lang=self.lang, psm=psm)

    def read_page(self, image: np.ndarray, *, psm: int | None = None, dpi: float | None = None,
                  layout: str | None = None) -> OcrPage:
        """OCR a whole prepared page, a region cut from one, a line or a word (grey, binary or RGB; any
        size). Segmentation: an explicit `psm` wins; else the layout hint (ocr.layout: "card", "form",
        "page", "line"; None = decide from the image) and what the image measures (ocr.geometry: text
        lines, letter height) choose it. Small letters are read from an enlarged copy, light-on-dark text
        from an inverted one; boxes are always in `image`'s own pixels. When psm 3 collapses (no words, or
        words Tesseract doubts) the page is read again with psm 6 and the likelier kept."""
        image = as_uint8(image)
        height, width = image.shape[:2]
        layout = check_layout(layout)
        dpi = dpi or self.dpi
        if height == 0 or width == 0 or not _has_contrast(image):
            return OcrPage(width=width, height=height, lang=self.lang, psm=psm or UNIFORM_BLOCK)
        geo = measure(image)
        plan = plan_reading(geo, layout, psm)
        work, origin, scale = plan.apply(image)
        if self.leaders:
            work, _ = remove_leaders(work, geo.letter_px * scale)
        raw = self.backend.recognise(work, plan.psm, dpi * scale, None)
        used = plan.psm
        if psm is None and plan.alternative is not None:  # a crop of 1-3 lines: which reading is surer
            other = self.backend.recognise(work, plan.alternative, dpi * scale, None)
            if _raw_confidence(other) > _raw_confidence(raw) + CROP_MARGIN:
                raw, used = other, plan.alternative
        if used == AUTO_LAYOUT and layout_collapsed([w.confidence for w in raw]):
            retry = self.backend.recognise(work, UNIFORM_BLOCK, dpi * scale, None)
            if _evidence(retry) > _evidence(raw):
                raw, used = retry, UNIFORM_BLOCK
        raw = rows_across_blocks([_to_source(rw, origin, scale) for rw in raw])
        page = self._page(raw, width, height, used)
        if self.reread and plan.reread:
            page.lines = self._reread_lines(image, page.lines, dpi)
        return page

    def _reread_lines(self, image: np.ndarray, lines: list[Line], dpi: float | None) -> list[Line]:
        """Each line that needs it read again alone (`_reread_line`), its marks inside the crop; a mark line
        goes when the line under it was read again with it."""
        marks = mark_lines(lines)
        owners: dict[int, list[int]] = {}
        for m, owner in marks.items():
            owners.setdefault(owner, []).append(m)
        grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
        out: list[Line | None] = list(lines)
        for i, line in enumerate(lines):
            if i in marks:
                continue
            own = owners.get(i, [])
            others = [_core_box(ln) for j, ln in enumerate(lines) if j != i and j not in own and j not in marks]
            again = self._reread_line(grey, line, [lines[m] for m in own], others, dpi)
            if again is not None:
                out[i] = again
                for m in own:
                    out[m] = None
        return [ln for ln in out if ln is not None]

    def _reread_line(self, grey: np.ndarray, line: Line, marks: list[Line], others: list[Box],
                     dpi: float | None) -> Line | None:
        """A line with a doubtful word, or whose tone marks its box left out, is read again alone (psm 7 on a
        crop holding its marks): the page-level reading shares its segmentation with its neighbours (a speck,
        a border, a tilted baseline, marks set apart), the line alone does not. The re-read is kept (returned)
        only when Tesseract is surer of it."""
        box = _union([line.box] + [m.box for m in marks])
        crop = line_crop_box(box, others, grey.shape[0], grey.shape[1])
        cut = bool(marks) or _ink_above(grey, line.box, crop)
        if line.confidence >= REREAD_BELOW and not cut:
            return None
        again = self._second_opinion(grey, crop, self.read_region(grey, crop, psm=REREAD_PSM, dpi=dpi, pad=0), dpi)
        if len(again.lines) != 1:
            return None
        before = _mean_confidence(line.words + [w for m in marks for w in m.words])
        after = _mean_confidence(again.lines[0].words)
        if after > before + REREAD_MARGIN:
            return again.lines[0]
        if cut:  # the same letters with the marks the page reading lost: kept unless much less sure
            (old, old_marks), (new, new_marks) = _bare(line.text), _bare(again.lines[0].text)
            if new == old and new_marks > old_marks and after >= before - CUT_MARKS_MARGIN:
                return again.lines[0]
        return None

    def _second_opinion(self, grey: np.ndarray, crop: Box, first: OcrPage, dpi: float | None) -> OcrPage:
        """An unsure line re-read, read again with the second Vietnamese model: the likelier of the two."""
        if not SECOND_MODEL or SECOND_MODEL in self.lang.split("+"):
            return first
        if len(first.lines) == 1 and _mean_confidence(first.lines[0].words) >= SECOND_BELOW:
            return first
        try:
            other = self.sibling(SECOND_MODEL).read_region(grey, crop, psm=REREAD_PSM, dpi=dpi, pad=0)
        except (FileNotFoundError, RuntimeError, OSError) as exc:  # model not installed: the first reading
            log.warning("second OCR model %s unavailable: %s", SECOND_MODEL, exc)
            return first
        if len(other.lines) != 1:
            return first
        if len(first.lines) != 1 or _line_score(other.lines[0]) > _line_score(first.lines[0]):
            return other
        return first

    def read_region(self, image: np.ndarray, box: Box, psm: int = 7, whitelist: str | None = None, *,
                    pad: int | None = None, dpi: float | None = None) -> OcrPage:
        """OCR one region of a page (psm 7 = a single line; whitelist e.g. "0123456789" for digit fields).
        The box is padded a little (ink often overhangs a field box) and the result's boxes are in page
        coordinates; the returned page's size is the full page's."""
        image = _as_uint8(image)
        h, w = image.shape[:2]
        x0, y0, x1, y1 = box
        if x1 <= x0 or y1 <= y0:
            return OcrPage(width=w, height=h, lang=self.lang, psm=psm)
        if pad is None:
            pad = max(4, int(0.15 * max(1, y1 - y0)))
        cx0, cy0 = max(0, int(x0) - pad), max(0, int(y0) - pad)
        cx1, cy1 = min(w, int(x1) + pad), min(h, int(y1) + pad)
        if cx1 <= cx0 or cy1 <= cy0:
            return OcrPage(width=w, height=h, lang=self.lang, psm=psm)
        crop = image[cy0:cy1, cx0:cx1]
        if not _has_ink(crop):  # Tesseract invents "_" or "." on blank paper
            return OcrPage(width=w, height=h, lang=self.lang, psm=psm)
        if self.leaders:
            crop, _ = remove_leaders(crop, measure(crop).letter_px)
        spec = ((REGION_BORDER, REGION_BORDER), (REGION_BORDER, REGION_BORDER)) + (((0, 0),) if crop.ndim == 3 else ())
        crop = np.ascontiguousarray(np.pad(crop, spec, constant_values=255))
        raw = self.backend.recognise(crop, psm, dpi or self.dpi, whitelist)
        return self._page(raw, w, h, psm, dx=cx0 - REGION_BORDER, dy=cy0 - REGION_BORDER)

    def sibling(self, lang: str) -> OcrEngine:
        """This process's engine for another model, same settings otherwise: the machine-readable zone of an
        ID card (A-Z, 0-9, '<') reads far better with Tesseract's English model than with the Vietnamese one
        (measured in extract/card.py)."""
        return get_engine(lang, self.psm, correct=self.correct)

    def close(self) -> None:
        self.backend.close()


_ENGINES: dict[tuple, OcrEngine] = {}
_ENGINES_PID = os.getpid()


def get_engine(lang: str = "vie", psm: int = 6, *, correct: bool = True, backend: str = "auto") -> OcrEngine:
    """The per-process engine for these settings: a worker process builds it once and keeps it. A forked
    child never reuses its parent's (the live library state does not survive a fork safely)."""
    global _ENGINES_PID
    if os.getpid() != _ENGINES_PID:
        _ENGINES.clear()
        _ENGINES_PID = os.getpid()
    key = (normalise_lang(lang), psm, correct, backend)
    engine = _ENGINES.get(key)
    if engine is None:
        engine = _ENGINES[key] = OcrEngine(lang, psm, correct=correct, backend=backend)
    return engine
