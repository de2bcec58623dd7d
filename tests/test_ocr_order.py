"""Reading order across Tesseract's layout blocks: a form's label and value blocks read as rows, an article's
two columns column by column (ocr/order.py)."""
from __future__ import annotations

from ocr.engine import RawWord
from ocr.order import rows_across_blocks


def _line(words: list[str], x: int, y: int, line_no: int, block: int) -> list[RawWord]:
    out, cursor = [], x
    for w in words:
        out.append(RawWord(w, (cursor, y, cursor + 20 * len(w), y + 30), 0.9, line_no, block))
        cursor += 20 * len(w) + 15
    return out


def _text(words: list[RawWord]) -> list[str]:
    lines: dict[int, list[str]] = {}
    for w in words:
        lines.setdefault(w.line_no, []).append(w.text)
    return [" ".join(ws) for _, ws in sorted(lines.items())]


def test_a_forms_label_block_and_value_block_read_as_rows() -> None:
    labels = [["Họ", "và", "tên:"], ["Ngày", "sinh:"], ["Dân", "tộc:"]]
    values = [["NGUYỄN", "VĂN", "AN"], ["12.05.1990"], ["Kinh"]]
    words = []
    for i, lab in enumerate(labels):
        words += _line(lab, 100, 100 + 60 * i, i, 0)
    for i, val in enumerate(values):
        words += _line(val, 900, 100 + 60 * i, 3 + i, 1)
    assert _text(rows_across_blocks(words)) == ["Họ và tên: NGUYỄN VĂN AN", "Ngày sinh: 12.05.1990", "Dân tộc: Kinh"]


def test_two_columns_of_running_text_read_column_by_column_under_their_heading() -> None:
    words = _line(["TIÊU", "ĐỀ"], 600, 20, 0, 0)
    left = [["một", "hai", "ba", "bốn", "năm", "sáu"]] * 3
    right = [["bảy", "tám", "chín", "mười", "mươi", "trăm"]] * 3
    for i, ln in enumerate(left):
        words += _line(ln, 100, 100 + 60 * i, 1 + i, 1)
    for i, ln in enumerate(right):
        words += _line(ln, 1400, 100 + 60 * i, 4 + i, 2)
    out = _text(rows_across_blocks(words))
    assert out == ["TIÊU ĐỀ"] + [" ".join(ln) for ln in left] + [" ".join(ln) for ln in right]


def test_no_word_is_ever_dropped() -> None:
    words = _line(["a:"], 100, 100, 0, 0) + _line(["b"], 500, 100, 1, 1) + _line(["c", "d"], 100, 300, 2, 2)
    assert sorted(w.text for w in rows_across_blocks(words)) == ["a:", "b", "c", "d"]
