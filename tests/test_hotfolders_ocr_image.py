"""The prepared (OCR) image the review app shows: grey pages as JPEG (fast, visually lossless), binary
pages as lossless PNG."""
from __future__ import annotations

import numpy as np
from PIL import Image

from hotfolders.real_processor import save_ocr_image


def _page(binary: bool) -> np.ndarray:
    rng = np.random.default_rng(5)
    img = np.full((200, 160), 235, np.uint8)
    img[40:60, 20:140] = 30  # a "text line"
    img[100:104, 10:150] = 90
    if binary:
        return np.where(img < 128, 0, 255).astype(np.uint8)
    return np.clip(img.astype(int) + rng.integers(-6, 7, img.shape), 0, 255).astype(np.uint8)


def test_grey_ocr_image_is_a_close_jpeg(tmp_path):
    grey = _page(binary=False)
    path = save_ocr_image(grey, tmp_path / "page-0000-ocr", binary=False)
    assert path.name == "page-0000-ocr.jpg"
    with Image.open(path) as im:
        assert im.format == "JPEG" and im.mode == "L" and im.size == (160, 200)
        back = np.asarray(im, dtype=np.int16)
    assert np.abs(back - grey).mean() < 3.0


def test_binary_ocr_image_stays_lossless_png(tmp_path):
    binary = _page(binary=True)
    path = save_ocr_image(binary, tmp_path / "page-0003-ocr", binary=True)
    assert path.name == "page-0003-ocr.png"
    with Image.open(path) as im:
        assert im.format == "PNG"
        assert np.array_equal(np.asarray(im), binary)
