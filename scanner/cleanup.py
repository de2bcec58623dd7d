"""The OCR copy of a page: illumination flattened, lightly denoised, optionally binarised. The archival image
is never touched here. Which binarisation reads best is for the OCR benchmark to decide; grey + flattened is
the default because Tesseract binarises internally and a second threshold can only lose tone marks."""
from __future__ import annotations

import cv2
import numpy as np

BINARISATIONS = ("grey", "otsu", "sauvola")


def flatten_illumination(grey: np.ndarray) -> np.ndarray:
    """Divide by the paper's own brightness: a max filter wider than any stroke removes the text, a blur
    smooths it, and the ratio makes the paper uniformly white while keeping the ink's contrast. Done on a
    quarter-size copy because the light varies slowly."""
    h, w = grey.shape
    scale = 0.25 if min(h, w) > 400 else 1.0
    small = cv2.resize(grey, (max(1, int(w * scale)), max(1, int(h * scale))), interpolation=cv2.INTER_AREA)
    k = max(3, int(min(small.shape) / 30) | 1)
    background = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    background = cv2.GaussianBlur(background, (0, 0), k / 2)
    background = cv2.resize(np.maximum(background, 1), (w, h), interpolation=cv2.INTER_LINEAR)
    return cv2.divide(grey, background, scale=255.0)  # uint8 in and out: no full-page float copy


def noise_sigma(grey: np.ndarray) -> float:
    """Robust noise level (median absolute deviation of a Laplacian-like residual, Immerkær-style)."""
    h, w = grey.shape
    crop = grey[max(0, h // 2 - 512):h // 2 + 512, max(0, w // 2 - 512):w // 2 + 512]  # a sample suffices
    residual = crop.astype(np.float32) - cv2.medianBlur(crop, 3).astype(np.float32)
    return float(1.4826 * np.median(np.abs(residual)))


def denoise(grey: np.ndarray) -> np.ndarray:
    """A 3×3 median only when the page is noisy (photocopy grain, phone sensor noise): on a clean scan it
    would only erode the thin tone marks."""
    return cv2.medianBlur(grey, 3) if noise_sigma(grey) >= 2.0 else grey


def sauvola(grey: np.ndarray, window: int = 41, k: float = 0.2, r: float = 128.0) -> np.ndarray:
    """Sauvola's local threshold T = m (1 + k (s / r - 1)), from box-filtered mean and variance."""
    img = grey.astype(np.float64)
    mean = cv2.boxFilter(img, -1, (window, window), borderType=cv2.BORDER_REFLECT)
    sq = cv2.boxFilter(img * img, -1, (window, window), borderType=cv2.BORDER_REFLECT)
    std = np.sqrt(np.maximum(sq - mean * mean, 0))
    threshold = mean * (1 + k * (std / r - 1))
    return np.where(img > threshold, 255, 0).astype(np.uint8)


def ocr_copy(grey: np.ndarray, binarisation: str = "grey", flatten: bool = True) -> np.ndarray:
    """The image handed to OCR, same size as the input. `flatten`: divide out uneven light (pages)."""
    if binarisation not in BINARISATIONS:
        raise ValueError(f"binarisation must be one of {BINARISATIONS}")
    flat = denoise(flatten_illumination(grey) if flatten else grey)
    if binarisation == "otsu":
        return cv2.threshold(flat, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1]
    if binarisation == "sauvola":
        return sauvola(flat)
    return flat
