"""Hand-built OCR pages: "perfect OCR" of known text, for tests and for benchmarking extraction apart from
OCR noise. Each line's text is split into words with boxes proportional to character counts."""
from __future__ import annotations

from collections.abc import Sequence

from ocr.types import Box, Line, OcrPage, Word


def line_of(text: str, box: Box, confidence: float = 0.97) -> Line:
    """One line of words laid out across `box` in proportion to their lengths."""
    x0, y0, x1, y1 = box
    parts = text.split()
    total = max(1, sum(len(p) for p in parts) + len(parts) - 1)
    per_char = (x1 - x0) / total
    words, x = [], float(x0)
    for p in parts:
        w = len(p) * per_char
        words.append(Word(text=p, box=(int(x), y0, int(x + w), y1), confidence=confidence, raw_text=p))
        x += w + per_char
    return Line(words=words, box=box)


def page_of(lines: Sequence[str | tuple[str, Box]], width: int = 2480, height: int = 3508,
            confidence: float = 0.97, line_height: int = 50, left: int = 150) -> OcrPage:
    """A page from text lines; a plain string is placed on the next row at the left margin, at 28 px per
    character, a (text, box) pair where it says."""
    out: list[Line] = []
    y = 150
    for item in lines:
        if isinstance(item, tuple):
            text, box = item
        else:
            text = item
            box = (left, y, min(width - 10, left + 28 * max(1, len(text))), y + line_height - 10)
        y = max(y, box[3]) + 20
        if text.strip():
            out.append(line_of(text, box, confidence))
    return OcrPage(lines=out, width=width, height=height)


def page_from_truth(truth_page, confidence: float = 0.97) -> OcrPage:
    """Perfect OCR of a generated page: its truth lines as words (synth.truth.TruthPage)."""
    lines = sorted(truth_page.lines, key=lambda ln: (ln.box[1], ln.box[0]))
    merged: list[list] = []
    for ln in lines:  # lines sharing a baseline band (label + value) become one OCR line
        mid = (ln.box[1] + ln.box[3]) / 2
        if merged and merged[-1][0].box[1] <= mid <= merged[-1][0].box[3]:
            merged[-1].append(ln)
        else:
            merged.append([ln])
    out = []
    for group in merged:
        words = []
        for ln in sorted(group, key=lambda g: g.box[0]):
            conf = confidence * (0.8 if ln.handwritten else 1.0)
            words += line_of(ln.text, ln.box, conf).words
        if words:
            box = (min(w.box[0] for w in words), min(w.box[1] for w in words),
                   max(w.box[2] for w in words), max(w.box[3] for w in words))
            out.append(Line(words=words, box=box))
    return OcrPage(lines=out, width=truth_page.width, height=truth_page.height)
