"""`sohoa ocr` on a rendered page file, and the benchmark's scoring rules."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image, ImageDraw, ImageFont

from bench.ocr import Row, clean_text, score_lines, truth_rows
from ocr.cli import ocr_command
from synth.truth import TruthLine

NOTO = "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"


@pytest.fixture
def page_file(tmp_path: Path) -> Path:
    face = ImageFont.truetype(NOTO, 50)
    img = Image.new("RGB", (2480, 900), "white")
    draw = ImageDraw.Draw(img)
    for i, text in enumerate(["Thửa đất số: 123", "Mục đích sử dụng: Đất ở tại nông thôn", "Thời hạn: Lâu dài"]):
        draw.text((200, 150 + 200 * i), text, font=face, fill="black")
    path = tmp_path / "trang.png"
    img.save(path, dpi=(300, 300))
    return path


@pytest.mark.slow
def test_ocr_prints_text_in_reading_order(page_file: Path) -> None:
    result = CliRunner().invoke(ocr_command, [str(page_file)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["Thửa đất số: 123", "Mục đích sử dụng: Đất ở tại nông thôn",
                                          "Thời hạn: Lâu dài"]


@pytest.mark.slow
def test_ocr_json_words(page_file: Path) -> None:
    result = CliRunner().invoke(ocr_command, [str(page_file), "--json", "--lang", "vie+Vietnamese"])
    assert result.exit_code == 0, result.output
    (doc,) = json.loads(result.output)
    assert doc["file"] == str(page_file) and doc["page"] == 0 and doc["lang"] == "vie+Vietnamese"
    first = doc["lines"][0]["words"][0]
    assert first["text"] == "Thửa" and len(first["box"]) == 4 and 0 < first["confidence"] <= 1


def test_ocr_reports_unreadable_file(tmp_path: Path) -> None:
    bad = tmp_path / "hong.jpg"
    bad.write_text("không phải ảnh")
    result = CliRunner().invoke(ocr_command, [str(bad)])
    assert result.exit_code == 1
    assert "not_an_image" in result.output


def test_rows_join_label_and_value_and_split_handwriting() -> None:
    lines = [TruthLine("Họ và tên:", (100, 100, 300, 140)), TruthLine("Trần Văn Quý", (320, 98, 600, 141), "value", True),
             TruthLine("Dân tộc: Kinh", (100, 200, 400, 240))]
    rows = truth_rows(lines, 1000)
    assert [r.text for r in rows] == ["Họ và tên: Trần Văn Quý", "Dân tộc: Kinh"]
    assert rows[0].handwritten[:10] == [False] * 10 and rows[0].handwritten[-3:] == [True] * 3


def test_score_is_order_tolerant_between_rows_and_counts_errors() -> None:
    rows = [Row("Họ và tên: Quý", [False] * 10 + [True] * 4, 0.1), Row("Dân tộc: Kinh", [False] * 13, 0.2)]
    perfect = score_lines(rows, [("Dân tộc: Kinh", (0, 190, 400, 240)), ("Họ và tên: Quý", (0, 90, 400, 140))], 1000)
    assert (perfect.printed_err, perfect.hand_err, perfect.word_err) == (0, 0, 0)
    assert perfect.printed_chars == 23 and perfect.hand_chars == 4
    wrong = score_lines(rows, [("Họ và tên: Quy", (0, 90, 400, 140)), ("Dân tôc: Kinh", (0, 190, 400, 240)),
                               ("@@@", (0, 900, 50, 950))], 1000)
    assert wrong.hand_err == 1 and wrong.printed_err == 1 + 3 and wrong.word_err == 2 + 1


def test_scoring_ignores_tone_placement_convention() -> None:
    assert clean_text("Hoà  Bình\n khoẻ") == "Hòa Bình khỏe"
    rows = [Row("Hòa Bình", [False] * 8, 0.5)]
    assert score_lines(rows, [("Hoà Bình", (0, 0, 10, 10))], 20).printed_err == 0
    assert np.isclose(score_lines(rows, [], 20).cer, 1.0)


def test_row_pieces_printed_without_a_gap_join_without_a_space() -> None:
    """A name line and the ", năm sinh" printed right after it are one run of text, not "HỶ , năm"."""
    lines = [TruthLine("Ông: NGUYỄN HỶ", (100, 100, 500, 140)), TruthLine(", năm sinh: 1985", (502, 100, 800, 140)),
             TruthLine("Dân tộc:", (100, 200, 300, 240)), TruthLine("Kinh", (330, 200, 420, 240))]
    assert [r.text for r in truth_rows(lines, 1000)] == ["Ông: NGUYỄN HỶ, năm sinh: 1985", "Dân tộc: Kinh"]


def test_a_long_ocr_line_goes_to_the_row_it_explains_not_a_short_row_it_contains() -> None:
    """"Nam" alone (a short row elsewhere on the page) must not swallow the line that contains it."""
    rows = [Row("Nam", [False] * 3, 0.30), Row("Giới tính: Nam Quốc tịch: Việt Nam", [False] * 34, 0.35)]
    score = score_lines(rows, [("Giới tính: Nam Quốc tịch: Việt Nam", (0, 300, 900, 340)),
                               ("Nam", (0, 250, 90, 290))], 1000)
    assert score.printed_err == 0
