"""Coarse orientation (0/90/180/270) of a deskewed page. Three approaches are kept for measurement:

* `lines_then_reading` (kept): which way the text lines run, from letters' nearest neighbours (letters in a
  word sit closer than lines do, on any script, font or layout); then which of the two remaining turns
  *reads*: the longest lines are read both ways by the caller's `read_line` (scanner.types.LineReader: the
  OCR stage's engine counting valid Vietnamese syllables × confidence, injected so the scanner does not
  import the OCR stage). Tesseract OSD only breaks a tie; with weak evidence the page is not turned.
* `text_statistic`: profile spikiness for the direction, then ink above versus below each line's x-height.
* `tesseract_osd`: Tesseract's orientation-and-script detection (osd.traineddata) alone; fails on ID cards.

All return the clockwise rotation to APPLY to make the page upright.
"""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from scanner.deskew import _ink_points, _profile_score, ink_mask, working_copy
from scanner.types import LineReader

log = logging.getLogger(__name__)


def turn_clockwise(image: np.ndarray, degrees: int) -> np.ndarray:
    return np.ascontiguousarray(np.rot90(image, k=-(degrees // 90) % 4))


def lines_are_vertical(grey: np.ndarray) -> bool:
    """True when text lines run top-to-bottom (the page is turned 90° or 270°)."""
    xs, ys = _ink_points(working_copy(grey, 1000))
    if len(xs) < 50:
        return False
    rows = _profile_score(xs, ys, 0.0)
    cols = _profile_score(ys, -xs, 0.0)
    return cols > rows


def up_down_score(grey: np.ndarray) -> float:
    """Positive when the (horizontal-line) page is upright, negative when upside down. The ink above each
    line's core band minus the ink below it, summed over lines, normalised by all ink counted."""
    small = cv2.medianBlur(working_copy(grey, 1600), 3)  # toner specks and sensor noise are not ink
    mask = ink_mask(small) > 0
    # drop big blobs (photos, stamps, table rules) that are not letters
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if n < 10:
        return 0.0
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    char = float(np.median(heights[stats[1:, cv2.CC_STAT_AREA] > 4])) if np.any(stats[1:, cv2.CC_STAT_AREA] > 4) else 1.0
    keep = np.zeros(n, bool)
    areas = stats[1:, cv2.CC_STAT_AREA]
    # letters and tone marks, not photos, table rules or toner specks
    keep[1:] = (heights < 4 * char) & (stats[1:, cv2.CC_STAT_WIDTH] < 8 * char) & (areas >= max(3, char * char / 40))
    mask = keep[labels]
    profile = mask.sum(axis=1).astype(np.float64)
    # split into lines at empty rows
    on = profile > 0.02 * profile.max()
    edges = np.flatnonzero(np.diff(np.concatenate([[0], on.astype(np.int8), [0]])))
    above = below = 0.0
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        line = profile[start:stop]
        if len(line) < 4 or line.sum() < 20:
            continue
        core = np.flatnonzero(line >= 0.5 * line.max())
        top, bottom = core[0], core[-1]
        above += float(line[:top].sum())
        below += float(line[bottom + 1:].sum())
    total = above + below
    return 0.0 if total == 0 else (above - below) / total


def text_statistic(grey: np.ndarray, read_line: LineReader | None = None) -> int:
    base = 90 if lines_are_vertical(grey) else 0
    turned = turn_clockwise(grey, base)
    return base if up_down_score(turned) >= 0 else (base + 180) % 360


_OSD = threading.local()


def tesseract_osd(grey: np.ndarray, read_line: LineReader | None = None) -> int:
    """Tesseract OSD alone (0 when it cannot decide: too little text)."""
    return osd_with_confidence(grey)[0]


# ------------------------------------------------------------------ two steps: line direction, then reading

MIN_LETTERS = 30        # fewer letter-sized blobs than this: no opinion on line direction
DIRECTION_SHARE = 0.68  # share of letter neighbour pairs along one axis needed to call the line direction
READ_RATIO = 2.0        # one reading must score this many times the other ...
READ_MIN = 12.0         # ... and at least this many confidence-weighted letters of valid words
READ_LINES = 6          # at most this many line crops are read per candidate
OSD_MIN_CONF = 3.0      # Tesseract OSD's orient_conf below this is treated as no opinion


@dataclass
class Letters:
    """Letter-sized ink blobs of a working copy: centroids and the typical letter size (pixels)."""
    centres: np.ndarray  # (n, 2) x, y
    boxes: np.ndarray    # (n, 4) x, y, w, h
    size: float          # median of max(w, h): does not depend on which way the page is turned


def find_letters(small: np.ndarray, mask: np.ndarray | None = None) -> Letters:
    """Blobs the size of a letter. Tone marks, dots and specks are smaller; photos, stamps, table rules and
    cursive handwriting are bigger. Sizes use max(w, h) so the same blobs are kept whichever way the page
    is turned. `mask`: the ink (255) when the caller has its own, else the page's ink with a cleared frame."""
    if mask is None:
        mask = ink_mask(cv2.medianBlur(small, 3))
    n, _, stats, centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
    stats, centroids = stats[1:], centroids[1:]
    longest = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    shortest = np.minimum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    plausible = (longest >= 5) & (longest < max(small.shape) / 12) & (stats[:, cv2.CC_STAT_AREA] >= 8)
    if plausible.sum() < MIN_LETTERS:
        return Letters(np.zeros((0, 2)), np.zeros((0, 4), int), 0.0)
    size = float(np.median(longest[plausible]))
    keep = plausible & (longest >= 0.6 * size) & (longest <= 2.2 * size) & (shortest >= 0.15 * size)
    return Letters(centroids[keep], stats[keep, :4], size)


def vertical_share(letters: Letters, max_queries: int = 1500) -> float:
    """Docstrum-style: letters' nearest neighbours lie along the text line (letters within a word sit
    closer than lines do). Returns the share of nearest-neighbour links running up-down among the links
    that run clearly along one axis; 0.5 means no opinion."""
    pts = letters.centres
    if len(pts) < MIN_LETTERS:
        return 0.5
    queries = np.arange(len(pts))
    if len(queries) > max_queries:
        queries = np.random.default_rng(0).choice(len(pts), max_queries, replace=False)
    horizontal = vertical = 0
    for chunk in np.array_split(queries, max(1, len(queries) // 400)):
        d = pts[chunk, None, :] - pts[None, :, :]
        dist = np.hypot(d[..., 0], d[..., 1])
        dist[np.arange(len(chunk)), chunk] = np.inf
        nearest = np.argmin(dist, axis=1)
        dx = np.abs(d[np.arange(len(chunk)), nearest, 0])
        dy = np.abs(d[np.arange(len(chunk)), nearest, 1])
        near = dist[np.arange(len(chunk)), nearest] <= 2.5 * letters.size
        horizontal += int(np.sum(near & (dx > 2 * dy)))
        vertical += int(np.sum(near & (dy > 2 * dx)))
    total = horizontal + vertical
    return 0.5 if total < MIN_LETTERS else vertical / total


def line_boxes(small: np.ndarray, letters: Letters, limit: int = READ_LINES, min_length: float = 3.0
               ) -> list[tuple[int, int, int, int]]:
    """The longest text lines (x0, y0, x1, y1 in `small`), found by smearing letter blobs sideways."""
    mask = np.zeros(small.shape, np.uint8)
    for x, y, w, h in letters.boxes:
        mask[y:y + h, x:x + w] = 255
    gap = max(3, int(round(letters.size * 0.9)))
    smeared = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (gap, 1)))
    n, _, stats, _ = cv2.connectedComponentsWithStats(smeared, connectivity=8)
    found = []
    for x, y, w, h, _area in stats[1:]:
        if w >= min_length * letters.size and 0.6 * letters.size <= h <= 2.5 * letters.size:
            found.append((int(w), (int(x), int(y), int(x + w), int(y + h))))
    found.sort(reverse=True)
    return [box for _, box in found[:limit]]


def reading_scores(grey: np.ndarray, base: int, read_line: LineReader,
                   found: tuple[np.ndarray, Letters] | None = None) -> tuple[float, float]:
    """Read the longest lines of the page turned by `base` and by `base + 180`; score each reading.
    `found`: the working copy and its letters when the caller already has them for this turn."""
    turned = turn_clockwise(grey, base)
    small, letters = found if found is not None else (working_copy(turned, 1600), None)
    scale = small.shape[0] / turned.shape[0]
    letters = letters if letters is not None else find_letters(small)
    if letters.size == 0:
        return 0.0, 0.0
    # Tesseract reads best with letters ~30 px tall; crops are taken from the full-resolution page
    zoom = 30.0 / (letters.size / scale)
    scores = [0.0, 0.0]
    for x0, y0, x1, y1 in line_boxes(small, letters):
        pad = int(0.5 * letters.size)
        x1 = min(x1, x0 + int(28 * letters.size))  # ~40 characters are plenty to judge a reading
        box = [int(v / scale) for v in (max(0, x0 - pad), max(0, y0 - pad), x1 + pad, y1 + pad)]
        crop = turned[box[1]:box[3], box[0]:box[2]]
        if crop.size == 0:
            continue
        crop = cv2.resize(crop, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_AREA if zoom < 1
                          else cv2.INTER_LINEAR)
        for k, image in enumerate((crop, np.ascontiguousarray(crop[::-1, ::-1]))):
            scores[k] += read_line(image)
        high, low = max(scores), min(scores)
        if high >= 2 * READ_MIN and high >= 2 * READ_RATIO * max(low, 1.0):
            break  # decisive already: spare the remaining lines
    return scores[0], scores[1]


def osd_with_confidence(grey: np.ndarray) -> tuple[int, float]:
    """Tesseract OSD: (clockwise rotation to apply, orient_conf); (0, 0.0) when it cannot decide."""
    import tesserocr
    from PIL import Image

    from common.paths import tessdata_dir

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    api = getattr(_OSD, "api", None)
    if api is None:
        api = tesserocr.PyTessBaseAPI(path=tessdata_dir() or "", lang="osd", psm=tesserocr.PSM.OSD_ONLY)
        _OSD.api = api
    api.SetImage(Image.fromarray(working_copy(grey, 2000)))
    result = api.DetectOrientationScript()
    if not result:
        return 0, 0.0
    return (360 - int(result["orient_deg"])) % 360, float(result.get("orient_conf", 0.0))


def lines_then_reading(grey: np.ndarray, read_line: LineReader | None = None) -> int:
    """Step 1: which way the lines run, from letters' nearest neighbours. Step 2: which of the two remaining
    turns reads as Vietnamese (`read_line`; without one, Tesseract OSD alone decides, if confident).
    Tesseract OSD only breaks a tie, and with no clear evidence the page is left as it is: a wrong turn
    wrecks OCR, an upright page left alone costs nothing."""
    small = working_copy(grey, 1600)
    letters = find_letters(small)
    share = vertical_share(letters)
    if share >= DIRECTION_SHARE:
        bases = [90]
    elif share <= 1 - DIRECTION_SHARE:
        bases = [0]
    else:
        bases = [0, 90]  # direction unclear: let the reading decide among all four
    readings: dict[int, float] = {b: 0.0 for base in bases for b in (base, (base + 180) % 360)}
    if read_line is not None:
        try:
            for base in bases:
                upright, flipped = reading_scores(grey, base, read_line, (small, letters) if base == 0 else None)
                readings[base], readings[(base + 180) % 360] = upright, flipped
        except (ImportError, RuntimeError, OSError) as exc:  # the reader failed: OSD alone, if confident
            log.warning("line reading unavailable for orientation (%s); Tesseract OSD only", type(exc).__name__)
            readings = dict.fromkeys(readings, 0.0)
    ranked = sorted(readings.items(), key=lambda kv: kv[1], reverse=True)
    (best, high), (_, second) = ranked[0], ranked[1]
    if high >= READ_MIN and high >= READ_RATIO * max(second, 1.0):
        return best
    try:
        turn, conf = osd_with_confidence(grey)
    except (ImportError, RuntimeError):
        return 0
    if conf >= OSD_MIN_CONF and turn in readings and readings[turn] * READ_RATIO >= high:
        return turn
    return 0  # undecided: an unturned page costs little, a wrong turn wrecks OCR


METHODS: dict[str, Callable[[np.ndarray, LineReader | None], int]] = {
    "text_statistic": text_statistic,
    "tesseract_osd": tesseract_osd,
    "lines_then_reading": lines_then_reading,
}


def detect_rotation(grey: np.ndarray, method: str | None = None, read_line: LineReader | None = None) -> int:
    """Clockwise degrees (0/90/180/270) to turn the deskewed page upright."""
    return METHODS[method or KEPT_METHOD](grey, read_line)


KEPT_METHOD = "lines_then_reading"  # chosen by `sohoa bench scanner`
