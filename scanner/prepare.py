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


def prepare_file(path: Path, dpi: int = 300, read_line: LineReader | None = None) -> list[PreparedPage]:
    """Every page of a file, prepared. Raises scanner.errors.IntakeError when the file cannot be read."""
    return [prepare_page(page, read_line=read_line) for page in read_pages(Path(path), dpi=dpi)]
