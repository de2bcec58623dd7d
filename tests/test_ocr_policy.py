"""Segmentation policy: which psm a page gets from its shape and the caller's document hint, and the
engine's fallback when psm 3's layout analysis collapses."""
from __future__ import annotations

import numpy as np
import pytest

from ocr.engine import OcrEngine, RawWord
from ocr.policy import AUTO_LAYOUT, UNIFORM_BLOCK, choose_psm, hint_family, layout_collapsed, looks_like_card

A4_300 = (3508, 2480)
CARD_300 = (638, 1011)  # ID-1 at 300 dpi, landscape
CARD_600 = (1276, 2022)


@pytest.mark.parametrize("shape", [CARD_300, CARD_600, (850, 1348), (1063, 1685)])
def test_card_shaped_pages_are_cards(shape: tuple[int, int]) -> None:
    assert looks_like_card(shape)


@pytest.mark.parametrize("shape", [A4_300, (2480, 3508), (1000, 1000), (1386, 1737)])
def test_a4_portrait_landscape_and_square_are_not_cards(shape: tuple[int, int]) -> None:
    assert not looks_like_card(shape)


@pytest.mark.parametrize(("hint", "family"), [
    ("KS", "register"), ("kt", "register"), ("KH", "register"), ("HN", "register"), ("CMC", "register"),
    ("GCN", "gcn"), ("gcn_2014", "gcn"), ("CCCD", "card"), ("cmnd_front", "card"), ("cancuoc_back", "card"),
    ("auto", "unknown"), (None, "unknown"), ("", "unknown")])
def test_hint_families(hint: str | None, family: str) -> None:
    assert hint_family(hint) == family


def test_register_pages_read_as_one_block_everything_else_with_layout_analysis() -> None:
    assert choose_psm(A4_300, "KS") == UNIFORM_BLOCK
    assert choose_psm(A4_300, "kh") == UNIFORM_BLOCK
    assert choose_psm(A4_300, "GCN") == AUTO_LAYOUT
    assert choose_psm(A4_300, "auto") == AUTO_LAYOUT
    assert choose_psm(A4_300, None) == AUTO_LAYOUT
    assert choose_psm(CARD_300, "CCCD") == AUTO_LAYOUT


def test_card_shape_wins_over_a_register_hint() -> None:
    """An ID card dropped in a KS folder still has a photo and label columns."""
    assert choose_psm(CARD_300, "KS") == AUTO_LAYOUT
    assert choose_psm((638, 1011, 3), "KS") == AUTO_LAYOUT  # (H, W, C) colour shape


def test_layout_collapse_signals() -> None:
    assert layout_collapsed([])
    assert layout_collapsed([0.9, 0.9])
    assert layout_collapsed([0.3, 0.4, 0.2, 0.5])
    assert not layout_collapsed([0.9, 0.8, 0.95, 0.4])


class FakeBackend:
    """Answers per psm, records the calls: psm 3 finds nothing, psm 6 finds words."""
    name = "fake"

    def __init__(self, answers: dict[int, list[RawWord]]):
        self.answers, self.calls = answers, []

    def recognise(self, image, psm, dpi, whitelist):
        self.calls.append(psm)
        return list(self.answers.get(psm, []))

    def close(self) -> None:
        pass


def fake_engine(answers: dict[int, list[RawWord]], psm: int = 6) -> OcrEngine:
    engine = OcrEngine.__new__(OcrEngine)
    engine.lang, engine.psm, engine.correct, engine.dpi = "vie", psm, True, 300
    engine.reread = False  # these tests count the page-level calls; line re-reading is tested in test_ocr_engine
    engine.backend = FakeBackend(answers)
    return engine


def words(*texts: str, conf: float = 0.9) -> list[RawWord]:
    return [RawWord(t, (10 + 100 * i, 10, 90 + 100 * i, 40), conf, 0) for i, t in enumerate(texts)]


PAGE = np.full((600, 400), 255, np.uint8)  # portrait: not card-shaped
PAGE[100:120, 50:350] = 0


def test_read_page_uses_the_policy_only_when_given_a_hint() -> None:
    engine = fake_engine({3: words("Họ", "và", "tên"), 6: words("Họ", "và", "tên")})
    engine.read_page(PAGE)
    engine.read_page(PAGE, doc_hint="auto")
    engine.read_page(PAGE, doc_hint="KS")
    engine.read_page(PAGE, doc_hint="KS", psm=11)
    assert engine.backend.calls == [6, 3, 6, 11]


def test_collapsed_layout_analysis_falls_back_to_one_block() -> None:
    engine = fake_engine({3: [], 6: words("Dân", "tộc:", "Kinh")})
    page = engine.read_page(PAGE, doc_hint="GCN")
    assert engine.backend.calls == [3, 6]
    assert page.text == "Dân tộc: Kinh" and page.psm == UNIFORM_BLOCK


def test_fallback_keeps_the_first_reading_when_the_retry_is_no_better() -> None:
    engine = fake_engine({3: words("Dân", "tộc", conf=0.4), 6: words("@", conf=0.3)})
    page = engine.read_page(PAGE, doc_hint="auto")
    assert engine.backend.calls == [3, 6]
    assert page.text == "Dân tộc" and page.psm == AUTO_LAYOUT


def test_border_and_ruling_glyphs_are_dropped_real_punctuation_kept() -> None:
    """A card's photo border read as "|" and toner read as "¬" were counted as text on photocopies."""
    from ocr.engine import drop_specks

    line = words("|", "Họ", "tên", "-", "¬", "PHẠM", "/", "ˆ")
    assert [w.text for w in drop_specks(line)] == ["Họ", "tên", "-", "PHẠM", "/"]
