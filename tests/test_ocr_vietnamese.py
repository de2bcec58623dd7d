"""The Vietnamese text layer: NFC, old-style tone placement, syllable validity, the cautious corrector."""
from __future__ import annotations

import re
import unicodedata

import pytest

from ocr.vietnamese import apply_text_layer, correct_word, is_valid_syllable, normalize_text, syllables

PLACEMENT = [  # (input, old-style output)
    ("hoà", "hòa"), ("thuý", "thúy"), ("khoẻ", "khỏe"), ("hoàn", "hoàn"), ("quý", "quý"), ("hòa", "hòa"),
    ("thúy", "thúy"), ("khỏe", "khỏe"), ("HOÀ", "HÒA"), ("THUÝ", "THÚY"), ("KHOẺ", "KHỎE"), ("Hoà", "Hòa"),
    ("Thuỳ", "Thùy"), ("tuỵ", "tụy"), ("loè", "lòe"), ("thuyết", "thuyết"), ("toán", "toán"),
    ("người", "người"), ("quốc", "quốc"), ("giữ", "giữ"), ("gìn", "gìn"), ("ngoài", "ngoài"),
    ("khuỷu", "khuỷu"), ("mía", "mía"), ("múa", "múa"), ("quà", "quà"), ("QUỲNH", "QUỲNH"),
]


@pytest.mark.parametrize(("given", "expected"), PLACEMENT)
def test_old_style_placement(given: str, expected: str) -> None:
    assert normalize_text(given) == expected


@pytest.mark.parametrize(("given", "expected"), PLACEMENT)
def test_nfd_input_becomes_nfc_old_style(given: str, expected: str) -> None:
    out = normalize_text(unicodedata.normalize("NFD", given))
    assert out == expected
    assert unicodedata.is_normalized("NFC", out)


def test_placement_is_idempotent_and_keeps_non_syllables() -> None:
    text = "Ủy ban nhân dân xã Hoà Bình — CCCD số 079123456789, mã ONT, email a.b@x.vn"
    once = normalize_text(text)
    assert once == "Ủy ban nhân dân xã Hòa Bình — CCCD số 079123456789, mã ONT, email a.b@x.vn"
    assert normalize_text(once) == once


PROSE = (  # written for this test; every syllable must be valid
    "Nguyễn Thị Thúy sinh ngày năm tháng ba tại xã Hòa Bình, huyện Quỳnh Lưu, tỉnh Nghệ An. Chị là người "
    "dân tộc Kinh, quốc tịch Việt Nam, hiện thường trú ở khu phố bốn, phường Tân Định. Khi còn nhỏ, chị học "
    "giỏi, yêu thích đọc sách và khỏe mạnh. Gia đình chị gồm cha mẹ, hai anh trai và một em gái; mỗi buổi "
    "chiều cả nhà quây quần bên mâm cơm, kể chuyện làng xóm, ruộng vườn, những ngày mưa bão khuya khoắt. "
    "Người ta bảo quê hương là chùm khế ngọt, là con đường nghiêng nghiêng dẫn về ngôi nhà xưa. Ghi chép "
    "này được viết để kiểm tra chương trình nhận dạng chữ, giữ gìn tiếng Việt trong sáng; quyết định cuối "
    "cùng thuộc về ủy ban. Thửa đất số mười hai, tờ bản đồ số bảy, diện tích một trăm hai mươi mét vuông, "
    "mục đích sử dụng đất ở tại nông thôn, thời hạn lâu dài, nguồn gốc được Nhà nước giao đất có thu tiền. "
    "Ông Trần Văn Quý và vợ là bà Hoàng Thị Khuyên cùng sử dụng; giấy chứng nhận được cấp ở thành phố Hồ "
    "Chí Minh. Ngoài trời, gió thổi qua rặng tre, lũ trẻ nghịch ngợm khuấy nước, ngoáy tai, huơ tay."
)


def test_every_syllable_of_prose_is_valid() -> None:
    words = re.findall(r"[^\W\d_]+", PROSE)
    assert len(words) > 150
    assert [w for w in words if not is_valid_syllable(w)] == []


