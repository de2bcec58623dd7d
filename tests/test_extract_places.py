"""Place fields against the official list (GSO codes): part by part inside the parent, tone-mark aware,
abbreviations, both lists (before and after the 2025 merger), and only a unique close match corrects."""
from __future__ import annotations

import pytest

from extract.places import CURRENT, HISTORICAL, gazetteer, match_place, split_unit_word


def test_both_lists_are_installed_with_their_codes():
    gz = gazetteer()
    assert gz.eras == [HISTORICAL, CURRENT]
    assert len(gz.provinces(HISTORICAL)) == 63 and len(gz.provinces(CURRENT)) == 34
    hung = gz.unit("10894")
    assert (hung.full, gz.parent_of(hung).full, gz.parent_of(gz.parent_of(hung)).full) == \
        ("Xã Cẩm Hưng", "Huyện Cẩm Giàng", "Tỉnh Hải Dương")
    assert gz.unit("30").name == "Hải Dương" and gz.unit("295").name == "Cẩm Giàng"


@pytest.mark.parametrize("text, code", [
    ("Xã Cẩm Hưng, huyện Cẩm Giàng, tỉnh Hải Dương", "10894"),
    ("thôn Hạ, X. Cẩm Hưng, H. Cẩm Giàng, T. Hải Dương", "10894"),
    ("Cẩm Hưng, Cẩm Giàng, Hải Dương", "10894"),
    ("Cẩm Giàng, Hải Dương", "295"),
    ("TP. Hồ Chí Minh", "79"),
    ("Lai Cách, Hải Dương", "10891"),                      # district left out
])
def test_addresses_match_their_unit(text, code):
    found = match_place(text)
    assert found.unique and found.code == code and found.value == text


def test_a_misread_tone_mark_is_corrected_to_the_official_spelling():
    found = match_place("Thôn Đoài, Cấm Hưng, Cẩm Giàng, Hải Dương")
    assert found.unique and found.corrected and found.value == "Thôn Đoài, Cẩm Hưng, Cẩm Giàng, Hải Dương"
    assert found.free == ["Thôn Đoài"] and found.code == "10894"


def test_no_correction_without_a_unique_close_match():
    assert not match_place("Xã Cẩm Hưng, huyện Cẩm Giàng, tỉnh Hải Dươngxyz").units
    # "Cẩm V" is one edit from both Cẩm Vũ and Cẩm Văn: left alone
    ambiguous = match_place("Cẩm Vă, Cẩm Giàng, Hải Dương")
    assert ambiguous.units[-1].level == 2 and ambiguous.free == ["Cẩm Vă"] and not ambiguous.corrected


def test_the_2025_list_for_addresses_written_after_the_merger():
    found = match_place("Xã Cẩm Giàng, Thành phố Hải Phòng")
    assert found.era == CURRENT and found.unique and [u.level for u in found.units] == [1, 3]


def test_unit_words_and_abbreviations():
    assert split_unit_word("TP. Hải Dương") == ("thành phố", "Hải Dương", 0)
    assert split_unit_word("TT Lai Cách") == ("thị trấn", "Lai Cách", 3)
    assert split_unit_word("Thôn Hạ") == ("", "Thôn Hạ", None)
    assert split_unit_word("P.Ngọc Châu") == ("phường", "Ngọc Châu", 3)


@pytest.mark.parametrize("value, cut", [
    ("Yết Kiêu, Gia Lộc, Hải Dương i thường trú", "Yết Kiêu, Gia Lộc, Hải Dương"),          # next label bled in
    ("Xã Quang Đức, huyện Gia Lộc, tỉnh Hải Dương xe", "Xã Quang Đức, huyện Gia Lộc, tỉnh Hải Dương"),
    ("Thôn Hạ, Lê Lợi, Gia Lộc, Hải Dương", ""),       # nothing after the province: nothing to cut
    ("Hà Nội", ""), ("chữ không phải địa chỉ", ""),
])
def test_what_follows_the_province_is_cut(value, cut):
    from extract.pipeline import _cut_after_province
    assert _cut_after_province(value) == cut
