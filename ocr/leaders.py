"""Leader lines and rules out of the way before recognition.

Printed forms and register books put a dotted, dashed or underscored leader after every label, often under
the value (`Họ và tên: ĐỖ THÙY HÀ..........`). Tesseract reads a row of dots as text (`.Ú000 3/200. 1...5`)
and loses the words beside it. What tells a leader from text, whatever its style:

* a RULE (solid line, underscores, dashes run together) is a horizontal run of ink several letters long
  and thinner than a stroke is tall: a horizontal morphological opening keeps exactly those;
* a DOTTED or DASHED leader is a CHAIN of small, alike blobs on one height with a regular pitch, many of
  them in a row. Tone marks and i-dots are small too, but sit one or two per word between letters, at
  different heights, never six in a row at a steady pitch.

Everything is measured in letter heights (ocr.geometry), so the same rules hold at 100 and 600 dpi. Only the
leader's own pixels are painted paper-white: a dot below (ị, ọ) touching a leader stays with its letter.
"""
from __future__ import annotations

import cv2
import numpy as np

# All sizes are in letter heights L (median letter-blob height). Chosen on the own generator's leader styles
# (synth/leaders.py: 8 kinds, pitch 0.7-3.2 mm, dot 0.12-0.6 mm, on the baseline to 1.3 mm under it), where
# L is 1.9-3.2 mm; checked on the own form_leaders and clean_page classes of `sohoa bench ocr`.
RULE_MIN_LENGTH = 4.0   # a rule runs at least this long (shorter: the flat bottom of a seal's circle) ...
RULE_MAX_THICK = 0.3    # ... and is at most this thick
DOT_MAX_HEIGHT = 0.4    # a leader element (dot or dash) is at most this tall ...
DOT_MAX_WIDTH = 1.6     # ... and this wide
CHAIN_MAX_GAP = 1.6     # neighbours in a chain are at most this far apart (edge to edge)
CHAIN_MAX_DY = 0.18     # and at most this far apart in height
CHAIN_MIN_COUNT = 6     # a chain of fewer elements is not a leader (". . ." in text, dots of "ịọụ")
CHAIN_MIN_SPAN = 3.0    # nor one shorter than this
CHAIN_GAP_SPREAD = 0.6  # std of the gaps / their mean: printed leaders are regular


def ink_mask(grey: np.ndarray, letter: float) -> np.ndarray:
    """Ink (255) darker than its neighbourhood: catches light-grey leaders beside black text."""
    block = max(15, int(4 * letter) | 1)
    return cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 18)


def rule_mask(ink: np.ndarray, letter: float) -> np.ndarray:
    """Horizontal rules: long and thin runs of ink."""
    length = max(8, int(RULE_MIN_LENGTH * letter))
    runs = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1)))
    if not runs.any():
        return runs
    n, labels, stats, _ = cv2.connectedComponentsWithStats(runs, connectivity=8)
    keep = np.zeros(n, bool)
    keep[1:] = (stats[1:, cv2.CC_STAT_HEIGHT] <= max(2, RULE_MAX_THICK * letter)) & \
               (stats[1:, cv2.CC_STAT_WIDTH] >= length)
    # a rule that meets a vertical rule belongs to a table grid or a frame: layout analysis needs it
    # (removing them moved reading order on GCN pages and cards of the own set, 3.9 -> 21 % strict CER)
    tall = max(8, int(1.5 * letter))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, tall)))
    if vertical.any():
        touching = np.unique(labels[cv2.dilate(vertical, np.ones((5, 5), np.uint8)) > 0])
        keep[touching[touching > 0]] = False
    return np.where(keep[labels], 255, 0).astype(np.uint8)


