"""An ID card on the prepared page: find its rectangle, warp it to a canonical size, tell its model.

Why: a card is a fixed layout of 85.6 x 54 mm (ID-1). Once the card itself fills a canonical image, each
field, the QR code and the MRZ sit at fixed fractions of it (the profile's regions, data), so a field can
be read on its own with settings that fit it (digits only for numbers, a date pattern, capitals for
names) as a second reading besides the label search. The scanner has already flattened a phone photo to
the card; a scan leaves the scanner bed around the card, which is cut off here.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from extract.profiles import CardModel, CardSpec
from ocr.types import OcrPage

ASPECT_TOLERANCE = 0.12   # found rectangle's width/height may differ this much from the card's
MIN_AREA = 0.25           # … and must cover at least this share of the page


@dataclass
class CardImage:
    """The card warped to `spec.width_px` wide; `box` is its rectangle on the page (page pixels)."""
    grey: np.ndarray
    box: tuple[int, int, int, int]
    found: bool               # False: the page itself is taken as the card (no bed around it)

    def to_page(self, region: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        """A box on the canonical card back to page pixels (for the review crop)."""
        x0, y0, x1, y1 = self.box
        sx, sy = (x1 - x0) / self.grey.shape[1], (y1 - y0) / self.grey.shape[0]
        return (round(x0 + region[0] * sx), round(y0 + region[1] * sy), round(x0 + region[2] * sx),
                round(y0 + region[3] * sy))

    def region_box(self, fractions: list[float]) -> tuple[int, int, int, int]:
        h, w = self.grey.shape[:2]
        return (round(fractions[0] * w), round(fractions[1] * h), round(fractions[2] * w), round(fractions[3] * h))


def _runs(edges: np.ndarray) -> np.ndarray:
    """Per row of a boolean edge map, the longest run of consecutive edge pixels (a card side is a long
    straight run; text and guilloche give short ones)."""
    out = np.zeros(edges.shape[0], np.int32)
    for i, row in enumerate(edges):
        if not row.any():
            continue
        padded = np.concatenate(([0], row.view(np.int8), [0]))
        d = np.diff(padded)
        out[i] = int((np.flatnonzero(d == -1) - np.flatnonzero(d == 1)).max())
    return out


def _lines(strength: np.ndarray, length: int, share: float) -> list[int]:
    """Positions whose run is at least `share` of `length`, neighbours merged (the strongest kept)."""
    idx = [i for i in np.flatnonzero(strength >= share * length)]
    out: list[int] = []
    for i in idx:
        if out and i - out[-1] <= 6:
            if strength[i] > strength[out[-1]]:
                out[-1] = i
            continue
        out.append(int(i))
    return out


def _is_step(img: np.ndarray, at: int, gap: int = 4, depth: int = 8) -> bool:
    """A card side is a step in tone (card | bed) along its length; a photocopier's drum streak or a
    printed rule is a thin line with the same tone on both sides. `img` rows run along the candidate."""
    before = img[max(0, at - gap - depth):max(0, at - gap)].mean(axis=0)
    after = img[at + gap:at + gap + depth].mean(axis=0)
    if before.size == 0 or after.size == 0:
        return False
    return float(np.median(np.abs(after - before))) >= 6.0


def card_box(grey: np.ndarray, aspect: float) -> tuple[int, int, int, int] | None:
    """The card's upright rectangle on a deskewed page, or None when no card edge stands out (the page is
    then taken as the card). The sides of a card are the page's long straight edges: the left and right
    ones give the width, the height follows from the ID-1 aspect and the top or bottom edge found (a light
    MRZ band can hide the bottom edge on a light scanner bed)."""
    h, w = grey.shape[:2]
    scale = min(1.0, 800 / max(h, w))
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else grey
    small = cv2.GaussianBlur(small, (0, 0), 1.2).astype(np.int16)
    sh, sw = small.shape
    gy = np.abs(small[2:, :] - small[:-2, :]) > 10
    gx = np.abs(small[:, 2:] - small[:, :-2]) > 10
    rows = _lines(_runs(gy), sw, 0.45)
    cols = _lines(_runs(gx.T), sh, 0.35)
    margin = 0.02
    cols = [c for c in cols if margin * sw < c + 1 < (1 - margin) * sw and _is_step(small.T, c + 1)]
    rows = [r for r in rows if margin * sh < r + 1 < (1 - margin) * sh and _is_step(small, r + 1)]
    if len(cols) < 2 and not rows:
        return None
    best = None
    pairs = [(a + 1, b + 1) for i, a in enumerate(cols) for b in cols[i + 1:]] or [(0, sw)]
    near = 0.03 * sh
    for x0, x1 in pairs:
        width = x1 - x0
        height = width / aspect
        if width < 0.5 * sw or height > sh * 1.02:
            continue
        tops = {float(r + 1) for r in rows} | {float(r + 1 - height) for r in rows} or {(sh - height) / 2}
        for top in tops:
            if top < -0.02 * sh or top + height > 1.02 * sh:
                continue
            sides = sum(any(abs(r + 1 - y) < near for r in rows) for y in (top, top + height))
            score = (2 + sides, width)  # four sides found beat three, then the wider card
            if best is None or score > best[0]:
                best = (score, x0, top, x1, top + height)
    if best is None or best[0][0] < 3 or len(cols) < 2:
        return None  # both sides and a top or bottom, or nothing: a wrong box would misplace every region
    _, x0, y0, x1, y1 = best
    box = (max(0, round(x0 / scale)), max(0, round(y0 / scale)), min(w, round(x1 / scale)), min(h, round(y1 / scale)))
    if (box[2] - box[0]) * (box[3] - box[1]) < MIN_AREA * w * h:
        return None
    return box


def canonical_card(grey: np.ndarray, spec: CardSpec) -> CardImage:
    """The card cut from the page (or the page itself) resized to the canonical width."""
    aspect = spec.size_mm[0] / spec.size_mm[1]
    box = card_box(grey, aspect)
    found = box is not None
    h, w = grey.shape[:2]
    if box is None:
        box = (0, 0, w, h)
    x0, y0, x1, y1 = box
    crop = grey[y0:y1, x0:x1]
    width = spec.width_px
    height = round(width / aspect)
    interp = cv2.INTER_AREA if crop.shape[1] > width else cv2.INTER_CUBIC
    return CardImage(cv2.resize(crop, (width, height), interpolation=interp), box, found)


def looks_like_code(card: CardImage, region: list[float]) -> bool:
    """Whether the QR region holds a 2-D code even when it does not decode (blurred, glare): a solid block of
    ink well below the card's background, which text lines and guilloche never fill. A code printed a few
    millimetres wide is not seen (the model then rests on the other cues)."""
    x0, y0, x1, y1 = card.region_box(region)
    crop = card.grey[y0:y1, x0:x1]
    if crop.size == 0:
        return False
    background = float(np.percentile(crop, 90))
    inked = crop < background - 50   # modules, or the grey a blurred / washed-out code leaves
    return inked.mean() > 0.12 and float(crop.std()) > 25


MRZ_LINE_PX = 40  # height the zone's lines are read at (measured: 86 of 96 generated lines exact at 40 px)


@dataclass
class ZoneLine:
    """One line of a machine-readable zone scaled for reading, and its box in the band's pixels."""
    image: np.ndarray
    box: tuple[int, int, int, int]


