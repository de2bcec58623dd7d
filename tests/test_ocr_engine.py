"""Real OCR on rendered Vietnamese lines, through both backends."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr.engine import OcrEngine, get_engine, normalise_lang
from ocr.types import OcrPage

NOTO = "/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf"
NOTO_SANS = "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"
pytestmark = pytest.mark.slow


def render(lines: list[str], font: str = NOTO, size: int = 50, width: int = 2000) -> np.ndarray:
    """Lines of text at ~12 pt on a 300-dpi canvas, grey uint8."""
    face = ImageFont.truetype(font, size)
    img = Image.new("L", (width, 60 + 90 * len(lines)), 255)
    draw = ImageDraw.Draw(img)
    for i, text in enumerate(lines):
        draw.text((60, 30 + 90 * i), text, font=face, fill=0)
    return np.array(img)


@pytest.fixture(scope="module")
def engine() -> OcrEngine:
    return get_engine("vie", 6)


def test_reads_a_vietnamese_line_exactly(engine: OcrEngine) -> None:
    page = engine.read_page(render(["Họ và tên: Nguyễn Thị Thúy"]))
    assert page.text == "Họ và tên: Nguyễn Thị Thúy"
    assert [w.text for w in page.words] == ["Họ", "và", "tên:", "Nguyễn", "Thị", "Thúy"]
    assert all(0.5 < w.confidence <= 1.0 for w in page.words)
    boxes = [w.box for w in page.words]
    assert all(x0 < x1 and y0 < y1 for x0, y0, x1, y1 in boxes)
    assert [b[0] for b in boxes] == sorted(b[0] for b in boxes)  # left to right


def test_new_style_print_comes_out_old_style(engine: OcrEngine) -> None:
    page = engine.read_page(render(["Hoà Bình, khoẻ mạnh"], font=NOTO_SANS))
    assert page.text == "Hòa Bình, khỏe mạnh"
    assert "Hoà" in page.words[0].raw_text or page.words[0].raw_text == "Hòa"


def test_lines_in_reading_order(engine: OcrEngine) -> None:
    page = engine.read_page(render(["Quê quán: Hải Phòng", "Dân tộc: Kinh", "Quốc tịch: Việt Nam"]))
    assert [ln.text for ln in page.lines] == ["Quê quán: Hải Phòng", "Dân tộc: Kinh", "Quốc tịch: Việt Nam"]
    tops = [ln.box[1] for ln in page.lines]
    assert tops == sorted(tops)


def test_region_with_digit_whitelist_maps_boxes_to_page(engine: OcrEngine) -> None:
    image = render(["Số / No.: 079123456789", "Giới tính: Nữ"])
    page = engine.read_page(image)
    number = next(w for w in page.words if w.text.isdigit())
    region = engine.read_region(image, number.box, whitelist="0123456789")
    assert region.text == "079123456789"
    (word,) = region.words
    assert all(abs(a - b) <= 6 for a, b in zip(word.box, number.box, strict=True))  # page coordinates
    assert (region.width, region.height) == (image.shape[1], image.shape[0])


def test_empty_region_and_blank_page(engine: OcrEngine) -> None:
    blank = np.full((400, 600), 255, np.uint8)
    assert engine.read_page(blank).lines == []
    assert engine.read_region(blank, (10, 10, 10, 40)).lines == []


def test_pytesseract_fallback_gives_same_structure(engine: OcrEngine) -> None:
    image = render(["Nơi thường trú: Hà Nội", "Ngày sinh: 05.01.2010"])
    fallback = OcrEngine("vie", 6, backend="pytesseract")
    assert fallback.backend_name == "pytesseract"
    a, b = engine.read_page(image), fallback.read_page(image)
    assert isinstance(b, OcrPage)
    assert [ln.text for ln in b.lines] == [ln.text for ln in a.lines] == ["Nơi thường trú: Hà Nội",
                                                                          "Ngày sinh: 05.01.2010"]
    for wa, wb in zip(a.words, b.words, strict=True):
        assert all(abs(p - q) <= 4 for p, q in zip(wa.box, wb.box, strict=True))
        assert 0.0 <= wb.confidence <= 1.0
    region = fallback.read_region(image, a.lines[1].words[-1].box, whitelist="0123456789.")
    assert region.text == "05.01.2010"


def test_fallback_when_tesserocr_cannot_start(monkeypatch: pytest.MonkeyPatch) -> None:
    import ocr.engine as eng

    def broken(*args, **kwargs):
        raise RuntimeError("Failed to init API")

    monkeypatch.setattr(eng.TesserocrBackend, "__init__", broken)
    assert OcrEngine("vie").backend_name == "pytesseract"
    with pytest.raises(RuntimeError):
        OcrEngine("vie", backend="tesserocr")


def test_models_and_engine_cache() -> None:
    assert normalise_lang("vie+vietnamese") == "vie+Vietnamese"
    with pytest.raises(ValueError):
        normalise_lang("klingon")
    assert get_engine("vie", 6) is get_engine("vie", 6)
    assert get_engine("Vietnamese", 6).lang == "Vietnamese"
    import os

    assert os.environ["OMP_THREAD_LIMIT"] == "1"


def test_specks_are_dropped_but_real_punctuation_kept() -> None:
    from ocr.engine import RawWord, drop_specks

    words = [RawWord(":", (0, 0, 2, 2), 0.5, 0), RawWord("Quốc", (10, 0, 110, 48), 0.95, 0),
             RawWord("-", (120, 20, 134, 25), 0.93, 0), RawWord(".", (140, 0, 270, 55), 0.23, 0),
             RawWord("tịch:", (280, 0, 380, 47), 0.9, 0)]
    assert [w.text for w in drop_specks(words)] == ["Quốc", "-", "tịch:"]


class ScriptedBackend:
    """Answers the page call (psm 6) and the line re-read (psm 7) with fixed words, to test the choice."""
    name = "scripted"

    def __init__(self, page_words: list, line_words: list):
        self.page_words, self.line_words, self.calls = page_words, line_words, []

    def recognise(self, image, psm, dpi, whitelist):
        self.calls.append(psm)
        return list(self.page_words if psm != 7 else self.line_words)

    def close(self) -> None:
        pass


def _scripted_engine(page_conf: float, line_conf: float, *, reread: bool = True) -> tuple[OcrEngine, ScriptedBackend]:
    from ocr.engine import RawWord

    engine = OcrEngine.__new__(OcrEngine)
    engine.lang, engine.psm, engine.correct, engine.dpi, engine.reread = "vie", 6, True, 300, reread
    page = [RawWord("Họ", (100, 100, 160, 150), 0.95, 0), RawWord("tea", (170, 100, 240, 150), page_conf, 0)]
    line = [RawWord("Họ", (10, 12, 70, 62), 0.96, 0), RawWord("tên", (80, 12, 150, 62), line_conf, 0)]
    engine.backend = ScriptedBackend(page, line)
    return engine, engine.backend


def test_doubtful_line_is_reread_alone_and_kept_only_when_surer() -> None:
    image = np.full((600, 400), 255, np.uint8)  # portrait: not card-shaped
    image[100:150, 100:240] = 0
    engine, backend = _scripted_engine(page_conf=0.4, line_conf=0.93)
    page = engine.read_page(image, layout="form")
    assert page.text == "Họ tên" and backend.calls == [6, 7]
    assert page.lines[0].box[0] > 50  # the re-read's boxes are in page coordinates

    engine, backend = _scripted_engine(page_conf=0.4, line_conf=0.42)  # not clearly surer: page reading stays
    assert engine.read_page(image, layout="form").text == "Họ tea"

    engine, backend = _scripted_engine(page_conf=0.95, line_conf=0.99)  # a sure line is not read again
    assert engine.read_page(image, layout="form").text == "Họ tea" and backend.calls == [6]

    engine, backend = _scripted_engine(page_conf=0.4, line_conf=0.93, reread=False)
    assert engine.read_page(image, layout="form").text == "Họ tea" and backend.calls == [6]