@pytest.mark.parametrize("word", ["a", "ở", "yên", "khuya", "nghiêng", "giếng", "gì", "quýt", "kỹ", "lý",
                                  "oanh", "uyên", "thuở", "được", "Đức", "NGUYỄN", "ngoằn", "khuỷu", "huỳnh"])
def test_valid_syllables(word: str) -> None:
    assert is_valid_syllable(word)


@pytest.mark.parametrize("word", [
    "name", "full", "fên", "zân", "ONT", "CCCD", "cae", "ci", "ge", "nge", "ghax",
    "kan",      # c/k: k only before e ê i y
    "ghà",      # gh only before e ê i
    "ngê",      # ng -> ngh before e ê i
    "mồt",      # stop coda t takes only sắc or nặng
    "bàc", "môt",
    "tiêngx", "iên",  # "iê" without onset is spelt "yê"
    "ngưòi",    # horn dropped on ơ
    "hóà",      # two tone marks
    "qa",       # q without u
])
def test_invalid_syllables(word: str) -> None:
    assert not is_valid_syllable(word)


def test_inventory_is_rule_sized() -> None:
    assert 3000 < len(syllables()) < 6000
    assert "nguyên" in syllables() and "thuy" in syllables() and "ka" not in syllables()


@pytest.mark.parametrize(("seeded", "fixed"), [
    ("môt", "một"),          # tone dropped on a stop-coda syllable; tie broken by the frequent list
    ("ngưòi", "người"),      # horn dropped, tone misplaced
    ("thuờng", "thường"),    # horn dropped on u
    ("Viêt", "Việt"),
    ("quôc", "quốc"),
    ("Nguyễnf", "Nguyễn"),   # stray f
    ("Ngwyễn", "Nguyễn"),    # stray w
    ("fên", "tên"),
    ("zân", "dân"),
    ("ðất", "đất"),
    ("H0à", "Hòa"),          # 0 for o inside a word
    ("NGƯỜJ", "NGƯỜI"),
])
def test_corrector_fixes_seeded_errors(seeded: str, fixed: str) -> None:
    assert apply_text_layer(seeded) == fixed


@pytest.mark.parametrize("token", ["079123456789", "123,5", "05.01.2010", "CS 123456", "ONT", "CCCD", "CMND",
                                   "IDVNM1234567890<<<", "Full", "name", "Date", "Nationality", "Hòa",
                                   "Nguyễn", "thường", "AA05565655", "01/2018", "KS.2010.01"])
def test_corrector_leaves_ids_codes_and_valid_words(token: str) -> None:
    assert correct_word(token) == token
    assert apply_text_layer(token) == normalize_text(token)


def test_corrector_is_toggleable_and_cautious() -> None:
    assert apply_text_layer("ngưòi", correct=False) == "ngưòi"
    assert apply_text_layer("Hoàg") == "Hoàg"  # Hoàng or Hoà: ambiguous, left alone
    assert apply_text_layer("Họ và tên: Nguyễn Thị Thuý") == "Họ và tên: Nguyễn Thị Thúy"


def test_line_layer_fixes_the_area_unit_only_after_a_number() -> None:
    from ocr.vietnamese import apply_line_layer

    assert apply_line_layer(["Diện", "tích:", "123,5", "m2"]) == ["Diện", "tích:", "123,5", "m²"]
    assert apply_line_layer(["165,5", "m?."]) == ["165,5", "m²."]
    assert apply_line_layer(["mã", "m2"]) == ["mã", "m2"]
    assert apply_line_layer(["123,5", "m2"], correct=False) == ["123,5", "m2"]


@pytest.mark.parametrize(("given", "expected"), [
    ("Th†", "Th"), ("¡ch/Nationality:", "ch/Nationality:"), ("sø:No.", "so:No."), ("oŸ", "oY"), ("HÖA", "HOA"),
    ("Nguyễn|", "Nguyễn"), ("‹Việt", "Việt"),
])
def test_non_text_glyphs_and_foreign_marks_leave_words(given: str, expected: str) -> None:
    assert apply_text_layer(given) == expected


@pytest.mark.parametrize("kept", ["|", "†", "m²", "—", "đ", "Tiếng", "Việt", "ƯỚC", "a.b@x.vn", "02/01/1989"])
def test_glyph_filter_keeps_real_text_and_glyph_only_tokens(kept: str) -> None:
    assert apply_text_layer(kept) == kept