def mrz_lines(band: np.ndarray, line_px: int = MRZ_LINE_PX) -> list[ZoneLine]:
    """The text lines of a card's machine-readable zone, top to bottom, each cut with a margin and scaled to
    `line_px`. A zone line is a long run of dense characters across most of the card, so the band's rows of
    ink are grouped into runs and the last three that span at least half its width with many letters are
    kept (a label or a fingerprint caption above the zone spans less; the card's edge has no letters)."""
    import cv2

    if band.size == 0 or min(band.shape[:2]) < 12:
        return []
    grey = band if band.ndim == 2 else cv2.cvtColor(band, cv2.COLOR_RGB2GRAY)
    h, w = grey.shape
    block = max(15, (h // 6) | 1)
    ink = cv2.adaptiveThreshold(cv2.GaussianBlur(grey, (0, 0), 1.0), 255, cv2.ADAPTIVE_THRESH_MEAN_C,
                                cv2.THRESH_BINARY_INV, block, 12)
    # a photocopier's streaks and the card's own edge are long straight runs: not text, taken out first
    rules = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(8, w // 6), 1)))
    rules |= cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(8, h // 3))))
    ink = (ink > 0) & (rules == 0)
    profile = ink.mean(axis=1)
    rows = profile > max(0.05, 0.25 * float(np.percentile(profile, 95)))
    runs: list[list[int]] = []
    for y in np.flatnonzero(rows):
        if runs and y - runs[-1][1] <= max(2, h // 100):
            runs[-1][1] = int(y) + 1
        else:
            runs.append([int(y), int(y) + 1])
    found = []
    for y0, y1 in runs:
        cols = ink[y0:y1].any(axis=0)
        xs = np.flatnonzero(cols)
        # a zone line: tall enough, across half the band, and many letters (many ink/paper changes per row)
        changes = np.median(np.count_nonzero(ink[y0:y1, 1:] != ink[y0:y1, :-1], axis=1))
        if y1 - y0 < max(6, h // 14) or xs.size == 0 or (xs[-1] - xs[0]) < 0.5 * w or changes < 24:
            continue
        found.append((y0, y1, int(xs[0]), int(xs[-1]) + 1))
    out = []
    for y0, y1, x0, x1 in found[-3:]:
        pad = max(2, (y1 - y0) // 3)
        box = (max(0, x0 - 2 * pad), max(0, y0 - pad), min(w, x1 + 2 * pad), min(h, y1 + pad))
        crop = grey[box[1]:box[3], box[0]:box[2]]
        scale = line_px / max(1, y1 - y0)
        out.append(ZoneLine(cv2.resize(crop, None, fx=scale, fy=scale,
                                       interpolation=cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA), box))
    return out


def tell_model(models: list[CardModel], ocr: OcrPage, qr_decoded: bool, qr_seen: bool, number: str) -> CardModel:
    """The model whose cues fit best: anchor phrases on the card, a QR code on this side (decoded or seen),
    the number's length. The first model wins ties (profiles list the most common first)."""
    from extract.classify import _anchor_found
    from extract.textutil import tokenize_words
    rows = [tokenize_words([w.text for w in line.words]) for line in ocr.lines]
    best, best_score = models[0], float("-inf")
    for m in models:
        score = sum(a.weight for a in m.anchors if _anchor_found(a, rows, ocr.text))
        if m.qr is True:
            score += 3 if qr_decoded else 2 if qr_seen else -2
        elif m.qr is False:
            score += -3 if qr_decoded else -1 if qr_seen else 1
        if m.number_lengths and number:
            score += 1 if len(number) in m.number_lengths else -2
        if score > best_score:
            best, best_score = m, score
    return best
