"""Segmentation: which psm a page gets from its shape, what it measures and the caller's layout hint, and the
engine's fallback when psm 3's layout analysis collapses."""
from __future__ import annotations

import numpy as np
import pytest

from ocr.engine import OcrEngine, RawWord
from ocr.layout import (
    AUTO_LAYOUT,
    SINGLE_LINE,
    UNIFORM_BLOCK,
    check_layout,
    choose_psm,
    layout_collapsed,
    looks_like_card,
)

A4_300 = (3508, 2480)
CARD_300 = (638, 1011)  # ID-1 at 300 dpi, landscape
CARD_600 = (1276, 2022)


@pytest.mark.parametrize("shape", [CARD_300, CARD_600, (850, 1348), (1063, 1685)])
def test_card_shaped_pages_are_cards(shape: tuple[int, int]) -> None:
    assert looks_like_card(shape)


@pytest.mark.parametrize("shape", [A4_300, (2480, 3508), (1000, 1000), (1386, 1737)])
def test_a4_portrait_landscape_and_square_are_not_cards(shape: tuple[int, int]) -> None:
    assert not looks_like_card(shape)


def test_layout_hints_are_a_closed_vocabulary() -> None:
    assert [check_layout(h) for h in ("card", "form", "page", "line", None)] == ["card", "form", "page", "line", None]
    for unknown in ("KS", "cccd", "gcn", "auto", ""):
        with pytest.raises(ValueError, match="layout hint"):
            check_layout(unknown)


@pytest.mark.parametrize(("kind", "layout"), [
    ("KS", "form"), ("kt", "form"), ("KH", "form"), ("HN", "form"), ("CMC", "form"), ("ks", "form"),
    ("GCN", "page"), ("gcn_2014", "page"), ("CCCD", "card"), ("cmnd_front", "card"), ("cccd_back", "card"),
    ("auto", None), (None, None), ("", None)])
def test_folder_kinds_and_profiles_map_to_a_layout_hint(kind: str | None, layout: str | None) -> None:
    from extract.pipeline import layout_for_folder, layout_of

    assert (layout_of(kind.lower()) if kind and kind.lower() == kind else layout_for_folder(kind)) == layout


def test_forms_read_as_one_block_everything_else_with_layout_analysis() -> None:
    assert choose_psm(A4_300, "form") == UNIFORM_BLOCK
    assert choose_psm(A4_300, "page") == AUTO_LAYOUT
    assert choose_psm(A4_300, None) == AUTO_LAYOUT
    assert choose_psm(CARD_300, "card") == AUTO_LAYOUT
    assert choose_psm(A4_300, "line") == SINGLE_LINE


def test_card_shape_wins_over_a_form_hint() -> None:
    """An ID card dropped in a KS folder still has a photo and label columns."""
    assert choose_psm(CARD_300, "form") == AUTO_LAYOUT
    assert choose_psm((638, 1011, 3), "form") == AUTO_LAYOUT  # (H, W, C) colour shape


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


def _text_page(lines: int = 30, height: int = 2400) -> np.ndarray:
    """Portrait (not card-shaped), `lines` rows of letter-sized blobs: a page to the geometry measure."""
    page = np.full((height, 1700), 255, np.uint8)
    for row in range(lines):
        y = 100 + row * 70
        for x in range(100, 1500, 40):
            page[y:y + 30, x:x + 22] = 0
    return page


PAGE = _text_page()


def test_read_page_uses_the_hint_and_what_the_image_measures() -> None:
    engine = fake_engine({3: words("Họ", "và", "tên"), 6: words("Họ", "và", "tên"), 7: words("Họ")})
    engine.read_page(PAGE)
    engine.read_page(PAGE, layout="page")
    engine.read_page(PAGE, layout="form")
    engine.read_page(PAGE, layout="form", psm=11)
    engine.read_page(_text_page(lines=1, height=120))  # one line: single-line mode, whatever the hint ...
    engine.read_page(_text_page(lines=1, height=120), layout="form")
    engine.read_page(_text_page(lines=3, height=330))  # a few lines, no hint: one block
    # ... and a crop without a hint is also read the other way (block / line), the surer reading kept
    assert engine.backend.calls == [3, 3, 6, 11, 7, 6, 7, 6, 7]


def test_collapsed_layout_analysis_falls_back_to_one_block() -> None:
    engine = fake_engine({3: [], 6: words("Dân", "tộc:", "Kinh")})
    page = engine.read_page(PAGE, layout="page")
    assert engine.backend.calls == [3, 6]
    assert page.text == "Dân tộc: Kinh" and page.psm == UNIFORM_BLOCK


def test_fallback_keeps_the_first_reading_when_the_retry_is_no_better() -> None:
    engine = fake_engine({3: words("Dân", "tộc", conf=0.4), 6: words("@", conf=0.3)})
    page = engine.read_page(PAGE)
    assert engine.backend.calls == [3, 6]
    assert page.text == "Dân tộc" and page.psm == AUTO_LAYOUT


def test_border_and_ruling_glyphs_are_dropped_real_punctuation_kept() -> None:
    """A card's photo border read as "|" and toner read as "¬" were counted as text on photocopies."""
    from ocr.engine import drop_specks

    line = words("|", "Họ", "tên", "-", "¬", "PHẠM", "/", "ˆ")
    assert [w.text for w in drop_specks(line)] == ["Họ", "tên", "-", "PHẠM", "/"]
