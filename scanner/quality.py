"""The quality gate: tell the operator at once when a page must be scanned or photographed again."""
from __future__ import annotations

import cv2
import numpy as np

from scanner.deskew import ink_mask, working_copy
from scanner.types import Quality

# Blur is judged on letters brought to NORMAL_CHAR_PX tall (10-12 pt body text at 300 dpi). Measured on 48
# synth pages (all kinds x conditions): as generated (all readable) 0.10-0.61, phone photos the highest; the
# same pages blurred by a further Gaussian of sigma 3 px per 24-px letter 0.45-0.87 (43 of 48 above 0.64);
# sigma 1.5 px 0.26-0.74 (phone photos, already soft, reach the threshold then).
# Re-checked with the continuous measure (fractional letter height and re-blur) on seed 101 (48 pages): as
# generated 0.10-0.78, the 3 pages above 0.64 are phone photos OCR reads at 10-33 % CER (an A4 GCN 1000 px
# tall, 10 px letters, blur sigma 1.4 px); every page under it reads at <= 5.6 %. Sigma 3 px per 24-px
# letter: 31 of 48 above.
MAX_BLUR_EFFECT = 0.64
REBLUR_PX = 9              # the re-blur's length for NORMAL_CHAR_PX letters (Crete-Roffet use 9)
MIN_PAPER = 95.0           # grey level of the paper (bright percentile); under a shadow or at night it sinks
INK_CONTRAST = 90.0        # darkest text pixels sit this far below the paper (photocopies included)
CUT_LINES = 3              # text lines cut by one edge before the page counts as cut off
MIN_DPI = 140.0            # Tesseract needs ~20 px x-height; 150-dpi body text is at the edge of that
TEXT_HEIGHT_PT = 5.8       # median height of a letter-sized blob in 10-13 pt body text (calibrated)
NORMAL_CHAR_PX = 24.0      # blur is measured after scaling the text to this median blob height
MIN_SHARPNESS = 0.0        # kept for callers of the old gate; the verdict now uses MAX_BLUR_EFFECT

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
    return interpolated_median(letters) if len(letters) >= 20 else 0.0


def interpolated_median(values: np.ndarray) -> float:
    """Median of whole-pixel measurements read as a continuous quantity (grouped-data median: each
    integer h stands for [h - 0.5, h + 0.5)). The plain median of integer heights jumps by a whole pixel
    when one letter more or less falls on either side, which on 9-10 px letters moved the blur verdict
    of the same photo from 0.62 to 0.76 (an OpenCV 4 -> 5 change in interpolation rounding was enough)."""
    ints = np.round(np.asarray(values, np.float64)).astype(np.int64)
    if ints.size == 0:
        return 0.0
    m = int(np.median(ints))
    below = int((ints < m).sum())
    at = int((ints == m).sum())
    if at == 0:  # an even count straddling two values: np.median already interpolated
        return float(np.median(ints))
    return float(m - 0.5 + (ints.size / 2 - below) / at)


def _letter_mask(small: np.ndarray) -> np.ndarray:
    """Letter-sized blobs' boxes as 255: blur is judged on text, not on a photo, emblem or guilloche."""
    from scanner.orientation import find_letters

    mask = np.zeros(small.shape, np.uint8)
    letters = find_letters(small)
    for x, y, w, h in letters.boxes:
        mask[y:y + h, x:x + w] = 255
    return mask


