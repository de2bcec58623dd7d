"""Status rules: what may be accepted without a human (thresholds passed in, so the data file can change)."""
import pytest

from extract.confidence import (
    LOW_CONFIDENCE,
    MAYBE_HANDWRITTEN,
    NOT_FOUND,
    REGION_ONLY,
    UNCHECKED_TEXT,
    Evidence,
    decide,
    syllables_ok,
)

LIMITS = {"accept_validated": 0.80, "accept_free_text": 0.97, "accept_handwriting_possible": 0.93,
          "accept_handwriting_free_text": 0.97, "free_text_min_word": 0.90, "min_word": 0.60,
          "region_fallback_cap": 0.70, "reocr_below": 0.85, "doc_type_min": 0.5}


def ev(value="x", conf=0.98, low=None, **kw):
    return Evidence(value=value, mean_confidence=conf, min_confidence=conf if low is None else low, **kw)


@pytest.mark.parametrize("evidence, status, reason", [
    (ev("05.01.1990", 0.85, checked=True), "accepted", ""),
    (ev("05.01.1990", 0.75, checked=True), "needs_review", LOW_CONFIDENCE),
    (ev("Nguyễn Văn An", 0.98), "accepted", ""),
    (ev("Nguyễn Văn An", 0.95), "needs_review", LOW_CONFIDENCE),
    (ev("Nguyễn Văn An", 0.98, low=0.85), "needs_review", UNCHECKED_TEXT),   # one unsure word
    (ev("Ngu Yễnx Văn", 0.99), "needs_review", UNCHECKED_TEXT),             # not Vietnamese syllables
    (ev("An Bình) Nam Sách", 0.99), "needs_review", UNCHECKED_TEXT),        # stray bracket
    (ev("", 0.0, found=False), "needs_review", NOT_FOUND),
    (ev("1990", 0.99, failures=["ngày sinh sau ngày đăng ký (birth after registration)"]), "invalid",
     "ngày sinh sau ngày đăng ký (birth after registration)"),
    (ev("Kinh", 0.95, checked=True, handwriting_possible=True), "accepted", ""),
    (ev("Kinh", 0.90, checked=True, handwriting_possible=True), "needs_review", MAYBE_HANDWRITTEN),
    (ev("Nguyễn Văn An", 0.96, handwriting_possible=True), "needs_review", MAYBE_HANDWRITTEN),
    (ev("Nguyễn Văn An", 0.99, method="region"), "needs_review", REGION_ONLY),
    (ev("Nguyễn Văn An", 0.99, doc_confident=False), "needs_review", "loại giấy tờ chưa chắc chắn (document type uncertain)"),
    (ev("001190012345", 0.2, mrz_verified=True), "accepted", ""),
])
def test_decide(evidence, status, reason):
    _conf, got_status, got_reason = decide(evidence, LIMITS)
    assert (got_status, got_reason) == (status, reason)


def test_region_confidence_capped():
    conf, _, _ = decide(ev("abc", 0.99, method="region"), LIMITS)
    assert conf == 0.70


@pytest.mark.parametrize("text, ok", [("Số 12 Lê Lợi, phường Bến Nghé", True), ("200 m²; UBND xã", True),
                                      ("Sẹo chấm C: 1cm trên đầu mày", True), ("Nguyễn Vanx", False), ("", False)])
def test_syllables(text, ok):
    assert syllables_ok(text) is ok
