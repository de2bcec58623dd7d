"""Which page segmentation a full page gets, chosen from what we know: the page's shape and the caller's
document hint (the hot-folder kind KS/KT/KH/HN/CMC/GCN/CCCD, an extraction profile name, or "auto").

Why these rules (measured with `sohoa bench ocr`, per kind; see ocr/README or the bench's per-kind table):
  - ID cards (CCCD/CMND/Căn cước) hold a photo, an emblem and label/value columns side by side. psm 6 ("one
    uniform block") runs a label column, the photo and a value column into one line of garbage; psm 3
    (Tesseract's own layout analysis) finds the blocks. A card is recognised by its shape first (ISO ID-1,
    85.6 × 54 mm: landscape, aspect ≈ 1.59) so a card dropped in the wrong folder is still read as a card.
  - Civil-status register pages (KS/KT/KH/HN/CMC) are one column of "label: value" lines. psm 6 reads them
    as such and resists specks of a photocopy that psm 3's layout analysis turns into stray blocks.
  - Land certificates (GCN) and unknown pages mix headings, columns and tables: psm 3.
  - Whatever was chosen, `OcrEngine.read_page` falls back to psm 6 when psm 3's layout analysis found
    (almost) nothing on a page with ink, the known way psm 3 collapses (see `layout_collapsed`).
"""
from __future__ import annotations

AUTO_LAYOUT = 3   # Tesseract's layout analysis: columns, photos, headings
UNIFORM_BLOCK = 6  # one uniform block of text lines

REGISTER_HINTS = frozenset({"ks", "kt", "kh", "hn", "cmc", "register", "book"})
CARD_HINTS = frozenset({"cccd", "cmnd", "cancuoc", "cccd_front", "cccd_back", "cmnd_front", "cmnd_back",
                        "cancuoc_front", "cancuoc_back"})

CARD_ASPECT = 85.6 / 54.0  # ISO/IEC 7810 ID-1, 1.585
CARD_ASPECT_RANGE = (1.45, 1.75)  # crop margins and perspective move it a little; landscape A4 is 1.414


def looks_like_card(page_shape: tuple[int, ...]) -> bool:
    """Landscape with an ID-1 aspect ratio (A4 is portrait √2; a rotated A4 is 1.41 — outside tolerance)."""
    height, width = page_shape[:2]
    if height <= 0 or width <= height:
        return False
    low, high = CARD_ASPECT_RANGE
    return low <= width / height <= high


def hint_family(doc_hint: str | None) -> str:
    """"card", "register", "gcn" or "unknown" from a folder kind or a profile name (any case)."""
    hint = (doc_hint or "").strip().lower()
    if hint in CARD_HINTS or hint.startswith(("cccd", "cmnd", "cancuoc")):
        return "card"
    if hint in REGISTER_HINTS:
        return "register"
    if hint.startswith("gcn"):
        return "gcn"
    return "unknown"


def choose_psm(page_shape: tuple[int, ...], doc_hint: str | None = None) -> int:
    """The page segmentation mode for a full page of this shape and (optional) document hint."""
    if looks_like_card(page_shape):
        return AUTO_LAYOUT
    if hint_family(doc_hint) == "register":
        return UNIFORM_BLOCK
    return AUTO_LAYOUT


MIN_WORDS = 3
MIN_MEAN_CONFIDENCE = 0.5


def layout_collapsed(word_confidences: list[float]) -> bool:
    """psm 3 on a page with ink that returns (almost) no words, or words Tesseract itself doubts, has
    collapsed: its layout analysis took the text for noise or pictures (tilted or speckled pages)."""
    if len(word_confidences) < MIN_WORDS:
        return True
    return sum(word_confidences) / len(word_confidences) < MIN_MEAN_CONFIDENCE
