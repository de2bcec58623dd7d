"""Per-field status: accepted (safe without a human), needs_review, or invalid (a rule broke).

Why this shape: the reviewers' time is the cost; the target is that accepted fields are >= 99.5% right.
So a field is accepted only when the OCR was sure AND something independent agrees: a validator, a closed
list, a strict pattern, or (for free text) every syllable being a real Vietnamese syllable. On profiles
whose values may be handwritten, the bar is higher and free text needs the syllable check as well. An
MRZ whose check digits pass is independent evidence by itself (source "mrz"). Thresholds live in
extract/data/thresholds.toml so the benchmark can calibrate them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from extract.data import thresholds
from extract.types import FieldValue, Status

NOT_FOUND = "không tìm thấy trên trang (not found on the page)"
LOW_CONFIDENCE = "OCR không chắc chắn (uncertain OCR reading)"
UNCHECKED_TEXT = "chữ không kiểm chứng được, cần xem lại (reading cannot be checked: review)"
MAYBE_HANDWRITTEN = "có thể là chữ viết tay, cần xem lại (may be handwritten: review)"
REGION_ONLY = "không thấy nhãn, đọc theo vị trí (label not found, read by position)"
DOC_UNCERTAIN = "loại giấy tờ chưa chắc chắn (document type uncertain)"


@dataclass
class Evidence:
    """What is known about one field's reading."""
    value: str
    mean_confidence: float = 0.0
    min_confidence: float = 0.0
    found: bool = True
    normalized: bool = True         # the normaliser could make sense of the text
    checked: bool = False           # closed list / strict pattern matched
    exact: bool = False             # closed list matched letter for letter, tone marks included
    agreed: str = ""                # another independent reading agreeing with this one (its description)
    validated: bool = False         # at least one validator ran and passed
    failures: list[str] = field(default_factory=list)  # validator messages
    reason: str = ""                # the normaliser's reason when it failed
    method: str = "label"           # label | region | find | mrz | reocr
    handwriting_possible: bool = False
    mrz_verified: bool = False
    doc_confident: bool = True


def syllables_ok(text: str) -> bool:
    """Every letter run is a Vietnamese syllable (or a known non-syllable token such as an abbreviation).
    A free-text reading that passes this is much less likely to be an OCR guess."""
    try:
        from ocr.vietnamese import is_valid_syllable
    except ImportError:  # OCR stage missing: no evidence either way
        return False
    if re.search(r"[()\[\]{}|#@*_=<>~^$%&!?\\\"“”]", text):
        return False  # OCR specks and stray brackets inside words: not clean text
    runs = [m.group(0) for m in re.finditer(r"[^\W\d_]+", text)
            if not (m.start() and text[m.start() - 1].isdigit())]  # units glued to numbers: 1cm, 12m
    if not runs:
        return False
    for run in runs:
        if run.lower() in ("m", "m²", "km", "km²", "ha", "cm"):
            continue  # area/length units ("200 m²")
        if len(run) == 1 and run.isupper():
            continue  # initials, section letters
        if run.isupper() and len(run) <= 5 and not is_valid_syllable(run):
            continue  # abbreviations: TP, UBND, ONT
        if not is_valid_syllable(run):
            return False
    return True


def decide(ev: Evidence, limits: dict[str, float] | None = None) -> tuple[float, Status, str]:
    """-> (confidence 0..1, status, reason)."""
    t = limits or thresholds()
    if ev.mrz_verified:
        return 1.0, "accepted", ""
    if not ev.found or not ev.value:
        return 0.0, "needs_review", NOT_FOUND
    conf = ev.mean_confidence
    if ev.method == "region":
        conf = min(conf, t["region_fallback_cap"])
    conf = round(max(0.0, min(1.0, conf)), 3)
    if ev.failures:
        return conf, "invalid", "; ".join(ev.failures)
    if not ev.normalized:
        return conf, "needs_review", ev.reason or LOW_CONFIDENCE
    if not ev.doc_confident:
        return conf, "needs_review", DOC_UNCERTAIN
    if ev.method == "region":
        return conf, "needs_review", REGION_ONLY
    if ev.min_confidence < t["min_word"]:
        return conf, "needs_review", LOW_CONFIDENCE
    trusted = ev.checked or ev.validated or bool(ev.agreed)
    if ev.exact and conf >= t.get("accept_closed_list_exact", 1.0):
        # a reading that IS a listed spelling (marks and all) was not guessed, typed or handwritten
        return conf, "accepted", ""
    # free text: one misread tone mark is one wrong word, so every word must be sure, not just the mean
    text_ok = trusted or (syllables_ok(ev.value) and ev.min_confidence >= t.get("free_text_min_word", 0.0))
    if ev.handwriting_possible:
        need = t["accept_handwriting_possible"] if trusted else t.get("accept_handwriting_free_text", 1.0)
        if conf >= need and text_ok:
            return conf, "accepted", ""
        return conf, "needs_review", MAYBE_HANDWRITTEN
    if trusted and conf >= t["accept_validated"]:
        return conf, "accepted", ""
    if text_ok and conf >= t["accept_free_text"]:
        return conf, "accepted", ""
    return conf, "needs_review", LOW_CONFIDENCE if text_ok else UNCHECKED_TEXT


def field_value(ev: Evidence, box=None, page: int = 0, source: str = "ocr",
                limits: dict[str, float] | None = None) -> FieldValue:
    conf, status, reason = decide(ev, limits)
    return FieldValue(value=ev.value, confidence=conf, status=status, reason=reason, box=box, page=page,
                      source="mrz" if ev.mrz_verified else source)
