"""Normalisers: tables of OCR-ish inputs and the value the templates expect (or a failure)."""
import pytest

from extract.data import countries, ethnicities, province_codes
from extract.normalize import (
    norm_area,
    norm_code,
    norm_code_number,
    norm_date,
    norm_digits,
    norm_ethnicity,
    norm_gcn_serial,
    norm_gender,
    norm_id_digits,
    norm_name,
    norm_nationality,
    norm_register_no,
    norm_year,
)
from extract.textutil import fold


@pytest.mark.parametrize("raw, value", [
    ("05/01/2010", "05.01.2010"),
    ("5-1-2010", "05.01.2010"),
    ("05.01.2010", "05.01.2010"),
    ("ngày 05 tháng 01 năm 2010", "05.01.2010"),
    ("Hà Nội, ngày 12 tháng 5 năm 2015", "12.05.2015"),
    ("Ngảy 3 thảng 11 nãm 1998", "03.11.1998"),        # tone marks misread
    ("01/2010", "01.2010"),
    ("tháng 01 năm 2010", "01.2010"),
    ("2010", "2010"),
    ("năm 1948", "1948"),
    ("O5/O1/2O10", "05.01.2010"),                        # O for 0
    (": 29/02/2000", "29.02.2000"),
    ("15 tháng 02 năm 2014", "15.02.2014"),             # "ngày" lost: still a full date, not "02.2014"
    ("ngày 15, tháng 02, năm 2014", "15.02.2014"),
])
def test_dates(raw, value):
    n = norm_date(raw)
    assert n.ok and n.value == value


@pytest.mark.parametrize("raw", ["31/02/2010", "45/13/2010", "không rõ", "", "12/1750"])
def test_dates_rejected(raw):
    assert not norm_date(raw).ok


def test_partial_date_with_left_over_digits_is_not_trusted():
    """A day the parser could not place means the date was misread, not that it is a partial date."""
    n = norm_date("02.2014 15")
    assert not n.ok and "một phần" in n.reason


def test_partial_date_refused_when_profile_wants_a_full_date():
    assert not norm_date("2010", {"partial": False}).ok


@pytest.mark.parametrize("raw, value", [
    ("123,5 m²", "123,5"), ("123.5m2", "123,5"), ("1.234,5 m2", "1234,5"), ("120 m²", "120"),
    ("86,0m2 (Bằng chữ: tám mươi sáu)", "86,0"), ("1.250 m²", "1250"),
])
def test_areas(raw, value):
    n = norm_area(raw)
    assert n.ok and n.value == value


def test_area_unreadable():
    assert not norm_area("không rõ").ok


@pytest.mark.parametrize("raw, value", [
    ("NGUYỄN THỊ THUÝ", "Nguyễn Thị Thúy"), ("nguyễn văn an", "Nguyễn Văn An"),
    (": TRẦN HOÀ BÌNH", "Trần Hòa Bình"), ("Lê  Khoẻ", "Lê Khỏe"),
])
def test_names_title_case_and_old_style_tones(raw, value):
    n = norm_name(raw)
    assert n.ok and n.value == value


def test_name_too_short():
    assert not norm_name("An", {"min_words": 2}).ok


@pytest.mark.parametrize("raw, code", [
    ("Nam", "1"), ("Nữ", "2"), ("NỮ", "2"), ("Nu", "2"), ("Male", "1"), ("Không xác định", "3"), ("2", "2"),
])
def test_gender(raw, code):
    n = norm_gender(raw)
    assert n.ok and n.value == code


def test_gender_unknown_word():
    assert not norm_gender("Xyz").ok


@pytest.mark.parametrize("raw, table, code", [
    ("Đúng hạn", "loaiDangKy", "1"), ("Đăng ký lại", "loaiDangKy", "2"), ("quá hạn", "loaiDangKy", "4"),
    ("Ghi vào sổ", "loaiDangKy", "3"), ("Cấp bản chính", "loaiDangKy", "5"),
    ("CMND", "loaiGiayToTuyThan", "1"), ("Hộ chiếu", "loaiGiayToTuyThan", "2"),
    ("Căn cước công dân", "loaiGiayToTuyThan", "4"), ("CMND số 123456789", "loaiGiayToTuyThan", "1"),
    ("Thẻ thường trú", "loaiGiayToTuyThan", "3"),
])
def test_codes(raw, table, code):
    n = norm_code(raw, {"table": table})
    assert n.ok and n.value == code


@pytest.mark.parametrize("raw, name", [
    ("Kinh", "Kinh"), ("KINH", "Kinh"), ("Kính", "Kinh"), ("Tày", "Tày"), ("Khơ Me", "Khmer"),
    ("H'Mông", "Mông"), ("Ê-đê", "Ê Đê"), ("Bana", "Ba Na"), ("Gia-rai", "Gia Rai"), ("Mường", "Mường"),
])
def test_ethnicity(raw, name):
    n = norm_ethnicity(raw)
    assert n.ok and n.value == name


def test_ethnicity_not_in_list():
    assert not norm_ethnicity("Xyzabc").ok


