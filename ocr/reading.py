"""The OCR stage's answer to the scanner's question "does this line read?" (scanner.types.LineReader).

The scanner tells upright from upside-down text by reading its longest lines both ways up; it gets this
reader injected by whoever runs both stages (hot-folder worker, commands, benchmarks), so scanner/ never
imports ocr/ and the worker keeps one Tesseract in memory, not two.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ocr.vietnamese import is_valid_syllable


def valid_letters(words: list[tuple[str, float]]) -> float:
    """Confidence-weighted count of letters in words that are real Vietnamese syllables (or numbers).
    Text read upside down is mostly non-words with low confidence."""
    score = 0.0
    for text, conf in words:
        token = text.strip(".,:;()-/'\"“”")
        if len(token) < 2:
            continue
        if token.isdigit() or is_valid_syllable(token):
            score += len(token) * conf
    return score


def line_reader(engine=None) -> Callable[[np.ndarray], float]:
    """A LineReader on `engine` (default: this process's shared engine, built on first use)."""

    def read(crop: np.ndarray) -> float:
        from ocr.engine import get_engine

        eng = engine or get_engine()
        page = eng.read_region(crop, (0, 0, crop.shape[1], crop.shape[0]), psm=7)
        return valid_letters([(w.raw_text or w.text, w.confidence) for w in page.words])

    return read
