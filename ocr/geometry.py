"""What the image in front of OCR is, measured rather than assumed: how tall its letters are, how many text
lines it holds, whether its ink is light on dark. Cheap (connected components on a small copy), so every
read can afford it; the reading plan (psm, rescaling) is chosen from it (ocr/layout.py)."""
from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

WORK_SIDE = 2000       # long side of the measuring copy: letters of a 300-dpi A4 page stay >= 12 px
MIN_LETTERS = 3        # fewer letter-like blobs than this: no text to speak of


@dataclass
class Geometry:
    """Measured on the image, in the image's own pixels."""
    height: int
    width: int
    letter_px: float = 0.0     # median height of letter-sized ink blobs (0: no text found)
    letters: int = 0           # how many such blobs
    lines: list[tuple[int, int]] = field(default_factory=list)  # text-line bands (y0, y1), top to bottom
    dark_background: bool = False  # light text on a dark ground (inverted screenshots, negatives)

    @property
    def line_count(self) -> int:
        return len(self.lines)

    @property
    def text_height_lines(self) -> float:
        """The image's height in text lines (1 letter height + leading ~ 2 letter heights per line)."""
        return self.height / (2.0 * self.letter_px) if self.letter_px else 0.0


def binarise(grey: np.ndarray) -> tuple[np.ndarray, bool]:
    """Ink as 255 (Otsu), and whether the ink is the light side: most of a page is background, so when
    most pixels fall on the dark side of the threshold the text is light on dark."""
    if grey.size == 0 or int(grey.max()) == int(grey.min()):
        return np.zeros(grey.shape, np.uint8), False
    _, dark = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    inverted = bool(np.count_nonzero(dark) > 0.5 * dark.size)
    return (255 - dark if inverted else dark), inverted


def measure(image: np.ndarray) -> Geometry:
    """Letter height, text-line bands and polarity of a grey or colour uint8 image (any size >= 1 px)."""
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    h, w = grey.shape[:2]
    geo = Geometry(h, w)
    if h < 2 or w < 2:
        return geo
    scale = min(1.0, WORK_SIDE / max(h, w))
    small = grey if scale >= 1.0 else cv2.resize(grey, (max(2, round(w * scale)), max(2, round(h * scale))),
                                                 interpolation=cv2.INTER_AREA)
    ink, geo.dark_background = binarise(small)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if n <= 1:
        return geo
    sh, sw = small.shape
    bw, bh, area = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT], stats[1:, cv2.CC_STAT_AREA]
    # letter-like: not a speck, not a rule (long and thin), not a photo or frame (a large share of the image)
    letter = ((bh >= 3) & (area >= 4) & (bw <= 4 * bh + 4) & (bh <= max(4, 0.9 * sh))
              & (bw < 0.5 * sw + 4) & (area >= 0.08 * bw * bh))
    if letter.sum() < MIN_LETTERS:
        return geo
    size = _weighted_median(bh[letter], area[letter])  # by ink: a photocopy's thousands of specks weigh little
    # the body of the text: blobs between half and twice the median (tone marks, dots and photos left out)
    body = letter & (bh >= 0.5 * size) & (bh <= 2.0 * size)
    if body.sum() < MIN_LETTERS:
        return geo
    geo.letters = int(body.sum())
    geo.letter_px = float(np.median(bh[body])) / scale
    keep = np.zeros(n, bool)
    keep[1:] = body
    mask = keep[labels]
    geo.lines = [(round(y0 / scale), round(y1 / scale)) for y0, y1 in _bands(mask, size)]
    return geo


def _bands(mask: np.ndarray, size: float) -> list[tuple[int, int]]:
    """Runs of rows holding letters, each at least half a letter tall; runs closer than a quarter letter
    merge (the dot below and the marks above a line belong to it, not to a line of their own)."""
    profile = mask.sum(axis=1)
    on = profile > 0
    edges = np.flatnonzero(np.diff(np.concatenate([[0], on.astype(np.int8), [0]])))
    runs = [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]
    merged: list[list[int]] = []
    for a, b in runs:
        if merged and a - merged[-1][1] < 0.25 * size:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged if b - a >= 0.5 * size]


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values)
    cum = np.cumsum(weights[order].astype(np.float64))
    return float(values[order][np.searchsorted(cum, cum[-1] / 2)])