def _densest_window(mask: np.ndarray, side: int) -> tuple[int, int]:
    """Top-left corner of the side x side window of `mask` holding the most of it."""
    side = max(3, min(side, *mask.shape))
    density = cv2.boxFilter((mask > 0).astype(np.float32), -1, (side, side), normalize=False,
                            borderType=cv2.BORDER_CONSTANT)
    y, x = np.unravel_index(int(np.argmax(density)), density.shape)
    return max(0, x - side // 2), max(0, y - side // 2)


def text_blur(grey: np.ndarray, char_px: float, small_scale: float, small: np.ndarray) -> tuple[float, float]:
    """(blur effect 0..1, Laplacian variance) on the densest text of the page at full resolution, scaled
    so letters are NORMAL_CHAR_PX tall: the same verdict for a 600-dpi scan, a 200-dpi scan and a phone
    photo, and only letters count (not an ID photo, an emblem or a guilloche pattern)."""
    scale = float(np.clip(NORMAL_CHAR_PX / char_px, 0.1, 3.0)) if char_px > 0 else 1.0
    window = int(600 / scale)  # full-resolution pixels that become a 600-px square
    letters_small = _letter_mask(small)
    x, y = _densest_window(letters_small, max(3, int(window * small_scale)))
    x, y = int(x / small_scale), int(y / small_scale)
    crop = grey[y:y + window, x:x + window]
    if crop.size == 0:
        return 0.0, 0.0
    # shrink big letters to the normal size; small letters are not enlarged (interpolation would add its
    # own smoothness) — the re-blur kernel shrinks with them instead
    shrink = min(1.0, scale)
    size = (max(1, round(crop.shape[1] * shrink)), max(1, round(crop.shape[0] * shrink)))
    if shrink < 1.0:
        crop = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
    crop = crop.astype(np.float32)
    reblur_px = max(3.0, REBLUR_PX * shrink / scale)  # fractional: see box_kernel
    sx0, sy0, side = int(x * small_scale), int(y * small_scale), int(window * small_scale) + 1
    near = letters_small[sy0:sy0 + side, sx0:sx0 + side]
    if near.size == 0 or not near.any():
        return 0.0, 0.0
    near = cv2.resize(cv2.dilate(near, np.ones((3, 3), np.uint8)), size, interpolation=cv2.INTER_NEAREST) > 0
    laplacian = float(cv2.Laplacian(crop, cv2.CV_32F, ksize=3)[near].var())
    return blur_effect(crop, near, reblur_px), laplacian


def box_kernel(length: float) -> np.ndarray:
    """A 1-D moving average `length` pixels long, fractional lengths allowed (the two end taps carry the
    fraction). Rounding the re-blur to whole pixels made the verdict jump: on letters 9-10 px tall the
    kernel is 3-4 px, and 3 vs 4 moved the blur effect of one photo by 0.13."""
    length = max(1.0, float(length))
    core = int(np.floor((length - 1) / 2)) * 2 + 1        # odd number of full taps
    end = (length - core) / 2                            # weight of each extra end tap, in [0, 1)
    taps = np.ones(core + 2 if end > 1e-9 else core, np.float32)
    if end > 1e-9:
        taps[0] = taps[-1] = end
    return taps / taps.sum()


def blur_effect(crop: np.ndarray, where: np.ndarray, reblur_px: float = 9) -> float:
    """Crete-Roffet et al. (2007) "blur effect": blur the image once more and see how much of its
    neighbour-to-neighbour variation is lost. A sharp image loses much (score near 0), an already
    blurred one little (towards 1). Independent of ink contrast, so photocopies are not "blurry"."""
    worst = 0.0
    taps = box_kernel(reblur_px)
    for axis, kernel in ((1, taps[None, :]), (0, taps[:, None])):
        d = np.abs(np.diff(crop, axis=axis))
        db = np.abs(np.diff(cv2.filter2D(crop, -1, kernel, borderType=cv2.BORDER_REFLECT_101), axis=axis))
        mask = where[:, 1:] if axis == 1 else where[1:, :]
        total = float(d[mask].sum())
        if total > 0:
            worst = max(worst, 1.0 - float(np.maximum(0, d - db)[mask].sum()) / total)
    return worst


def content_touches_edge(grey: np.ndarray) -> bool:
    """Text lines run off the page: several line-shaped runs of letters are cut by the same image border.
    Single blobs at the border are not enough (a card's guilloche pattern or toner is cut there too)."""
    from scanner.orientation import find_letters, line_boxes

    letters = find_letters(grey, ink_mask_no_margin(grey))  # the frame kept: text may end right at it
    if letters.size == 0:
        return False
    h, w = grey.shape
    paper = paper_level(grey)
    per_edge = np.zeros(4, int)  # left, right, top, bottom
    for x0, y0, x1, y1 in line_boxes(grey, letters, limit=1000, min_length=1.5):
        edges = [x0 <= 1, x1 >= w - 1, y0 <= 1, y1 >= h - 1]
        # printed text is dark ink; a card's guilloche or a watermark is a light tint of the paper
        if any(edges) and np.percentile(grey[y0:y1, x0:x1], 5) <= paper - INK_CONTRAST:
            per_edge += edges
    # several lines cut by the same edge; one or two short runs there are often a background pattern
    return bool(per_edge.max() >= CUT_LINES)


def ink_mask_no_margin(grey: np.ndarray) -> np.ndarray:
    block = max(15, (min(grey.shape[:2]) // 40) | 1)
    return cv2.adaptiveThreshold(cv2.medianBlur(grey, 3), 255, cv2.ADAPTIVE_THRESH_MEAN_C,
                                 cv2.THRESH_BINARY_INV, block, 15)


def paper_level(small: np.ndarray) -> float:
    """How bright the paper is: a high percentile, so text, photos and dark table edges do not count."""
    return float(np.percentile(small, 90))


def assess(archival_grey: np.ndarray, dpi: float | None, *, quad_cut: bool = False, photo: bool = False
           ) -> Quality:
    """Verdict for a prepared page. `dpi` None means unknown (photo): estimate it from the text height.
    `quad_cut` is the page finder's observation that the sheet runs out of the photo; for a photo that is
    the cut-off test (the warped edge carries slivers of table that look like cut letters)."""
    small = working_copy(archival_grey, 1600)
    small_scale = small.shape[1] / archival_grey.shape[1]
    char_small = letter_height(small)
    char_full = char_small / small_scale
    dpi_estimate = char_full / TEXT_HEIGHT_PT * 72.0 if char_full else 0.0
    effect, laplacian = text_blur(archival_grey, char_full, small_scale, small) if char_full else (0.0, 0.0)
    brightness = float(small.mean())
    paper = paper_level(small)
    reasons = []
    if char_full == 0:
        reasons.append(REASONS["no_text"])
    elif effect > MAX_BLUR_EFFECT:
        reasons.append(REASONS["blur"])
    if paper < MIN_PAPER:
        reasons.append(REASONS["dark"])
    effective_dpi = dpi if dpi else dpi_estimate
    if char_full and effective_dpi and effective_dpi < MIN_DPI:
        reasons.append(REASONS["low_res"])
    cut = quad_cut if photo else content_touches_edge(small)
    if cut:
        reasons.append(REASONS["cut_off"])
    # an empty page (a blank back side) is worth a note but not a retake
    retake = any(r != REASONS["no_text"] for r in reasons)
    return Quality(retake=retake, reasons=reasons, blur=laplacian, brightness=brightness,
                   dpi_estimate=dpi_estimate, cut_off=cut, blur_effect=effect, paper_level=paper)
