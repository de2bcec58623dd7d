"""One source page -> one clean upright page: find and flatten a photographed sheet, deskew, turn upright,
make the OCR copy, judge quality. Every step taken is recorded for the JSON report."""
from __future__ import annotations

import logging
from pathlib import Path

import cv2
import numpy as np

from scanner import cleanup, deskew, orientation
from scanner.intake import read_pages
from scanner.page_finding import find_page, warp_page
from scanner.quality import assess
from scanner.types import LineReader, PreparedPage, Quad, SourcePage

log = logging.getLogger(__name__)

MIN_SKEW = 0.05  # degrees; below this a rotation only resamples (and softens) the archival image
DEFAULT_DPI = 300.0


def prepare_page(page: SourcePage, *, photo: bool | None = None, binarisation: str = "grey",
                 read_line: LineReader | None = None) -> PreparedPage:
    """`photo`: None decides from the image (a sheet against a visible background), True forces page
    finding, False treats the image as a flat scan. `read_line`: the OCR stage's line reader, with which
    orientation tells upright from upside-down text (without it only Tesseract OSD, when confident)."""
    rgb = page.image
    steps: list[str] = []
    if page.exif_rotated:
        steps.append(f"exif_rotate:{page.exif_rotated}")
    crop: Quad | None = None
    quad_cut = False
    if photo is not True and is_text_crop(rgb):
        return _prepare_crop(page, steps, binarisation)
    if photo is not False:
        found = find_page(rgb)
        if found is not None and (photo or found.is_photo):
            crop = found.quad
            quad_cut = found.touches_frame
            rgb = warp_page(rgb, found.quad)
            steps.append("page_warp")
        elif photo:
            steps.append("page_not_found")
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)

    content_angle = deskew.estimate_skew(grey)
    skew = -content_angle if abs(content_angle) >= MIN_SKEW else 0.0
    if skew:
        grey = deskew.rotate_image(grey, skew, border=255)
        steps.append(f"deskew:{skew:+.2f}")

    rotation = orientation.detect_rotation(grey, read_line=read_line)
    if rotation:
        grey = orientation.turn_clockwise(grey, rotation)
        steps.append(f"rotate:{rotation}")
        if crop is not None:  # name the corners after the upright page, not the photo
            crop = tuple(np.roll(np.array(crop), rotation // 90, axis=0).tolist())  # type: ignore[assignment]
    # the archival colour page: deskew and turn in one warp from the source pixels (one full-size copy)
    rgb = deskew.rotate_image(rgb, skew, border=(255, 255, 255), then_turn=rotation)
    if crop is not None:
        crop = tuple((float(x), float(y)) for x, y in crop)  # type: ignore[assignment]

    ocr_image = cleanup.ocr_copy(grey, binarisation)
    steps.append(f"cleanup:{binarisation}")
    quality = assess(grey, page.dpi, quad_cut=quad_cut, photo=crop is not None)
    steps.append("quality:" + ("retake" if quality.retake else "ok"))
    if page.dpi and crop is None:
        dpi = float(page.dpi)
    elif quality.dpi_estimate:
        dpi = float(round(quality.dpi_estimate))
    else:
        dpi = DEFAULT_DPI
    return PreparedPage(source=page.source, page_index=page.page_index, archival=np.ascontiguousarray(rgb),
                        ocr_image=ocr_image, dpi=dpi, rotation=rotation, skew_angle=float(skew),
                        crop_quad=crop, quality=quality, steps=steps)


# A crop of a few text lines or a word (a field cut from a card, a receipt line) is not a page: no sheet to
# find in it, no page-level skew to measure from one line, no page to turn. Measured on the own benchmark's
# line and word crops (bench/ocr_classes.py): page finding "found" a sheet inside 2 of 8 crops and cut the
# text, and the page steps cost 0.3-0.5 s per crop for nothing.
CROP_MAX_LINES = 3.5   # image height in text lines (letter height x 2) up to which an image is a crop
CROP_MIN_BLOBS = 1


def is_text_crop(rgb: np.ndarray) -> bool:
    """True for an image at most a few text lines tall (or too small to hold a page): measured from the
    median height of its ink blobs, Otsu-binarised, whichever polarity the text has."""
    h, w = rgb.shape[:2]
    if min(h, w) < 32:
        return True
    if h > 1500 and w > 1500:  # cheap exit: a page-sized image
        return False
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY) if rgb.ndim == 3 else rgb
    if int(grey.max()) - int(grey.min()) < 40:
        return max(h, w) < 400
    _, ink = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    if np.count_nonzero(ink) > 0.5 * ink.size:
        ink = 255 - ink
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    heights = stats[1:, cv2.CC_STAT_HEIGHT][(stats[1:, cv2.CC_STAT_AREA] >= 4)
                                            & (stats[1:, cv2.CC_STAT_HEIGHT] < 0.95 * h)]
    if heights.size < CROP_MIN_BLOBS:
        return max(h, w) < 400
    letter = float(np.percentile(heights, 75))  # the letters, not the JPEG specks and tone marks beside them
    return h <= CROP_MAX_LINES * 2.0 * letter


def _prepare_crop(page: SourcePage, steps: list[str], binarisation: str) -> PreparedPage:
    """A text crop: only the OCR copy and a quality note (no page-level steps)."""
    rgb = np.ascontiguousarray(page.image)
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    steps.append("text_crop")
    # no illumination flattening: a crop is evenly lit, and its estimate of the paper (a max filter a
    # thirtieth of the image wide) would be narrower than the strokes of its letters and wash them out
    ocr_image = cleanup.ocr_copy(grey, binarisation, flatten=False)
    steps.append(f"cleanup:{binarisation}")
    quality = assess(grey, page.dpi, photo=True)  # a crop's text touches its edges by design: not "cut off"
    quality.retake, quality.reasons = False, [r for r in quality.reasons if "no text" in r]
    steps.append("quality:ok")
    return PreparedPage(source=page.source, page_index=page.page_index, archival=rgb, ocr_image=ocr_image,
                        dpi=float(page.dpi or DEFAULT_DPI), rotation=0, skew_angle=0.0, crop_quad=None,
                        quality=quality, steps=steps)


def prepare_file(path: Path, dpi: int = 300, read_line: LineReader | None = None) -> list[PreparedPage]:
    """Every page of a file, prepared. Raises scanner.errors.IntakeError when the file cannot be read."""
    return [prepare_page(page, read_line=read_line) for page in read_pages(Path(path), dpi=dpi)]
