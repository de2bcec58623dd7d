"""What the scanner stage hands to OCR: one prepared page."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

LineReader = Callable[[np.ndarray], float]
"""How well a crop of ONE text line (grey uint8, letters ~30 px tall) reads as text: higher = more real
words read with confidence. The orientation step reads the longest lines both ways up with it. The OCR
stage supplies it (ocr.reading.line_reader); the scanner never imports the OCR stage."""

Quad = tuple[tuple[float, float], tuple[float, float], tuple[float, float], tuple[float, float]]


@dataclass
class Quality:
    """Quality-gate verdict. `retake` is True when the operator should rescan now; `reasons` say why in
    plain Vietnamese with an English gloss, e.g. "ảnh bị mờ (blurry)"."""
    retake: bool
    reasons: list[str] = field(default_factory=list)
    blur: float = 0.0          # variance of the Laplacian on the densest text, letters scaled to 24 px (higher = sharper)
    brightness: float = 0.0    # mean grey level 0..255 of the archival image
    dpi_estimate: float = 0.0  # estimated from text height when the file carries no dpi
    cut_off: bool = False      # content touches a page edge
    blur_effect: float = 0.0   # Crete-Roffet blur effect on letters scaled to 24 px, 0 sharp..1 flat (the verdict)
    paper_level: float = 0.0   # grey level of the paper (90th percentile); the darkness verdict uses it


@dataclass
class SourcePage:
    """One page as read from a file, before any correction. `image` is RGB uint8 (H, W, 3)."""
    source: str        # the file path as given
    page_index: int    # 0-based page within the file (multi-page TIFF/PDF)
    image: np.ndarray
    dpi: float | None  # from file metadata, None when unknown
    exif_rotated: int = 0  # degrees already applied from EXIF orientation


@dataclass
class PreparedPage:
    """A clean upright page. The archival image (colour/grey, undamaged) goes into PDFs; the OCR image
    (grey or binary, illumination-flattened) goes to Tesseract. Both share one coordinate system."""
    source: str
    page_index: int
    archival: np.ndarray   # RGB uint8, upright, deskewed, cropped to the page
    ocr_image: np.ndarray  # uint8 single channel, same size as `archival`
    dpi: float
    rotation: int          # coarse rotation applied, one of 0/90/180/270 (clockwise)
    skew_angle: float      # fine deskew applied, degrees (positive = counter-clockwise correction)
    crop_quad: Quad | None # document corners found in the source image (phone photos), else None
    quality: Quality
    steps: list[str] = field(default_factory=list)  # what was done, in order, for the JSON report
