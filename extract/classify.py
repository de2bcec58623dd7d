"""Which document is this page? Weighted anchor phrases from each profile, fuzzy and accent-insensitive.

Why phrases: every Vietnamese civil document prints its title and fixed labels; those survive new layouts
and poor captures far better than any geometry. The page aspect ratio only separates cards from sheets.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from extract.locate import find_label
from extract.profiles import Anchor, Profile
from extract.textutil import fold, tokenize_words
from ocr.types import OcrPage

UNKNOWN_REASON = "không nhận ra loại giấy tờ (document type not recognised)"


@dataclass
class Classification:
    doc_type: str               # profile name or "unknown"
    confidence: float
    reason: str = ""
    scores: dict[str, float] = field(default_factory=dict)


def _anchor_found(anchor: Anchor, token_rows: list, raw_text: str) -> bool:
    if anchor.regex:
        return re.search(anchor.regex, raw_text) is not None
    label = fold(anchor.phrase)
    return any(find_label(tokens, label) for tokens in token_rows)


def score_profile(profile: Profile, token_rows: list, raw_text: str, aspect: float | None) -> tuple[float, float]:
    """(score, the most the profile could score)."""
    rec = profile.recognise
    total = sum(a.weight for a in rec.anchors)
    score = sum(a.weight for a in rec.anchors if _anchor_found(a, token_rows, raw_text))
    score -= sum(a.weight for a in rec.negative if _anchor_found(a, token_rows, raw_text))
    if rec.aspect and aspect is not None and not (rec.aspect[0] <= aspect <= rec.aspect[1]):
        score -= total / 2
    return score, total


def classify(page: OcrPage, profiles: dict[str, Profile]) -> Classification:
    """The best profile with a confidence in 0..1, or 'unknown' with the reason."""
    token_rows = [tokenize_words([w.text for w in line.words]) for line in page.lines]
    raw_text = page.text
    aspect = page.width / page.height if page.width and page.height else None
    scores: dict[str, float] = {}
    ratios: dict[str, float] = {}
    for name, profile in profiles.items():
        score, total = score_profile(profile, token_rows, raw_text, aspect)
        scores[name] = score
        ratios[name] = score / total if total else 0.0
    if not scores:
        return Classification("unknown", 0.0, UNKNOWN_REASON)
    ranked = sorted(scores, key=lambda n: (scores[n], ratios[n]), reverse=True)
    best = ranked[0]
    if scores[best] < profiles[best].recognise.min_score:
        return Classification("unknown", 0.0, UNKNOWN_REASON, scores)
    confidence = min(1.0, ratios[best] * 1.5)
    if len(ranked) > 1 and scores[ranked[1]] > 0:
        margin = (scores[best] - scores[ranked[1]]) / scores[best]
        confidence *= min(1.0, 0.5 + margin)
    return Classification(best, round(confidence, 3), "", scores)