def chain_mask(ink: np.ndarray, letter: float) -> np.ndarray:
    """Chains of small alike blobs at one height with a regular pitch (dotted and dashed leaders)."""
    n, labels, stats, centroids = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if n <= CHAIN_MIN_COUNT:
        return np.zeros(ink.shape, np.uint8)
    x, w, h = (stats[1:, k].astype(np.float64) for k in (cv2.CC_STAT_LEFT, cv2.CC_STAT_WIDTH, cv2.CC_STAT_HEIGHT))
    cy = centroids[1:, 1]
    small = np.flatnonzero((h <= max(2, DOT_MAX_HEIGHT * letter)) & (w <= max(3, DOT_MAX_WIDTH * letter)))
    keep = np.zeros(n, bool)
    if small.size < CHAIN_MIN_COUNT:
        return np.zeros(ink.shape, np.uint8)
    band = max(1.0, CHAIN_MAX_DY * letter)
    # two bucketings of the heights, half a bucket apart, so a chain on a bucket edge is whole in one of them
    for offset in (0.0, 0.5):
        bucket = np.floor(cy[small] / band + offset)
        order = small[np.lexsort((x[small], bucket))]
        b = np.floor(cy[order] / band + offset)
        gap = x[order[1:]] - (x[order[:-1]] + w[order[:-1]])
        hr = h[order[1:]] / np.maximum(1, h[order[:-1]])
        wr = w[order[1:]] / np.maximum(1, w[order[:-1]])
        link = ((b[1:] == b[:-1]) & (gap >= -1) & (gap <= CHAIN_MAX_GAP * letter)
                & (hr >= 0.4) & (hr <= 2.5) & (wr >= 0.3) & (wr <= 3.5))
        # runs of consecutive links are chains
        edges = np.flatnonzero(np.diff(np.concatenate([[0], link.astype(np.int8), [0]])))
        for start, stop in zip(edges[::2], edges[1::2], strict=True):
            chain = order[start:stop + 1]
            if len(chain) < CHAIN_MIN_COUNT:
                continue
            span = x[chain[-1]] + w[chain[-1]] - x[chain[0]]
            pitch = np.diff(x[chain])
            if span < CHAIN_MIN_SPAN * letter or np.std(pitch) > CHAIN_GAP_SPREAD * max(1.0, float(np.mean(pitch))):
                continue
            keep[chain + 1] = True
    return np.where(keep[labels], 255, 0).astype(np.uint8)


DETECT_LETTER_PX = 14.0  # leaders are found on a copy where letters are about this tall (4x faster on a
# 300-dpi page, and dots of 0.12 mm are still 2 px there)


def leader_mask(grey: np.ndarray, letter: float) -> np.ndarray:
    """Leader and rule pixels (255) of a grey image whose letters are `letter` px tall."""
    f = min(1.0, DETECT_LETTER_PX / letter)
    small = grey if f >= 0.95 else cv2.resize(grey, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    size = letter * (1.0 if f >= 0.95 else f)
    ink = ink_mask(small, size)
    mask = cv2.bitwise_or(rule_mask(ink, size), chain_mask(ink, size))
    if small is not grey and mask.any():
        mask = cv2.resize(mask, (grey.shape[1], grey.shape[0]), interpolation=cv2.INTER_LINEAR)
        mask = np.where(mask > 0, 255, 0).astype(np.uint8) & ink_mask(grey, letter)  # the leader's own ink only
    return mask


def remove_leaders(image: np.ndarray, letter: float) -> tuple[np.ndarray, int]:
    """The image with leader lines and rules painted paper-white, and how many pixels were painted.
    `letter`: the letter height in this image's pixels (ocr.geometry)."""
    if letter < 4 or min(image.shape[:2]) < 8:
        return image, 0
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    mask = leader_mask(grey, letter)
    painted = int(np.count_nonzero(mask))
    if not painted:
        return image, 0
    mask = cv2.dilate(mask, np.ones((3, 3), np.uint8))  # the leader's anti-aliased rim
    out = image.copy()
    out[mask > 0] = np.percentile(grey, 90) if image.ndim == 2 else np.percentile(image.reshape(-1, 3), 90, axis=0)
    return out, painted
