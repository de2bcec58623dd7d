"""Coarse orientation (0/90/180/270) of a deskewed page. Two approaches are kept for measurement:

* `text_statistic`: lines run along rows or columns (profile spikiness picks which), then up versus down from
  where the ink sits around each line's x-height band. Latin capitals, digits, ascenders and — decisively
  for Vietnamese — tone marks and circumflexes stand above the band; only a few descenders hang below.
* `tesseract_osd`: Tesseract's orientation-and-script detection (osd.traineddata).

Both return the clockwise rotation to APPLY to make the page upright.
"""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

import cv2
import numpy as np

from scanner.deskew import _ink_points, _profile_score, ink_mask, working_copy

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


def text_statistic(grey: np.ndarray) -> int:
    base = 90 if lines_are_vertical(grey) else 0
    turned = turn_clockwise(grey, base)
    return base if up_down_score(turned) >= 0 else (base + 180) % 360


_OSD = threading.local()


def tesseract_osd(grey: np.ndarray) -> int:
    """Tesseract OSD through tesserocr (one API object per thread, kept alive). Falls back to 0 when OSD
    cannot decide (too little text)."""
    import tesserocr
    from PIL import Image

    from sohoa.paths import tessdata_dir

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    api = getattr(_OSD, "api", None)
    if api is None:
        api = tesserocr.PyTessBaseAPI(path=tessdata_dir() or "", lang="osd", psm=tesserocr.PSM.OSD_ONLY)
        _OSD.api = api
    api.SetImage(Image.fromarray(working_copy(grey, 2000)))
    result = api.DetectOrientationScript()
    if not result:
        return 0
    # orient_deg is how far the page is turned clockwise (measured); undo it
    return (360 - int(result["orient_deg"])) % 360


METHODS: dict[str, Callable[[np.ndarray], int]] = {
    "text_statistic": text_statistic,
    "tesseract_osd": tesseract_osd,
}
def osd_or_statistic(grey: np.ndarray) -> int:
    """Tesseract OSD (measured best on the synth corpus); the text statistic when Tesseract is missing."""
    try:
        return tesseract_osd(grey)
    except (ImportError, RuntimeError) as exc:
        log.warning("Tesseract OSD unavailable (%s); using the text statistic", type(exc).__name__)
        return text_statistic(grey)


METHODS["osd_or_statistic"] = osd_or_statistic
KEPT_METHOD = "osd_or_statistic"  # chosen by `sohoa bench scanner`


def detect_rotation(grey: np.ndarray, method: str = KEPT_METHOD) -> int:
    """Clockwise degrees (0/90/180/270) to turn the deskewed page upright."""
    return METHODS[method](grey)