@pytest.mark.parametrize("raw, name", [
    ("Việt Nam", "Việt Nam"), ("VIỆT NAM", "Việt Nam"), ("Viet Nam", "Việt Nam"), ("Việt Nan", "Việt Nam"),
    ("Trung Quốc", "Trung Quốc"), ("Lào", "Lào"),
])
def test_nationality(raw, name):
    n = norm_nationality(raw)
    assert n.ok and n.value == name


@pytest.mark.parametrize("raw, params, value, ok", [
    ("001090012345", None, "001090012345", True),
    ("0O1O9OO12345", None, "001090012345", True),
    ("12345678l", None, "123456781", True),
    ("001 090 012 345", None, "001090012345", True),
    ("Số: 079190001234", None, "079190001234", True),
    ("12345", None, "12345", False),
    ("123456789", {"lengths": [12]}, "123456789", False),
])
def test_id_digits(raw, params, value, ok):
    n = norm_id_digits(raw, params)
    assert n.value == value and n.ok is ok


@pytest.mark.parametrize("raw, digits, value, ok", [
    ("CS 123456", [6], "CS 123456", True), ("cs123456", [6], "CS 123456", True),
    ("BĐ 12345O", [6], "BĐ 123450", True), ("AA 05565655", [8], "AA 05565655", True),
    ("AA 0556565", [8], "AA 0556565", False), ("123456", [6], "123456", False),
])
def test_gcn_serial(raw, digits, value, ok):
    n = norm_gcn_serial(raw, {"digits": digits})
    assert n.ok is ok and (n.value == value)


@pytest.mark.parametrize("raw, value", [("CH 01234", "CH 01234"), ("cs05494", "CS 05494"), ("CH-0O123", "CH 00123")])
def test_register_entry_number(raw, value):
    assert norm_code_number(raw).value == value


@pytest.mark.parametrize("raw, value, ok", [("01/2018", "01/2018", True), ("O1 / 2018", "01/2018", True),
                                             ("15", "15", True), ("abc", "abc", False)])
def test_register_number(raw, value, ok):
    n = norm_register_no(raw)
    assert n.ok is ok and n.value == value


@pytest.mark.parametrize("raw, value, ok", [("123;", "123", True), ("l23", "123", True), ("số", "số", False)])
def test_digits(raw, value, ok):
    n = norm_digits(raw)
    assert n.ok is ok and (not ok or n.value == value)


def test_year():
    assert norm_year("sinh năm 1960").value == "1960"
    assert not norm_year("19").ok


def test_closed_lists_are_complete_and_unambiguous():
    groups = ethnicities()
    assert len(groups) == 54
    folded = [fold(name) for name in groups]
    assert len(set(folded)) == 54, "two ethnic groups fold to the same spelling"
    assert "Việt Nam" in countries()
    codes = province_codes()
    assert len(codes) == 63
    assert codes["001"] == "Hà Nội" and codes["079"] == "Hồ Chí Minh" and codes["031"] == "Hải Phòng"
    assert all(len(c) == 3 and c.isdigit() for c in codes)


@pytest.mark.parametrize("raw, value", [("HồVănHùng", "Hồ Văn Hùng"), ("ĐỗVănHưởng", "Đỗ Văn Hưởng")])
def test_glued_names_split(raw, value):
    assert norm_name(raw).value == value


def test_card_dates_must_be_printed_padded():
    """A card prints dd/mm/yyyy: '7-07-1966' is '17.07.1966' with its first digit lost (seen accepted on
    a photocopied CMND), so with params.padded it goes to review instead of becoming the 7th."""
    assert norm_date("7-07-1966").value == "07.07.1966"  # free-form pages may write 7/7/1966
    lost = norm_date("7-07-1966", {"padded": True})
    assert not lost.ok and "dd/mm/yyyy" in lost.reason
    assert norm_date("17/07/1966", {"padded": True}).value == "17.07.1966"
    assert norm_date("17 07 1966", {"padded": True}).value == "17.07.1966"


@pytest.mark.parametrize("raw, value", [
    ("Thôn 3 (xóm Chùa)", "Thôn 3 (xóm Chùa)"),          # regression: the reviewer's ")" was dropped
    ('Xóm "Mới"', 'Xóm "Mới"'),                         # regression: a closing quote was dropped
    ("“Xóm Đình”, Xã Tân Hòa", "“Xóm Đình”, Xã Tân Hòa"),
    ("Số 5 [ngõ 3].", "Số 5 [ngõ 3]"),
    (": 12 Lê Lợi;", "12 Lê Lợi"),                       # OCR's separator junk still goes
    ("12 Lê Lợi)", "12 Lê Lợi"),                         # a bracket with no partner is junk
    ("(12 Lê Lợi", "12 Lê Lợi"),
    ('"12 Lê Lợi', "12 Lê Lợi"),
])
def test_address_keeps_paired_brackets_and_quotes(raw, value):
    from extract.normalize import normalize
    assert normalize("address", raw).value == value
