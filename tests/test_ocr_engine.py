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


def _ink_rows(image: np.ndarray) -> tuple[int, int]:
    rows = np.flatnonzero((image < 128).any(axis=1))
    return int(rows[0]), int(rows[-1])


def test_line_crop_holds_the_stacked_marks_above_capitals() -> None:
    """Tesseract boxes a heading from the top of its capitals and leaves out the marks stacked on them (Ẩ, Ễ,
    Ậ): a crop made from that box with the old even 15 % margin cut them off, and the line read "NGUYÊN"."""
    from ocr.engine import line_crop_box

    face = ImageFont.truetype(NOTO, 80)
    marked, bare = (Image.new("L", (1400, 400), 255) for _ in range(2))
    ImageDraw.Draw(marked).text((60, 150), "NGUYỄN ẨM ẬU TRƯỞNG", font=face, fill=0)
    ImageDraw.Draw(bare).text((60, 150), "NGUYEN AM AU TRUONG", font=face, fill=0)
    marked_a, bare_a = np.array(marked), np.array(bare)
    top, bottom = _ink_rows(bare_a)   # what the letters' own box spans
    ink_top, ink_bottom = _ink_rows(marked_a)  # the marks above and the dot below reach further
    cols = np.flatnonzero((marked_a < 128).any(axis=0))
    box = (int(cols[0]), top, int(cols[-1]), bottom)
    h = bottom - top
    assert ink_top < top - 0.15 * h  # the old crop (15 % above) cut the marks: the test fails on it
    x0, y0, x1, y1 = line_crop_box(box, [], *marked_a.shape)
    assert y0 <= ink_top and y1 >= ink_bottom and x0 <= box[0] and x1 >= box[2]
    # a line above stops the crop at its box: the crop never reaches into the neighbour's letters
    above = (box[0], top - 3 * h, box[2], ink_top - 2)
    assert line_crop_box(box, [above], *marked_a.shape)[1] == above[3] + 1


class RecordingBackend:
    """A page reading whose line box leaves out the marks above it; the line re-read gets the crop (kept)."""
    name = "recording"

    def __init__(self, page_words: list, line_words: list):
        self.page_words, self.line_words, self.images = page_words, line_words, []

    def recognise(self, image, psm, dpi, whitelist):
        if psm != 7:
            return list(self.page_words)
        self.images.append(image)
        return list(self.line_words)

    def close(self) -> None:
        pass


def _marks_engine(page_words: list, line_words: list) -> tuple[OcrEngine, RecordingBackend]:
    engine = OcrEngine.__new__(OcrEngine)
    engine.lang, engine.psm, engine.correct, engine.dpi, engine.reread = "vie", 6, True, 300, True
    engine.backend = RecordingBackend(page_words, line_words)
    return engine, engine.backend


def _heading_page() -> np.ndarray:
    image = np.full((600, 500), 255, np.uint8)  # portrait: not card-shaped
    image[200:250, 100:400] = 0   # the capitals: what the page reading boxed
    image[178:190, 130:160] = 0   # marks stacked above them, outside that box
    image[253:258, 300:310] = 0   # a dot below
    return image


def test_confident_line_whose_marks_were_cut_is_reread_with_them() -> None:
    from ocr.engine import RawWord

    page = [RawWord("GIAY", (100, 200, 240, 250), 0.92, 0), RawWord("NHAN", (260, 200, 400, 250), 0.93, 0)]
    line = [RawWord("GIẤY", (10, 30, 150, 80), 0.90, 0), RawWord("NHẬN", (170, 30, 310, 80), 0.90, 0)]
    engine, backend = _marks_engine(page, line)
    result = engine.read_page(_heading_page(), layout="form")
    # confident (0.92) yet read again: ink above its box; the same letters with the marks win although
    # Tesseract is a little less sure of them
    assert result.text == "GIẤY NHẬN"
    (crop,) = backend.images
    assert np.count_nonzero(crop < 128) == np.count_nonzero(_heading_page() < 128)  # all of the ink, marks too

    other = [RawWord("GIẤY", (10, 30, 150, 80), 0.90, 0), RawWord("NHÂM", (170, 30, 310, 80), 0.90, 0)]
    engine, backend = _marks_engine(page, other)  # other letters and not surer: the page reading stays
    assert engine.read_page(_heading_page(), layout="form").text == "GIAY NHAN" and len(backend.images) == 1

    engine, backend = _marks_engine(page, line)  # no ink above a sure line: not read again
    clean = _heading_page()
    clean[170:195] = 255
    assert engine.read_page(clean, layout="form").text == "GIAY NHAN" and backend.images == []


def test_a_line_made_of_the_marks_goes_when_the_line_under_it_is_reread() -> None:
    from ocr.engine import RawWord

    page = [RawWord("x~", (130, 178, 160, 190), 0.41, 0), RawWord("2", (300, 180, 310, 190), 0.9, 0),
            RawWord("SƠ", (100, 200, 240, 250), 0.6, 1), RawWord("ĐANG", (260, 200, 400, 250), 0.92, 1)]
    line = [RawWord("SỔ", (10, 30, 150, 80), 0.93, 0), RawWord("ĐĂNG", (170, 30, 310, 80), 0.93, 0)]
    engine, _ = _marks_engine(page, line)
    assert engine.read_page(_heading_page(), layout="form").text == "SỔ ĐĂNG"
    # a line of small real words above a heading is not marks: never dropped
    words = [RawWord("Mẫu", (130, 178, 160, 190), 0.95, 0), RawWord("số", (170, 180, 190, 190), 0.95, 0)]
    engine, _ = _marks_engine(words + page[2:], line)
    assert engine.read_page(_heading_page(), layout="form").text == "Mẫu số\nSỔ ĐĂNG"


def test_an_unsure_reread_asks_the_second_model_and_keeps_the_likelier() -> None:
    from ocr.engine import RawWord

    page = [RawWord("Ho", (100, 200, 240, 250), 0.5, 0), RawWord("tèn", (260, 200, 400, 250), 0.5, 0)]
    unsure = [RawWord("Hq", (10, 30, 150, 80), 0.7, 0), RawWord("tèn", (170, 30, 310, 80), 0.7, 0)]
    sure = [RawWord("Họ", (10, 30, 150, 80), 0.95, 0), RawWord("tên", (170, 30, 310, 80), 0.95, 0)]
    clean = _heading_page()
    clean[170:195] = 255

    def engines(vie_line: list, second_line: list) -> tuple[OcrEngine, RecordingBackend]:
        engine, backend = _marks_engine(page, vie_line)
        second, second_backend = _marks_engine(page, second_line)
        second.lang = "Vietnamese"
        engine.sibling = lambda lang: second if lang == "Vietnamese" else engine
        return engine, second_backend

    engine, second = engines(unsure, sure)  # vie unsure: the second model is asked, and is surer
    assert engine.read_page(clean, layout="form").text == "Họ tên" and len(second.images) == 1
    engine, second = engines(sure, unsure)  # vie sure: the second model is not asked
    assert engine.read_page(clean, layout="form").text == "Họ tên" and second.images == []
    engine, second = engines(unsure, [RawWord("Ho", (10, 30, 150, 80), 0.6, 0)])  # asked, less likely: not taken
    assert engine.read_page(clean, layout="form").text == "Hq tèn" and len(second.images) == 1
