"""The quality gate: tell the operator at once when a page must be scanned or photographed again."""
from __future__ import annotations

import cv2
import numpy as np

from scanner.deskew import ink_mask
from scanner.types import Quality

# Thresholds measured on rendered pages (scripted in tests/test_scanner_quality.py): with letters scaled to
# 24 px, crisp text scores 20 000+, Gaussian blur sigma 1 px at 300 dpi ~15 000-35 000, sigma 2 ~2 000-7 000,
# sigma 3 (unreadable small print) ~400-1 700.
MIN_SHARPNESS = 1500.0
MIN_BRIGHTNESS = 70.0      # mean grey of the page; paper under a shadow falls below this
MIN_DPI = 140.0            # Tesseract needs ~20 px x-height; 150-dpi body text is at the edge of that
TEXT_HEIGHT_PT = 5.8       # median height of a letter-sized blob in 10-13 pt body text (calibrated)
NORMAL_CHAR_PX = 24.0      # blur is measured after scaling the text to this median blob height

REASONS = {
    "blur": "ảnh bị mờ, chụp hoặc quét lại (blurry: retake)",
    "dark": "ảnh quá tối (too dark)",
    "low_res": "độ phân giải quá thấp, quét ở 300 dpi (resolution too low: scan at 300 dpi)",
    "cut_off": "trang bị cắt mất một phần, chụp lại đủ cả trang (page cut off: include the whole page)",
    "no_text": "không thấy chữ trên trang (no text found on the page)",
}


def letter_height(grey: np.ndarray) -> float:
    """Median height in pixels of letter-sized ink blobs; 0 when there is no text."""
    mask = ink_mask(cv2.medianBlur(grey, 3))
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n < 20:
        return 0.0
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    areas = stats[1:, cv2.CC_STAT_AREA]
    letters = heights[(areas >= 6) & (heights >= 3) & (heights < grey.shape[0] / 15)]
    return float(np.median(letters)) if len(letters) >= 20 else 0.0


def sharpness(grey: np.ndarray, char_px: float) -> float:
    """Variance of the Laplacian around the ink, after scaling so letters have a fixed size: blank paper
    would dilute it and a 600-dpi scan would look blurrier than a 200-dpi one of the same sharpness."""
    scale = NORMAL_CHAR_PX / char_px if char_px > 0 else 1.0
    scale = float(np.clip(scale, 0.1, 2.0))
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA if scale < 1 else
                       cv2.INTER_LINEAR) if abs(scale - 1) > 0.02 else grey
    lap = cv2.Laplacian(small, cv2.CV_64F, ksize=3)
    near_ink = cv2.dilate(ink_mask(small), np.ones((5, 5), np.uint8)) > 0
    if near_ink.sum() < 100:
        return float(lap.var())
    return float(lap[near_ink].var())


def content_touches_edge(grey: np.ndarray) -> bool:
    """Letter-sized ink cut by the image border: text runs off the page."""
    mask = ink_mask_no_margin(grey)
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    h, w = grey.shape
    touching = 0
    for x, y, bw, bh, area in stats[1:]:
        if area < 15 or bw > w / 4 or bh > h / 4:  # specks, or long scanner-edge shadows: not text
            continue
        if x <= 1 or y <= 1 or x + bw >= w - 1 or y + bh >= h - 1:
            touching += 1
    return touching >= 3


def ink_mask_no_margin(grey: np.ndarray) -> np.ndarray:
    block = max(15, (min(grey.shape[:2]) // 40) | 1)
    return cv2.adaptiveThreshold(cv2.medianBlur(grey, 3), 255, cv2.ADAPTIVE_THRESH_MEAN_C,
                                 cv2.THRESH_BINARY_INV, block, 15)


def assess(archival_grey: np.ndarray, dpi: float | None, *, quad_cut: bool = False, photo: bool = False
           ) -> Quality:
    """Verdict for a prepared page. `dpi` None means unknown (photo): estimate it from the text height.
    `quad_cut` is the page finder's observation that the sheet runs out of the photo; for a photo that is
    the cut-off test (the warped edge carries slivers of table that look like cut letters)."""
    small_scale = min(1.0, 1600 / max(archival_grey.shape))
    small = cv2.resize(archival_grey, None, fx=small_scale, fy=small_scale, interpolation=cv2.INTER_AREA) \
        if small_scale < 1 else archival_grey
    char_small = letter_height(small)
    char_full = char_small / small_scale
    dpi_estimate = char_full / TEXT_HEIGHT_PT * 72.0 if char_full else 0.0
    blur = sharpness(archival_grey, char_full)
    brightness = float(archival_grey.mean())
    reasons = []
    if char_full == 0:
        reasons.append(REASONS["no_text"])
    elif blur < MIN_SHARPNESS:
        reasons.append(REASONS["blur"])
    if brightness < MIN_BRIGHTNESS:
        reasons.append(REASONS["dark"])
    effective_dpi = dpi if dpi else dpi_estimate
    if char_full and effective_dpi and effective_dpi < MIN_DPI:
        reasons.append(REASONS["low_res"])
    cut = quad_cut if photo else content_touches_edge(small)
    if cut:
        reasons.append(REASONS["cut_off"])
    # an empty page (a blank back side) is worth a note but not a retake
    retake = any(r != REASONS["no_text"] for r in reasons)
    return Quality(retake=retake, reasons=reasons, blur=blur, brightness=brightness,
                   dpi_estimate=dpi_estimate, cut_off=cut)
